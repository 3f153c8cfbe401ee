"""Canonical columns read safely from any frame: typed, and present even when the dataset lacks them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.schema import NEGATIVE_BELOW


def timestamps(frame: pd.DataFrame) -> pd.Series:
    """The frame's timestamps as datetimes (all NaT when the column is absent or empty).

    >>> timestamps(pd.DataFrame({"rating": [1]})).isna().all()
    np.True_
    """
    if "timestamp" not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame["timestamp"], errors="coerce")


def numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as floats (all NaN when absent).

    >>> numeric(pd.DataFrame({"rating": ["4", "x"]}), "rating").tolist()
    [4.0, nan]
    """
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def labels(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as strings, NaN where missing (all NaN when absent).

    >>> labels(pd.DataFrame({"product": ["a", None, 3]}), "product").tolist()
    ['a', nan, '3']
    """
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=object)
    return frame[column].astype(str).where(frame[column].notna())


def order_ids(frame: pd.DataFrame) -> pd.Series | None:
    """The order ids, or None when the frame has none (then frequency counts interactions)."""
    if "order_id" not in frame.columns or frame["order_id"].notna().sum() == 0:
        return None
    return frame["order_id"]


def negative_flags(frame: pd.DataFrame, sentiment: pd.DataFrame | None) -> pd.Series:
    """Per row: 1 negative, 0 not, NaN unknown (stored sentiment first, else the rating rule)."""
    if sentiment is not None and len(sentiment):
        labels = frame["record_id"].astype(str).map(sentiment.set_index(sentiment["record_id"].astype(str))["label"])
        return labels.map(lambda v: float(v == "negative"), na_action="ignore").astype(float)
    rating = numeric(frame, "rating")
    return (rating < NEGATIVE_BELOW).astype(float).where(rating.notna())


def tag_flags(frame: pd.DataFrame, tags: pd.DataFrame, label: str) -> pd.Series:
    hit = set(tags.loc[tags["label"].astype(str) == label, "record_id"].astype(str))
    tagged = set(tags["record_id"].astype(str))
    ids = frame["record_id"].astype(str)
    return ids.isin(hit).astype(float).where(ids.isin(tagged))


def order_spend(frame: pd.DataFrame, quantity: str | None = None) -> pd.Series:
    """Spend per row such that a sum per customer counts each order once.

    Demo-style data repeats the order total on every row of an order; order-line data has one
    amount per line (times ``quantity`` when the amount is a unit price, as in UCI Online Retail).
    Constant amounts within every order mean the former."""
    amount = numeric(frame, "amount")
    if quantity is not None:
        return amount * numeric(frame, quantity)
    orders = order_ids(frame)
    if orders is None:
        return amount
    known = amount.notna() & orders.notna()
    constant = amount[known].groupby(orders[known]).nunique().le(1).all()
    if not constant:
        return amount
    first = ~pd.DataFrame({"o": orders, "a": amount}).duplicated() | orders.isna()
    return amount.where(first, 0.0)
