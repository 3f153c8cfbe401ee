"""Tests for analytics.figures.sentiment: traces in the one palette, user text never drawn as markup."""
from __future__ import annotations

import pandas as pd

from analytics.figures.sentiment import sentiment_by_figure, sentiment_mix_figure, sentiment_trend_figure
from analytics.figures.style import NEGATIVE_COLOR, POSITIVE_COLOR, SENTIMENT_COLORS


def test_groups_and_model_names_are_escaped():
    table = pd.DataFrame({"product": ["<b>Lamp</b>", "Desk & Co"], "n": [3, 2], "share_negative": [0.5, 0.0],
                          "share_neutral": [0.0, 0.5], "share_positive": [0.5, 0.5]})
    figure = sentiment_by_figure(table, by="product")
    assert [list(trace.y) for trace in figure.data] == [["&lt;b&gt;Lamp&lt;/b&gt;", "Desk &amp; Co"]] * 3
    mix = pd.DataFrame({"sentiment": ["negative", "neutral", "positive"], "count": [1, 1, 2],
                        "share": [0.25, 0.25, 0.5]})
    title = sentiment_mix_figure(mix, model_name="<i>mine</i>").layout.title.text
    assert "&lt;i&gt;mine&lt;/i&gt;" in title and "<i>" not in title


def test_one_palette_for_the_classes():
    mix = pd.DataFrame({"sentiment": ["negative", "neutral", "positive"], "count": [1, 1, 2],
                        "share": [0.25, 0.25, 0.5]})
    assert [t.marker.color for t in sentiment_mix_figure(mix, model_name="m").data] == list(SENTIMENT_COLORS.values())
    trend = pd.DataFrame({"period": pd.to_datetime(["2025-01-06"]), "n": [4], "share_negative": [0.25],
                          "share_neutral": [0.25], "share_positive": [0.5]})
    lines = sentiment_trend_figure(trend, freq="W").data
    assert [t.line.color for t in lines] == [NEGATIVE_COLOR, POSITIVE_COLOR]


def test_group_charts_say_how_many_groups_they_show_and_keep_the_legend_off_the_axis():
    from analytics.insights.sentiment import sentiment_by

    frame = pd.DataFrame({"product": [f"p{i % 40}" for i in range(400)],
                          "sentiment": ["negative", "neutral", "positive", "positive"] * 100})
    top = sentiment_by(frame, by="product")
    assert len(top) == 15 and top.attrs["groups"] == 40
    figure = sentiment_by_figure(top, by="product")
    assert "top 15 of 40 by volume" in figure.layout.title.text
    assert figure.layout.legend.yanchor == "bottom" and figure.layout.legend.y >= 1.0  # above the plot
    every = sentiment_by(frame, by="product", top=None)
    assert len(every) == 40 and "all 40" in sentiment_by_figure(every, by="product").layout.title.text
