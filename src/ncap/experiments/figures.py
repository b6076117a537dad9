"""The paper's figures from whatever runs exist: PNG, SVG and a CSV of every plotted number.

- 4A: per architecture, learning curves of each algorithm;
- 4B: per algorithm, NCAP vs MLPs of several sizes;
- 5: final return, and return per parameter, against parameter count;
- 6: zero-shot transfer of NCAP trained on 5 joints to 2..15 joints, beside the untrained circuit;
- 7A: ablations of weight sharing x sign constraints x initialization, per algorithm;
- 7B: NCAP vs the paper's dense MLP(12, 10, 10) (the embedding's architecture at random
  weights), the sparse embedding started at NCAP with every weight free, and an
  MLP(12, 10, 10) on the observations (PPO).

Returns are in the paper's measure per algorithm (``RunGroup.measure``: sampled
actions for PPO, deterministic for DDPG and ES), except Fig. 6 (deterministic for every policy).

The statistic over seeds is the interquartile mean (IQM) with its 95% stratified bootstrap interval
(rliable, :mod:`ncap.experiments.statistics`); every figure says so and gives the seed count of each series.
A group whose seeds end split apart (some stuck while the others learn,
:func:`~ncap.experiments.results.is_split`) is drawn seed by seed instead, without an IQM or band. Steps
are linear from 0 where a panel shows one algorithm's budget (4B, 7A, 7B); Fig. 4A, whose panels mix
budgets decades apart, has log steps from the first evaluation with the untrained policy's return (step 0)
drawn apart as a point ticked "0". DDPG's random-action phase is shaded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ncap.config import TrainConfig
from ncap.envs import EPISODE_STEPS
from ncap.errors import ConfigError
from ncap.evaluation import evaluate
from ncap.experiments.labels import (
    ALGO_COLORS,
    ALGO_NAMES,
    arch_key,
    arch_label,
    is_circuit_ablation,
    is_plain_circuit,
    is_two_layer_mlp,
)
from ncap.experiments.results import RunGroup, estimate, is_split, load_groups, shared_starts
from ncap.experiments.statistics import Interval
from ncap.experiments.summary import reached_asymptote, write_summary
from ncap.policies import ArchitectureConfig, build_policy, transfer_policy
from ncap.runs import atomic_csv, load_run
from ncap.viz import canvas

CSV_FIELDS = ("figure", "panel", "series", "x", "statistic", "point", "ci_low", "ci_high", "n_seeds")
"""A figure CSV's columns; ``statistic`` is "IQM" (over ``n_seeds`` seeds), "seed" (one seed of a split group)
or "one policy" (the untrained circuit, one deterministic policy)."""
STATISTIC_NOTE = "line: IQM over seeds (n in legend); band: its 95% stratified bootstrap CI (rliable)"
"""What every curve figure draws, in its title."""
TRANSFER_LINKS = tuple(range(3, 17))


class FigureWriter:
    """Saves figures as PNG and SVG and collects their numbers for one CSV each."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.rows: list[dict] = []

    def add(self, figure: str, panel: str, series: str, x: float, est: Interval) -> None:
        self.rows.append({"figure": figure, "panel": panel, "series": series, "x": x, "statistic": est.statistic,
                          "point": est.point, "ci_low": est.low, "ci_high": est.high, "n_seeds": est.n})

    def save(self, figure_name: str, figure) -> list[Path]:
        paths = [self.out / f"fig{figure_name}.{ext}" for ext in ("png", "svg")]
        for path in paths:
            canvas.save(figure, path, dpi=130)
        rows = [row for row in self.rows if row["figure"] == figure_name]
        atomic_csv(self.out / f"fig{figure_name}.csv", CSV_FIELDS, rows)
        return paths


