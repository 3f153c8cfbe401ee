"""Every chart built from hostile user text: no tag the data brings survives anywhere in the figure's JSON
(tick labels, category data, legend names, hover texts, annotations, titles), the text is still there in escaped
form, and the numbers are unchanged."""
from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.figures.compare import difference_figure, forest_figure, groups_figure
from analytics.figures.explanations import explanation_figure
from analytics.figures.forecast import decomposition_figure, forecast_figure
from analytics.figures.gap import (
    cue_figure,
    gap_bars_figure,
    gap_heatmap_figure,
    impact_figure,
    importance_performance_figure,
    kano_figure,
    kano_questionnaire_figure,
)
from analytics.figures.models import confusion_figure
from analytics.figures.overview import breakdown_figure
from analytics.figures.rules import rules_matrix_figure, rules_network_figure
from analytics.figures.segments import profile_heatmap, projection_figure, rfm_figure, snake_figure
from analytics.figures.sentiment import sentiment_by_figure, sentiment_mix_figure, sentiment_trend_figure
from analytics.figures.style import empty_figure
from analytics.figures.topics import topic_trend_figure, topic_volume_sentiment_figure
from analytics.insights.compare import compare_groups
from analytics.insights.forecast import decompose, fit_forecast
from analytics.insights.gap import gap_heatmap, gap_table, paired_scores
from analytics.insights.impact import topic_impact
from analytics.insights.importance import importance_performance
from analytics.insights.kano import kano_from_text, score_kano_questionnaire
from analytics.insights.segments import Projection
from analytics.schema import CLASSES
from tests.analytics.insights.test_forecast import make_series

HOSTILE = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))", "**bold**",
           "$x^2$", ":red[alarm]", "<b>bold</b>", '<a href="https://evil.example">link</a>')
# What only the data could bring: the figures' own markup is <b>…</b> around hover titles and <br>.
MARKUP = ("<b>bold", "<a ", "<script", "<img")
SHOWN = ("&lt;b&gt;bold&lt;/b&gt;", "&lt;a href=", "&lt;script&gt;", "&lt;img src=x")


def strings(fig: go.Figure) -> list[str]:
    """Every string of the figure as plotly.js receives it (data arrays included)."""
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(fig.to_json()))
    return found


def assert_literal(fig: go.Figure, shown: tuple[str, ...] = SHOWN) -> None:
    """No data-borne tag anywhere; the escaped text (what plotly draws literally) is there."""
    texts = strings(fig)
    leaks = [(marker, text) for text in texts for marker in MARKUP if marker in text]
    assert not leaks, leaks[:5]
    joined = "\n".join(texts)
    missing = [s for s in shown if s not in joined]
    assert not missing, missing


def test_overview_breakdown_bars():
    frame = pd.DataFrame({"group": list(HOSTILE), "interactions": np.arange(len(HOSTILE), 0, -1),
                          "rated": np.arange(len(HOSTILE), 0, -1), "mean_rating": 3.0, "pct_negative": 10.0})
    fig = breakdown_figure(frame, by="category", scale=(1, 5))
    assert_literal(fig)
    assert list(fig.data[0].x) == list(range(len(HOSTILE), 0, -1))  # counts unchanged
    assert list(fig.layout.yaxis.tickvals) == list(fig.data[0].y)  # the escaped names are the categories
    assert [html.unescape(y) for y in fig.data[0].y] == list(HOSTILE)  # how the Overview reads a clicked bar back


def test_sentiment_figures():
    table = pd.DataFrame({"category": list(HOSTILE), "share_negative": 0.2, "share_neutral": 0.3,
                          "share_positive": 0.5, "n": 10})
    by = sentiment_by_figure(table, by="category")
    assert_literal(by)
    assert [list(t.x) for t in by.data] == [[20.0] * len(HOSTILE), [30.0] * len(HOSTILE), [50.0] * len(HOSTILE)]
    mix = pd.DataFrame({"sentiment": list(CLASSES), "share": [0.2, 0.3, 0.5], "count": [2, 3, 5]})
    assert_literal(sentiment_mix_figure(mix, model_name=HOSTILE[6] + HOSTILE[7] + HOSTILE[0] + HOSTILE[1]))
    trend = pd.DataFrame({"period": pd.date_range("2024-01-01", periods=3, freq="W-MON"),
                          "share_negative": 0.1, "share_positive": 0.6, "n": 5})
    assert_literal(sentiment_trend_figure(trend, freq="W", source="".join(HOSTILE)))


