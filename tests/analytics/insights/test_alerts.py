"""Tests for analytics.insights.alerts: calibrated one-step intervals on white noise, planted spikes, the demo's
March 2025 surge against a clean control, and scans over slices."""

import numpy as np
import pandas as pd
import pytest

from analytics.insights.alerts import ALL, SCAN_COLUMNS, alerts_table, one_step_alerts, scan
from analytics.insights.series import build_series
from tests.analytics.insights.test_forecast import make_series


def test_white_noise_alerts_about_five_percent_at_95():
    # 60 seeds × 100 checked weeks = 6,000 one-step checks. The parameters come from the first 30 weeks only,
    # so plain normal quantiles flagged 8–9 %; with the Student-t correction the rate measured 5.6 %.
    # Tolerance: 4 %–7 % (the binomial standard error alone is 0.3 points).
    flagged = checked = 0
    for seed in range(60):
        result = one_step_alerts(make_series(5 + np.random.default_rng(seed).normal(size=130), freq="W"),
                                 min_history=30)
        flagged, checked = flagged + len(result.alerts), checked + len(result.checks)
    assert checked == 6_000
    assert 0.04 <= flagged / checked <= 0.07


@pytest.mark.filterwarnings("error")
def test_a_planted_spike_and_dip_are_flagged_with_direction_and_severity(recwarn):
    values = 10 + np.random.default_rng(3).normal(0, 1, 80)
    values[60], values[70] = 18.0, 2.0  # about eight standard deviations above, then below
    result = one_step_alerts(make_series(values, freq="W"), level=0.99, min_history=40)
    big = result.alerts[result.alerts["severity"] > 0.5]
    assert big["period"].tolist() == [result.checks["period"].iloc[20], result.checks["period"].iloc[30]]
    assert big["direction"].tolist() == ["above", "below"]
    spike = big.iloc[0]
    assert spike["lower"] < spike["expected"] < spike["upper"] < spike["actual"] == 18.0
    width = spike["upper"] - spike["lower"]
    assert spike["severity"] == pytest.approx((18.0 - spike["upper"]) / width)
    assert 10 - 1 < spike["expected"] < 10 + 1  # predicted from the weeks before, not pulled up by the spike
    assert result.min_history == 40 and len(result.checks) == 40 and len(recwarn) == 0


@pytest.mark.filterwarnings("error")
def test_bad_input_gets_clear_messages(recwarn):
    short = make_series([1.0, 2.0, 3.0], freq="W")
    with pytest.raises(ValueError, match="3 weeks with a value; a model needs at least 8"):
        one_step_alerts(short)
    with pytest.raises(ValueError, match="level=1.5 should lie between 0 and 1"):
        one_step_alerts(short, level=1.5)
    series = make_series(np.random.default_rng(0).normal(size=30), freq="W")
    with pytest.raises(ValueError, match="30 weeks; alerts need more than min_history=30"):
        one_step_alerts(series, min_history=30)
    with pytest.raises(ValueError, match="min_history=3 should be a whole number of periods >= 8"):
        one_step_alerts(series, min_history=3)
    constant_start = make_series([2.0] * 26 + list(np.random.default_rng(0).normal(size=20)), freq="W")
    with pytest.raises(ValueError, match="is 2 in every week"):
        one_step_alerts(constant_start)  # the training window is constant
    with pytest.raises(ValueError, match="Map a date column"):
        scan(pd.DataFrame({"rating": [0.5], "category": ["a"]}), "category", ["volume"], freq="W")
    with pytest.raises(ValueError, match="dimension='shop' is not a column"):
        scan(pd.DataFrame({"timestamp": pd.to_datetime(["2025-01-01"])}), "shop", ["volume"], freq="W")
    assert len(recwarn) == 0


# --- the demo: the March 2025 delivery surge ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def surge_ids():
    from analytics.demo.generator import generate_demo

    labels = generate_demo(seed=7).truth.labels
    return set(labels.loc[labels["is_surge_complaint"], "interaction_id"])


@pytest.mark.parametrize("freq", ["W", "M"])
def test_the_demo_surge_alerts_in_march_2025_and_the_clean_control_does_not(demo_rows, surge_ids, freq):
    surge = one_step_alerts(build_series(demo_rows, "negative_share", freq=freq), level=0.99)
    march = surge.alerts[surge.alerts["period"].dt.strftime("%Y-%m") == "2025-03"]
    assert len(march) >= 1 and (march["direction"] == "above").all()
    assert surge.alerts.sort_values("severity").iloc[-1]["period"].strftime("%Y-%m") == "2025-03"  # the worst
    rating = one_step_alerts(build_series(demo_rows, "mean_rating", freq=freq), level=0.99)
    assert "2025-03" in set(rating.alerts.loc[rating.alerts["direction"] == "below", "period"].dt.strftime("%Y-%m"))
    # The control: the same rows without the 219 surge complaints raise no alert at all.
    clean = demo_rows[~demo_rows["record_id"].isin(surge_ids)]
    assert len(clean) == len(demo_rows) - 219
    for key in ("negative_share", "mean_rating"):
        assert one_step_alerts(build_series(clean, key, freq=freq), level=0.99).alerts.empty


def test_a_scan_finds_the_surge_in_every_category_and_skips_small_slices(demo_rows):
    rows = pd.concat([demo_rows, demo_rows.head(5).assign(category="Tiny")], ignore_index=True)
    seen = []
    found = scan(rows, "category", ["negative_share", "volume"], freq="M", level=0.99,
                 progress=lambda done, total: seen.append((done, total)))
    assert found.checked == 14 and seen[-1] == (14, 14) and len(seen) == 14  # (all) + 6 categories, 2 metrics
    assert found.skipped[["slice_value", "metric"]].values.tolist() == [["Tiny", "negative_share"], ["Tiny", "volume"]]
    assert found.skipped["reason"].iloc[0] == "5 rows, fewer than min_rows=30"
    table = found.alerts
    assert list(table.columns) == SCAN_COLUMNS and table["severity"].is_monotonic_decreasing
    march = table[(table["metric"] == "negative_share") & (table["period"].dt.strftime("%Y-%m") == "2025-03")]
    assert set(march["slice_value"]) >= {ALL, "Kitchen", "Coffee", "Home", "Garden", "Electronics", "Outdoor"}
    assert found.params["dimension"] == "category" and found.params["metrics"] == ["negative_share", "volume"]
    shown = alerts_table(table.head(3), freq="M")
    assert shown.columns[0] == "Metric" and shown["Period"].iloc[0] == "Mar 2025"
