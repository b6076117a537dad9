"""The batched simulator as a Gymnasium ``VectorEnv`` and as an SB3 ``VecEnv``.

Both autoreset in the same step: when the episode times out (for every
swimmer at once), the returned observation is the first of the next episode
and the last one travels in the infos (Gymnasium: ``final_obs``; SB3:
``terminal_observation`` with ``TimeLimit.truncated`` True), so value targets
can bootstrap through the time-out.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from ncap.envs.swimmer.batched import BatchedSwimmer
from ncap.envs.swimmer.body import EPISODE_STEPS
from ncap.envs.swimmer.spaces import action_space, observation_space
from ncap.envs.vec_base import OneSimulatorVecEnv


class _EpisodeTracker:
    """Returns of the running episode, and the simulator's autoreset."""

    def __init__(self, sim: BatchedSwimmer):
        self.sim = sim
        self.returns = np.zeros(sim.num_envs)
        self.started = time.perf_counter()

    def reset(self, seed: int | None) -> dict[str, np.ndarray]:
        self.returns[:] = 0.0
        return self.sim.reset(seed)

    def step(self, actions: np.ndarray):
        """Step; on time-out also return the final observation and episode returns."""
        obs, reward, truncated = self.sim.step(actions)
        self.returns += reward
        if not truncated:
            return obs, reward, truncated, None, None
        final_obs, final_returns = obs, self.returns.copy()
        return self.reset(None), reward, truncated, final_obs, final_returns


def _split(obs: dict[str, np.ndarray], num_envs: int) -> list[dict[str, np.ndarray]]:
    return [{key: value[i] for key, value in obs.items()} for i in range(num_envs)]


class SwimmerVectorEnv(VectorEnv):
    """Gymnasium vector env of ``num_envs`` swimmers (same-step autoreset).

    ``reset(seed=s)`` seeds swimmer i with s + i, as Gymnasium's vector envs do.
    Infos carry ``episode`` statistics (``r``, ``l``, ``t``) when episodes end.
    """

    metadata = {"autoreset_mode": AutoresetMode.SAME_STEP, "render_modes": []}

    def __init__(self, task: str = "swim", n_links: int = 6, num_envs: int = 1, nthread: int | None = None):
        self.tracker = _EpisodeTracker(BatchedSwimmer(task, n_links, num_envs, nthread=nthread))
        self.num_envs = num_envs
        self.single_observation_space = observation_space(task, n_links)
        self.single_action_space = action_space(n_links)
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        return self.tracker.reset(seed), {}

    def step(self, actions):
        obs, reward, truncated, final_obs, returns = self.tracker.step(actions)
        n = self.num_envs
        infos: dict[str, Any] = {}
        if final_obs is not None:
            every = np.ones(n, dtype=bool)
            final = np.empty(n, dtype=object)
            final[:] = _split(final_obs, n)
            elapsed = time.perf_counter() - self.tracker.started
            final_info = np.empty(n, dtype=object)
            final_info[:] = [{} for _ in range(n)]
            infos = {"final_obs": final, "_final_obs": every, "final_info": final_info, "_final_info": every,
                     "episode": {"r": returns, "l": np.full(n, EPISODE_STEPS),
                                 "t": np.full(n, elapsed)}, "_episode": every}
        return obs, reward, np.zeros(n, dtype=bool), np.full(n, truncated), infos

    def close_extras(self, **kwargs: Any) -> None:
        self.tracker.sim.close()


class SwimmerVecEnv(OneSimulatorVecEnv):
    """Stable-Baselines3 vec env of ``num_envs`` swimmers.

    ``seed(s)`` then ``reset()`` seeds swimmer i with s + i. When episodes end,
    each info holds ``terminal_observation``, ``TimeLimit.truncated`` = True
    (SB3 bootstraps through it) and Monitor-style ``episode`` statistics.
    """

    def __init__(self, task: str = "swim", n_links: int = 6, num_envs: int = 1, nthread: int | None = None):
        sim = BatchedSwimmer(task, n_links, num_envs, nthread=nthread)
        self.tracker = _EpisodeTracker(sim)
        self.render_mode = None
        super().__init__(num_envs, observation_space(task, n_links), action_space(n_links))
        self._actions: np.ndarray | None = None

    @property
    def sim(self) -> BatchedSwimmer:
        return self.tracker.sim

    @property
    def returns(self) -> np.ndarray:
        """Return so far of each swimmer's running episode (B,) (a live view)."""
        return self.tracker.returns

    def reset(self):
        seed = self._seeds[0]
        self._reset_seeds()
        return self.tracker.reset(seed)

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self):
        obs, reward, truncated, final_obs, returns = self.tracker.step(self._actions)
        n = self.num_envs
        infos: list[dict[str, Any]] = [{} for _ in range(n)]
        if final_obs is not None:
            elapsed = round(time.perf_counter() - self.tracker.started, 6)
            for i, last in enumerate(_split(final_obs, n)):
                infos[i] = {"terminal_observation": last, "TimeLimit.truncated": True,
                            "episode": {"r": float(returns[i]), "l": EPISODE_STEPS, "t": elapsed}}
        return obs, reward.astype(np.float32), np.full(n, truncated), infos

