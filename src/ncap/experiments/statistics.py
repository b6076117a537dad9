"""Statistics over seeds as rliable defines them (Agarwal et al. 2021): interquartile mean (IQM), stratified
bootstrap confidence intervals, probability of improvement.

Every function takes one score per seed (a single task, so the stratified bootstrap resamples seeds)
and returns an :class:`Interval`: the point estimate, its 95% percentile-bootstrap interval and the
number of seeds. What the interval is worth depends on that number: with 3 seeds a percentile
bootstrap spans nearly the seeds' range, and the IQM of 3 values is their mean (a 25% trim
of 3 values removes none), so "intervals apart" then says only that every seed of one beat every seed
of the other. Figures and tables say which statistic and how many seeds each interval holds.

The point estimates are rliable's (``metrics.aggregate_iqm``, ``metrics.probability_of_improvement``). The
bootstrap is rliable's stratified percentile bootstrap (resample the seeds of each task with replacement,
apply the statistic, take the 2.5 and 97.5 percentiles), drawn for all resamples at once with numpy:
rliable runs it through ``arch``, one Python call per resample and, for a learning curve, per evaluation
step, which took 0.5-3 s per interval and 4.5 s per 50-step curve here, against milliseconds vectorised.
``tests/test_statistics.py`` checks the intervals against ``rliable.library.get_interval_estimates``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

CONFIDENCE = 0.95
REPS = 5000
"""Bootstrap resamples (rliable's default is 50,000; 5,000 keeps each bound within about 1% of it here)."""
_CHUNK = 4_000_000
"""Resampled scores held at once (floats): curves are bootstrapped a block of steps at a time."""


@dataclass(frozen=True)
class Interval:
    """A statistic over seeds, its 95% bootstrap interval and the seeds it holds."""

    statistic: str
    """What ``point`` is: "IQM", "mean", "P(X > Y)", or "seed" for one seed's own value."""
    point: float
    low: float
    high: float
    n: int
    """Seeds (for a probability of improvement: those of the smaller side)."""

    @property
    def has_interval(self) -> bool:
        """False for one seed: a bootstrap of one value is no interval (bounds NaN)."""
        return self.n > 1

    def cell(self) -> str:
        """``863.1 [850.2, 870.0]`` (a table cell; the point alone without an interval)."""
        digits = 2 if self.statistic.startswith("P(") else 1  # a probability, not a return
        if not self.has_interval:
            return f"{self.point:.{digits}f}"
        return f"{self.point:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"

    def describe(self) -> str:
        """``IQM 863.1 [850.2, 870.0], 95% stratified bootstrap CI over 3 seeds``."""
        if not self.has_interval:
            return f"{self.statistic} {self.cell()}, one seed (no interval)"
        return f"{self.statistic} {self.cell()}, {CONFIDENCE:.0%} stratified bootstrap CI over {self.n} seeds"


def _scores(values, ndim: int = 1) -> np.ndarray:
    scores = np.asarray(values, dtype=float)
    if scores.ndim != ndim or len(scores) == 0 or not np.isfinite(scores).all():
        raise ValueError(f"need one finite score per seed, got {values!r}")
    return scores


def _iqm(scores: np.ndarray, axis: int) -> np.ndarray:
    """rliable's IQM along ``axis``: the mean of the middle half (``scipy.stats.trim_mean(..., 0.25)``)."""
    from scipy.stats import trim_mean  # noqa: PLC0415

    return trim_mean(scores, 0.25, axis=axis)


def _mean(scores: np.ndarray, axis: int) -> np.ndarray:
    return scores.mean(axis=axis)


def stratified_bootstrap(scores: np.ndarray, statistic: Callable[[np.ndarray, int], np.ndarray], seed: int = 0,
                         reps: int = REPS) -> tuple[np.ndarray, np.ndarray]:
    """rliable's stratified percentile bootstrap of ``statistic`` over seeds, every resample at once.

    Args:
        scores: (S, T): S seeds' scores on T tasks (here: T evaluation steps of a curve, or T = 1).
        statistic: ``statistic(x, axis)`` reduces the seed axis of ``x``.

    Returns:
        (low, high), each (T,): the 2.5th and 97.5th percentiles of ``statistic`` over ``reps`` resamples
        that draw S seeds with replacement for each task apart.
    """
    rng = np.random.default_rng(seed)
    seeds, tasks = scores.shape
    step = max(1, _CHUNK // (reps * seeds))
    bounds = []
    for start in range(0, tasks, step):
        block = scores[:, start:start + step]
        picks = rng.integers(0, seeds, size=(reps, seeds, block.shape[1]))
        resampled = np.take_along_axis(np.broadcast_to(block, (reps, *block.shape)), picks, axis=1)
        bounds.append(np.percentile(statistic(resampled, 1), [50 * (1 - CONFIDENCE), 50 * (1 + CONFIDENCE)], axis=0))
    low, high = np.concatenate(bounds, axis=1)
    return low, high


def _estimate(name: str, values, statistic, seed: int, reps: int) -> Interval:
    scores = _scores(values)
    point = float(statistic(scores, 0))
    if len(scores) == 1:
        return Interval(name, point, math.nan, math.nan, 1)
    low, high = stratified_bootstrap(scores[:, None], statistic, seed, reps)
    return Interval(name, point, float(low[0]), float(high[0]), len(scores))


def iqm(values, seed: int = 0, reps: int = REPS) -> Interval:
    """Interquartile mean of one score per seed and its stratified bootstrap interval."""
    return _estimate("IQM", values, _iqm, seed, reps)


def mean(values, seed: int = 0, reps: int = REPS) -> Interval:
    """Mean of one score per seed and its stratified bootstrap interval."""
    return _estimate("mean", values, _mean, seed, reps)


def iqm_curve(seed_values, seed: int = 0, reps: int = REPS) -> list[Interval]:
    """The IQM over seeds at every point of a learning curve, each with its stratified bootstrap interval.

    Args:
        seed_values: (S, T): S seeds' returns at T evaluation steps.

    Returns:
        T intervals; each step is a task of rliable's score matrix, so its seeds are resampled apart.
    """
    scores = _scores(seed_values, ndim=2)
    points = _iqm(scores, 0)
    if len(scores) == 1:
        return [Interval("IQM", float(p), math.nan, math.nan, 1) for p in points]
    low, high = stratified_bootstrap(scores, _iqm, seed, reps)
    return [Interval("IQM", float(p), float(lo), float(hi), len(scores)) for p, lo, hi in zip(points, low, high)]


def _improvement(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """P(X > Y) + P(X = Y) / 2 for every resample: x (R, n), y (R, m) -> (R,)."""
    wins = (x[:, :, None] > y[:, None, :]).mean(axis=(1, 2))
    ties = (x[:, :, None] == y[:, None, :]).mean(axis=(1, 2))
    return wins + 0.5 * ties


def probability_of_improvement(x, y, seed: int = 0, reps: int = REPS) -> Interval:
    """P(X > Y) (ties count half) of a seed of X against a seed of Y (rliable's point estimate), with its
    stratified bootstrap interval (X's and Y's seeds resampled independently)."""
    from rliable import metrics  # noqa: PLC0415

    a, b = _scores(x), _scores(y)
    point = float(metrics.probability_of_improvement(a[:, None], b[:, None]))
    rng = np.random.default_rng(seed)
    resampled = _improvement(a[rng.integers(0, len(a), (reps, len(a)))], b[rng.integers(0, len(b), (reps, len(b)))])
    low, high = np.percentile(resampled, [50 * (1 - CONFIDENCE), 50 * (1 + CONFIDENCE)])
    return Interval("P(X > Y)", point, float(low), float(high), min(len(a), len(b)))
