"""Building blocks of NCAP circuits (paper §3.2): sign constraints, graded
activations and oscillator units.

Conventions: a trailing axis of size 2 always holds the (dorsal, ventral)
pair, indexed by :data:`DORSAL` and :data:`VENTRAL`.
"""

from __future__ import annotations

import enum
import math
import typing
from collections.abc import Callable
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

DORSAL = 0
"""Index of the dorsal side on a trailing (dorsal, ventral) axis."""
VENTRAL = 1
"""Index of the ventral side on a trailing (dorsal, ventral) axis."""

ActivationName = Literal["clamp", "relu"]
OscillatorName = Literal["square", "sine"]
ACTIVATIONS: tuple[str, ...] = typing.get_args(ActivationName)
OSCILLATORS: tuple[str, ...] = typing.get_args(OscillatorName)


OSCILLATOR_PERIOD = 60
"""The head oscillator's period in control steps (the paper's: 1.8 s at 30 ms steps)."""
OSCILLATOR_DUTY = 30
"""Steps per period during which the square wave's dorsal output is on (half the period)."""


class Sign(enum.Enum):
    """Sign of a synapse: the constraint applied to its raw weight."""

    EXCITATORY = "excitatory"
    INHIBITORY = "inhibitory"
    UNSIGNED = "unsigned"

    @property
    def unit(self) -> float:
        """+1 for excitatory, -1 for inhibitory, 0 for unsigned (no preferred sign)."""
        return {Sign.EXCITATORY: 1.0, Sign.INHIBITORY: -1.0, Sign.UNSIGNED: 0.0}[self]

    @property
    def bounds(self) -> tuple[float, float]:
        """(lower, upper) bounds of the used weight: the constraint as a clamp."""
        return (0.0 if self is Sign.EXCITATORY else -math.inf, 0.0 if self is Sign.INHIBITORY else math.inf)


def excitatory(weight: Tensor) -> Tensor:
    """Used weight of an excitatory synapse: ``max(w, 0)``, any shape."""
    return weight.clamp(min=0.0)


def inhibitory(weight: Tensor) -> Tensor:
    """Used weight of an inhibitory synapse: ``min(w, 0)``, any shape."""
    return weight.clamp(max=0.0)


def unsigned(weight: Tensor) -> Tensor:
    """Used weight of an unconstrained synapse: the raw weight itself."""
    return weight


def constrain(weight: Tensor, sign: Sign) -> Tensor:
    """Apply the sign constraint ``C(w)`` of ``sign`` to ``weight`` (any shape)."""
    if sign is Sign.EXCITATORY:
        return excitatory(weight)
    if sign is Sign.INHIBITORY:
        return inhibitory(weight)
    return unsigned(weight)


def graded_clamp(z: Tensor) -> Tensor:
    """Graded activation of the authors' release: ``clamp(z, 0, 1)``."""
    return z.clamp(0.0, 1.0)


def graded_relu(z: Tensor) -> Tensor:
    """Graded activation of the paper text: ``max(z, 0)``."""
    return z.relu()


def activation_function(name: ActivationName) -> Callable[[Tensor], Tensor]:
    """The activation ``f`` called ``name`` ("clamp" or "relu")."""
    if name == "clamp":
        return graded_clamp
    if name == "relu":
        return graded_relu
    raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")


class PeriodicOscillator(nn.Module):
    """Oscillator unit (paper Fig. 2B) driven by an integer step index.

    Outputs are periodic in the step with period ``period``; one period of the
    (dorsal, ventral) outputs is stored as the buffer ``table`` (period, 2) and
    looked up at ``phase = step mod period``. The table is derived from the
    constructor arguments, so it is not part of the state dict.
    """

    def __init__(self, table: Tensor) -> None:
        super().__init__()
        self.period = table.shape[0]
        self.register_buffer("table", table, persistent=False)

    def forward(self, step: Tensor | int, dtype: torch.dtype | None = None) -> Tensor:
        """Step index (...) -> (dorsal, ventral) outputs (..., 2).

        Integer steps are used as they are, floating-point steps are rounded.
        The result has the table's dtype, or ``dtype`` if given.
        """
        step = torch.as_tensor(step, device=self.table.device)
        if step.is_floating_point():
            step = step.round().long()
        outputs = F.embedding(torch.remainder(step, self.period), self.table)
        return outputs if dtype is None else outputs.to(dtype)


class SquareWaveOscillator(PeriodicOscillator):
    """Square wave with anti-phase outputs: with ``phase = step mod period``
    the dorsal output is 1 while ``phase < duty`` and 0 otherwise; the ventral
    output is its complement."""

    def __init__(self, period: int = OSCILLATOR_PERIOD, duty: int = OSCILLATOR_DUTY) -> None:
        if period < 1 or not 0 < duty < period:
            raise ValueError(f"need period >= 1 and 0 < duty < period, got {period=}, {duty=}")
        dorsal = (torch.arange(period) < duty).to(torch.get_default_dtype())
        super().__init__(torch.stack((dorsal, 1.0 - dorsal), dim=-1))
        self.duty = duty

    def extra_repr(self) -> str:
        return f"period={self.period}, duty={self.duty}"


class SineWaveOscillator(PeriodicOscillator):
    """Sine wave with anti-phase, half-wave rectified outputs: with
    ``x = sin(2 pi (step mod period) / period)`` the dorsal output is
    ``max(x, 0)`` and the ventral output ``max(-x, 0)`` (as joint positions
    are split into dorsal and ventral parts), so the two are never both on."""

    def __init__(self, period: int = OSCILLATOR_PERIOD) -> None:
        if period < 1:
            raise ValueError(f"need period >= 1, got {period=}")
        wave = torch.sin(torch.arange(period, dtype=torch.float64) * (2.0 * math.pi / period))
        super().__init__(torch.stack((wave, -wave), dim=-1).relu().to(torch.get_default_dtype()))

    def extra_repr(self) -> str:
        return f"period={self.period}"


def make_oscillator(kind: OscillatorName, period: int, duty: int) -> PeriodicOscillator:
    """The oscillator unit called ``kind``; ``duty`` is used by "square" only."""
    if kind == "square":
        return SquareWaveOscillator(period, duty)
    if kind == "sine":
        return SineWaveOscillator(period)
    raise ValueError(f"oscillator must be one of {OSCILLATORS}, got {kind!r}")
