"""Evaluate a policy on the batched simulator: one episode per swimmer, in one batch."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from ncap.envs import BatchedSwimmer
from ncap.circuits import num_parameters


def obs_to_torch(obs: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    """NumPy observation dict -> float32 tensors (sharing nothing with the simulator)."""
    return {key: torch.as_tensor(value, dtype=torch.float32) for key, value in obs.items()}


@dataclass(frozen=True)
class EvaluationResult:
    """Returns of deterministic evaluation episodes."""

    task: str
    n_links: int
    episodes: int
    seed: int
    num_parameters: int
    returns: tuple[float, ...]

    @property
    def mean_return(self) -> float:
        return float(np.mean(self.returns))

    @property
    def std_return(self) -> float:
        return float(np.std(self.returns))

    def to_dict(self) -> dict:
        """JSON-ready: mean_return, std_return, episodes, n_links, num_parameters, ..."""
        out = asdict(self)
        out["returns"] = list(self.returns)
        return {"mean_return": self.mean_return, "std_return": self.std_return, **out}


@torch.no_grad()
def evaluate(policy: nn.Module, task: str, n_links: int, episodes: int = 10, seed: int = 0,
             nthread: int | None = None) -> EvaluationResult:
    """Run ``episodes`` full episodes (swimmer i seeded with ``seed + i``) in one batch.

    The policy maps an observation dict of (episodes, ...) tensors to actions
    (episodes, n_joints); it is used as is (deterministic unless it samples).
    """
    if isinstance(episodes, bool) or not isinstance(episodes, int) or episodes < 1:
        raise ValueError(f"episodes must be a positive integer, got {episodes!r}")
    sim = BatchedSwimmer(task, n_links, num_envs=episodes, nthread=nthread, seed=seed)
    try:
        obs, total, done = sim.reset(), np.zeros(episodes), False
        while not done:
            actions = policy(obs_to_torch(obs)).double().numpy()
            obs, reward, done = sim.step(actions)
            total += reward
    finally:
        sim.close()
    return EvaluationResult(task=sim.task, n_links=sim.body.n_links, episodes=episodes, seed=seed,
                            num_parameters=num_parameters(policy), returns=tuple(float(r) for r in total))
