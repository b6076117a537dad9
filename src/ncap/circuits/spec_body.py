"""The body part of a circuit spec: named, tagged modules and the relations between them (limbs).

A chain body (the swimmer; a spec without ``body:``) has one module per joint
and the relations previous/next. A limbed body names its modules with tags
(the quadruped: FL, FR, HL, HR tagged fore/hind and left/right), its named
relations (``across: {FL: FR, ...}``: a synapse with ``module: across`` into
FL reads its source in FR), the joints each module observes and the actuators
each module commands, in the body's order. Pure Python: no torch.

This module checks a limbed spec as a whole (:func:`check_limbs`); it reads
units and synapses by their fields only, so that it does not import
:mod:`ncap.circuits.spec`, which imports it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ncap.errors import ConfigError


class SpecError(ConfigError):
    """A circuit spec that is not valid; the message names the unit, synapse or weight."""


LIMB_OBSERVATIONS = ("joint_positions", "joint_velocities", "actuator_forces", "foot_contact", "torso_up",
                     "torso_velocity", "torso_angular_velocity", "drive", "freq", "sync")
"""Observation channels of a limbed body: per joint, per module, of the torso, or commands."""
PER_JOINT = ("joint_positions", "joint_velocities", "actuator_forces")
"""Channels with a value per joint of every module (module-major)."""
TORSO = ("torso_up", "torso_velocity", "torso_angular_velocity")
"""Channels of the whole body: (x, y, z) in the torso's frame; every module reads the same value."""
AXES = ("x", "y", "z")
SIDE_COMMANDS = ("freq", "sync")
"""Brainstem commands per side, (left, right): each module reads its side's (by its left/right tag); the
drive on both sides when the task gives none."""
SIDES = ("left", "right")
STATEFUL_KINDS = ("leaky", "half_centre")
LIMB_KINDS = ("input", "constant", "oscillator", "graded", "rectified", "tanh") + STATEFUL_KINDS


@dataclass(frozen=True)
class BodySpec:
    """Modules (name, tags) in the body's order, relations (name, ((target, source), ...)), and the
    joints each module observes and actuators it commands, in the observation's and action's order."""

    modules: tuple[tuple[str, tuple[str, ...]], ...]
    relations: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    joints: tuple[str, ...] = ()
    actuators: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.modules)

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(tag for _, tags in self.modules for tag in tags))

    def select(self, where: str) -> list[str]:
        """Modules of a set: "all", a tag, or one module's name."""
        if where == "all":
            return list(self.names)
        if where in self.names:
            return [where]
        return [name for name, tags in self.modules if where in tags]

    def source_module(self, relation: str, target: str) -> str | None:
        """The module a synapse with ``module: relation`` into ``target`` reads from (None: no such neighbour)."""
        if relation == "same":
            return target
        pairs = dict(dict(self.relations)[relation])
        return pairs.get(target)

    def tag_of(self, module: str, tags: tuple[str, ...]) -> int:
        """Index in ``tags`` of the one tag of ``tags`` that ``module`` carries."""
        own = dict(self.modules)[module]
        return next(i for i, tag in enumerate(tags) if tag in own)

    def to_dict(self) -> dict:
        return {"modules": {name: list(tags) for name, tags in self.modules},
                "relations": {name: dict(pairs) for name, pairs in self.relations},
                "joints": list(self.joints), "actuators": list(self.actuators)}


def body_from_dict(data: object) -> BodySpec:
    """A :class:`BodySpec` from plain data (``modules: {FL: [fore, left]}``, ``relations: {across: {FL: FR}}``,
    ``joints: [...]``, ``actuators: [...]``); SpecError naming the problem."""
    if not isinstance(data, dict):
        raise SpecError(f"body must be a mapping with modules, relations, joints and actuators, got {data!r}")
    unknown = sorted(set(map(str, data)) - {"modules", "relations", "joints", "actuators"})
    if unknown:
        raise SpecError(f"body: unknown key {unknown[0]!r}; known: modules, relations, joints, actuators")
    modules = data.get("modules")
    if not isinstance(modules, dict) or not modules:
        raise SpecError("body: modules must be a non-empty mapping of module name -> list of tags")
    parsed = []
    for name, tags in modules.items():
        if not isinstance(tags, list) or not all(isinstance(t, str) and t.isidentifier() for t in tags):
            raise SpecError(f"body: module {name!r} needs a list of tags (identifiers), got {tags!r}")
        parsed.append((str(name), tuple(tags)))
    relations = data.get("relations") or {}
    if not isinstance(relations, dict):
        raise SpecError(f"body: relations must map a relation's name to {{target module: source module}}, got {relations!r}")
    rels = []
    for name, pairs in relations.items():
        if not isinstance(pairs, dict):
            raise SpecError(f"body: relation {name!r} must map target modules to source modules, got {pairs!r}")
        rels.append((str(name), tuple((str(t), str(s)) for t, s in pairs.items())))
    lists = {}
    for key in ("joints", "actuators"):
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SpecError(f"body: {key} must be a list of names, got {value!r}")
        lists[key] = tuple(value)
    return check_body(BodySpec(tuple(parsed), tuple(rels), lists["joints"], lists["actuators"]))


