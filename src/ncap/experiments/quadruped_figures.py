"""The quadruped's figures: learning curves, generalisation, gait, return per parameter, and a summary.

``make_quadruped_figures(runs_dir, out)`` reads every finished quadruped run
under ``runs_dir``, groups runs that differ only in their seed, and writes,
each as PNG + SVG + CSV (``figure, panel, series, x, mean, ci_low, ci_high,
n_seeds``):

- ``figQcurves``: evaluation return and forward displacement against steps,
  per terrain, one line per (algorithm, architecture): the interquartile mean (IQM) over seeds,
  thin lines for each seed, and its 95% stratified bootstrap CI over seeds (rliable; with 3 seeds the IQM
  is their mean and the interval nearly their range); step 0 is the untrained policy;
- ``figQgeneral``: policies trained on flat ground at walk speed, evaluated on
  bumps, on fixed frictions 0.4 .. 1.6 and at run speed, beside flat;
- ``figQgait``: footfalls of the untrained and the trained circuit at walk and run drive;
- ``figQparams``: final return and displacement against trainable parameters;
- ``quadruped_summary.md`` / ``.csv``: one row per group.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np

from ncap.circuits import num_parameters
from ncap.config import identity
from ncap.envs.quadruped import QuadrupedTaskConfig
from ncap.envs.quadruped.locomotion import QUADRUPED
from ncap.errors import ConfigError
from ncap.evaluation import evaluate
from ncap.experiments.figures import FigureWriter, _yerr
from ncap.experiments.gait import draw_footfalls, record_gait
from ncap.experiments.labels import ALGO_NAMES, arch_label, quadruped_key
from ncap.experiments.results import RunGroup, estimate
from ncap.experiments.statistics import Interval
from ncap.policies import ArchitectureConfig, build_policy
from ncap.runs import CONFIG, RunDir, atomic_csv, atomic_write, load_run
from ncap.viz import canvas

CONDITIONS = (("flat (trained)", {}), ("bumps", {"terrain": "bumps"}),
              *((f"friction {mu:g}", {"friction": (mu, mu)}) for mu in (0.4, 0.7, 1.0, 1.3, 1.6)),
              ("run speed 1.0 m/s", {"speed": 1.0}))
"""Generalisation conditions: changes to the training task (flat, walk)."""
SUMMARY_FIELDS = ("algo", "arch", "task", "seeds", "parameters", "steps", "initial_iqm", "final_iqm",
                  "final_iqm_ci", "final_displacement_iqm_m", "final_displacement_ci", "fall_rate")


def load_quadruped_groups(runs_dir: str | Path) -> list[RunGroup]:
    """Every finished quadruped run under ``runs_dir``, grouped over seeds."""
    groups: dict = {}
    for path in sorted(Path(runs_dir).iterdir()) if Path(runs_dir).is_dir() else []:
        if not (path / CONFIG).is_file():
            continue
        run = RunDir(path)
        if run.config.task != QUADRUPED.name or not run.finished or not run.read_metrics():
            continue
        key = identity(dataclasses.replace(run.config, seed=0))
        groups.setdefault(key, RunGroup(run.config, [])).runs.append(run)
    return list(groups.values())


def _series(group: RunGroup) -> str:
    return f"{ALGO_NAMES[group.algo]} {arch_label(group.arch)}"


MLP_COLORS = {"es": "C0", "ppo": "C2"}
"""MLP colours per algorithm: ES and PPO MLPs must be told apart in one panel."""
CIRCUIT_COLORS = {"es": "C3", "ppo": "C1"}
"""The quadruped circuit's colours per algorithm (ES red, PPO orange); circuits from other specs purple."""


def _color(group: RunGroup) -> str:
    if group.arch.arch != "ncap":
        return MLP_COLORS.get(group.algo, "C7")
    if group.arch.circuit_spec is not None and group.arch.circuit_spec != "quadruped":
        return "C4"
    return CIRCUIT_COLORS.get(group.algo, "C3")


def figure_curves(groups: list[RunGroup], writer: FigureWriter) -> list[Path]:
    terrains = sorted({g.config.quadruped.terrain for g in groups}, key=["flat", "bumps"].index)
    figure, axes = canvas.subplots(2, len(terrains), figsize=(5 * len(terrains), 6.4), squeeze=False,
                                   constrained_layout=True, sharex="col")
    figure.suptitle("Quadruped, walk: IQM over seeds,\n95% stratified bootstrap CI; thin lines: seeds", fontsize=9)
    for column, terrain in enumerate(terrains):
        for row, (measure, name) in enumerate((("return_deterministic", "return (max 500)"),
                                               ("forward_displacement", "forward displacement (m)"))):
            axis = axes[row][column]
            for group in (g for g in groups if g.config.quadruped.terrain == terrain):
                _draw_group(axis, writer, "Qcurves", f"{terrain} {measure}", group, measure)
            axis.set_title(f"{terrain}: {name}", fontsize=9)
            axis.set_ylabel(name)
            axis.grid(alpha=0.3)
            axis.legend(fontsize=7)
        axes[1][column].set_xlabel("environment steps (step 0: untrained)")
    return writer.save("Qcurves", figure)


