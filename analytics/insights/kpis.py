"""Overview KPIs with deltas vs the previous period, and the distribution, breakdown and trend tables."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from analytics.insights.columns import numeric, timestamps
from analytics.schema import NEGATIVE_BELOW, POSITIVE_ABOVE, sentiment_from_rating

NO_GROUP = "(none)"
MIN_N = 30  # fewer interactions than this behind a period's value: its change is not called
_Z95 = 1.96
_TREND_FREQS = {"D": "D", "W": "W-MON", "M": "MS"}  # period starts: weeks run Monday–Sunday


@dataclass(frozen=True)
class Window:
    """An inclusive range of calendar days."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """Number of days in the window, both ends included."""
        return (self.end - self.start).days + 1

    def describe(self) -> str:
        """The window as ``"2024-04-02 – 2024-06-30"``."""
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


@dataclass(frozen=True)
class Kpi:
    """One headline number with its previous-period value and how to read it."""

    key: str
    label: str
    value: float | None
    previous: float | None
    delta: float | None
    unit: str
    help: str
    better: Literal["higher", "lower", "neutral"]
    n: int = 0  # the interactions behind ``value`` (rated, scored … as the KPI needs)
    n_noun: str = "interactions"
    # False when the change could be noise: its 95 % interval includes zero, or a period has fewer
    # than MIN_N interactions behind it. The page greys such a delta.
    delta_clear: bool = False


@dataclass(frozen=True)
class KpiSet:
    """The Overview KPIs, the windows they were computed on and a note on coverage."""

    kpis: tuple[Kpi, ...]
    current: Window | None
    previous: Window | None
    note: str

    def get(self, key: str) -> Kpi:
        """Return the KPI with ``key`` (``"interactions"``, ``"mean_rating"``, …)."""
        for kpi in self.kpis:
            if kpi.key == key:
                return kpi
        raise KeyError(f"no KPI {key!r}; have {[k.key for k in self.kpis]}")


# --------------------------------------------------------------------------------------------
# helpers


def _negative_share_column(rating: pd.Series) -> pd.Series:
    """1.0 for rows the rating rule calls negative, 0.0 for other rated rows, NaN without a rating."""
    return sentiment_from_rating(rating).eq("negative").astype(float).where(rating.notna())


def _check_scale(scale: tuple[float, float]) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in scale)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"scale={scale!r} should be a pair (low, high), e.g. (1, 5).") from exc
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        raise ValueError(f"scale={scale!r} should have low < high, e.g. (1, 5).")
    return low, high


def _raw_ratings(frame: pd.DataFrame, scale: tuple[float, float]) -> pd.Series:
    """Ratings on the original scale: ``rating_raw``, else ``rating`` mapped back onto ``scale``."""
    low, high = scale
    raw = numeric(frame, "rating_raw")
    from_norm = low + numeric(frame, "rating") * (high - low)
    return raw.where(raw.notna(), from_norm)


def _fmt_scale(scale: tuple[float, float]) -> str:
    return f"{scale[0]:g}–{scale[1]:g}"


def _mask_window(ts: pd.Series, window: Window) -> np.ndarray:
    inside = (ts >= pd.Timestamp(window.start)) & (ts < pd.Timestamp(window.end + timedelta(days=1)))
    return inside.to_numpy(dtype=bool)


@dataclass(frozen=True)
class _Stats:
    """Aggregates of one window from which every KPI is derived."""

    n: int  # interactions
    rated: int  # rows with a rating on the original scale (for the mean)
    mean_raw: float | None
    sentiment_n: int  # rows with a normalised rating (for the sentiment shares)
    negative: int
    positive: int
    gap_n: int  # rows with both a rating and an expected score
    mean_gap_norm: float | None  # mean(rating − expected), normalised units
    var_raw: float | None = None  # sample variance of the raw ratings
    var_gap_norm: float | None = None  # sample variance of rating − expected (normalised)


def _stats(frame: pd.DataFrame, scale: tuple[float, float], *, text_sentiment: bool = False) -> _Stats:
    rating = numeric(frame, "rating")
    raw = _raw_ratings(frame, scale)
    expected = numeric(frame, "expected")
    with_rating = rating.notna()
    # The sentiment shares come from the texts' stored labels when there are any, else from the ratings.
    labels = frame["sentiment"].astype(object) if text_sentiment else sentiment_from_rating(rating)
    both = with_rating & expected.notna()
    rated = int(raw.notna().sum())
    gap_n = int(both.sum())
    return _Stats(
        n=len(frame),
        rated=rated,
        mean_raw=float(raw.mean()) if rated else None,
        sentiment_n=int(labels.isin(("negative", "neutral", "positive")).sum()),
        negative=int(labels.eq("negative").sum()),
        positive=int(labels.eq("positive").sum()),
        gap_n=gap_n,
        mean_gap_norm=float((rating[both] - expected[both]).mean()) if gap_n else None,
        var_raw=float(raw.var()) if rated > 1 else None,
        var_gap_norm=float((rating[both] - expected[both]).var()) if gap_n > 1 else None,
    )


def _change_is_clear(key: str, cur: _Stats, prev: _Stats | None, scale: tuple[float, float]) -> bool:
    """Whether the change of one KPI between two periods is more than noise (95 % interval excludes zero).

    Counts compare as Poisson counts, shares as two independent proportions, net sentiment by the
    multinomial variance of (positive − negative), means by Welch's standard error.
    """
    if prev is None:
        return False
    span = scale[1] - scale[0]
    if key == "interactions":
        a, b = cur.n, prev.n
        return min(a, b) >= MIN_N and abs(a - b) > _Z95 * math.sqrt(a + b)
    if key in ("pct_negative", "net_sentiment"):
        n1, n2 = cur.sentiment_n, prev.sentiment_n
        if min(n1, n2) < MIN_N:
            return False
        if key == "pct_negative":
            p1, p2 = cur.negative / n1, prev.negative / n2
            se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
            return abs(p1 - p2) > _Z95 * se
        def var(s: _Stats) -> float:
            pos, neg = s.positive / s.sentiment_n, s.negative / s.sentiment_n
            return (pos + neg - (pos - neg) ** 2) / s.sentiment_n
        net1 = (cur.positive - cur.negative) / n1
        net2 = (prev.positive - prev.negative) / n2
        return abs(net1 - net2) > _Z95 * math.sqrt(var(cur) + var(prev))
    if key == "mean_rating":
        if min(cur.rated, prev.rated) < MIN_N or cur.var_raw is None or prev.var_raw is None:
            return False
        se = math.sqrt(cur.var_raw / cur.rated + prev.var_raw / prev.rated)
        return abs(cur.mean_raw - prev.mean_raw) > _Z95 * se
    if key == "mean_gap":
        if min(cur.gap_n, prev.gap_n) < MIN_N or cur.var_gap_norm is None or prev.var_gap_norm is None:
            return False
        se = math.sqrt(cur.var_gap_norm / cur.gap_n + prev.var_gap_norm / prev.gap_n) * span
        return abs(cur.mean_gap_norm - prev.mean_gap_norm) * span > _Z95 * se
    return False


def _values(stats: _Stats | None, scale: tuple[float, float]) -> dict[str, float | None]:
    """Each KPI's value for one window; None when not computable (or no window)."""
    keys = ("interactions", "mean_rating", "pct_negative", "net_sentiment", "mean_gap")
    if stats is None:
        return dict.fromkeys(keys)
    low, high = scale
    pct_neg = pct_pos = None
    if stats.sentiment_n:
        pct_neg = 100.0 * stats.negative / stats.sentiment_n
        pct_pos = 100.0 * stats.positive / stats.sentiment_n
    return {
        "interactions": float(stats.n),
        "mean_rating": stats.mean_raw,
        "pct_negative": pct_neg,
        "net_sentiment": None if pct_neg is None else pct_pos - pct_neg,
        "mean_gap": None if stats.mean_gap_norm is None else stats.mean_gap_norm * (high - low),
    }


