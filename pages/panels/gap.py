"""Panels of the Expectation gap page: the gap tables and charts, their verbatims, drivers and text cues."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.figures.gap import (
    NOT_ENOUGH,
    cue_figure,
    gap_bars_figure,
    gap_heatmap_figure,
    gap_trend_figure,
    impact_figure,
    importance_performance_figure,
    kano_figure,
)
from analytics.figures.style import escape
from analytics.insights.cues import DEFAULT_CUES, cue_summary, find_cues
from analytics.insights.gap import PairedScores, gap_evidence, gap_heatmap, gap_table, gap_trend
from analytics.insights.impact import topic_impact
from analytics.insights.importance import METHODS, importance_performance
from analytics.insights.kano import kano_from_text
from analytics.insights.verbatims import shorten_cells
from pages.common import keys
from pages.common.loaders import cached, cached_figure
from pages.common.widgets import plain_label

TABLE_LABELS = {"n": "n", "expected": "expected", "experienced": "experienced (SERVPERF)", "gap": "gap",
                "ci_low": "gap: 95 % low", "ci_high": "gap: 95 % high", "experienced_low": "experienced: low",
                "experienced_high": "experienced: high", "enough": st.column_config.CheckboxColumn("enough data")}
BREAKDOWNS = {"dimension": "service dimension / topic", "product": "product", "category": "category",
              "channel": "channel", "segment": "segment", "customer_id": "customer", "overall": "all interactions"}
OVERALL = "all interactions"  # the one group of the "overall" breakdown
DRIVER_DIMENSION = "gap_driver_dimension"  # the dimension whose sentences the "What matters" tab lists


class Scale:
    """Draws 0–1 gaps in the rating's own units (stars on a 1–5 scale)."""

    def __init__(self, rating_scale: tuple[float, float] | None):
        self.low, high = rating_scale or (0.0, 1.0)
        self.span = high - self.low
        self.unit = "stars" if (self.low, high) == (1.0, 5.0) else f"points of the {self.low:g}–{high:g} scale"

    def table(self, table: pd.DataFrame, gaps: tuple[str, ...] = (), levels: tuple[str, ...] = ()) -> pd.DataFrame:
        """A copy with differences (``gaps``) and scores (``levels``, from the scale's bottom) in display units."""
        out = table.assign(**{c: (table[c] * self.span).round(3) for c in gaps if c in table.columns})
        return out.assign(**{c: (self.low + table[c] * self.span).round(3) for c in levels if c in table.columns})


def breakdowns(rows: pd.DataFrame, has_mentions: bool) -> dict[str, str]:
    """The breakdowns the data supports, dimension first when the texts are tagged; "overall" always."""
    return {key: label for key, label in BREAKDOWNS.items()
            if (key == "dimension" and has_mentions) or key == "overall"
            or (key in rows.columns and rows[key].notna().any())}


def _remember_pick(key: str, by: object, lookup: dict | tuple[dict, dict] | None) -> None:
    """A click on a chart: the verbatims below then show the bar, cell or month clicked."""
    points = st.session_state[key].selection.points
    if not points:
        return
    point = points[0]
    if by == "period":
        group = str(point.get("x", ""))[:10]
    elif isinstance(lookup, tuple):
        group = (lookup[0].get(point.get("y"), point.get("y")), lookup[1].get(point.get("x"), point.get("x")))
    else:
        group = lookup.get(point.get("y"), point.get("y"))
    st.session_state[keys.GAP_PICK] = {"by": by, "group": group}


def _labels(groups: pd.Series, enough: pd.Series | None = None) -> dict[str, str]:
    """Chart label → group, as the figures write labels (escaped; thin groups marked)."""
    marks = [""] * len(groups) if enough is None else ["" if ok else f" ({NOT_ENOUGH})" for ok in enough]
    return {escape(g) + mark: str(g) for g, mark in zip(groups.astype(str), marks)}


