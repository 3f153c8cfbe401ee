"""Tests for analytics.insights.market_signal: no leakage in the prior mean, which sees only strictly earlier
ratings."""

import numpy as np
import pandas as pd
import pytest

from analytics.insights.market_signal import prior_mean_expectation


def _leak_frame():
    return pd.DataFrame({
        "record_id": [f"r{i}" for i in range(8)],
        "product": ["A", "A", "A", "A", "A", "A", "A", "B"],
        "category": "Kitchen",
        "rating": [0.0, 0.25, 1.0, 0.5, 0.75, 0.25, 1.0, 1.0],
        "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-03", "2024-01-04",
                                     "2024-01-04", "2024-01-05", "2024-01-02"]),
    })


def test_prior_mean_equals_the_hand_shrunk_mean_of_strictly_earlier_ratings():
    rows, k = _leak_frame(), 2.0
    got = prior_mean_expectation(rows, prior_strength=k)
    # Row r4 (A on Jan 4): earlier A ratings r0–r3; the category prior is every Kitchen rating before Jan 4.
    product_before = [0.0, 0.25, 1.0, 0.5]
    category_before = product_before + [1.0]
    prior = sum(category_before) / len(category_before)
    hand = (k * prior + sum(product_before)) / (k + len(product_before))
    assert got.expected[4] == pytest.approx(hand) and hand == pytest.approx(0.475)
    assert got.expected[4] == got.expected[5]  # same timestamp, same history
    assert np.isnan(got.expected[0]) and got.expected[7] == pytest.approx(0.0)  # r7: category mean before Jan 2
    assert got.prior_strength == k and got.n_fallback == 2  # r0 (nothing earlier) and r7 (first B)


def test_prior_mean_does_not_change_when_the_rows_own_same_time_or_later_ratings_change():
    rows = _leak_frame()
    base = prior_mean_expectation(rows, prior_strength=2.0).expected
    for target in (4, 5):  # r4 and r5: product A, both on Jan 4
        for changed in (4, 5, 6):  # its own rating, the other one at the same timestamp, a later rating
            for value in (0.0, 1.0):
                moved = rows.assign(rating=rows["rating"].where(rows.index != changed, value))
                got = prior_mean_expectation(moved, prior_strength=2.0).expected[target]
                assert got == pytest.approx(base[target]), (target, changed, value)
    # Control: an earlier rating does move it, so the comparison above can fail.
    moved = rows.assign(rating=rows["rating"].where(rows.index != 7, 0.0))
    assert prior_mean_expectation(moved, prior_strength=2.0).expected[4] != pytest.approx(base[4])


def test_prior_mean_up_to_a_cut_ignores_every_rating_from_the_cut_on():
    rng = np.random.default_rng(3)
    n = 600
    product = rng.choice(list("abcdef"), n)
    rows = pd.DataFrame({"record_id": [f"r{i}" for i in range(n)], "product": product,
                         "category": pd.Series(product).map({"a": "X", "b": "X", "c": "Y", "d": "Y", "e": "Z",
                                                             "f": None}),
                         "rating": rng.integers(0, 5, n) / 4,
                         "timestamp": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 60, n), "D")})
    cut = pd.Timestamp("2024-01-31")
    late = rows["timestamp"] >= cut
    moved = rows.assign(rating=rows["rating"].where(~late, rng.integers(0, 5, n) / 4))
    before = prior_mean_expectation(rows, prior_strength=5.0).expected
    after = prior_mean_expectation(moved, prior_strength=5.0).expected
    upto = rows["timestamp"] <= cut  # rows at the cut itself had their own and same-time ratings changed
    np.testing.assert_allclose(before[upto], after[upto])
    assert not np.allclose(before[rows["timestamp"] > cut + pd.Timedelta(days=1)],
                           after[rows["timestamp"] > cut + pd.Timedelta(days=1)])
