"""The swim and navigate tasks: what is observed and what is rewarded.

Both the batched simulator and the dm_control reference environment compute
rewards through these functions (vectorized over any leading batch shape), so
the two can only differ in the physics and sensor values they feed in.
"""

from __future__ import annotations

import numpy as np
from dm_control.utils import rewards

from ncap.envs.swimmer.body import CONTROL_TIMESTEP, EPISODE_STEPS
from ncap.envs.task import EpisodeMetrics, Task
from ncap.errors import ConfigError

SWIM_TARGET_SPEED = 0.1
"""Forward head speed (m/s) at which the swim reward saturates at 1 (v*)."""
TARGET_SIZE = 0.1
"""Radius of the navigate target sphere (swimmer.xml)."""


def swim_reward(head_vel: np.ndarray) -> np.ndarray:
    """Swim reward from the head velocimeter, (..., 3) in the head frame -> (...).

    0 when stopped or swimming backwards, rising linearly to 1 at ``v*`` = 0.1
    m/s. Forward is the head frame's -y axis (the nose points along -y).
    """
    forward_speed = -np.asarray(head_vel)[..., 1]
    return rewards.tolerance(
        forward_speed,
        bounds=(SWIM_TARGET_SPEED, float("inf")),
        margin=SWIM_TARGET_SPEED,
        value_at_margin=0.0,
        sigmoid="linear",
    )


def navigate_reward(nose_to_target: np.ndarray) -> np.ndarray:
    """dm_control's swimmer reward from the nose-to-target vector, (..., 2) -> (...)."""
    distance = np.linalg.norm(nose_to_target, axis=-1)
    return rewards.tolerance(
        distance, bounds=(0.0, TARGET_SIZE), margin=5 * TARGET_SIZE, sigmoid="long_tail"
    )


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

    def __init__(self, name: str, observes_target: bool, description: str):
        self.name, self.observes_target, self.description = name, observes_target, description

    def simulator(self, settings, num_envs, nthread=None, seed=None):
        from ncap.envs.swimmer.batched import BatchedSwimmer  # noqa: PLC0415  (batched imports this module)

        return BatchedSwimmer(self.name, settings.n_links, num_envs=num_envs, nthread=nthread, seed=seed)

    def vec_env(self, settings, num_envs, nthread=None):
        from ncap.envs.swimmer.vector import SwimmerVecEnv  # noqa: PLC0415

        return SwimmerVecEnv(self.name, settings.n_links, num_envs, nthread=nthread)

    def reference_env(self, settings, seed=None):
        from ncap.envs.swimmer.reference import make_reference_env  # noqa: PLC0415

        return make_reference_env(self.name, settings.n_links, seed)

    def episode_metrics(self, sim, episodes: int) -> EpisodeMetrics:
        return ReachMetrics(sim, episodes) if self.observes_target else EpisodeMetrics(sim, episodes)

    def describe(self, settings) -> str:
        return f"{settings.n_links} links"

    def run_tag(self, settings) -> str:
        return "" if settings.n_links == 6 else f"-n{settings.n_links}"


SWIM = SwimmerTask("swim", observes_target=False, description="swim forward as fast as possible (the paper)")
NAVIGATE = SwimmerTask("navigate", observes_target=True, description="reach a randomly placed target (dm_control)")
SWIMMER_TASKS: dict[str, SwimmerTask] = {task.name: task for task in (SWIM, NAVIGATE)}
"""The swimmer's tasks by name."""


def task_spec(name: object) -> SwimmerTask:
    """A swimmer task by name, or ConfigError listing the known ones."""
    if name not in SWIMMER_TASKS:
        raise ConfigError(f"unknown task {name!r}; choose one of {sorted(SWIMMER_TASKS)}")
    return SWIMMER_TASKS[name]  # type: ignore[index]


def observation_keys(task: str) -> tuple[str, ...]:
    """Names of the observation parts of ``task``, in a fixed order."""
    keys = ("joints", "body_velocities", "step")
    return keys + ("to_target",) if task_spec(task).observes_target else keys
