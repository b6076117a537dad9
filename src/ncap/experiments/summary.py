"""The numbers behind the paper's claims, one row per (algorithm, architecture, body): ``summary.csv``/``.md``;
and one row per run (seed): ``runs.csv``/``.md``.

For each group of seeds, with the interquartile mean (IQM) over seeds as the statistic and its 95% stratified
bootstrap interval (rliable, :mod:`ncap.experiments.statistics`): parameters, initial and final evaluation
return (and the plain mean of the final returns), the best IQM on the way (shows a collapse at the end), the
standard deviation of the final return across seeds, final return per parameter, the first evaluation step
at which the IQM curve reaches 90% of the final IQM of the same algorithm's largest MLP (the paper's
MLP(256,256) in its grids), the first evaluation step from which the IQM curve stays within 1% of its final
value, and whether it has an asymptote within the budget (:func:`reached_asymptote`).

The per-run table gives each seed's initial, final and peak return and its own settle step, so that a curve
that settles late can be told apart from one seed that dips and recovers.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ncap.experiments.labels import is_two_layer_mlp
from ncap.experiments.results import RunGroup, estimate
from ncap.experiments.statistics import Interval
from ncap.runs import atomic_csv, atomic_write

FIELDS = ("algo", "arch", "n_links", "parameters", "n_seeds", "measure", "initial_iqm", "final_iqm",
          "final_ci_low", "final_ci_high", "final_mean", "best_iqm", "final_std_over_seeds", "iqm_per_parameter",
          "steps_to_90pct_of_mlp", "mlp_reference", "final_iqm_deterministic", "final_iqm_sampled",
          "steps_within_1pct_of_final", "asymptote", "last_step")
REACH_FRACTION = 0.9
SETTLE_FRACTION = 0.01
SUMMARY_NOTE = ("Returns are evaluation returns in the paper's measure (`measure`: sampled actions for PPO as "
                "Tonic's tests, deterministic for DDPG and ES), with both final returns near the end of each row "
                "(–: not measured). Statistic over seeds: the interquartile mean (IQM; for 3 seeds it is their "
                "mean); CI: its 95% stratified bootstrap interval over the `n_seeds` seeds (rliable; with 3 seeds "
                "it spans nearly their range); final_mean: the plain mean of the final returns; "
                "best_iqm: highest IQM on the way; "
                "steps_to_90pct_of_mlp: first evaluated step at which the IQM curve reaches 90% of "
                "the final IQM of `mlp_reference` (same algorithm; –: never within the budget); "
                "steps_within_1pct_of_final: first evaluated step from which the IQM curve stays within 1% "
                "of its final value; asymptote: whether the IQM curve stays within 5% of its final value over the "
                "last quarter of its steps (no: still moving at the end of the budget).")


def _reference(groups: list[RunGroup], group: RunGroup) -> RunGroup | None:
    """The same algorithm's and body's largest two-layer MLP, the bar for "steps to 90%"."""
    mlps = [g for g in groups if g.algo == group.algo and g.n_links == group.n_links and is_two_layer_mlp(g.arch)]
    # the paper's ReLU MLP over another activation of the same size (the authors' tanh ES MLP)
    return max(mlps, key=lambda g: (g.num_parameters, g.arch.mlp_activation == "relu"), default=None)


def steps_to_reach(steps: np.ndarray, estimates: list[Interval], target: float) -> float:
    """First evaluated env step of a curve (:meth:`RunGroup.curve`) whose IQM over seeds is at least
    ``target`` (NaN: never)."""
    reached = [step for step, est in zip(steps, estimates) if est.point >= target]
    return float(reached[0]) if reached else math.nan


def steps_to_settle(steps: np.ndarray, returns: list[float] | np.ndarray, fraction: float = SETTLE_FRACTION) -> float:
    """First evaluated env step of a curve (``steps``, shape (T,); ``returns``, shape (T,): the IQM curve of
    :meth:`RunGroup.curve` or one run's curve) from which every later return is within ``fraction`` of the final one
    (|return - final| <= fraction * |final|); NaN for an empty curve."""
    if not len(returns):
        return math.nan
    final = returns[-1]
    settled = len(returns) - 1
    while settled > 0 and abs(returns[settled - 1] - final) <= fraction * abs(final):
        settled -= 1
    return float(steps[settled])


ASYMPTOTE_TOLERANCE = 0.05
ASYMPTOTE_WINDOW = 0.25


def reached_asymptote(steps: np.ndarray, returns: list[float] | np.ndarray) -> bool:
    """Whether a curve (``steps`` (T,), ``returns`` (T,)) has an asymptote within its budget: over the last
    :data:`ASYMPTOTE_WINDOW` of its steps it stays within :data:`ASYMPTOTE_TOLERANCE` of its final value. A
    curve still rising (or falling) at the end fails; so does one that settles only in that window."""
    if len(returns) < 2:
        return False
    start = steps[-1] - ASYMPTOTE_WINDOW * (steps[-1] - steps[0])
    return bool(steps_to_settle(steps, returns, ASYMPTOTE_TOLERANCE) <= start)


def _final_iqm(group: RunGroup, measure: str) -> float:
    """IQM over seeds of the final ``measure`` (NaN if a seed did not measure it)."""
    finals = group.final_returns(measure)
    return estimate(finals).point if np.isfinite(finals).all() else math.nan


def summarize(groups: list[RunGroup]) -> list[dict]:
    """One row of :data:`FIELDS` per group, sorted by algorithm then parameter count."""
    rows = []
    for group in sorted(groups, key=lambda g: (g.algo, g.n_links, g.num_parameters, g.key)):
        finals = np.asarray(group.final_returns())
        final = estimate(finals)
        steps, curve = group.curve()
        reference = _reference(groups, group)
        reach = (steps_to_reach(steps, curve, REACH_FRACTION * estimate(reference.final_returns()).point)
                 if reference else math.nan)
        points = [est.point for est in curve]
        rows.append({
            "algo": group.algo, "arch": group.key, "n_links": group.n_links, "parameters": group.num_parameters,
            "n_seeds": len(finals), "initial_iqm": points[0] if points else math.nan,
            "final_iqm": final.point, "final_ci_low": final.low, "final_ci_high": final.high,
            "final_mean": float(finals.mean()), "best_iqm": max(points, default=math.nan),
            "final_std_over_seeds": float(finals.std(ddof=1)) if len(finals) > 1 else math.nan,
            "iqm_per_parameter": final.point / group.num_parameters,
            "steps_to_90pct_of_mlp": reach,
            "mlp_reference": reference.key if reference else "",
            "measure": group.measure.removeprefix("return_"),
            "final_iqm_deterministic": _final_iqm(group, "return_deterministic"),
            "final_iqm_sampled": _final_iqm(group, "return_sampled"),
            "steps_within_1pct_of_final": steps_to_settle(steps, points),
            "asymptote": "yes" if reached_asymptote(steps, points) else "no",
            "last_step": float(steps[-1]) if len(steps) else math.nan,
        })
    return rows


RUN_FIELDS = ("run", "algo", "arch", "seed", "measure", "initial_return", "final_return", "best_return",
              "best_step", "final_return_deterministic", "final_return_sampled", "steps_within_1pct_of_final",
              "last_step")
RUNS_NOTE = ("One row per finished run. Returns are evaluation returns in the paper's measure (`measure`, as in "
             "summary.md), with both final returns near the end of the row (–: not measured); best_return / "
             "best_step: this run's highest evaluation return and where; steps_within_1pct_of_final: first "
             "evaluated step from which this run's curve stays within 1% of its final value (near `last_step`: "
             "still moving, or a late dip).")


def summarize_runs(groups: list[RunGroup]) -> list[dict]:
    """One row of :data:`RUN_FIELDS` per run (seed), in the order of :func:`summarize`, then by seed."""
    rows = []
    for group in sorted(groups, key=lambda g: (g.algo, g.n_links, g.num_parameters, g.key)):
        for run, metrics in sorted(zip(group.runs, group.metrics()), key=lambda pair: pair[0].config.seed):
            if not metrics:
                continue
            steps = np.array([r["env_steps"] for r in metrics])
            returns = np.array([r[group.measure] for r in metrics])
            best = int(np.nanargmax(returns)) if not np.all(np.isnan(returns)) else 0
            rows.append({
                "run": run.path.name, "algo": group.algo, "arch": group.key, "seed": run.config.seed,
                "measure": group.measure.removeprefix("return_"), "initial_return": float(returns[0]),
                "final_return": float(returns[-1]), "best_return": float(returns[best]),
                "best_step": float(steps[best]),
                "final_return_deterministic": float(metrics[-1].get("return_deterministic", math.nan)),
                "final_return_sampled": float(metrics[-1].get("return_sampled", math.nan)),
                "steps_within_1pct_of_final": steps_to_settle(steps, returns),
                "last_step": float(steps[-1]),
            })
    return rows


def _cell(value) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:.3g}" if abs(value) < 10 else f"{value:,.0f}" if value >= 1e4 else f"{value:.1f}"
    return str(value)


def _write_table(out: Path, name: str, title: str, note: str, fields: tuple[str, ...], rows: list[dict]) -> list[Path]:
    """Writes ``name.csv`` (full precision) and ``name.md`` (a table to read) into ``out``, atomically."""
    csv_path, md_path = out / f"{name}.csv", out / f"{name}.md"
    atomic_csv(csv_path, fields, rows)
    lines = ["| " + " | ".join(fields) + " |", "|" + "---|" * len(fields)]
    lines += ["| " + " | ".join(_cell(row[field]) for field in fields) + " |" for row in rows]
    atomic_write(md_path, (f"# {title}\n\n{note}\n\n" + "\n".join(lines) + "\n").encode())
    return [csv_path, md_path]


def write_summary(groups: list[RunGroup], out: str | Path) -> list[Path]:
    """Writes ``summary.csv``/``.md`` (one row per group) and ``runs.csv``/``.md`` (one row per run) into ``out``."""
    out = Path(out)
    return (_write_table(out, "summary", "Runs summarized over seeds", SUMMARY_NOTE, FIELDS, summarize(groups))
            + _write_table(out, "runs", "Runs, one row per seed", RUNS_NOTE, RUN_FIELDS, summarize_runs(groups)))
