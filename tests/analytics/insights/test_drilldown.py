"""Drill-down from a clicked bar to its rows."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.insights.drilldown import DrillDown, apply_drill_down, drill_from_selection


@pytest.fixture
def rows() -> pd.DataFrame:
    return pd.DataFrame({
        "timestamp": pd.to_datetime(["2025-03-03 10:00", "2025-03-09 23:59", "2025-03-10 00:00", "2025-04-01 00:00"]),
        "channel": ["chat", "email", None, "chat"],
        "category": ["Home", "Home", "Garden", ""],
        "rating_raw": [5.0, 1.0, 5.0, 3.0],
    })


def test_group_click_keeps_that_group(rows):
    drill = drill_from_selection("channel", [{"y": "chat", "x": 2}])
    assert drill == DrillDown("channel", "chat")
    assert apply_drill_down(rows, drill).index.tolist() == [0, 3]
    assert drill.label == "channel = chat"


def test_none_group_means_missing_or_blank(rows):
    assert apply_drill_down(rows, DrillDown("category", "(none)")).index.tolist() == [3]
    assert apply_drill_down(rows, DrillDown("channel", "(none)")).index.tolist() == [2]


def test_rating_click(rows):
    drill = drill_from_selection("rating_raw", [{"x": 5, "y": 2}])
    assert apply_drill_down(rows, drill).index.tolist() == [0, 2]
    assert drill.label == "rating = 5"


def test_week_and_month_periods(rows):
    week = drill_from_selection("period", [{"x": "2025-03-03"}], freq="W")
    assert apply_drill_down(rows, week).index.tolist() == [0, 1]  # Monday to Sunday 23:59
    assert week.label == "week of 2025-03-03"
    month = drill_from_selection("period", [{"x": "2025-03-01"}], freq="M")
    assert apply_drill_down(rows, month).index.tolist() == [0, 1, 2]


def test_nothing_selected_and_bad_field(rows):
    assert drill_from_selection("channel", []) is None
    assert apply_drill_down(rows, None) is rows
    with pytest.raises(ValueError, match="cannot be drilled"):
        drill_from_selection("text", [{"x": 1}])
