"""Sentiment views over scored interactions: mix, breakdowns, trend and star–text mismatches."""
from __future__ import annotations

import pandas as pd

from analytics.schema import CLASSES, sentiment_from_rating


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


def net_sentiment(mix: pd.DataFrame) -> float:
    """% positive − % negative of a class mix (from :func:`sentiment_mix`), in points.

    Examples
    --------
    >>> mix = pd.DataFrame({"sentiment": ["negative", "neutral", "positive"], "share": [0.2, 0.3, 0.5]})
    >>> round(net_sentiment(mix), 1)
    30.0
    """
    shares = dict(zip(mix["sentiment"], mix["share"]))
    return 100 * (float(shares.get("positive", 0.0)) - float(shares.get("negative", 0.0)))


def sentiment_by(frame: pd.DataFrame, *, by: str, top: int | None = 15) -> pd.DataFrame:
    """Share of each class per group of ``by`` (the ``top`` largest groups; None: all), with n and net sentiment.

    ``attrs["groups"]`` holds how many groups there are in all, so a chart can say "top 15 of 40".
    """
    scored = frame[frame["sentiment"].notna()]
    groups = scored[by].fillna("(none)").astype(str)
    table = pd.crosstab(groups, scored["sentiment"]).reindex(columns=list(CLASSES), fill_value=0)
    table["n"] = table.sum(axis=1)
    groups_in_all = len(table)
    table = table.sort_values("n", ascending=False, kind="stable")
    if top is not None:
        table = table.head(top)
    shares = table[list(CLASSES)].div(table["n"], axis=0)
    out = shares.add_prefix("share_")
    out["n"] = table["n"]
    out["net_sentiment"] = 100 * (shares["positive"] - shares["negative"])
    out = out.reset_index(names=by)
    out.attrs["groups"] = groups_in_all
    return out


def sentiment_trend(frame: pd.DataFrame, *, freq: str = "W") -> pd.DataFrame:
    """Share of each class per day ('D'), week ('W') or month ('M') among scored, dated rows."""
    scored = frame[frame["sentiment"].notna() & frame["timestamp"].notna()]
    if scored.empty:
        return pd.DataFrame(columns=["period", "n", *(f"share_{c}" for c in CLASSES)])
    period = pd.to_datetime(scored["timestamp"]).dt.to_period({"D": "D", "W": "W-SUN"}.get(freq, "M")).dt.start_time
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
    by_rating = sentiment_from_rating(frame["rating"])
    high_negative = by_rating.eq("positive") & (frame["sentiment"] == "negative") & confident
    low_positive = by_rating.eq("negative") & (frame["sentiment"] == "positive") & confident
    out = frame[high_negative | low_positive].copy()
    out["mismatch"] = "high rating, negative text"
    out.loc[low_positive[high_negative | low_positive], "mismatch"] = "low rating, positive text"
    return out.sort_values("confidence", ascending=False)


