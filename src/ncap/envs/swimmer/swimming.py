"""The swimmer's swim and navigate tasks as ncap's registry sees them (``task: swim`` / ``navigate``).

Their settings are ``settings.n_links``; navigate's evaluation also measures when each nose reached
its target and the final distance.
"""

from __future__ import annotations

import numpy as np

from ncap.envs.swimmer.batched import BatchedSwimmer
from ncap.envs.swimmer.body import CONTROL_TIMESTEP, EPISODE_STEPS
from ncap.envs.swimmer.reference import make_reference_env
from ncap.envs.swimmer.tasks import TARGET_SIZE, task_spec
from ncap.envs.swimmer.vector import SwimmerVecEnv
from ncap.envs.task import EpisodeMetrics, Task


class ReachMetrics(EpisodeMetrics):
    """Navigate: when each nose first came within the target's radius, and its final distance."""

    tracks_steps = True

    def __init__(self, sim, episodes: int):
        super().__init__(sim, episodes)
        self.reached_at = np.full(episodes, np.nan)
        self.final: list[float] = []

    def on_step(self, obs: dict[str, np.ndarray], reward: np.ndarray) -> None:
        distance = np.linalg.norm(obs["to_target"][: self.episodes], axis=-1)
        self.reached_at[np.isnan(self.reached_at) & (distance <= TARGET_SIZE)] = \
            self.sim.step_index * CONTROL_TIMESTEP
        self.final[:] = distance.tolist()

    def fields(self) -> dict[str, tuple]:
        return {"reached_at": tuple(float(t) for t in self.reached_at), "final_distances": tuple(self.final)}


class SwimmerTask(Task):
    """A task on the dm_control swimmer of ``settings.n_links`` links (swim, or navigate to a target)."""

    body = "swimmer"
    control_timestep = CONTROL_TIMESTEP
    episode_steps = EPISODE_STEPS

    def __init__(self, name: str, description: str):
        self.name, self.observes_target, self.description = name, task_spec(name).observes_target, description

    def simulator(self, settings, num_envs, nthread=None, seed=None):
        return BatchedSwimmer(self.name, settings.n_links, num_envs=num_envs, nthread=nthread, seed=seed)

    def vec_env(self, settings, num_envs, nthread=None):
        return SwimmerVecEnv(self.name, settings.n_links, num_envs, nthread=nthread)

    def reference_env(self, settings, seed=None):
        return make_reference_env(self.name, settings.n_links, seed)

    def episode_metrics(self, sim, episodes: int) -> EpisodeMetrics:
        return ReachMetrics(sim, episodes) if self.observes_target else EpisodeMetrics(sim, episodes)

    def describe(self, settings) -> str:
        return f"{settings.n_links} links"

    def run_tag(self, settings) -> str:
        return "" if settings.n_links == 6 else f"-n{settings.n_links}"


SWIM = SwimmerTask("swim", "swim forward as fast as possible (the paper)")
NAVIGATE = SwimmerTask("navigate", "reach a randomly placed target (dm_control)")