def check_body(body: BodySpec) -> BodySpec:
    names = body.names
    for what, values in (("module", names), ("joint", body.joints), ("actuator", body.actuators),
                         ("relation", tuple(n for n, _ in body.relations))):
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise SpecError(f"body: {what} {repeated[0]!r} named twice")
    clash = sorted(set(names) & (set(body.tags) | {"all"}))
    if clash:
        raise SpecError(f"body: {clash[0]!r} names both a module and a tag (or 'all')")
    for name, pairs in body.relations:
        if name == "same":
            raise SpecError("body: 'same' is built in (the target's own module), not a relation to define")
        for target, source in pairs:
            for module in (target, source):
                if module not in names:
                    raise SpecError(f"body: relation {name!r} names unknown module {module!r} "
                                    f"(modules: {', '.join(names)})")
    return body


def _fail_unit(unit, message: str) -> None:
    raise SpecError(f"unit {unit.name!r}: {message}")


def _check_limb_unit(unit, body: BodySpec) -> None:
    if unit.kind not in LIMB_KINDS:
        _fail_unit(unit, f"kind {unit.kind!r} is not for limbed bodies (kinds: {', '.join(LIMB_KINDS)})")
    if not body.select(unit.modules):
        _fail_unit(unit, f"modules {unit.modules!r} is neither 'all', a tag ({', '.join(body.tags)}) nor a module "
                         f"({', '.join(body.names)})")
    if unit.kind == "input":
        if unit.observation not in LIMB_OBSERVATIONS:
            _fail_unit(unit, f"observation {unit.observation!r} is not a channel of a limbed body "
                             f"(channels: {', '.join(LIMB_OBSERVATIONS)})")
        if (unit.observation in PER_JOINT) != bool(unit.joint):
            _fail_unit(unit, f"a {unit.observation} input needs a joint" if unit.observation in PER_JOINT
                       else f"joint applies to per-joint channels ({', '.join(PER_JOINT)}) only")
        if unit.joint and unit.joint not in body.joints:
            _fail_unit(unit, f"joint {unit.joint!r} is not one of the body's joints ({', '.join(body.joints)})")
        if (unit.observation in TORSO) != bool(unit.axis):
            _fail_unit(unit, f"a {unit.observation} input needs an axis (x, y or z)" if unit.observation in TORSO
                       else f"axis applies to torso channels ({', '.join(TORSO)}) only")
        if unit.axis and unit.axis not in AXES:
            _fail_unit(unit, f"axis must be x, y or z, got {unit.axis!r}")
        if unit.observation in SIDE_COMMANDS:
            sideless = [m for m in body.select(unit.modules) if len(set(dict(body.modules)[m]) & set(SIDES)) != 1]
            if sideless:
                _fail_unit(unit, f"a per-side command needs modules tagged left or right; {', '.join(sideless)} "
                                 "carry neither")
    elif unit.joint or unit.axis or unit.rectify != "none":
        _fail_unit(unit, "joint, axis and rectify apply to input units only")
    if unit.output is not None:
        if unit.output not in body.actuators:
            _fail_unit(unit, f"output {unit.output!r} names no actuator of the body ({', '.join(body.actuators)})")
        if unit.kind in ("input", "constant", "oscillator"):
            _fail_unit(unit, "an output must be a computed unit")
    if unit.bias and unit.kind in ("input", "constant", "oscillator"):
        _fail_unit(unit, "bias applies to computed units only")


def synapse_instances(spec, synapse) -> list[tuple[str, str]]:
    """(target module, source module) of every instance of a limbed spec's ``synapse``."""
    body = spec.body
    targets = body.select(spec.unit(synapse.target).modules)
    if synapse.where:
        targets = [m for m in targets if m in body.select(synapse.where)]
    sources = set(body.select(spec.unit(synapse.source).modules))
    out = []
    for target in targets:
        source = body.source_module(synapse.module, target)
        if source is not None and source in sources:
            out.append((target, source))
    return out


