"""Figure for a word-level explanation of one prediction (see ``models.explain``)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from analytics.figures.style import AWAY_COLOR, TEMPLATE, TOWARDS_COLOR, escape
from analytics.insights.explanations import checked_word_scores


def explanation_figure(
    words: Sequence[str],
    scores: Sequence[float],
    *,
    target: str,
    top: int = 15,
) -> go.Figure:
    """Horizontal bars of the ``top`` words by ``|score|``, the largest at the top.

    Each bar is one word at one position (a word used twice gets two bars), coloured by
    whether removing it lowers P(``target``) (the word pushes towards ``target``) or raises
    it. Words are HTML-escaped, so user text is never rendered as markup.

    Parameters
    ----------
    words, scores : sequence
        In text order, as in :class:`models.explain.Explanation`.
    target : str
        The explained class.
    top : int
        How many bars at most (>= 1).

    Examples
    --------
    >>> fig = explanation_figure(["great", "app"], [0.7, -0.1], target="positive")
    >>> [trace.name for trace in fig.data]
    ['pushes towards positive', 'pushes away from positive']
    """
    if top < 1:
        raise ValueError(f"top={top} should be >= 1.")
    words, values = checked_word_scores(words, scores)
    # Stable sort: on equal |score| the earlier word comes first.
    order = np.argsort(-np.abs(values), kind="stable")[:top]
    safe_target = escape(target)
    fig = go.Figure()
    # The y value of a bar is its rank (0 = largest), not the word: equal words must not
    # share a category, and the tick labels carry the (escaped) words.
    ranks = np.arange(len(order))
    for towards, name, color in (
        (True, f"pushes towards {safe_target}", TOWARDS_COLOR),
        (False, f"pushes away from {safe_target}", AWAY_COLOR),
    ):
        keep = (values[order] >= 0) if towards else (values[order] < 0)
        chosen = order[keep]
        fig.add_trace(
            go.Bar(
                x=values[chosen],
                y=ranks[keep],
                orientation="h",
                name=name,
                marker_color=color,
                customdata=np.column_stack(
                    [np.array([escape(words[i]) for i in chosen], dtype=object), chosen + 1]
                ),
                hovertemplate="%{customdata[0]} (word %{customdata[1]})<br>%{x:+.3f}<extra></extra>",
            )
        )
    fig.update_layout(
        title={"text": f"Words behind P({safe_target})", "x": 0.0, "xanchor": "left"},
        template=TEMPLATE,
        height=max(260, 28 * len(order) + 140),
        margin={"t": 60, "l": 10, "r": 10, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0.0},
        barmode="overlay",
        hoverlabel={"align": "left"},
    )
    fig.update_xaxes(title_text=f"Change in P({safe_target}) when the word is removed", zeroline=True)
    fig.update_yaxes(
        tickmode="array",
        tickvals=ranks.tolist(),
        ticktext=[escape(words[i]) for i in order],
        autorange="reversed",
    )
    return fig


