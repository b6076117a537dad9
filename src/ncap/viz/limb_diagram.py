"""A limbed circuit spec drawn as its body seen from above: each limb module at its corner (fore legs at the
top, left legs on the left), its core units at the corner, the units that set its actuators outside it, its
sensory and constant inputs in a row beyond, and the interneurons that couple limbs between the limbs, each
toward the limb it reaches. Excitatory synapses are red arrows, inhibitory blue bars, free ones grey and
dashed; a white square marks a synapse one step late; with a trained circuit's weights, line width is the
weight's magnitude and zero weights are left out."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Ellipse, FancyArrowPatch

from ncap.circuits.spec import CircuitSpec
from ncap.circuits.spec_body import synapse_instances
from ncap.viz.canvas import figure
from ncap.viz.diagram import STYLE

KIND_COLORS = {"input": "lightgreen", "constant": "0.85", "oscillator": "gold", "half_centre": "orange",
               "leaky": "lightskyblue", "tanh": "white", "graded": "white", "rectified": "whitesmoke"}
HALF_WIDTH, HALF_HEIGHT = 5.0, 4.5
"""Distance of a limb module from the body's midline and from its waist."""
SOURCE_SPACING = 0.36


def _anchors(spec: CircuitSpec) -> dict[str, np.ndarray]:
    """Each module's place: left/right and fore/hind tags give the corners; otherwise a circle in body order."""
    body = spec.body
    tagged = {name: set(tags) for name, tags in body.modules}
    if all(tags & {"left", "right"} and tags & {"fore", "hind"} for tags in tagged.values()):
        return {name: np.array([HALF_WIDTH * (-1 if "left" in tags else 1), HALF_HEIGHT * (1 if "fore" in tags else -1)])
                for name, tags in tagged.items()}
    angles = np.pi / 2 - 2 * np.pi * np.arange(len(body.names)) / len(body.names)
    return {name: 5.0 * np.array([np.cos(a), np.sin(a)]) for name, a in zip(body.names, angles, strict=True)}


def _roles(spec: CircuitSpec) -> dict[str, str]:
    """source (input, constant, oscillator), output (drives an actuator), core (feeds an output), or inter."""
    feeds_output = {s.source for s in spec.synapses if spec.unit(s.target).output is not None}
    roles = {}
    for unit in spec.units:
        if not unit.computed:
            roles[unit.name] = "source"
        elif unit.output is not None:
            roles[unit.name] = "output"
        else:
            roles[unit.name] = "core" if unit.name in feeds_output else "inter"
    return roles


def _reach(spec: CircuitSpec, unit: str, module: str, anchors: dict[str, np.ndarray]) -> np.ndarray:
    """Direction from ``module`` to the module an interneuron reaches (its synapses' relation), else inward."""
    for synapse in [s for s in spec.synapses if s.source == unit] + [s for s in spec.synapses if s.target == unit]:
        if synapse.module == "same":
            continue
        for target, source in synapse_instances(spec, synapse):
            other = target if source == module and synapse.source == unit else source if target == module else None
            if other is not None and other != module:
                return anchors[other] - anchors[module]
    return -anchors[module]


