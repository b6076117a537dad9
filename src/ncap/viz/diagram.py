"""A circuit spec drawn as the paper's Fig. 3 draws the swimmer: modules left to right, dorsal above
ventral below, excitatory synapses as red arrows, inhibitory as blue bars, free ones grey and dashed,
line width = the weight's magnitude when a trained circuit's weights are given."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from ncap.circuits.spec import SOURCE_OFFSET, CircuitSpec, instance_levels, module_indices, synapse_modules
from ncap.viz.canvas import figure

STYLE = {"E": ("tab:red", "-|>", "solid"), "I": ("tab:blue", "-[", "solid"), "free": ("0.45", "-|>", "dashed")}
"""Colour, arrow head and line style per synapse sign."""
KIND_COLORS = {"oscillator": "gold", "input": "lightgreen", "graded": "white", "rectified": "whitesmoke"}


def _rows(spec: CircuitSpec, n_modules: int) -> dict[str, int]:
    """Row of each unit away from the midline: the output unit nearest, sources farthest."""
    levels = instance_levels(spec, n_modules)
    depth = {u.name: max((d for (n, _), d in levels.items() if n == u.name), default=0) for u in spec.units}
    top = max(depth.values()) + 1
    rows, sources = {}, [u.name for u in spec.units if not u.computed]
    for unit in spec.units:
        rows[unit.name] = top - depth[unit.name] - 1 if unit.computed else top + sources.index(unit.name)
    return rows


def _position(spec: CircuitSpec, rows: dict[str, int], unit: str, module: int, side: int) -> tuple[float, float]:
    nudge = 0.45 * spec.unit(unit).offset  # an input that reads another module's joint leans towards it
    y = 0.9 + 1.5 * rows[unit]
    return module * 2.0 + nudge, y if side == 0 else -y


def _weight_of(weights: dict[str, np.ndarray] | None, group: str, k: int, side: int) -> float | None:
    if weights is None:
        return None
    value = np.asarray(weights[group])
    return float(value if value.ndim == 0 else value[side] if value.ndim == 1 else value[k, side])


def draw_circuit(spec: CircuitSpec, n_joints: int, weights: dict[str, np.ndarray] | None = None,
                 title: str = "") -> Figure:
    """The circuit of ``spec`` on ``n_joints`` modules; ``weights`` (used, sign-constrained, by group
    name, each a scalar, (2,) or (M, 2)) set the line widths."""
    rows = _rows(spec, n_joints)
    made = figure(figsize=(2.2 + 1.6 * n_joints, 1.2 + 0.9 * (max(rows.values()) + 1) * 2))
    axes = made.add_subplot()
    magnitudes = [abs(float(v)) for w in (weights or {}).values() for v in np.ravel(w)]
    largest = max(magnitudes, default=0.0) or 1.0
    for synapse in spec.synapses:
        colour, head, style = STYLE[synapse.sign]
        for k, module in enumerate(synapse_modules(spec, synapse, n_joints)):
            for side in (0, 1):
                source_side = side if synapse.side == "same" else 1 - side
                start = _position(spec, rows, synapse.source, module + SOURCE_OFFSET[synapse.module], source_side)
                end = _position(spec, rows, synapse.target, module, side)
                value = _weight_of(weights, synapse.group, k, side)
                if value is not None and value == 0.0:
                    continue  # a weight the constraint holds at zero: no synapse
                width = 1.2 if value is None else 0.4 + 3.6 * abs(value) / largest
                bend = 0.25 if synapse.side == "opposite" else 0.0
                axes.add_patch(FancyArrowPatch(start, end, arrowstyle=head, mutation_scale=9, color=colour,
                                               linewidth=width, linestyle=style, shrinkA=9, shrinkB=9,
                                               connectionstyle=f"arc3,rad={bend}", alpha=0.85))
                if k == 0 and side == 0:  # name the weight (and its value) once, on its first instance
                    text = synapse.group if value is None else f"{synapse.group} {value:+.2f}"
                    middle = ((start[0] + end[0]) / 2 + 0.12 + 0.5 * bend, (start[1] + end[1]) / 2)
                    axes.annotate(text, middle, fontsize=6, color=colour, ha="left", va="center")
    for unit in spec.units:
        for module in module_indices(unit.modules, n_joints):
            for side in (0, 1):
                x, y = _position(spec, rows, unit.name, module, side)
                axes.scatter([x], [y], s=330, color=KIND_COLORS[unit.kind], edgecolors="black", zorder=3)
                axes.annotate(unit.name, (x, y), ha="center", va="center", fontsize=6, zorder=4)
    for module in range(n_joints):
        axes.annotate(f"joint {module + 1}" + (" (head)" if module == 0 else ""), (module * 2.0, 0.0),
                      ha="center", va="center", fontsize=7, color="0.3")
    axes.axhline(0.0, color="0.85", linewidth=0.8, zorder=0)
    axes.text(-1.2, 1.0, "dorsal", rotation=90, va="center", fontsize=8)
    axes.text(-1.2, -1.0, "ventral", rotation=90, va="center", fontsize=8)
    legend = [Line2D([], [], color=c, linestyle=s, label={"E": "excitatory", "I": "inhibitory"}.get(n, "free"))
              for n, (c, _, s) in STYLE.items() if any(x.sign == n for x in spec.synapses)]
    axes.legend(handles=legend, loc="upper right", fontsize=7, frameon=False)
    axes.set_xlim(-1.5, 2.0 * n_joints - 0.5)
    axes.autoscale(enable=True, axis="y")
    axes.margins(y=0.12)
    axes.set_axis_off()
    axes.set_title(title or f"{spec.name}: {n_joints} modules", fontsize=9)
    return made
