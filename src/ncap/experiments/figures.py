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
actions for PPO, deterministic for DDPG and ES).

Curves show the mean over seeds and a 95% bootstrap confidence band
(``scipy.stats.bootstrap``); a group whose seeds end split apart (some stuck while the others learn,
:func:`~ncap.experiments.results.is_split`) is drawn seed by seed instead, without a mean or band. Steps
are linear from 0 where a panel shows one algorithm's budget (4B, 7A, 7B); Fig. 4A, whose panels mix
budgets decades apart, has log steps from the first evaluation with the untrained policy's return (step 0)
drawn apart as a point ticked "0". DDPG's random-action phase is shaded.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ncap.envs import EPISODE_STEPS
from ncap.errors import ConfigError
from ncap.evaluation import ActionNoise, evaluate
from ncap.experiments.labels import (
    ALGO_COLORS,
    ALGO_NAMES,
    arch_key,
    arch_label,
    is_circuit_ablation,
    is_plain_circuit,
    is_two_layer_mlp,
)
from ncap.experiments.results import Estimate, RunGroup, estimate, is_split, load_groups
from ncap.experiments.summary import write_summary
from ncap.policies import ArchitectureConfig, build_policy, transfer_policy
from ncap.runs import atomic_csv, load_run
from ncap.viz import canvas

CSV_FIELDS = ("figure", "panel", "series", "x", "mean", "ci_low", "ci_high", "n_seeds")
TRANSFER_LINKS = tuple(range(3, 17))


class FigureWriter:
    """Saves figures as PNG and SVG and collects their numbers for one CSV each."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.rows: list[dict] = []

    def add(self, figure: str, panel: str, series: str, x: float, est) -> None:
        self.rows.append({"figure": figure, "panel": panel, "series": series, "x": x, "mean": est.mean,
                          "ci_low": est.low, "ci_high": est.high, "n_seeds": est.n})

    def save(self, figure_name: str, figure) -> list[Path]:
        paths = [self.out / f"fig{figure_name}.{ext}" for ext in ("png", "svg")]
        for path in paths:
            canvas.save(figure, path, dpi=130)
        rows = [row for row in self.rows if row["figure"] == figure_name]
        atomic_csv(self.out / f"fig{figure_name}.csv", CSV_FIELDS, rows)
        return paths


def _curve(axis, writer: FigureWriter, figure: str, panel: str, group: RunGroup, label: str,
           origin: float | None = None, color: str | None = None) -> None:
    """Mean over seeds and its band; on a log step axis (``origin`` given) from the first evaluation on,
    with the untrained policy's return a point at ``origin`` (drawn apart, ticked 0)."""
    steps, estimates = group.curve()
    if not len(steps):
        return
    _shade_random_phase(axis, group, origin)
    if is_split(group.final_returns(), scale=EPISODE_STEPS):  # the swim task's best return: 1 per step
        _seed_lines(axis, writer, figure, panel, group, label, origin, color)
        return
    mean = np.array([e.mean for e in estimates])
    low, high = np.array([e.low for e in estimates]), np.array([e.high for e in estimates])
    later = steps > 0 if origin is not None else np.ones(len(steps), dtype=bool)
    (line,) = axis.plot(steps[later], mean[later], label=f"{label} (n={estimates[0].n})", color=color)
    if not np.isnan(low).all():
        axis.fill_between(steps[later], low[later], high[later], color=line.get_color(), alpha=0.15, linewidth=0)
    if not later.all():
        start = estimates[int(np.argmin(later))]
        axis.errorbar([origin], [start.mean], yerr=_yerr([start]), fmt="o", markersize=3.5, capsize=2,
                      color=line.get_color())
    for step, est in zip(steps, estimates):
        writer.add(figure, panel, label, float(step), est)


def _seed_lines(axis, writer: FigureWriter, figure: str, panel: str, group: RunGroup, label: str,
                origin: float | None, color: str | None) -> None:
    """A split group (:func:`is_split`): each seed's curve, no mean or band; the CSV gets each seed's rows."""
    steps, seeds = group.seed_curves()
    seed_numbers = [run.config.seed for run, rows in zip(group.runs, group.metrics(), strict=True) if rows]
    later = steps > 0 if origin is not None else np.ones(len(steps), dtype=bool)
    for k, (seed, values) in enumerate(zip(seed_numbers, seeds, strict=True)):
        (line,) = axis.plot(steps[later], values[later], color=color, linewidth=0.9, alpha=0.75,
                            label=f"{label} (each of {len(seeds)} seeds: split)" if k == 0 else None)
        color = line.get_color()
        if not later.all():
            axis.plot([origin], values[~later][:1], "o", markersize=2.5, color=color, alpha=0.75)
        for step, value in zip(steps, values):
            writer.add(figure, panel, f"{label}, seed {seed}", float(step), Estimate(float(value), math.nan,
                                                                                         math.nan, 1))


