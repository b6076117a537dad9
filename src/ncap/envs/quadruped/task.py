"""The follow-up paper's locomotion task on the quadruped: move forward at a fixed speed.

Reward per control step (``MoveAtFixedVelocity_WalkInThePark`` of their code)::

    tolerance(cos(pitch) * vx, bounds=(v, 2v), margin=2v, linear) - 0.1 * |yaw rate|

with vx the torso's forward velocity and the yaw rate in the torso frame. The
tolerance is 1 between v and 2v and falls linearly to 0 at 2v outside them:
standing still earns 0.5 per step (250 over an episode), so every return is
reported beside the forward displacement, the mean forward speed and whether
the body fell. An episode ends after 15 s or when roll or pitch passes 45°.

Each episode draws, from its own ``RandomState`` and in this order, the ground
friction (uniform in the task's range) and, on bumps, the terrain; the body
starts upright, facing +x, all set-points at 0, dropped from the lowest height
at which nothing touches (dm_control's ``_find_non_contacting_height``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import mujoco
import numpy as np
from dm_control.suite import quadruped as dm_quadruped
from dm_control.utils import rewards

from ncap.envs.quadruped.body import FORCE_SCALE, TERRAINS, VELOCITY_SCALE, QuadrupedBody, bumps_heights
from ncap.errors import ConfigError

TASK_SPEEDS = {"walk": 0.5, "run": 1.0}
"""Target forward speed (m/s) of the follow-up paper's walk and run tasks."""
TERMINATION_ANGLE = math.radians(45)
"""An episode ends when |roll| or |pitch| exceeds this."""
YAW_RATE_PENALTY = 0.1
FRICTION_LIMITS = (0.05, 3.0)
"""Ground frictions a task may draw from (MuJoCo's sliding friction coefficient)."""
UPRIGHT = np.array([1.0, 0.0, 0.0, 0.0])
STANCE_THRESHOLD = 0.05
"""Foot contact (half body weights) above which a foot counts as in stance (footfall diagrams, gait)."""


@dataclass(frozen=True)
class QuadrupedTaskConfig:
    """The quadruped task: speed, ground and actions."""

    speed: float = 0.5
    """Target forward speed v (m/s): 0.5 walk, 1.0 run."""
    terrain: Literal["flat", "bumps"] = "flat"
    """Flat floor, or the follow-up paper's bumps (a new seeded height field each episode)."""
    friction: tuple[float, float] = (0.75, 1.25)
    """Range of the ground friction drawn each episode (uniform); equal bounds fix it."""
    free_yaw: bool = False
    """Also command the hips' yaw (12 actions); by default yaw is held at 0 (8 actions: lift, extend per leg)."""

    def __post_init__(self) -> None:
        if not (isinstance(self.speed, (int, float)) and math.isfinite(self.speed) and self.speed > 0):
            raise ConfigError(f"quadruped speed must be a positive number of m/s, got {self.speed!r}")
        if self.terrain not in TERRAINS:
            raise ConfigError(f"unknown terrain {self.terrain!r}; choose one of {list(TERRAINS)}")
        low, high = _pair(self.friction)
        lo, hi = FRICTION_LIMITS
        if not (lo <= low <= high <= hi):
            raise ConfigError(f"friction range must satisfy {lo} <= low <= high <= {hi}, got {self.friction!r}")
        object.__setattr__(self, "friction", (low, high))
        object.__setattr__(self, "speed", float(self.speed))

    @property
    def n_actions(self) -> int:
        return 12 if self.free_yaw else 8


def _pair(value: object) -> tuple[float, float]:
    if isinstance(value, (int, float)):
        return float(value), float(value)
    if (isinstance(value, (tuple, list)) and len(value) == 2
            and all(isinstance(v, (int, float)) and math.isfinite(v) for v in value)):
        return float(value[0]), float(value[1])
    raise ConfigError(f"friction must be a number or a [low, high] pair, got {value!r}")


def locomotion_reward(forward_velocity: np.ndarray, pitch: np.ndarray, yaw_rate: np.ndarray,
                      speed: float) -> np.ndarray:
    """The follow-up paper's reward, vectorized: (...,) each -> (...)."""
    speed_term = rewards.tolerance(np.cos(pitch) * forward_velocity, bounds=(speed, 2 * speed), margin=2 * speed,
                                   value_at_margin=0, sigmoid="linear")
    return speed_term - YAW_RATE_PENALTY * np.abs(yaw_rate)


