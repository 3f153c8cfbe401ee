"""Topic figures: volume × sentiment bubbles and topic trends (pure: tables in, ``go.Figure`` out)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.figures.style import DIVERGING_COLORSCALE, GUIDE_COLOR, NO_DATA_COLOR, TEMPLATE, escape


def topic_volume_sentiment_figure(summary: pd.DataFrame, *, title: str = "Volume × sentiment per topic",
                                  subtitle: str = "") -> go.Figure:
    """Bubbles: volume on x, net sentiment on y, bubble area ∝ volume, colour = net sentiment.

    Topics without any scored interaction have no net sentiment and are drawn at 0 in grey.
    """
    fig = go.Figure()
    scored = summary["net_sentiment"].notna()
    names = [escape(t) for t in summary["topic"]]
    size_ref = 2.0 * max(float(summary["volume"].max()), 1.0) / 45 ** 2 if len(summary) else 1.0
    for mask, colored in ((scored, True), (~scored, False)):
        part = summary[mask]
        if part.empty and not colored:
            continue
        fig.add_scatter(
            x=part["volume"], y=part["net_sentiment"].fillna(0.0), mode="markers+text",
            text=[n for n, m in zip(names, mask) if m], textposition="top center",
            name="topics" if colored else "no sentiment",
            marker=dict(size=part["volume"], sizemode="area", sizeref=size_ref, sizemin=6,
                        color=part["net_sentiment"] if colored else NO_DATA_COLOR,
                        colorscale=DIVERGING_COLORSCALE if colored else None, cmid=0 if colored else None,
                        showscale=colored, colorbar=dict(title="Net") if colored else None,
                        line=dict(width=1, color="white")),
            customdata=np.column_stack([part["share"] * 100, part["pct_negative"], part["pct_positive"]]),
            hovertemplate="<b>%{text}</b><br>volume %{x:,} (%{customdata[0]:.1f}%)<br>net sentiment %{y:+.1f}"
                          "<br>negative %{customdata[1]:.1f}% · positive %{customdata[2]:.1f}%<extra></extra>",
        )
    fig.add_hline(y=0, line_width=1, line_dash="dot", line_color=GUIDE_COLOR)
    fig.update_layout(title={"text": title, "subtitle": {"text": escape(subtitle)}, "x": 0.0},
                      xaxis_title="Interactions", yaxis_title="Net sentiment (% positive − % negative)",
                      height=460, template=TEMPLATE, showlegend=False, margin={"t": 90})
    return fig


def topic_trend_figure(trend: pd.DataFrame, *, freq: str = "W", top: int = 8) -> go.Figure:
    """Lines of volume per period for the ``top`` largest topics, net sentiment in the hover."""
    fig = go.Figure()
    largest = trend.groupby("topic")["volume"].sum().sort_values(ascending=False).head(top).index.tolist()
    for topic in largest:
        part = trend[trend["topic"] == topic]
        fig.add_scatter(x=part["period"], y=part["volume"], name=escape(topic), mode="lines+markers",
                        customdata=np.column_stack([part["share"] * 100, part["net_sentiment"]]),
                        hovertemplate=f"{escape(topic)}<br>%{{x|%Y-%m-%d}}: %{{y:,}} interactions "
                                      "(%{customdata[0]:.1f}%)<br>net sentiment %{customdata[1]:+.1f}<extra></extra>")
    fig.update_layout(title={"text": f"Topic volume ({'weekly' if freq == 'W' else 'monthly'}; "
                                     f"the {len(largest)} largest topics)", "x": 0.0},
                      xaxis_title="Period starting", yaxis_title="Interactions", height=380,
                      template=TEMPLATE, legend=dict(orientation="h", y=-0.2))
    return fig
