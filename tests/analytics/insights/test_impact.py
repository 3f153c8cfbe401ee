"""Tests for analytics.insights.impact: the formulas by hand, the shared resample draw, interval coverage."""

import numpy as np
import pandas as pd
import pytest

from analytics.insights.impact import COLUMNS, topic_impact
from analytics.insights.resampling import resample_counts
from analytics.schema import NEGATIVE_BELOW


def _tiny():
    """Seven rated rows and one unrated; delivery criticised on r1, r2 (and unrated r8), price on r5."""
    rows = pd.DataFrame({"record_id": [f"r{i}" for i in range(1, 9)],
                         "rating": [0.0, 0.25, 1.0, 0.75, 0.5, 1.0, 0.25, np.nan]})
    mentions = pd.DataFrame({"record_id": ["r1", "r2", "r3", "r8", "r4", "r5"],
                             "dimension": ["delivery"] * 4 + ["price"] * 2, "polarity": [-1, -1, 1, -1, 0, -1],
                             "sentence": "evidence"})
    return rows, mentions


def test_mean_rating_formulas_match_a_hand_computation():
    rows, mentions = _tiny()
    table = topic_impact(rows, mentions, min_n=2, n_boot=100)
    assert list(table.columns) == COLUMNS
    by = table.set_index("topic")
    current = (0 + 0.25 + 1 + 0.75 + 0.5 + 1 + 0.25) / 7  # r8 has no rating
    assert by["current"].tolist() == pytest.approx([current, current])
    # delivery: n_neg = 2 (r1, r2: mean 0.125), the other five rated rows average 3.5 / 5.
    assert by.loc["delivery", "resolve_delta"] == pytest.approx(2 / 7 * (3.5 / 5 - 0.25 / 2))
    assert by.loc["delivery", "remove_delta"] == pytest.approx((0.75 + 0.5 + 1 + 0.25) / 4 - current)
    # price: r5 (0.5) against the six others (3.25 / 6); removing drops r4 and r5.
    assert by.loc["price", "resolve_delta"] == pytest.approx(1 / 7 * (3.25 / 6 - 0.5))
    assert by.loc["price", "remove_delta"] == pytest.approx((0 + 0.25 + 1 + 1 + 0.25) / 5 - current)
    assert by.loc["delivery", ["n_mentions", "n_negative"]].tolist() == [3, 2]
    assert by.loc["price", ["n_mentions", "n_negative"]].tolist() == [2, 1]
    assert table["topic"].tolist() == ["delivery", "price"]  # largest resolve change first


def test_resolve_is_the_mean_after_replacing_each_complaint_by_the_rest():
    rows, mentions = _tiny()
    by = topic_impact(rows, mentions, min_n=2, n_boot=20).set_index("topic")
    ratings = rows["rating"].to_numpy()[:7]
    after = ratings.copy()
    after[:2] = ratings[2:].mean()  # r1, r2 complained about delivery: they now end like r3 … r7
    assert by.loc["delivery", "resolve_delta"] == pytest.approx(after.mean() - ratings.mean())


def test_pct_negative_formulas_match_a_hand_computation():
    rows, mentions = _tiny()
    by = topic_impact(rows, mentions, metric="pct_negative", min_n=2, n_boot=100).set_index("topic")
    assert NEGATIVE_BELOW == 0.4  # r1, r2, r7 are negative (0, 0.25, 0.25); 0.5 is not
    assert by["current"].tolist() == pytest.approx([3 / 7, 3 / 7])
    # delivery: both complainers negative; of the other five only r7 is.
    assert by.loc["delivery", "resolve_delta"] == pytest.approx(2 / 7 * (1 / 5 - 1))
    assert by.loc["delivery", "remove_delta"] == pytest.approx(1 / 4 - 3 / 7)
    # price: r5 is not negative, the six others are 3 / 6 negative: resolving raises the share.
    assert by.loc["price", "resolve_delta"] == pytest.approx(1 / 7 * (3 / 6 - 0))
    assert by.loc["price", "remove_delta"] == pytest.approx(3 / 5 - 3 / 7)
    assert "share rated below 40%" in by.attrs["metric"] and "share rated below" in by.attrs["formula"]