def _curve(axis, writer: FigureWriter, figure: str, panel: str, group: RunGroup, label: str,
           origin: float | None = None, color: str | None = None, linestyle: str = "-") -> None:
    """IQM over seeds and its band; on a log step axis (``origin`` given) from the first evaluation on,
    with the untrained policy's return a point at ``origin`` (drawn apart, ticked 0)."""
    steps, estimates = group.curve()
    if not len(steps):
        return
    _shade_random_phase(axis, group, origin)
    if is_split(group.final_returns(), scale=EPISODE_STEPS):  # the swim task's best return: 1 per step
        _seed_lines(axis, writer, figure, panel, group, label, origin, color, linestyle)
        return
    point = np.array([e.point for e in estimates])
    low, high = np.array([e.low for e in estimates]), np.array([e.high for e in estimates])
    later = steps > 0 if origin is not None else np.ones(len(steps), dtype=bool)
    (line,) = axis.plot(steps[later], point[later], label=f"{label} (n={estimates[0].n})", color=color,
                        linestyle=linestyle)
    if not np.isnan(low).all():
        axis.fill_between(steps[later], low[later], high[later], color=line.get_color(), alpha=0.15, linewidth=0)
    if not later.all():
        start = estimates[int(np.argmin(later))]
        axis.errorbar([origin], [start.point], yerr=_yerr([start]), fmt="o", markersize=3.5, capsize=2,
                      color=line.get_color())
    for step, est in zip(steps, estimates):
        writer.add(figure, panel, label, float(step), est)


def _seed_lines(axis, writer: FigureWriter, figure: str, panel: str, group: RunGroup, label: str,
                origin: float | None, color: str | None, linestyle: str = "-") -> None:
    """A split group (:func:`is_split`): each seed's curve, no IQM or band; the CSV gets each seed's rows."""
    steps, seeds = group.seed_curves()
    seed_numbers = [run.config.seed for run, rows in zip(group.runs, group.metrics(), strict=True) if rows]
    later = steps > 0 if origin is not None else np.ones(len(steps), dtype=bool)
    for k, (seed, values) in enumerate(zip(seed_numbers, seeds, strict=True)):
        (line,) = axis.plot(steps[later], values[later], color=color, linewidth=0.9, alpha=0.75, linestyle=linestyle,
                            label=f"{label} (each of {len(seeds)} seeds: split)" if k == 0 else None)
        color = line.get_color()
        if not later.all():
            axis.plot([origin], values[~later][:1], "o", markersize=2.5, color=color, alpha=0.75)
        for step, value in zip(steps, values):
            writer.add(figure, panel, f"{label}, seed {seed}", float(step), _seed_value(value))


def _seed_value(value: float) -> Interval:
    """One seed's value as a CSV row: statistic "seed", no interval."""
    return Interval("seed", float(value), math.nan, math.nan, 1)


def _panels(count: int, title: str):
    figure, axes = canvas.subplots(1, count, figsize=(4.2 * count, 3.6), sharey=True, constrained_layout=True,
                                squeeze=False)
    figure.suptitle(f"{title}\n{STATISTIC_NOTE}", fontsize=11)
    return figure, axes[0]


def _origin(groups: list[RunGroup]) -> float:
    """Where step 0 is drawn on the log step axis: a third of the first evaluation's step, apart from it."""
    positive = [s for g in groups for s in g.seed_curves()[0] if s > 0]  # steps only: no bootstrap needed
    return float(min(positive)) / 3 if positive else 1.0


def _format_curve_axis(axis, title: str, origin: float | None = None, legend_below: bool = False) -> None:
    """Linear steps from 0 (one algorithm's budget per panel), or, with ``origin`` (panels mixing budgets
    decades apart), log steps from the first evaluation with the untrained policy at ``origin``, ticked 0."""
    if origin is None:
        axis.set_xlim(left=0)
        axis.ticklabel_format(axis="x", style="sci", scilimits=(0, 0))
    else:
        axis.set_xscale("log")
        right = max(axis.dataLim.x1, origin * 10)
        decades = [10.0 ** k for k in range(math.ceil(math.log10(origin * 2.5)), math.floor(math.log10(right)) + 1)]
        axis.set_xticks([origin, *decades], ["0", *(f"$10^{{{round(math.log10(d))}}}$" for d in decades)])
        axis.minorticks_off()
        axis.set_xlim(origin / 1.5, right * 1.3)
    axis.set_title(title, fontsize=10)
    axis.set_xlabel("environment steps")
    axis.grid(alpha=0.3)
    if legend_below:  # many series: beside the curves, not over them
        axis.legend(fontsize=6, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False)
    else:
        axis.legend(fontsize=7)


