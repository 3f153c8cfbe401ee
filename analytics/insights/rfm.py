"""Classic RFM scoring: recency, frequency and monetary quintile scores (1–5) and the named RFM groups
analysts know from RFM tools (Champions, Loyal customers, At risk, Can't lose them, Hibernating, …)."""
from __future__ import annotations

import re

import pandas as pd

# The standard segment map on (R score, F score), first match wins. F stands for frequency and
# monetary together in many tools; here the map reads R and F as most RFM tools do.
RFM_GROUPS: tuple[tuple[str, str], ...] = (
    ("Champions", r"5[4-5]"),
    ("Loyal customers", r"[3-4][4-5]"),
    ("Potential loyalists", r"[4-5][2-3]"),
    ("New customers", r"51"),
    ("Promising", r"41"),
    ("Need attention", r"33"),
    ("About to sleep", r"3[1-2]"),
    ("Can't lose them", r"[1-2]5"),
    ("At risk", r"[1-2][3-4]"),
    ("Hibernating", r"[1-2][1-2]"),
)


def quintile_scores(values: pd.Series, *, higher_is_better: bool = True) -> pd.Series:
    """Scores 1–5 by quintile of rank (ties broken by order, so every score is used even on discrete data).

    >>> quintile_scores(pd.Series([10, 20, 30, 40, 50])).tolist()
    [1, 2, 3, 4, 5]
    >>> quintile_scores(pd.Series([10, 20, 30, 40, 50]), higher_is_better=False).tolist()
    [5, 4, 3, 2, 1]
    """
    ranks = values.rank(method="first", ascending=higher_is_better)
    scores = pd.qcut(ranks, 5, labels=False, duplicates="drop") + 1 if len(values) >= 5 else ranks
    return scores.astype(int)


def rfm_group(r: int, f: int) -> str:
    """The named group of an (R, F) pair.

    >>> rfm_group(5, 5), rfm_group(1, 5), rfm_group(1, 1), rfm_group(5, 1)
    ('Champions', "Can't lose them", 'Hibernating', 'New customers')
    """
    key = f"{int(r)}{int(f)}"
    return next(name for name, pattern in RFM_GROUPS if re.fullmatch(pattern, key))


def rfm_scores(features: pd.DataFrame) -> pd.DataFrame:
    """R, F, M scores, the RFM cell ("545") and the named group per customer.

    ``features`` needs ``recency_days``, ``frequency`` and ``monetary_total`` (from
    :func:`analytics.insights.segments.customer_features`).

    Raises
    ------
    ValueError
        A column is missing, or fewer than 5 customers (quintiles need five).
    """
    missing = [c for c in ("recency_days", "frequency", "monetary_total") if c not in features.columns]
    if missing:
        raise ValueError("RFM needs timestamps, customers and amounts: " + ", ".join(missing) + " cannot be computed.")
    data = features[["recency_days", "frequency", "monetary_total"]].dropna()
    if len(data) < 5:
        raise ValueError(f"RFM scores are quintiles and need at least 5 customers; there are {len(data)}.")
    out = pd.DataFrame({
        "recency_days": data["recency_days"], "frequency": data["frequency"], "monetary": data["monetary_total"],
        "R": quintile_scores(data["recency_days"], higher_is_better=False),
        "F": quintile_scores(data["frequency"]),
        "M": quintile_scores(data["monetary_total"]),
    }, index=data.index)
    out["RFM"] = out["R"].astype(str) + out["F"].astype(str) + out["M"].astype(str)
    out["group"] = [rfm_group(r, f) for r, f in zip(out["R"], out["F"], strict=True)]
    return out


def rfm_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Customers, share, revenue share and mean R / F / M per named group, biggest revenue first."""
    total = scores["monetary"].sum()
    grouped = scores.groupby("group")
    summary = pd.DataFrame({
        "customers": grouped.size(),
        "share": grouped.size() / len(scores),
        "revenue": grouped["monetary"].sum(),
        "revenue share": grouped["monetary"].sum() / total if total else 0.0,
        "mean recency (days)": grouped["recency_days"].mean(),
        "mean frequency": grouped["frequency"].mean(),
        "mean monetary": grouped["monetary"].mean(),
    })
    return summary.sort_values("revenue", ascending=False).rename_axis("group").reset_index()
