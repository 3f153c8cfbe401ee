"""Model report figures: the confusion matrix of a model's test split."""
from __future__ import annotations

import plotly.graph_objects as go

from analytics.figures.style import SEQUENTIAL_COLORSCALE, TEMPLATE, escape


def confusion_figure(metrics: dict) -> go.Figure:
    """Heatmap of the test-split confusion matrix (rows: true class, columns: predicted)."""
    confusion = metrics.get("confusion") or {"labels": [], "counts": []}
    labels = [escape(label) for label in confusion["labels"]]
    fig = go.Figure(go.Heatmap(z=confusion["counts"], x=labels, y=labels, colorscale=SEQUENTIAL_COLORSCALE,
                               texttemplate="%{z}", hovertemplate="true %{y} · predicted %{x}: %{z}<extra></extra>"))
    fig.update_layout(title=dict(text=f"Confusion matrix · test split, n = {metrics.get('n', 0):,}"),
                      xaxis_title="Predicted", yaxis=dict(title="True", autorange="reversed"),
                      height=max(320, 40 * len(labels) + 160), template=TEMPLATE)
    return fig
