"""Sentiment views over scored interactions: mix, breakdowns, trend and star–text mismatches."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.ratings import NEGATIVE_BELOW, POSITIVE_ABOVE

CLASSES = ("negative", "neutral", "positive")
COLORS = {"negative": "#d64545", "neutral": "#9aa5b1", "positive": "#2f9e68"}


def attach_sentiment(rows: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    """Rows with ``sentiment`` and ``confidence`` from stored predictions (missing when not scored).

    Examples
    --------
    >>> rows = pd.DataFrame({"record_id": ["a", "b"], "text": ["x", "y"]})
    >>> preds = pd.DataFrame({"record_id": ["b"], "label": ["negative"], "confidence": [0.9]})
    >>> attach_sentiment(rows, preds)["sentiment"].tolist()
    [nan, 'negative']
    """
    keep = ["record_id", "sentiment", "confidence"] + (["source"] if "source" in predictions.columns else [])
    scored = predictions.rename(columns={"label": "sentiment"})[keep]
    return rows.merge(scored, on="record_id", how="left", validate="one_to_one")


def sentiment_mix(frame: pd.DataFrame) -> pd.DataFrame:
    """Count and share of each class among scored rows (all three classes, zero-filled)."""
    counts = frame["sentiment"].value_counts().reindex(list(CLASSES), fill_value=0)
    total = int(counts.sum())
    return pd.DataFrame({"sentiment": list(CLASSES), "count": counts.to_numpy(),
                         "share": counts.to_numpy() / total if total else 0.0})


def sentiment_by(frame: pd.DataFrame, *, by: str, top: int = 15) -> pd.DataFrame:
    """Share of each class per group of ``by`` (the ``top`` largest groups), with n and net sentiment."""
    scored = frame[frame["sentiment"].notna()]
    groups = scored[by].fillna("(none)").astype(str)
    table = pd.crosstab(groups, scored["sentiment"]).reindex(columns=list(CLASSES), fill_value=0)
    table["n"] = table.sum(axis=1)
    table = table.sort_values("n", ascending=False).head(top)
    shares = table[list(CLASSES)].div(table["n"], axis=0)
    out = shares.add_prefix("share_")
    out["n"] = table["n"]
    out["net_sentiment"] = 100 * (shares["positive"] - shares["negative"])
    return out.reset_index(names=by)


def sentiment_trend(frame: pd.DataFrame, *, freq: str = "W") -> pd.DataFrame:
    """Share of each class per week ('W') or month ('M') among scored, dated rows."""
    scored = frame[frame["sentiment"].notna() & frame["timestamp"].notna()]
    if scored.empty:
        return pd.DataFrame(columns=["period", "n", *(f"share_{c}" for c in CLASSES)])
    period = pd.to_datetime(scored["timestamp"]).dt.to_period("W-SUN" if freq == "W" else "M").dt.start_time
    table = pd.crosstab(period, scored["sentiment"]).reindex(columns=list(CLASSES), fill_value=0)
    n = table.sum(axis=1)
    out = table.div(n, axis=0).add_prefix("share_")
    out.insert(0, "n", n)
    return out.reset_index(names="period")


def star_text_mismatches(frame: pd.DataFrame, *, min_confidence: float = 0.6) -> pd.DataFrame:
    """High ratings with confidently negative text, and low ratings with confidently positive text.

    Returns the rows with a ``mismatch`` column ('high rating, negative text' or the reverse),
    most confident first.
    """
    confident = frame["confidence"] >= min_confidence
    high_negative = (frame["rating"] > POSITIVE_ABOVE) & (frame["sentiment"] == "negative") & confident
    low_positive = (frame["rating"] < NEGATIVE_BELOW) & (frame["sentiment"] == "positive") & confident
    out = frame[high_negative | low_positive].copy()
    out["mismatch"] = "high rating, negative text"
    out.loc[low_positive[high_negative | low_positive], "mismatch"] = "low rating, positive text"
    return out.sort_values("confidence", ascending=False)


def sentiment_mix_figure(mix: pd.DataFrame, *, model_name: str) -> go.Figure:
    """Horizontal stacked bar of the class mix, stating the model and n."""
    fig = go.Figure()
    for row in mix.itertuples():
        fig.add_bar(y=["all"], x=[row.share * 100], name=row.sentiment, orientation="h",
                    marker_color=COLORS[row.sentiment], text=f"{row.share:.0%}", textposition="inside",
                    hovertemplate=f"{row.sentiment}: {row.count:,} (%{{x:.1f}}%)<extra></extra>")
    fig.update_layout(barmode="stack", height=170, margin=dict(l=10, r=10, t=50, b=10),
                      title=dict(text=f"Sentiment mix · {model_name} · n = {int(mix['count'].sum()):,}"),
                      xaxis=dict(title="% of scored interactions", range=[0, 100]), yaxis=dict(visible=False),
                      legend=dict(orientation="h", y=-0.4))
    return fig


def sentiment_by_figure(table: pd.DataFrame, *, by: str) -> go.Figure:
    """100 % stacked bars of the class shares per group, largest groups on top."""
    fig = go.Figure()
    groups = table[by].astype(str).tolist()
    for sentiment in CLASSES:
        fig.add_bar(y=groups, x=table[f"share_{sentiment}"] * 100, name=sentiment, orientation="h",
                    marker_color=COLORS[sentiment], customdata=table["n"],
                    hovertemplate=f"%{{y}}<br>{sentiment}: %{{x:.1f}}% of %{{customdata:,}}<extra></extra>")
    fig.update_layout(barmode="stack", height=max(260, 28 * len(groups) + 120),
                      title=dict(text=f"Sentiment by {by}"), legend=dict(orientation="h", y=-0.15),
                      xaxis=dict(title="% of scored interactions", range=[0, 100]),
                      yaxis=dict(autorange="reversed", title=by.capitalize()))
    return fig


def sentiment_trend_figure(trend: pd.DataFrame, *, freq: str) -> go.Figure:
    """Lines of % negative and % positive per period."""
    fig = go.Figure()
    for sentiment in ("negative", "positive"):
        fig.add_scatter(x=trend["period"], y=trend[f"share_{sentiment}"] * 100, name=f"% {sentiment}",
                        mode="lines+markers", line_color=COLORS[sentiment], customdata=trend["n"],
                        hovertemplate=f"%{{x|%Y-%m-%d}}<br>{sentiment}: %{{y:.1f}}% of %{{customdata:,}}<extra></extra>")
    fig.update_layout(title=dict(text=f"Sentiment over time ({'weekly' if freq == 'W' else 'monthly'})"),
                      xaxis_title="Period starting", yaxis_title="% of scored interactions", height=360)
    return fig
