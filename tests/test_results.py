import numpy as np

from ncap.experiments.results import estimate


def test_a_group_estimate_is_the_iqm_and_its_interval_brackets_it():
    values = np.array([100.0, 120.0, 90.0, 130.0, 110.0])
    est = estimate(values)
    # 5 seeds: a 25% trim drops int(1.25) = 1 from each end, leaving 100, 110, 120
    assert (est.statistic, est.point, est.n) == ("IQM", 110.0, 5)
    assert est.low < est.point < est.high
    assert 90.0 <= est.low and est.high <= 130.0


def test_one_seed_has_no_interval_and_identical_values_a_point():
    one = estimate([5.0])
    assert one.point == 5.0 and np.isnan(one.low) and np.isnan(one.high)
    same = estimate([3.0, 3.0, 3.0])
    assert (same.low, same.high) == (3.0, 3.0)
