"""Tests for analytics.figures, checked by their traces and layout, not pixels."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.figures.overview import (
    NEGATIVE_COLOR,
    NEUTRAL_COLOR,
    NO_DATA_COLOR,
    POSITIVE_COLOR,
    breakdown_figure,
    empty_figure,
    rating_distribution_figure,
    satisfaction_trend_figure,
)


@pytest.fixture
def trend_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"]),
            "interactions": [4, 0, 2],
            "rated": [3, 0, 2],
            "mean_rating_raw": [3.5, np.nan, 4.0],
            "pct_negative": [100 / 3, np.nan, 0.0],
        }
    )


def test_satisfaction_trend_traces(trend_frame):
    fig = satisfaction_trend_figure(trend_frame, freq="W", scale=(1, 5))
    assert len(fig.data) == 2
    bars, line = fig.data
    assert isinstance(bars, go.Bar) and isinstance(line, go.Scatter)
    assert list(bars.y) == [4, 0, 2] and bars.yaxis == "y2"
    assert pd.to_datetime(list(bars.x)).tolist() == trend_frame["period"].tolist()
    assert line.yaxis == "y" and line.connectgaps is False
    np.testing.assert_allclose(np.asarray(line.y, dtype=float), [3.5, np.nan, 4.0])
    assert tuple(fig.layout.yaxis.range) == (1, 5)
    assert fig.layout.yaxis.title.text == "Mean rating (1–5)"
    assert fig.layout.yaxis2.title.text == "Interactions"
    assert fig.layout.xaxis.title.text == "Week starting"
    assert fig.layout.title.text == "Satisfaction trend, weekly"
    assert "n = 5 rated" in fig.layout.title.subtitle.text and "n = 6" in fig.layout.title.subtitle.text
    assert all(t.hovertemplate for t in fig.data)


def test_satisfaction_trend_monthly_labels(trend_frame):
    fig = satisfaction_trend_figure(trend_frame, freq="M", scale=(0, 10))
    assert fig.layout.xaxis.title.text == "Month"
    assert tuple(fig.layout.yaxis.range) == (0, 10)
    assert "%B %Y" in fig.data[1].hovertemplate


def test_satisfaction_trend_empty(trend_frame):
    fig = satisfaction_trend_figure(trend_frame.iloc[:0], freq="W", scale=(1, 5))
    assert len(fig.data) == 0 and fig.layout.annotations[0].text.startswith("No dated")
    with pytest.raises(ValueError, match="freq="):
        satisfaction_trend_figure(trend_frame, freq="Y", scale=(1, 5))


def test_rating_distribution_figure():
    dist = pd.DataFrame({"rating_raw": [1.0, 3.0, 4.0, 5.0], "count": [2, 1, 3, 4],
                         "share": [0.2, 0.1, 0.3, 0.4]})
    fig = rating_distribution_figure(dist, scale=(1, 5))
    assert len(fig.data) == 1
    bar = fig.data[0]
    assert list(bar.x) == [1.0, 3.0, 4.0, 5.0] and list(bar.y) == [2, 1, 3, 4]
    # thresholds on 1–5: negative < 2.6, positive > 3.4
    assert list(bar.marker.color) == [NEGATIVE_COLOR, NEUTRAL_COLOR, POSITIVE_COLOR, POSITIVE_COLOR]
    assert list(bar.text) == ["20%", "10%", "30%", "40%"]
    assert fig.layout.xaxis.title.text == "Rating (1–5 scale)"
    assert fig.layout.yaxis.title.text == "Interactions"
    assert tuple(fig.layout.xaxis.range) == (0.5, 5.5)
    assert "n = 10 rated" in fig.layout.title.subtitle.text
    assert bar.hovertemplate


def test_rating_distribution_empty():
    empty = pd.DataFrame({"rating_raw": [], "count": [], "share": []})
    fig = rating_distribution_figure(empty, scale=(1, 5))
    assert len(fig.data) == 0 and fig.layout.title.text == "Rating distribution"


def breakdown_frame(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": [f"group {i}" for i in range(n)],
            "interactions": list(range(100, 100 - n, -1)),
            "rated": list(range(100, 100 - n, -1)),
            "mean_rating": np.linspace(1, 5, n),
            "pct_negative": np.linspace(90, 0, n),
        }
    )


def test_breakdown_figure_traces():
    frame = pd.DataFrame({"group": ["chat", "email", "(none)"], "interactions": [3, 2, 1],
                          "rated": [3, 0, 1], "mean_rating": [5.0, np.nan, 1.0],
                          "pct_negative": [0.0, np.nan, 100.0]})
    fig = breakdown_figure(frame, by="channel", scale=(1, 5))
    assert len(fig.data) == 1
    bar = fig.data[0]
    assert bar.orientation == "h"
    assert list(bar.y) == ["chat", "email", "(none)"] and list(bar.x) == [3, 2, 1]
    assert bar.marker.color[1] == NO_DATA_COLOR
    assert list(bar.text) == ["5.00 · 0% neg", "no rating", "1.00 · 100% neg"]
    assert fig.layout.yaxis.autorange == "reversed"  # largest group on top
    assert fig.layout.xaxis.title.text == "Interactions" and fig.layout.yaxis.title.text == "Channel"
    assert fig.layout.title.text == "Interactions and mean rating by channel"
    assert "3 groups, n = 6" in fig.layout.title.subtitle.text
    assert bar.hovertemplate and bar.customdata[1][1] == "no rating"


def test_breakdown_figure_caps_groups_and_grows():
    fig = breakdown_figure(breakdown_frame(45), by="product", scale=(1, 5))
    assert len(fig.data[0].y) == 40
    assert "top 40 of 45 groups" in fig.layout.title.subtitle.text
    assert fig.layout.height >= 24 * 40


def test_breakdown_figure_escapes_and_shortens_labels():
    name = "<b>bold</b> " + "x" * 60
    frame = pd.DataFrame({"group": [name], "interactions": [1], "rated": [1], "mean_rating": [3.0],
                          "pct_negative": [0.0]})
    fig = breakdown_figure(frame, by="product", scale=(1, 5))
    tick = fig.layout.yaxis.ticktext[0]
    assert "<b>" not in tick and tick.startswith("&lt;b&gt;") and tick.endswith("…")
    assert "<b>bold" not in fig.data[0].customdata[0][0]


def test_breakdown_figure_empty():
    fig = breakdown_figure(breakdown_frame(0), by="category", scale=(1, 5))
    assert len(fig.data) == 0


def test_empty_figure():
    fig = empty_figure("Nothing <here>")
    assert len(fig.data) == 0
    assert fig.layout.annotations[0].text == "Nothing &lt;here&gt;"
    assert fig.layout.title.text == "No data"


def test_partial_periods_are_hollow_markers_not_dips_and_the_count_axis_has_round_ticks():
    from analytics.figures.overview import nice_count_step

    frame = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-15"]),
                          "interactions": [40, 346, 12], "rated": [40, 346, 12],
                          "mean_rating_raw": [2.0, 4.0, 1.0], "pct_negative": [50.0, 5.0, 80.0],
                          "partial": [True, False, True]})
    fig = satisfaction_trend_figure(frame, freq="W", scale=(1, 5))
    line, hollow = fig.data[1], fig.data[2]
    assert np.isnan(line.y[0]) and line.y[1] == 4.0 and np.isnan(line.y[2])  # no line through partial periods
    assert list(hollow.y) == [2.0, 1.0] and hollow.marker.color == "white"
    assert list(fig.data[0].marker.opacity) == [0.15, 0.35, 0.15]
    assert fig.layout.yaxis2.dtick == 100.0 and fig.layout.yaxis2.tick0 == 0  # 0, 100, 200, 300: not 87, 173 …
    assert nice_count_step(9_999) == 5000.0 and nice_count_step(1) == 1.0
    daily = satisfaction_trend_figure(frame.drop(columns="partial"), freq="D", scale=(1, 5))
    assert len(daily.data) == 2 and daily.layout.title.text == "Satisfaction trend, daily"
