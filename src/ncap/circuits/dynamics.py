"""Stateful units of the quadruped's spinal circuit, after their ``libs/circuits/units.py``: the leaky
unit and the adapting half-centre oscillator, one backward-Euler step each. Shared by the hand-written
rhythm generator and the spec compiler. Shapes: any (...), elementwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

HALF_CENTRE = {"adaptation_time": 1400.0, "active_time": 200.0, "quiet_time": 1200.0,
               "active_scale": 100 / 200, "quiet_scale": 60 / 1200, "tonic_threshold": 3.0}
"""The half-centre's settings (ms; theirs)."""
VOLTAGE_TIME = 30.0
"""Time constant (ms) of the leaky units (theirs)."""
STATE_KEY = "circuit_state"
"""Observation key of a stateful circuit's packed state before a step, for a circuit that then keeps no
state itself (how PPO trains one: training/circuit_state.py)."""


@dataclass(frozen=True)
class OscillatorBounds:
    """Adaptation thresholds of the half-centre at zero drive (0) and full drive (1) (their ``Oscillator``)."""

    active0: float
    quiet0: float
    active1: float
    quiet1: float


def oscillator_bounds(adaptation_time: float, active_time: float, quiet_time: float, active_scale: float,
                      quiet_scale: float, **_: float) -> OscillatorBounds:
    ka, kq = 4 * active_time / adaptation_time, 4 * quiet_time / adaptation_time
    active0 = (1 - math.exp(kq)) / (1 - math.exp(ka + kq))
    active1 = (1 - math.exp(kq * quiet_scale)) / (1 - math.exp(ka * active_scale + kq * quiet_scale))
    return OscillatorBounds(active0, active0 * math.exp(ka), active1, active1 * math.exp(ka * active_scale))


BOUNDS = oscillator_bounds(**HALF_CENTRE)
"""The half-centre's bounds with its settings."""


def leaky_step(v: Tensor, x: Tensor, timestep: float, time_constant: float = VOLTAGE_TIME) -> tuple[Tensor, Tensor]:
    """A leaky unit: voltage v and input x -> (new voltage, output clamp(v, 0, 1))."""
    kv = 4 / time_constant * timestep
    v = (v + x.clamp(-1, 1) * kv) / (1 + kv)
    return v, v.clamp(0, 1)


def half_centre_step(v: Tensor, a: Tensor, x: Tensor, timestep: float) -> tuple[Tensor, Tensor, Tensor]:
    """The half-centre (their ``Oscillator.step``): voltage v (-1 quiet, +1 bursting), adaptation a and
    input x -> (v, a, output): it bursts until adaptation reaches its active bound, rests until it decays
    to its quiet bound; drive x in [0, 1] moves both bounds (shorter period)."""
    k = 4 / HALF_CENTRE["adaptation_time"] * timestep
    a = torch.where(v < 0, (a + k) / (1 + k), torch.where(v > 0, a / (1 + k), torch.zeros_like(a))).clamp(0, 1)
    z = x.clamp(0, 1)
    b = BOUNDS
    active_bound = b.active0 * (1 - z) + b.active1 * z
    quiet_bound = b.quiet0 * (1 - z) + b.quiet1 * z
    v = torch.where((a <= active_bound) & (x <= HALF_CENTRE["tonic_threshold"]), -torch.ones_like(v), v)
    v = torch.where((a >= quiet_bound) & (x >= 0), torch.ones_like(v), v)
    return v, a, (v > 0) * (a + 1) / 2


def initial_adaptation(shape: tuple[int, ...], generator: torch.Generator | None, random_phase: bool = True) -> Tensor:
    """A fresh episode's adaptation (shape): uniform between the quiet state's bounds (a random phase,
    theirs), or the middle of that range."""
    low, high = BOUNDS.active0, BOUNDS.quiet0
    if not random_phase:
        return torch.full(shape, (low + high) / 2)
    return low + torch.rand(shape, generator=generator) * (high - low)
