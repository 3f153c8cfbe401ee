"""Plotly figures for the Overview page: pure functions from the kpis tables to ``go.Figure``."""
from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from analytics.figures.style import (
    DIVERGING_COLORSCALE,
    INK_COLOR,
    NEGATIVE_COLOR,
    NEUTRAL_COLOR,
    NO_DATA_COLOR,
    POSITIVE_COLOR,
    SENTIMENT_COLORS,
    VOLUME_COLOR,
    apply_layout,
    empty_figure,
    escape,
)
from analytics.schema import NEGATIVE_BELOW, POSITIVE_ABOVE, sentiment_from_rating

_LABEL_MAX_CHARS = 40
_DIMENSION_LABELS = {"category": "Category", "channel": "Channel", "product": "Product",
                     "customer_id": "Customer"}


def _scale_text(scale: tuple[float, float]) -> str:
    return f"{scale[0]:g}–{scale[1]:g}"


def _count_ticks(largest: float) -> dict:
    """Whole-number ticks on a count axis (plotly would show 0.5 interactions for small counts)."""
    return {"dtick": 1} if largest <= 10 else {"tickformat": ",d"}


def _columns(*columns: list) -> np.ndarray:
    """Stack per-point hover values into an object array (keeps strings and numbers apart)."""
    out = np.empty((len(columns[0]), len(columns)), dtype=object)
    for j, column in enumerate(columns):
        out[:, j] = column
    return out


def _short(text: str, limit: int = _LABEL_MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_PERIOD_WORDS = {"D": ("day", "daily", "Day", "%{x|%Y-%m-%d}"), "W": ("week", "weekly", "Week starting",
                                                                     "Week of %{x|%Y-%m-%d}"),
                 "M": ("month", "monthly", "Month", "%{x|%B %Y}")}


def nice_count_step(largest: float, *, ticks: int = 4) -> float:
    """A round tick step (1, 2 or 5 × 10^k, at least 1) that splits 0..``largest`` into about ``ticks`` parts.

    >>> nice_count_step(346), nice_count_step(8), nice_count_step(12_000)
    (100.0, 2.0, 5000.0)
    """
    raw = max(float(largest), 1.0) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return max(1.0, float(next(m * power for m in (1, 2, 5, 10) if m * power >= raw)))  # counts: whole steps


def satisfaction_trend_figure(
    trend_frame: pd.DataFrame, *, freq: Literal["D", "W", "M"], scale: tuple[float, float]
) -> go.Figure:
    """Plot mean rating (line) over interaction volume (bars) per period.

    Parameters
    ----------
    trend_frame : DataFrame
        Output of :func:`analytics.insights.kpis.trend` (``period``, ``interactions``, ``rated``,
        ``mean_rating_raw``, ``pct_negative`` and optionally ``partial``).
    freq : {"D", "W", "M"}
        The frequency ``trend_frame`` was built with (labels only).
    scale : (float, float)
        Rating scale; the rating axis spans it.

    Returns
    -------
    go.Figure
        Trace 0: bars of interactions on the secondary (right) axis, partial periods paler; trace
        1: mean rating line on the primary axis, range = ``scale``, over whole periods only (a
        gap where a period has no rating); trace 2, when some period is partial: its mean rating
        as a hollow marker, so that a half-covered first or last period is not read as a dip.
    """
    if freq not in _PERIOD_WORDS:
        raise ValueError(f"freq={freq!r} should be 'D' (daily), 'W' (weekly) or 'M' (monthly).")
    if trend_frame.empty or int(trend_frame["interactions"].sum()) == 0:
        return empty_figure("No dated interactions to plot: map a date column or widen the filters.",
                            title="Satisfaction trend")
    low, high = float(scale[0]), float(scale[1])
    unit_word, adverb, axis_title, when = _PERIOD_WORDS[freq]
    periods = pd.to_datetime(trend_frame["period"]).tolist()
    counts = trend_frame["interactions"].to_numpy(dtype=np.int64)
    rated = trend_frame["rated"].to_numpy(dtype=np.int64) if "rated" in trend_frame else counts
    pct_neg = trend_frame["pct_negative"].to_numpy(dtype=float)
    partial = (trend_frame["partial"].to_numpy(dtype=bool) if "partial" in trend_frame
               else np.zeros(len(trend_frame), dtype=bool))
    means = trend_frame["mean_rating_raw"].to_numpy(dtype=float)
    hover = (f"<b>{when}</b><br>Mean rating: %{{y:.2f}} / {high:g}"
             "<br>Rated: %{customdata[0]:,}<br>% negative: %{customdata[1]:.1f}%<extra></extra>")

    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(x=periods, y=counts, name="Interactions", marker_color=VOLUME_COLOR,
               marker_opacity=np.where(partial, 0.15, 0.35).tolist(),
               hovertemplate=f"<b>{when}</b><br>Interactions: %{{y:,}}<extra></extra>"),
        secondary_y=True,
    )
    fig.add_trace(
        go.Scatter(
            x=periods, y=np.where(partial, np.nan, means), name="Mean rating",
            mode="lines+markers", connectgaps=False, cliponaxis=False,
            line={"color": INK_COLOR, "width": 2}, marker={"size": 6},
            customdata=np.column_stack([rated, pct_neg]), hovertemplate=hover,
        ),
        secondary_y=False,
    )
    if partial.any():
        fig.add_trace(
            go.Scatter(
                x=[p for p, part in zip(periods, partial) if part], y=means[partial],
                name=f"Partial {unit_word} (the data covers part of it)", mode="markers", cliponaxis=False,
                marker={"size": 8, "color": "white", "line": {"color": INK_COLOR, "width": 1.5}},
                customdata=np.column_stack([rated[partial], pct_neg[partial]]),
                hovertemplate=hover.replace("<extra></extra>", "<br>Partial period<extra></extra>"),
            ),
            secondary_y=False,
        )
    fig.update_yaxes(title_text=f"Mean rating ({_scale_text(scale)})", range=[low, high],
                     secondary_y=False)
    largest = float(counts.max())
    count_axis = ({"tickmode": "linear", "tick0": 0, "dtick": nice_count_step(largest), "tickformat": ",d"}
                  if largest > 10 else _count_ticks(largest))
    fig.update_yaxes(title_text="Interactions", rangemode="tozero", showgrid=False, secondary_y=True, **count_axis)
    fig.update_xaxes(title_text=axis_title)
    fig.update_layout(legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0.0})
    subtitle = (f"Line: mean rating per {unit_word} on the {_scale_text(scale)} scale "
                f"(n = {int(rated.sum()):,} rated); bars: interactions (n = {int(counts.sum()):,})"
                + (f"; hollow: partial {unit_word}s" if partial.any() else ""))
    return apply_layout(fig, title=f"Satisfaction trend, {adverb}", subtitle=subtitle)


