"""Tests for analytics.figures.gap: the Expectation gap page's charts, checked by their traces and layout."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.figures.gap import (
    NOT_ENOUGH,
    QUADRANT_COLORS,
    SUBTITLE_CHARS,
    cue_figure,
    gap_bars_figure,
    gap_heatmap_figure,
    gap_trend_figure,
    impact_figure,
    importance_performance_figure,
    kano_figure,
    kano_questionnaire_figure,
)
from analytics.figures.style import NEGATIVE_COLOR, NO_DATA_COLOR, POSITIVE_COLOR
from analytics.insights.cues import cue_summary, find_cues
from analytics.insights.gap import gap_heatmap, gap_table, gap_trend, paired_scores
from analytics.insights.impact import topic_impact
from analytics.insights.importance import importance_performance
from analytics.insights.kano import kano_from_text, score_kano_questionnaire

NAME = "<b>x</b>"
ESCAPED = "&lt;b&gt;x&lt;/b&gt;"
SPAN, LOW = 4.0, 1.0  # a 1–5 star scale
MIN_N = 10


def strings(fig: go.Figure) -> list[str]:
    """Every string in the figure's JSON: labels, texts, hovers, titles, annotations."""
    found: list[str] = []

    def walk(value):
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    walk(json.loads(fig.to_json()))
    return found


def subtitle(fig: go.Figure) -> str:
    return fig.layout.title.subtitle.text


# ---- tiny synthetic data ----
# Product NAME: 40 rows, expected 0.5, ratings 0.0 / 0.5 alternating → experienced 0.25, gap −0.25 (−1 star).
# Product "b": 40 rows, expected 0.5, ratings 0.5 / 0.7 → gap +0.1. Product "thin": 4 rows, gap −0.2, below MIN_N.
# Months: NAME in January, "b" in February, "thin" in March (a period below MIN_N).