def test_confusion_matrix():
    labels = [HOSTILE[6], HOSTILE[7], HOSTILE[0], HOSTILE[1]]
    counts = [[4, 1, 0, 0], [0, 3, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]]
    fig = confusion_figure({"confusion": {"labels": labels, "counts": counts}, "n": 11})
    assert_literal(fig)
    assert [list(row) for row in fig.data[0].z] == counts


def test_topic_figures():
    summary = pd.DataFrame({"topic": list(HOSTILE), "volume": np.arange(1, len(HOSTILE) + 1) * 10,
                            "net_sentiment": [5.0] * (len(HOSTILE) - 1) + [np.nan], "share": 0.1,
                            "pct_negative": 20.0, "pct_positive": 25.0})
    bubbles = topic_volume_sentiment_figure(summary, subtitle="by " + HOSTILE[7])
    assert_literal(bubbles)
    assert sorted(x for t in bubbles.data for x in t.x) == list(summary["volume"])
    trend = pd.DataFrame({"topic": np.repeat(HOSTILE, 2), "period": list(pd.date_range("2024-01-01", periods=2)) *
                          len(HOSTILE), "volume": 3, "share": 0.5, "net_sentiment": 1.0})
    assert_literal(topic_trend_figure(trend, freq="D", top=len(HOSTILE)))


def test_compare_figures():
    rng = np.random.default_rng(0)
    comparison = compare_groups(rng.normal(3, 1, 40), rng.normal(4, 1, 40), kind="mean",
                                labels=(HOSTILE[6] + HOSTILE[0], HOSTILE[7] + HOSTILE[1]))
    label = HOSTILE[6] + " rating"
    assert_literal(groups_figure(comparison, metric_label=label))
    assert_literal(difference_figure(comparison, metric_label=label))
    assert groups_figure(comparison).data[1].y[0] == pytest.approx(comparison.b.value)
    table = pd.DataFrame({"group": list(HOSTILE), "n": 30, "difference": np.linspace(-0.4, 0.4, len(HOSTILE)),
                          "ci_low": -0.5, "ci_high": 0.5, "significant": [True, False] * 4, "p_adjusted": 0.01})
    table.attrs.update(kind="mean", correction="holm", alpha=0.05, metric=HOSTILE[7], min_n=10, skipped=0)
    forest = forest_figure(table)
    assert_literal(forest)
    assert sorted(x for t in forest.data for x in t.x) == pytest.approx(sorted(table["difference"]))


def test_explanation_words():
    fig = explanation_figure(list(HOSTILE), [0.5, -0.4, 0.3, -0.2, 0.1, 0.05, -0.6, 0.7], target=HOSTILE[6])
    assert_literal(fig)
    assert sorted(x for t in fig.data for x in t.x) == sorted([0.5, -0.4, 0.3, -0.2, 0.1, 0.05, -0.6, 0.7])


def test_forecast_and_decomposition_titles():
    values = 50 + 10 * np.tile([1.3, 1.1, 1.0, 0.9, 0.8, 0.6, 0.5], 10) + np.random.default_rng(1).normal(0, 2, 70)
    series = make_series(values, kind="count", label=HOSTILE[6] + HOSTILE[7] + HOSTILE[0] + HOSTILE[1])
    forecast = fit_forecast(series, 7)
    fig = forecast_figure(forecast)
    assert_literal(fig)
    assert list(fig.data[2].y) == pytest.approx(list(values))  # the history as it was
    assert_literal(decomposition_figure(decompose(series)))


def test_empty_figure_message():
    assert_literal(empty_figure("No data for " + "".join(HOSTILE)))


# ---- expectation gap: tables from the real analyses over hostile products, channels and dimensions ----

