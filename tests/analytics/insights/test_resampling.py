"""Tests for analytics.insights.resampling: one index draw per resample, bootstrap coverage, determinism."""

import numpy as np

from analytics.insights.resampling import bootstrap_means, resample_counts


def test_resample_counts_are_one_index_draw():
    counts = resample_counts(50, n_boot=7, seed=3)
    draws = np.random.default_rng(3).integers(0, 50, size=(7, 50))
    assert counts.shape == (7, 50) and (counts.sum(axis=1) == 50).all()
    np.testing.assert_array_equal(counts, [np.bincount(d, minlength=50) for d in draws])


def test_bootstrap_intervals_cover_the_true_mean_at_close_to_95_percent():
    rng = np.random.default_rng(11)
    groups, size, truth = 300, 40, 0.3
    values = rng.normal(truth, 1.0, groups * size)
    labels = np.repeat(np.arange(groups), size)
    for level, (least, most) in ((0.95, (0.90, 0.99)), (0.80, (0.72, 0.88))):
        low, high = bootstrap_means(values, labels, n_boot=400, level=level, seed=1)
        coverage = np.mean((low <= truth) & (truth <= high))
        assert least <= coverage <= most, (level, coverage)


def test_bootstrap_is_deterministic_orders_groups_by_label_and_gives_nan_for_one_value():
    values = np.r_[1.0, 2.0, 3.0, 4.0, 10.0, 5.0, 6.0, 7.0]
    groups = np.array(["b", "b", "b", "b", "solo", "a", "a", "a"])
    low, high = bootstrap_means(values, groups, seed=4)
    again = bootstrap_means(values, groups, seed=4)
    np.testing.assert_array_equal(low, again[0])
    np.testing.assert_array_equal(high, again[1])
    assert not np.array_equal(low, bootstrap_means(values, groups, seed=5)[0])
    assert 5 <= low[0] < 6 < high[0] <= 7 and 1 <= low[1] < 2.5 < high[1] <= 4  # "a", then "b"
    assert np.isnan(low[2]) and np.isnan(high[2])  # "solo"
    # Two columns share the draws: each column's interval is the one-column interval with the same seed.
    both = bootstrap_means(np.c_[values, 2 * values], groups, seed=4)
    np.testing.assert_allclose(both[0][:, 0], low)
    np.testing.assert_allclose(both[1][:, 1], 2 * high)


def test_bootstrap_of_constant_values_has_zero_width_and_empty_input_gives_empty_arrays():
    low, high = bootstrap_means(np.full(6, 0.5), np.r_[0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(low, [0.5, 0.5])
    np.testing.assert_array_equal(high, [0.5, 0.5])
    low, high = bootstrap_means(np.array([]), np.array([]))
    assert low.shape == high.shape == (0,)