@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    records = []
    for i in range(40):
        records.append({"product": NAME, "rating": (0.0, 0.5)[i % 2], "channel": ("web", "store")[i // 2 % 2],
                        "timestamp": f"2024-01-{1 + i % 28:02d}"})
    for i in range(40):
        records.append({"product": "b", "rating": (0.5, 0.7)[i % 2], "channel": ("web", "store")[i // 2 % 2],
                        "timestamp": f"2024-02-{1 + i % 28:02d}"})
    for i in range(4):
        records.append({"product": "thin", "rating": (0.2, 0.4)[i % 2], "channel": "web",
                        "timestamp": f"2024-03-{1 + i:02d}"})
    frame = pd.DataFrame(records)
    return frame.assign(record_id=[f"r{i}" for i in range(len(frame))], category="home", expected=0.5,
                        timestamp=pd.to_datetime(frame["timestamp"]))


@pytest.fixture(scope="module")
def scores(rows):
    return paired_scores(rows, "explicit")


@pytest.fixture(scope="module")
def table(rows, scores) -> pd.DataFrame:
    return gap_table(rows, scores, by="product", min_n=MIN_N, n_boot=100)


@pytest.fixture(scope="module")
def mentions(rows) -> pd.DataFrame:
    """delivery: criticised on the 0.0 rows, praised on the 0.7 rows; NAME praised on the 0.5 rows; price
    praised on NAME's 0.5 rows and criticised on b's; app mentioned neutrally; rare below MIN_N."""
    found = []
    for rid, rating, product in zip(rows["record_id"], rows["rating"], rows["product"], strict=True):
        if rating == 0.0:
            found.append((rid, "delivery", -1, "I expected better delivery."))
        if rating == 0.7:
            found.append((rid, "delivery", 1, "Delivery was better than I expected."))
        if rating == 0.5:
            found.append((rid, NAME, 1, "Nice x."))
            found.append((rid, "price", 1 if product == NAME else -1, "The price."))
    found += [(rid, "app", 0, "I used the app.") for rid in rows["record_id"][::6]]
    found += [(rid, "rare", -1, "A rare thing.") for rid in rows["record_id"][:3]]
    return pd.DataFrame(found, columns=["record_id", "dimension", "polarity", "sentence"])


def _row(frame: pd.DataFrame, column: str, value) -> pd.Series:
    return frame.set_index(column).loc[value]


# ---- expected vs experienced bars ----

def test_bars_one_bar_per_group_most_negative_on_top(table):
    fig = gap_bars_figure(table, span=SPAN, low=LOW, by_label="product")
    expected, experienced, gap = fig.data
    assert expected.name == "Expected" and experienced.name.startswith("Experienced")
    labels = [f"thin ({NOT_ENOUGH})", "b", ESCAPED]  # plotly draws the last category on top
    assert list(expected.y) == list(experienced.y) == list(gap.y) == labels
    # Among the groups with enough data the most negative gap is the top one.
    assert gap.x[2] < gap.x[1] and gap.x[2] == min(gap.x[1:])
    assert fig.layout.title.text == "Expectation gap by product"


def test_bars_values_are_drawn_in_the_rating_units(table):
    fig = gap_bars_figure(table, span=SPAN, low=LOW)
    expected, experienced, gap = fig.data
    assert list(expected.x) == pytest.approx([3.0, 3.0, 3.0])  # 1 + 0.5 × 4
    assert experienced.x[2] == pytest.approx(LOW + 0.25 * SPAN)  # 2 stars
    assert experienced.x[1] == pytest.approx(LOW + 0.6 * SPAN)
    assert gap.x[2] == pytest.approx(-1.0) and gap.x[1] == pytest.approx(0.4)  # gaps are differences: no offset
    assert gap.xaxis == "x2" and expected.xaxis == experienced.xaxis == "x"
    assert list(fig.layout.xaxis.range) == [LOW, LOW + SPAN]


def test_bars_error_bars_equal_the_intervals(table):
    fig = gap_bars_figure(table, span=SPAN, low=LOW)
    _, experienced, gap = fig.data
    shown = table.iloc[::-1].reset_index(drop=True)
    gap_x = np.asarray(gap.x)
    assert list(gap_x + np.asarray(gap.error_x.array)) == pytest.approx(list(shown["ci_high"] * SPAN))
    assert list(gap_x - np.asarray(gap.error_x.arrayminus)) == pytest.approx(list(shown["ci_low"] * SPAN))
    exp_x = np.asarray(experienced.x)
    assert list(exp_x + np.asarray(experienced.error_x.array)) == pytest.approx(
        list(LOW + shown["experienced_high"] * SPAN))
    assert list(exp_x - np.asarray(experienced.error_x.arrayminus)) == pytest.approx(
        list(LOW + shown["experienced_low"] * SPAN))
    # The intervals are real (not zero-width), so the test above can tell the bounds apart.
    assert (np.asarray(gap.error_x.array)[1:] > 0).all() and (np.asarray(gap.error_x.arrayminus)[1:] > 0).all()
    # The hover's interval is in display units too.
    assert np.asarray(gap.customdata, dtype=float)[2, 1] == pytest.approx(shown.loc[2, "ci_low"] * SPAN)


def test_bars_grey_the_gap_of_thin_groups_and_colour_the_others_by_sign(table):
    assert not table.set_index("group").loc["thin", "enough"]
    fig = gap_bars_figure(table, span=SPAN, low=LOW)
    gap = fig.data[2]
    # thin (gap −0.2, negative but not enough data) grey; b positive green; NAME negative red.
    assert list(gap.marker.color) == [NO_DATA_COLOR, POSITIVE_COLOR, NEGATIVE_COLOR]
    assert gap.y[0].endswith(f"({NOT_ENOUGH})") and not any(NOT_ENOUGH in y for y in gap.y[1:])


def test_bars_subtitle_names_method_level_unit_and_min_n(table, scores):
    fig = gap_bars_figure(table, span=SPAN, low=LOW, unit="stars", method=scores.source.method)
    text = subtitle(fig).replace("<br>", " ")
    assert scores.source.method in text
    assert "95% bootstrap intervals" in text and "stars" in text and f"fewer than {MIN_N} interactions" in text
    assert "0–1 scale" in subtitle(gap_bars_figure(table))


def test_bars_top_keeps_the_first_rows_of_the_table(table):
    fig = gap_bars_figure(table, top=1)
    assert all(list(trace.y) == [ESCAPED] for trace in fig.data)


# ---- heatmap ----

@pytest.fixture(scope="module")
def cells(rows, scores) -> pd.DataFrame:
    return gap_heatmap(rows, scores, rows_by="product", columns_by="channel", min_n=MIN_N, n_boot=50)


def test_heatmap_blanks_thin_cells_and_draws_the_rest_times_span(cells):
    fig = gap_heatmap_figure(cells, span=SPAN, unit="stars", rows_label="product", columns_label="channel")
    (heat,) = fig.data
    x, y = list(heat.x), list(heat.y)
    assert sorted(x) == ["store", "web"] and sorted(y) == sorted([ESCAPED, "b", "thin"])
    z, text = np.asarray(heat.z, dtype=float), np.asarray(heat.text)
    assert z.shape == (3, 2)

    def at(row, column):
        return z[y.index(row), x.index(column)], text[y.index(row), x.index(column)]

    assert at(ESCAPED, "web")[0] == pytest.approx(-1.0) and at(ESCAPED, "store")[1] == "-1.00"
    assert at("b", "store")[0] == pytest.approx(0.4) and at("b", "web")[1] == "+0.40"
    value, label = at("thin", "web")  # 4 interactions: below the minimum n
    assert np.isnan(value) and label == NOT_ENOUGH
    value, label = at("thin", "store")  # no interaction at all: blank, not "not enough data"
    assert np.isnan(value) and label == ""
    assert np.asarray(heat.customdata)[y.index("thin"), x.index("web")] == 4


def test_heatmap_colour_scale_is_centred_on_zero(cells):
    heat = gap_heatmap_figure(cells, span=2.0).data[0]
    # Symmetric around 0 at the largest |gap| shown (NAME's −0.25 × 2), thin cells not counted.
    assert heat.zmid == 0 and heat.zmin == pytest.approx(-0.5) and heat.zmax == pytest.approx(0.5)
    assert heat.colorbar.title.text == "gap"


def test_heatmap_of_only_thin_cells_still_draws():
    cells = pd.DataFrame({"row": ["a"], "column": ["c"], "n": [3], "gap": [-0.2], "ci_low": [-0.3],
                          "ci_high": [-0.1], "enough": [False]})
    heat = gap_heatmap_figure(cells, span=SPAN).data[0]
    assert np.isnan(np.asarray(heat.z, dtype=float)).all() and heat.text[0][0] == NOT_ENOUGH
    assert (heat.zmin, heat.zmax) == (-1.0, 1.0)


# ---- trend ----

@pytest.fixture(scope="module")
def trend(rows, scores) -> pd.DataFrame:
    return gap_trend(rows, scores, freq="M", min_n=MIN_N, n_boot=50)


def test_trend_draws_only_the_periods_with_enough_data(trend):
    assert list(trend["enough"]) == [True, True, False]
    fig = gap_trend_figure(trend, span=SPAN, low=LOW, unit="stars", method="Some method.")
    band, gap, experienced = fig.data
    periods = pd.to_datetime(["2024-01-01", "2024-02-01"])
    assert pd.to_datetime(list(gap.x)).tolist() == periods.tolist()
    assert list(gap.y) == pytest.approx([-1.0, 0.4])
    assert "1 periods below the minimum n left out" in subtitle(fig) and "Some method." in subtitle(fig)
    assert fig.layout.yaxis.title.text == "gap (stars)"


def test_trend_band_covers_the_interval_times_span(trend):
    band = gap_trend_figure(trend, span=SPAN, low=LOW).data[0]
    enough = trend[trend["enough"]]
    assert band.fill == "toself"
    assert pd.to_datetime(list(band.x)).tolist() == list(enough["period"]) + list(enough["period"][::-1])
    assert list(band.y) == pytest.approx(list(enough["ci_high"] * SPAN) + list(enough["ci_low"][::-1] * SPAN))
    assert enough["ci_low"].lt(enough["ci_high"]).all()


def test_trend_experience_is_on_the_secondary_axis_from_low(trend):
    fig = gap_trend_figure(trend, span=SPAN, low=LOW)
    band, gap, experienced = fig.data
    assert experienced.yaxis == "y2" and gap.yaxis == band.yaxis == "y"
    assert list(experienced.y) == pytest.approx([LOW + 0.25 * SPAN, LOW + 0.6 * SPAN])
    assert fig.layout.yaxis2.overlaying == "y"


def test_trend_with_every_period_enough_says_nothing_left_out(trend):
    fig = gap_trend_figure(trend[trend["enough"]], method="m")
    assert subtitle(fig) == "m"


# ---- importance–performance ----

@pytest.fixture(scope="module")
def matrix(rows, mentions) -> pd.DataFrame:
    return importance_performance(rows, mentions, min_n=MIN_N)


def test_importance_has_one_trace_per_quadrant_and_names_all_four(matrix):
    fig = importance_performance_figure(matrix, span=SPAN, low=LOW, unit="stars")
    enough = matrix[matrix["enough"]]
    assert len(fig.data) == enough["quadrant"].nunique() >= 3
    for trace in fig.data:
        part = enough[enough["quadrant"] == trace.name]
        assert list(trace.text) == [ESCAPED if d == NAME else d for d in part["dimension"]]
        assert list(trace.x) == pytest.approx(list(part["importance"]))
        assert list(trace.y) == pytest.approx(list(LOW + part["performance"] * SPAN))
        assert trace.marker.color == QUADRANT_COLORS[trace.name]
    assert "rare" not in " ".join(strings(fig))  # below the minimum n: not drawn
    names = {a.text for a in fig.layout.annotations}
    assert names == {f"<b>{q}</b>" for q in ("Concentrate here", "Keep up the good work", "Low priority",
                                               "Possible overkill")}


def test_importance_cut_lines_sit_at_the_table_cuts(matrix):
    fig = importance_performance_figure(matrix, span=SPAN, low=LOW)
    vertical = [s for s in fig.layout.shapes if s.x0 == s.x1]
    horizontal = [s for s in fig.layout.shapes if s.y0 == s.y1]
    assert len(vertical) == len(horizontal) == 1
    assert vertical[0].x0 == pytest.approx(matrix.attrs["importance_cut"])
    assert horizontal[0].y0 == pytest.approx(LOW + matrix.attrs["performance_cut"] * SPAN)  # 1 + 0.4 × 4
    assert horizontal[0].y0 == pytest.approx(2.6)
    assert matrix.attrs["method"] in subtitle(fig).replace("<br>", " ")


# ---- Kano ----

@pytest.fixture(scope="module")
def kano(rows, mentions) -> pd.DataFrame:
    return kano_from_text(rows, mentions, min_n=MIN_N, n_boot=100)


def test_kano_has_one_trace_per_class_with_effects_times_span(kano):
    fig = kano_figure(kano, span=SPAN, unit="stars")
    points, diagonal = fig.data[:-1], fig.data[-1]
    enough = kano[kano["enough"] & (kano["reward"].notna() | kano["penalty"].notna())]  # only neutral: nothing to draw
    assert {t.name for t in points} == set(enough["kano_class"]) and len(points) >= 2
    assert NOT_ENOUGH not in {t.name for t in points}
    for trace in points:
        part = enough[enough["kano_class"] == trace.name]
        assert list(trace.text) == [ESCAPED if t == NAME else t for t in part["topic"]]
        np.testing.assert_allclose(np.asarray(trace.x, dtype=float), part["reward"] * SPAN)
        np.testing.assert_allclose(np.asarray(trace.y, dtype=float), part["penalty"] * SPAN)
        np.testing.assert_allclose(np.asarray(trace.x, dtype=float) + np.asarray(trace.error_x.array, dtype=float),
                                   part["reward_high"] * SPAN)
        np.testing.assert_allclose(np.asarray(trace.y, dtype=float)
                                   - np.asarray(trace.error_y.arrayminus, dtype=float), part["penalty_low"] * SPAN)
    delivery = _row(kano, "topic", "delivery")
    trace = next(t for t in points if "delivery" in t.text)
    assert trace.name == delivery["kano_class"]
    top = max(np.nanmax(enough["reward_high"]), np.nanmax(enough["penalty_high"])) * SPAN
    assert list(diagonal.x) == pytest.approx([0, top]) and list(diagonal.y) == pytest.approx([0, top])
    assert diagonal.showlegend is False and "(stars)" in fig.layout.xaxis.title.text


def test_kano_questionnaire_draws_better_against_absolute_worse():
    answers = pd.DataFrame({f"{NAME}_functional": ["like", "like", "neutral", "like"],
                            f"{NAME}_dysfunctional": ["dislike", "neutral", "dislike", "neutral"],
                            "speed_func": ["neutral", "neutral", "like", "neutral"],
                            "speed_dysf": ["neutral", "neutral", "neutral", "dislike"]})
    scored = score_kano_questionnaire(answers)
    fig = kano_questionnaire_figure(scored)
    (points,) = fig.data
    assert list(points.text) == [ESCAPED, "speed"]
    assert list(points.x) == pytest.approx(list(scored["better"]))
    assert list(points.y) == pytest.approx(list(-scored["worse"])) and (np.asarray(points.y) > 0).all()
    assert list(points.customdata) == list(scored["kano_class"])
    assert {s.x0 for s in fig.layout.shapes if s.x0 == s.x1} == {0.5}
    assert {s.y0 for s in fig.layout.shapes if s.y0 == s.y1} == {0.5}


# ---- impact ----

def test_impact_mean_rating_is_drawn_times_span_largest_on_top(rows, mentions):
    impact = topic_impact(rows, mentions, min_n=MIN_N, n_boot=50)
    fig = impact_figure(impact, span=SPAN, unit="stars")
    resolve, remove = fig.data
    enough = impact[impact["enough"]].iloc[::-1]
    assert list(resolve.y) == [ESCAPED if t == NAME else t for t in enough["topic"]] and "rare" not in resolve.y
    assert resolve.y[-1] == impact.loc[0, "topic"]  # the largest resolve change on top
    assert list(resolve.x) == pytest.approx(list(enough["resolve_delta"] * SPAN))
    assert list(remove.x) == pytest.approx(list(enough["remove_delta"] * SPAN))
    assert list(np.asarray(remove.x) + np.asarray(remove.error_x.array)) == pytest.approx(
        list(enough["remove_high"] * SPAN))
    assert fig.layout.xaxis.title.text == "change of the overall mean rating (stars)"


def test_impact_percent_negative_is_drawn_in_points(rows, mentions):
    impact = topic_impact(rows, mentions, metric="pct_negative", min_n=MIN_N, n_boot=50)
    fig = impact_figure(impact, span=SPAN, unit="stars", metric_label="% negative")
    resolve, remove = fig.data
    enough = impact[impact["enough"]].iloc[::-1]
    assert list(resolve.x) == pytest.approx(list(enough["resolve_delta"] * 100))
    assert list(np.asarray(resolve.x) - np.asarray(resolve.error_x.arrayminus)) == pytest.approx(
        list(enough["resolve_low"] * 100))
    assert fig.layout.xaxis.title.text.endswith(" (pts)") and "pts" in resolve.hovertemplate


# ---- cues ----

def test_cue_figure_draws_shares_in_percent_and_flags_thin_groups(rows, mentions):
    sentences = mentions.drop_duplicates("record_id").assign(sentence_no=0, compound=0.0)
    found = find_cues(sentences)
    summary = cue_summary(found, rows, by="product", min_n=MIN_N)
    fig = cue_figure(summary, by_label="product")
    missed, met = fig.data
    assert (missed.name, met.name) == ("missed", "met")
    shown = summary.iloc[::-1]
    assert list(missed.y) == [(ESCAPED if g == NAME else g) + ("" if ok else f" ({NOT_ENOUGH})")
                              for g, ok in zip(shown["group"], shown["enough"], strict=True)]
    assert missed.y[-1] == ESCAPED  # NAME: 20 of 40 rows with "I expected better", the most missed
    assert missed.x[-1] == pytest.approx(50.0)
    assert list(met.x) == pytest.approx(list(shown["met_share"] * 100))
    assert _row(summary, "group", "b")["met_share"] == pytest.approx(0.5)
    assert f"thin ({NOT_ENOUGH})" in missed.y
    assert fig.layout.title.text == "Expectation cues by product"


# ---- shared behaviour ----

def test_user_text_is_escaped_in_every_label(table, cells, kano, rows, mentions, matrix):
    figures = [gap_bars_figure(table), gap_heatmap_figure(cells), kano_figure(kano),
               importance_performance_figure(matrix), impact_figure(topic_impact(rows, mentions, n_boot=20))]
    for fig in figures:
        texts = strings(fig)
        assert not any(NAME in s for s in texts), fig.layout.title.text
        assert any(ESCAPED in s for s in texts), fig.layout.title.text
    bars, heat, kano_fig = figures[:3]
    assert ESCAPED in bars.data[0].y and ESCAPED in heat.data[0].y
    assert any(ESCAPED in t.text for t in kano_fig.data if t.text is not None)
    by_name = gap_bars_figure(table, by_label="<i>p</i>", method="<script>")
    assert by_name.layout.title.text == "Expectation gap by &lt;i&gt;p&lt;/i&gt;"
    assert "&lt;script&gt;" in subtitle(by_name)
    heat = gap_heatmap_figure(cells.assign(column=cells["column"].replace("web", NAME)))
    assert ESCAPED in heat.data[0].x and NAME not in heat.data[0].x


def test_long_methods_are_wrapped_and_the_margin_grows(table):
    method = " ".join(["The expectation is the customer's own stated score on the rating's scale."] * 5)
    short = gap_bars_figure(table, method="m")
    long = gap_bars_figure(table, method=method)
    lines = subtitle(long).split("<br>")
    assert len(lines) >= 3 and all(len(line) <= SUBTITLE_CHARS for line in lines)
    assert subtitle(long).replace("<br>", " ").startswith(method)  # only spaces became breaks
    assert "<br>" not in subtitle(short)
    assert short.layout.margin.t == 100 and long.layout.margin.t == 100 + 16 * (len(lines) - 1)
    assert long.layout.height == short.layout.height + 16 * (len(lines) - 1)
    # Every figure of the page wraps the same way, e.g. the heatmap with a long method.
    heat = gap_heatmap_figure(pd.DataFrame({"row": ["a"], "column": ["c"], "n": [40], "gap": [-0.1],
                                            "ci_low": [-0.2], "ci_high": [0.0], "enough": [True]}), method=method)
    assert all(len(line) <= SUBTITLE_CHARS for line in subtitle(heat).split("<br>"))
    assert heat.layout.margin.t > 100


@pytest.mark.parametrize("draw, message", [
    (gap_bars_figure, "No group has both"),
    (gap_heatmap_figure, "No cell has both"),
    (gap_trend_figure, "No dated interaction"),
    (importance_performance_figure, "No dimension is mentioned often enough"),
    (kano_figure, "No topic is mentioned often enough to class it"),
    (kano_questionnaire_figure, "No feature could be scored"),
    (impact_figure, "No topic is mentioned often enough to estimate"),
    (cue_figure, "No sentence carries an expectation cue"),
])
def test_empty_input_gives_an_empty_figure_that_says_why(draw, message):
    for empty in (None, pd.DataFrame()):
        fig = draw(empty)
        assert not fig.data and fig.layout.annotations[0].text.startswith(message)


def test_tables_without_enough_rows_give_the_empty_figure(matrix, kano, rows, mentions):
    impact = topic_impact(rows, mentions, n_boot=20, min_n=1000)
    for fig in (importance_performance_figure(matrix.assign(enough=False)), kano_figure(kano.assign(enough=False)),
                impact_figure(impact)):
        assert not fig.data and fig.layout.annotations[0].text.startswith("No ")
    no_cue = cue_summary(find_cues(pd.DataFrame({"record_id": ["r0"], "sentence_no": [0], "sentence": ["Fine."],
                                                 "compound": [0.0]})), rows, by="product")
    fig = cue_figure(no_cue)
    assert not fig.data and "No sentence carries" in fig.layout.annotations[0].text


def test_a_trend_with_no_period_above_the_minimum_n_says_so():
    from analytics.figures.gap import gap_trend_figure

    trend = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-02-01"]), "n": [3, 4], "expected": [.5, .5],
                          "experienced": [.4, .3], "gap": [-.1, -.2], "ci_low": [-.2, -.3], "ci_high": [0, -.1],
                          "enough": [False, False]})
    fig = gap_trend_figure(trend)
    assert not fig.data and "lower the minimum n" in fig.layout.annotations[0].text


def test_kano_with_only_neutral_mentions_says_so_without_warnings():
    import warnings

    from analytics.insights.kano import kano_from_text

    rows = pd.DataFrame({"record_id": [f"r{i}" for i in range(40)], "rating": np.linspace(0, 1, 40)})
    mentions = pd.DataFrame({"record_id": rows["record_id"], "dimension": "app", "polarity": 0, "sentence": "app"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = kano_figure(kano_from_text(rows, mentions, min_n=10, n_boot=20))
    assert not fig.data and "positively and negatively" in fig.layout.annotations[0].text
