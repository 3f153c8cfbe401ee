"""The one look of every Gapsight chart: palette, layout and the escaping of user text."""
from __future__ import annotations

import html

import plotly.graph_objects as go

NEGATIVE_COLOR = "#d7301f"
NEUTRAL_COLOR = "#9e9e9e"
POSITIVE_COLOR = "#1a9850"
AMBER_COLOR = "#f0b429"
VOLUME_COLOR = "#4c78a8"
NO_DATA_COLOR = "#cfcfcf"  # bars or markers without a value (e.g. a group with no ratings)
SENTIMENT_COLORS = {"negative": NEGATIVE_COLOR, "neutral": NEUTRAL_COLOR, "positive": POSITIVE_COLOR}
# Red → amber → green; a pale middle (as in RdYlGn) would vanish on a white background.
DIVERGING_COLORSCALE = [[0.0, NEGATIVE_COLOR], [0.5, AMBER_COLOR], [1.0, POSITIVE_COLOR]]
# Blue/orange rather than green/red where "good" and "bad" do not apply (e.g. a word pushing
# towards the class "negative" would look good in green).
TOWARDS_COLOR = "#2b6cb0"
AWAY_COLOR = "#dd8452"
TEMPLATE = "plotly_white"
MUTED_TEXT_COLOR = "#666"
INK_COLOR = "#222"  # the headline line of a chart (e.g. mean rating over volume bars)
GUIDE_COLOR = "#888"  # reference lines such as zero
SEQUENTIAL_COLORSCALE = "Blues"  # counts with no good or bad (confusion matrices)


def escape(text: object) -> str:
    """User text as plotly shows it literally: plotly renders a subset of HTML in labels and hovers.

    >>> escape("<b>Lamp</b> & co")
    '&lt;b&gt;Lamp&lt;/b&gt; &amp; co'
    """
    return html.escape(str(text), quote=False)


def apply_layout(fig: go.Figure, *, title: str, subtitle: str = "", height: int = 420) -> go.Figure:
    """Shared layout: a left-aligned title with a subtitle stating method and n, room for both."""
    fig.update_layout(
        title={"text": title, "subtitle": {"text": subtitle}, "x": 0.0, "xanchor": "left"},
        height=height,
        margin={"t": 100 if subtitle else 60, "l": 10, "r": 10, "b": 10},
        template=TEMPLATE,
        hoverlabel={"align": "left"},
    )
    return fig


def empty_figure(message: str, *, title: str = "No data") -> go.Figure:
    """Return a blank figure that says why there is nothing to plot.

    Parameters
    ----------
    message : str
        What is missing and, ideally, what to do (e.g. "No dated interactions: map a date column").
    title : str, default "No data"
        Figure title.

    Returns
    -------
    go.Figure
        No traces, hidden axes, the message centred.
    """
    fig = go.Figure()
    fig.add_annotation(text=escape(message), x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, font={"size": 15, "color": MUTED_TEXT_COLOR})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(title={"text": title, "x": 0.0, "xanchor": "left"}, height=300,
                      template=TEMPLATE, margin={"t": 60, "l": 10, "r": 10, "b": 10})
    return fig
