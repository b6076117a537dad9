"""The numbers behind the paper's claims, one row per (algorithm, architecture, body): ``summary.csv``/``.md``.

For each group of seeds: parameters, initial and final evaluation return
(mean and 95% bootstrap CI over seeds), the best seed-mean evaluation return
on the way (shows a collapse at the end), the standard deviation of the final
return across seeds, final return per parameter, and the first evaluation
step at which the seed-mean curve reaches 90% of the final return of the
same algorithm's largest MLP (the paper's MLP(256,256) in its grids), and
the first evaluation step from which the seed-mean curve stays within 1% of
its final value (beside the last evaluated step: a curve that settles only at
its last evaluations has not reached an asymptote within the budget).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ncap.experiments.labels import is_two_layer_mlp
from ncap.experiments.results import Estimate, RunGroup, estimate
from ncap.training.runs import atomic_csv, atomic_write

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


def steps_to_settle(steps: np.ndarray, estimates: list[Estimate], fraction: float = SETTLE_FRACTION) -> float:
    """First evaluated env step of a curve (:meth:`RunGroup.curve`) from which every later seed-mean return is
    within ``fraction`` of the final one (|mean - final| <= fraction * |final|); NaN for an empty curve."""
    if not estimates:
        return math.nan
    final = estimates[-1].mean
    settled = len(estimates) - 1
    while settled > 0 and abs(estimates[settled - 1].mean - final) <= fraction * abs(final):
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
            "steps_within_1pct_of_final": steps_to_settle(steps, curve),
            "last_step": float(steps[-1]) if len(steps) else math.nan,
        })
    return rows


def _cell(value) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return f"{value:.3g}" if abs(value) < 10 else f"{value:,.0f}" if value >= 1e4 else f"{value:.1f}"
    return str(value)


def write_summary(groups: list[RunGroup], out: str | Path) -> list[Path]:
    """Writes ``summary.csv`` (full precision) and ``summary.md`` (a table to read) into ``out``."""
    out = Path(out)
    rows = summarize(groups)
    csv_path, md_path = out / "summary.csv", out / "summary.md"
    atomic_csv(csv_path, FIELDS, rows)
    lines = ["| " + " | ".join(FIELDS) + " |", "|" + "---|" * len(FIELDS)]
    lines += ["| " + " | ".join(_cell(row[field]) for field in FIELDS) + " |" for row in rows]
    atomic_write(md_path, ("# Runs summarized over seeds\n\n" + SUMMARY_NOTE + "\n\n" + "\n".join(lines) + "\n").encode())
    return [csv_path, md_path]