RANDOM_PHASE = "DDPG: random actions"


def _shade_random_phase(axis, group: RunGroup, origin: float | None) -> None:
    """DDPG acts at random for its first ``random_steps``: shaded once per panel, so that nobody reads
    the flat start as learning."""
    if group.algo != "ddpg" or any(p.get_label() == RANDOM_PHASE for p in axis.patches):
        return
    axis.axvspan(origin or 0, group.config.offpolicy.random_steps, color=ALGO_COLORS["ddpg"], alpha=0.1,
                 label=RANDOM_PHASE, linewidth=0)


def figure_4a(groups: list[RunGroup], writer: FigureWriter) -> list[Path]:
    mlps = [g for g in groups if is_two_layer_mlp(g.arch)]
    largest = max((g.arch.hidden for g in mlps), key=lambda h: h[0] * h[1], default=None)
    shown = [g for g in groups if is_plain_circuit(g.arch) or (g in mlps and g.arch.hidden == largest)]
    archs = sorted({g.arch for g in shown}, key=lambda a: (a.arch != "ncap", arch_key(a)))  # NCAP, then by name
    figure, axes = _panels(len(archs), "Fig. 4A: learning curves per architecture")
    origin = _origin(groups)
    for axis, arch in zip(axes, archs):
        for group in (g for g in shown if g.arch == arch):
            _curve(axis, writer, "4a", group.key, group, ALGO_NAMES[group.algo], origin, ALGO_COLORS[group.algo])
        _format_curve_axis(axis, arch_label(arch), origin)
    axes[0].set_ylabel("evaluation return")
    return writer.save("4a", figure)


def _is_fig4b_arch(arch: ArchitectureConfig) -> bool:
    return is_plain_circuit(arch) or is_two_layer_mlp(arch)


def _architecture_colors(groups: list[RunGroup]) -> dict[str, str]:
    """Fig. 4B's colours, which mean architecture (Fig. 4A's mean algorithm, so none is shared): NCAP
    black, MLPs from light to dark by size, the same in every panel."""
    mlps = sorted({g.key: g.num_parameters for g in groups if is_two_layer_mlp(g.arch)}.items(), key=lambda kv: kv[1])
    shades = canvas.colormap("YlGnBu", len(mlps))
    return {"ncap": "black"} | {key: shades[i] for i, (key, _) in enumerate(mlps)}


def figure_4b(groups: list[RunGroup], writer: FigureWriter) -> list[Path]:
    algos = [a for a in ALGO_NAMES if any(g.algo == a for g in groups)]
    figure, axes = _panels(len(algos), "Fig. 4B: NCAP vs MLPs per algorithm (colour: architecture)")
    colors = _architecture_colors([g for g in groups if _is_fig4b_arch(g.arch)])
    for axis, algo in zip(axes, algos):
        for group in sorted((g for g in groups if g.algo == algo and _is_fig4b_arch(g.arch)),
                            key=lambda g: g.num_parameters):
            _curve(axis, writer, "4b", algo, group, group.label, color=colors.get(group.key))
        _format_curve_axis(axis, ALGO_NAMES[algo])
    axes[0].set_ylabel("evaluation return")
    return writer.save("4b", figure)


