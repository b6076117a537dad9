"""Circuit specs: a sign-constrained circuit written as data (YAML), independent of body length.

A spec names *unit templates* and *synapse templates*. Every unit comes as a
(dorsal, ventral) pair and is repeated over the body's modules (one module per
joint, module 0 = the head): ``modules: all`` (every module), ``head``
(module 0) or ``body`` (modules 1..N-1). Synapses connect a source unit to a
graded target unit, on the same or the opposite side, in the same module or
from the previous/next module, and belong to a *weight* (a sharing group): with
``shared: true`` (default) every instance of every synapse of the group uses
one scalar; with ``shared: false`` each (module, side) instance has its own.
The swimmer circuit is ``specs/swimmer.yaml`` beside this file; docs/circuits.md
teaches the language, :mod:`ncap.circuits.spec_files` reads specs from YAML. The ablations are transformations of a spec
(:func:`without_sharing`, :func:`without_signs`, :func:`with_uniform_init`,
:func:`with_activation`). Pure Python: no torch, no simulator.

A spec with a ``body`` (:mod:`ncap.circuits.spec_body`) describes a limbed
body instead of a chain: named, tagged modules and relations between them;
single units (not pairs) that read named channels (a joint's position,
velocity or force, foot contact, the brainstem drive), carry a tonic
``bias``, keep state (``leaky``, ``half_centre``) or write an actuator's
set-point (``tanh`` with ``output: <actuator>``); synapses with one step of
``delay`` (cycles are allowed where every loop has one), shared per tag
(``share_by``) or restricted to tagged targets (``where``). The quadruped
circuit is ``specs/quadruped.yaml``.
"""

from __future__ import annotations

import dataclasses
import math
import re
import typing
from dataclasses import dataclass
from typing import Any, Literal

from ncap.circuits.spec_body import BodySpec, SpecError, check_limbs
from ncap.circuits.units import OSCILLATOR_DUTY, OSCILLATOR_PERIOD, OSCILLATORS, OscillatorName

UnitKind = Literal["graded", "rectified", "oscillator", "input", "constant", "tanh", "leaky", "half_centre"]
ModuleSet = Literal["all", "head", "body"]
Observation = Literal["joint_pos", "turn", "speed", "joint_positions", "joint_velocities", "actuator_forces",
                      "foot_contact", "torso_up", "torso_velocity", "torso_angular_velocity", "drive", "freq", "sync"]
SignName = Literal["E", "I", "free"]

UNIT_KINDS: tuple[str, ...] = typing.get_args(UnitKind)
MODULE_SETS: tuple[str, ...] = typing.get_args(ModuleSet)
OBSERVATIONS: tuple[str, ...] = typing.get_args(Observation)
COMMAND_OBSERVATIONS = ("turn", "speed")
"""Observation parts that exist only when a task drives the circuit (navigate's turn and speed)."""
SIDES = ("dorsal", "ventral")
COMPUTED_KINDS = ("graded", "rectified", "tanh", "leaky", "half_centre")
"""Kinds computed from synapses: graded = clamp(z, 0, 1), rectified = max(z, 0), tanh; leaky and
half_centre keep state (limbed bodies)."""
CHAIN_KINDS = ("graded", "rectified", "oscillator", "input")
"""Kinds a chain (the swimmer) compiles."""
CHECK_MODULES = 8
"""Modules of the body a spec's wiring is checked on when it is loaded (compiling checks the real one)."""