def _help_texts(cur: _Stats, prev: _Stats | None, scale: tuple[float, float], *,
                text_source: str | None = None, gap_method: str | None = None) -> dict[str, str]:
    """How each KPI is computed, with the n behind the current and previous values."""
    low, high = scale
    span = high - low
    neg_cut = low + NEGATIVE_BELOW * span
    pos_cut = low + POSITIVE_ABOVE * span

    def n_text(attr: str, what: str) -> str:
        text = f"n = {getattr(cur, attr):,} {what}"
        if prev is not None:
            text += f" (previous period: n = {getattr(prev, attr):,})"
        return text + "."

    return {
        "interactions": "Number of interactions in the period; " + n_text("n", "rows"),
        "mean_rating": (
            f"Mean rating on the original {_fmt_scale(scale)} scale over interactions that have one; "
            + n_text("rated", "rated")
        ),
        "pct_negative": (
            f"From text sentiment ({text_source}): share of scored interactions whose text is negative; "
            + n_text("sentiment_n", "scored") if text_source else
            f"From ratings: share of rated interactions rated below {NEGATIVE_BELOW:.0%} of the scale "
            f"(< {neg_cut:g} on {_fmt_scale(scale)}); " + n_text("sentiment_n", "rated")
        ),
        "net_sentiment": (
            f"From text sentiment ({text_source}): % positive − % negative texts, in percentage points; "
            + n_text("sentiment_n", "scored") if text_source else
            "From ratings: % positive − % negative, in percentage "
            f"points; positive = above {POSITIVE_ABOVE:.0%} of the scale (> {pos_cut:g}), negative = "
            f"below {NEGATIVE_BELOW:.0%} (< {neg_cut:g}); " + n_text("sentiment_n", "rated")
        ),
        "mean_gap": (
            f"{gap_method}. Mean of (experienced − expected) in points of the {_fmt_scale(scale)} scale; "
            "negative = expectations missed; " + n_text("gap_n", "with both") if gap_method else
            f"Mean of (rating − expected) in points of the {_fmt_scale(scale)} scale, over interactions "
            "with both a rating and an expected score; negative = expectations missed; "
            + n_text("gap_n", "with both")
        ),
    }