def _clickable(figure, *, key: str, by: object, lookup) -> None:
    st.plotly_chart(figure, key=key, selection_mode="points", on_select=lambda: _remember_pick(key, by, lookup))


def gaps_panel(rows: pd.DataFrame, scores: PairedScores, mentions: pd.DataFrame, scale: Scale, scope: tuple
               ) -> None:
    """Bars per breakdown with the gap's interval, a heatmap, the trend, and the verbatims behind any of them."""
    rows = rows.assign(overall=OVERALL)
    options = breakdowns(rows, len(mentions) > 0)
    if st.session_state.get("gap_by") not in options:
        st.session_state.pop("gap_by", None)
    left, right = st.columns([3, 1])
    by = left.selectbox("Gap by", list(options), format_func=options.get, key="gap_by")
    min_n = right.number_input("Minimum n", 5, 1000, 30, step=5, key="gap_min_n",
                               help="Groups with fewer interactions are greyed: not enough data.")
    method = scores.source.method
    table = cached("table", scope, (by, min_n), lambda: gap_table(rows, scores, by=by, min_n=min_n, mentions=mentions))
    _clickable(cached_figure("bars figure", scope, (by, min_n), lambda: gap_bars_figure(
        table, span=scale.span, low=scale.low, unit=scale.unit, by_label=options[by], method=method)),
        key="gap_bars", by=by, lookup=_labels(table["group"], table["enough"]))
    shown = scale.table(table, gaps=("gap", "ci_low", "ci_high"),
                        levels=("expected", "experienced", "experienced_low", "experienced_high"))
    st.dataframe(shown.rename(columns={"group": options[by]}), hide_index=True, width="stretch",
                 column_config=TABLE_LABELS)
    groups = table["group"].astype(str).tolist()
    group_key = f"gap_evidence_{by}"
    if st.session_state.get(group_key) not in groups:
        st.session_state.pop(group_key, None)
    group = st.selectbox(f"Verbatims behind one {options[by]} (or click a bar, a cell or a month)", groups,
                         key=group_key, on_change=lambda: st.session_state.update({keys.GAP_PICK: {"by": by,
                                                                           "group": st.session_state[group_key]}}))

    rows_by = columns_by = None
    crossable = [k for k in options if k != "overall"]
    if len(crossable) < 2:
        st.caption("The heatmap crosses two breakdowns (e.g. dimension × category); map a product, category or "
                   "channel column, or a text column, on the Data page.")
    else:
        left, right = st.columns(2)
        rows_by = left.selectbox("Heatmap rows", crossable, format_func=options.get, key="gap_heat_rows")
        across = [k for k in ("segment", "category", "channel", "product") if k in crossable and k != rows_by] + [
            k for k in crossable if k not in ("segment", "category", "channel", "product") and k != rows_by]
        columns_by = right.selectbox("Heatmap columns", across, format_func=options.get, key="gap_heat_columns")
        cells = cached("heatmap", scope, (rows_by, columns_by, min_n), lambda: gap_heatmap(
            rows, scores, rows_by=rows_by, columns_by=columns_by, mentions=mentions, min_n=min_n))
        _clickable(cached_figure("heatmap figure", scope, (rows_by, columns_by, min_n), lambda: gap_heatmap_figure(
            cells, span=scale.span, unit=scale.unit, rows_label=options[rows_by], columns_label=options[columns_by],
            method=method)), key="gap_heatmap", by=(rows_by, columns_by),
            lookup=(_labels(cells["row"]), _labels(cells["column"])))
    if rows["timestamp"].notna().any():
        trend = cached("trend", scope, (min_n,), lambda: gap_trend(rows, scores, freq="M", min_n=min_n))
        _clickable(cached_figure("trend figure", scope, (min_n,), lambda: gap_trend_figure(
            trend, span=scale.span, low=scale.low, unit=scale.unit, method=method)), key="gap_trend", by="period",
            lookup=None)
    else:
        st.caption("The gap over time needs timestamps: map a date column on the Data page.")

    pick = st.session_state.get(keys.GAP_PICK) or {}
    current = pick.get("by") in (by, "period") or (isinstance(pick.get("by"), (tuple, list))
                                                   and tuple(pick["by"]) == (rows_by, columns_by))
    pick_by, pick_group = (pick["by"], pick["group"]) if current else (by, group)
    shown_as = " × ".join(map(str, pick_group)) if isinstance(pick_group, (tuple, list)) else str(pick_group)
    st.subheader("Verbatims behind the selection")
    try:
        evidence = cached("evidence", scope, (repr(pick_by), repr(pick_group)), lambda: gap_evidence(
            rows, scores, by=pick_by, group=pick_group, mentions=mentions, limit=50))
    except ValueError as error:
        st.error(plain_label(error), icon=":material/error:")
        return
    st.caption(f"The interactions behind '{plain_label(shown_as)}', most negative gap first ({scale.unit}).")
    evidence = evidence.dropna(axis=1, how="all")  # a survey has no product, channel or text to show
    st.dataframe(shorten_cells(scale.table(evidence, gaps=("gap",), levels=("rating", "expected", "experienced"))),
                 hide_index=True, width="stretch", key="gap_evidence",
                 column_config={"text": st.column_config.TextColumn(width="large")})


