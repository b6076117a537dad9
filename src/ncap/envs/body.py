"""The dm_control Swimmer body for any number of links, with its quantities named.

The model comes from ``dm_control.suite.swimmer.get_model_and_assets``; this
module only validates ``n_links``, compiles the model and looks up, by name,
where each quantity the tasks need lives in MuJoCo's state and sensor vectors.
We always say ``n_links``; the body has ``n_links - 1`` hinge joints.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import lru_cache

import mujoco
import numpy as np
from dm_control.suite import swimmer as dm_swimmer

PHYSICS_TIMESTEP = 0.002
"""Seconds per MuJoCo step (from swimmer.xml)."""
CONTROL_TIMESTEP = 0.03
"""Seconds per control step (dm_control's swimmer)."""
SUBSTEPS = 15
"""MuJoCo steps per control step."""
EPISODE_STEPS = 1000
"""Control steps per episode (a 30 s time limit)."""
MIN_LINKS = 3
"""dm_control builds swimmers of at least three links."""


def validate_n_links(n_links: object) -> int:
    """Return ``n_links`` as an int, or raise ValueError naming the problem."""
    if isinstance(n_links, bool) or not isinstance(n_links, numbers.Integral):
        raise ValueError(f"n_links must be an integer, got {n_links!r}")
    if n_links < MIN_LINKS:
        raise ValueError(f"n_links must be at least {MIN_LINKS} (joints = n_links - 1), got {n_links}")
    return int(n_links)


@dataclass(frozen=True)
class SwimmerBody:
    """A compiled swimmer of ``n_links`` links and where its quantities live.

    Slices and index arrays address ``qpos`` and ``sensordata``; they are
    looked up by name.
    """

    n_links: int
    model: mujoco.MjModel
    joints: slice
    sensor_head_vel: slice
    sensor_body_velocities: np.ndarray
    sensor_nose_pos: slice
    sensor_head_xaxis: slice
    sensor_head_yaxis: slice

    @property
    def n_joints(self) -> int:
        """Number of hinge joints (and motors): ``n_links - 1``."""
        return self.n_links - 1

    @property
    def joint_limit(self) -> float:
        """Joint range half-width in radians: ``2π / n_links``."""
        return 2.0 * math.pi / self.n_links

    def normalized_joints(self, angles: np.ndarray) -> np.ndarray:
        """Joint angles (..., n_joints) in radians -> positions in [-1, 1]."""
        return np.clip(angles / self.joint_limit, -1.0, 1.0)


def _sensor_slice(model: mujoco.MjModel, name: str) -> slice:
    sensor = model.sensor(name)
    start = int(sensor.adr[0])
    return slice(start, start + int(sensor.dim[0]))


def _body_velocity_indices(model: mujoco.MjModel, n_links: int) -> np.ndarray:
    """Sensor indices of (vx, vy, wz) for every body, head first: (3 * n_links,)."""
    pairs = [("head_vel", "head_gyro")] + [(f"velocimeter_{i}", f"gyro_{i}") for i in range(n_links - 1)]
    indices = []
    for velocimeter, gyro in pairs:
        vel, rot = _sensor_slice(model, velocimeter), _sensor_slice(model, gyro)
        indices += [vel.start, vel.start + 1, rot.start + 2]
    return np.asarray(indices, dtype=np.intp)


@lru_cache(maxsize=32)
def swimmer_body(n_links: int) -> SwimmerBody:
    """Build (and cache) the swimmer body of ``n_links`` links.

    Raises:
        ValueError: if ``n_links`` is not an integer >= 3.
    """
    n_links = validate_n_links(n_links)
    xml, assets = dm_swimmer.get_model_and_assets(n_links)
    model = mujoco.MjModel.from_xml_string(xml, assets)
    first_joint = int(model.joint("joint_0").qposadr[0])
    return SwimmerBody(
        n_links=n_links,
        model=model,
        joints=slice(first_joint, first_joint + n_links - 1),
        sensor_head_vel=_sensor_slice(model, "head_vel"),
        sensor_body_velocities=_body_velocity_indices(model, n_links),
        sensor_nose_pos=_sensor_slice(model, "nose_pos"),
        sensor_head_xaxis=_sensor_slice(model, "head_xaxis"),
        sensor_head_yaxis=_sensor_slice(model, "head_yaxis"),
    )
