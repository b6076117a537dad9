"""ncap: neural circuit architectural priors for embodied control.

Subpackages: ``ncap.circuits`` (pure torch circuits), ``ncap.envs`` (MuJoCo
swimmer tasks and the batched simulator), ``ncap.policies`` (circuits and MLPs
as policies of the tasks), ``ncap.cli`` (the ``ncap`` command).
"""

import os

# Headless rendering by default; a user's own MUJOCO_GL choice wins.
os.environ.setdefault("MUJOCO_GL", "egl")

from ncap.registration import register_envs  # noqa: E402

__version__ = "0.1.0"

register_envs()