def _parameter_ticks(axis, groups: list[RunGroup]) -> None:
    """Ticks at each architecture's parameter count, labelled with the architecture and the count (MLPs of
    one size and another activation share a tick), so that no label is written over a point."""
    names: dict[int, list[str]] = {}
    for group in sorted(groups, key=lambda g: g.num_parameters):
        name = "NCAP" if group.arch.arch == "ncap" else "MLP " + "x".join(map(str, group.arch.hidden))
        if name not in names.setdefault(group.num_parameters, []):
            names[group.num_parameters].append(name)
    # every other label one line lower: neighbours less than a decade apart (69 and 141) would overlap
    labels = [("\n\n" if i % 2 else "") + f"{'/'.join(n)}\n{count:,}" for i, (count, n) in enumerate(names.items())]
    axis.set_xticks(list(names), labels, fontsize=7)
    axis.minorticks_off()


_MLP_MARKERS = {"relu": "o", "tanh": "D"}
"""Fig. 5's marker per MLP hidden activation (another: a square); the circuit is a star."""


def _fig5_marker(arch: ArchitectureConfig) -> str:
    return "*" if arch.arch == "ncap" else _MLP_MARKERS.get(arch.mlp_activation, "s")


def _fig5_legend(axis, algos: list[str], groups: list[RunGroup]) -> None:
    """Colour: algorithm; marker: architecture; hollow: no asymptote within the budget."""
    from matplotlib.lines import Line2D  # noqa: PLC0415

    handles = [Line2D([], [], color=ALGO_COLORS[a], label=ALGO_NAMES[a]) for a in algos]
    kinds = {("NCAP" if g.arch.arch == "ncap" else f"MLP ({g.arch.mlp_activation})"): _fig5_marker(g.arch)
             for g in sorted(groups, key=lambda g: g.num_parameters)}
    handles += [Line2D([], [], linestyle="None", marker=m, color="gray", label=k) for k, m in kinds.items()]
    handles.append(Line2D([], [], linestyle="None", marker="o", color="gray", markerfacecolor="white",
                          label="hollow: no asymptote\nwithin the budget"))
    axis.legend(handles=handles, fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)


def figure_5(groups: list[RunGroup], writer: FigureWriter) -> list[Path]:
    """Final return and final return per parameter against parameter count. The circuit is a star, apart;
    MLPs of one activation are joined by a line (a trend over MLP sizes). A hollow marker is a group without
    an asymptote within its budget (:func:`~ncap.experiments.summary.reached_asymptote`): its final return
    is where training stopped, not where it would end."""
    figure, (absolute, per_param) = canvas.subplots(1, 2, figsize=(11.5, 4.4), constrained_layout=True)
    figure.suptitle("Fig. 5: parameter efficiency (final evaluation return)\nIQM over seeds with its 95% "
                    "stratified bootstrap CI (n seeds per point: figure CSV)", fontsize=11)
    drawn, algos = [], []
    for algo in ALGO_NAMES:
        chosen = sorted((g for g in groups if g.algo == algo and _is_fig4b_arch(g.arch)),
                        key=lambda g: g.num_parameters)
        if not chosen:
            continue
        drawn, algos, color = drawn + chosen, algos + [algo], ALGO_COLORS[algo]
        for group in chosen:
            final = estimate(group.final_returns())
            efficiency = estimate(np.asarray(group.final_returns()) / group.num_parameters)
            steps, curve = group.curve()
            settled = reached_asymptote(steps, [e.point for e in curve])
            series = f"{algo} {group.label}"
            writer.add("5", "final_return", series, group.num_parameters, final)
            writer.add("5", "return_per_parameter", series, group.num_parameters, efficiency)
            marker = _fig5_marker(group.arch)
            for axis, est in ((absolute, final), (per_param, efficiency)):
                axis.errorbar([group.num_parameters], [est.point], yerr=_yerr([est]), fmt=marker, capsize=2,
                              markersize=11 if marker == "*" else 6, color=color,
                              markerfacecolor=color if settled else "white", markeredgewidth=1.2)
        activations = sorted({g.arch.mlp_activation for g in chosen if g.arch.arch == "mlp"}, key=lambda a: a != "relu")
        for index, activation in enumerate(activations):
            line = [g for g in chosen if g.arch.arch == "mlp" and g.arch.mlp_activation == activation]
            params = [g.num_parameters for g in line]
            finals = [estimate(g.final_returns()).point for g in line]
            style = {"color": color, "linestyle": ("-", "--", ":")[index % 3], "zorder": 1,
                     "label": f"{ALGO_NAMES[algo]} MLPs" + ("" if activation == "relu" else f" ({activation})")}
            absolute.plot(params, finals, **style)
            per_param.plot(params, np.array(finals) / np.array(params), **style)
    for axis, ylabel in ((absolute, "final return"), (per_param, "final return per parameter")):
        axis.set_xscale("log")
        _parameter_ticks(axis, drawn)
        axis.set_xlabel("parameters")
        axis.set_ylabel(ylabel)
        axis.grid(alpha=0.3)
    per_param.set_yscale("log")
    _fig5_legend(per_param, algos, drawn)
    return writer.save("5", figure)


