"""Tests for analytics.store.alerts: a scan's alerts round-trip per dataset version, replace, and are deleted."""

import pandas as pd
import pytest

from analytics.store.alerts import ALERT_COLUMNS, delete_alerts, load_alerts, save_alerts


def _alerts(severity=(1.5, 0.2)):
    return pd.DataFrame({
        "metric": ["negative_share", "volume"], "metric_label": ["% negative", "Volume (interactions)"],
        "kind": ["share", "count"], "slice_column": ["category", "category"], "slice_value": ["Kitchen", "(all)"],
        "period": pd.to_datetime(["2025-03-01", "2025-11-01"]), "expected": [0.1, 860.0], "lower": [0.08, 640.0],
        "upper": [0.12, 1090.0], "actual": [0.25, 1175.0], "direction": ["above", "above"],
        "severity": list(severity), "n": [812, 1175]})


def test_a_scan_round_trips_with_its_parameters(store):
    assert load_alerts(store, "ds1") is None and delete_alerts(store, "ds1") == 0  # nothing yet, no table yet
    params = {"dimension": "category", "metrics": ["negative_share", "volume"], "freq": "M", "level": 0.99}
    scan_id = save_alerts(store, "ds1", 2, _alerts(), params)
    saved = load_alerts(store, "ds1", 2)
    assert saved.scan_id == scan_id and saved.dataset_version == 2 and saved.params == params
    assert list(saved.alerts.columns) == list(ALERT_COLUMNS)
    pd.testing.assert_frame_equal(saved.alerts, _alerts(), check_dtype=False)
    assert load_alerts(store, "ds1", 1) is None and load_alerts(store, "ds2") is None


def test_a_new_scan_replaces_that_version_and_latest_is_loaded(store):
    save_alerts(store, "ds1", 1, _alerts(), {"freq": "W"})
    first = save_alerts(store, "ds1", 2, _alerts(), {"freq": "W"})
    second = save_alerts(store, "ds1", 2, _alerts(severity=(0.1, 0.9)), {"freq": "M"})
    assert second != first
    latest = load_alerts(store, "ds1", 2)
    assert latest.scan_id == second and latest.params == {"freq": "M"}
    assert latest.alerts["severity"].tolist() == [0.9, 0.1]  # most severe first
    assert load_alerts(store, "ds1").scan_id == second  # any version: the newest scan
    assert load_alerts(store, "ds1", 1).params == {"freq": "W"}
    count = store.cursor().execute("SELECT count(*) FROM scan_alerts").fetchone()[0]
    assert count == 4  # the replaced scan's rows are gone


def test_an_empty_scan_is_kept_and_delete_removes_every_version(store):
    save_alerts(store, "ds1", 1, _alerts().iloc[:0], {"freq": "W"})
    save_alerts(store, "ds1", 2, _alerts(), {"freq": "W"})
    save_alerts(store, "ds2", 1, _alerts(), {"freq": "W"})
    assert load_alerts(store, "ds1", 1).alerts.empty
    assert delete_alerts(store, "ds1") == 2
    assert load_alerts(store, "ds1") is None and load_alerts(store, "ds2") is not None


def test_alerts_without_the_scan_columns_are_refused(store):
    with pytest.raises(ValueError, match=r"lack the columns \['severity'\]"):
        save_alerts(store, "ds1", 1, _alerts().drop(columns="severity"), {})
    assert load_alerts(store, "ds1") is None
