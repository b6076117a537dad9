"""Two groups of runs compared seed against seed: final return and data efficiency.

Both measures are taken on the evaluation steps every seed of both groups has. Data efficiency is the area
under each seed's learning curve divided by the steps it spans, i.e. the mean evaluation return over
training (trapezoid rule): a group that reaches the same return sooner has the larger area. Each measure
gets the IQM over seeds with its 95% stratified bootstrap interval for both groups, and the probability of
improvement P(A > B) with its interval (:mod:`ncap.experiments.statistics`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ncap.errors import ConfigError
from ncap.experiments.results import RunGroup, estimate
from ncap.experiments.statistics import Interval, probability_of_improvement

FIG7A_FACTORS: tuple[tuple[str, str, str], ...] = (
    ("shared", "unshared", "noshare"), ("signs", "no signs", "nosign"), ("constant init", "uniform init", "uniform"))
"""Fig. 7A's three factors as (label without the ablation, label with it, its tag in architecture keys as in
:data:`ncap.experiments.grids.ABLATIONS`), in the order keys carry the tags (``ncap-noshare-nosign-uniform``)."""


def fig7a_pairs() -> list[tuple[str, str, str]]:
    """The 12 pairs of Fig. 7A's 8 variants that differ in one factor, the other two held, as
    (label, key A, key B), e.g. ``("shared / unshared (signs, constant init)", "ncap", "ncap-noshare")``."""
    rows = []
    for factor in FIG7A_FACTORS:
        others = [f for f in FIG7A_FACTORS if f is not factor]
        for held in itertools.product((False, True), repeat=len(others)):
            ablated = {f[2] for f, on in zip(others, held) if on}
            keys = ["-".join(["ncap", *(f[2] for f in FIG7A_FACTORS if f[2] in tags)])
                    for tags in (ablated, ablated | {factor[2]})]
            context = ", ".join(f[int(on)] for f, on in zip(others, held))
            rows.append((f"{factor[0]} / {factor[1]} ({context})", *keys))
    return rows


@dataclass(frozen=True)
class Comparison:
    """One measure of two groups: each group's IQM over seeds and P(A > B)."""

    measure: str
    a: Interval
    b: Interval
    a_beats_b: Interval


@dataclass(frozen=True)
class PairReport:
    """Groups A and B compared in one evaluation return column (``column``) over ``steps`` (the evaluation
    steps both share, (T,))."""

    a: RunGroup
    b: RunGroup
    column: str
    steps: np.ndarray
    comparisons: tuple[Comparison, ...]


def mean_over_training(steps: np.ndarray, returns: np.ndarray) -> np.ndarray:
    """Area under each learning curve divided by the steps it spans.

    Args:
        steps: (T,) evaluation steps, increasing, T >= 2.
        returns: (S, T) each seed's evaluation return at those steps.

    Returns:
        (S,) each seed's mean return over training (trapezoid rule).
    """
    steps = np.asarray(steps, dtype=float)
    if len(steps) < 2:
        raise ConfigError("a learning curve needs at least two evaluations for its area")
    return np.trapezoid(np.asarray(returns, dtype=float), steps, axis=1) / (steps[-1] - steps[0])


def _column(a: RunGroup, b: RunGroup) -> str:
    """The return column both groups are compared in: their paper measure if they agree, else deterministic."""
    return a.measure if a.measure == b.measure else "return_deterministic"


def _at(steps: np.ndarray, values: np.ndarray, shared: np.ndarray) -> np.ndarray:
    """(S, T') the seeds' ``values`` (S, T) at the ``shared`` steps (T',), a subset of ``steps`` (T,)."""
    index = {int(s): i for i, s in enumerate(steps)}
    return values[:, [index[int(s)] for s in shared]]


def compare_pair(a: RunGroup, b: RunGroup) -> PairReport:
    """Final return and mean return over training of groups ``a`` and ``b``, seed against seed, both on the
    evaluation steps every seed of both groups has (the final return is the last of them, so groups trained
    for different budgets are compared at the shorter one's end)."""
    column = _column(a, b)
    (steps_a, values_a), (steps_b, values_b) = a.seed_curves(column), b.seed_curves(column)
    steps = np.array(sorted(set(map(int, steps_a)) & set(map(int, steps_b))))
    if len(steps) < 2:
        raise ConfigError(f"{a.label} and {b.label} share fewer than two evaluation steps: no common curve")
    curves_a, curves_b = _at(steps_a, values_a, steps), _at(steps_b, values_b, steps)
    finals_a, finals_b = curves_a[:, -1], curves_b[:, -1]
    areas_a, areas_b = mean_over_training(steps, curves_a), mean_over_training(steps, curves_b)
    comparisons = (
        Comparison("final return", estimate(finals_a), estimate(finals_b),
                   probability_of_improvement(finals_a, finals_b)),
        Comparison("mean return over training", estimate(areas_a), estimate(areas_b),
                   probability_of_improvement(areas_a, areas_b)),
    )
    return PairReport(a, b, column, steps, comparisons)


def find_group(groups: list[RunGroup], key: str, algo: str | None = None, n_links: int | None = None) -> RunGroup:
    """The group whose architecture key (as in summary tables, e.g. ``ncap-noshare``) is ``key``, under
    ``algo`` and at ``n_links`` if given; one clear error if none or several match."""
    matches = [g for g in groups
               if g.key == key and (algo is None or g.algo == algo) and (n_links is None or g.n_links == n_links)]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(sorted({f"{g.algo}/{g.key}/{g.n_links} links" for g in groups})) or "none"
    if not matches:
        raise ConfigError(f"no finished runs of {key!r} under these choices; the groups are: {known}")
    found = "; ".join(f"{g.algo}, {g.n_links} links" for g in matches)
    raise ConfigError(f"{key!r} matches {len(matches)} groups ({found}): choose one with --algo or --n-links")


def report_markdown(report: PairReport) -> str:
    """The comparison as a Markdown table, with what its numbers are."""
    a, b = report.a, report.b
    lines = [f"A = {a.key} ({len(a.runs)} seeds), B = {b.key} ({len(b.runs)} seeds); {a.algo}"
             f"{'' if a.algo == b.algo else ' vs ' + b.algo}, {report.column}, "
             f"{len(report.steps)} shared evaluations from {report.steps[0]:,} to {report.steps[-1]:,} steps",
             "IQM over seeds [95% stratified bootstrap interval]; P(A > B): a seed of A against a seed of B, ties half",
             "", "| measure | A | B | P(A > B) |", "|---|---|---|---|"]
    lines += [f"| {c.measure} | {c.a.cell()} | {c.b.cell()} | {c.a_beats_b.cell()} |" for c in report.comparisons]
    return "\n".join(lines)