def transfer_returns(run, lengths: tuple[int, ...]) -> dict[int, float]:
    """One trained circuit's deterministic return on each body length, zero-shot, on the starts and episode
    count of its own training's evaluations (``eval_seed``, ``eval_episodes``): at its trained length this is
    its final evaluation's deterministic return."""
    policy, config, _ = load_run(run.path)
    return {n: evaluate(transfer_policy(policy, n), config.task, n, config.eval_episodes, config.eval_seed).mean_return
            for n in lengths}


def _transfer_sources(groups: list[RunGroup]) -> list[RunGroup]:
    """Fig. 6's trained circuits: those trained at 6 links, else (smoke sweeps train shorter bodies) every
    plain circuit."""
    trained = [g for g in groups if is_plain_circuit(g.arch) and g.n_links == 6]
    return trained or [g for g in groups if is_plain_circuit(g.arch)]


def figure_6(groups: list[RunGroup], writer: FigureWriter, lengths: tuple[int, ...] = TRANSFER_LINKS) -> list[Path]:
    """Zero-shot transfer of the trained circuits, beside the untrained one, all in one measure (deterministic
    actions) and on the same evaluation starts (the trained runs' ``eval_seed`` and ``eval_episodes``)."""
    trained = _transfer_sources(groups)
    figure, axis = canvas.subplots(figsize=(7.5, 5), constrained_layout=True)
    joints = np.array(lengths) - 1
    seed, episodes = shared_starts(trained) if trained else (TrainConfig.eval_seed, TrainConfig.eval_episodes)
    untrained = build_policy(ArchitectureConfig(), "swim", 6)
    base = [Interval("one policy", evaluate(transfer_policy(untrained, n), "swim", n, episodes, seed).mean_return,
                     math.nan, math.nan, 1) for n in lengths]
    axis.plot(joints, [e.point for e in base], "k--", marker="s", label="untrained NCAP")
    for n, est in zip(lengths, base):
        writer.add("6", "transfer", "untrained", n - 1, est)
    for group in trained:
        per_run = [transfer_returns(run, lengths) for run in group.runs]
        ests = [estimate([returns[n] for returns in per_run]) for n in lengths]
        (line,) = axis.plot(joints, [e.point for e in ests], marker="o", color=ALGO_COLORS[group.algo],
                            label=f"{ALGO_NAMES[group.algo]} NCAP trained on {group.n_links - 1} joints "
                                  f"(n={len(group.runs)})")
        if any(e.has_interval for e in ests):
            axis.fill_between(joints, [e.low for e in ests], [e.high for e in ests], color=line.get_color(),
                              alpha=0.2)
        for n, est in zip(lengths, ests):
            writer.add("6", "transfer", f"{group.algo} trained", n - 1, est)
    for trained_joints in sorted({g.n_links - 1 for g in trained}):
        axis.axvline(trained_joints, color="gray", lw=0.8)
    axis.set_xlabel("joints of the body (vertical line: trained length)")
    axis.set_ylabel("deterministic evaluation return")
    starts = f"{episodes} episodes from the training's evaluation starts"
    axis.set_title(f"Fig. 6: zero-shot transfer to other body lengths\ndeterministic actions, {starts};\n"
                   "IQM over seeds, band: its 95% stratified bootstrap CI", fontsize=10)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7)
    return writer.save("6", figure)