# KPI -> the _Stats field counting what is behind it, and its noun.
_KPI_N: dict[str, tuple[str, str]] = {
    "interactions": ("n", "interactions"), "mean_rating": ("rated", "rated"),
    "pct_negative": ("sentiment_n", "rated"), "net_sentiment": ("sentiment_n", "rated"),
    "mean_gap": ("gap_n", "with both"),
}

_KPI_SPECS: tuple[tuple[str, str, str], ...] = (
    # key, label, better
    ("interactions", "Interactions", "neutral"),
    ("mean_rating", "Mean rating", "higher"),
    ("pct_negative", "% negative", "lower"),
    ("net_sentiment", "Net sentiment", "higher"),
    ("mean_gap", "Expectation gap", "higher"),
)


# --------------------------------------------------------------------------------------------
# public API


def comparison_windows(
    frame: pd.DataFrame, *, period_days: int | None, end: date | None = None
) -> tuple[Window, Window | None]:
    """Return the current window and the equal-length window right before it.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame; only ``timestamp`` is read.
    period_days : int or None
        Length of the current window in days; None means the whole span of the frame's
        timestamps (then there is no previous window).
    end : date, optional
        Last day of the current window (inclusive); defaults to the date of the last timestamp.

    Returns
    -------
    (Window, Window or None)
        Current and previous windows, both inclusive.

    Raises
    ------
    ValueError
        If ``period_days`` is not a positive integer, or the frame has no timestamps and the
        windows cannot be placed.

    Examples
    --------
    With timestamps up to 2024-06-30 and ``period_days=90``: current 2024-04-02 – 2024-06-30,
    previous 2024-01-03 – 2024-04-01.
    """
    if period_days is not None and (
        isinstance(period_days, bool) or not isinstance(period_days, (int, np.integer)) or period_days < 1
    ):
        raise ValueError(f"period_days={period_days!r} should be a whole number of days >= 1, or None.")
    ts = timestamps(frame).dropna()
    if end is not None:
        end = pd.Timestamp(end).date()
    if period_days is None:
        if ts.empty:
            raise ValueError("The data has no timestamps, so there is no time span to compare; map a date column.")
        start = ts.min().date()
        end = end if end is not None else ts.max().date()
        if end < start:
            raise ValueError(f"end={end.isoformat()} is before the first timestamp {start.isoformat()}.")
        return Window(start, end), None
    if end is None:
        if ts.empty:
            raise ValueError("The data has no timestamps, so there is no period to compare; map a date column.")
        end = ts.max().date()
    days = int(period_days)
    current = Window(end - timedelta(days=days - 1), end)
    previous = Window(current.start - timedelta(days=days), current.start - timedelta(days=1))
    return current, previous


