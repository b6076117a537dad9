"""ncap: neural circuit architectural priors for embodied control.

Subpackages: ``ncap.circuits`` (pure torch circuits, no simulator),
``ncap.envs`` (MuJoCo swimmer tasks and the batched simulator),
``ncap.policies`` (circuits and MLPs as policies of the tasks), ``ncap.training``,
``ncap.experiments``, ``ncap.viz`` and ``ncap.cli`` (the ``ncap`` command).

``import ncap`` registers ``ncap/Swim-v0`` and ``ncap/Navigate-v0`` with
Gymnasium (``ncap.registration``; nothing heavy is imported for it).
"""

import os

# Process-wide defaults, set once here; a user's own choice of each wins.
os.environ.setdefault("MUJOCO_GL", "egl")  # headless rendering
os.environ.setdefault("EVOTORCH_VERBOSE_LEVEL", "-1")  # EvoTorch logs through the root logger, not its own INFO handler

from ncap.registration import register_envs  # noqa: E402

register_envs()

__version__ = "0.1.0"
