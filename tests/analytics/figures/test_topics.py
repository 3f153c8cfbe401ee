"""Tests for analytics.figures.topics: traces of the bubble and trend charts, user text escaped."""
from __future__ import annotations

import numpy as np

from analytics.figures.topics import topic_trend_figure, topic_volume_sentiment_figure
from analytics.insights.topics import topic_summary, topic_trend
from tests.analytics.insights.test_topics import FRAME


def test_volume_sentiment_figure_traces():
    summary = topic_summary(FRAME.assign(topic=["<b>a</b>", "<b>a</b>", "b", "b", "b"]), topic_column="topic")
    fig = topic_volume_sentiment_figure(summary, subtitle="zero-shot")
    assert len(fig.data) == 1
    trace = fig.data[0]
    assert list(trace.x) == [3, 2] and list(trace.y) == [50.0, 0.0]
    assert list(trace.marker.size) == [3, 2]
    assert list(trace.text) == ["b", "&lt;b&gt;a&lt;/b&gt;"]  # user text never becomes markup
    unscored = summary.assign(net_sentiment=[50.0, np.nan])
    fig = topic_volume_sentiment_figure(unscored)
    assert len(fig.data) == 2 and list(fig.data[1].y) == [0.0]


def test_trend_figure_draws_the_largest_topics():
    trend = topic_trend(FRAME.assign(topic=["a", "b", "b", "b", "a"]), topic_column="topic", freq="M")
    fig = topic_trend_figure(trend, freq="M", top=1)
    assert len(fig.data) == 1 and fig.data[0].name == "b"
    assert list(fig.data[0].y) == [1, 2]
    assert len(topic_trend_figure(trend, freq="M").data) == 2


def test_bubbles_draw_net_sentiment_once_and_leave_room_for_their_labels():
    summary = topic_summary(FRAME, topic_column="topic")
    fig = topic_volume_sentiment_figure(summary)
    bubbles = fig.data[0]
    assert isinstance(bubbles.marker.color, str)  # one colour: y alone carries net sentiment
    assert list(bubbles.textposition) == ["top center", "bottom center"]  # neighbours label on different sides
    low, high = fig.layout.yaxis.range
    assert low <= 0 <= high and high - low < 230  # the axis frames the topics, not the whole -100…100
    low, high = fig.layout.xaxis.range
    assert low < 0 and high > summary["volume"].max()  # no label cut at an edge
