"""The batched quadruped as a Stable-Baselines3 ``VecEnv``: bodies reset one by one.

A body whose episode ends (it fell: ``terminated``; or 15 s passed: a
time-out) starts its next episode in the same step: the returned observation
is the new episode's first, the last one travels in its info as
``terminal_observation``, with ``TimeLimit.truncated`` True only for a
time-out (SB3 bootstraps through time-outs, not through falls), and
Monitor-style ``episode`` statistics (return, length, seconds).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from gymnasium import spaces

from ncap.envs.quadruped.batched import BatchedQuadruped
from ncap.envs.quadruped.body import EPISODE_STEPS
from ncap.envs.quadruped.gym_env import observation_space
from ncap.envs.quadruped.task import QuadrupedTaskConfig
from ncap.envs.vec_base import OneSimulatorVecEnv


class QuadrupedVecEnv(OneSimulatorVecEnv):
    """SB3 vec env of ``num_envs`` quadrupeds doing ``config``'s task; ``seed(s)`` then ``reset()``
    seeds body i with s + i."""

    def __init__(self, config: QuadrupedTaskConfig | None = None, num_envs: int = 1, nthread: int | None = None):
        self.sim = BatchedQuadruped(config, num_envs, nthread=nthread)
        self.returns = np.zeros(num_envs)
        self.started = time.perf_counter()
        self.render_mode = None
        action = spaces.Box(-1.0, 1.0, (self.sim.n_actions,), np.float32)
        super().__init__(num_envs, observation_space(), action)
        self._actions: np.ndarray | None = None

    def reset(self):
        seed = self._seeds[0]
        self._reset_seeds()
        self.returns[:] = 0.0
        return self.sim.reset(seed)

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self):
        obs, reward, _ = self.sim.step(np.clip(self._actions, -1.0, 1.0))
        self.returns += reward
        ended = ~self.sim.running
        infos: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        if ended.any():
            elapsed = round(time.perf_counter() - self.started, 6)
            for i in np.flatnonzero(ended):
                infos[i] = {"terminal_observation": {key: value[i].copy() for key, value in obs.items()},
                            "TimeLimit.truncated": bool(self.sim.alive[i] and self.sim.steps[i] >= EPISODE_STEPS),
                            "episode": {"r": float(self.returns[i]), "l": int(self.sim.steps[i]), "t": elapsed}}
            self.returns[ended] = 0.0
            obs = self.sim.restart(np.flatnonzero(ended))
        return obs, reward.astype(np.float32), ended, infos
