"""The quadruped's locomotion task as ncap's registry sees it (``task: quadruped``).

Its settings are ``settings.quadruped``, a :class:`QuadrupedTaskConfig` (speed, terrain, friction, yaw);
its evaluation measures each episode's forward displacement, duration and fall.
"""

from __future__ import annotations

from ncap.envs.quadruped.body import CONTROL_TIMESTEP, EPISODE_STEPS
from ncap.envs.quadruped.task import QuadrupedTaskConfig
from ncap.envs.task import EpisodeMetrics, Task

QUADRUPED_GAITS = {0.5: "walk", 1.0: "run"}
"""The follow-up paper's task names by target speed."""


def quadruped_key(config: QuadrupedTaskConfig) -> str:
    """The quadruped task in run names: ``walk-flat``, ``run-bumps``, ``v0.8-flat``; yaw free, friction
    other than the paper's range add ``-yaw`` and ``-mu0.4-1.6``."""
    parts = [QUADRUPED_GAITS.get(config.speed, f"v{config.speed:g}"), config.terrain]
    if config.free_yaw:
        parts.append("yaw")
    if config.friction != (0.75, 1.25):
        parts.append(f"mu{config.friction[0]:g}-{config.friction[1]:g}")
    return "-".join(parts)


class GaitMetrics(EpisodeMetrics):
    """Forward displacement (m), duration (s) and fall of each episode."""

    def fields(self) -> dict[str, tuple]:
        sim, n = self.sim, self.episodes
        return {"displacements": tuple(float(d) for d in sim.forward_displacement()[:n]),
                "durations": tuple(float(s) * CONTROL_TIMESTEP for s in sim.alive_steps[:n]),
                "fell": tuple(bool(not alive) for alive in sim.alive[:n])}


class LocomotionTask(Task):
    """The follow-up paper's task on dm_control's quadruped: move forward at ``settings.quadruped.speed``."""

    name = "quadruped"
    body = "quadruped"
    control_timestep = CONTROL_TIMESTEP
    episode_steps = EPISODE_STEPS
    description = "walk or run forward at a fixed speed, on flat ground or bumps (the follow-up paper)"

    @staticmethod
    def config(settings) -> QuadrupedTaskConfig:
        """The task config of ``settings`` (default: walk on flat ground)."""
        return getattr(settings, "quadruped", None) or QuadrupedTaskConfig()

    def simulator(self, settings, num_envs, nthread=None, seed=None):
        from ncap.envs.quadruped.batched import BatchedQuadruped  # noqa: PLC0415

        return BatchedQuadruped(self.config(settings), num_envs=num_envs, nthread=nthread, seed=seed)

    def vec_env(self, settings, num_envs, nthread=None):
        from ncap.envs.quadruped.vector import QuadrupedVecEnv  # noqa: PLC0415

        return QuadrupedVecEnv(self.config(settings), num_envs, nthread=nthread)

    def reference_env(self, settings, seed=None):
        from ncap.envs.quadruped.reference import make_quadruped_reference_env  # noqa: PLC0415

        return make_quadruped_reference_env(self.config(settings), seed)

    def episode_metrics(self, sim, episodes: int) -> EpisodeMetrics:
        return GaitMetrics(sim, episodes)

    def describe(self, settings) -> str:
        return quadruped_key(self.config(settings)).replace("-", " ")

    def run_tag(self, settings) -> str:
        return f"-{quadruped_key(self.config(settings))}"


QUADRUPED = LocomotionTask()