@dataclass(frozen=True)
class UnitSpec:
    """One unit template, instantiated as a (dorsal, ventral) pair in each module of ``modules``."""

    name: str
    kind: UnitKind
    """graded (clamp to [0, 1]), rectified (max(z, 0)), oscillator or input."""
    modules: str = "all"
    """Where the unit exists: every module, the head (module 0) or the body (modules 1..N-1); on a limbed
    body every module, a tag's modules or one module by name."""
    waveform: OscillatorName = "square"
    """Oscillator: "square" or "sine" (anti-phase dorsal/ventral outputs)."""
    period: int = OSCILLATOR_PERIOD
    """Oscillator: period in control steps."""
    duty: int = OSCILLATOR_DUTY
    """Oscillator: steps per period the square wave's dorsal output is on."""
    lag: int = 0
    """Oscillator: delay in steps per module index (module m sees step - lag * m): a travelling wave."""
    observation: Observation | None = None
    """Input: joint_pos (dorsal max(q, 0), ventral max(-q, 0)), turn (dorsal r, ventral l) or speed (both);
    on a limbed body joint_positions, joint_velocities or actuator_forces (of ``joint``), foot_contact, the
    torso's torso_up, torso_velocity or torso_angular_velocity (component ``axis``), drive (the brainstem
    command) or the per-side brainstem commands freq and sync (each module reads its side's)."""
    joint: str = ""
    """Input on a limbed body, per-joint channels: which of the module's joints."""
    axis: str = ""
    """Input on a limbed body, torso channels: which component, x, y or z (the torso's frame)."""
    rectify: Literal["none", "positive", "negative"] = "none"
    """Input on a limbed body: the value, max(x, 0) or max(-x, 0)."""
    bias: float = 0.0
    """Computed units: a constant added to the input (tonic drive)."""
    time_constant: float = 30.0
    """Leaky units: voltage time constant in ms (the body's control step is the time step)."""
    offset: int = 0
    """Input from joint_pos: module m reads joint m + offset."""
    transform: Literal["identity", "one_minus"] = "identity"
    """Input: the value as observed or 1 - value (the swimmer's speed brake)."""
    output: str | None = None
    """joint_torque: this unit's dorsal minus ventral activity is the torque of each module's joint; on a
    limbed body the name of the actuator whose set-point this unit is, in each of its modules."""

    @property
    def computed(self) -> bool:
        """Computed from synapses (graded or rectified), as opposed to a source (input, oscillator)."""
        return self.kind in COMPUTED_KINDS

    @property
    def is_command(self) -> bool:
        """An input that exists only when a task provides commands (turn, speed)."""
        return self.kind == "input" and self.observation in COMMAND_OBSERVATIONS


@dataclass(frozen=True)
class SynapseSpec:
    """One synapse template: ``source`` onto graded unit ``target`` in every module where both exist."""

    source: str
    target: str
    sign: SignName
    """E (weight >= 0), I (weight <= 0) or free (unconstrained)."""
    weight: str = ""
    """Sharing group (a Python identifier); default ``<source>_<target>``: a weight of its own."""
    side: Literal["same", "opposite"] = "same"
    """Dorsal onto dorsal (same) or dorsal onto ventral and back (opposite)."""
    module: str = "same"
    """The source's module relative to the target's: m, m - 1 or m + 1 (same, previous, next); on a limbed
    body same or one of the body's relations."""
    magnitude: float = 1.0
    """Initial magnitude (constant) or upper end of the uniform range."""
    distribution: Literal["constant", "uniform"] = "constant"
    """Initial magnitude: the constant ``magnitude`` or uniform in [0, magnitude]."""
    random_sign: bool = False
    """Free synapses: multiply the initial magnitude by a random +-1 (the no-sign ablation)."""
    shared: bool = True
    """One weight for every instance of the group (True) or one per (module, side) instance."""
    trainable: bool = True
    """False keeps the group's weights at their initial values (not parameters)."""
    delay: int = 0
    """Limbed bodies: 1 reads the source's activity of the previous step (0 at an episode's start)."""
    where: str = ""
    """Limbed bodies: only targets in the modules of this tag (or module)."""
    share_by: tuple[str, ...] = ()
    """Limbed bodies: one weight per listed tag (each target module carries exactly one of them)."""

    @property
    def group(self) -> str:
        """The sharing group's name."""
        return self.weight or f"{self.source}_{self.target}"

    @property
    def label(self) -> str:
        return f"{self.source} -> {self.target} ({self.group})"


RESERVED_NAMES = frozenset({
    "training", "forward", "parameters", "buffers", "children", "modules", "state_dict", "load_state_dict",
    "train", "eval", "to", "cpu", "cuda", "float", "double", "half", "apply", "register_buffer",
    "register_parameter", "register_module", "add_module", "zero_grad", "requires_grad_", "extra_repr",
    "named_parameters", "named_buffers", "named_modules", "named_children", "get_parameter", "get_buffer",
    "get_submodule", "type", "share_memory", "dump_patches", "call_super_init", "T_destination",
    # the compiler's own attributes
    "spec", "full_spec", "commands", "n_joints", "groups", "oscillators", "unit_modules", "unit_start",
    "n_instances", "n_levels", "raw_lower", "raw_upper", "trainable_index", "column", "num_parameters",
    "raw_weights", "used_weights", "get_flat_parameters", "set_flat_parameters", "population_forward",
    "activity_by_name", "transfer",
})
"""Names a weight cannot take: attributes of a torch module and of the compiled circuit."""

GROUP_FIELDS = ("sign", "magnitude", "distribution", "random_sign", "shared", "trainable", "share_by")
"""Synapse fields every synapse of one sharing group must agree on (they describe the weight)."""


