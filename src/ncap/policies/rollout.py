"""Running a policy in the batched simulator: ncap's one episode loop.

Evaluation (``ncap.evaluation``), ES populations
(``ncap.training.population``) and recordings for videos
(``ncap.viz.recording``) all step their swimmers through :func:`run_episode`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor, nn


def obs_to_torch(obs: dict[str, np.ndarray]) -> dict[str, Tensor]:
    """NumPy observation dict -> float32 tensors (sharing nothing with the simulator)."""
    return {key: torch.as_tensor(value, dtype=torch.float32) for key, value in obs.items()}


Act = Callable[[dict[str, Tensor]], Tensor]
"""Observations (a dict of (B, ...) tensors) -> commands (B, N)."""
OnStep = Callable[[dict[str, np.ndarray], np.ndarray], None]
"""Called after each step with the new observations (NumPy) and the step's rewards (B,)."""


@torch.no_grad()
def run_episode(sim, act: Act, steps: int | None = None, on_step: OnStep | None = None) -> np.ndarray:
    """Reset ``sim`` (a ``BatchedSwimmer``) and step it with ``act``'s commands until its episode
    ends, or for ``steps`` control steps; returns each swimmer's summed reward (B,)."""
    obs, total, done, taken = sim.reset(), np.zeros(sim.num_envs), False, 0
    while not done and (steps is None or taken < steps):
        actions = act(obs_to_torch(obs))
        obs, reward, done = sim.step(actions.double().numpy())
        total += reward
        taken += 1
        if on_step is not None:
            on_step(obs, reward)
    return total


def reseed(policy: nn.Module, seeds: list[int]) -> None:
    """Restart a stateful policy's own random stream from the seeds of the batch's episodes (flattened), so
    that what it draws (the quadruped circuit's starting phases) depends on them, not on what ran before.
    Policies without ``reseed``: nothing."""
    hook = getattr(policy, "reseed", None)
    if callable(hook):
        hook([int(seed) for seed in seeds])
