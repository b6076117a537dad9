"""Statistics over seeds (rliable) against values computed by hand on fixed data."""

import numpy as np
import pytest

from ncap.experiments.statistics import iqm, mean, probability_of_improvement


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
