import numpy as np

from ncap.experiments.results import estimate


def test_bootstrap_interval_brackets_the_mean():
    values = np.array([100.0, 120.0, 90.0, 130.0, 110.0])
    est = estimate(values)
    assert est.mean == 110.0 and est.n == 5
    assert est.low < est.mean < est.high
    assert 90.0 <= est.low and est.high <= 130.0


def test_one_seed_has_no_interval_and_identical_values_a_point():
    one = estimate([5.0])
    assert one.mean == 5.0 and np.isnan(one.low) and np.isnan(one.high)
    same = estimate([3.0, 3.0, 3.0])
    assert (same.low, same.high) == (3.0, 3.0)
