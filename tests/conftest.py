"""Shared test settings: headless rendering, few torch threads."""

import os

os.environ.setdefault("MUJOCO_GL", "egl")

import torch  # noqa: E402

torch.set_num_threads(1)