def _panels(count: int, title: str):
    figure, axes = canvas.subplots(1, count, figsize=(4.2 * count, 3.6), sharey=True, constrained_layout=True,
                                squeeze=False)
    figure.suptitle(title)
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


def figure_5(groups: list[RunGroup], writer: FigureWriter) -> list[Path]:
    figure, (absolute, per_param) = canvas.subplots(1, 2, figsize=(9, 3.8), constrained_layout=True)
    figure.suptitle("Fig. 5: parameter efficiency (final evaluation return)")
    for algo in ALGO_NAMES:
        chosen = sorted((g for g in groups if g.algo == algo and _is_fig4b_arch(g.arch)), key=lambda g: g.num_parameters)
        if not chosen:
            continue
        finals = {g.key: estimate(g.final_returns()) for g in chosen}
        efficiency = {g.key: estimate(np.asarray(g.final_returns()) / g.num_parameters) for g in chosen}
        for group in chosen:
            writer.add("5", "final_return", f"{algo} {group.label}", group.num_parameters, finals[group.key])
            writer.add("5", "return_per_parameter", f"{algo} {group.label}", group.num_parameters,
                       efficiency[group.key])
            per_param.annotate(group.label, (group.num_parameters, efficiency[group.key].mean), fontsize=6)
        # one line per MLP hidden activation, each through the circuit: MLPs of one size but another
        # activation are another line, not a vertical step
        activations = sorted({g.arch.mlp_activation for g in chosen if g.arch.arch == "mlp"},
                             key=lambda a: a != "relu") or ["relu"]
        for index, activation in enumerate(activations):
            line = [g for g in chosen if g.arch.arch != "mlp" or g.arch.mlp_activation == activation]
            label = ALGO_NAMES[algo] + ("" if activation == "relu" else f", {activation} MLPs")
            style = {"marker": "o", "label": label, "color": ALGO_COLORS[algo],
                     "linestyle": ("-", "--", ":")[index % 3]}
            params = [g.num_parameters for g in line]
            absolute.plot(params, [finals[g.key].mean for g in line], **style)
            per_param.plot(params, [efficiency[g.key].mean for g in line], **style)
    for axis, ylabel in ((absolute, "final return"), (per_param, "final return per parameter")):
        axis.set_xscale("log")
        axis.set_xlabel("parameters")
        axis.set_ylabel(ylabel)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7)
    per_param.set_yscale("log")
    return writer.save("5", figure)


def transfer_returns(group: RunGroup, lengths: tuple[int, ...], episodes: int, seed: int) -> dict[int, list[float]]:
    """Per body length, each seed's zero-shot return of the group's trained circuits, in the
    group's measure (sampled actions use the run's own action std, the same on every joint)."""
    out: dict[int, list[float]] = {n: [] for n in lengths}
    sampled = group.measure == "return_sampled"
    for run in group.runs:
        policy, config, noise = load_run(run.path)
        for n_links in lengths:
            std = (sum(noise.std) / len(noise.std),) * (n_links - 1) if sampled and noise else None
            result = evaluate(transfer_policy(policy, n_links), config.task, n_links, episodes, seed,
                              noise=ActionNoise(std, noise.squashed) if std else None)
            out[n_links].append(result.mean_sampled_return if std else result.mean_return)
    return out


