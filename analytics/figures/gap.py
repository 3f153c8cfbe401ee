"""Charts of the Expectation gap page: expected vs experienced, heatmap, trend, importance–performance, Kano, impact.

Every gap is on the 0–1 scale in the tables; ``span`` (the rating scale's high − low) draws it in the
rating's own units, so a 1–5 dataset reads in stars. Groups below the minimum n are drawn grey and
labelled "not enough data"; the method under each title says where the expectation came from.
"""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics.figures.style import (
    AWAY_COLOR,
    DIVERGING_COLORSCALE,
    GUIDE_COLOR,
    INK_COLOR,
    NEGATIVE_COLOR,
    NEUTRAL_COLOR,
    NO_DATA_COLOR,
    POSITIVE_COLOR,
    TOWARDS_COLOR,
    VOLUME_COLOR,
    apply_layout,
    empty_figure,
    escape,
)

NOT_ENOUGH = "not enough data"
SUBTITLE_CHARS = 150  # a subtitle line in characters, about the width of a full-width chart
KANO_COLORS = {"must-be": NEGATIVE_COLOR, "one-dimensional": VOLUME_COLOR, "attractive": POSITIVE_COLOR,
               "indifferent": NEUTRAL_COLOR, NOT_ENOUGH: NO_DATA_COLOR}
QUADRANT_COLORS = {"Concentrate here": NEGATIVE_COLOR, "Keep up the good work": POSITIVE_COLOR,
                   "Low priority": NEUTRAL_COLOR, "Possible overkill": AWAY_COLOR, NOT_ENOUGH: NO_DATA_COLOR}


def _layout(fig: go.Figure, *, title: str, subtitle: str, height: int) -> go.Figure:
    """The shared layout, the subtitle wrapped: methods are sentences, and plotly does not wrap them."""
    lines = textwrap.wrap(subtitle, SUBTITLE_CHARS) or [""]
    fig = apply_layout(fig, title=title, subtitle="<br>".join(lines), height=height + 16 * (len(lines) - 1))
    return fig.update_layout(margin_t=100 + 16 * (len(lines) - 1))


def _bars(values: pd.Series, low: pd.Series, high: pd.Series, span: float) -> tuple[np.ndarray, dict]:
    """Values in display units and their asymmetric error bars."""
    v = values.to_numpy(dtype=float) * span
    return v, {"type": "data", "array": high.to_numpy(dtype=float) * span - v,
               "arrayminus": v - low.to_numpy(dtype=float) * span, "thickness": 1.5, "width": 4}


def gap_bars_figure(table: pd.DataFrame, *, span: float = 1.0, low: float = 0.0, unit: str = "",
                    by_label: str = "group", method: str = "", top: int = 15) -> go.Figure:
    """Expected vs experienced per group (left, as levels on the rating's scale from ``low``) and the gap with its
    interval (right), most negative on top."""
    if table is None or table.empty:
        return empty_figure("No group has both an expectation and an experience.", title="Expected vs experienced")
    shown = table.head(top).iloc[::-1]
    labels = [escape(g) + ("" if ok else f" ({NOT_ENOUGH})") for g, ok in zip(shown["group"], shown["enough"])]
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.03, column_widths=[0.55, 0.45],
                        subplot_titles=("Expected and experienced", "Gap = experienced − expected"))
    fig.add_trace(go.Bar(y=labels, x=low + shown["expected"] * span, orientation="h", name="Expected",
                         marker_color=NEUTRAL_COLOR, hovertemplate=f"%{{y}}: expected %{{x:.2f}} {unit}<extra></extra>"),
                  row=1, col=1)
    experienced, errors = _bars(shown["experienced"], shown["experienced_low"], shown["experienced_high"], span)
    fig.add_trace(go.Bar(y=labels, x=low + experienced, orientation="h", name="Experienced (SERVPERF)",
                         marker_color=TOWARDS_COLOR, error_x=errors,
                         hovertemplate=f"%{{y}}: experienced %{{x:.2f}} {unit}<extra></extra>"), row=1, col=1)
    gap, gap_errors = _bars(shown["gap"], shown["ci_low"], shown["ci_high"], span)
    colors = np.where(~shown["enough"].to_numpy(dtype=bool), NO_DATA_COLOR,
                      np.where(gap < 0, NEGATIVE_COLOR, POSITIVE_COLOR))
    fig.add_trace(go.Scatter(y=labels, x=gap, mode="markers", name="Gap", marker={"size": 10, "color": colors},
                             error_x={**gap_errors, "color": GUIDE_COLOR},
                             customdata=np.c_[shown["n"], shown["ci_low"] * span, shown["ci_high"] * span],
                             hovertemplate=f"%{{y}}: gap %{{x:+.2f}} {unit} [%{{customdata[1]:+.2f}}, "
                                           f"%{{customdata[2]:+.2f}}], n = %{{customdata[0]:,}}<extra></extra>"),
                  row=1, col=2)
    fig.add_vline(x=0, line_color=GUIDE_COLOR, line_dash="dot", row=1, col=2)
    fig.update_xaxes(range=[low, low + span], row=1, col=1)
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.08})
    level = f"{table.attrs.get('level', 0.95):.0%}"
    return _layout(fig, title=f"Expectation gap by {escape(by_label)}",
                        height=max(380, 60 + 28 * len(shown)),
                        subtitle=f"{escape(method)} · {level} bootstrap intervals · {unit or '0–1 scale'} · "
                                 f"grey: fewer than {table.attrs.get('min_n', 30)} interactions")


