"""Charts of the Segments page: choosing k, stability, the 2-D map, segment profiles and RFM groups."""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analytics.figures.style import (
    AWAY_COLOR,
    GUIDE_COLOR,
    INK_COLOR,
    NEGATIVE_COLOR,
    POSITIVE_COLOR,
    TOWARDS_COLOR,
    VOLUME_COLOR,
    apply_layout,
    empty_figure,
    escape,
)
from analytics.insights.segments import STABLE_ARI, KChoice, Projection

# One colour per segment, in segment order (0 = largest); cycles beyond ten.
SEGMENT_COLORS = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d",
                  "#bab0ac", "#eeca3b")


def k_choice_figure(choice: KChoice, chosen: int) -> go.Figure:
    """Silhouette (higher is better) and inertia (the elbow) for each k, the chosen k marked."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=list(choice.ks), y=list(choice.silhouette), name="silhouette", mode="lines+markers",
                             line={"color": INK_COLOR}), secondary_y=False)
    fig.add_trace(go.Scatter(x=list(choice.ks), y=list(choice.inertia), name="inertia (elbow)", mode="lines+markers",
                             line={"color": VOLUME_COLOR, "dash": "dot"}), secondary_y=True)
    fig.add_vline(x=chosen, line={"color": GUIDE_COLOR, "dash": "dash"})
    fig.update_xaxes(title_text="number of segments k", dtick=1)
    fig.update_yaxes(title_text="silhouette", secondary_y=False)
    fig.update_yaxes(title_text="inertia", secondary_y=True, showgrid=False)
    fig.update_layout(legend={"orientation": "h", "y": -0.25})
    return apply_layout(fig, title="Choosing k", subtitle=f"K-means on a sample of {choice.sample_size:,} customers; "
                        f"best silhouette at k = {choice.best_k}, k = {chosen} shown", height=380)


def stability_figure(stability: Sequence[float]) -> go.Figure:
    """Adjusted Rand index of each other seed's solution against the chosen one."""
    if not stability:
        return empty_figure("No stability run.")
    colors = [POSITIVE_COLOR if v >= STABLE_ARI else NEGATIVE_COLOR for v in stability]
    fig = go.Figure(go.Bar(x=[f"seed {i + 1}" for i in range(len(stability))], y=list(stability),
                           marker_color=colors, text=[f"{v:.2f}" for v in stability], textposition="outside",
                           cliponaxis=False))
    fig.add_hline(y=STABLE_ARI, line={"color": GUIDE_COLOR, "dash": "dash"})
    fig.update_yaxes(range=[0, 1.12], title_text="adjusted Rand index")
    return apply_layout(fig, title="Stability across seeds", height=340,
                        subtitle=f"1 = the same segments; below {STABLE_ARI} the segments depend on chance")


def projection_figure(projection: Projection, names: dict[int, str]) -> go.Figure:
    """Customers on the first two principal components, coloured by segment."""
    points = projection.points
    if points.empty:
        return empty_figure("No customer to show.")
    fig = go.Figure()
    for segment in sorted(points["segment"].dropna().unique()):
        part = points[points["segment"] == segment]
        fig.add_trace(go.Scattergl(
            x=part["x"], y=part["y"], mode="markers", name=escape(names.get(int(segment), f"Segment {segment + 1}")),
            marker={"size": 5, "opacity": 0.6, "color": SEGMENT_COLORS[int(segment) % len(SEGMENT_COLORS)]},
            text=[escape(c) for c in part.index], hovertemplate="%{text}<extra>%{fullData.name}</extra>"))
    first, second = projection.explained
    fig.update_xaxes(title_text=f"component 1 ({first:.0%} of variance)", zeroline=False)
    fig.update_yaxes(title_text=f"component 2 ({second:.0%} of variance)", zeroline=False)
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return apply_layout(fig, title="Customers in two dimensions", height=480,
                        subtitle=f"PCA of the scaled features, {len(points):,} customers")


def _wrap(text: str, width: int = 18) -> str:
    """Escaped text broken into lines of about ``width`` characters (segment names under columns)."""
    lines, line = [], ""
    for word in str(text).split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join(escape(part) for part in [*lines, line])


def profile_heatmap(table: pd.DataFrame) -> go.Figure:
    """Feature × segment z-scores: how far each segment's mean lies from the population, in SDs.

    ``table`` is segment × feature. Above and below are not good or bad (a high % negative is bad,
    a high mean rating good), so the colours are blue and orange, not green and red."""
    if table.empty:
        return empty_figure("No segment to profile.")
    values = table.T.clip(-2.5, 2.5)
    fig = go.Figure(go.Heatmap(
        z=values.to_numpy(), x=[_wrap(i) for i in table.index], y=[escape(c) for c in table.columns],
        colorscale=[[0.0, AWAY_COLOR], [0.5, "#f7f7f7"], [1.0, TOWARDS_COLOR]], zmid=0, zmin=-2.5, zmax=2.5,
        text=table.T.round(2).to_numpy(), texttemplate="%{text}", colorbar={"title": "z"},
        hovertemplate="%{x}<br>%{y}: %{text} SD from the population<extra></extra>"))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(automargin=True)
    return apply_layout(fig, title="Segment profiles", height=220 + 38 * len(table.columns),
                        subtitle="Each feature's segment mean against the population, in standard deviations "
                                 "(blue above, orange below)")


def snake_figure(table: pd.DataFrame) -> go.Figure:
    """The snake plot: each segment's standardised feature means as a line, features along the x axis."""
    if table.empty:
        return empty_figure("No segment to compare.")
    fig = go.Figure()
    for number, (name, row) in enumerate(table.iterrows()):
        fig.add_trace(go.Scatter(x=[escape(c) for c in table.columns], y=row.to_numpy(), mode="lines+markers",
                                 name=escape(name), line={"color": SEGMENT_COLORS[number % len(SEGMENT_COLORS)]},
                                 hovertemplate="%{x}: %{y:.2f} SD<extra>%{fullData.name}</extra>"))
    fig.add_hline(y=0, line={"color": GUIDE_COLOR, "dash": "dot"})
    fig.update_yaxes(title_text="SD from the population")
    fig.update_xaxes(tickangle=-25, automargin=True)
    fig.update_layout(legend={"orientation": "h", "y": -0.45})
    return apply_layout(fig, title="Segment centres compared", height=520,
                        subtitle="Standardised feature means per segment (the snake plot); 0 is the population")


def rfm_figure(summary: pd.DataFrame) -> go.Figure:
    """Customers per named RFM group, each bar labelled with the group's share of revenue."""
    if summary.empty:
        return empty_figure("No RFM group.")
    fig = go.Figure(go.Bar(
        y=[escape(g) for g in summary["group"]], x=summary["customers"], orientation="h", marker_color=VOLUME_COLOR,
        text=[f"{c:,} customers · {r:.0%} of revenue" for c, r in zip(summary["customers"], summary["revenue share"],
                                                                     strict=True)],
        textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:,} customers<extra></extra>"))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(title_text="customers", range=[0, summary["customers"].max() * 1.6])
    return apply_layout(fig, title="RFM groups, biggest revenue first", height=140 + 34 * len(summary))
