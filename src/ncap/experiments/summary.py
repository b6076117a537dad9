"""The numbers behind the paper's claims, one row per (algorithm, architecture, body): ``summary.csv``/``.md``;
and one row per run (seed): ``runs.csv``/``.md``.

For each group of seeds: parameters, initial and final evaluation return
(mean and 95% bootstrap CI over seeds), the best seed-mean evaluation return
on the way (shows a collapse at the end), the standard deviation of the final
return across seeds, final return per parameter, and the first evaluation
step at which the seed-mean curve reaches 90% of the final return of the
same algorithm's largest MLP (the paper's MLP(256,256) in its grids), and
the first evaluation step from which the seed-mean curve stays within 1% of
its final value (beside the last evaluated step: a curve that settles only at
its last evaluations has not reached an asymptote within the budget).

The per-run table gives each seed's initial, final and peak return and its
own settle step, so that a seed-mean that settles late can be told apart from
one seed that dips and recovers.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ncap.experiments.labels import is_two_layer_mlp
from ncap.experiments.results import Estimate, RunGroup, estimate
from ncap.runs import atomic_csv, atomic_write

FIELDS = ("algo", "arch", "n_links", "parameters", "n_seeds", "measure", "initial_return", "final_return",
          "final_ci_low", "final_ci_high", "best_return", "final_std_over_seeds", "return_per_parameter",
          "steps_to_90pct_of_mlp", "mlp_reference", "final_return_deterministic", "final_return_sampled",
          "steps_within_1pct_of_final", "last_step")
REACH_FRACTION = 0.9
SETTLE_FRACTION = 0.01
SUMMARY_NOTE = ("Returns are evaluation returns, mean over seeds, in the paper's measure (`measure`: sampled "
                "actions for PPO as Tonic's tests, deterministic for DDPG and ES), with both final returns at the "
                "end of each row (–: not measured); CI: 95% bootstrap over seeds; "
                "best_return: highest seed-mean evaluation return on the way; "
                "steps_to_90pct_of_mlp: first evaluated step at which the seed-mean curve reaches 90% of "
                "the final return of `mlp_reference` (same algorithm; –: never within the budget); "
                "steps_within_1pct_of_final: first evaluated step from which the seed-mean curve stays within 1% "
                "of its final value (near `last_step`: still moving, no asymptote within the budget).")


def _reference(groups: list[RunGroup], group: RunGroup) -> RunGroup | None:
    """The same algorithm's and body's largest two-layer MLP, the bar for "steps to 90%"."""
    mlps = [g for g in groups if g.algo == group.algo and g.n_links == group.n_links and is_two_layer_mlp(g.arch)]
    return max(mlps, key=lambda g: g.num_parameters, default=None)


def steps_to_reach(steps: np.ndarray, estimates: list[Estimate], target: float) -> float:
    """First evaluated env step of a curve (:meth:`RunGroup.curve`) whose seed-mean return is at least
    ``target`` (NaN: never)."""
    reached = [step for step, est in zip(steps, estimates) if est.mean >= target]
    return float(reached[0]) if reached else math.nan


def steps_to_settle(steps: np.ndarray, returns: list[float] | np.ndarray, fraction: float = SETTLE_FRACTION) -> float:
    """First evaluated env step of a curve (``steps``, shape (T,); ``returns``, shape (T,): a seed-mean curve of
    :meth:`RunGroup.curve` or one run's) from which every later return is within ``fraction`` of the final one
    (|return - final| <= fraction * |final|); NaN for an empty curve."""
    if not len(returns):
        return math.nan
    final = returns[-1]
    settled = len(returns) - 1
    while settled > 0 and abs(returns[settled - 1] - final) <= fraction * abs(final):
        settled -= 1
    return float(steps[settled])


def summarize(groups: list[RunGroup]) -> list[dict]:
    """One row of :data:`FIELDS` per group, sorted by algorithm then parameter count."""
    rows = []
    for group in sorted(groups, key=lambda g: (g.algo, g.n_links, g.num_parameters, g.key)):
        finals = np.asarray(group.final_returns())
        final = estimate(finals)
        steps, curve = group.curve()
        reference = _reference(groups, group)
        reach = (steps_to_reach(steps, curve, REACH_FRACTION * np.mean(reference.final_returns()))
                 if reference else math.nan)
        rows.append({
            "algo": group.algo, "arch": group.key, "n_links": group.n_links, "parameters": group.num_parameters,
            "n_seeds": len(finals), "initial_return": curve[0].mean if curve else math.nan,
            "final_return": final.mean, "final_ci_low": final.low, "final_ci_high": final.high,
            "best_return": max((est.mean for est in curve), default=math.nan),
            "final_std_over_seeds": float(finals.std(ddof=1)) if len(finals) > 1 else math.nan,
            "return_per_parameter": final.mean / group.num_parameters,
            "steps_to_90pct_of_mlp": reach,
            "mlp_reference": reference.key if reference else "",
            "measure": group.measure.removeprefix("return_"),
            "final_return_deterministic": float(np.mean(group.final_returns("return_deterministic"))),
            "final_return_sampled": float(np.mean(group.final_returns("return_sampled"))),
            "steps_within_1pct_of_final": steps_to_settle(steps, [est.mean for est in curve]),
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
