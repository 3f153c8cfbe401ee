"""Sentiment views on hand-made scored rows."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.figures.sentiment import sentiment_by_figure
from analytics.insights.sentiment import (
    attach_sentiment,
    sentiment_by,
    sentiment_mix,
    sentiment_trend,
    star_text_mismatches,
)


@pytest.fixture
def scored() -> pd.DataFrame:
    rows = pd.DataFrame({
        "record_id": list("abcdef"),
        "channel": ["chat", "chat", "chat", "email", "email", None],
        "rating": [1.0, 0.0, 0.5, 1.0, 0.25, float("nan")],
        "timestamp": pd.to_datetime(["2025-03-03", "2025-03-04", "2025-03-10", "2025-03-11", "2025-03-12",
                                     "2025-03-13"]),
    })
    predictions = pd.DataFrame({"record_id": list("abcde"),
                                "label": ["negative", "positive", "neutral", "positive", "negative"],
                                "confidence": [0.9, 0.8, 0.7, 0.95, 0.5]})
    return attach_sentiment(rows, predictions)


def test_attach_keeps_every_row_and_marks_unscored(scored):
    assert len(scored) == 6
    assert scored["sentiment"].isna().tolist() == [False] * 5 + [True]


def test_mix_counts_and_shares(scored):
    mix = sentiment_mix(scored)
    assert mix["count"].tolist() == [2, 1, 2]
    assert mix["share"].round(2).tolist() == [0.4, 0.2, 0.4]


def test_by_group_shares_and_net(scored):
    table = sentiment_by(scored, by="channel").set_index("channel")
    assert table.loc["chat", "n"] == 3 and table.loc["email", "n"] == 2
    assert table.loc["chat", "share_negative"] == pytest.approx(1 / 3)
    assert table.loc["email", "net_sentiment"] == pytest.approx(0.0)
    figure = sentiment_by_figure(table.reset_index(), by="channel")
    assert [trace.name for trace in figure.data] == ["negative", "neutral", "positive"]


def test_weekly_trend(scored):
    trend = sentiment_trend(scored, freq="W")
    assert trend["period"].dt.strftime("%Y-%m-%d").tolist() == ["2025-03-03", "2025-03-10"]
    assert trend["n"].tolist() == [2, 3]
    assert trend["share_positive"].round(3).tolist() == [0.5, 0.333]


def test_mismatches_need_confidence(scored):
    found = star_text_mismatches(scored, min_confidence=0.6)
    # a: 5 stars but negative text (0.9); b: 1 star but positive text (0.8); e is below the confidence bar.
    assert found["record_id"].tolist() == ["a", "b"]
    assert found["mismatch"].tolist() == ["high rating, negative text", "low rating, positive text"]
