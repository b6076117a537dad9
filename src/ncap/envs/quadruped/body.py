"""The dm_control suite quadruped as ncap's legged body, with its quantities named.

The model is dm_control's ``quadruped.xml`` (through ``suite.quadruped.make_model``:
no walls, ball, target or rangefinders) with four changes, each for the
follow-up paper's task (Bhattasali et al. 2024, arXiv 2410.07174):

- a touch sensor on each toe's site (the model's toe sites are sized for
  them), so that foot contact is a sensor reading, not a contact-list search;
- the ground's geoms take contact priority, so the ground's friction is the
  contact's (by MuJoCo's default rule the larger of the two would win, and the
  toes' 1.5 would hide every friction drawn for the ground);
- for ``bumps``, the follow-up paper's terrain: a height field 20 m x 20 m
  (335 x 335 samples, elevation 0.5 m, 1 cm below the floor), filled each
  episode (``bumps_heights``);
- nothing else: masses, servos (position actuators, gain 1000, a 0.1 s
  activation filter), joint ranges and the 0.005 s physics step are dm_control's.

Legs are named as the paper's circuit names them: FL, FR, HL, HR (fore/hind,
left/right); each has three actuators, ``yaw`` (a hinge, the A1's abduction),
``lift`` and ``extend`` (position servos on tendons). Measured on this
model: positive ``lift`` pushes the foot down (negative lifts it), positive
``extend`` moves the foot outward along the leg's diagonal (forward for fore
legs, backward for hind legs).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mujoco
import numpy as np
from dm_control.suite import common
from dm_control.suite import quadruped as dm_quadruped
from lxml import etree
from scipy import ndimage

PHYSICS_TIMESTEP = 0.005
"""Seconds per MuJoCo step (quadruped.xml)."""
SUBSTEPS = 6
"""MuJoCo steps per control step: 30 ms, the follow-up paper's control step (its circuit's time step)."""
CONTROL_TIMESTEP = PHYSICS_TIMESTEP * SUBSTEPS
"""Seconds per control step (0.03)."""
EPISODE_SECONDS = 15.0
"""The follow-up paper's time limit."""
EPISODE_STEPS = round(EPISODE_SECONDS / CONTROL_TIMESTEP)
"""Control steps per episode (500)."""
LEGS = ("FL", "FR", "HL", "HR")
"""The circuit's leg order: fore left, fore right, hind left, hind right."""
MODEL_LEGS = {"FL": "front_left", "FR": "front_right", "HL": "back_left", "HR": "back_right"}
"""Each leg's name in quadruped.xml."""
DOFS = ("yaw", "lift", "extend")
"""Each leg's actuators, in observation order."""
TERRAINS = ("flat", "bumps")
FLOOR_SIZE = 30
"""Half-width (m) of the rendered floor plane (collisions with it are unbounded)."""
HFIELD_ROWS = 335
"""Height-field samples per side (the follow-up paper's ``int(201 / 6 * 10)``)."""
HFIELD_SIZE = (10.0, 10.0, 0.5, 0.1)
"""Height field: half-widths x, y (m), elevation (m, the height of a sample of value 1) and base depth."""
BUMP_SCALE = 0.2
"""Spatial scale of the bumps (m)."""
BUMP_SMOOTHNESS = 0.5
"""Bump samples are uniform in [BUMP_SMOOTHNESS, 1] before zooming (the follow-up paper's)."""
BUMP_HEIGHT = 0.1
"""Height-field data of the bumps are ``BUMP_HEIGHT * U[0.5, 1]``, smoothed (the follow-up paper's)."""
VELOCITY_SCALE = 3.0
"""Actuator (joint or tendon) velocity per unit of the normalized observation (1/s)."""
FORCE_SCALE = 500.0
"""Actuator force per unit of the normalized observation (N or N m)."""


@dataclass(frozen=True)
class QuadrupedBody:
    """A compiled quadruped and where its quantities live.

    Index arrays address MuJoCo's ``ctrl``, ``actuator_*`` and ``sensordata``
    in the circuit's order: leg-major over ``LEGS``, then ``DOFS``.
    """

    terrain: str
    model: mujoco.MjModel
    actuators: np.ndarray
    """(12,) actuator ids, leg-major in ``LEGS`` x ``DOFS`` order."""
    ctrl_low: np.ndarray
    """(12,) lower control limits in that order."""
    ctrl_high: np.ndarray
    """(12,) upper control limits."""
    sensor_velocimeter: slice
    sensor_gyro: slice
    sensor_touch: np.ndarray
    """(4,) sensordata indices of the toes' touch sensors, in ``LEGS`` order."""
    ground_geoms: np.ndarray
    """Ids of the geoms whose friction is the ground's."""
    hfield_adr: int
    """Start of the height field's data (-1 on flat ground)."""
    weight: float
    """The quadruped's weight (N)."""

    def to_controls(self, commands: np.ndarray) -> np.ndarray:
        """Commands (..., 12) in [-1, 1] -> controls: 0 is the standing set-point (control 0), +1
        the upper limit, -1 the lower (the follow-up paper's three-point map)."""
        commands = np.clip(commands, -1.0, 1.0)
        return np.where(commands >= 0, commands * self.ctrl_high, -commands * self.ctrl_low)

    def normalized_positions(self, lengths: np.ndarray) -> np.ndarray:
        """Actuator lengths (..., 12) -> positions by the same three-point map, so -1 .. 1 spans the
        control range (beyond it when a joint is pushed past its set-point range)."""
        return np.where(lengths >= 0, lengths / self.ctrl_high, -lengths / self.ctrl_low)

    def normalized_contacts(self, touch: np.ndarray) -> np.ndarray:
        """Toe normal forces (..., 4) -> contact in units of half the body's weight."""
        return touch / (0.5 * self.weight)


