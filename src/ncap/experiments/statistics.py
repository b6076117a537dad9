"""Statistics over seeds with rliable (Agarwal et al. 2021): interquartile mean, stratified bootstrap
confidence intervals, probability of improvement.

Every function takes one score per seed (a single task, so the stratified bootstrap resamples seeds)
and returns an :class:`Interval`: the point estimate, its 95% percentile-bootstrap interval and the
number of seeds. What the interval is worth depends on that number: with 3 seeds a percentile
bootstrap of the mean spans nearly the seeds' range, and the IQM of 3 values is their mean (a 25% trim
of 3 values removes none), so "intervals apart" then says only that every seed of one beat every seed
of the other. Figures and tables say which statistic and how many seeds each interval holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CONFIDENCE = 0.95
REPS = 5000
"""Bootstrap resamples (rliable's default is 50,000; 5,000 keeps each bound within about 1% of it here)."""


@dataclass(frozen=True)
class Interval:
    """A statistic over seeds, its 95% bootstrap interval and the seeds it holds."""

    statistic: str
    """What ``point`` is: "IQM", "mean" or "P(X > Y)"."""
    point: float
    low: float
    high: float
    n: int
    """Seeds (for a probability of improvement: seeds of X, then of Y, as "n" of the smaller)."""

    def describe(self) -> str:
        """``IQM 863.1 [850.2, 870.0], 95% stratified bootstrap CI over 3 seeds``."""
        return (f"{self.statistic} {self.point:.1f} [{self.low:.1f}, {self.high:.1f}], "
                f"{CONFIDENCE:.0%} stratified bootstrap CI over {self.n} seeds")


def _scores(values) -> np.ndarray:
    scores = np.asarray(values, dtype=float).reshape(-1, 1)  # (seeds, tasks = 1): rliable's layout
    if len(scores) == 0 or not np.isfinite(scores).all():
        raise ValueError(f"need one finite score per seed, got {list(np.ravel(values))}")
    return scores


def _interval(scores: dict[str, np.ndarray], func, seed: int, reps: int) -> tuple[float, float, float]:
    from rliable import library as rly  # noqa: PLC0415  (arch and statsmodels load only here)

    points, intervals = rly.get_interval_estimates(scores, func, reps=reps, confidence_interval_size=CONFIDENCE,
                                                   random_state=np.random.RandomState(seed))
    (name,) = scores
    return float(points[name][0]), float(intervals[name][0][0]), float(intervals[name][1][0])


def iqm(values, seed: int = 0, reps: int = REPS) -> Interval:
    """Interquartile mean of one score per seed and its stratified bootstrap interval."""
    from rliable import metrics  # noqa: PLC0415

    scores = _scores(values)
    point, low, high = _interval({"x": scores}, lambda s: np.array([metrics.aggregate_iqm(s)]), seed, reps)
    return Interval("IQM", point, low, high, len(scores))


def mean(values, seed: int = 0, reps: int = REPS) -> Interval:
    """Mean of one score per seed and its stratified bootstrap interval."""
    scores = _scores(values)
    point, low, high = _interval({"x": scores}, lambda s: np.array([s.mean()]), seed, reps)
    return Interval("mean", point, low, high, len(scores))


def probability_of_improvement(x, y, seed: int = 0, reps: int = REPS) -> Interval:
    """P(X > Y) (ties count half) of a seed of X against a seed of Y, with its stratified bootstrap interval
    (X's and Y's seeds resampled independently)."""
    from rliable import metrics  # noqa: PLC0415

    pair = (_scores(x), _scores(y))
    point, low, high = _interval({"xy": pair}, lambda a, b: np.array([metrics.probability_of_improvement(a, b)]),
                                 seed, reps)
    return Interval("P(X > Y)", point, low, high, min(len(pair[0]), len(pair[1])))
