"""From a clicked chart element to the interactions behind it (every number leads to verbatims)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.insights.kpis import NO_GROUP


@dataclass(frozen=True)
class DrillDown:
    """One clicked element: the canonical column it stands for and the value clicked.

    ``field`` is a canonical column (``channel``, ``category``, ``rating_raw``) or ``period``
    for a bar of the weekly/monthly trend, whose ``value`` is the period's first day.
    """

    field: str
    value: object
    freq: str | None = None

    @property
    def label(self) -> str:
        """How the page names the selection, e.g. 'channel = chat' or 'week of 2025-03-03'."""
        if self.field == "period":
            start = pd.Timestamp(self.value).date()
            return {"D": f"day {start.isoformat()}", "W": f"week of {start.isoformat()}"}.get(
                self.freq, f"month of {start.isoformat()}")
        name = "rating" if self.field == "rating_raw" else self.field
        return f"{name} = {self.value:g}" if isinstance(self.value, float) else f"{name} = {self.value}"


def drill_from_selection(field: str, points: list[dict], *, freq: str | None = None) -> DrillDown | None:
    """The drill-down of the first selected point of a chart, or None when nothing is selected.

    Parameters
    ----------
    field : str
        What the chart's bars stand for: ``channel``, ``category`` (horizontal bars: the group
        is the point's ``y``), ``rating_raw`` or ``period`` (vertical bars: ``x``).
    points : list of dict
        ``selection.points`` of a Streamlit plotly selection event.
    freq : str, optional
        'W' or 'M' for ``period``.
    """
    if not points:
        return None
    point = points[0]
    if field in ("channel", "category", "product"):
        return DrillDown(field, str(point.get("y")))
    if field == "rating_raw":
        return DrillDown(field, float(point.get("x")))
    if field == "period":
        return DrillDown(field, pd.Timestamp(point.get("x")).normalize(), freq=freq or "W")
    raise ValueError(f"field={field!r} cannot be drilled into; use channel, category, product, rating_raw or period.")


def apply_drill_down(frame: pd.DataFrame, drill: DrillDown | None) -> pd.DataFrame:
    """The rows behind a clicked element (all rows when ``drill`` is None); input not mutated.

    Examples
    --------
    >>> rows = pd.DataFrame({"channel": ["chat", None, "email"]})
    >>> len(apply_drill_down(rows, DrillDown("channel", "(none)")))
    1
    """
    if drill is None:
        return frame
    if drill.field == "period":
        start = pd.Timestamp(drill.value)
        end = start + {"D": pd.Timedelta(days=1), "W": pd.Timedelta(days=7)}.get(drill.freq, pd.DateOffset(months=1))
        stamps = pd.to_datetime(frame["timestamp"])
        return frame[(stamps >= start) & (stamps < end)]
    column = frame[drill.field]
    if drill.field == "rating_raw":
        return frame[column == float(drill.value)]
    if drill.value == NO_GROUP:
        return frame[column.isna() | column.fillna("").astype(str).str.strip().eq("")]
    return frame[column == drill.value]
