"""Sentiment figures: class mix, shares per group and over time (pure: tables in, ``go.Figure`` out)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.figures.style import SENTIMENT_COLORS, TEMPLATE, escape
from analytics.schema import CLASSES


def sentiment_mix_figure(mix: pd.DataFrame, *, model_name: str) -> go.Figure:
    """Horizontal stacked bar of the class mix, stating the model and n."""
    fig = go.Figure()
    for row in mix.itertuples():
        fig.add_bar(y=["all"], x=[row.share * 100], name=row.sentiment, orientation="h",
                    marker_color=SENTIMENT_COLORS[row.sentiment], text=f"{row.share:.0%}", textposition="inside",
                    hovertemplate=f"{row.sentiment}: {row.count:,} (%{{x:.1f}}%)<extra></extra>")
    fig.update_layout(barmode="stack", height=170, margin=dict(l=10, r=30, t=50, b=10),
                      template=TEMPLATE,
                      title=dict(text=f"Sentiment mix · {escape(model_name)} · n = {int(mix['count'].sum()):,}"),
                      xaxis=dict(title="% of scored interactions", range=[0, 100]), yaxis=dict(visible=False),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1.0, xanchor="right",
                                  traceorder="normal"))
    return fig


def sentiment_by_figure(table: pd.DataFrame, *, by: str) -> go.Figure:
    """100 % stacked bars of the class shares per group, largest groups on top; the title says how many are shown."""
    fig = go.Figure()
    groups = [escape(g) for g in table[by].astype(str).tolist()]
    for sentiment in CLASSES:
        fig.add_bar(y=groups, x=table[f"share_{sentiment}"] * 100, name=sentiment, orientation="h",
                    marker_color=SENTIMENT_COLORS[sentiment], customdata=table["n"],
                    hovertemplate=f"%{{y}}<br>{sentiment}: %{{x:.1f}}% of %{{customdata:,}}<extra></extra>")
    in_all = int(table.attrs.get("groups", len(table)))
    scope = f"top {len(table)} of {in_all} by volume" if in_all > len(table) else f"all {in_all}"
    label = by.replace("_", " ")
    fig.update_layout(barmode="stack", height=max(260, 28 * len(groups) + 140), template=TEMPLATE,
                      title=dict(text=f"Sentiment by {label} · {scope} · n = {int(table['n'].sum()):,}"),
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0.0, traceorder="normal"),
                      margin=dict(t=90, r=30),  # room for the "100" tick at the right edge
                      xaxis=dict(title="% of scored interactions", range=[0, 100]),
                      yaxis=dict(autorange="reversed", title=label.capitalize(), automargin=True))
    return fig


def sentiment_trend_figure(trend: pd.DataFrame, *, freq: str, source: str | None = None) -> go.Figure:
    """Lines of % negative and % positive per period; ``source`` (the model) is named in the title."""
    fig = go.Figure()
    for sentiment in ("negative", "positive"):
        fig.add_scatter(x=trend["period"], y=trend[f"share_{sentiment}"] * 100, name=f"% {sentiment}",
                        mode="lines+markers", line_color=SENTIMENT_COLORS[sentiment], customdata=trend["n"],
                        hovertemplate=f"%{{x|%Y-%m-%d}}<br>{sentiment}: %{{y:.1f}}% of %{{customdata:,}}<extra></extra>")
    title = f"Text sentiment over time ({ {'D': 'daily', 'W': 'weekly'}.get(freq, 'monthly') })"
    if source:
        title += f" · {escape(source)} · n = {int(trend['n'].sum()):,}"
    fig.update_layout(title=dict(text=title),
                      xaxis_title="Period starting", yaxis_title="% of scored interactions", height=360,
                      template=TEMPLATE)
    return fig