def figure_7a(groups: list[RunGroup], writer: FigureWriter) -> list[Path]:
    ablated = [g for g in groups if is_circuit_ablation(g.arch)]
    algos = [a for a in ALGO_NAMES if any(g.algo == a for g in ablated)] or ["ppo"]
    figure, axes = canvas.subplots(len(algos), 2, figsize=(11, 3.6 * len(algos)), constrained_layout=True,
                                squeeze=False)
    figure.suptitle("Fig. 7A: ablations: weight sharing x sign constraints x initialization\n"
                    f"{STATISTIC_NOTE}\ncurves: return axis log above 1 (linear below) where the curves span more "
                    "than a decade; bars: IQM and its CI, dots: each seed",
                    fontsize=11)
    for (curves, bars), algo in zip(axes, algos):
        chosen = sorted((g for g in ablated if g.algo == algo), key=lambda g: (_ablations(g.arch), g.key))
        finals = []
        for group in chosen:
            _curve(curves, writer, "7a", algo, group, group.label, color=_ablation_color(group.arch),
                   linestyle="-" if group.arch.weight_sharing else "--")
            est = estimate(group.final_returns())
            finals.append(est)
            writer.add("7a", f"{algo} final", group.label, math.nan, est)
        _format_curve_axis(curves, f"{ALGO_NAMES[algo]}: learning curves", legend_below=True)
        _return_axis(curves)
        positions = np.arange(len(chosen))
        bars.bar(positions, [e.point for e in finals], yerr=_yerr(finals), capsize=3, color=ALGO_COLORS[algo],
                 alpha=0.6)
        for position, group in zip(positions, chosen):
            seeds = group.final_returns()
            bars.plot(position + np.linspace(-0.2, 0.2, len(seeds)), seeds, ".", color="black", markersize=4)
        bars.set_xticks(positions, [g.label for g in chosen], rotation=35, ha="right", fontsize=7)
        bars.set_ylabel("final evaluation return")
        bars.set_title(f"{ALGO_NAMES[algo]}: final return", fontsize=10)
    return writer.save("7a", figure)


def _return_axis(axis) -> None:
    """Fig. 7A's return axis: where the curves span more than a decade (near-zero ablations beside learning
    ones), log above 1 and linear below, so that near-zero curves stand apart and a band reaching 0 ends at
    the axis's 0; else linear, so that close curves stay apart."""
    low, high = axis.dataLim.ymin, axis.dataLim.ymax
    if high > 0 and low < high / 10:
        axis.set_yscale("symlog", linthresh=1.0, linscale=0.5)
        axis.set_ylim(0.0, 10 ** math.ceil(math.log10(max(high, 10.0))))
        axis.set_ylabel("evaluation return (log above 1)")
    else:
        axis.set_ylabel("evaluation return")


def _yerr(estimates) -> np.ndarray:
    """Error bar lengths (2, n) below and above each point; 0 where there is no interval (one seed) or where
    rounding puts the point a hair outside it (seeds all equal)."""
    lengths = [[e.point - e.low for e in estimates], [e.high - e.point for e in estimates]]
    return np.maximum(np.nan_to_num(np.array(lengths)), 0.0)


_ABLATION_COLORS = {(True, "constant"): "tab:blue", (True, "uniform"): "tab:green",
                    (False, "constant"): "tab:red", (False, "uniform"): "tab:purple"}
