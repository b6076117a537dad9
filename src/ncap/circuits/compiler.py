"""Compile a :class:`~ncap.circuits.spec.CircuitSpec` into one vectorised torch module.

Every unit instance (unit, module, side) of a body with N modules has a spec column (a unit's columns
contiguous, module-major, (dorsal, ventral) inside: what :meth:`CompiledCircuit.column` and the activity by
name use). Internally the activity (..., U) is ordered [zero column if needed, sources, level 1, level 2, ...]:
sources (inputs, oscillators) are computed one tensor operation per source unit and joined by one ``cat``;
computed units follow level by level (a level = instances whose inputs are all known), each level one gather of
its synapse instances' sources, one multiply by their weights and K-1 adds over its fan-in K, then one ``cat``,
for all modules and swimmers at once. The weights are one raw vector per sharing group, sign-constrained by a
clamp in the forward pass (kept between calls without autograd); population mode (ES) takes P raw vectors."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ncap.circuits.spec import (
    SOURCE_OFFSET,
    CircuitSpec,
    SpecError,
    UnitSpec,
    instance_levels,
    module_indices,
    synapse_modules,
)
from ncap.circuits.units import Sign, make_oscillator

SIGNS = {"E": Sign.EXCITATORY, "I": Sign.INHIBITORY, "free": Sign.UNSIGNED}


@dataclass(frozen=True)
class _Group:
    """One sharing group's weight: name, parameter shape and place in the full raw vector."""

    name: str
    shape: tuple[int, ...]
    start: int
    sign: Sign
    trainable: bool

    @property
    def size(self) -> int:
        return math.prod(self.shape)


def _group_shape(spec: CircuitSpec, group: str, n_modules: int) -> tuple[int, ...]:
    """() shared; else (M, 2) over the synapse's modules, or (2,) when it lives in the head only."""
    synapse = spec.group_synapses(group)[0]
    if synapse.shared:
        return ()
    modules = synapse_modules(spec, synapse, n_modules)
    head_only = "head" in (spec.unit(synapse.source).modules, spec.unit(synapse.target).modules)
    return (2,) if head_only else (len(modules), 2)