def figure_6(groups: list[RunGroup], writer: FigureWriter, episodes: int = 5, seed: int = 2_000_000,
             lengths: tuple[int, ...] = TRANSFER_LINKS) -> list[Path]:
    trained = [g for g in groups if is_plain_circuit(g.arch) and g.n_links == 6]
    if not trained:  # smoke sweeps train shorter bodies: transfer from whatever the circuits learned on
        trained = [g for g in groups if is_plain_circuit(g.arch)]
    figure, axis = canvas.subplots(figsize=(6.5, 4), constrained_layout=True)
    joints = np.array(lengths) - 1
    untrained = build_policy(ArchitectureConfig(), "swim", 6)
    base = [estimate([evaluate(transfer_policy(untrained, n), "swim", n, episodes, seed).mean_return])
            for n in lengths]
    axis.plot(joints, [e.mean for e in base], "k--", marker="s", label="untrained NCAP (deterministic)")
    for n, est in zip(lengths, base):
        writer.add("6", "transfer", "untrained", n - 1, est)
    for group in trained:
        per_length = transfer_returns(group, lengths, episodes, seed)
        ests = [estimate(per_length[n]) for n in lengths]
        (line,) = axis.plot(joints, [e.mean for e in ests], marker="o", color=ALGO_COLORS[group.algo],
                            label=f"{ALGO_NAMES[group.algo]} NCAP trained on {group.n_links - 1} joints "
                                  f"(n={len(group.runs)})")
        low, high = [e.low for e in ests], [e.high for e in ests]
        if not np.isnan(low).all():
            axis.fill_between(joints, low, high, color=line.get_color(), alpha=0.2)
        for n, est in zip(lengths, ests):
            writer.add("6", "transfer", f"{group.algo} trained", n - 1, est)
    for trained_joints in sorted({g.n_links - 1 for g in trained}):
        axis.axvline(trained_joints, color="gray", lw=0.8)
    axis.set_xlabel("joints of the body (vertical line: trained length)")
    axis.set_ylabel("evaluation return")
    axis.set_title("Fig. 6: zero-shot transfer to other body lengths")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7)
    return writer.save("6", figure)


def figure_7a(groups: list[RunGroup], writer: FigureWriter) -> list[Path]:
    ablated = [g for g in groups if is_circuit_ablation(g.arch)]
    algos = [a for a in ALGO_NAMES if any(g.algo == a for g in ablated)] or ["ppo"]
    figure, axes = canvas.subplots(len(algos), 2, figsize=(11, 3.6 * len(algos)), constrained_layout=True,
                                squeeze=False)
    figure.suptitle("Fig. 7A: ablations: weight sharing x sign constraints x initialization")
    for (curves, bars), algo in zip(axes, algos):
        chosen = sorted((g for g in ablated if g.algo == algo), key=lambda g: (_ablations(g.arch), g.key))
        finals = []
        for group in chosen:
            _curve(curves, writer, "7a", algo, group, group.label)
            est = estimate(group.final_returns())
            finals.append(est)
            writer.add("7a", f"{algo} final", group.label, math.nan, est)
        _format_curve_axis(curves, f"{ALGO_NAMES[algo]}: learning curves", legend_below=True)
        curves.set_ylabel("evaluation return")
        positions = np.arange(len(chosen))
        bars.bar(positions, [e.mean for e in finals], yerr=_yerr(finals), capsize=3, color=ALGO_COLORS[algo])
        bars.set_xticks(positions, [g.label for g in chosen], rotation=35, ha="right", fontsize=7)
        bars.set_ylabel("final evaluation return")
        bars.set_title(f"{ALGO_NAMES[algo]}: final return", fontsize=10)
    return writer.save("7a", figure)


def _yerr(estimates) -> np.ndarray:
    """Error bar lengths (2, n) below and above each mean; 0 where there is no interval (one seed) or where
    rounding puts the mean a hair outside it (seeds all equal)."""
    lengths = [[e.mean - e.low for e in estimates], [e.high - e.mean for e in estimates]]
    return np.maximum(np.nan_to_num(np.array(lengths)), 0.0)


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
    _format_curve_axis(axis, "Fig. 7B: sparsity (PPO)")
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
                 transfer_episodes: int = 5, transfer_links: tuple[int, ...] = TRANSFER_LINKS) -> list[Path]:
    """Draw ``figures`` (default: every figure whose runs exist under ``runs_dir``, see
    :func:`figures_with_runs`) and the summary; returns the files written.

    Fig. 6 evaluates every trained circuit on each body length of
    ``transfer_links`` (``transfer_episodes`` episodes each).
    """
    groups = load_groups(runs_dir)
    if not groups:
        raise ConfigError(f"no swim runs with metrics under {runs_dir}")
    writer = FigureWriter(out)
    written = []
    for name in figures_with_runs(groups) if figures is None else figures:
        if name == "6":
            written += figure_6(groups, writer, episodes=transfer_episodes, lengths=transfer_links)
        else:
            written += FIGURE_FUNCTIONS[name](groups, writer)
    return written + write_summary(groups, writer.out)
