"""Tests for analytics.insights.importance: hand-computed weights and correlations, quadrants."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics.insights.importance import (
    COLUMNS,
    METHODS,
    NOT_ENOUGH,
    QUADRANTS,
    importance_performance,
)


def _mentions(records, dimensions, polarities):
    return pd.DataFrame({"record_id": records, "dimension": dimensions, "polarity": polarities,
                         "sentence": "evidence"})


def _tiny():
    """Ten rated rows and one unrated; two dimensions whose scores correlate with each other."""
    rows = pd.DataFrame({"record_id": [f"r{i}" for i in range(11)],
                         "rating": [0.0, 0.25, 1.0, 0.75, 0.5, 1.0, 0.25, 0.5, 0.75, 1.0, np.nan]})
    mentions = _mentions(["r0", "r1", "r2", "r3", "r9", "r10", "r0", "r4", "r5", "r6", "r9"],
                         ["app"] * 6 + ["staff"] * 5, [-1, -1, 1, 0, 1, 1, -1, 0, 1, -1, 1])
    return rows, mentions


def test_regression_weights_and_performance_match_a_hand_computation():
    rows, mentions = _tiny()
    table = importance_performance(rows, mentions, min_n=3).set_index("dimension")
    # Scores of the ten rated rows (r10 is unrated): polarity where mentioned, 0 elsewhere.
    y = np.array([0.0, 0.25, 1.0, 0.75, 0.5, 1.0, 0.25, 0.5, 0.75, 1.0])
    app = np.array([-1, -1, 1, 0, 0, 0, 0, 0, 0, 1])
    staff = np.array([-1, 0, 0, 0, 0, 1, -1, 0, 0, 1])
    r_ya, r_ys, r_as = stats.pearsonr(y, app)[0], stats.pearsonr(y, staff)[0], stats.pearsonr(app, staff)[0]
    # Two standardised predictors: beta_a = (r_ya − r_ys·r_as) / (1 − r_as²), and symmetrically.
    assert table.loc["app", "importance"] == pytest.approx((r_ya - r_ys * r_as) / (1 - r_as ** 2))
    assert table.loc["staff", "importance"] == pytest.approx((r_ys - r_ya * r_as) / (1 - r_as ** 2))
    # Performance: mean rating of the rated rows mentioning it (app: r0 r1 r2 r3 r9; staff: r0 r4 r5 r6 r9).
    assert table.loc["app", "performance"] == pytest.approx((0 + 0.25 + 1 + 0.75 + 1) / 5)
    assert table.loc["staff", "performance"] == pytest.approx((0 + 0.5 + 1 + 0.25 + 1) / 5)
    assert table.loc["app", "n"] == 5 and table.loc["staff", "n"] == 5  # the unrated r10 does not count
    assert table.attrs["importance_cut"] == pytest.approx(table["importance"].mean())
    assert table.attrs["performance_cut"] == pytest.approx(table["performance"].mean())
    assert "standardised regression weights" in table.attrs["method"]
    assert "mean rating" in table.attrs["performance_label"]


def test_correlation_method_gives_pearsons_r():
    rows, mentions = _tiny()
    table = importance_performance(rows, mentions, method="correlation", min_n=3).set_index("dimension")
    y = np.array([0.0, 0.25, 1.0, 0.75, 0.5, 1.0, 0.25, 0.5, 0.75, 1.0])
    assert table.loc["app", "importance"] == pytest.approx(stats.pearsonr(y, [-1, -1, 1, 0, 0, 0, 0, 0, 0, 1])[0])
    assert table.loc["staff", "importance"] == pytest.approx(stats.pearsonr(y, [-1, 0, 0, 0, 0, 1, -1, 0, 0, 1])[0])
    assert table.attrs["method"] == METHODS["correlation"] and table.attrs["method"].startswith("Pearson")


def _planted(seed=3, n=3000):
    """fees: mostly criticised and it matters; staff: mostly praised and it matters; parking and wrapping:
    polarity unrelated to the rating, mentioned on low-rated and on high-rated rows."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"r{i}" for i in range(n)])
    fees = np.where(rng.random(n) < 0.3, np.where(rng.random(n) < 0.8, -1, 1), 0)
    staff = np.where(rng.random(n) < 0.3, np.where(rng.random(n) < 0.8, 1, -1), 0)
    rating = np.clip(0.6 + 0.2 * fees + 0.2 * staff + rng.normal(0, 0.1, n), 0, 1)
    low, high = rating < np.quantile(rating, 0.2), rating > np.quantile(rating, 0.8)
    parts = [(ids[fees != 0], "fees", fees[fees != 0]), (ids[staff != 0], "staff", staff[staff != 0]),
             (ids[low], "parking", rng.choice([-1, 1], low.sum())),
             (ids[high], "wrapping", rng.choice([-1, 1], high.sum())),
             (ids[:2], "lifts", [-1, 1])]
    mentions = pd.concat([_mentions(r, d, p) for r, d, p in parts], ignore_index=True)
    return pd.DataFrame({"record_id": ids, "rating": rating}), mentions