def _draw_group(axis, writer: FigureWriter, figure: str, panel: str, group: RunGroup, measure: str) -> None:
    steps, estimates = group.curve(measure)
    if not len(steps):
        return
    label, color = _series(group), _color(group)
    for rows in group.metrics():
        axis.plot([r["env_steps"] for r in rows], [r[measure] for r in rows], color=color, alpha=0.25, lw=0.8)
    point = np.array([e.point for e in estimates])
    axis.plot(steps, point, color=color, label=f"{label} (n={estimates[0].n})")
    low, high = np.array([e.low for e in estimates]), np.array([e.high for e in estimates])
    if not np.isnan(low).all():
        axis.fill_between(steps, low, high, color=color, alpha=0.2)
    for step, est in zip(steps, estimates):
        writer.add(figure, panel, label, float(step), est)


def figure_general(groups: list[RunGroup], writer: FigureWriter, episodes: int, seed: int) -> list[Path]:
    trained = [g for g in groups if g.config.quadruped.terrain == "flat" and g.config.quadruped.speed == 0.5]
    if not trained:
        return []
    figure, axes = canvas.subplots(1, 2, figsize=(11, 3.8), constrained_layout=True)
    figure.suptitle(f"Trained on flat ground at walk speed, evaluated elsewhere ({episodes} episodes per seed; "
                    "IQM over seeds, 95% stratified bootstrap CI)", fontsize=9)
    width = 0.8 / len(trained)
    for index, group in enumerate(trained):
        results = {name: [] for name, _ in CONDITIONS}
        for run in group.runs:
            policy, config, _ = load_run(run.path)
            for name, change in CONDITIONS:
                task = dataclasses.replace(config.quadruped, **change)
                results[name].append(evaluate(build_with_weights(policy, config, task), "quadruped", 6,
                                              episodes=episodes, seed=seed, nthread=1, quadruped=task))
        for axis, (measure, name) in zip(axes, (("mean_return", "return"), ("mean_displacement", "displacement (m)"))):
            ests = [estimate([getattr(r, measure) for r in results[c]]) for c, _ in CONDITIONS]
            x = np.arange(len(CONDITIONS)) + (index - (len(trained) - 1) / 2) * width
            axis.bar(x, [e.point for e in ests], width, color=_color(group), label=_series(group),
                     yerr=_yerr(ests), capsize=2)
            for position, ((condition, _), est) in enumerate(zip(CONDITIONS, ests)):
                writer.add("Qgeneral", name, f"{_series(group)}: {condition}", float(position), est)
            axis.set_xticks(range(len(CONDITIONS)), [c for c, _ in CONDITIONS], rotation=30, ha="right", fontsize=7)
            axis.set_ylabel(name)
            axis.grid(alpha=0.3, axis="y")
            axis.legend(fontsize=7)
    return writer.save("Qgeneral", figure)


def build_with_weights(policy, config, task):
    """The trained ``policy`` for another task: the circuit's brainstem drive follows the task's speed
    (unless the run fixed one); an MLP is used as it is."""
    if config.arch.arch != "ncap" or task.speed == config.quadruped.speed or config.arch.drive is not None:
        return policy
    moved = build_policy(config.arch, "quadruped", 6, seed=config.seed, quadruped=task)
    moved.load_state_dict(policy.state_dict())
    return moved


def figure_gait(groups: list[RunGroup], writer: FigureWriter, seed: int) -> list[Path]:
    trained = next((g for g in groups if g.arch.arch == "ncap" and g.algo == "es"
                    and g.config.quadruped.terrain == "flat"), None)
    flat = QuadrupedTaskConfig()
    makers = [("untrained circuit", lambda task: build_policy(ArchitectureConfig(), "quadruped", 6, quadruped=task),
               flat)]
    if trained is not None:
        policy, config, _ = load_run(trained.runs[0].path)
        makers.append((f"trained ({trained.runs[0].path.name})",
                       lambda task: build_with_weights(policy, config, task), config.quadruped))
    figure, axes = canvas.subplots(len(makers), 2, figsize=(11, 2.6 * len(makers)), squeeze=False,
                                   constrained_layout=True)
    for row, (name, make, base) in enumerate(makers):
        for column, (speed, gait_name) in enumerate(((0.5, "walk: drive 0.3"), (1.0, "run: drive 0.5"))):
            task = dataclasses.replace(base, speed=speed)
            gait = record_gait(make(task), task, seed=seed)
            draw_footfalls(axes[row][column], gait, f"{name}, {gait_name}; {gait.displacement:.2f} m in 15 s")
            period, phases = gait.period_and_phases
            for leg, phase in zip(("FL", "FR", "HL", "HR"), phases):
                writer.add("Qgait", f"{name}, {gait_name}", f"phase {leg}", period,
                           Interval("seed", phase, math.nan, math.nan, 1))
    return writer.save("Qgait", figure)