"""Fig. 7A's curve colours by (sign constraints, init); weight sharing is the line style (solid: shared)."""


def _ablation_color(arch: ArchitectureConfig) -> str:
    return _ABLATION_COLORS[(arch.sign_constraints, arch.init)]


def _ablations(arch: ArchitectureConfig) -> int:
    """How many of Fig. 7A's three ablations (sharing, signs, initialisation) ``arch`` applies."""
    return (not arch.weight_sharing) + (not arch.sign_constraints) + (arch.init == "uniform")


FIG7B_ARCHS = {
    ArchitectureConfig(): "NCAP",
    ArchitectureConfig(dense_embedding=True, embedding_init="random"): "dense MLP(12,10,10), random init (paper)",
    ArchitectureConfig(dense_embedding=True): "dense MLP(12,10,10) started at NCAP's weights (all 391 free)",
    ArchitectureConfig(arch="mlp", hidden=(12, 10, 10)): "MLP(12,10,10) on observations (extra)",
}
"""Fig. 7B's architectures, in drawing order, and their labels."""


def figure_7b(groups: list[RunGroup], writer: FigureWriter) -> list[Path]:
    order = list(FIG7B_ARCHS)
    chosen = sorted((g for g in groups if g.algo == "ppo" and g.arch in FIG7B_ARCHS), key=lambda g: order.index(g.arch))
    figure, axis = canvas.subplots(figsize=(6.5, 4), constrained_layout=True)
    for group in chosen:
        _curve(axis, writer, "7b", "curves", group, FIG7B_ARCHS[group.arch])
    _format_curve_axis(axis, f"Fig. 7B: sparsity (PPO)\n{STATISTIC_NOTE}")
    axis.set_ylabel("evaluation return")
    return writer.save("7b", figure)


FIGURE_FUNCTIONS: dict[str, Callable] = {"4a": figure_4a, "4b": figure_4b, "5": figure_5, "6": figure_6,
                                         "7a": figure_7a, "7b": figure_7b}


def figures_with_runs(groups: list[RunGroup]) -> tuple[str, ...]:
    """The figures that ``groups`` hold something to compare for: Fig. 7A needs an ablation, Fig. 7B a
    dense or MLP(12,10,10) run under PPO, the others the circuit or a two-layer MLP."""
    plain = any(is_plain_circuit(g.arch) for g in groups)
    fig4 = plain or any(is_two_layer_mlp(g.arch) for g in groups)
    has = {"4a": fig4, "4b": fig4, "5": fig4, "6": plain,
           "7a": any(is_circuit_ablation(g.arch) and not is_plain_circuit(g.arch) for g in groups),
           "7b": any(g.algo == "ppo" and g.arch in FIG7B_ARCHS and not is_plain_circuit(g.arch) for g in groups)}
    return tuple(name for name in FIGURE_FUNCTIONS if has[name])


def make_figures(runs_dir: str | Path, out: str | Path, figures: tuple[str, ...] | None = None,
                 transfer_links: tuple[int, ...] = TRANSFER_LINKS) -> list[Path]:
    """Draw ``figures`` (default: every figure whose runs exist under ``runs_dir``, see
    :func:`figures_with_runs`) and the summary; returns the files written.

    Fig. 6 evaluates every trained circuit on each body length of ``transfer_links``, with its own
    training's evaluation episodes and starts.
    """
    groups = load_groups(runs_dir)
    if not groups:
        raise ConfigError(f"no swim runs with metrics under {runs_dir}")
    names = figures_with_runs(groups) if figures is None else figures
    sources = _transfer_sources(groups) if "6" in names else []
    if sources:
        shared_starts(sources)  # refused before any figure is drawn
    writer = FigureWriter(out)
    written = []
    for name in names:
        if name == "6":
            written += figure_6(groups, writer, lengths=transfer_links)
        else:
            written += FIGURE_FUNCTIONS[name](groups, writer)
    return written + write_summary(groups, writer.out)