def drivers_panel(rows: pd.DataFrame, mentions: pd.DataFrame, scale: Scale, scope: tuple, mentions_method: str
                  ) -> None:
    """Importance–performance, Kano from text and impact: which dimensions move the overall rating."""
    if not rows["rating"].notna().any() or mentions.empty:
        st.info("Importance, Kano classes and impact need ratings and texts that mention service dimensions.",
                icon=":material/info:")
        return
    st.caption(f"Dimensions from {plain_label(mentions_method)}.")
    method = st.radio("Importance from", list(METHODS), horizontal=True, key="gap_importance_method",
                      format_func=lambda m: {"regression": "standardised regression weights",
                                             "correlation": "correlations"}.get(m, m))
    matrix = cached("importance", scope, (method,), lambda: importance_performance(rows, mentions, method=method))
    lookup = _labels(pd.Series(sorted(mentions["dimension"].astype(str).unique())))
    _dimension_chart(cached_figure("importance figure", scope, (method,), lambda: importance_performance_figure(
        matrix, span=scale.span, low=scale.low, unit=scale.unit)), key="gap_ipa", lookup=lookup)
    st.dataframe(scale.table(matrix, levels=("performance",)), hide_index=True, width="stretch")
    kano = cached("kano", scope, (), lambda: kano_from_text(rows, mentions))
    _dimension_chart(cached_figure("kano figure", scope, (), lambda: kano_figure(kano, span=scale.span,
                                                                               unit=scale.unit)),
                     key="gap_kano", lookup=lookup)
    st.dataframe(scale.table(kano, gaps=("reward", "reward_low", "reward_high", "penalty", "penalty_low",
                                         "penalty_high")),
                 hide_index=True, width="stretch")
    metric = st.radio("Impact on", ["mean_rating", "pct_negative"], horizontal=True, key="gap_impact_metric",
                      format_func={"mean_rating": "mean rating", "pct_negative": "% negative"}.get)
    impact = cached("impact", scope, (metric,), lambda: topic_impact(rows, mentions, metric=metric))
    label = "mean rating" if metric == "mean_rating" else "% negative"
    st.plotly_chart(cached_figure("impact figure", scope, (metric,), lambda: impact_figure(
        impact, span=scale.span, unit=scale.unit, metric_label=label)), key="gap_impact")
    st.text(impact.attrs.get("formula", ""))
    said_panel(rows, mentions, scale, sorted(lookup.values()))