def gap_heatmap_figure(cells: pd.DataFrame, *, span: float = 1.0, unit: str = "", rows_label: str = "",
                       columns_label: str = "", method: str = "") -> go.Figure:
    """Gap per (row, column) cell, red below zero, green above; thin cells blank with "not enough data"."""
    if cells is None or cells.empty:
        return empty_figure("No cell has both an expectation and an experience.", title="Gap heatmap")
    gap = cells.assign(shown=np.where(cells["enough"], cells["gap"] * span, np.nan))
    z = gap.pivot(index="row", columns="column", values="shown")
    n = gap.pivot(index="row", columns="column", values="n").reindex_like(z)
    text = np.where(np.isnan(z.to_numpy(dtype=float)),
                    np.where(n.fillna(0).to_numpy() > 0, NOT_ENOUGH, ""),
                    np.vectorize(lambda v: f"{v:+.2f}")(np.nan_to_num(z.to_numpy(dtype=float))))
    limit = float(np.nanmax(np.abs(z.to_numpy(dtype=float)))) if np.isfinite(z.to_numpy(dtype=float)).any() else 1.0
    fig = go.Figure(go.Heatmap(
        z=z.to_numpy(dtype=float), x=[escape(c) for c in z.columns], y=[escape(r) for r in z.index], text=text,
        texttemplate="%{text}", colorscale=DIVERGING_COLORSCALE, zmid=0, zmin=-limit, zmax=limit,
        customdata=n.fillna(0).to_numpy(), hoverongaps=False, colorbar={"title": unit or "gap"},
        hovertemplate="%{y} × %{x}: gap %{z:+.2f}, n = %{customdata:,}<extra></extra>"))
    fig.update_layout(plot_bgcolor=NO_DATA_COLOR)
    return _layout(fig, title=f"Gap by {escape(rows_label)} × {escape(columns_label)}",
                        height=max(360, 120 + 30 * len(z.index)),
                        subtitle=f"{escape(method)} · grey: fewer than the minimum n")


def gap_trend_figure(trend: pd.DataFrame, *, span: float = 1.0, low: float = 0.0, unit: str = "",
                     method: str = "") -> go.Figure:
    """The gap per period with its interval band, and experience alone beside it."""
    if trend is None or trend.empty:
        return empty_figure("No dated interaction has both an expectation and an experience.", title="Gap over time")
    enough = trend[trend["enough"]]
    if enough.empty:
        return empty_figure(f"No period has {trend.attrs.get('min_n', 'the minimum')} or more interactions with both "
                            "an expectation and an experience: lower the minimum n.", title="Gap over time")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=list(enough["period"]) + list(enough["period"][::-1]),
                             y=list(enough["ci_high"] * span) + list(enough["ci_low"][::-1] * span),
                             fill="toself", fillcolor="rgba(215,48,31,0.15)", line={"width": 0}, hoverinfo="skip",
                             name="interval"), secondary_y=False)
    fig.add_trace(go.Scatter(x=enough["period"], y=enough["gap"] * span, mode="lines+markers", name="Gap",
                             line={"color": NEGATIVE_COLOR}, customdata=enough["n"],
                             hovertemplate=f"%{{x|%b %Y}}: gap %{{y:+.2f}} {unit}, n = %{{customdata:,}}"
                                           "<extra></extra>"), secondary_y=False)
    fig.add_trace(go.Scatter(x=enough["period"], y=low + enough["experienced"] * span, mode="lines",
                             name="Experienced (SERVPERF)", line={"color": TOWARDS_COLOR, "dash": "dot"},
                             hovertemplate=f"%{{x|%b %Y}}: experienced %{{y:.2f}} {unit}<extra></extra>"),
                  secondary_y=True)
    fig.add_hline(y=0, line_color=GUIDE_COLOR, line_dash="dot")
    fig.update_yaxes(title_text=f"gap ({unit})" if unit else "gap", secondary_y=False)
    fig.update_yaxes(title_text="experienced", secondary_y=True, showgrid=False)
    thin = int((~trend["enough"]).sum())
    return _layout(fig, title="Gap over time", height=380,
                        subtitle=" · ".join(part for part in (escape(method), f"{thin} periods below the minimum n "
                                                              "left out" if thin else "") if part))


