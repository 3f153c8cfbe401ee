"""Topic figures: volume × sentiment bubbles and topic trends (pure: tables in, ``go.Figure`` out)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.figures.style import GUIDE_COLOR, NO_DATA_COLOR, TEMPLATE, VOLUME_COLOR, escape

# Neighbouring bubbles put their labels on different sides, so that close topics stay readable.
_LABEL_SPOTS = ("top center", "bottom center", "middle right", "middle left")


def _label_spots(volumes: np.ndarray, largest: float) -> list[str]:
    """A label position per bubble: neighbours alternate sides, and no label points off the nearer edge."""
    spots = []
    for i, volume in enumerate(volumes):
        spot = _LABEL_SPOTS[i % len(_LABEL_SPOTS)]
        if spot == "middle right" and volume > 0.6 * largest:
            spot = "middle left"
        elif spot == "middle left" and volume < 0.4 * largest:
            spot = "middle right"
        spots.append(spot)
    return spots


def _net_range(summary: pd.DataFrame) -> list[float]:
    """The net-sentiment axis around the topics (they often sit within 20 points), zero always in view."""
    values = summary["net_sentiment"].dropna().tolist() + [0.0]
    low, high = min(values), max(values)
    pad = max(10.0, 0.25 * (high - low))
    return [max(-110.0, low - pad), min(110.0, high + pad)]


def topic_volume_sentiment_figure(summary: pd.DataFrame, *, title: str = "Volume × sentiment per topic",
                                  subtitle: str = "") -> go.Figure:
    """Bubbles: volume on x, net sentiment on y, bubble area ∝ volume, one colour (each measure drawn once).

    Topics without any scored interaction have no net sentiment and are drawn at 0 in grey. Labels
    alternate above and below their bubbles, and the axes leave room, so that none is cut at an edge.
    """
    fig = go.Figure()
    largest = max(float(summary["volume"].max()), 1.0) if len(summary) else 1.0
    scored = summary["net_sentiment"].notna()
    names = [escape(t) for t in summary["topic"]]
    size_ref = 2.0 * max(float(summary["volume"].max()), 1.0) / 45 ** 2 if len(summary) else 1.0
    for mask, colored in ((scored, True), (~scored, False)):
        part = summary[mask]
        if part.empty and not colored:
            continue
        fig.add_scatter(
            x=part["volume"], y=part["net_sentiment"].fillna(0.0), mode="markers+text", cliponaxis=False,
            text=[n for n, m in zip(names, mask) if m],
            textposition=_label_spots(part["volume"].to_numpy(dtype=float), largest),
            name="topics" if colored else "no sentiment",
            marker=dict(size=part["volume"], sizemode="area", sizeref=size_ref, sizemin=6,
                        color=VOLUME_COLOR if colored else NO_DATA_COLOR, opacity=0.75,
                        line=dict(width=1, color="white")),
            customdata=np.column_stack([part["share"] * 100, part["pct_negative"], part["pct_positive"]]),
            hovertemplate="<b>%{text}</b><br>volume %{x:,} (%{customdata[0]:.1f}%)<br>net sentiment %{y:+.1f}"
                          "<br>negative %{customdata[1]:.1f}% · positive %{customdata[2]:.1f}%<extra></extra>",
        )
    fig.add_hline(y=0, line_width=1, line_dash="dot", line_color=GUIDE_COLOR)
    fig.update_layout(title={"text": title, "subtitle": {"text": escape(subtitle)}, "x": 0.0},
                      xaxis=dict(title="Interactions", range=[-0.15 * largest, 1.25 * largest]),
                      yaxis=dict(title="Net sentiment (% positive − % negative)", range=_net_range(summary)),
                      height=460, template=TEMPLATE, showlegend=False, margin={"t": 90, "l": 60, "r": 40})
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
    fig.update_layout(title={"text": f"Topic volume ({ {'D': 'daily', 'W': 'weekly'}.get(freq, 'monthly') }; "
                                     f"the {len(largest)} largest topics)", "x": 0.0},
                      xaxis_title="Period starting", yaxis_title="Interactions", height=380,
                      template=TEMPLATE, legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0.0),
                      margin={"t": 90})
    return fig
