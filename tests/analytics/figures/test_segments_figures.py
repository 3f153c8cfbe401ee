"""Tests for analytics.figures.segments: what each chart encodes, and user text shown literally."""

import pandas as pd

from analytics.figures.segments import (
    k_choice_figure,
    profile_heatmap,
    projection_figure,
    rfm_figure,
    snake_figure,
    stability_figure,
)
from analytics.figures.style import NEGATIVE_COLOR, POSITIVE_COLOR
from analytics.insights.segments import KChoice, Projection


def test_k_choice_marks_the_shown_k_and_plots_both_curves():
    fig = k_choice_figure(KChoice((2, 3, 4), (0.3, 0.5, 0.4), (90.0, 50.0, 40.0), 3, 1_000), chosen=4)
    assert [t.name for t in fig.data] == ["silhouette", "inertia (elbow)"]
    assert fig.layout.shapes[0].x0 == 4 and "best silhouette at k = 3, k = 4 shown" in fig.layout.title.subtitle.text


def test_unstable_seeds_are_red():
    fig = stability_figure([0.95, 0.5])
    assert list(fig.data[0].marker.color) == [POSITIVE_COLOR, NEGATIVE_COLOR]
    assert stability_figure([]).layout.annotations[0].text == "No stability run."


def test_segment_names_and_customer_ids_are_escaped():
    points = pd.DataFrame({"x": [0.0, 1.0], "y": [1.0, 0.0], "segment": [0, 1]}, index=["<i>c1</i>", "c2"])
    fig = projection_figure(Projection(points, (0.6, 0.3)), {0: "<b>VIP</b>", 1: "Rest"})
    assert [t.name for t in fig.data] == ["&lt;b&gt;VIP&lt;/b&gt;", "Rest"]
    assert fig.data[0].text[0] == "&lt;i&gt;c1&lt;/i&gt;" and "60% of variance" in fig.layout.xaxis.title.text
    heat = profile_heatmap(pd.DataFrame({"<x>": [3.0, -1.0]}, index=["<b>A</b> with a long segment name", "B"]))
    assert list(heat.data[0].x) == ["&lt;b&gt;A&lt;/b&gt; with a<br>long segment name", "B"]
    assert list(heat.data[0].y) == ["&lt;x&gt;"] and heat.data[0].z[0][0] == 2.5  # clipped


def test_rfm_groups_show_customers_and_revenue_share():
    summary = pd.DataFrame({"group": ["Champions", "At risk"], "customers": [10, 30], "revenue share": [0.7, 0.3]})
    fig = rfm_figure(summary)
    assert list(fig.data[0].x) == [10, 30] and list(fig.data[0].text) == ["10 customers · 70% of revenue",
                                                                          "30 customers · 30% of revenue"]
    assert rfm_figure(summary.iloc[:0]).layout.annotations[0].text == "No RFM group."


def test_the_snake_plot_draws_one_line_per_segment():
    table = pd.DataFrame({"Recency": [0.5, -0.7], "<Spend>": [1.2, -0.3]}, index=["<b>VIP</b>", "Rest"])
    fig = snake_figure(table)
    assert [t.name for t in fig.data] == ["&lt;b&gt;VIP&lt;/b&gt;", "Rest"]
    assert list(fig.data[0].x) == ["Recency", "&lt;Spend&gt;"] and list(fig.data[1].y) == [-0.7, -0.3]