def importance_performance_figure(table: pd.DataFrame, *, span: float = 1.0, low: float = 0.0, unit: str = ""
                                  ) -> go.Figure:
    """Importance (x) against performance (y), the four quadrants named at their corners."""
    if table is None or table.empty or not table["enough"].any():
        return empty_figure("No dimension is mentioned often enough for an importance–performance matrix.",
                            title="Importance–performance")
    shown = table[table["enough"]]
    fig = go.Figure()
    for quadrant, part in shown.groupby("quadrant", sort=False):
        fig.add_trace(go.Scatter(
            x=part["importance"], y=low + part["performance"] * span, mode="markers+text", name=escape(quadrant),
            text=[escape(d) for d in part["dimension"]], textposition="top center",
            marker={"size": 9 + 20 * np.sqrt(part["n"] / shown["n"].max()),
                    "color": QUADRANT_COLORS.get(quadrant, INK_COLOR)},
            customdata=part["n"], hovertemplate="%{text}: importance %{x:.2f}, performance %{y:.2f}, "
                                                "n = %{customdata:,}<extra></extra>"))
    x_cut, y_cut = table.attrs.get("importance_cut"), table.attrs.get("performance_cut")
    if x_cut is not None and y_cut is not None:
        fig.add_vline(x=x_cut, line_color=GUIDE_COLOR, line_dash="dot")
        fig.add_hline(y=low + y_cut * span, line_color=GUIDE_COLOR, line_dash="dot")
        corners = {"Concentrate here": (1, 0), "Keep up the good work": (1, 1), "Low priority": (0, 0),
                   "Possible overkill": (0, 1)}
        for name, (right, top) in corners.items():
            fig.add_annotation(text=f"<b>{name}</b>", xref="paper", yref="paper", x=right, y=top,
                               xanchor="right" if right else "left", yanchor="top" if top else "bottom",
                               showarrow=False, font={"color": QUADRANT_COLORS[name]})
    fig.update_xaxes(title_text="importance")
    fig.update_yaxes(title_text="performance: mean rating when mentioned" + (f" ({unit})" if unit else ""))
    return _layout(fig, title="Importance–performance matrix", height=480,
                        subtitle=f"importance = {escape(table.attrs.get('method', ''))}; performance = "
                                 f"{escape(table.attrs.get('performance_label', 'mean rating'))}; lines at the means")


def kano_figure(table: pd.DataFrame, *, span: float = 1.0, unit: str = "") -> go.Figure:
    """Reward when praised (x) against penalty when criticised (y), coloured by Kano class, with intervals."""
    if table is None or table.empty or not table["enough"].any():
        return empty_figure("No topic is mentioned often enough to class it.", title="Kano classes from text")
    shown = table[table["enough"] & (table["reward"].notna() | table["penalty"].notna())]
    if shown.empty:
        return empty_figure("No topic is mentioned both positively and negatively often enough to class it.",
                            title="Kano classes from text")
    fig = go.Figure()
    for kano_class, part in shown.groupby("kano_class", sort=False):
        reward, reward_err = _bars(part["reward"], part["reward_low"], part["reward_high"], span)
        penalty, penalty_err = _bars(part["penalty"], part["penalty_low"], part["penalty_high"], span)
        fig.add_trace(go.Scatter(
            x=reward, y=penalty, mode="markers+text", name=escape(kano_class), text=[escape(t) for t in part["topic"]],
            textposition="top center", error_x={**reward_err, "color": GUIDE_COLOR},
            error_y={**penalty_err, "color": GUIDE_COLOR},
            marker={"size": 12, "color": KANO_COLORS.get(kano_class, INK_COLOR)},
            hovertemplate=f"%{{text}}: reward %{{x:+.2f}}, penalty %{{y:+.2f}} {unit}<extra></extra>"))
    highs = np.r_[shown["reward_high"], shown["penalty_high"]].astype(float)
    top = float(np.nanmax(highs) * span) if np.isfinite(highs).any() else 1.0
    fig.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", line={"color": GUIDE_COLOR, "dash": "dot"},
                             hoverinfo="skip", showlegend=False))
    fig.update_xaxes(title_text=f"reward: rating rise when praised ({unit or '0–1'})")
    fig.update_yaxes(title_text=f"penalty: rating fall when criticised ({unit or '0–1'})")
    return _layout(fig, title="Kano classes from text (penalty–reward)", height=480,
                        subtitle=escape(table.attrs.get("method", "")))


