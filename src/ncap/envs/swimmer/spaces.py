"""Gymnasium spaces of the swimmer tasks."""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

from ncap.envs.swimmer.body import EPISODE_STEPS
from ncap.envs.swimmer.tasks import observation_keys


def observation_space(task: str, n_links: int) -> spaces.Dict:
    """Named observation parts of one swimmer (float64).

    - ``joints`` (n_links - 1,): joint angles normalized by the joint range, in [-1, 1].
    - ``body_velocities`` (3 * n_links,): per body, head first, (vx, vy, wz) in the body frame.
    - ``step`` (1,): control step index within the episode, 0 ... 1000.
    - ``to_target`` (2,), navigate only: nose to target in the head frame.
    """
    inf = np.inf
    parts = {
        "joints": spaces.Box(-1.0, 1.0, (n_links - 1,), np.float64),
        "body_velocities": spaces.Box(-inf, inf, (3 * n_links,), np.float64),
        "step": spaces.Box(0.0, float(EPISODE_STEPS), (1,), np.float64),
        "to_target": spaces.Box(-inf, inf, (2,), np.float64),
    }
    return spaces.Dict({key: parts[key] for key in observation_keys(task)})


def action_space(n_links: int) -> spaces.Box:
    """One motor command per joint in [-1, 1] (float32)."""
    return spaces.Box(-1.0, 1.0, (n_links - 1,), np.float32)