@dataclass(frozen=True)
class CircuitSpec:
    """A whole circuit: named units and synapses (order matters: it fixes the parameter layout)."""

    name: str
    units: tuple[UnitSpec, ...]
    synapses: tuple[SynapseSpec, ...]
    description: str = ""
    body: BodySpec | None = None
    """A limbed body's modules, relations, joints and actuators; None: a chain (one module per joint)."""

    def unit(self, name: str) -> UnitSpec:
        """The unit called ``name``."""
        for unit in self.units:
            if unit.name == name:
                return unit
        raise SpecError(f"circuit {self.name!r}: unknown unit {name!r}")

    @property
    def groups(self) -> tuple[str, ...]:
        """Sharing groups in order of first use: the order of the flat parameter vector."""
        return tuple(dict.fromkeys(s.group for s in self.synapses))

    def group_synapses(self, group: str) -> tuple[SynapseSpec, ...]:
        return tuple(s for s in self.synapses if s.group == group)

    @property
    def output(self) -> UnitSpec:
        """The unit whose dorsal - ventral activity drives the joints."""
        return next(u for u in self.units if u.output == "joint_torque")

    def without_commands(self) -> CircuitSpec:
        """The circuit for a task without turn/speed commands: command inputs and their synapses removed."""
        dropped = {u.name for u in self.units if u.is_command}
        return dataclasses.replace(self, units=tuple(u for u in self.units if u.name not in dropped),
                                   synapses=tuple(s for s in self.synapses if s.source not in dropped))

    def to_dict(self, full: bool = False) -> dict:
        """Plain data that :func:`spec_from_dict` reads back: fields at their defaults left out, or
        every field if ``full`` (a run's saved copy, which must not depend on this version's defaults)."""
        limb_only = () if self.body is not None else CHAIN_DEFAULTS["unit"] + CHAIN_DEFAULTS["synapse"]

        def fields(obj: Any, skip: tuple[str, ...]) -> dict:  # a chain's copy leaves out what only limbs use
            return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name not in skip + limb_only
                    and (full or getattr(obj, f.name) != f.default)}
        out = {"name": self.name, "description": self.description}
        if self.body is not None:
            out["body"] = self.body.to_dict()
        return out | {"units": {u.name: _plain(fields(u, ("name",))) for u in self.units},
                      "synapses": [_plain(fields(s, ())) | {"source": s.source, "target": s.target, "sign": s.sign}
                                   for s in self.synapses]}


def _plain(fields: dict) -> dict:
    """Tuples as lists (YAML's and the reader's form)."""
    return {key: list(value) if isinstance(value, tuple) else value for key, value in fields.items()}


# --- transformations (the paper's ablations) --------------------------------------------------------------


def _map_synapses(spec: CircuitSpec, **changes: Any) -> CircuitSpec:
    return dataclasses.replace(spec, synapses=tuple(dataclasses.replace(s, **changes) for s in spec.synapses))


def without_sharing(spec: CircuitSpec) -> CircuitSpec:
    """Every synapse instance its own weight (groups of several synapses split into one per synapse)."""
    counts: dict[str, int] = {}
    for s in spec.synapses:
        counts[s.group] = counts.get(s.group, 0) + 1
    seen: dict[str, int] = {}
    synapses = []
    for s in spec.synapses:
        name = s.group
        if counts[name] > 1:
            seen[name] = seen.get(name, -1) + 1
            name = f"{name}_{seen[name]}"
        synapses.append(dataclasses.replace(s, weight=name, shared=False))
    return validate(dataclasses.replace(spec, synapses=tuple(synapses)))


def without_signs(spec: CircuitSpec) -> CircuitSpec:
    """Every synapse free, its initial sign drawn at random (the no-sign ablation)."""
    return _map_synapses(spec, sign="free", random_sign=True)


def with_uniform_init(spec: CircuitSpec) -> CircuitSpec:
    """Initial magnitudes uniform in [0, magnitude] instead of constant."""
    return _map_synapses(spec, distribution="uniform")


def with_oscillator(spec: CircuitSpec, waveform: str | None = None, period: int | None = None,
                    duty: int | None = None) -> CircuitSpec:
    """Every oscillator unit with the given waveform, period and duty (None keeps the unit's own)."""
    changes = {key: value for key, value in (("waveform", waveform), ("period", period), ("duty", duty))
               if value is not None}
    if not changes:
        return spec
    units = tuple(dataclasses.replace(u, **changes) if u.kind == "oscillator" else u for u in spec.units)
    for unit in units:
        _check_unit(unit)
    return dataclasses.replace(spec, units=units)