class CompiledCircuit(nn.Module):
    """A circuit spec compiled for a body of ``n_joints`` modules.

    Called like :class:`~ncap.circuits.SwimmerCircuit`: ``circuit(joint_pos, step,
    turn=None, speed=None, return_activity=False)`` and ``population_forward``.
    Parameters are named after the spec's weights (sharing groups); frozen
    groups (``trainable: false``) are buffers. ``commands`` keeps the units
    that read turn/speed (navigate); without it they and their synapses are dropped.
    """

    def __init__(self, spec: CircuitSpec, n_joints: int, *, commands: bool = False,
                 generator: torch.Generator | None = None) -> None:
        super().__init__()
        if n_joints < 1:
            raise SpecError(f"a compiled circuit needs at least 1 joint, got {n_joints}")
        self.full_spec, self.commands, self.n_joints = spec, commands, n_joints
        self.spec = spec if commands else spec.without_commands()
        self._layout_units()
        self._layout_groups(generator)
        self.level_sizes: list[tuple[int, int]] = []  # per level: (units M_level, largest fan-in K)
        self._cache: tuple[tuple, Tensor] | None = None  # (weights' storages and versions, synapse weights)
        self._layout_levels()

    # --- layout (build time) ------------------------------------------------------------------------------

    def _layout_units(self) -> None:
        self.unit_modules: dict[str, list[int]] = {}
        self.unit_start: dict[str, int] = {}
        start = 0
        for unit in self.spec.units:
            modules = module_indices(unit.modules, self.n_joints)
            if unit.observation == "joint_pos" and any(m + unit.offset >= self.n_joints for m in modules):
                raise SpecError(f"unit {unit.name!r} reads joint {max(modules) + unit.offset + 1} of a body with "
                                f"{self.n_joints} joints")
            self.unit_modules[unit.name], self.unit_start[unit.name] = modules, start
            start += 2 * len(modules)
            if unit.kind == "oscillator":  # module m's oscillator sees step - lag * m
                self.register_buffer(f"_delay_{unit.name}", torch.tensor(modules) * unit.lag, persistent=False)
            elif unit.observation == "joint_pos":  # module m reads joint m + offset: dorsal +q, ventral -q
                self.register_buffer(f"_joints_{unit.name}", torch.tensor([m + unit.offset for m in modules] * 2),
                                     persistent=False)
                self.register_buffer(f"_signs_{unit.name}", torch.tensor([1.0] * len(modules) + [-1.0] * len(modules)),
                                     persistent=False)
        self.n_instances = start
        self.oscillators = nn.ModuleDict({
            u.name: make_oscillator(u.waveform, u.period, u.duty) for u in self.spec.units if u.kind == "oscillator"})

    def column(self, unit: str, module: int, side: int) -> int:
        """Activity column of ``unit``'s instance in ``module`` on ``side`` (0 dorsal, 1 ventral)."""
        return self.unit_start[unit] + 2 * self.unit_modules[unit].index(module) + side

    def _layout_groups(self, generator: torch.Generator | None) -> None:
        self.groups: list[_Group] = []
        lower, upper, start = [], [], 0
        for name in self.spec.groups:
            synapse = self.spec.group_synapses(name)[0]
            group = _Group(name, _group_shape(self.spec, name, self.n_joints), start, SIGNS[synapse.sign],
                           synapse.trainable)
            value = self._initial(synapse, group.shape, generator)
            if hasattr(self, name):  # spec validation refuses these names; a torch version may add more
                raise SpecError(f"weight name {name!r} is reserved by torch modules; rename it")
            if group.trainable:
                self.register_parameter(name, nn.Parameter(value))
            else:
                self.register_buffer(name, value)
            self.groups.append(group)
            lower += [group.sign.bounds[0]] * group.size
            upper += [group.sign.bounds[1]] * group.size
            start += group.size
        self.register_buffer("raw_lower", torch.tensor(lower), persistent=False)
        self.register_buffer("raw_upper", torch.tensor(upper), persistent=False)
        trainable = [i for g in self.groups if g.trainable for i in range(g.start, g.start + g.size)]
        self.register_buffer("trainable_index", torch.tensor(trainable, dtype=torch.long), persistent=False)

    @staticmethod
    def _initial(synapse, shape: tuple[int, ...], generator: torch.Generator | None) -> Tensor:
        """Initial raw weight, drawn as SwimmerCircuit draws it (same generator calls, same order)."""
        if synapse.distribution == "constant":
            magnitude = torch.full(shape, synapse.magnitude)
        else:
            magnitude = torch.rand(shape, generator=generator) * synapse.magnitude
        if synapse.sign != "free":
            return magnitude * SIGNS[synapse.sign].unit
        if synapse.random_sign:
            return magnitude * (torch.randint(0, 2, shape, generator=generator) * 2 - 1)
        return magnitude

    def _layout_levels(self) -> None:
        """Internal column order and, per level, its synapses padded to the level's largest fan-in K.

        Internally the activity is [a zero column, the sources, level 1's units, level 2's, ...], so that a
        level appends its block with one ``cat``. A level's synapse instances are laid out K-major
        ((K, M_level) flattened): the k-th input of every unit in the level, then the (k+1)-th; missing inputs
        read the zero column. Summing the K slices left to right adds each unit's inputs in spec order,
        exactly as a scatter-add into zeros would.
        """
        levels = instance_levels(self.spec, self.n_joints)
        inputs: dict[int, list[tuple[int, int]]] = {}  # target column -> [(source column, raw weight index)]
        for synapse in self.spec.synapses:
            group = next(g for g in self.groups if g.name == synapse.group)
            for k, module in enumerate(synapse_modules(self.spec, synapse, self.n_joints)):
                source_module = module + SOURCE_OFFSET[synapse.module]
                for side in (0, 1):
                    source_side = side if synapse.side == "same" else 1 - side
                    weight = group.start + (0 if not group.shape else 2 * k + side)
                    inputs.setdefault(self.column(synapse.target, module, side), []).append(
                        (self.column(synapse.source, source_module, source_side), weight))
        self.n_levels = max(levels.values(), default=0)
        per_level = {level: sorted(self.column(unit, module, side) for (unit, module), depth in levels.items()
                                   if depth == level for side in (0, 1)) for level in range(1, self.n_levels + 1)}
        output, n = self.spec.output.name, self.n_joints
        sides = [self.column(output, m, side) for side in (0, 1) for m in range(n)]
        last = {levels[(output, m)] for m in range(n)}
        if len(last) == 1:  # the output's instances end their level as [dorsal..., ventral...]: torque by slices
            level = last.pop()
            per_level[level] = [c for c in per_level[level] if c not in set(sides)] + sides
        fan_ins = {level: max((len(inputs.get(c, ())) for c in members), default=0)
                   for level, members in per_level.items()}
        self.padded = any(len(inputs.get(c, ())) < fan_ins[level] for level, members in per_level.items()
                          for c in members)
        order = ([-1] if self.padded else []) + self._source_order()  # -1: the zero column, read by padding
        weight_index: list[int] = []
        for level, members in per_level.items():
            fan_in = fan_ins[level]
            rows = [inputs.get(c, []) + [(-1, 0)] * (fan_in - len(inputs.get(c, []))) for c in members]
            position = {c: i for i, c in enumerate(order)}
            sources = [position[rows[m][k][0]] for k in range(fan_in) for m in range(len(members))]
            weight_index += [rows[m][k][1] for k in range(fan_in) for m in range(len(members))]
            upper = [1.0 if self._unit_at(c).kind == "graded" else math.inf for c in members]
            self.register_buffer(f"level{level}_source", torch.tensor(sources, dtype=torch.long), persistent=False)
            self.register_buffer(f"level{level}_lower", torch.zeros(len(members)), persistent=False)
            self.register_buffer(f"level{level}_upper", torch.tensor(upper), persistent=False)
            self.level_sizes.append((len(members), fan_in))
            order += members
        position = {c: i for i, c in enumerate(order)}
        output_index = [position[c] for c in sides]
        contiguous = output_index == list(range(output_index[0], output_index[0] + 2 * n))
        self.output_start = output_index[0] if contiguous else None
        self.register_buffer("_weight_index", torch.tensor(weight_index, dtype=torch.long), persistent=False)
        self.register_buffer("_output_index", torch.tensor(output_index, dtype=torch.long), persistent=False)
        self.register_buffer("_spec_order", torch.tensor([position[c] for c in range(self.n_instances)]),
                             persistent=False)

    def _source_order(self) -> list[int]:
        """Spec columns of the source units in the order :meth:`_sources` writes them."""
        order = []
        for unit in self.spec.units:
            if unit.computed:
                continue
            start, n = self.unit_start[unit.name], len(self.unit_modules[unit.name])
            if unit.observation == "joint_pos":  # side-major: every module's dorsal part, then the ventral ones
                order += [start + 2 * m + side for side in (0, 1) for m in range(n)]
            else:
                order += list(range(start, start + 2 * n))
        return order

    def _unit_at(self, column: int) -> UnitSpec:
        return next(u for u in reversed(self.spec.units) if self.unit_start[u.name] <= column)

    # --- parameters ---------------------------------------------------------------------------------------

    @property
    def num_parameters(self) -> int:
        """Number D of trainable scalars (length of the flat parameter vector)."""
        return sum(g.size for g in self.groups if g.trainable)

    def raw_weights(self) -> Tensor:
        """Every group's raw weights as one vector (all groups, frozen ones included)."""
        return torch.cat([getattr(self, g.name).reshape(-1) for g in self.groups])

    def used_weights(self) -> dict[str, Tensor]:
        """Sign-constrained weights by group name, in their parameter shapes."""
        used = self._constrained()
        return {g.name: used[g.start:g.start + g.size].reshape(g.shape) for g in self.groups}

    def get_flat_parameters(self) -> Tensor:
        """Trainable raw parameters as one detached vector (D,), in the spec's group order."""
        return torch.cat([getattr(self, g.name).detach().reshape(-1) for g in self.groups if g.trainable])

    def set_flat_parameters(self, flat: Tensor) -> None:
        """Copy a vector (D,) laid out as :meth:`get_flat_parameters` into the parameters."""
        if flat.shape != (self.num_parameters,):
            raise ValueError(f"expected a vector of shape ({self.num_parameters},), got {tuple(flat.shape)}")
        with torch.no_grad():
            start = 0
            for group in (g for g in self.groups if g.trainable):
                getattr(self, group.name).copy_(flat[start:start + group.size].reshape(group.shape))
                start += group.size

    # --- forward ------------------------------------------------------------------------------------------

    def _sources(self, joint_pos: Tensor, step: Tensor | int, turn: Tensor | None, speed: Tensor | None
                 ) -> Tensor:
        """Internal activity (..., S): the zero column if padding reads it, then every source unit's columns."""
        batch = joint_pos.shape[:-1]
        parts = [joint_pos.new_zeros(()).expand(*batch, 1)] if self.padded else []
        for unit in self.spec.units:
            if unit.computed:
                continue
            n = 2 * len(self.unit_modules[unit.name])
            if unit.kind == "oscillator":
                index = torch.as_tensor(step, device=joint_pos.device)[..., None] - self._buffers[f"_delay_{unit.name}"]
                value = self.oscillators[unit.name](index, dtype=joint_pos.dtype)
            else:
                value = self._observed(unit, len(self.unit_modules[unit.name]), joint_pos, turn, speed)
            parts.append(value.reshape(*value.shape[:-2], n).expand(*batch, n))
        return torch.cat(parts, dim=-1)

    def _observed(self, unit: UnitSpec, n_modules: int, joint_pos: Tensor, turn: Tensor | None,
                  speed: Tensor | None) -> Tensor:
        """An input unit's values: (..., 1, 2M) side-major for joint angles, else (..., M, 2)."""
        batch = joint_pos.shape[:-1]
        if unit.observation == "joint_pos":
            observed = joint_pos.index_select(-1, self._buffers[f"_joints_{unit.name}"])  # each joint twice: (..., 2M)
            if unit.transform == "one_minus":
                observed = 1.0 - observed
            return (observed * self._buffers[f"_signs_{unit.name}"]).relu()[..., None, :]
        if unit.observation == "turn":
            observed = (turn if turn is not None else joint_pos.new_zeros(*batch, 2))[..., None, :]
        else:
            observed = (speed if speed is not None else joint_pos.new_ones(batch))[..., None, None]
        if unit.transform == "one_minus":
            observed = 1.0 - observed
        return observed.expand(*observed.shape[:-2], n_modules, 2)

    def _check(self, joint_pos: Tensor, turn: Tensor | None, speed: Tensor | None) -> None:
        if joint_pos.shape[-1:] != (self.n_joints,):
            raise ValueError(f"joint_pos must have last dimension {self.n_joints}, got {tuple(joint_pos.shape)}")
        if (turn is not None or speed is not None) and not self.commands:
            raise ValueError("turn/speed were given but the circuit was compiled without commands")
        if turn is not None and turn.shape[-1:] != (2,):
            raise ValueError(f"turn must have last dimension 2 (r, l), got {tuple(turn.shape)}")

    def _synapse_weights(self, used: Tensor) -> Tensor:
        """Each level's synapse instances' weights, levels one after another: (..., E_all) -> (..., sum K M)."""
        return used.index_select(-1, self._buffers["_weight_index"])

    def _current(self) -> Tensor:
        """:meth:`_synapse_weights` of this module's weights; without autograd, computed again only after a
        weight tensor was replaced or written in place (its storage or version counter changed)."""
        if torch.is_grad_enabled():
            return self._synapse_weights(self._constrained())
        key = tuple((t.data_ptr(), t._version) for t in (getattr(self, g.name) for g in self.groups))
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, self._synapse_weights(self._constrained()))
        return self._cache[1]

    def _constrained(self) -> Tensor:
        """Every group's sign-constrained raw weights as one vector (E_all,)."""
        return torch.clamp(self.raw_weights(), min=self.raw_lower, max=self.raw_upper)

    def _run(self, weights: Tensor, activity: Tensor, return_activity: bool):
        """Compute every level; ``weights`` (sum K M,) or (P, 1, sum K M) from :meth:`_synapse_weights`."""
        buffers, start = self._buffers, 0  # read directly: nn.Module attribute lookup costs more than small ops
        for level, (members, fan_in) in enumerate(self.level_sizes, start=1):
            size = members * fan_in
            products = activity.index_select(-1, buffers[f"level{level}_source"]) * weights[..., start:start + size]
            start += size
            pre = products[..., :members] if fan_in else activity.new_zeros(()).expand(*activity.shape[:-1], members)
            for k in range(1, fan_in):
                pre = pre + products[..., k * members:(k + 1) * members]
            value = torch.clamp(pre, buffers[f"level{level}_lower"], buffers[f"level{level}_upper"])
            activity = torch.cat((activity, value), dim=-1)
        n, start = self.n_joints, self.output_start
        if start is None:
            sides = activity.index_select(-1, buffers["_output_index"])
            torque = sides[..., :n] - sides[..., n:]
        else:
            torque = activity[..., start:start + n] - activity[..., start + n:start + 2 * n]
        if not return_activity:
            return torque
        return torque, self.activity_by_name(activity.index_select(-1, buffers["_spec_order"])) | {"torque": torque}

    def activity_by_name(self, activity: Tensor) -> dict[str, Tensor]:
        """``{unit}_dorsal`` / ``{unit}_ventral`` from activity (..., U): (..., M_unit), or (...) for head units."""
        named = {}
        for unit in self.spec.units:
            start, n = self.unit_start[unit.name], len(self.unit_modules[unit.name])
            pairs = activity[..., start:start + 2 * n].reshape(*activity.shape[:-1], n, 2)
            for side, side_name in enumerate(("dorsal", "ventral")):
                values = pairs[..., side]
                named[f"{unit.name}_{side_name}"] = values[..., 0] if unit.modules == "head" else values
        return named

    def forward(self, joint_pos: Tensor, step: Tensor | int, turn: Tensor | None = None,
                speed: Tensor | None = None, return_activity: bool = False):
        """Torques for one weight vector and any batch of swimmers.

        Args:
            joint_pos: (..., N) normalized joint positions; step: (...) integer control steps;
            turn: (..., 2) (r, l) or None (no turn); speed: (...) or None (full speed).
            return_activity: also return every unit's activity by name (see :meth:`activity_by_name`)
                and "torque".

        Returns:
            torques (..., N) [, activity dict].
        """
        self._check(joint_pos, turn, speed)
        return self._run(self._current(), self._sources(joint_pos, step, turn, speed), return_activity)

    def population_forward(self, params: Tensor, joint_pos: Tensor, step: Tensor | int, turn: Tensor | None = None,
                           speed: Tensor | None = None, return_activity: bool = False):
        """Torques for P flat parameter vectors (P, D), each driving B swimmers: joint_pos (P, B, N) -> (P, B, N)."""
        if params.ndim != 2 or params.shape[1] != self.num_parameters:
            raise ValueError(f"params must have shape (P, {self.num_parameters}), got {tuple(params.shape)}")
        if joint_pos.ndim != 3 or joint_pos.shape[0] != params.shape[0]:
            raise ValueError(f"joint_pos must have shape (P, B, N) with P={params.shape[0]}, "
                             f"got {tuple(joint_pos.shape)}")
        self._check(joint_pos, turn, speed)
        if self.trainable_index.numel() == self.raw_lower.numel():  # every weight trainable: params are the raw vector
            raw = params
        else:
            raw = self.raw_weights().detach().expand(params.shape[0], -1).clone()
            raw[:, self.trainable_index] = params
        used = torch.clamp(raw, min=self.raw_lower, max=self.raw_upper)[:, None, :]
        return self._run(self._synapse_weights(used), self._sources(joint_pos, step, turn, speed), return_activity)

    # --- other bodies -------------------------------------------------------------------------------------

    def transfer(self, n_joints: int, generator: torch.Generator | None = None) -> CompiledCircuit:
        """The same circuit on ``n_joints`` modules: shared weights kept; unshared per-module weights keep
        the first modules and new modules copy the last one (as :meth:`SwimmerCircuit.transfer`)."""
        new = CompiledCircuit(self.full_spec, n_joints, commands=self.commands, generator=generator)
        with torch.no_grad():
            for group in self.groups:
                old, target = getattr(self, group.name), getattr(new, group.name)
                if old.ndim < 2:
                    target.copy_(old)
                elif old.shape[0] > 0:
                    keep = min(old.shape[0], target.shape[0])
                    target.copy_(torch.cat((old[:keep], old[-1:].expand(target.shape[0] - keep, 2))))
        return new

    def extra_repr(self) -> str:
        return f"spec={self.spec.name!r}, n_joints={self.n_joints}, num_parameters={self.num_parameters}"
