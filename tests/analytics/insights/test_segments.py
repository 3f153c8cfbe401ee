"""Tests for analytics.insights.segments and segment_profiles: planted clusters, the demo's customer groups, names."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from analytics.insights import segments
from analytics.insights.segment_profiles import profile_segments, segment_name, sizes_table
from analytics.insights.segments import (
    available_features,
    choose_k,
    customer_features,
    fit_segments,
    prepare_features,
    project,
)


def _blobs(n_per=300, centers=((0, 0, 0), (6, 0, 3), (0, 6, -3)), seed=1):
    rng = np.random.default_rng(seed)
    points = np.vstack([rng.normal(c, 0.7, size=(n_per, 3)) for c in centers])
    truth = np.repeat(np.arange(len(centers)), n_per)
    index = pd.Index([f"c{i}" for i in range(len(points))], name="customer_id")
    return pd.DataFrame(points, columns=["a", "b", "c"], index=index), truth


def test_planted_blobs_are_found_and_k_is_chosen_by_silhouette():
    table, truth = _blobs()
    prepared = prepare_features(table)
    choice = choose_k(prepared.scaled)
    assert choice.best_k == 3 and choice.ks == tuple(range(2, 11))
    assert choice.silhouette[1] == max(choice.silhouette)
    assert all(a >= b for a, b in zip(choice.inertia, choice.inertia[1:]))  # the elbow curve falls
    found = fit_segments(prepared.scaled, 3)
    assert adjusted_rand_score(truth, found.labels.to_numpy()) >= 0.9
    assert found.stable and len(found.stability) == 5
    assert found.labels.value_counts().is_monotonic_decreasing  # segment 0 is the largest
    points = project(prepared.scaled, found.labels, sample=200)
    assert len(points.points) == 200 and sum(points.explained) <= 1.0 + 1e-9


def test_large_inputs_switch_to_minibatch(monkeypatch):
    monkeypatch.setattr(segments, "MINIBATCH_ABOVE", 100)
    table, truth = _blobs()
    found = fit_segments(prepare_features(table).scaled, 3, stability_seeds=1)
    assert found.method == "MiniBatchKMeans" and adjusted_rand_score(truth, found.labels.to_numpy()) >= 0.9


def test_skewed_features_are_logged_gaps_filled_and_constants_dropped():
    rng = np.random.default_rng(0)
    table = pd.DataFrame({"spend": rng.lognormal(3, 1.2, 500), "rating": rng.uniform(0, 1, 500), "same": 1.0})
    table.loc[:9, "rating"] = np.nan
    prepared = prepare_features(table)
    assert prepared.logged == ("spend",) and prepared.dropped == ("same",) and prepared.filled == {"rating": 10}
    assert not prepared.scaled.isna().any().any()
    assert prepared.scaled.median().abs().max() < 1e-9
    note = prepared.note()
    assert "robust-scaled" in note and "log-transformed first where skewed (spend)" in note and "rating: 10" in note


def test_bad_inputs_say_what_is_wrong():
    with pytest.raises(ValueError, match="at least 3 customers"):
        prepare_features(pd.DataFrame({"a": [1.0]}, index=["only"]))
    with pytest.raises(ValueError, match="same value for all customers"):
        prepare_features(pd.DataFrame({"a": [2.0] * 5, "b": [1.0] * 5}))
    table, _ = _blobs(n_per=2)
    with pytest.raises(ValueError, match="k = 8 needs at least 9 customers; there are 6"):
        fit_segments(prepare_features(table).scaled, 8)
    few = pd.DataFrame({"a": [0.0, 0.0, 1.0, 1.0]}, index=list("wxyz"))
    with pytest.raises(ValueError, match="Only 2 distinct customer profiles"):
        choose_k(prepare_features(few).scaled)
    assert available_features(pd.DataFrame({"text": ["x"]})) == []  # no customer column: nothing to segment


def _rows():
    return pd.DataFrame({
        "record_id": ["1", "2", "3", "4", "5"],
        "customer_id": ["a", "a", "b", "b", None],
        "timestamp": pd.to_datetime(["2025-01-01", "2025-01-10", "2025-01-05", "2025-01-05", "2025-01-01"]),
        "order_id": ["o1", "o1", "o2", "o3", "o4"],
        "amount": [100.0, 100.0, 30.0, 50.0, 999.0],  # o1's total is repeated on both of its rows
        "rating": [1.0, 0.0, 0.75, np.nan, 1.0],
        "expected": [0.5, np.nan, 1.0, np.nan, np.nan],
        "channel": ["phone", "review", "email", "chat", "phone"],
        "text": ["late", "broken", "fine", "ok", "x"],
    })


def test_customer_features_are_computed_as_documented():
    rows = _rows()
    names = [f.name for f in available_features(rows)]
    assert names == ["recency_days", "frequency", "monetary_total", "monetary_mean", "interactions", "mean_rating",
                     "negative_share", "mean_gap", "phone_email_share"]
    table = customer_features(rows, names)
    assert table.index.tolist() == ["a", "b"]  # the row without a customer is left out
    a, b = table.loc["a"], table.loc["b"]
    assert a["recency_days"] == 1.0 and b["recency_days"] == 6.0  # reference: the day after the last contact
    assert a["frequency"] == 1 and b["frequency"] == 2 and a["interactions"] == 2
    assert a["monetary_total"] == 100.0 and b["monetary_total"] == 80.0 and b["monetary_mean"] == 40.0
    assert a["mean_rating"] == 0.5 and a["negative_share"] == 0.5 and b["negative_share"] == 0.0
    assert a["mean_gap"] == 0.5 and b["mean_gap"] == -0.25
    assert a["phone_email_share"] == 0.5 and b["phone_email_share"] == 0.5
    stored = pd.DataFrame({"record_id": ["3", "4"], "label": ["negative", "negative"]})
    assert customer_features(rows, ["negative_share"], sentiment=stored).loc["b", "negative_share"] == 1.0
    tags = {"intent": pd.DataFrame({"record_id": ["1", "2", "3"], "label": ["complaint", "praise", "complaint"]})}
    shares = customer_features(rows, ["complaint_share"], tags=tags)["complaint_share"]
    assert shares.tolist() == [0.5, 1.0]  # b: record 4 was not tagged, so 1 of 1 tagged
    with pytest.raises(ValueError, match="not available"):
        customer_features(rows, ["nonsense"])


def test_chinese_phone_and_email_channels_count_in_the_channel_mix():
    rows = pd.DataFrame({"record_id": list("123456"), "customer_id": list("aaabbb"),
                         "channel": ["电话", "客服邮箱", "在线客服", "商品评价", "微信", "客服热线"]})
    shares = customer_features(rows, ["phone_email_share"])["phone_email_share"]
    assert shares.round(4).tolist() == [0.6667, 0.3333]
    from analytics.demo.generator import generate_demo

    zh, en = (generate_demo(seed=2, n_interactions=1_000, language=lang).interactions for lang in ("zh", "en"))
    mix = [customer_features(d.assign(record_id=d["interaction_id"]), ["phone_email_share"]) for d in (zh, en)]
    pd.testing.assert_frame_equal(*mix)  # the Chinese demo's 电话 and 邮件 count as phone and email
    assert 0.1 < mix[0]["phone_email_share"].mean() < 0.6


def test_order_lines_add_up_per_customer():
    lines = pd.DataFrame({"record_id": list("1234"), "customer_id": ["a", "a", "a", "b"],
                          "order_id": ["o1", "o1", "o2", "o3"], "amount": [2.0, 3.0, 4.0, 5.0]})
    table = customer_features(lines, ["monetary_total", "monetary_mean"])
    assert table.loc["a"].tolist() == [9.0, 4.5] and table.loc["b"].tolist() == [5.0, 5.0]


def test_names_come_from_the_standout_features():
    from analytics.insights.segments import Feature

    features = [Feature("monetary_mean", "", True, "high-value", "low-spend"),
                Feature("frequency", "", True, "frequent buyers", "one-off"),
                Feature("mean_rating", "", True, "very satisfied", "unhappy (low ratings)")]
    assert segment_name({"monetary_mean": 1.5, "frequency": 0.9, "mean_rating": 0.6}, features) == \
        "High-value, frequent buyers, very satisfied"
    assert segment_name({"mean_rating": -2.0, "frequency": 0.2}, features) == "Unhappy (low ratings)"


def test_the_demo_groups_are_recovered_and_named(demo_rows):
    from analytics.demo.generator import generate_demo

    truth = generate_demo(seed=7).truth.customer_groups
    features = available_features(demo_rows)
    prepared = prepare_features(customer_features(demo_rows, [f.name for f in features if f.default]))
    found = fit_segments(prepared.scaled, 4)
    assert adjusted_rand_score(truth.reindex(found.labels.index), found.labels) >= 0.40
    profiles = profile_segments(demo_rows, prepared, found, features)
    groups = pd.crosstab(found.labels, truth.reindex(found.labels.index))
    at_risk, loyal = profiles[groups["at_risk"].idxmax()], profiles[groups["loyal"].idxmax()]
    assert "low ratings" in at_risk.name or "complaint" in at_risk.name.lower()
    assert "high-value" in loyal.name.lower() or "frequent" in loyal.name.lower()
    assert len({p.name for p in profiles}) == 4 and sum(p.size for p in profiles) == 3000
    assert all(len(p.examples) == 3 for p in profiles) and at_risk.mean_rating < loyal.mean_rating
    assert sizes_table(profiles)["customers"].sum() == 3000


def test_profiles_name_products_by_item_on_order_lines_and_drop_empty_columns():
    lines = pd.DataFrame({"record_id": [str(i) for i in range(8)], "customer_id": list("aabbccdd"),
                          "order_id": list("11223344"), "product": ["22630", "22631"] * 4,
                          "item": ["TEA CUP", "SAUCER"] * 4, "amount": [1.0, 2.0, 3.0, 4.0, 50.0, 60.0, 70.0, 80.0]})
    features = available_features(lines)
    prepared = prepare_features(customer_features(lines, ["monetary_total"]))
    found = fit_segments(prepared.scaled, 2, stability_seeds=1)
    profiles = profile_segments(lines, prepared, found, features)
    assert {name for p in profiles for name, _ in p.top_products} == {"TEA CUP", "SAUCER"}
    table = sizes_table(profiles)
    assert "top products" in table.columns and not {"mean rating (0–1)", "top topics", "channels"} & set(table.columns)
