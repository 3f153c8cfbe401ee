"""Tests for analytics.kpis: windows, KPI values and deltas, tables, all by hand."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from analytics.insights.kpis import (
    Window,
    breakdown,
    comparison_windows,
    compute_kpis,
    rating_distribution,
    trend,
)

NAN = np.nan


def canonical(timestamps, raw, expected_raw=None, *, scale=(1, 5), **extra) -> pd.DataFrame:
    """A canonical frame from raw ratings on ``scale`` (normalised columns derived)."""
    low, high = scale
    raw = np.asarray(raw, dtype=float)
    expected_raw = np.full(len(raw), NAN) if expected_raw is None else np.asarray(expected_raw, dtype=float)
    frame = pd.DataFrame(
        {
            "record_id": [f"r{i}" for i in range(len(raw))],
            "timestamp": pd.to_datetime(pd.Series(timestamps, dtype=object), format="ISO8601"),
            "rating": (raw - low) / (high - low),
            "rating_raw": raw,
            "expected": (expected_raw - low) / (high - low),
            "expected_raw": expected_raw,
        }
    )
    for key, values in extra.items():
        frame[key] = values
    return frame


@pytest.fixture
def ten_rows() -> pd.DataFrame:
    """5 rows in 2024-03-02 – 2024-03-31 (current, 30 days) and 5 in the 30 days before."""
    timestamps = [
        # current window, both ends included
        "2024-03-02 00:00", "2024-03-10", "2024-03-15", "2024-03-20", "2024-03-31 23:59",
        # previous window 2024-02-01 – 2024-03-01 (2024 is a leap year: 30 days)
        "2024-02-01 00:00", "2024-02-10", "2024-02-15", "2024-02-20", "2024-03-01 23:59:59",
    ]
    raw = [5, 4, 3, 2, NAN, 4, 3, 2, 3, 3]
    expected = [4, NAN, NAN, 4, 3, NAN, NAN, NAN, NAN, NAN]  # last one has no rating
    return canonical(timestamps, raw, expected)


def test_comparison_windows_90_days():
    frame = canonical(["2024-01-01", "2024-06-30 18:00"], [1, 5])
    current, previous = comparison_windows(frame, period_days=90)
    assert current == Window(date(2024, 4, 2), date(2024, 6, 30))
    assert previous == Window(date(2024, 1, 3), date(2024, 4, 1))
    assert current.days == previous.days == 90


def test_comparison_windows_explicit_end_and_whole_span():
    frame = canonical(["2024-01-05", "2024-01-20"], [1, 5])
    current, previous = comparison_windows(frame, period_days=7, end=date(2024, 1, 10))
    assert current == Window(date(2024, 1, 4), date(2024, 1, 10))
    assert previous == Window(date(2023, 12, 28), date(2024, 1, 3))
    current, previous = comparison_windows(frame, period_days=None)
    assert current == Window(date(2024, 1, 5), date(2024, 1, 20)) and previous is None


@pytest.mark.parametrize("bad", [0, -3, 2.5, "30", True])
def test_comparison_windows_rejects_bad_period(bad):
    frame = canonical(["2024-01-05"], [1])
    with pytest.raises(ValueError, match="period_days="):
        comparison_windows(frame, period_days=bad)


def test_comparison_windows_without_timestamps_raises():
    with pytest.raises(ValueError, match="no timestamps"):
        comparison_windows(canonical([None], [3]), period_days=30)


def test_kpis_hand_computed(ten_rows):
    result = compute_kpis(ten_rows, scale=(1, 5), period_days=30)
    assert result.current == Window(date(2024, 3, 2), date(2024, 3, 31))
    assert result.previous == Window(date(2024, 2, 1), date(2024, 3, 1))
    assert [k.key for k in result.kpis] == [
        "interactions", "mean_rating", "pct_negative", "net_sentiment", "mean_gap"
    ]
    k = result.get("interactions")
    assert (k.value, k.previous, k.delta) == (5, 5, 0)
    assert k.label == "Interactions" and k.better == "neutral"
    # current rated: 5 4 3 2 → 3.5; previous: 4 3 2 3 3 → 3.0
    k = result.get("mean_rating")
    assert k.value == pytest.approx(3.5) and k.previous == pytest.approx(3.0)
    assert k.delta == pytest.approx(0.5)
    assert k.unit == "/ 5" and k.better == "higher" and "n = 4 rated" in k.help and "n = 5" in k.help
    # negative = raw < 2.6: current 1 of 4 = 25 %, previous 1 of 5 = 20 %
    k = result.get("pct_negative")
    assert (k.value, k.previous, k.delta) == pytest.approx((25.0, 20.0, 5.0))
    assert k.unit == "%" and k.better == "lower"
    # positive = raw > 3.4: current 2 of 4 = 50 % → 50 − 25 = 25; previous 20 − 20 = 0
    k = result.get("net_sentiment")
    assert (k.value, k.previous, k.delta) == pytest.approx((25.0, 0.0, 25.0))
    assert "ratings" in k.help.lower() and "From ratings" in k.help
    # gap rows with both: (5 − 4) and (2 − 4) → mean −0.5 scale points; none before
    k = result.get("mean_gap")
    assert k.value == pytest.approx(-0.5)
    assert k.previous is None and k.delta is None
    assert "n = 2 with both" in k.help
    assert "30 days (2024-03-02 – 2024-03-31)" in result.note


def test_gap_in_points_of_a_0_to_10_scale():
    frame = canonical(["2024-01-01", "2024-01-02"], [8, 3], [6, 6], scale=(0, 10))
    result = compute_kpis(frame, scale=(0, 10), period_days=None)
    assert result.get("mean_gap").value == pytest.approx(((8 - 6) + (3 - 6)) / 2)
    assert result.get("mean_rating").value == pytest.approx(5.5)
    assert result.get("mean_rating").unit == "/ 10"
    assert result.previous is None and result.get("mean_rating").delta is None
    assert "no previous period" in result.note


def test_no_timestamps_uses_all_rows_and_says_so():
    frame = canonical([None, None, None], [1, 5, 5])
    result = compute_kpis(frame, scale=(1, 5))
    assert result.current is None and result.previous is None
    assert "No timestamps" in result.note and "all 3 rows" in result.note
    assert result.get("interactions").value == 3
    assert result.get("mean_rating").value == pytest.approx(11 / 3)
    assert result.get("pct_negative").value == pytest.approx(100 / 3)
    assert all(k.previous is None and k.delta is None for k in result.kpis)


def test_text_only_frame_gives_none_not_zero_or_nan():
    frame = pd.DataFrame({"record_id": ["a", "b"], "text": ["hi", "yo"], "timestamp": [None, None],
                          "rating": [NAN, NAN], "rating_raw": [NAN, NAN], "expected": [NAN, NAN]})
    result = compute_kpis(frame, scale=(1, 5))
    assert result.get("interactions").value == 2
    for key in ("mean_rating", "pct_negative", "net_sentiment", "mean_gap"):
        kpi = result.get(key)
        assert kpi.value is None and kpi.previous is None and kpi.delta is None


def test_columns_absent_entirely():
    result = compute_kpis(pd.DataFrame({"text": ["a"]}), scale=(1, 5))
    assert result.get("interactions").value == 1
    assert result.get("mean_rating").value is None


def test_undated_rows_left_out_when_others_have_dates(ten_rows):
    extra = canonical([None], [1])
    result = compute_kpis(pd.concat([ten_rows, extra], ignore_index=True), scale=(1, 5), period_days=30)
    assert result.get("interactions").value == 5
    assert "1 row(s) without a timestamp" in result.note


def test_data_starting_after_previous_window_means_no_comparison():
    frame = canonical(["2024-03-10", "2024-03-20"], [1, 5])
    result = compute_kpis(frame, scale=(1, 5), period_days=30)
    assert result.previous is None
    assert result.get("interactions").previous is None and result.get("interactions").delta is None
    assert "data starts on 2024-03-10" in result.note


def test_partly_covered_previous_window_is_noted():
    frame = canonical(["2024-02-10", "2024-03-20"], [1, 5])
    result = compute_kpis(frame, scale=(1, 5), period_days=30)  # previous: 2024-01-21 – 2024-02-19
    assert result.get("interactions").previous == 1
    assert "only partly covered" in result.note


def test_empty_current_window():
    frame = canonical(["2024-01-01", "2024-03-01"], [2, 4])
    result = compute_kpis(frame, scale=(1, 5), period_days=10, end=date(2024, 2, 15))
    assert result.get("interactions").value == 0
    assert result.get("mean_rating").value is None


@pytest.mark.parametrize("scale", [(5, 1), (1, 1), (1,), ("a", "b"), (0, float("inf"))])
def test_bad_scale_raises(scale):
    with pytest.raises(ValueError, match="scale="):
        compute_kpis(canonical(["2024-01-01"], [3]), scale=scale)


def test_input_not_mutated(ten_rows):
    before = ten_rows.copy(deep=True)
    compute_kpis(ten_rows, scale=(1, 5), period_days=30)
    breakdown(ten_rows.assign(channel="chat"), by="channel", scale=(1, 5))
    trend(ten_rows, freq="W")
    pd.testing.assert_frame_equal(ten_rows, before)


def test_rating_distribution():
    frame = canonical([None] * 5, [5, 1, 5, NAN, 3])
    dist = rating_distribution(frame)
    assert dist["rating_raw"].tolist() == [1.0, 3.0, 5.0]
    assert dist["count"].tolist() == [1, 1, 2]
    assert dist["share"].tolist() == pytest.approx([0.25, 0.25, 0.5])
    assert rating_distribution(canonical([None], [NAN])).empty


def test_breakdown():
    frame = canonical(
        [None] * 6, [1, 5, 4, 2, NAN, 3],
        channel=["chat", "chat", "email", None, "email", "chat"],
    )
    out = breakdown(frame, by="channel", scale=(1, 5))
    assert out.columns.tolist() == ["group", "interactions", "rated", "mean_rating", "pct_negative"]
    assert out["group"].tolist() == ["chat", "email", "(none)"]
    assert out["interactions"].tolist() == [3, 2, 1]
    assert out["rated"].tolist() == [3, 1, 1]
    assert out["mean_rating"].tolist() == pytest.approx([3.0, 4.0, 2.0])
    assert out["pct_negative"].tolist() == pytest.approx([100 / 3, 0.0, 100.0])


def test_breakdown_ties_sorted_by_name_and_unrated_group_is_nan():
    frame = canonical([None] * 2, [NAN, 4], category=["b", "a"])
    out = breakdown(frame, by="category", scale=(1, 5))
    assert out["group"].tolist() == ["a", "b"]
    assert np.isnan(out.loc[1, "mean_rating"]) and np.isnan(out.loc[1, "pct_negative"])


def test_breakdown_unknown_column():
    with pytest.raises(ValueError, match="by='segment'"):
        breakdown(canonical([None], [3]), by="segment", scale=(1, 5))


def test_weekly_trend_has_monday_starts_and_empty_weeks():
    # Wed 2024-01-03 and Sun 2024-01-07 share the week of Mon 2024-01-01; 2024-01-15 is two weeks on.
    frame = canonical(["2024-01-03", "2024-01-07 23:00", "2024-01-15", None], [1, 4, 5, 5])
    out = trend(frame, freq="W")
    assert out["period"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"]))
    assert out["interactions"].tolist() == [2, 0, 1]
    assert out["rated"].tolist() == [2, 0, 1]
    assert out["mean_rating_raw"].tolist()[0] == pytest.approx(2.5)
    assert np.isnan(out["mean_rating_raw"].tolist()[1])
    assert out["pct_negative"].tolist()[0] == pytest.approx(50.0)
    assert out["pct_negative"].tolist()[2] == pytest.approx(0.0)


def test_monthly_trend():
    frame = canonical(["2024-01-31 23:59", "2024-03-01", "2024-03-31"], [2, 4, 5])
    out = trend(frame, freq="M")
    assert out["period"].tolist() == list(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"]))
    assert out["interactions"].tolist() == [1, 0, 2]
    assert out["mean_rating_raw"].tolist()[2] == pytest.approx(4.5)


def test_trend_without_timestamps_is_empty_and_bad_freq_raises():
    out = trend(canonical([None], [3]), freq="W")
    assert out.empty and out.columns.tolist()[0] == "period"
    with pytest.raises(ValueError, match="freq='Y'"):
        trend(canonical([None], [3]), freq="Y")


def test_rows_just_outside_both_windows_are_not_counted(ten_rows):
    outside = canonical(["2024-01-31 23:59:59", "2024-04-01 00:00"], [1, 1])
    result = compute_kpis(pd.concat([ten_rows, outside], ignore_index=True), scale=(1, 5),
                          period_days=30, end=date(2024, 3, 31))
    assert (result.get("interactions").value, result.get("interactions").previous) == (5, 5)


def test_a_date_filter_keeps_the_comparison_with_the_period_before_it():
    days = pd.date_range("2024-10-01", "2025-03-31", freq="D")
    raw = np.where(days < pd.Timestamp("2025-01-01"), 2.0, 4.0)  # ratings rose with the new year
    whole = canonical(days.strftime("%Y-%m-%d").tolist(), raw)
    quarter = whole[whole["timestamp"] >= "2025-01-01"]  # the user's date filter: 2025-01-01 – 2025-03-31
    without_history = compute_kpis(quarter, scale=(1, 5), period_days=90)
    assert without_history.previous is None and "the data starts on 2025-01-01" in without_history.note
    kpis = compute_kpis(quarter, scale=(1, 5), period_days=90, history=whole)
    assert kpis.current == Window(date(2025, 1, 1), date(2025, 3, 31))
    assert kpis.previous == Window(date(2024, 10, 3), date(2024, 12, 31))
    mean = kpis.get("mean_rating")
    assert (mean.value, mean.previous, mean.delta) == (4.0, 2.0, 2.0)
    assert kpis.get("interactions").previous == 90 and "data starts" not in kpis.note


def test_text_sentiment_replaces_the_rating_rule_when_the_texts_are_scored():
    frame = canonical(["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04"], [NAN, NAN, NAN, NAN],
                      sentiment=["negative", "positive", "positive", None])  # a text-only dataset, 3 scored
    by_ratings = compute_kpis(frame, scale=(1, 5), period_days=None)
    assert by_ratings.get("pct_negative").value is None and "come from ratings" in by_ratings.note
    kpis = compute_kpis(frame, scale=(1, 5), period_days=None, text_sentiment="VADER lexicon (baseline)")
    assert kpis.get("pct_negative").value == pytest.approx(100 / 3)
    assert kpis.get("net_sentiment").value == pytest.approx(100 / 3)
    assert "VADER lexicon (baseline)" in kpis.get("pct_negative").help and "n = 3 scored" in kpis.get("pct_negative").help
    assert "scored by VADER lexicon (baseline)" in kpis.note
    with pytest.raises(ValueError, match="no 'sentiment' column"):
        compute_kpis(frame.drop(columns=["sentiment"]), scale=(1, 5), text_sentiment="VADER")


def _two_periods(before: list[float], after: list[float]) -> pd.DataFrame:
    """Ratings in the 29 days up to 2024-01-31 (previous period) and in February 2024 (the current one)."""
    jan = [f"2024-01-{3 + i % 29:02d}" for i in range(len(before))]
    feb = [f"2024-02-{1 + i % 29:02d}" for i in range(len(after))]
    return canonical(jan + feb, before + after)


def test_every_kpi_says_its_n_and_small_or_noisy_changes_are_not_called():
    # 8 interactions against 40: a big drop in mean rating, but too few to call.
    few = compute_kpis(_two_periods([5.0] * 40, [1.0] * 8), scale=(1, 5), period_days=29, end=date(2024, 2, 29))
    mean = few.get("mean_rating")
    assert mean.delta == -4.0 and (mean.n, mean.n_noun) == (8, "rated") and not mean.delta_clear
    assert few.get("interactions").n == 8 and not few.get("interactions").delta_clear
    # 200 against 200 with the same mix: no change to call.
    mix = [1.0, 2.0, 3.0, 4.0, 5.0] * 40
    same = compute_kpis(_two_periods(mix, mix[::-1]), scale=(1, 5), period_days=29, end=date(2024, 2, 29))
    assert all(not k.delta_clear for k in same.kpis)
    # 200 against 200, ratings fell from 4–5 to 1–2: every rating KPI moved clearly.
    fell = compute_kpis(_two_periods([4.0, 5.0] * 100, [1.0, 2.0] * 100), scale=(1, 5), period_days=29, end=date(2024, 2, 29))
    assert fell.get("mean_rating").delta_clear and fell.get("pct_negative").delta_clear
    assert fell.get("net_sentiment").delta_clear and fell.get("pct_negative").n == 200
    assert not fell.get("interactions").delta_clear  # 200 vs 200 interactions: the volume did not change
    assert not fell.get("mean_gap").delta_clear  # no expected scores at all


def test_a_proportion_change_is_called_at_the_textbook_threshold():
    # 30 % vs 50 % negative with n = 100 each: z = 0.2 / sqrt(.21/100 + .25/100) = 2.95 > 1.96.
    before = [1.0] * 30 + [5.0] * 70
    after = [1.0] * 50 + [5.0] * 50
    assert compute_kpis(_two_periods(before, after), scale=(1, 5), period_days=29, end=date(2024, 2, 29)).get("pct_negative").delta_clear
    # 45 % vs 50 %: z = 0.05 / sqrt(.2475/100 + .25/100) = 0.71: noise.
    before = [1.0] * 45 + [5.0] * 55
    assert not compute_kpis(_two_periods(before, after), scale=(1, 5), period_days=29, end=date(2024, 2, 29)).get("pct_negative").delta_clear


def test_trend_granularity_follows_the_span():
    from analytics.insights.kpis import trend_freq

    def span(*days):
        return canonical(list(days), [3.0] * len(days))

    assert trend_freq(span("2025-01-01", "2025-01-08")) == "D"  # 8 days of data
    assert trend_freq(span("2024-01-01", "2025-06-30")) == "W"
    assert trend_freq(span("2017-01-01", "2025-01-01")) == "M"  # 8 years
    assert trend_freq(span(None)) == "D"


def test_partly_covered_first_and_last_periods_are_marked():
    frame = canonical(["2024-01-03", "2024-01-10", "2024-01-17", "2024-01-24"], [4, 4, 4, 4])  # Wednesdays
    weekly = trend(frame, freq="W")
    assert weekly["period"].dt.strftime("%m-%d").tolist() == ["01-01", "01-08", "01-15", "01-22"]
    assert weekly["partial"].tolist() == [True, False, False, True]
    daily = trend(frame, freq="D")
    assert len(daily) == 22 and not daily["partial"].any() and daily["interactions"].sum() == 4
    whole_months = canonical(["2024-01-01", "2024-02-29"], [4, 4])
    assert trend(whole_months, freq="M")["partial"].tolist() == [False, False]
