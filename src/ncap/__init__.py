"""ncap: neural circuit architectural priors for embodied control.

Subpackages: ``ncap.circuits`` (pure torch circuits, no simulator),
``ncap.envs`` (MuJoCo swimmer tasks and the batched simulator; importing it
registers ``ncap/Swim-v0`` and ``ncap/Navigate-v0`` with Gymnasium),
``ncap.policies`` (circuits and MLPs as policies of the tasks), ``ncap.training``,
and ``ncap.cli`` (the ``ncap`` command).
"""

import os

# Headless rendering by default; a user's own MUJOCO_GL choice wins.
os.environ.setdefault("MUJOCO_GL", "egl")

__version__ = "0.1.0"