def compute_kpis(
    frame: pd.DataFrame,
    *,
    scale: tuple[float, float],
    period_days: int | None = 90,
    end: date | None = None,
    history: pd.DataFrame | None = None,
    text_sentiment: str | None = None,
    gap_method: str | None = None,
) -> KpiSet:
    """Compute the Overview KPIs for the current period and their change since the previous one.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame (already filtered); not mutated.
    scale : (float, float)
        The rating scale ``(low, high)``, e.g. ``(1, 5)``; mean rating and gap are expressed on it.
    period_days : int or None, default 90
        Length of the current period; None compares nothing and uses the whole span.
    end : date, optional
        Last day of the current period; defaults to the last timestamp.
    history : DataFrame, optional
        Where the previous period is taken from: the same rows without the date filter (every
        other filter applied), so that narrowing the dates keeps the comparison. Defaults to
        ``frame``.
    text_sentiment : str, optional
        The name of the model whose labels the frames hold in ``sentiment`` (negative / neutral /
        positive; missing where not scored). Given, % negative and net sentiment come from these
        text labels; otherwise from the ratings by the rating rule.
    gap_method : str, optional
        The expectation source behind ``expected`` when it is not the explicit column (the Overview
        passes the best source's expectation as ``rating − gap``); named in the gap KPI's help.

    Returns
    -------
    KpiSet
        ``interactions``, ``mean_rating`` (original scale), ``pct_negative`` (from ratings,
        < 0.4 normalised), ``net_sentiment`` (% positive − % negative, points, from ratings) and
        ``mean_gap`` (mean of rating − expected × (high − low)). A value is None when it cannot
        be computed (no rated rows, no row with both rating and expected, no previous period);
        ``delta`` = value − previous when both exist. Rows without a timestamp are left out when
        the frame has timestamps; without any timestamp every row counts and there is no previous
        period. ``note`` says which of these applied.

    Examples
    --------
    >>> kpis = compute_kpis(frame, scale=(1, 5), period_days=30)  # doctest: +SKIP
    >>> kpis.get("mean_rating").delta  # doctest: +SKIP
    0.5
    """
    scale = _check_scale(scale)
    if text_sentiment and "sentiment" not in frame.columns:
        raise ValueError("text_sentiment names a model, but the frame has no 'sentiment' column to read.")
    by_text = bool(text_sentiment)
    ts = timestamps(frame)
    notes: list[str] = []
    current: Window | None = None
    previous: Window | None = None
    prev_stats: _Stats | None = None
    if ts.notna().any():
        current, previous = comparison_windows(frame, period_days=period_days, end=end)
        cur_stats = _stats(frame.loc[_mask_window(ts, current)], scale, text_sentiment=by_text)
        past = frame if history is None else history
        past_ts = ts if history is None else timestamps(history)
        if previous is None:
            notes.append(f"Whole span {current.describe()}; no previous period to compare with.")
        else:
            first = past_ts.min().date()
            if first > previous.end:
                notes.append(
                    f"{current.days} days ({current.describe()}); no comparison: the data starts on "
                    f"{first.isoformat()}, after the previous period {previous.describe()}."
                )
                previous = None
            else:
                prev_stats = _stats(past.loc[_mask_window(past_ts, previous)], scale, text_sentiment=by_text)
                notes.append(
                    f"{current.days} days ({current.describe()}) vs the {previous.days} days before "
                    f"({previous.describe()})."
                )
                if first > previous.start:
                    notes.append(
                        f"The previous period is only partly covered: the data starts on {first.isoformat()}."
                    )
        undated = int(ts.isna().sum())
        if undated:
            notes.append(f"{undated:,} row(s) without a timestamp are left out.")
    else:
        cur_stats = _stats(frame, scale, text_sentiment=by_text)
        notes.append(
            f"No timestamps: figures cover all {len(frame):,} rows, with no previous period to compare."
        )
    if by_text:
        notes.append(f"% negative and net sentiment come from the texts, scored by {text_sentiment}.")
    else:
        notes.append(
            f"% negative and net sentiment come from ratings (negative below {NEGATIVE_BELOW:.0%} of the scale, "
            f"positive above {POSITIVE_ABOVE:.0%}); the texts' sentiment replaces them once the Sentiment page "
            "has scored them."
        )

    now, before = _values(cur_stats, scale), _values(prev_stats, scale)
    helps = _help_texts(cur_stats, prev_stats, scale, text_source=text_sentiment, gap_method=gap_method)
    units = {
        "interactions": "",
        "mean_rating": f"/ {scale[1]:g}",
        "pct_negative": "%",
        "net_sentiment": "pts",
        "mean_gap": "pts",
    }
    kpis = []
    for key, label, better in _KPI_SPECS:
        value, prev = now[key], before[key]
        delta = value - prev if value is not None and prev is not None else None
        n, noun = _KPI_N[key]
        clear = delta is not None and _change_is_clear(key, cur_stats, prev_stats, scale)
        kpis.append(Kpi(key, label, value, prev, delta, units[key], helps[key], better,  # type: ignore[arg-type]
                        n=int(getattr(cur_stats, n)), n_noun=noun if key not in ("pct_negative", "net_sentiment")
                        else ("scored" if by_text else "rated"), delta_clear=clear))
    return KpiSet(tuple(kpis), current, previous, " ".join(notes))


