"""Tests for analytics.explanations, checked by traces and layout, not pixels."""

import numpy as np
import pytest

from analytics.figures.explanations import AWAY_COLOR, TOWARDS_COLOR, explanation_figure
from analytics.insights.explanations import highlighted_words_frame

WORDS = ["the", "app", "is", "great", "but", "crashes", "a", "lot", "!!!"]
SCORES = [0.0, 0.02, -0.01, 0.6, -0.15, -0.4, 0.001, 0.05, 0.1]


def bars(fig):
    """(tick label, score, colour) per bar, top to bottom."""
    ticks = dict(zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext))
    rows = [
        (y, ticks[y], x, trace.marker.color)
        for trace in fig.data
        for x, y in zip(trace.x, trace.y)
    ]
    assert fig.layout.yaxis.autorange == "reversed"  # y = 0 is drawn at the top
    return [row[1:] for row in sorted(rows)]


def test_figure_has_top_bars_largest_first_coloured_by_sign():
    fig = explanation_figure(WORDS, SCORES, target="positive", top=4)
    assert bars(fig) == [
        ("great", 0.6, TOWARDS_COLOR),
        ("crashes", -0.4, AWAY_COLOR),
        ("but", -0.15, AWAY_COLOR),
        ("!!!", 0.1, TOWARDS_COLOR),
    ]
    assert [t.name for t in fig.data] == ["pushes towards positive", "pushes away from positive"]
    assert fig.layout.xaxis.title.text == "Change in P(positive) when the word is removed"
    assert len(bars(explanation_figure(WORDS, SCORES, target="positive"))) == len(WORDS)  # top > words


def test_user_text_is_escaped_everywhere_in_the_figure():
    fig = explanation_figure(["<b>bold</b>", "&", "fine"], [0.5, 0.2, -0.1], target="<i>neg</i>")
    ticks = list(fig.layout.yaxis.ticktext)
    assert ticks[0] == "&lt;b&gt;bold&lt;/b&gt;" and ticks[1] == "&amp;"
    hover_words = [row[0] for trace in fig.data for row in trace.customdata]
    assert "&lt;b&gt;bold&lt;/b&gt;" in hover_words
    text = fig.to_json()
    assert "<b>bold" not in text and "<i>neg" not in text
    assert "&lt;i&gt;neg&lt;/i&gt;" in fig.layout.xaxis.title.text


def test_duplicate_words_keep_separate_bars():
    fig = explanation_figure(["bad", "very", "bad"], [0.3, 0.05, 0.2], target="negative")
    assert bars(fig) == [
        ("bad", 0.3, TOWARDS_COLOR),
        ("bad", 0.2, TOWARDS_COLOR),
        ("very", 0.05, TOWARDS_COLOR),
    ]
    # The hover tells which occurrence a bar is.
    assert [row[1] for row in fig.data[0].customdata] == [1, 3, 2]


def test_figure_rejects_bad_input():
    with pytest.raises(ValueError, match="2 words but 1 scores"):
        explanation_figure(["a", "b"], [0.1], target="positive")
    with pytest.raises(ValueError, match="top=0"):
        explanation_figure(["a"], [0.1], target="positive", top=0)


def test_words_frame_in_text_order_with_effect():
    frame = highlighted_words_frame(WORDS, SCORES)
    assert frame.columns.tolist() == ["word", "score", "effect"]
    assert frame["word"].tolist() == WORDS
    np.testing.assert_allclose(frame["score"], SCORES)
    assert frame["effect"].tolist() == [
        "neutral", "towards", "away", "towards", "away", "away", "neutral", "towards", "towards",
    ]
    assert frame["effect"].map(type).eq(str).all()