def _dimension_chart(figure, *, key: str, lookup: dict[str, str]) -> None:
    """A scatter of dimensions whose points, when clicked, show what customers said about that dimension."""
    def remember() -> None:
        points = st.session_state[key].selection.points
        if points and "curve_number" in points[0] and "point_index" in points[0]:
            label = figure.data[points[0]["curve_number"]].text[points[0]["point_index"]]
            st.session_state[DRIVER_DIMENSION] = lookup.get(label, label)

    st.plotly_chart(figure, key=key, selection_mode="points", on_select=remember)


def said_panel(rows: pd.DataFrame, mentions: pd.DataFrame, scale: Scale, dimensions: list[str]) -> None:
    """The sentences behind one dimension's point: criticisms first, with the interaction's rating."""
    if st.session_state.get(DRIVER_DIMENSION) not in dimensions:
        st.session_state.pop(DRIVER_DIMENSION, None)
    dimension = st.selectbox("What customers say about one dimension (or click its point)", dimensions,
                             key=DRIVER_DIMENSION)
    said = mentions[mentions["dimension"].astype(str) == dimension].merge(
        rows[["record_id", "rating", "text"]], on="record_id", how="left").sort_values("polarity", kind="stable")
    said = said.assign(polarity=said["polarity"].map({-1: "negative", 0: "neutral", 1: "positive"}),
                       rating=(scale.low + said["rating"] * scale.span).round(2))
    st.caption(f"{len(said):,} interactions mention {plain_label(dimension)}: "
               f"{int((said['polarity'] == 'negative').sum()):,} negatively, "
               f"{int((said['polarity'] == 'positive').sum()):,} positively; criticisms first.")
    st.dataframe(shorten_cells(said[["record_id", "polarity", "rating", "sentence", "text"]].head(200)),
                 hide_index=True, width="stretch", key="gap_said",
                 column_config={"sentence": st.column_config.TextColumn(width="large")})


def cues_panel(store_cues: dict, dataset_id: str, rows: pd.DataFrame, sentences: pd.DataFrame, scope: tuple,
               options: dict[str, str]) -> None:
    """Sentences with expectation cues, tagged met or missed by their own sentiment; the cue list is editable."""
    saved = store_cues.get(dataset_id, list(DEFAULT_CUES))
    with st.form("gap_cues_form"):
        text = st.text_area("Cue phrases (one per line; plain text, matched as whole words, any case)",
                            "\n".join(saved), height=150, key=f"gap_cues_text_{dataset_id}")
        left, right = st.columns(2)
        if left.form_submit_button("Apply the cue list"):
            store_cues[dataset_id] = [line.strip() for line in text.splitlines() if line.strip()]
            st.rerun()
        if right.form_submit_button("Restore the default cues"):
            store_cues.pop(dataset_id, None)
            st.session_state.pop(f"gap_cues_text_{dataset_id}", None)
            st.rerun()
    cues = tuple(saved)
    sentiment = rows.set_index("record_id")["sentiment"] if "sentiment" in rows.columns else None
    try:
        found = cached("cues", scope, (cues,), lambda: find_cues(
            sentences[sentences["record_id"].isin(rows["record_id"])], cues=cues, row_sentiment=sentiment))
    except ValueError as error:
        st.error(plain_label(error), icon=":material/error:")
        return
    choices = {"": "all interactions"} | {k: v for k, v in options.items() if k not in ("dimension", "overall")}
    by = st.selectbox("Cues by", list(choices), format_func=choices.get, key="gap_cues_by",
                      index=min(1, len(choices) - 1)) or None
    summary = cached("cue summary", scope, (cues, by), lambda: cue_summary(found, rows, by=by))
    st.plotly_chart(cached_figure("cue figure", scope, (cues, by), lambda: cue_figure(summary, by_label=choices[by or ""])),
                    key="gap_cues_chart")
    st.dataframe(summary, hide_index=True, width="stretch")
    st.caption(f"{len(found):,} cue sentences in {found['record_id'].nunique():,} interactions: "
               f"{int((found['outcome'] == 'missed').sum()):,} missed, {int((found['outcome'] == 'met').sum()):,} met.")
    st.dataframe(found[["record_id", "cue", "outcome", "sentence"]].head(500), hide_index=True, width="stretch",
                 column_config={"sentence": st.column_config.TextColumn(width="large")})