def rating_distribution(frame: pd.DataFrame) -> pd.DataFrame:
    """Count interactions per rating value on the original scale.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame; ``rating_raw`` is read, missing ratings are left out.

    Returns
    -------
    DataFrame
        Columns ``rating_raw`` (float, ascending), ``count`` (int) and ``share`` (fraction of
        rated rows, summing to 1). Empty when no row has a rating.
    """
    raw = numeric(frame, "rating_raw").dropna()
    counts = raw.value_counts().sort_index()
    total = int(counts.sum())
    return pd.DataFrame(
        {
            "rating_raw": counts.index.to_numpy(dtype=float),
            "count": counts.to_numpy(dtype=np.int64),
            "share": counts.to_numpy(dtype=float) / total if total else np.array([], dtype=float),
        }
    )


def breakdown(frame: pd.DataFrame, *, by: str, scale: tuple[float, float]) -> pd.DataFrame:
    """Volume, mean rating and % negative per value of one column.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame; not mutated.
    by : str
        Column to group by, e.g. ``"category"``, ``"channel"`` or ``"product"``. Missing or
        blank values form the group ``"(none)"``.
    scale : (float, float)
        Rating scale ``(low, high)``; ``mean_rating`` is on it.

    Returns
    -------
    DataFrame
        Columns ``group`` (str), ``interactions`` (int), ``rated`` (int, rows with a rating),
        ``mean_rating`` (original scale, NaN when no rating) and ``pct_negative`` (0–100, from
        ratings, NaN when no rating); sorted by ``interactions`` descending, then ``group``.
    """
    scale = _check_scale(scale)
    if by not in frame.columns:
        raise ValueError(f"by={by!r} is not a column of the data; try 'category', 'channel' or 'product'.")
    groups = frame[by].astype(object).map(str, na_action="ignore")
    groups = groups.where(groups.notna() & groups.fillna("").str.strip().ne(""), NO_GROUP)
    rating = numeric(frame, "rating")
    negative = _negative_share_column(rating)
    work = pd.DataFrame(
        {"group": groups.astype(str).to_numpy(), "raw": _raw_ratings(frame, scale).to_numpy(),
         "negative": negative.to_numpy()}
    )
    out = work.groupby("group", sort=False).agg(
        interactions=("raw", "size"),
        rated=("raw", "count"),
        mean_rating=("raw", "mean"),
        pct_negative=("negative", "mean"),
    )
    out["pct_negative"] *= 100.0
    out = out.reset_index().sort_values(["interactions", "group"], ascending=[False, True], kind="stable")
    out["interactions"] = out["interactions"].astype(np.int64)
    out["rated"] = out["rated"].astype(np.int64)
    return out.reset_index(drop=True)[["group", "interactions", "rated", "mean_rating", "pct_negative"]]


def trend_freq(frame: pd.DataFrame) -> Literal["D", "W", "M"]:
    """The trend granularity that suits the data's span: days up to 2 months, weeks up to 2 years, then months.

    >>> trend_freq(pd.DataFrame({"timestamp": pd.to_datetime(["2025-01-01", "2025-01-08"])}))
    'D'
    """
    ts = timestamps(frame).dropna()
    span = (ts.max() - ts.min()).days if len(ts) else 0
    return "D" if span <= 62 else "W" if span <= 730 else "M"


