"""Association-rule figures: a network and a lift matrix of the top rules (pure: rules table in, ``go.Figure`` out)."""
from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.figures.style import (
    GUIDE_COLOR,
    INK_COLOR,
    SEQUENTIAL_COLORSCALE,
    VOLUME_COLOR,
    apply_layout,
    empty_figure,
    escape,
)

NO_RULES = "No rules to draw at these settings: lower min support, min confidence or min lift."
EDGE_WIDTH = (1.0, 8.0)  # px for the weakest and the strongest lift drawn


def _circle(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Nodes on a circle, each connected group together (so most arrows are short chords), in a fixed order."""
    groups = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    order = [node for group in groups for node in group]
    step = 2 * math.pi / max(len(order), 1)
    return {node: (math.cos(math.pi / 2 - i * step), math.sin(math.pi / 2 - i * step)) for i, node in enumerate(order)}


def _rule_hover(row, unit: str) -> str:
    return (f"<b>{escape(row.antecedent)} → {escape(row.consequent)}</b><br>confidence {row.confidence:.2f} · "
            f"lift {row.lift:.1f}<br>support {100 * row.support:.1f} % · {row.n_baskets:,} {unit}")


def _widths(lift: np.ndarray) -> np.ndarray:
    low, high = float(lift.min()), float(lift.max())
    if high - low < 1e-12:
        return np.full(len(lift), sum(EDGE_WIDTH) / 2)
    return EDGE_WIDTH[0] + (lift - low) / (high - low) * (EDGE_WIDTH[1] - EDGE_WIDTH[0])


def rules_network_figure(rules: pd.DataFrame, *, top: int = 30, unit: str = "baskets",
                         title: str = "Rules network", subtitle: str = "") -> go.Figure:
    """The ``top`` rules (in table order) as arrows between their sides, wider for higher lift.

    Nodes are rule sides: one item, or several joined with "; ", so that every rule is one edge. They sit
    on a circle, grouped by connected component, labels outside it (a spring layout piled the nodes of
    separate pairs onto each other); an arrow at each edge's middle points to the consequent and carries
    the rule's numbers in its hover.
    """
    shown = rules.head(top)
    if shown.empty:
        return empty_figure(NO_RULES, title=title)
    graph = nx.Graph()
    graph.add_nodes_from(sorted(set(shown["antecedent"]) | set(shown["consequent"])))
    graph.add_edges_from(zip(shown["antecedent"], shown["consequent"]))
    position = _circle(graph)
    fig = go.Figure()
    widths = _widths(shown["lift"].to_numpy(dtype=float))
    middles, angles = [], []
    for row, width in zip(shown.itertuples(index=False), widths):
        (x0, y0), (x1, y1) = position[row.antecedent], position[row.consequent]
        fig.add_scatter(x=[x0, x1], y=[y0, y1], mode="lines", hoverinfo="skip", showlegend=False,
                        line={"width": float(width), "color": VOLUME_COLOR}, opacity=0.55)
        middles.append(((x0 + x1) / 2, (y0 + y1) / 2))
        angles.append(math.degrees(math.atan2(x1 - x0, y1 - y0)))  # plotly turns markers clockwise from north
    fig.add_scatter(x=[m[0] for m in middles], y=[m[1] for m in middles], mode="markers", name="rules",
                    marker={"symbol": "arrow", "size": 12, "angle": angles, "color": INK_COLOR},
                    hovertext=[_rule_hover(row, unit) for row in shown.itertuples(index=False)],
                    hoverinfo="text", showlegend=False)
    nodes = list(graph.nodes)
    degree = dict(graph.degree)
    fig.add_scatter(x=[position[n][0] for n in nodes], y=[position[n][1] for n in nodes], mode="markers+text",
                    name="items", text=[escape(n) for n in nodes], cliponaxis=False,
                    textposition=["middle right" if position[n][0] >= 0 else "middle left" for n in nodes],
                    marker={"size": 14, "color": "white", "line": {"width": 2, "color": VOLUME_COLOR}},
                    hovertext=[f"<b>{escape(n)}</b><br>in {degree[n]} of the rules shown" for n in nodes],
                    hoverinfo="text", showlegend=False)
    fig.update_xaxes(visible=False, range=[-2.6, 2.6])  # room for the labels left and right of the circle
    fig.update_yaxes(visible=False, range=[-1.15, 1.15])
    return apply_layout(fig, title=title, height=560, subtitle=escape(subtitle) or
                        f"The {len(shown)} strongest rules by lift; wider arrows for higher lift")


def rules_matrix_figure(rules: pd.DataFrame, *, top: int = 30, unit: str = "baskets",
                        title: str = "Lift matrix", subtitle: str = "") -> go.Figure:
    """Antecedents (rows) × consequents (columns) of the ``top`` rules, coloured by lift; blank: no rule."""
    shown = rules.head(top)
    if shown.empty:
        return empty_figure(NO_RULES, title=title)
    rows = list(dict.fromkeys(shown["antecedent"]))  # strongest first
    columns = list(dict.fromkeys(shown["consequent"]))
    lift = np.full((len(rows), len(columns)), np.nan)
    hover = np.full(lift.shape, "", dtype=object)
    for row in shown.itertuples(index=False):
        i, j = rows.index(row.antecedent), columns.index(row.consequent)
        lift[i, j], hover[i, j] = row.lift, _rule_hover(row, unit)
    fig = go.Figure(go.Heatmap(
        z=lift, x=[escape(c) for c in columns], y=[escape(r) for r in rows], text=hover, hoverinfo="text",
        colorscale=SEQUENTIAL_COLORSCALE, colorbar={"title": {"text": "lift"}}, xgap=1, ygap=1, hoverongaps=False))
    fig.update_xaxes(title_text="then also (consequent)", tickangle=-35, showgrid=False)
    fig.update_yaxes(title_text="who have (antecedent)", autorange="reversed", showgrid=False)
    fig.update_layout(plot_bgcolor="white", xaxis_linecolor=GUIDE_COLOR, yaxis_linecolor=GUIDE_COLOR)
    return apply_layout(fig, title=title, height=max(380, 120 + 24 * len(rows)), subtitle=escape(subtitle) or
                        f"The {len(shown)} strongest rules by lift")