def _sentiment_color(value: float, scale: tuple[float, float]) -> str:
    label = sentiment_from_rating(pd.Series([(value - scale[0]) / (scale[1] - scale[0])])).iloc[0]
    return SENTIMENT_COLORS[label]


def rating_distribution_figure(dist_frame: pd.DataFrame, *, scale: tuple[float, float]) -> go.Figure:
    """Plot how many interactions got each rating, coloured by the sentiment it implies.

    Parameters
    ----------
    dist_frame : DataFrame
        Output of :func:`analytics.kpis.rating_distribution` (``rating_raw``, ``count``, ``share``).
    scale : (float, float)
        Rating scale; the x axis spans it and colours follow the sentiment thresholds.

    Returns
    -------
    go.Figure
        One bar trace: x = rating, y = count, red / grey / green for negative / neutral / positive.
    """
    if dist_frame.empty or int(dist_frame["count"].sum()) == 0:
        return empty_figure("No ratings to plot: map a rating column or widen the filters.",
                            title="Rating distribution")
    low, high = float(scale[0]), float(scale[1])
    values = dist_frame["rating_raw"].to_numpy(dtype=float)
    counts = dist_frame["count"].to_numpy(dtype=np.int64)
    shares = dist_frame["share"].to_numpy(dtype=float) * 100.0
    classes = [_sentiment_color(v, (low, high)) for v in values]
    class_names = {NEGATIVE_COLOR: "negative", NEUTRAL_COLOR: "neutral", POSITIVE_COLOR: "positive"}
    fig = go.Figure(
        go.Bar(
            x=values, y=counts, name="Interactions", marker_color=classes,
            text=[f"{s:.0f}%" for s in shares], textposition="outside", cliponaxis=False,
            customdata=_columns([f"{s:.1f}%" for s in shares], [class_names[c] for c in classes]),
            hovertemplate=("Rating %{x:g}<br>Interactions: %{y:,}<br>Share: %{customdata[0]}"
                           "<br>Counts as %{customdata[1]}<extra></extra>"),
        )
    )
    integer_steps = bool(np.all(np.isclose(values, np.round(values)))) and high - low <= 20
    pad = 0.5 if integer_steps else (high - low) * 0.05
    fig.update_xaxes(title_text=f"Rating ({_scale_text(scale)} scale)", range=[low - pad, high + pad],
                     dtick=1 if integer_steps else None)
    fig.update_yaxes(title_text="Interactions", rangemode="tozero", **_count_ticks(float(counts.max())))
    neg_cut = low + NEGATIVE_BELOW * (high - low)
    pos_cut = low + POSITIVE_ABOVE * (high - low)
    subtitle = (f"n = {int(counts.sum()):,} rated interactions · red: negative (< {neg_cut:g}), "
                f"grey: neutral, green: positive (> {pos_cut:g})")
    fig.update_layout(showlegend=False)
    return apply_layout(fig, title="Rating distribution", subtitle=subtitle)