def roll_pitch(quat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Roll and pitch (XYZ Euler angles, as dm_control's ``quat_to_euler``) of quaternions (..., 4) [w, x, y, z]."""
    w, x, y, z = np.moveaxis(np.asarray(quat), -1, 0)
    r02 = 2 * (x * z + w * y)
    r12 = 2 * (y * z - w * x)
    r22 = 1 - 2 * (x * x + y * y)
    return np.arctan2(-r12, r22), np.arcsin(np.clip(r02, -1.0, 1.0))


def up_in_torso_frame(quat: np.ndarray) -> np.ndarray:
    """The world's z axis in the torso frame (..., 3) from the torso quaternion (..., 4): its
    orientation relative to gravity, (0, 0, 1) when upright."""
    w, x, y, z = np.moveaxis(np.asarray(quat), -1, 0)
    return np.stack([2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)], axis=-1)


def fallen(quat: np.ndarray) -> np.ndarray:
    """Whether roll or pitch exceeds 45° (...,) for quaternions (..., 4)."""
    return tilted(*roll_pitch(quat))


def tilted(roll: np.ndarray, pitch: np.ndarray) -> np.ndarray:
    """Whether roll or pitch (..., radians) exceeds 45°."""
    return (np.abs(roll) > TERMINATION_ANGLE) | (np.abs(pitch) > TERMINATION_ANGLE)


def draw_ground(body: QuadrupedBody, config: QuadrupedTaskConfig,
                random: np.random.RandomState) -> tuple[float, np.ndarray | None]:
    """An episode's ground friction and (on bumps) height-field data, drawn in that order."""
    friction = random.uniform(*config.friction)
    return friction, bumps_heights(random) if body.hfield_adr >= 0 else None


def set_ground(model, body: QuadrupedBody, friction: float, heights: np.ndarray | None) -> None:
    """Write a ground (friction, heights) into a MuJoCo model (or dm_control's model wrapper)."""
    model.geom_friction[body.ground_geoms, 0] = friction
    if heights is not None:
        model.hfield_data[body.hfield_adr:body.hfield_adr + heights.size] = heights


def start_episode(physics: dm_quadruped.Physics, body: QuadrupedBody, config: QuadrupedTaskConfig,
                  random: np.random.RandomState) -> None:
    """Draw friction (and terrain) into ``physics``'s model and place the body, as every episode starts."""
    friction, heights = draw_ground(body, config, random)
    set_ground(physics.model, body, friction, heights)
    if heights is not None:
        _upload_hfield(physics)
    dm_quadruped._find_non_contacting_height(physics, UPRIGHT)  # noqa: SLF001  (dm_control's own start)


def _upload_hfield(physics: dm_quadruped.Physics) -> None:
    """Send new terrain to a rendering context, if the physics has one."""
    if physics.contexts:
        with physics.contexts.gl.make_current() as ctx:
            ctx.call(mujoco.mjr_uploadHField, physics.model.ptr, physics.contexts.mujoco.ptr, 0)


OBSERVATION_KEYS = ("joint_positions", "joint_velocities", "actuator_forces", "foot_contact", "torso_up",
                    "torso_velocity", "torso_angular_velocity", "target_speed", "step")
"""Names of the quadruped's observation parts, in a fixed order (shapes in ``observation_space``)."""


def observe(body: QuadrupedBody, config: QuadrupedTaskConfig, qpos: np.ndarray, sensordata: np.ndarray,
            lengths: np.ndarray, velocities: np.ndarray, forces: np.ndarray,
            step_index: int | np.ndarray) -> dict[str, np.ndarray]:
    """The named observation of B bodies from MuJoCo arrays with a leading batch dim (B, ...).

    ``lengths``, ``velocities`` and ``forces`` are MuJoCo's ``actuator_length``,
    ``actuator_velocity`` and ``actuator_force`` (B, nu), ``step_index`` one step count or one per body (B,),
    read in leg-major order
    (``LEGS`` x ``DOFS``); positions by the three-point map of the controls, the
    rest by the body's scales (``body.py``).
    """
    count = qpos.shape[0]
    act = body.actuators
    return {
        "joint_positions": body.normalized_positions(lengths[:, act]),
        "joint_velocities": velocities[:, act] / VELOCITY_SCALE,
        "actuator_forces": forces[:, act] / FORCE_SCALE,
        "foot_contact": body.normalized_contacts(sensordata[:, body.sensor_touch]),
        "torso_up": up_in_torso_frame(qpos[:, 3:7]),
        "torso_velocity": sensordata[:, body.sensor_velocimeter].copy(),
        "torso_angular_velocity": sensordata[:, body.sensor_gyro].copy(),
        "target_speed": np.full((count, 1), config.speed),
        "step": np.broadcast_to(np.asarray(step_index, dtype=np.float64), (count,)).reshape(count, 1).copy(),
    }


def reward(body: QuadrupedBody, config: QuadrupedTaskConfig, qpos: np.ndarray, sensordata: np.ndarray,
           pitch: np.ndarray | None = None) -> np.ndarray:
    """The task's reward of B bodies (B,) from MuJoCo's ``qpos`` and ``sensordata`` (B, ...) (and the
    torso's pitch (B,), if already computed from ``qpos``)."""
    if pitch is None:
        _, pitch = roll_pitch(qpos[:, 3:7])
    forward = sensordata[:, body.sensor_velocimeter][:, 0]
    yaw_rate = sensordata[:, body.sensor_gyro][:, 2]
    return locomotion_reward(forward, pitch, yaw_rate, config.speed)


def full_controls(body: QuadrupedBody, config: QuadrupedTaskConfig, actions: np.ndarray) -> np.ndarray:
    """Actions (B, 8) (lift, extend per leg) or (B, 12) (yaw, lift, extend) -> MuJoCo controls (B, nu)."""
    count = actions.shape[0]
    commands = np.zeros((count, len(body.actuators)))
    if config.free_yaw:
        commands[:] = actions
    else:
        commands.reshape(count, 4, 3)[:, :, 1:] = actions.reshape(count, 4, 2)
    controls = np.zeros((count, body.model.nu))
    controls[:, body.actuators] = body.to_controls(commands)
    return controls