def quadruped_xml(terrain: str) -> bytes:
    """quadruped.xml with ncap's changes (module docstring) for ``terrain``."""
    xml = dm_quadruped.make_model(floor_size=FLOOR_SIZE, terrain=terrain == "bumps")
    root = etree.fromstring(xml)
    sensors = root.find("sensor")
    for leg in LEGS:
        etree.SubElement(sensors, "touch", name=f"touch_{leg}", site=f"toe_{MODEL_LEGS[leg]}")
    root.find(".//geom[@name='floor']").set("priority", "1")
    if terrain == "bumps":
        hfield = root.find(".//hfield[@name='terrain']")
        hfield.set("nrow", str(HFIELD_ROWS))
        hfield.set("ncol", str(HFIELD_ROWS))
        hfield.set("size", " ".join(str(v) for v in HFIELD_SIZE))
        root.find(".//geom[@name='terrain']").set("priority", "1")
    return etree.tostring(root)


def _check_terrain(terrain: str) -> str:
    from ncap.errors import ConfigError  # noqa: PLC0415

    if terrain not in TERRAINS:
        raise ConfigError(f"unknown terrain {terrain!r}; choose one of {list(TERRAINS)}")
    return terrain


def quadruped_model(terrain: str = "flat") -> mujoco.MjModel:
    """A new MuJoCo model of the quadruped on ``terrain`` (the caller's own: safe to modify)."""
    return mujoco.MjModel.from_xml_string(quadruped_xml(_check_terrain(terrain)), common.ASSETS)


def quadruped_physics(terrain: str = "flat") -> dm_quadruped.Physics:
    """A new dm_control ``Physics`` of the quadruped on ``terrain`` (the caller's own)."""
    return dm_quadruped.Physics.from_xml_string(quadruped_xml(_check_terrain(terrain)), common.ASSETS)


def _sensor_slice(model: mujoco.MjModel, name: str) -> slice:
    sensor = model.sensor(name)
    start = int(sensor.adr[0])
    return slice(start, start + int(sensor.dim[0]))


@lru_cache(maxsize=4)
def quadruped_body(terrain: str = "flat") -> QuadrupedBody:
    """Build (and cache) the quadruped body on ``terrain``; its model is shared and only read."""
    model = quadruped_model(terrain)
    actuators = np.array([model.actuator(f"{dof}_{MODEL_LEGS[leg]}").id for leg in LEGS for dof in DOFS])
    ground = ["floor", "terrain"] if terrain == "bumps" else ["floor"]
    gravity = float(np.linalg.norm(model.opt.gravity))
    return QuadrupedBody(
        terrain=terrain,
        model=model,
        actuators=actuators,
        ctrl_low=model.actuator_ctrlrange[actuators, 0].copy(),
        ctrl_high=model.actuator_ctrlrange[actuators, 1].copy(),
        sensor_velocimeter=_sensor_slice(model, "velocimeter"),
        sensor_gyro=_sensor_slice(model, "imu_gyro"),
        sensor_touch=np.array([_sensor_slice(model, f"touch_{leg}").start for leg in LEGS]),
        ground_geoms=np.array([model.geom(name).id for name in ground]),
        hfield_adr=int(model.hfield_adr[0]) if terrain == "bumps" else -1,
        weight=float(model.body_subtreemass[model.body("torso").id]) * gravity,
    )


def bumps_heights(random: np.random.RandomState) -> np.ndarray:
    """The follow-up paper's bumps: (HFIELD_ROWS**2,) height-field data in [0, BUMP_HEIGHT].

    Samples uniform in [0.5, 1] every 0.2 m, zoomed (cubic spline) to the
    field's resolution, times 0.1; in metres, times the field's 0.5 m elevation.
    """
    span = 2 * HFIELD_SIZE[0]
    samples = int(span / BUMP_SCALE)
    bumps = random.uniform(BUMP_SMOOTHNESS, 1, (samples, samples))
    return (BUMP_HEIGHT * ndimage.zoom(bumps, HFIELD_ROWS / float(samples))).ravel()