def trend(frame: pd.DataFrame, *, freq: Literal["D", "W", "M"]) -> pd.DataFrame:
    """Volume, mean rating and % negative per day, week or month.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame; rows without a timestamp are left out.
    freq : {"D", "W", "M"}
        Days, weeks (Monday to Sunday) or calendar months (:func:`trend_freq` picks one by the span).

    Returns
    -------
    DataFrame
        One row per period from the first to the last timestamp (empty periods included, with
        0 interactions): ``period`` (start of the period, datetime), ``interactions``, ``rated``,
        ``mean_rating_raw`` (mean ``rating_raw``, NaN when none), ``pct_negative`` (0–100, from
        ratings, NaN when none) and ``partial`` (True for a first or last period the data covers
        only in part, whose lower volume is not a real dip).
    """
    if freq not in _TREND_FREQS:
        raise ValueError(f"freq={freq!r} should be 'D' (daily), 'W' (weekly) or 'M' (monthly).")
    columns = ["period", "interactions", "rated", "mean_rating_raw", "pct_negative", "partial"]
    ts = timestamps(frame)
    dated = ts.notna().to_numpy(dtype=bool)
    if not dated.any():
        dtypes = {"period": "datetime64[ns]", "interactions": np.int64, "rated": np.int64, "partial": bool}
        return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, float)) for c in columns})
    # Period starts by numpy arithmetic: much faster than ``to_period`` on large frames.
    days = ts[dated].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    if freq == "D":
        starts = days
    elif freq == "W":
        starts = days - (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
    else:
        starts = days.astype("datetime64[M]").astype("datetime64[D]")
    rating = numeric(frame, "rating")[dated]
    work = pd.DataFrame(
        {
            "period": starts.astype("datetime64[ns]"),
            "raw": numeric(frame, "rating_raw")[dated].to_numpy(),
            "negative": _negative_share_column(rating).to_numpy(),
        }
    )
    agg = work.groupby("period").agg(
        interactions=("raw", "size"),
        rated=("raw", "count"),
        mean_rating_raw=("raw", "mean"),
        pct_negative=("negative", "mean"),
    )
    full = pd.date_range(agg.index.min(), agg.index.max(), freq=_TREND_FREQS[freq])
    agg = agg.reindex(full)
    agg["interactions"] = agg["interactions"].fillna(0).astype(np.int64)
    agg["rated"] = agg["rated"].fillna(0).astype(np.int64)
    agg["pct_negative"] *= 100.0
    agg.insert(0, "period", full)
    out = agg.reset_index(drop=True)
    ends = (out["period"] + (pd.DateOffset(days=1) if freq == "D" else pd.DateOffset(weeks=1) if freq == "W"
                             else pd.DateOffset(months=1)) - pd.Timedelta(days=1))
    first, last = pd.Timestamp(days.min()), pd.Timestamp(days.max())
    out["partial"] = False
    out.loc[out.index[0], "partial"] = bool(out["period"].iloc[0] < first)
    out.loc[out.index[-1], "partial"] = bool(out["partial"].iloc[-1] or ends.iloc[-1] > last)
    return out[columns]


_DIGITS = {"interactions": 0, "mean_rating": 2, "mean_gap": 2}


def format_kpi(kpi: Kpi) -> tuple[str, str | None]:
    """Display strings (value, delta) for a KPI card: '3.96 / 5' and '+0.12', '11.5%' and '-1.2%'.

    Examples
    --------
    >>> format_kpi(Kpi("mean_rating", "Mean rating", 3.956, 3.8, 0.156, "/ 5", "", "higher"))
    ('3.96 / 5', '+0.16')
    """
    digits = _DIGITS.get(kpi.key, 1)
    gap = "" if kpi.unit in ("", "%") else " "
    value = "–" if kpi.value is None else f"{kpi.value:,.{digits}f}{gap}{kpi.unit}"
    delta_unit = "" if kpi.unit.startswith("/") else f"{gap}{kpi.unit}"
    delta = None if kpi.delta is None else f"{kpi.delta:+,.{digits}f}{delta_unit}"
    return value, delta


def missing_columns_hint(mapping: dict[str, str | None], *, dated: bool) -> str:
    """One line saying which unmapped columns would enable the Overview's hidden parts ("" when none is missing).

    >>> missing_columns_hint({"text": "body", "rating": "stars"}, dated=False)
    'Map a date column to compare periods and see trends, and a channel or category column to break the interactions down (Data page, Re-map tab).'
    """
    wanted = []
    if not dated:
        wanted.append("a date column to compare periods and see trends")
    if not mapping.get("rating"):
        wanted.append("a rating column to see the rating mix")
    groups = [name for name in ("channel", "category") if not mapping.get(name)]
    if groups:
        wanted.append(f"a {' or '.join(groups)} column to break the interactions down")
    return f"Map {', and '.join(wanted)} (Data page, Re-map tab)." if wanted else ""
