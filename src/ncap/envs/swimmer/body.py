"""The dm_control Swimmer body for any number of links, with its quantities named.

The model comes from ``dm_control.suite.swimmer.get_model_and_assets``; this
module, the one place that compiles it (``swimmer_body``, ``swimmer_model``,
``swimmer_physics``), only validates ``n_links``, compiles the model and looks up, by name,
where each quantity the tasks need lives in MuJoCo's state and sensor vectors.
We always say ``n_links``; the body has ``n_links - 1`` hinge joints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import mujoco
import numpy as np
from dm_control.suite import swimmer as dm_swimmer

from ncap.validation import MIN_LINKS, validate_n_links  # noqa: F401  (re-exported)

PHYSICS_TIMESTEP = 0.002
"""Seconds per MuJoCo step (from swimmer.xml)."""
CONTROL_TIMESTEP = 0.03
"""Seconds per control step (dm_control's swimmer)."""
SUBSTEPS = 15
"""MuJoCo steps per control step."""
EPISODE_STEPS = 1000
"""Control steps per episode (a 30 s time limit)."""


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
def _xml_and_assets(n_links: int) -> tuple[str, dict]:
    return dm_swimmer.get_model_and_assets(n_links)


def swimmer_model(n_links: int) -> mujoco.MjModel:
    """A new MuJoCo model of the swimmer (the caller's own: safe to modify, e.g. for rendering).

    Raises:
        ValueError: if ``n_links`` is not an integer >= 3.
    """
    return mujoco.MjModel.from_xml_string(*_xml_and_assets(validate_n_links(n_links)))


def swimmer_physics(n_links: int) -> dm_swimmer.Physics:
    """A new dm_control ``Physics`` of the swimmer (the caller's own).

    Raises:
        ValueError: if ``n_links`` is not an integer >= 3.
    """
    xml, assets = _xml_and_assets(validate_n_links(n_links))
    return dm_swimmer.Physics.from_xml_string(xml, assets=assets)


@lru_cache(maxsize=32)
def swimmer_body(n_links: int) -> SwimmerBody:
    """Build (and cache) the swimmer body of ``n_links`` links. Its model is shared by every
    simulator of that length and only read.

    Raises:
        ValueError: if ``n_links`` is not an integer >= 3.
    """
    n_links = validate_n_links(n_links)
    model = swimmer_model(n_links)
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