def with_activation(spec: CircuitSpec, activation: str) -> CircuitSpec:
    """Every computed unit graded ("clamp") or rectified ("relu")."""
    kind = {"clamp": "graded", "relu": "rectified"}.get(activation)
    if kind is None:
        raise SpecError(f"activation must be 'clamp' or 'relu', got {activation!r}")
    return dataclasses.replace(spec, units=tuple(dataclasses.replace(u, kind=kind) if u.computed else u
                                                 for u in spec.units))


# --- checking ---------------------------------------------------------------------------------------------


def _check_unit(unit: UnitSpec) -> None:
    defaults = {f.name: f.default for f in dataclasses.fields(UnitSpec)}
    own = {"oscillator": ("waveform", "period", "duty", "lag"), "input": ("observation", "offset", "transform")}
    for kind, names in own.items():
        for key in names:
            if unit.kind != kind and getattr(unit, key) != defaults[key]:
                raise SpecError(f"unit {unit.name!r}: {key} applies to {kind} units only (this one is {unit.kind})")
    if unit.kind == "oscillator":
        if unit.waveform not in OSCILLATORS:
            raise SpecError(f"unit {unit.name!r}: waveform must be one of {list(OSCILLATORS)}")
        if unit.period < 1 or (unit.waveform == "square" and not 0 < unit.duty < unit.period):
            raise SpecError(f"unit {unit.name!r}: need period >= 1 and, for a square wave, 0 < duty < period; "
                            f"got period {unit.period}, duty {unit.duty}")
    if unit.kind == "input":
        if unit.observation is None:
            raise SpecError(f"unit {unit.name!r}: an input needs an observation (one of {list(OBSERVATIONS)})")
        if unit.offset and unit.observation != "joint_pos":
            raise SpecError(f"unit {unit.name!r}: offset applies to joint_pos inputs only")
        allowed = {"all": "0", "body": "-1 or 0", "head": ">= 0"}[unit.modules]
        if not {"all": unit.offset == 0, "body": unit.offset in (-1, 0), "head": unit.offset >= 0}[unit.modules]:
            raise SpecError(f"unit {unit.name!r}: a joint_pos input in modules {unit.modules} reads a joint that "
                            f"may not exist with offset {unit.offset} (allowed: {allowed})")
    if unit.output is not None and (not unit.computed or unit.modules != "all"):
        raise SpecError(f"unit {unit.name!r}: the joint_torque output must be a graded or rectified unit "
                        "in every module (modules: all)")


def module_indices(modules: str, n_modules: int) -> list[int]:
    """The module indices of a module set on a body with ``n_modules`` modules (joints)."""
    return {"all": list(range(n_modules)), "head": [0], "body": list(range(1, n_modules))}[modules]


SOURCE_OFFSET = {"same": 0, "previous": -1, "next": 1}
"""Source module = target module + this, per synapse ``module`` relation."""


def synapse_modules(spec: CircuitSpec, synapse: SynapseSpec, n_modules: int) -> list[int]:
    """Target modules where ``synapse`` has an instance (its source exists in the related module)."""
    sources = set(module_indices(spec.unit(synapse.source).modules, n_modules))
    return [m for m in module_indices(spec.unit(synapse.target).modules, n_modules)
            if m + SOURCE_OFFSET[synapse.module] in sources]


def instance_levels(spec: CircuitSpec, n_modules: int) -> dict[tuple[str, int], int]:
    """Depth of every computed unit instance (unit, module) in the one-pass order; SpecError on a cycle."""
    incoming: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for s in spec.synapses:
        for m in synapse_modules(spec, s, n_modules):
            incoming.setdefault((s.target, m), []).append((s.source, m + SOURCE_OFFSET[s.module]))
    levels: dict[tuple[str, int], int] = {}
    visiting: list[tuple[str, int]] = []

    def level(node: tuple[str, int]) -> int:
        if not spec.unit(node[0]).computed:
            return 0
        if node in levels:
            return levels[node]
        if node in visiting:
            loop = [n for n, _ in visiting[visiting.index(node):]] + [node[0]]
            raise SpecError(f"circuit {spec.name!r}: a cycle where none is allowed: {' -> '.join(reversed(loop))} "
                            "(units are computed in one pass per step; there is no recurrent state)")
        visiting.append(node)
        depth = 1 + max((level(source) for source in incoming.get(node, [])), default=0)
        visiting.pop()
        levels[node] = depth
        return depth

    for unit in spec.units:
        for m in module_indices(unit.modules, n_modules):
            level((unit.name, m))
    return levels