def figure_params(groups: list[RunGroup], writer: FigureWriter) -> list[Path]:
    figure, axes = canvas.subplots(1, 2, figsize=(10, 3.6), constrained_layout=True)
    figure.suptitle("Final evaluation against trainable parameters (IQM over seeds, 95% stratified bootstrap CI)",
                    fontsize=9)
    for group in groups:
        count = _parameters(group)
        label = f"{_series(group)}, {quadruped_key(group.config)}"
        for axis, measure, name in ((axes[0], "return_deterministic", "final return"),
                                    (axes[1], "forward_displacement", "final displacement (m)")):
            est = estimate(group.final_returns(measure))
            axis.errorbar([count], [est.point], yerr=_yerr([est]), fmt="o" if group.arch.arch == "ncap" else "s",
                          color=_color(group), label=label, capsize=3,
                          markerfacecolor="none" if group.config.quadruped.terrain == "bumps" else None)
            writer.add("Qparams", name, label, float(count), est)
            axis.set_xscale("log")
            axis.set_xlabel("trainable parameters")
            axis.set_ylabel(name)
            axis.grid(alpha=0.3)
    axes[0].legend(fontsize=6)
    return writer.save("Qparams", figure)


def _parameters(group: RunGroup) -> int:
    return num_parameters(build_policy(group.arch, "quadruped", 6, quadruped=group.config.quadruped))


def summary_rows(groups: list[RunGroup]) -> list[dict]:
    rows = []
    for group in groups:
        final = estimate(group.final_returns("return_deterministic"))
        displacement = estimate(group.final_returns("forward_displacement"))
        initial = estimate([rows[0]["return_deterministic"] for rows in group.metrics()])
        rows.append({"algo": group.algo, "arch": group.key, "task": quadruped_key(group.config),
                     "seeds": len(group.runs), "parameters": _parameters(group),
                     "steps": int(group.metrics()[0][-1]["env_steps"]), "initial_iqm": round(initial.point, 1),
                     "final_iqm": round(final.point, 1), "final_iqm_ci": f"[{final.low:.1f}, {final.high:.1f}]",
                     "final_displacement_iqm_m": round(displacement.point, 2),
                     "final_displacement_ci": f"[{displacement.low:.2f}, {displacement.high:.2f}]",
                     "fall_rate": round(float(np.mean(group.final_returns("fall_rate"))), 2)})
    return rows


def write_quadruped_summary(groups: list[RunGroup], out: Path) -> list[Path]:
    rows = summary_rows(groups)
    atomic_csv(out / "quadruped_summary.csv", SUMMARY_FIELDS, rows)
    lines = ["# Quadruped runs", "", "Deterministic evaluation, 10 episodes per seed at the last step; IQM over "
             "seeds and its 95% stratified bootstrap CI (rliable; with 3 seeds the IQM is the mean and the "
             "interval nearly the seeds' range); fall_rate: mean over seeds.", "",
             "| " + " | ".join(SUMMARY_FIELDS) + " |", "|" + "---|" * len(SUMMARY_FIELDS)]
    lines += ["| " + " | ".join(str(row[f]) for f in SUMMARY_FIELDS) + " |" for row in rows]
    path = out / "quadruped_summary.md"
    atomic_write(path, ("\n".join(lines) + "\n").encode())
    return [out / "quadruped_summary.csv", path]


def make_quadruped_figures(runs_dir: str | Path, out: str | Path, episodes: int = 5,
                           seed: int = 4_000_000) -> list[Path]:
    """Every quadruped figure whose runs exist under ``runs_dir``, and the summary; the files written."""
    groups = load_quadruped_groups(runs_dir)
    if not groups:
        raise ConfigError(f"no finished quadruped runs under {runs_dir}")
    writer = FigureWriter(out)
    written = figure_curves(groups, writer) + figure_general(groups, writer, episodes, seed)
    written += figure_gait(groups, writer, seed) + figure_params(groups, writer)
    return written + write_quadruped_summary(groups, writer.out)
