"""Compile a limbed :class:`~ncap.circuits.spec.CircuitSpec` (one with a ``body``) into a stateful torch module.

Every unit instance (unit, module) gets a column of one activity tensor
(P, B, U), unit-major and in the body's module order inside a unit. One step:

1. sources: inputs from the observation channels (rectified as the spec says),
   the drive, constants and clocks fill their columns;
2. every computed unit starts from its bias plus its delayed synapses, read
   from the previous step's activity (one gather and one scatter-add);
3. computed units follow level by level along same-step synapses (a level's
   units have all their inputs); each kind applies its function: graded, rectified,
   tanh, or a stateful update (leaky, half-centre) of the state's voltage and adaptation.

The state (previous activity, voltages, adaptations) resets where an
observation's ``step`` is 0, or travels in the observation under
``STATE_KEY`` (packed; the delayed synapses are recomputed from the previous
activity with the current weights, so that a gradient reaches them). Weights
are one raw vector of every group, sign-constrained by a clamp; population mode
(ES) takes P vectors of the trainable ones. Shapes: observation channels
(..., C), commands (..., modules x actuators) in the body's order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ncap.circuits.compiler import SIGNS
from ncap.circuits.dynamics import STATE_KEY, half_centre_step, initial_adaptation, leaky_step
from ncap.circuits.spec import CircuitSpec, SpecError
from ncap.circuits.spec_body import AXES, PER_JOINT, SIDE_COMMANDS, SIDES, TORSO, limb_levels, synapse_instances
from ncap.circuits.units import make_oscillator


@dataclass(frozen=True)
class _Group:
    name: str
    shape: tuple[int, ...]
    start: int
    trainable: bool

    @property
    def size(self) -> int:
        return math.prod(self.shape)


class CompiledLimbCircuit(nn.Module):
    """A limbed circuit spec compiled for its body.

    Args:
        spec: a validated spec with a body.
        timestep: milliseconds per control step (the body's).
        drive: the brainstem command when the caller gives none.
        random_phase: half-centres start each episode at a random point of their cycle.
        seed: seed of the starting phases (and of random initial weights, if the spec has any).
        channels: the body's observation channels and their sizes, to check the spec against (optional).
    """

    def __init__(self, spec: CircuitSpec, *, timestep: float = 30.0, drive: float = 0.3, random_phase: bool = True,
                 seed: int = 0, channels: Mapping[str, int] | None = None):
        super().__init__()
        if spec.body is None:
            raise SpecError(f"circuit {spec.name!r} has no body: compile it with CompiledCircuit (a chain)")
        self.spec, self.body = spec, spec.body
        self.timestep, self.drive, self.random_phase = float(timestep), float(drive), random_phase
        self.generator = torch.Generator().manual_seed(seed)
        self.state: dict[str, Tensor] | None = None
        if channels is not None:
            self._check_channels(channels)
        self._layout_units()
        self._layout_groups()
        self._layout_edges()

    # --- layout ---------------------------------------------------------------------------------------------

    def _check_channels(self, channels: Mapping[str, int]) -> None:
        for unit in self.spec.units:
            if unit.kind != "input" or unit.observation == "drive" or unit.observation in SIDE_COMMANDS:
                continue  # commands come from the task or the drive, not from the body
            size = self._channel_size(unit.observation)
            if unit.observation not in channels:
                raise SpecError(f"unit {unit.name!r}: the body has no channel {unit.observation!r} "
                                f"(channels: {', '.join(channels)})")
            if channels[unit.observation] != size:
                raise SpecError(f"unit {unit.name!r}: channel {unit.observation!r} has {channels[unit.observation]} "
                                f"values; the spec's body reads {size}")

    def _channel_size(self, channel: str) -> int:
        """Values of an observed channel: per joint of every module, 3 for the torso, 2 sides, else per module."""
        n, joints = len(self.body.names), len(self.body.joints)
        return n * joints if channel in PER_JOINT else 3 if channel in TORSO else 2 if channel in SIDE_COMMANDS else n

    def _layout_units(self) -> None:
        names = self.body.names
        self.unit_modules: dict[str, list[str]] = {}
        self.unit_start: dict[str, int] = {}
        start = 0
        for unit in self.spec.units:
            modules = [m for m in names if m in self.body.select(unit.modules)]
            self.unit_modules[unit.name], self.unit_start[unit.name] = modules, start
            start += len(modules)
            if unit.kind == "oscillator":
                self.register_buffer(f"_delay_{unit.name}", torch.tensor([names.index(m) for m in modules]) * unit.lag,
                                     persistent=False)
        self.n_columns = start
        self.oscillators = nn.ModuleDict({u.name: make_oscillator(u.waveform, u.period, u.duty)
                                          for u in self.spec.units if u.kind == "oscillator"})
        self._layout_reads()
        kinds = [self.spec.unit(self._unit_at(c)).kind for c in range(start)]
        self.half_centres = [c for c in range(start) if kinds[c] == "half_centre"]
        self.register_buffer("bias", torch.tensor([self.spec.unit(self._unit_at(c)).bias for c in range(start)]),
                             persistent=False)
        outputs = {(m, u.output): self.column(u.name, m) for u in self.spec.units if u.output is not None
                   for m in self.unit_modules[u.name]}
        self.register_buffer("outputs", torch.tensor([outputs[(m, a)] for m in names for a in self.body.actuators]),
                             persistent=False)

    def _layout_reads(self) -> None:
        """Where every input and constant column reads from: one gather from the observed channels, the
        drive and a 1 laid end to end, a sign (-1 for ``rectify: negative``) and a rectification mask."""
        names, joints = self.body.names, self.body.joints
        self.channels = list(dict.fromkeys(u.observation for u in self.spec.units
                                           if u.kind == "input" and u.observation != "drive"))
        offsets, at = {}, 0
        for channel in self.channels:
            offsets[channel] = at
            at += self._channel_size(channel)
        offsets["drive"], offsets["one"] = at, at + 1
        columns, reads, signs, rectified = [], [], [], []
        for unit in self.spec.units:
            if unit.kind not in ("input", "constant"):
                continue
            for module in self.unit_modules[unit.name]:
                i = names.index(module)
                if unit.kind == "constant" or unit.observation == "drive":
                    read = offsets["one" if unit.kind == "constant" else "drive"]
                elif unit.observation in PER_JOINT:
                    read = offsets[unit.observation] + i * len(joints) + joints.index(unit.joint)
                elif unit.observation in TORSO:
                    read = offsets[unit.observation] + AXES.index(unit.axis)
                elif unit.observation in SIDE_COMMANDS:
                    read = offsets[unit.observation] + self.body.tag_of(module, SIDES)
                else:
                    read = offsets[unit.observation] + i
                columns.append(self.column(unit.name, module))
                reads.append(read)
                signs.append(-1.0 if unit.rectify == "negative" else 1.0)
                rectified.append(unit.rectify != "none")
        self.register_buffer("read_columns", torch.tensor(columns, dtype=torch.long), persistent=False)
        self.register_buffer("read_index", torch.tensor(reads, dtype=torch.long), persistent=False)
        self.register_buffer("read_sign", torch.tensor(signs), persistent=False)
        self.register_buffer("read_rectified", torch.tensor(rectified), persistent=False)

    def _unit_at(self, column: int) -> str:
        return next(u.name for u in reversed(self.spec.units) if self.unit_start[u.name] <= column)

    def column(self, unit: str, module: str) -> int:
        """Activity column of ``unit``'s instance in ``module``."""
        return self.unit_start[unit] + self.unit_modules[unit].index(module)

    def _layout_groups(self) -> None:
        """Trainable groups first, then frozen ones, each in the spec's order: the raw vector is
        ``cat(weights, frozen)``, ``weights`` (D,) the one parameter (its order is the flat ES vector's)."""
        specs = [(name, self.spec.group_synapses(name)[0]) for name in self.spec.groups]
        ordered = [g for g in specs if g[1].trainable] + [g for g in specs if not g[1].trainable]
        self.groups: list[_Group] = []
        values, lower, upper, start = [], [], [], 0
        for name, synapse in ordered:
            if synapse.share_by:
                shape: tuple[int, ...] = (len(synapse.share_by),)
            elif synapse.shared:
                shape = ()
            else:
                shape = (len(synapse_instances(self.spec, synapse)),)
            group = _Group(name, shape, start, synapse.trainable)
            self.groups.append(group)
            values.append(self._initial(synapse, shape).reshape(-1))
            bounds = SIGNS[synapse.sign].bounds
            lower += [bounds[0]] * group.size
            upper += [bounds[1]] * group.size
            start += group.size
        raw = torch.cat(values) if values else torch.zeros(0)
        trained = self.num_parameters
        self.weights = nn.Parameter(raw[:trained].clone())
        self.register_buffer("frozen", raw[trained:].clone())
        self.register_buffer("raw_lower", torch.tensor(lower), persistent=False)
        self.register_buffer("raw_upper", torch.tensor(upper), persistent=False)

    def _initial(self, synapse, shape: tuple[int, ...]) -> Tensor:
        if synapse.distribution == "constant":
            magnitude = torch.full(shape, synapse.magnitude)
        else:
            magnitude = torch.rand(shape, generator=self.generator) * synapse.magnitude
        if synapse.sign != "free":
            return magnitude * SIGNS[synapse.sign].unit
        if synapse.random_sign:
            return magnitude * (torch.randint(0, 2, shape, generator=self.generator) * 2 - 1)
        return magnitude

    def _layout_edges(self) -> None:
        """Delayed edges (read the previous activity) and same-step edges by level, with each level's
        members grouped by kind (and time constant)."""
        levels, lagged = limb_levels(self.spec)  # lagged: same-step edges that close a loop through state
        delayed: list[tuple[int, int, int]] = []
        by_level: dict[int, list[tuple[int, int, int]]] = {}
        for synapse in self.spec.synapses:
            group = next(g for g in self.groups if g.name == synapse.group)
            for k, (target, source) in enumerate(synapse_instances(self.spec, synapse)):
                if synapse.share_by:
                    offset = self.body.tag_of(target, synapse.share_by)
                else:
                    offset = k if group.shape else 0
                edge = (self.column(synapse.source, source), self.column(synapse.target, target), group.start + offset)
                if synapse.delay or ((synapse.target, target), (synapse.source, source)) in lagged:
                    delayed.append(edge)
                else:
                    by_level.setdefault(levels[(synapse.target, target)], []).append(edge)
        self._register_edges("delayed", delayed)
        self.n_levels = max(levels.values(), default=0)
        self.level_kinds: list[list[tuple[str, float, str]]] = []
        for level in range(1, self.n_levels + 1):
            self._register_edges(f"level{level}", by_level.get(level, []))
            members: dict[tuple[str, float], list[int]] = {}
            for (unit_name, module), depth in levels.items():
                unit = self.spec.unit(unit_name)
                if depth == level:
                    members.setdefault((unit.kind, unit.time_constant), []).append(self.column(unit_name, module))
            kinds = []
            for index, ((kind, tau), columns) in enumerate(sorted(members.items())):
                name = f"level{level}_members{index}"
                self.register_buffer(name, torch.tensor(sorted(columns)), persistent=False)
                if kind == "half_centre":
                    positions = [self.half_centres.index(c) for c in sorted(columns)]
                    self.register_buffer(f"{name}_hc", torch.tensor(positions), persistent=False)
                kinds.append((kind, tau, name))
            self.level_kinds.append(kinds)

    def _register_edges(self, name: str, edges: list[tuple[int, int, int]]) -> None:
        source, target, weight = zip(*edges, strict=True) if edges else ((), (), ())
        for part, values in (("source", source), ("target", target), ("weight", weight)):
            self.register_buffer(f"{name}_{part}", torch.tensor(values, dtype=torch.long), persistent=False)

    # --- parameters -----------------------------------------------------------------------------------------

    @property
    def n_actions(self) -> int:
        return len(self.body.names) * len(self.body.actuators)

    @property
    def num_parameters(self) -> int:
        """Number D of trainable scalars."""
        return sum(g.size for g in self.groups if g.trainable)

    def weight(self, name: str) -> Tensor:
        """Raw weights of group ``name`` in its shape (a view of ``weights`` or ``frozen``)."""
        group = next(g for g in self.groups if g.name == name)
        source, start = (self.weights, group.start) if group.trainable else (self.frozen, group.start - self.num_parameters)
        return source[start:start + group.size].reshape(group.shape)

    def raw_weights(self) -> Tensor:
        """Every group's raw weights as one vector (E,): the trainable ones, then the frozen ones."""
        return torch.cat([self.weights, self.frozen])

    def used_weights(self) -> dict[str, Tensor]:
        """Sign-constrained weights by group name, in their parameter shapes."""
        used = torch.clamp(self.raw_weights(), min=self.raw_lower, max=self.raw_upper)
        return {g.name: used[g.start:g.start + g.size].reshape(g.shape) for g in self.groups}

    # --- state ----------------------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget the state: the next call starts new episodes everywhere."""
        self.state = None

    def reseed(self, seeds: list[int]) -> None:
        """Restart the stream of starting phases from the first episode's seed of the coming batch."""
        self.generator.manual_seed(int(seeds[0]))

    def _fresh(self, shape: tuple[int, ...], generator: torch.Generator | None = None) -> dict[str, Tensor]:
        voltage = torch.zeros((*shape, self.n_columns))
        voltage[..., self.half_centres] = -1.0
        adaptation = initial_adaptation((*shape, len(self.half_centres)), generator or self.generator,
                                        self.random_phase)
        return {"activity": torch.zeros((*shape, self.n_columns)), "voltage": voltage, "adaptation": adaptation}

    def _state_for(self, steps: Tensor) -> dict[str, Tensor]:
        shape = tuple(steps.shape)
        if self.state is None or tuple(self.state["activity"].shape[:-1]) != shape:
            return self._fresh(shape)
        start = steps == 0
        if not start.any():
            return self.state
        fresh = self._fresh(shape)
        return {key: torch.where(start[..., None], fresh[key], value) for key, value in self.state.items()}

    @property
    def state_size(self) -> int:
        """Numbers in a packed state: previous activity and voltage of every column, adaptations."""
        return 2 * self.n_columns + len(self.half_centres)

    def initial_state(self, count: int, generator: torch.Generator) -> Tensor:
        """Packed first states of ``count`` episodes (count, state_size)."""
        return self._pack(self._fresh((count,), generator))

    def next_state(self, obs: Mapping[str, Tensor]) -> Tensor:
        """The packed state after this step (..., state_size) from observations holding ``STATE_KEY``."""
        lead = obs[STATE_KEY].shape[:-1]
        flat = {key: value.reshape(1, -1, value.shape[-1]) for key, value in obs.items()}
        with torch.no_grad():
            state = self._step(self._used(), flat, self._unpack(flat[STATE_KEY]), None)
        return self._pack(state).reshape(*lead, -1)

    def _pack(self, state: dict[str, Tensor]) -> Tensor:
        return torch.cat([state["activity"], state["voltage"], state["adaptation"]], -1)

    def _unpack(self, flat: Tensor) -> dict[str, Tensor]:
        activity, voltage, adaptation = torch.split(flat, [self.n_columns, self.n_columns, len(self.half_centres)], -1)
        return {"activity": activity, "voltage": voltage, "adaptation": adaptation}

    # --- forward --------------------------------------------------------------------------------------------

    def _sources(self, obs: Mapping[str, Tensor], drive: Tensor | None) -> Tensor:
        """Activity (P, B, U) with every source unit's columns filled (computed ones 0)."""
        shape = obs["step"].shape[:-1]
        drive = torch.full((*shape, 1), self.drive) if drive is None else drive[..., None].expand(*shape, 1)
        observed = torch.cat([obs[channel] if channel in obs or channel not in SIDE_COMMANDS
                              else drive.expand(*shape, 2) for channel in self.channels]
                             + [drive, torch.ones((*shape, 1))], -1)
        values = observed[..., self.read_index] * self.read_sign
        values = torch.where(self.read_rectified, values.clamp(min=0), values)
        activity = torch.zeros((*shape, self.n_columns)).index_copy(-1, self.read_columns, values)
        for unit in self.spec.units:
            if unit.kind == "oscillator":
                step = obs["step"][..., 0].round().long()
                clock = self.oscillators[unit.name](step[..., None] - getattr(self, f"_delay_{unit.name}"))[..., 0]
                start = self.unit_start[unit.name]
                activity[..., start:start + clock.shape[-1]] = clock
        return activity

    def _used(self, params: Tensor | None = None) -> Tensor:
        """Sign-constrained weights of every group: (E,) or, for P trainable vectors (P, D), (P, 1, E)."""
        if params is None:
            return torch.clamp(self.raw_weights(), min=self.raw_lower, max=self.raw_upper)
        raw = torch.cat([params, self.frozen.expand(params.shape[0], -1)], -1)
        return torch.clamp(raw, min=self.raw_lower, max=self.raw_upper)[:, None, :]

    def _step(self, used: Tensor, obs: Mapping[str, Tensor], state: dict[str, Tensor], drive: Tensor | None):
        act = self._sources(obs, drive)
        pre = (state["activity"][..., self.delayed_source] * used[..., self.delayed_weight])
        pre = torch.zeros_like(act).index_add(-1, self.delayed_target, pre) + self.bias
        voltage, adaptation = state["voltage"], state["adaptation"]
        for level, kinds in enumerate(self.level_kinds, start=1):
            source = getattr(self, f"level{level}_source")
            if source.numel():
                contributions = act[..., source] * used[..., getattr(self, f"level{level}_weight")]
                pre = pre.index_add(-1, getattr(self, f"level{level}_target"), contributions)
            for kind, tau, name in kinds:
                members = getattr(self, name)
                z = pre[..., members]
                if kind == "leaky":
                    v, out = leaky_step(voltage[..., members], z, self.timestep, tau)
                    voltage = voltage.index_copy(-1, members, v)
                elif kind == "half_centre":
                    hc = getattr(self, f"{name}_hc")
                    v, a, out = half_centre_step(voltage[..., members], adaptation[..., hc], z, self.timestep)
                    voltage = voltage.index_copy(-1, members, v)
                    adaptation = adaptation.index_copy(-1, hc, a)
                elif kind == "tanh":
                    out = torch.tanh(z)
                elif kind == "graded":
                    out = z.clamp(0, 1)
                else:
                    out = z.clamp(min=0)
                act = act.index_copy(-1, members, out)
        return {"activity": act, "voltage": voltage, "adaptation": adaptation}

    def run(self, used: Tensor, obs: Mapping[str, Tensor], drive: Tensor | None = None,
            return_activity: bool = False):
        """One step on (P, B, ...) observations -> commands (P, B, A) [, activity by name (P, B)]."""
        if STATE_KEY in obs:
            state = self._step(used, obs, self._unpack(obs[STATE_KEY]), drive)
        else:
            state = self._step(used, obs, self._state_for(obs["step"][..., 0].round()), drive)
            self.state = {key: value.detach() for key, value in state.items()}
        commands = state["activity"][..., self.outputs]
        if not return_activity:
            return commands
        return commands, self.activity_by_name(state["activity"])

    def activity_by_name(self, activity: Tensor) -> dict[str, Tensor]:
        """``{unit}_{module}`` -> (...) from activity (..., U)."""
        return {f"{unit}_{module}": activity[..., self.column(unit, module)]
                for unit, modules in self.unit_modules.items() for module in modules}

    def forward(self, obs: Mapping[str, Tensor], drive: Tensor | None = None, return_activity: bool = False):
        """Observations with leading dims (...) -> commands (..., A) [, activity: name -> (...)]."""
        lead = obs["step"].shape[:-1]
        flat = {key: value.reshape(1, -1, value.shape[-1]) for key, value in obs.items()}
        drive = None if drive is None else drive.reshape(1, -1)
        out = self.run(self._used(), flat, drive, return_activity)
        if not return_activity:
            return out.reshape(*lead, -1)
        commands, activity = out
        return commands.reshape(*lead, -1), {k: v.reshape(lead) for k, v in activity.items()}

    def population_forward(self, params: Tensor, obs: Mapping[str, Tensor]) -> Tensor:
        """P trainable vectors (P, D) on (P, B, ...) observations -> commands (P, B, A)."""
        if params.ndim != 2 or params.shape[1] != self.num_parameters:
            raise ValueError(f"params must have shape (P, {self.num_parameters}), got {tuple(params.shape)}")
        return self.run(self._used(params), obs)

    def extra_repr(self) -> str:
        return f"spec={self.spec.name!r}, modules={len(self.body.names)}, num_parameters={self.num_parameters}"
