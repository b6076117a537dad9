"""Statistics over seeds (rliable) against values computed by hand on fixed data."""

import numpy as np
import pytest

from ncap.experiments.statistics import iqm, iqm_curve, mean, probability_of_improvement


def test_iqm_is_the_mean_of_the_middle_half():
    # 1..8: the middle half is 3, 4, 5, 6 -> 4.5; with an outlier the IQM ignores it, the mean does not
    assert iqm(range(1, 9)).point == pytest.approx(4.5)
    assert iqm([1, 2, 3, 4, 5, 6, 7, 800]).point == pytest.approx(4.5)
    assert mean([1, 2, 3, 4, 5, 6, 7, 800]).point == pytest.approx(103.5)


def test_with_three_seeds_the_iqm_is_the_mean_and_the_interval_nearly_the_seeds_range():
    result = iqm([850.0, 860.0, 900.0])
    assert result.point == pytest.approx(870.0) and result.n == 3  # a 25% trim of 3 values removes none
    assert 850.0 <= result.low < 860.0 and 880.0 < result.high <= 900.0


def test_the_bootstrap_interval_of_two_seeds_is_their_range_and_of_equal_seeds_a_point():
    # resamples of (0, 10): means 0, 5, 5, 10 with probabilities 1/4, 1/2, 1/4: the 95% percentile interval is [0, 10]
    result = mean([0.0, 10.0])
    assert (result.point, result.low, result.high) == (5.0, 0.0, 10.0)
    same = iqm([3.0, 3.0, 3.0])
    assert (same.point, same.low, same.high) == (3.0, 3.0, 3.0)


def test_probability_of_improvement_counts_pairs_and_half_the_ties():
    # X = (1, 2), Y = (0, 3): 1 > 0, 1 < 3, 2 > 0, 2 < 3 -> 2 of 4 pairs
    assert probability_of_improvement([1, 2], [0, 3]).point == pytest.approx(0.5)
    # X = (1, 1, 4), Y = (1, 2): (tie, lose, tie, lose, win, win) -> (0.5 + 0.5 + 2) / 6
    assert probability_of_improvement([1, 1, 4], [1, 2]).point == pytest.approx(0.5)
    all_better = probability_of_improvement([5, 6, 7], [1, 2, 3])
    assert (all_better.point, all_better.low, all_better.high) == (1.0, 1.0, 1.0)


def test_same_seed_same_interval_and_bad_scores_refused():
    assert iqm([1.0, 5.0, 2.0, 9.0], seed=3) == iqm([1.0, 5.0, 2.0, 9.0], seed=3)
    with pytest.raises(ValueError, match="finite score per seed"):
        iqm([1.0, np.nan])
    assert "95% stratified bootstrap CI over 3 seeds" in iqm([1.0, 2.0, 3.0]).describe()


def _rliable_interval(scores, func):
    import warnings

    from rliable import library as rly

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        _, intervals = rly.get_interval_estimates({"x": scores}, func, reps=5000,
                                                  random_state=np.random.RandomState(0))
    return intervals["x"]


def test_intervals_agree_with_rliables_own_bootstrap():
    """The vectorised bootstrap draws what rliable's does: bounds within Monte-Carlo error of rliable's (5,000
    resamples each; the bootstrap distribution of an IQM over few seeds is lumpy, so a percentile can move by
    one lump, up to about 10 here, between two seeded draws)."""
    from rliable import metrics
    from scipy.stats import trim_mean

    seeds = np.array([142.9, 173.2, 278.9, 862.7, 920.9, 954.7, 969.6, 978.2, 982.3, 983.1])  # claim 7's
    reference = _rliable_interval(seeds[:, None], lambda s: np.array([metrics.aggregate_iqm(s)]))
    ours = iqm(seeds)
    assert ours.point == pytest.approx(metrics.aggregate_iqm(seeds[:, None]))
    assert ours.low == pytest.approx(reference[0][0], abs=15) and ours.high == pytest.approx(reference[1][0], abs=15)
    curve = np.random.default_rng(3).normal(800.0, 30.0, size=(5, 4))  # 5 seeds x 4 evaluation steps
    reference = _rliable_interval(curve, lambda s: trim_mean(s, 0.25, axis=0))
    ours = iqm_curve(curve)
    assert [e.point for e in ours] == pytest.approx(trim_mean(curve, 0.25, axis=0))
    assert [e.low for e in ours] == pytest.approx(reference[0], abs=15)
    assert [e.high for e in ours] == pytest.approx(reference[1], abs=15)


def test_a_curve_is_bootstrapped_step_by_step_and_one_seed_has_no_interval():
    curve = np.array([[1.0, 10.0, 100.0], [3.0, 10.0, 300.0]])
    steps = iqm_curve(curve)
    assert [(e.point, e.low, e.high) for e in steps] == [(2.0, 1.0, 3.0), (10.0, 10.0, 10.0), (200.0, 100.0, 300.0)]
    alone = iqm([5.0])
    assert (alone.point, alone.n, alone.has_interval) == (5.0, 1, False) and np.isnan(alone.low)
    assert "one seed (no interval)" in alone.describe()