def _check_limb_synapse(spec, s) -> None:
    body = spec.body
    relations = ("same",) + tuple(n for n, _ in body.relations)
    if s.module not in relations:
        raise SpecError(f"synapse {s.label}: unknown relation {s.module!r} (relations: {', '.join(relations)})")
    if s.where and not body.select(s.where):
        raise SpecError(f"synapse {s.label}: where {s.where!r} is neither a tag ({', '.join(body.tags)}) nor a module")
    if s.delay not in (0, 1):
        raise SpecError(f"synapse {s.label}: delay must be 0 or 1 step, got {s.delay}")
    instances = synapse_instances(spec, s)
    if not instances:
        raise SpecError(f"synapse {s.label}: its source and target never meet (relation {s.module!r})")
    if s.share_by:
        if not s.shared:
            raise SpecError(f"synapse {s.label}: share_by gives one weight per tag; it needs shared: true")
        for tag in s.share_by:
            if tag not in body.tags:
                raise SpecError(f"synapse {s.label}: share_by names unknown tag {tag!r} (tags: {', '.join(body.tags)})")
        for target, _ in instances:
            count = sum(tag in dict(body.modules)[target] for tag in s.share_by)
            if count != 1:
                raise SpecError(f"synapse {s.label}: module {target!r} carries {count} of the tags "
                                f"{', '.join(s.share_by)} (share_by needs exactly one)")


Node = tuple[str, str]
"""A unit instance: (unit, module)."""


class _Loop(Exception):
    """A same-step cycle: its nodes, each a source of the one before it (the first a source of the last)."""

    def __init__(self, nodes: list[Node]):
        super().__init__()
        self.nodes = nodes


def limb_levels(spec) -> tuple[dict[Node, int], frozenset[tuple[Node, Node]]]:
    """Depth of every computed unit instance counting same-step (delay 0) synapses, and the same-step edges
    (target, source) that close a loop through a stateful unit and so read its output one step late (the
    edge leaving the first stateful unit found on the loop). SpecError on a loop with neither a delay nor a
    stateful unit."""
    incoming: dict[Node, list[Node]] = {}
    for s in spec.synapses:
        if s.delay == 0:
            for target, source in synapse_instances(spec, s):
                incoming.setdefault((s.target, target), []).append((s.source, source))
    lagged: set[tuple[Node, Node]] = set()
    while True:
        try:
            return _depths(spec, incoming), frozenset(lagged)
        except _Loop as loop:
            nodes = loop.nodes
            stateful = [i for i, (unit, _) in enumerate(nodes) if spec.unit(unit).kind in STATEFUL_KINDS]
            if not stateful:
                names = [f"{u}[{m}]" for u, m in nodes] + [f"{nodes[0][0]}[{nodes[0][1]}]"]
                raise SpecError(f"circuit {spec.name!r}: a cycle without a delay or a stateful unit: "
                                f"{' -> '.join(reversed(names))} (give one of its synapses delay: 1)") from None
            source = nodes[stateful[0]]
            target = nodes[stateful[0] - 1]  # the unit it drives on the loop (index -1: the last)
            incoming[target] = [n for n in incoming[target] if n != source]
            lagged.add((target, source))


def _depths(spec, incoming: dict[Node, list[Node]]) -> dict[Node, int]:
    levels: dict[Node, int] = {}
    visiting: list[Node] = []

    def level(node: Node) -> int:
        if spec.unit(node[0]).kind in ("input", "constant", "oscillator"):
            return 0
        if node in levels:
            return levels[node]
        if node in visiting:
            raise _Loop(visiting[visiting.index(node):])
        visiting.append(node)
        depth = 1 + max((level(source) for source in incoming.get(node, [])), default=0)
        visiting.pop()
        levels[node] = depth
        return depth

    for unit in spec.units:
        for module in spec.body.select(unit.modules):
            level((unit.name, module))
    return levels


def check_limbs(spec) -> None:
    """Check a limbed spec (``spec.body`` set) as a whole; SpecError naming the first problem."""
    body = spec.body
    for unit in spec.units:
        _check_limb_unit(unit, body)
    for s in spec.synapses:
        _check_limb_synapse(spec, s)
    covered: dict[tuple[str, str], str] = {}
    for unit in spec.units:
        if unit.output is not None:
            for module in body.select(unit.modules):
                if (module, unit.output) in covered:
                    raise SpecError(f"unit {unit.name!r}: actuator {unit.output!r} of module {module!r} is already "
                                    f"the output of unit {covered[(module, unit.output)]!r}")
                covered[(module, unit.output)] = unit.name
    missing = [f"{a}[{m}]" for m in body.names for a in body.actuators if (m, a) not in covered]
    if missing:
        raise SpecError(f"circuit {spec.name!r}: no unit drives actuator {missing[0]} "
                        f"(every module's actuators {', '.join(body.actuators)} need an output unit)")
    limb_levels(spec)