def test_edge_cases_no_complaints_topic_everywhere_and_min_n():
    rows = pd.DataFrame({"record_id": list("abcd"), "rating": [0.2, 0.4, 0.6, 0.8]})
    mentions = pd.DataFrame({"record_id": list("abcd") + ["a"], "dimension": ["app"] * 4 + ["staff"],
                             "polarity": [1, 1, 0, 1, 1]})
    by = topic_impact(rows, mentions, min_n=3, n_boot=50).set_index("topic")
    assert by.loc["app", "resolve_delta"] == 0.0 and by.loc["app", "resolve_low"] == 0.0  # nothing to resolve
    assert np.isnan(by.loc["app", "remove_delta"])  # every row mentions it: nothing would be left
    assert by.loc["app", "enough"] and not by.loc["staff", "enough"]
    assert by.loc["staff", "remove_delta"] == pytest.approx(0.6 - 0.5)  # kept, only flagged


def test_formula_is_printed_and_bad_options_are_refused():
    rows, mentions = _tiny()
    table = topic_impact(rows, mentions, n_boot=30, level=0.9)
    assert "(n_neg / N) × (m_rest − m_neg)" in table.attrs["formula"] and "90%" in table.attrs["formula"]
    assert table.attrs["metric"] == "mean rating" and not table["enough"].any()
    with pytest.raises(ValueError, match="metric="):
        topic_impact(rows, mentions, metric="nps")
    with pytest.raises(ValueError, match="level="):
        topic_impact(rows, mentions, level=1.5)
    with pytest.raises(ValueError, match="rating column"):
        topic_impact(rows.assign(rating=np.nan), mentions)


def test_intervals_are_percentiles_of_the_resampled_deltas():
    rng = np.random.default_rng(8)
    n = 300
    rows = pd.DataFrame({"record_id": [f"r{i}" for i in range(n)], "rating": rng.random(n)})
    mentions = pd.DataFrame({"record_id": rows["record_id"][:120], "dimension": "app",
                             "polarity": rng.choice([-1, 0, 1], 120)})
    row = topic_impact(rows, mentions, n_boot=60, seed=4).iloc[0]
    counts = resample_counts(n, n_boot=60, seed=4).astype(int)
    y = rows["rating"].to_numpy()
    neg = np.isin(rows["record_id"], mentions.loc[mentions["polarity"] == -1, "record_id"])
    men = np.arange(n) < 120
    resolve, remove = [], []
    for c in counts:  # the slow, obvious way: build each resample and compute the deltas on it
        take = np.repeat(np.arange(n), c)
        yy, nn, mm = y[take], neg[take], men[take]
        resolve.append(nn.mean() * (yy[~nn].mean() - yy[nn].mean()))
        remove.append(yy[~mm].mean() - yy.mean())
    assert (row["resolve_low"], row["resolve_high"]) == pytest.approx(tuple(np.quantile(resolve, [0.025, 0.975])))
    assert (row["remove_low"], row["remove_high"]) == pytest.approx(tuple(np.quantile(remove, [0.025, 0.975])))


def test_bootstrap_intervals_cover_the_true_change_at_about_the_nominal_rate():
    # Population: 25 % criticise the topic (rating ~ Beta(2, 5), mean 2/7), 15 % praise it (Beta(5, 2),
    # mean 5/7), 60 % do not mention it (Beta(4, 3), mean 4/7).
    p_neg, p_pos, m_neg, m_pos, m_none = 0.25, 0.15, 2 / 7, 5 / 7, 4 / 7
    overall = p_neg * m_neg + p_pos * m_pos + (1 - p_neg - p_pos) * m_none
    m_rest = (p_pos * m_pos + (1 - p_neg - p_pos) * m_none) / (1 - p_neg)
    true_resolve, true_remove = p_neg * (m_rest - m_neg), m_none - overall
    rng = np.random.default_rng(2024)
    n, sims = 400, 200
    ids = np.array([f"r{i}" for i in range(n)])
    covered = np.zeros(2)
    for sim in range(sims):
        group = rng.choice(3, n, p=[p_neg, p_pos, 1 - p_neg - p_pos])
        a, b = np.array([2, 5, 4])[group], np.array([5, 2, 3])[group]
        rows = pd.DataFrame({"record_id": ids, "rating": rng.beta(a, b)})
        hit = group < 2
        mentions = pd.DataFrame({"record_id": ids[hit], "dimension": "app",
                                 "polarity": np.where(group[hit] == 0, -1, 1)})
        row = topic_impact(rows, mentions, n_boot=200, seed=sim).iloc[0]
        covered += [row["resolve_low"] <= true_resolve <= row["resolve_high"],
                    row["remove_low"] <= true_remove <= row["remove_high"]]
    coverage = covered / sims
    assert ((0.88 <= coverage) & (coverage <= 0.99)).all(), coverage