def _positions(spec: CircuitSpec) -> dict[tuple[str, str], np.ndarray]:
    """(unit, module) -> (x, y) of every unit instance."""
    anchors, roles, body = _anchors(spec), _roles(spec), spec.body
    places: dict[tuple[str, str], np.ndarray] = {}
    for module in body.names:
        anchor = anchors[module]
        out = np.sign(anchor) + (anchor == 0)  # outward along x and y
        units = [u for u in spec.units if module in body.select(u.modules)]
        by_role = {role: [u.name for u in units if roles[u.name] == role] for role in ("source", "output", "core", "inter")}
        for i, name in enumerate(by_role["core"]):
            places[(name, module)] = anchor + np.array([0.0, out[1] * (0.6 - 1.2 * i)])
        for i, name in enumerate(by_role["output"]):
            places[(name, module)] = anchor + np.array([out[0] * 2.0, out[1] * (0.5 - 1.0 * i)])
        sources = by_role["source"]
        for i, name in enumerate(sources):
            x = out[0] * (0.8 + SOURCE_SPACING * (i - (len(sources) - 1) / 2))
            places[(name, module)] = anchor + np.array([x, out[1] * 2.6])
        seen: dict[tuple[float, float], int] = {}  # per direction: how many interneurons so far
        for name in by_role["inter"]:
            direction = _reach(spec, name, module, anchors)
            step = direction / np.linalg.norm(direction)
            key = tuple(np.round(step, 3))
            distance = 2.4 + 1.2 * (list(seen).index(key) if key in seen else len(seen))  # one ring per direction
            k = seen[key] = seen.get(key, -1) + 1  # the k-th toward one limb: 0, +1, -1, +2, ... steps aside
            aside = ((k + 1) // 2) * (1 if k % 2 else -1)
            places[(name, module)] = anchor + step * distance + np.array([-step[1], step[0]]) * 0.95 * aside
    return places


def _instance_weight(spec: CircuitSpec, weights: dict[str, np.ndarray] | None, synapse, k: int, target: str):
    if weights is None:
        return None
    value = np.asarray(weights[synapse.group])
    if synapse.share_by:
        return float(value[spec.body.tag_of(target, synapse.share_by)])
    return float(value if value.ndim == 0 else value[k])


def draw_limb_circuit(spec: CircuitSpec, weights: dict[str, np.ndarray] | None = None, title: str = "") -> Figure:
    """The limbed circuit ``spec`` seen from above; ``weights`` (used, sign-constrained, by group name, each
    a scalar or one value per tag or per instance) set the line widths."""
    places, roles, anchors = _positions(spec), _roles(spec), _anchors(spec)
    made = figure(figsize=(13.0, 11.5))
    axes = made.add_subplot()
    magnitudes = [abs(float(v)) for w in (weights or {}).values() for v in np.ravel(w)]
    largest = max(magnitudes, default=0.0) or 1.0
    span = np.max(np.abs(np.array(list(anchors.values()))), axis=0)
    axes.add_patch(Ellipse((0, 0), 1.3 * span[0] + 1.0, 2.2 * span[1] + 1.0, facecolor="0.97", edgecolor="0.8"))
    axes.annotate("head", (0, span[1] + 1.1), ha="center", fontsize=9, color="0.4")
    for synapse in spec.synapses:
        colour, head, style = STYLE[synapse.sign]
        source_role = roles[synapse.source]
        for k, (target, source) in enumerate(synapse_instances(spec, synapse)):
            value = _instance_weight(spec, weights, synapse, k, target)
            if value is not None and value == 0.0:
                continue
            start, end = places[(synapse.source, source)], places[(synapse.target, target)]
            width = (0.5 if source_role == "source" else 1.0) if value is None else 0.3 + 3.2 * abs(value) / largest
            bend = 0.0 if source_role == "source" else 0.18
            axes.add_patch(FancyArrowPatch(tuple(start), tuple(end), arrowstyle=head, mutation_scale=7, color=colour,
                                           linewidth=width, linestyle=style, shrinkA=6, shrinkB=6, alpha=0.7,
                                           connectionstyle=f"arc3,rad={bend}"))
            if synapse.delay:  # the arc's midpoint: B(1/2) = middle + rad / 2 * (dy, -dx)
                d = end - start
                middle = (start + end) / 2 + bend / 2 * np.array([d[1], -d[0]])
                axes.scatter([middle[0]], [middle[1]], marker="s", s=9, facecolor="white", edgecolor=colour,
                             linewidth=0.6, zorder=2)
    first = spec.body.names[0]
    for (unit, module), (x, y) in places.items():
        source = roles[unit] == "source"
        axes.scatter([x], [y], s=40 if source else 420, color=KIND_COLORS.get(spec.unit(unit).kind, "white"),
                     edgecolors="black", linewidth=0.6, zorder=3)
        if not source:
            axes.annotate(unit.replace("_", "\n", 1), (x, y), ha="center", va="center", fontsize=5.5, zorder=4)
        elif module == first:  # name the inputs once, in the first module
            up = y > anchors[module][1]
            axes.annotate(unit, (x, y + (0.2 if up else -0.2)), rotation=90, ha="center", va="bottom" if up else "top",
                          fontsize=5, color="0.25")
    for module, anchor in anchors.items():
        tags = ", ".join(dict(spec.body.modules)[module])
        outward = np.sign(anchor) + (anchor == 0)
        axes.annotate(f"{module}\n({tags})", tuple(anchor + outward * np.array([3.3, -0.5])), ha="center",
                      va="center", fontsize=9, color="0.35", fontweight="bold")
    legend = [Line2D([], [], color=c, linestyle=s, label={"E": "excitatory", "I": "inhibitory"}.get(n, "free sign"))
              for n, (c, _, s) in STYLE.items() if any(x.sign == n for x in spec.synapses)]
    if any(s.delay for s in spec.synapses):
        legend.append(Line2D([], [], color="0.3", marker="s", markerfacecolor="white", linestyle="none",
                             label="one step late"))
    legend += [Line2D([], [], color="black", marker="o", markerfacecolor=KIND_COLORS[k], linestyle="none", label=k)
               for k in KIND_COLORS if any(u.kind == k for u in spec.units)]
    axes.legend(handles=legend, loc="lower center", bbox_to_anchor=(0.5, -0.06), ncol=5, fontsize=7, frameon=False)
    axes.set_aspect("equal")
    axes.autoscale(enable=True)
    axes.margins(0.04)
    axes.set_axis_off()
    axes.set_title(title or f"{spec.name}: {len(spec.body.names)} limb modules seen from above (inputs named at "
                   f"{first}; every module has the same)", fontsize=9, pad=62)
    return made
