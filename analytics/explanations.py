"""Figure and table for a word-level explanation of one prediction (see ``models.explain``)."""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

__all__ = [
    "AWAY_COLOR",
    "NEUTRAL_BELOW",
    "TOWARDS_COLOR",
    "explanation_figure",
    "highlighted_words_frame",
]

# Blue/orange rather than green/red: the explained class may well be "negative", and a word
# pushing towards it would look "good" in green.
TOWARDS_COLOR = "#2b6cb0"
AWAY_COLOR = "#dd8452"
# Words that move the probability by less than this are reported as "neutral".
NEUTRAL_BELOW = 0.01


def _safe(text: object) -> str:
    """Escape user text: plotly renders a subset of HTML in labels, legends and hovers."""
    return html.escape(str(text), quote=False)


def _checked(words: Sequence[str], scores: Sequence[float]) -> tuple[list[str], np.ndarray]:
    words = [str(w) for w in words]
    values = np.asarray(scores, dtype=np.float64).reshape(-1)
    if len(words) != len(values):
        raise ValueError(f"Got {len(words)} words but {len(values)} scores; pass one score per word.")
    return words, values


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
    words, values = _checked(words, scores)
    # Stable sort: on equal |score| the earlier word comes first.
    order = np.argsort(-np.abs(values), kind="stable")[:top]
    safe_target = _safe(target)
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
                    [np.array([_safe(words[i]) for i in chosen], dtype=object), chosen + 1]
                ),
                hovertemplate="%{customdata[0]} (word %{customdata[1]})<br>%{x:+.3f}<extra></extra>",
            )
        )
    fig.update_layout(
        title={"text": f"Words behind P({safe_target})", "x": 0.0, "xanchor": "left"},
        template="plotly_white",
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
        ticktext=[_safe(words[i]) for i in order],
        autorange="reversed",
    )
    return fig


def highlighted_words_frame(
    words: Sequence[str], scores: Sequence[float], *, neutral_below: float = NEUTRAL_BELOW
) -> pd.DataFrame:
    """The words in text order with their ``score`` and ``effect``: towards / away / neutral.

    ``effect`` is ``"neutral"`` when ``|score| < neutral_below``, otherwise the sign decides.

    Examples
    --------
    >>> highlighted_words_frame(["great", "app", "sadly"], [0.7, 0.001, -0.2])["effect"].tolist()
    ['towards', 'neutral', 'away']
    """
    words, values = _checked(words, scores)
    effect = np.where(values >= 0, "towards", "away").astype(object)
    effect[np.abs(values) < neutral_below] = "neutral"
    return pd.DataFrame(
        {
            "word": pd.Series(words, dtype="object"),
            "score": values,
            "effect": pd.Series(effect, dtype="object"),
        }
    )