CHAIN_DEFAULTS = {"unit": ("joint", "axis", "rectify", "bias", "time_constant"), "synapse": ("delay", "where", "share_by")}
"""Fields a chain (a spec without a body) leaves at their defaults: they describe limbs, state and biases."""


def _check_chain_fields(spec: CircuitSpec) -> None:
    unit_defaults = {f.name: f.default for f in dataclasses.fields(UnitSpec)}
    synapse_defaults = {f.name: f.default for f in dataclasses.fields(SynapseSpec)}
    for unit in spec.units:
        if unit.kind not in CHAIN_KINDS:
            raise SpecError(f"unit {unit.name!r}: kind {unit.kind!r} needs a limbed body (body:); a chain has "
                            f"{', '.join(CHAIN_KINDS)}")
        for key in CHAIN_DEFAULTS["unit"]:
            if getattr(unit, key) != unit_defaults[key]:
                raise SpecError(f"unit {unit.name!r}: {key} needs a limbed body (body:)")
        if unit.modules not in MODULE_SETS:
            raise SpecError(f"unit {unit.name!r}: modules must be one of {list(MODULE_SETS)}, got {unit.modules!r}")
        if unit.observation is not None and unit.observation not in OBSERVATIONS[:3]:
            raise SpecError(f"unit {unit.name!r}: observation {unit.observation!r} needs a limbed body; a chain "
                            f"observes {', '.join(OBSERVATIONS[:3])}")
        if unit.output not in (None, "joint_torque"):
            raise SpecError(f"unit {unit.name!r}: a chain's output is joint_torque, got {unit.output!r}")
    for s in spec.synapses:
        for key in CHAIN_DEFAULTS["synapse"]:
            if getattr(s, key) != synapse_defaults[key]:
                raise SpecError(f"synapse {s.label}: {key} needs a limbed body (body:)")
        if s.module not in SOURCE_OFFSET:
            raise SpecError(f"synapse {s.label}: module must be one of {list(SOURCE_OFFSET)}, got {s.module!r}")


def validate(spec: CircuitSpec) -> CircuitSpec:
    """``spec`` if it is a valid circuit, else SpecError naming the first problem."""
    names = [u.name for u in spec.units]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SpecError(f"circuit {spec.name!r}: unit {duplicates[0]!r} defined twice")
    if spec.body is None:
        _check_chain_fields(spec)
        for unit in spec.units:
            _check_unit(unit)
    for s in spec.synapses:
        for end in (s.source, s.target):
            if end not in names:
                raise SpecError(f"synapse {s.label}: unknown unit {end!r} (units: {', '.join(names)})")
        if not spec.unit(s.target).computed:
            raise SpecError(f"synapse {s.label}: target {s.target!r} is an {spec.unit(s.target).kind} unit; "
                            "only graded and rectified units receive synapses")
        if not s.group.isidentifier() or s.group.startswith("_") or re.fullmatch(r"level\d+_.*", s.group) \
                or s.group in RESERVED_NAMES:
            raise SpecError(f"synapse {s.label}: weight name {s.group!r} is not an identifier or is reserved "
                            "(it names a parameter of the compiled torch module)")
        if not math.isfinite(s.magnitude) or s.magnitude < 0:
            raise SpecError(f"synapse {s.label}: magnitude must be a finite number >= 0, got {s.magnitude}")
        if s.random_sign and s.sign != "free":
            raise SpecError(f"synapse {s.label}: random_sign applies to free synapses only (sign is {s.sign})")
        if spec.body is None and not synapse_modules(spec, s, CHECK_MODULES):
            raise SpecError(f"synapse {s.label}: its source and target never meet in a module")
    for group in spec.groups:
        members = spec.group_synapses(group)
        for key in GROUP_FIELDS:
            values = sorted({str(getattr(s, key)) for s in members})
            if len(values) > 1:
                what = "signs" if key == "sign" else f"{key} values"
                raise SpecError(f"weight {group!r} is shared by synapses of different {what} ({' and '.join(values)})")
        if not members[0].shared and len(members) > 1:
            raise SpecError(f"weight {group!r}: an unshared weight belongs to one synapse, found {len(members)}")
    if spec.body is not None:
        check_limbs(spec)
        return spec
    outputs = [u.name for u in spec.units if u.output == "joint_torque"]
    if len(outputs) != 1:
        raise SpecError(f"circuit {spec.name!r}: exactly one unit needs output: joint_torque, found {outputs}")
    instance_levels(spec, CHECK_MODULES)
    return spec
