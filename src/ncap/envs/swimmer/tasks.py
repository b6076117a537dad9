"""The swim and navigate tasks: what is observed and what is rewarded.

Both the batched simulator and the dm_control reference environment compute
rewards through these functions (vectorized over any leading batch shape), so
the two can only differ in the physics and sensor values they feed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from dm_control.utils import rewards

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


@dataclass(frozen=True)
class TaskSpec:
    """What a swimmer task observes beyond the body, and how it rewards."""

    name: str
    observes_target: bool


SWIMMER_TASKS: dict[str, TaskSpec] = {
    "swim": TaskSpec(name="swim", observes_target=False),
    "navigate": TaskSpec(name="navigate", observes_target=True),
}
"""The swimmer's tasks by name (their registry entries: ``ncap.envs.swimmer.swimming``)."""


def task_spec(name: object) -> TaskSpec:
    """A swimmer task by name, or ConfigError listing the known ones."""
    if name not in SWIMMER_TASKS:
        raise ConfigError(f"unknown task {name!r}; choose one of {sorted(SWIMMER_TASKS)}")
    return SWIMMER_TASKS[name]  # type: ignore[index]


def observation_keys(task: str) -> tuple[str, ...]:
    """Names of the observation parts of ``task``, in a fixed order."""
    keys = ("joints", "body_velocities", "step")
    return keys + ("to_target",) if task_spec(task).observes_target else keys