@pytest.fixture(scope="module")
def gap_rows() -> pd.DataFrame:
    records = [{"product": HOSTILE[i % len(HOSTILE)], "channel": HOSTILE[(i // 3) % len(HOSTILE)],
                "rating": (0.0, 0.5, 1.0)[i % 3], "expected": 0.6, "record_id": f"r{i}",
                "timestamp": pd.Timestamp("2024-01-01") + pd.Timedelta(days=i)} for i in range(480)]
    return pd.DataFrame(records)


@pytest.fixture(scope="module")
def gap_mentions(gap_rows) -> pd.DataFrame:
    found = []
    for i, (rid, rating) in enumerate(zip(gap_rows["record_id"], gap_rows["rating"], strict=True)):
        found.append((rid, HOSTILE[i % 4 + 4], 1 if rating == 1.0 else -1 if rating == 0.0 else 0, "s"))
    return pd.DataFrame(found, columns=["record_id", "dimension", "polarity", "sentence"])


def test_gap_bars_and_heatmap(gap_rows):
    scores = paired_scores(gap_rows, "explicit")
    table = gap_table(gap_rows, scores, by="product", min_n=10, n_boot=50)
    bars = gap_bars_figure(table, span=4.0, low=1.0, by_label=HOSTILE[7], method=HOSTILE[6])
    assert_literal(bars)
    assert list(bars.data[0].x) == pytest.approx(list(1.0 + table.head(15).iloc[::-1]["expected"] * 4.0))
    cells = gap_heatmap(gap_rows, scores, rows_by="product", columns_by="channel", min_n=5, n_boot=50)
    assert_literal(gap_heatmap_figure(cells, rows_label=HOSTILE[6], columns_label=HOSTILE[7], method=HOSTILE[0]))


def test_gap_drivers(gap_rows, gap_mentions):
    rows = gap_rows.assign(rating=gap_rows["rating"])
    shown = ("&lt;b&gt;bold&lt;/b&gt;", "&lt;a href=")
    matrix = importance_performance(rows, gap_mentions, min_n=10)
    assert_literal(importance_performance_figure(matrix, span=4.0, low=1.0), shown)
    assert_literal(kano_figure(kano_from_text(rows, gap_mentions, min_n=10, n_boot=50), span=4.0), shown)
    impact = topic_impact(rows, gap_mentions, n_boot=50, min_n=10)
    assert_literal(impact_figure(impact, span=4.0, metric_label=HOSTILE[6]), shown)


def test_gap_cues_and_questionnaire():
    summary = pd.DataFrame({"group": list(HOSTILE), "rows_with_cue": 5, "missed_share": 0.2, "met_share": 0.1,
                            "n": 40, "enough": True})
    fig = cue_figure(summary, by_label=HOSTILE[7])
    assert_literal(fig)
    assert list(fig.data[0].x) == pytest.approx([20.0] * len(HOSTILE))
    answers = pd.DataFrame({f"{HOSTILE[6]}_functional": ["like", "like", "neutral"],
                            f"{HOSTILE[6]}_dysfunctional": ["dislike", "neutral", "dislike"],
                            f"{HOSTILE[1]}_functional": ["neutral", "like", "like"],
                            f"{HOSTILE[1]}_dysfunctional": ["neutral", "dislike", "neutral"]})
    assert_literal(kano_questionnaire_figure(score_kano_questionnaire(answers)),
                   ("&lt;b&gt;bold&lt;/b&gt;", "&lt;img src=x"))


def test_rules_network_and_matrix():
    rules = pd.DataFrame({"antecedent": [HOSTILE[6], HOSTILE[7], HOSTILE[0]],
                          "consequent": [HOSTILE[1], HOSTILE[6], HOSTILE[7]],
                          "support": [0.1, 0.05, 0.02], "confidence": [0.8, 0.5, 0.3], "lift": [3.0, 2.0, 1.5],
                          "n_baskets": [10, 5, 2]})
    assert_literal(rules_network_figure(rules, subtitle="rules about " + HOSTILE[6]))
    matrix = rules_matrix_figure(rules)
    assert_literal(matrix)
    assert np.nansum(np.asarray(matrix.data[0].z, dtype=float)) == pytest.approx(6.5)


def test_segment_figures():
    points = pd.DataFrame({"x": [0.0, 1.0, 2.0], "y": [1.0, 0.0, 2.0], "segment": [0, 1, 1]},
                          index=[HOSTILE[0], HOSTILE[1], HOSTILE[7]])
    assert_literal(projection_figure(Projection(points, (0.6, 0.3)), {0: HOSTILE[6], 1: "Rest"}))
    table = pd.DataFrame({f"source: {HOSTILE[6]}": [1.0, -1.0], HOSTILE[7]: [0.5, -0.5]},
                         index=[HOSTILE[0] + " " + HOSTILE[1], HOSTILE[6]])
    heat = profile_heatmap(table)
    assert_literal(heat)
    assert heat.data[0].z[0][0] == 1.0
    assert_literal(snake_figure(table))
    summary = pd.DataFrame({"group": list(HOSTILE), "customers": range(1, len(HOSTILE) + 1), "revenue share": 0.1})
    rfm = rfm_figure(summary)
    assert_literal(rfm)
    assert list(rfm.data[0].x) == list(range(1, len(HOSTILE) + 1))