def kano_questionnaire_figure(table: pd.DataFrame) -> go.Figure:
    """Better (x) against |Worse| (y) per feature of a Kano questionnaire."""
    if table is None or table.empty:
        return empty_figure("No feature could be scored.", title="Kano questionnaire")
    fig = go.Figure(go.Scatter(
        x=table["better"], y=-table["worse"], mode="markers+text", text=[escape(f) for f in table["feature"]],
        textposition="top center", customdata=table["kano_class"],
        marker={"size": 12, "color": VOLUME_COLOR},
        hovertemplate="%{text}: Better %{x:.2f}, Worse −%{y:.2f}, class %{customdata}<extra></extra>"))
    fig.add_vline(x=0.5, line_color=GUIDE_COLOR, line_dash="dot")
    fig.add_hline(y=0.5, line_color=GUIDE_COLOR, line_dash="dot")
    fig.update_xaxes(title_text="Better = (A + O) / (A + O + M + I)", range=[0, 1])
    fig.update_yaxes(title_text="|Worse| = (O + M) / (A + O + M + I)", range=[0, 1])
    return _layout(fig, title="Kano questionnaire: Better and Worse", height=440,
                        subtitle="Berger et al. evaluation table; top right one-dimensional, bottom right attractive, "
                                 "top left must-be, bottom left indifferent")


def impact_figure(table: pd.DataFrame, *, span: float = 1.0, unit: str = "", metric_label: str = "mean rating"
                  ) -> go.Figure:
    """Change of the overall metric if a topic's negative mentions were resolved, and if the topic were removed."""
    if table is None or table.empty or not table["enough"].any():
        return empty_figure("No topic is mentioned often enough to estimate its impact.", title="Impact")
    shown = table[table["enough"]].iloc[::-1]
    factor = 100.0 if metric_label.startswith("%") else span
    suffix = " pts" if metric_label.startswith("%") else f" {unit}"
    labels = [escape(t) for t in shown["topic"]]
    fig = go.Figure()
    for kind, color, name in (("resolve", POSITIVE_COLOR, "negative mentions resolved"),
                              ("remove", VOLUME_COLOR, "every mention removed")):
        values, errors = _bars(shown[f"{kind}_delta"], shown[f"{kind}_low"], shown[f"{kind}_high"], factor)
        fig.add_trace(go.Bar(y=labels, x=values, orientation="h", name=name, marker_color=color, error_x=errors,
                             hovertemplate=f"%{{y}}: %{{x:+.3f}}{suffix}<extra></extra>"))
    fig.add_vline(x=0, line_color=GUIDE_COLOR)
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.12})
    fig.update_xaxes(title_text=f"change of the overall {escape(metric_label)} ({suffix.strip() or 'points'})")
    return _layout(fig, title="Impact: what fixing a topic would change", height=max(360, 80 + 40 * len(shown)),
                        subtitle="bootstrap intervals; formulas below the chart")


def cue_figure(summary: pd.DataFrame, *, by_label: str = "group", top: int = 15) -> go.Figure:
    """Share of interactions with a missed and a met expectation cue, per group."""
    if summary is None or summary.empty or not summary["rows_with_cue"].sum():
        return empty_figure("No sentence carries an expectation cue.", title="Expectation cues in text")
    shown = summary.head(top).iloc[::-1]
    labels = [escape(g) + ("" if ok else f" ({NOT_ENOUGH})") for g, ok in zip(shown["group"], shown["enough"])]
    fig = go.Figure()
    for column, color, name in (("missed_share", NEGATIVE_COLOR, "missed"), ("met_share", POSITIVE_COLOR, "met")):
        fig.add_trace(go.Bar(y=labels, x=shown[column] * 100, orientation="h", name=name, marker_color=color,
                             customdata=shown["n"],
                             hovertemplate=f"%{{y}}: %{{x:.1f}} % {name}, n = %{{customdata:,}}<extra></extra>"))
    fig.update_layout(barmode="group", legend={"orientation": "h", "y": -0.1})
    fig.update_xaxes(title_text="% of interactions")
    return _layout(fig, title=f"Expectation cues by {escape(by_label)}", height=max(360, 60 + 30 * len(shown)),
                        subtitle="sentences with an expectation cue, tagged by their own sentiment")
