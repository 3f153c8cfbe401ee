"""Metric series for forecasts and alerts: one value per day, week or month from the canonical rows."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from analytics.insights.columns import negative_flags, numeric, order_spend, tag_flags, timestamps

Freq = Literal["D", "W", "M"]
Kind = Literal["count", "mean", "share", "sum"]
MIN_N = 10  # a mean or share resting on fewer interactions than this is a gap, not a value
PERIOD_FREQS = {"D": "D", "W": "W-MON", "M": "MS"}  # pandas frequencies of the period starts
FREQ_NAMES = {"D": "daily", "W": "weekly", "M": "monthly"}
UNITS = {"D": "days", "W": "weeks", "M": "months"}
_RANK = {"D": 0, "W": 1, "M": 2}
_READ = ("record_id", "rating", "expected", "amount", "order_id")
NO_TIMESTAMP = ("Map a date column (timestamp) on the Data page, Re-map tab: forecasts and alerts need to know "
                "when each interaction happened.")


@dataclass(frozen=True)
class Metric:
    """A metric the page can follow over time; ``reason`` says what to map when the data cannot give it."""

    key: str  # "volume", "mean_rating", "negative_share", "mean_gap", "revenue" or "<task>:<label>"
    label: str
    kind: Kind  # count and sum: totals per period (0 when empty); mean and share: gaps when empty
    reason: str = ""

    @property
    def available(self) -> bool:
        """True when the data can give this metric."""
        return not self.reason


@dataclass(frozen=True)
class MetricSeries:
    """One metric per period, with the interactions behind each value and the partly covered ends."""

    metric: Metric
    freq: Freq
    values: pd.Series  # float, indexed by period start (DatetimeIndex, weeks start on Monday)
    n: pd.Series  # int: the interactions (rated, scored, tagged … as the metric needs) behind each value
    partial: pd.Series  # bool: a first or last period the data covers only in part
    min_n: int
    note: str = ""

    def history(self) -> pd.Series:
        """The values a model learns from: partial ends are dropped for counts and sums, whose low totals
        there are no real dips (a mean over part of a period is still a fair mean)."""
        if self.metric.kind in ("count", "sum"):
            return self.values[~self.partial]
        return self.values

    def to_frame(self) -> pd.DataFrame:
        """``period``, ``value``, ``n``, ``partial``, one row per period, for tables and charts."""
        return pd.DataFrame({"period": self.values.index, "value": self.values.to_numpy(),
                             "n": self.n.to_numpy(), "partial": self.partial.to_numpy()})


def timestamp_hint(frame: pd.DataFrame) -> str:
    """What to map before the page can work ("" when the frame has timestamps).

    >>> timestamp_hint(pd.DataFrame({"rating": [0.5]}))[:20]
    'Map a date column (t'
    """
    return "" if timestamps(frame).notna().any() else NO_TIMESTAMP


def _has(frame: pd.DataFrame, *columns: str) -> bool:
    known = pd.Series(True, index=frame.index)
    for column in columns:
        known &= numeric(frame, column).notna()
    return bool(known.any())


def available_metrics(frame: pd.DataFrame, *, sentiment: pd.DataFrame | None = None,
                      tags: dict[str, pd.DataFrame] | None = None) -> list[Metric]:
    """The metrics this data can follow over time, unavailable ones with the reason (empty without timestamps:
    :func:`timestamp_hint` says what to map).

    ``sentiment`` holds ``record_id, label`` (negative / neutral / positive) and replaces the rating rule
    for % negative; ``tags`` maps a task ("topic", "intent") to ``record_id, label`` rows and gives one
    share per label, most frequent first.

    >>> rows = pd.DataFrame({"timestamp": pd.to_datetime(["2025-01-01"]), "rating": [0.5]})
    >>> [(m.key, m.reason) for m in available_metrics(rows)][:4]
    [('volume', ''), ('mean_rating', ''), ('negative_share', ''), ('mean_gap', 'map an expectation column')]
    """
    if timestamp_hint(frame):
        return []
    rated = _has(frame, "rating")
    scored = sentiment is not None and len(sentiment) > 0
    gap_reason = ("" if _has(frame, "rating", "expected") else
                  "map an expectation column" if rated else "map a rating and an expectation column")
    metrics = [
        Metric("volume", "Volume (interactions)", "count"),
        Metric("mean_rating", "Mean rating (0–1)", "mean", "" if rated else "map a rating column"),
        Metric("negative_share", "% negative", "share",
               "" if rated or scored else "map a rating column or score the texts' sentiment"),
        Metric("mean_gap", "Mean expectation gap (rating − expected, 0–1)", "mean", gap_reason),
        Metric("revenue", "Revenue (sum of amount)", "sum", "" if _has(frame, "amount") else "map an amount column"),
    ]
    for task, table in (tags or {}).items():
        for label in table["label"].astype(str).value_counts().index:
            metrics.append(Metric(f"{task}:{label}", f"Share: {task} {label}", "share"))
    if not tags:
        metrics.append(Metric("tags", "Share of a topic or intent", "share",
                              "tag the texts with topics or intents first"))
    return metrics


def resolve_metric(frame: pd.DataFrame, metric: Metric | str, *, sentiment: pd.DataFrame | None = None,
                   tags: dict[str, pd.DataFrame] | None = None) -> Metric:
    """The metric named by ``metric`` (a key or a Metric), checked to be available on ``frame``.

    Raises
    ------
    ValueError
        No timestamp, an unknown key, or a metric the data cannot give (the message says what to map).
    """
    hint = timestamp_hint(frame)
    if hint:
        raise ValueError(hint)
    if isinstance(metric, Metric):
        found = metric
    else:
        known = {m.key: m for m in available_metrics(frame, sentiment=sentiment, tags=tags)}
        if metric not in known:
            raise ValueError(f"metric={metric!r} is not known on this data; choose one of {sorted(known)}.")
        found = known[metric]
    if not found.available:
        raise ValueError(f"{found.label} is not available: {found.reason}.")
    return found


def _row_values(rows: pd.DataFrame, metric: Metric, sentiment, tags) -> tuple[pd.Series, str]:
    """Per row: the value the metric aggregates (NaN where the row has none), and a note on how."""
    key = metric.key
    if key == "volume":
        return pd.Series(1.0, index=rows.index), ""
    if key == "mean_rating":
        return numeric(rows, "rating"), ""
    if key == "negative_share":
        scored = sentiment is not None and len(sentiment) > 0
        return negative_flags(rows, sentiment), ("from the texts' sentiment" if scored else
                                            "from ratings (negative below 0.4 on the 0–1 scale)")
    if key == "mean_gap":
        return numeric(rows, "rating") - numeric(rows, "expected"), ""
    if key == "revenue":
        spend = order_spend(rows)
        repeated = bool((spend.fillna(0) != numeric(rows, "amount").fillna(0)).any())
        return spend, "amounts repeat on every row of an order, so each order counts once" if repeated else ""
    task, _, label = key.partition(":")
    if tags and task in tags:
        return tag_flags(rows, tags[task], label), f"share of the rows tagged for {task}"
    raise ValueError(f"metric={key!r} needs the {task!r} tags, which were not given.")


def _resolution(days: np.ndarray) -> Freq:
    """The finest period the dates can fill: months when every date is a 1st, weeks when all share a weekday."""
    distinct = pd.DatetimeIndex(np.unique(days))
    if len(distinct) < 3:
        return "D"
    if (distinct.day == 1).all():
        return "M"
    return "W" if distinct.day_of_week.nunique() == 1 else "D"


def _period_starts(days: np.ndarray, freq: Freq) -> np.ndarray:
    # Numpy arithmetic, as in kpis.trend: far faster than ``to_period`` on large frames.
    if freq == "W":
        return days - (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
    if freq == "M":
        return days.astype("datetime64[M]").astype("datetime64[D]")
    return days


def build_series(frame: pd.DataFrame, metric: Metric | str, *, freq: Freq, sentiment: pd.DataFrame | None = None,
                 tags: dict[str, pd.DataFrame] | None = None, min_n: int = MIN_N) -> MetricSeries:
    """Aggregate the rows to one value of ``metric`` per day, week (Monday–Sunday) or calendar month.

    Parameters
    ----------
    frame : DataFrame
        Canonical rows (not mutated); rows without a timestamp are left out.
    metric : Metric or str
        From :func:`available_metrics`, or its key.
    freq : {"D", "W", "M"}
    sentiment, tags
        As for :func:`available_metrics`.
    min_n : int, default MIN_N
        Means and shares of periods with fewer interactions behind them become gaps (NaN).

    Returns
    -------
    MetricSeries
        Every period from the first to the last timestamp: empty ones are 0 for counts and sums and gaps
        for means and shares. A first or last period the dates cover only in part is flagged.

    Raises
    ------
    ValueError
        No timestamp, an unknown or unavailable metric, or a frequency finer than the dates (daily on
        dates that are all the 1st of a month).

    Examples
    --------
    >>> rows = pd.DataFrame({"timestamp": pd.to_datetime(["2025-01-06", "2025-01-08", "2025-01-21"])})
    >>> build_series(rows, "volume", freq="W").values.tolist()
    [2.0, 0.0, 1.0]
    """
    if freq not in PERIOD_FREQS:
        raise ValueError(f"freq={freq!r} should be 'D' (daily), 'W' (weekly) or 'M' (monthly).")
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or min_n < 1:
        raise ValueError(f"min_n={min_n!r} should be a whole number >= 1.")
    metric = resolve_metric(frame, metric, sentiment=sentiment, tags=tags)
    ts = timestamps(frame)
    # Only the columns a metric reads (a copy of the texts would cost memory), in time order: revenue
    # counts an order at its first row.
    rows = frame.loc[ts.notna(), [c for c in _READ if c in frame.columns]].assign(_ts=ts[ts.notna()])
    rows = rows.sort_values("_ts", kind="stable")
    days = rows["_ts"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    resolution = _resolution(days)
    if _RANK[freq] < _RANK[resolution]:
        dates = "the 1st of a month" if resolution == "M" else "the same weekday"
        raise ValueError(f"freq={freq!r} is finer than the data: every date is {dates}, so {FREQ_NAMES[freq]} values "
                         f"would be mostly empty. Use {resolution!r} ({FREQ_NAMES[resolution]}) or coarser.")
    values, note = _row_values(rows, metric, sentiment, tags)
    work = pd.DataFrame({"period": _period_starts(days, freq).astype("datetime64[ns]"), "value": values.to_numpy()})
    grouped = work.groupby("period")["value"]
    index = pd.date_range(work["period"].min(), work["period"].max(), freq=PERIOD_FREQS[freq], name="period")
    if metric.kind in ("count", "sum"):
        n = grouped.size() if metric.kind == "count" else grouped.count()
        agg = grouped.sum().reindex(index, fill_value=0.0)
    else:
        n = grouped.count()
        agg = grouped.mean().reindex(index)
    n = n.reindex(index, fill_value=0).astype(np.int64)
    if metric.kind in ("mean", "share"):
        agg = agg.where(n >= min_n)
    partial = pd.Series(False, index=index)
    if freq != resolution:
        covered_end = pd.Timestamp(days.max()) + (pd.Timedelta(days=6) if resolution == "W" else
                                                  pd.offsets.MonthEnd(0) if resolution == "M" else pd.Timedelta(0))
        ends = index + pd.tseries.frequencies.to_offset(PERIOD_FREQS[freq]) - pd.Timedelta(days=1)
        partial.iloc[0] = bool(index[0] < pd.Timestamp(days.min()))
        partial.iloc[-1] = bool(partial.iloc[-1] or ends[-1] > covered_end)
    return MetricSeries(metric, freq, agg.astype(float).rename(metric.key), n.rename("n"), partial.rename("partial"),
                        int(min_n), note)