@pytest.mark.parametrize("method", ["regression", "correlation"])
def test_planted_dimensions_land_in_their_quadrants(method):
    rows, mentions = _planted()
    table = importance_performance(rows, mentions, method=method).set_index("dimension")
    assert table.loc["fees", "quadrant"] == "Concentrate here"
    assert table.loc["staff", "quadrant"] == "Keep up the good work"
    assert table.loc["parking", "quadrant"] == "Low priority"
    assert table.loc["wrapping", "quadrant"] == "Possible overkill"
    assert set(QUADRANTS.values()) == set(table.loc[table["enough"], "quadrant"])


def test_sparse_dimension_is_not_enough_data_and_changes_nothing_else():
    rows, mentions = _planted()
    table = importance_performance(rows, mentions)
    assert list(table.columns) == COLUMNS
    lifts = table.set_index("dimension").loc["lifts"]
    assert not lifts["enough"] and lifts["quadrant"] == NOT_ENOUGH and np.isnan(lifts["importance"])
    assert lifts["n"] == 2 and table.iloc[-1]["dimension"] == "lifts"  # enough dimensions first
    without = importance_performance(rows, mentions[mentions["dimension"] != "lifts"])
    pd.testing.assert_frame_equal(table[table["enough"]].reset_index(drop=True), without)
    assert table.attrs["importance_cut"] == pytest.approx(without["importance"].mean())
    assert table.attrs["performance_cut"] == pytest.approx(without["performance"].mean())


def test_all_ratings_equal_gives_zero_importance_without_warnings():
    rows, mentions = _planted()
    rows = rows.assign(rating=0.75)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for method in METHODS:
            table = importance_performance(rows, mentions, method=method)
            assert (table.loc[table["enough"], "importance"] == 0).all()
            assert (table.loc[table["enough"], "performance"] == 0.75).all()


def test_no_dimension_with_enough_mentions_gives_an_all_grey_table():
    rows, mentions = _tiny()
    table = importance_performance(rows, mentions)  # min_n 30: 5 mentions each
    assert (table["quadrant"] == NOT_ENOUGH).all() and np.isnan(table.attrs["importance_cut"])


def test_input_is_not_mutated_and_bad_input_says_what_to_do():
    rows, mentions = _tiny()
    before_rows, before_mentions = rows.copy(), mentions.copy()
    importance_performance(rows, mentions, min_n=3)
    pd.testing.assert_frame_equal(rows, before_rows)
    pd.testing.assert_frame_equal(mentions, before_mentions)
    with pytest.raises(ValueError, match="method="):
        importance_performance(rows, mentions, method="shapley")
    with pytest.raises(ValueError, match="rating column"):
        importance_performance(rows.assign(rating=np.nan), mentions)
    with pytest.raises(ValueError, match="tag the texts"):
        importance_performance(rows, mentions.iloc[:0])