def breakdown_figure(
    breakdown_frame: pd.DataFrame, *, by: str, scale: tuple[float, float], max_groups: int = 40
) -> go.Figure:
    """Plot interactions per group as horizontal bars coloured by mean rating.

    Parameters
    ----------
    breakdown_frame : DataFrame
        Output of :func:`analytics.kpis.breakdown` (``group``, ``interactions``, ``rated``,
        ``mean_rating``, ``pct_negative``).
    by : str
        The column it was grouped by (labels only).
    scale : (float, float)
        Rating scale; bar colour runs from red (low) to green (high), grey without ratings.
    max_groups : int, default 40
        Largest groups shown; the subtitle says how many were left out.

    Returns
    -------
    go.Figure
        One horizontal bar trace, the largest group on top, each bar labelled with its mean
        rating and % negative; the height grows with the number of groups. Groups are HTML-escaped
        (a clicked bar's ``y`` is the escaped name: ``html.unescape`` gives the group back).
    """
    if max_groups < 1:
        raise ValueError(f"max_groups={max_groups} should be >= 1.")
    label = _DIMENSION_LABELS.get(by, by.replace("_", " ").capitalize())
    if breakdown_frame.empty:
        return empty_figure(f"No interactions to break down by {label.lower()}.",
                            title=f"Interactions by {label.lower()}")
    low, high = float(scale[0]), float(scale[1])
    ordered = breakdown_frame.sort_values("interactions", ascending=False, kind="stable")
    shown = ordered.head(max_groups)
    groups = [escape(g) for g in shown["group"].tolist()]  # plotly renders category labels as HTML
    counts = shown["interactions"].to_numpy(dtype=np.int64)
    means = shown["mean_rating"].to_numpy(dtype=float)
    pct_neg = shown["pct_negative"].to_numpy(dtype=float)
    rated = shown["rated"].to_numpy(dtype=np.int64) if "rated" in shown else counts

    colors, texts = [], []
    for mean, neg in zip(means, pct_neg):
        if math.isnan(mean):
            colors.append(NO_DATA_COLOR)
            texts.append("no rating")
            continue
        norm = min(max((mean - low) / (high - low), 0.0), 1.0)
        colors.append(sample_colorscale(DIVERGING_COLORSCALE, [norm])[0])
        texts.append(f"{mean:.2f} · {neg:.0f}% neg")
    fig = go.Figure(
        go.Bar(
            y=groups, x=counts, orientation="h", name="Interactions", marker_color=colors,
            text=texts, textposition="outside", cliponaxis=False,
            customdata=_columns(
                groups,
                ["no rating" if math.isnan(m) else f"{m:.2f} / {high:g}" for m in means],
                ["–" if math.isnan(p) else f"{p:.1f}%" for p in pct_neg],
                [f"{r:,}" for r in rated],
            ),
            hovertemplate=("<b>%{customdata[0]}</b><br>Interactions: %{x:,}"
                           "<br>Mean rating: %{customdata[1]} (n = %{customdata[3]} rated)"
                           "<br>% negative: %{customdata[2]}<extra></extra>"),
        )
    )
    fig.update_yaxes(title_text=label, autorange="reversed", tickmode="array", tickvals=groups,
                     ticktext=[escape(_short(str(g))) for g in shown["group"]], automargin=True)
    fig.update_xaxes(title_text="Interactions", range=[0, float(counts.max()) * 1.3 or 1.0],
                     **_count_ticks(float(counts.max())))
    left_out = len(ordered) - len(shown)
    scope = f"top {len(shown)} of {len(ordered)} groups" if left_out else f"{len(shown)} groups"
    subtitle = (f"Bar: interactions; colour and label: mean rating on the {_scale_text(scale)} scale "
                f"(red low, green high, grey none)<br>% negative from ratings · {scope}, "
                f"n = {int(ordered['interactions'].sum()):,}")
    fig.update_layout(showlegend=False)
    return apply_layout(fig, title=f"Interactions and mean rating by {label.lower()}", subtitle=subtitle,
                   height=max(360, 24 * len(shown) + 170))
