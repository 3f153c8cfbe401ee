"""Tests for analytics.figures.compare: intervals drawn as error bars, user text escaped, empty input explained."""

import numpy as np
import pandas as pd
import pytest

from analytics.figures.compare import NO_COMPARISON, difference_figure, forest_figure, groups_figure
from analytics.insights.compare import compare_groups, one_vs_rest

NAME = "<b>x</b>"
ESCAPED = "&lt;b&gt;x&lt;/b&gt;"


@pytest.fixture
def comparison():
    return compare_groups([1, 2, 3, 4, 5], [2, 4, 6, 8, 10], kind="mean", labels=(NAME, "B"))


def _texts(fig) -> str:
    """Every label a trace carries: where unescaped user text would be rendered as HTML."""
    values = []
    for trace in fig.data:
        values += [trace.name, *(() if trace.x is None else trace.x), *(() if trace.y is None else trace.y)]
    return " ".join(str(v) for v in values)


def test_groups_figure_draws_each_interval_and_n_and_escapes_names(comparison):
    fig = groups_figure(comparison, metric_label="Mean <i>rating</i>")
    first, second = fig.data
    assert first.x[0] == f"{ESCAPED}<br>n = 5" and first.name == ESCAPED and NAME not in _texts(fig)
    assert first.y[0] == 3.0 and first.error_y.visible
    assert first.error_y.array[0] == pytest.approx(comparison.a.ci_high - 3.0)
    assert first.error_y.arrayminus[0] == pytest.approx(3.0 - comparison.a.ci_low)
    assert second.error_y.array[0] == pytest.approx(comparison.b.ci_high - 6.0)
    assert fig.layout.yaxis.title.text == "Mean &lt;i&gt;rating&lt;/i&gt;"
    assert "95% t interval" in fig.layout.title.subtitle.text


def test_shares_are_drawn_in_percent_with_wilson_intervals():
    c = compare_groups(np.r_[np.ones(30), np.zeros(70)], np.r_[np.ones(45), np.zeros(55)], kind="share")
    fig = groups_figure(c)
    assert fig.data[0].y[0] == pytest.approx(30.0) and fig.data[0].error_y.array[0] == pytest.approx(
        100 * (c.a.ci_high - 0.3))
    assert "Wilson" in fig.layout.title.subtitle.text
    diff = difference_figure(c)
    assert diff.data[0].x[0] == pytest.approx(15.0) and "percentage points" in diff.layout.xaxis.title.text


def test_difference_figure_shows_the_interval_against_zero(comparison):
    fig = difference_figure(comparison)
    point = fig.data[0]
    assert point.y[0] == f"B − {ESCAPED}" and point.x[0] == 3.0
    assert point.error_x.array[0] == pytest.approx(comparison.ci_high - 3.0)
    assert point.error_x.arrayminus[0] == pytest.approx(3.0 - comparison.ci_low)
    assert [shape.x0 for shape in fig.layout.shapes] == [0]
    assert "Welch t-test p = " in fig.layout.title.subtitle.text


def test_a_single_value_draws_no_interval_and_no_difference():
    c = compare_groups([4.0], [3, 4, 5], kind="mean")
    assert groups_figure(c).data[0].error_y.visible is False
    fig = difference_figure(c)
    assert not fig.data and fig.layout.annotations[0].text.startswith("Too little data")


def test_empty_input_says_why():
    for fig in (groups_figure(None), difference_figure(None)):
        assert not fig.data and fig.layout.annotations[0].text == NO_COMPARISON
    empty = pd.DataFrame(columns=["group", "n", "difference", "ci_low", "ci_high", "significant"])
    empty.attrs.update(skipped=3, min_n=30)
    fig = forest_figure(empty)
    assert not fig.data and "3 value(s) with fewer than 30 interactions left out" in fig.layout.annotations[0].text


def test_forest_plot_highlights_the_significant_value_and_names_the_correction():
    table = pd.DataFrame({"group": [NAME, "s1", "s2"], "n": [300, 300, 40], "difference": [1.0, 0.1, -0.2],
                          "ci_low": [0.7, -0.2, -0.9], "ci_high": [1.3, 0.4, 0.5], "p_adjusted": [1e-6, 0.6, 0.6],
                          "significant": [True, False, False]})
    table.attrs.update(correction="Benjamini–Hochberg (FDR)", alpha=0.05, kind="mean", min_n=30, skipped=2)
    fig = forest_figure(table, metric_label="spend")
    significant, other = fig.data
    assert significant.name == "significant after Benjamini–Hochberg (FDR)" and other.name == "not significant"
    assert list(significant.y) == [f"{ESCAPED} (n = 300)"] and NAME not in _texts(fig)
    assert list(significant.error_x.array) == pytest.approx([0.3]) and list(other.error_x.arrayminus) == \
        pytest.approx([0.3, 0.7])
    assert significant.marker.color != other.marker.color
    subtitle = fig.layout.title.subtitle.text
    assert "Benjamini–Hochberg (FDR)-adjusted p < 0.05" in subtitle and "2 value(s) with fewer than 30" in subtitle
    assert list(fig.layout.yaxis.categoryarray) == ["s2 (n = 40)", "s1 (n = 300)", f"{ESCAPED} (n = 300)"]


def test_forest_plot_of_shares_is_in_percentage_points():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"store": np.repeat(["a", "b", "c"], 200), "converted": rng.integers(0, 2, 600)})
    table = one_vs_rest(frame, "store", "column:converted")
    fig = forest_figure(table)
    row = table.iloc[0]
    assert fig.data[0].x[0] == pytest.approx(100 * row["difference"]) and "(pp)" in fig.layout.xaxis.title.text