def remember_focus(source: str, by: str, group: str) -> None:
    """Open the Expectation gap page on one gap (the Overview's Largest gaps buttons)."""
    st.session_state[keys.GAP_FOCUS] = {"source": source, "by": by, "group": group}


def apply_focus(usable_sources: list[str]) -> None:
    """Preset the Gap page's widgets to the gap the Overview asked for, once (then the widgets are the user's)."""
    focus = st.session_state.get(keys.GAP_FOCUS)
    if not focus:
        return
    st.session_state[keys.GAP_FOCUS] = None
    if focus["source"] in usable_sources:
        st.session_state["gap_source"] = focus["source"]
    st.session_state.update({"gap_by": focus["by"], f"gap_evidence_{focus['by']}": focus["group"],
                             keys.GAP_PICK: None})


def largest_gaps_found(store, info, rows: pd.DataFrame):
    """The three most negative gaps of ``rows`` with their intervals (cached), their source and scale; None
    without an expectation source. Never scores sentences."""
    from analytics.insights.gap import largest_gaps
    from pages.common.expectations import default_source, gap_mentions, gap_scores, has_sentence_scores

    source = default_source(store, info)
    if source is None:
        return None
    scores, scale = gap_scores(store, info, source.key), Scale(info.rating_scale)
    mentions = gap_mentions(store, info)[0] if has_sentence_scores(store, info) else None  # never scores here
    scope = (info.id, info.version, len(rows), int(pd.util.hash_pandas_object(rows["record_id"]).sum()), source.key)
    found = cached("largest", scope, (), lambda: largest_gaps(
        rows, scores, by=[b for b in ("dimension", "product", "category", "channel") if b == "dimension" or (
            b in rows.columns and rows[b].notna().any())], mentions=mentions))
    return found, scores.source, scale


def gaps_in_units(found: pd.DataFrame, source, scale: Scale) -> pd.DataFrame:
    """Largest gaps in the rating's units with the source named (the HTML report's table)."""
    return scale.table(found, gaps=("gap", "ci_low", "ci_high"), levels=("expected", "experienced")).assign(
        source=source.label)


def largest_gaps_panel(store, info, rows: pd.DataFrame) -> pd.DataFrame | None:
    """The Overview's three most negative gaps with their intervals; a click opens the Gap page on one.
    Returns them in the rating's units (for the HTML report), or None without an expectation source."""
    result = largest_gaps_found(store, info, rows)
    if result is None:
        st.caption("No expectation source yet: map an expected, an advertised or a dated rating column with "
                   "products on the Data page.")
        return None
    found, source, scale = result
    if found.empty:
        st.caption(f"No gap is clearly negative (interval below zero, n ≥ 30) · {source.label}.")
        return gaps_in_units(found, source, scale)
    st.caption(f"{source.method.rstrip('.')}. 95 % bootstrap intervals; a click shows the verbatims.")
    for i, gap in enumerate(found.itertuples(index=False)):
        label = (f"{gap.group} ({BREAKDOWNS.get(gap.by, gap.by)}): {gap.gap * scale.span:+.2f} {scale.unit} "
                 f"[{gap.ci_low * scale.span:+.2f}, {gap.ci_high * scale.span:+.2f}] · n = {gap.n:,}")
        if st.button(plain_label(label), key=f"overview_gap_{i}", icon=":material/trending_down:", width="stretch"):
            remember_focus(source.key, gap.by, str(gap.group))
            st.switch_page(keys.GAP_PAGE)
    return gaps_in_units(found, source, scale)
