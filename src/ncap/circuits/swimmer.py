"""The NCAP swimmer circuit (paper §3.3, Fig. 3): one module per joint.

For module ``i = 1..N`` with the previous joint ``q_{i-1}`` split into dorsal
``max(q, 0)`` and ventral ``max(-q, 0)`` parts::

    b_i^d = f(w_prop q_{i-1}^d + w_speed (1 - s))    b_i^v likewise (ventral)
    m_i^d = f(w_ipsi b_i^d + w_contra b_i^v)         m_i^v = f(w_ipsi b_i^v + w_contra b_i^d)
    torque_i = m_i^d - m_i^v

The head module has oscillators (and turn inputs) instead of proprioception:
``b_1^d = f(w_osc o^d + w_turn r + w_speed (1 - s))``, ventral with ``o^v, l``.
The last joint ``q_N`` feeds no module. All modules are computed at once.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import torch
from torch import Tensor, nn

from ncap.circuits.units import (
    ACTIVATIONS,
    DORSAL,
    OSCILLATOR_DUTY,
    OSCILLATOR_PERIOD,
    OSCILLATORS,
    VENTRAL,
    ActivationName,
    OscillatorName,
    Sign,
    activation_function,
    constrain,
    make_oscillator,
)
from ncap.validation import is_int

WEIGHT_SIGNS: dict[str, Sign] = {
    "w_osc": Sign.EXCITATORY,
    "w_prop": Sign.EXCITATORY,
    "w_ipsi": Sign.EXCITATORY,
    "w_contra": Sign.INHIBITORY,
    "w_turn": Sign.EXCITATORY,
    "w_speed": Sign.INHIBITORY,
}
"""Sign of each named weight of the circuit (paper Fig. 3B)."""

HEAD_WEIGHTS = ("w_osc", "w_turn")
"""Weights that exist only in the head module: full shape (2,) = (dorsal, ventral)."""

InitName = Literal["constant", "uniform"]
INITS: tuple[str, ...] = typing.get_args(InitName)


def _require_int(name: str, value: object, minimum: int) -> None:
    if not is_int(value) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _require_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {choices}, got {value!r}")


@dataclass(frozen=True)
class SwimmerCircuitConfig:
    """Architecture of a :class:`SwimmerCircuit`, including the paper's ablations."""

    n_joints: int
    """Number of joints N, i.e. of modules (the body has N + 1 links)."""
    weight_sharing: bool = True
    """Share each named weight across modules and sides (False: per module and side)."""
    sign_constraints: bool = True
    """Constrain weights to their synapse sign (False: ablation, weights unsigned)."""
    init: InitName = "constant"
    """Initial magnitudes: "constant" 1 or "uniform" in [0, 1]."""
    activation: ActivationName = "clamp"
    """Graded activation f: "clamp" to [0, 1] (authors' release) or "relu" (paper text)."""
    oscillator: OscillatorName = "square"
    """Head oscillator waveform: "square" (paper) or "sine"."""
    oscillator_period: int = OSCILLATOR_PERIOD
    """Oscillator period in control steps."""
    oscillator_duty: int = OSCILLATOR_DUTY
    """Steps per period during which the square wave's dorsal output is on."""
    turn: bool = False
    """Include right/left turn inputs (r, l) onto the head B neurons."""
    speed: bool = False
    """Include the speed input s, whose brake (1 - s) inhibits every B neuron."""

    def __post_init__(self) -> None:
        _require_int("n_joints", self.n_joints, 1)
        _require_int("oscillator_period", self.oscillator_period, 1)
        _require_int("oscillator_duty", self.oscillator_duty, 1)
        if self.oscillator_duty >= self.oscillator_period:
            raise ValueError(
                "oscillator_duty must satisfy 0 < oscillator_duty < oscillator_period, "
                f"got {self.oscillator_duty} and {self.oscillator_period}"
            )
        for name in ("weight_sharing", "sign_constraints", "turn", "speed"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{name} must be a bool, got {getattr(self, name)!r}")
        _require_choice("init", self.init, INITS)
        _require_choice("activation", self.activation, ACTIVATIONS)
        _require_choice("oscillator", self.oscillator, OSCILLATORS)

    @property
    def weight_names(self) -> tuple[str, ...]:
        """Names of the circuit's weights, in flat-parameter order."""
        names = ("w_osc", "w_prop", "w_ipsi", "w_contra")
        return names + ("w_turn",) * self.turn + ("w_speed",) * self.speed


def full_weight_shape(name: str, n_joints: int) -> tuple[int, ...]:
    """Unshared shape of weight ``name``: (2,), (N-1, 2) for w_prop, else (N, 2)."""
    if name in HEAD_WEIGHTS:
        return (2,)
    return (n_joints - 1, 2) if name == "w_prop" else (n_joints, 2)


class _FlatSlot(NamedTuple):
    """Where a weight lives in the flat parameter vector and its shapes."""

    name: str
    start: int
    stop: int
    shape: tuple[int, ...]
    """Parameter shape."""
    population_shape: tuple[int, ...]
    """Shape after the leading P axis in population mode: a B axis of 1, then
    the parameter shape, or singleton axes that broadcast a shared weight."""


def _initial_weight(
    shape: tuple[int, ...], sign: Sign, config: SwimmerCircuitConfig, generator: torch.Generator | None
) -> Tensor:
    """Initial raw weight: magnitude 1 or U[0, 1]; the synapse sign, or random +-1."""
    if config.init == "constant":
        magnitude = torch.ones(shape)
    else:
        magnitude = torch.rand(shape, generator=generator)
    if config.sign_constraints:
        return magnitude * sign.unit
    return magnitude * (torch.randint(0, 2, shape, generator=generator) * 2 - 1)


def swimmer_core(
    weights: dict[str, Tensor],
    joint_pos: Tensor,
    oscillator: Tensor,
    activation: Callable[[Tensor], Tensor],
    turn: Tensor | None = None,
    speed: Tensor | None = None,
    return_activity: bool = False,
) -> Tensor | tuple[Tensor, dict[str, Tensor]]:
    """Functional circuit: all modules of all swimmers at once.

    Args:
        weights: used (sign-constrained) weights by name, each broadcastable
            against its full shape behind the batch dims: w_osc, w_turn
            against (..., 2); w_prop against (..., N-1, 2); w_ipsi, w_contra,
            w_speed against (..., N, 2). Last axis = (dorsal, ventral).
        joint_pos: (..., N) normalized joint positions q.
        oscillator: (..., 2) oscillator outputs (o^d, o^v).
        activation: the graded activation f.
        turn: (..., 2) turn inputs (r, l), or None for no turn term.
        speed: (...) speed input s, or None for no brake term.
        return_activity: also return every unit's output (see
            :meth:`SwimmerCircuit.forward`).

    Returns:
        torques (..., N), and the activity dict if asked for.
    """
    q_prev = joint_pos[..., :-1]
    prop = weights["w_prop"] * torch.stack((q_prev, -q_prev), dim=-1).relu()
    head = weights["w_osc"] * oscillator
    if turn is not None:
        head = head + weights["w_turn"] * turn
    batch = head.shape[:-1]
    if batch != prop.shape[:-2]:
        batch = torch.broadcast_shapes(batch, prop.shape[:-2])
        head, prop = head.expand(*batch, 2), prop.expand(*batch, -1, 2)
    b_input = torch.cat((head.unsqueeze(-2), prop), dim=-2)
    if speed is not None:
        b_input = b_input + weights["w_speed"] * (1.0 - speed)[..., None, None]
    b = activation(b_input)
    muscle = activation(torch.addcmul(weights["w_ipsi"] * b, weights["w_contra"], b.flip(-1)))
    torque = muscle[..., DORSAL] - muscle[..., VENTRAL]
    if not return_activity:
        return torque
    activity = {
        "osc_dorsal": oscillator[..., DORSAL].expand(batch),
        "osc_ventral": oscillator[..., VENTRAL].expand(batch),
        "b_dorsal": b[..., DORSAL],
        "b_ventral": b[..., VENTRAL],
        "muscle_dorsal": muscle[..., DORSAL],
        "muscle_ventral": muscle[..., VENTRAL],
        "torque": torque,
    }
    if turn is not None:
        activity["turn_r"], activity["turn_l"] = turn[..., 0].expand(batch), turn[..., 1].expand(batch)
    if speed is not None:
        activity["speed"] = speed.expand(batch)
    return torque, activity


class SwimmerCircuit(nn.Module):
    """NCAP swimmer circuit as a torch module.

    Build with ``SwimmerCircuit(n_joints, **options)`` (options are the fields
    of :class:`SwimmerCircuitConfig`) or ``SwimmerCircuit.from_config(config)``;
    ``generator`` seeds the random parts of the initialization.

    Parameters are named after the paper: ``w_osc``, ``w_prop``, ``w_ipsi``,
    ``w_contra`` and, when enabled, ``w_turn``, ``w_speed``. With weight
    sharing each is a scalar; without, shapes are :func:`full_weight_shape`.
    Sign constraints are applied in the forward pass (and in population mode).
    """

    def __init__(self, n_joints: int, *, generator: torch.Generator | None = None, **options: Any) -> None:
        super().__init__()
        self.config = SwimmerCircuitConfig(n_joints=n_joints, **options)
        cfg = self.config
        self.activation = activation_function(cfg.activation)
        self.oscillator = make_oscillator(cfg.oscillator, cfg.oscillator_period, cfg.oscillator_duty)
        self.signs = {
            name: WEIGHT_SIGNS[name] if cfg.sign_constraints else Sign.UNSIGNED for name in cfg.weight_names
        }
        for name in cfg.weight_names:
            shape = () if cfg.weight_sharing else full_weight_shape(name, n_joints)
            weight = _initial_weight(shape, WEIGHT_SIGNS[name], cfg, generator)
            self.register_parameter(name, nn.Parameter(weight))
        self._register_flat_layout()

    def _register_flat_layout(self) -> None:
        """Record the flat layout (:class:`_FlatSlot` per weight) and the
        per-element sign bounds as buffers ``flat_lower``, ``flat_upper`` (D,)."""
        self._flat_layout: list[_FlatSlot] = []
        lower: list[float] = []
        upper: list[float] = []
        start = 0
        for name in self.config.weight_names:
            shape = tuple(getattr(self, name).shape)
            full_ndim = len(full_weight_shape(name, self.n_joints))
            population_shape = (1, *((1,) * full_ndim if self.config.weight_sharing else shape))
            size = math.prod(shape)
            self._flat_layout.append(_FlatSlot(name, start, start + size, shape, population_shape))
            lower += [self.signs[name].bounds[0]] * size
            upper += [self.signs[name].bounds[1]] * size
            start += size
        self.register_buffer("flat_lower", torch.tensor(lower), persistent=False)
        self.register_buffer("flat_upper", torch.tensor(upper), persistent=False)

    @classmethod
    def from_config(
        cls, config: SwimmerCircuitConfig, generator: torch.Generator | None = None
    ) -> SwimmerCircuit:
        """Build a circuit from a config."""
        return cls(generator=generator, **dataclasses.asdict(config))

    @property
    def n_joints(self) -> int:
        """Number of joints N."""
        return self.config.n_joints

    @property
    def num_parameters(self) -> int:
        """Number D of scalar parameters (length of the flat parameter vector)."""
        return sum(getattr(self, name).numel() for name in self.config.weight_names)

    def used_weights(self, expanded: bool = False) -> dict[str, Tensor]:
        """Sign-constrained weights by name, in parameter shapes, or broadcast
        to their full shapes (:func:`full_weight_shape`) if ``expanded``."""
        used = {name: constrain(getattr(self, name), self.signs[name]) for name in self.config.weight_names}
        if expanded:
            used = {name: w.expand(full_weight_shape(name, self.n_joints)) for name, w in used.items()}
        return used

    def get_flat_parameters(self) -> Tensor:
        """Raw parameters as one detached vector (D,), in ``config.weight_names`` order."""
        return torch.cat([getattr(self, name).detach().reshape(-1) for name in self.config.weight_names])

    def set_flat_parameters(self, flat: Tensor) -> None:
        """Copy a vector (D,) laid out as :meth:`get_flat_parameters` into the parameters."""
        if flat.shape != (self.num_parameters,):
            raise ValueError(f"expected a vector of shape ({self.num_parameters},), got {tuple(flat.shape)}")
        with torch.no_grad():
            for slot in self._flat_layout:
                getattr(self, slot.name).copy_(flat[slot.start : slot.stop].reshape(slot.shape))

    def _commands(
        self, joint_pos: Tensor, turn: Tensor | None, speed: Tensor | None, return_activity: bool
    ) -> tuple[Tensor | None, Tensor | None]:
        """Validate inputs; fill absent commands (no turn, full speed) for the activity."""
        if joint_pos.shape[-1:] != (self.n_joints,):
            raise ValueError(
                f"joint_pos must have last dimension {self.n_joints}, got shape {tuple(joint_pos.shape)}"
            )
        if turn is not None and not self.config.turn:
            raise ValueError("turn was given but the circuit has no turn inputs (config.turn=False)")
        if speed is not None and not self.config.speed:
            raise ValueError("speed was given but the circuit has no speed input (config.speed=False)")
        if turn is not None and turn.shape[-1:] != (2,):
            raise ValueError(f"turn must have last dimension 2 (r, l), got {tuple(turn.shape)}")
        if return_activity and self.config.turn and turn is None:
            turn = joint_pos.new_zeros(*joint_pos.shape[:-1], 2)
        if return_activity and self.config.speed and speed is None:
            speed = joint_pos.new_ones(joint_pos.shape[:-1])
        return turn, speed

    def forward(
        self,
        joint_pos: Tensor,
        step: Tensor | int,
        turn: Tensor | None = None,
        speed: Tensor | None = None,
        return_activity: bool = False,
    ) -> Tensor | tuple[Tensor, dict[str, Tensor]]:
        """Torques for one weight vector and any batch of swimmers.

        Args:
            joint_pos: (..., N) normalized joint positions in [-1, 1].
            step: integer control-step index, (...) or broadcastable to it.
            turn: (..., 2) turn inputs (r, l) in [0, 1]; None = no turn.
            speed: (...) speed input s in [0, 1]; None = full speed (s = 1).
            return_activity: also return a dict of unit outputs: "osc_dorsal",
                "osc_ventral" (...); "b_dorsal", "b_ventral", "muscle_dorsal",
                "muscle_ventral", "torque" (..., N); and "turn_r", "turn_l",
                "speed" (...) when the circuit has those inputs.

        Returns:
            torques (..., N), in [-1, 1] with the "clamp" activation, and the
            activity dict if asked for.
        """
        turn, speed = self._commands(joint_pos, turn, speed, return_activity)
        weights = self.used_weights()
        oscillator = self.oscillator(step, dtype=joint_pos.dtype)
        return swimmer_core(weights, joint_pos, oscillator, self.activation, turn, speed, return_activity)

    def population_forward(
        self,
        params: Tensor,
        joint_pos: Tensor,
        step: Tensor | int,
        turn: Tensor | None = None,
        speed: Tensor | None = None,
        return_activity: bool = False,
    ) -> Tensor | tuple[Tensor, dict[str, Tensor]]:
        """Torques for P flat weight vectors, each driving B swimmers.

        Args:
            params: (P, D) raw flat parameters (layout of :meth:`get_flat_parameters`);
                sign constraints are applied to them.
            joint_pos: (P, B, N) joint positions.
            step: (P, B) or (B,) integer step indices.
            turn: (P, B, 2) or None; speed: (P, B) or None.
            return_activity: as in :meth:`forward`, with leading dims (P, B).

        Returns:
            torques (P, B, N), and the activity dict if asked for.
        """
        if params.ndim != 2 or params.shape[1] != self.num_parameters:
            raise ValueError(f"params must have shape (P, {self.num_parameters}), got {tuple(params.shape)}")
        if joint_pos.ndim != 3 or joint_pos.shape[0] != params.shape[0]:
            raise ValueError(
                f"joint_pos must have shape (P, B, N) with P={params.shape[0]}, got {tuple(joint_pos.shape)}"
            )
        turn, speed = self._commands(joint_pos, turn, speed, return_activity)
        pop = params.shape[0]
        used = torch.clamp(params, min=self.flat_lower, max=self.flat_upper)
        weights = {
            slot.name: used[:, slot.start : slot.stop].reshape(pop, *slot.population_shape)
            for slot in self._flat_layout
        }
        oscillator = self.oscillator(step, dtype=joint_pos.dtype)
        return swimmer_core(weights, joint_pos, oscillator, self.activation, turn, speed, return_activity)

    def transfer(self, n_joints: int, generator: torch.Generator | None = None) -> SwimmerCircuit:
        """The same circuit for a body with ``n_joints`` joints (paper Fig. 6).

        With weight sharing the weights are identical. Without, the head
        module and oscillator (and turn) weights are kept, tail modules are
        dropped when shrinking, and new tail modules copy the last module's
        weights when growing. (Growing a 1-joint unshared circuit leaves the
        new ``w_prop`` rows at their fresh initialization: there is none to copy.)
        """
        new = SwimmerCircuit.from_config(dataclasses.replace(self.config, n_joints=n_joints), generator)
        new = new.to(self.w_osc)
        with torch.no_grad():
            for name in self.config.weight_names:
                old, target = getattr(self, name), getattr(new, name)
                if self.config.weight_sharing or name in HEAD_WEIGHTS:
                    target.copy_(old)
                elif old.shape[0] > 0:
                    keep = min(old.shape[0], target.shape[0])
                    tail = old[-1:].expand(target.shape[0] - keep, 2)
                    target.copy_(torch.cat((old[:keep], tail)))
        return new

    def extra_repr(self) -> str:
        return f"{self.config}, num_parameters={self.num_parameters}"
