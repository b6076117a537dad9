"""Gymnasium environments of one swimmer: ``ncap/Swim-v0`` and ``ncap/Navigate-v0``."""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np

from ncap.envs.swimmer.batched import BatchedSwimmer
from ncap.envs.swimmer.spaces import action_space, observation_space


class SwimmerEnv(gymnasium.Env):
    """One swimmer of ``n_links`` links doing ``task`` (the batched simulator with B = 1).

    Episodes end by time-out after 1000 control steps: ``truncated`` is True
    then and ``terminated`` is always False. Out-of-range actions are clipped
    by MuJoCo to [-1, 1]; NaN, infinite or misshapen actions raise ValueError.
    """

    metadata = {"render_modes": []}

    def __init__(self, task: str = "swim", n_links: int = 6):
        self.sim = BatchedSwimmer(task, n_links, num_envs=1, nthread=1)
        self.observation_space = observation_space(self.sim.task, self.sim.body.n_links)
        self.action_space = action_space(self.sim.body.n_links)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        return _first(self.sim.reset(seed)), {}

    def step(self, action):
        obs, reward, truncated = self.sim.step(np.asarray(action, dtype=np.float64)[None])
        return _first(obs), float(reward[0]), False, truncated, {}

    def close(self) -> None:
        self.sim.close()


def _first(obs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {key: value[0] for key, value in obs.items()}
