"""Ranked actions: which service dimension × slice to fix first, scored by a printed formula, with typical quotes."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from analytics.insights.alerts import ALL
from analytics.insights.columns import labels, timestamps
from analytics.insights.quotes import QUOTES, typical_quotes

SLICE_KINDS = ("all", "product", "segment", "channel", "category")
ALL_VALUE = "all interactions"  # the slice value of the "all" slice
TREND_CLIP = (0.5, 3.0)
ALERT_WEIGHT = 0.25  # each stored alert on the slice multiplies the trend by 1 + ALERT_WEIGHT × alerts
LATE_FRACTION = 1 / 3  # the trend compares the last third of the window with the first two thirds
COLUMNS = ["rank", "dimension", "slice_kind", "slice_value", "n", "volume_share", "negativity", "gap_part",
           "trend", "score", "reason", "quotes", "gap", "alerts"]
_FILTER_FIELDS = {"product": "products", "channel": "channels", "category": "categories", "segment": "segments"}
_MINUS = "\u2212"


@dataclass(frozen=True)
class ActionRanking:
    """Actions (dimension × slice) by score, the formula that scores them, and how many were too thin to rank."""

    actions: pd.DataFrame  # COLUMNS, highest score first
    formula: str  # plain text: the score and each of its parts
    left_out: int  # actions with fewer than min_n mentions
    window: tuple[date, date] | None  # the days counted (both included); None: every row
    params: dict  # slices, skipped_slices, min_n, top, n_rows, gap, alerts (given or not), trend_from, quotes


class EvidenceLink(NamedTuple):
    """The page holding an action's evidence and the filters to open it with."""

    page: str  # "gap", "forecast", "segments" or "sentiment"
    filters: dict  # "dimension", plus Filters fields (products, channels, categories, segments, date_from, date_to)


def rank_actions(rows: pd.DataFrame, mentions: pd.DataFrame | None, *, gap: pd.DataFrame | None = None,
                 alerts: pd.DataFrame | None = None, slices: Sequence[str] = SLICE_KINDS,
                 window: tuple[date, date] | None = None, min_n: int = 30, top: int | None = None) -> ActionRanking:
    """Rank what to fix first: each service dimension within each slice, scored by a printed formula.

    An action is a (dimension, slice kind, slice value), e.g. ("delivery", "channel", "email") or
    ("delivery", "all", "all interactions"). Its score is the product of four printed parts:

    - ``volume_share``: mentions of the dimension in the slice ÷ all interactions in the window;
    - ``negativity``: share of those mentions that are negative (polarity −1);
    - ``gap_part``: |mean expectation gap| (0–1 scale) of the mentioning interactions that have one. An action
      none of whose interactions has a gap takes the window's overall |mean gap| (1 would outrank every
      measured action); without any gap the part is 1;
    - ``trend``: the share of the slice's interactions carrying a negative mention of the dimension in the
      last third of the window ÷ that share in the first two thirds, clipped to [0.5, 3] (1 without
      timestamps), times 1 + 0.25 × the stored alerts on the slice within the window.

    Parameters
    ----------
    rows : DataFrame
        Canonical rows: ``record_id`` (unique) and the slice columns; ``timestamp`` for the window and the
        trend. Not mutated.
    mentions : DataFrame
        ``record_id, dimension, polarity`` (−1/0/+1) and ``sentence`` (the quote), as from
        :func:`analytics.insights.dimensions.dimension_mentions`.
    gap : DataFrame, optional
        ``record_id, gap`` (a :class:`analytics.insights.gap.PairedScores` ``frame``).
    alerts : DataFrame, optional
        Stored alerts with ``slice_column, slice_value, period`` (as from a scan; the whole frame is
        ``"(all)"``). Only alerts whose period starts within the window count.
    slices : sequence of str
        Slice kinds: "all" and columns of ``rows``. Canonical kinds the data lacks (often "segment") are
        skipped and listed in ``params["skipped_slices"]``.
    window : (date, date), optional
        Only rows whose timestamp falls on these days (both included) count; None keeps every row.
    min_n : int
        Actions with fewer mentions are left out and counted in ``left_out``.
    top : int, optional
        Keep the ``top`` best actions (quotes are found for these only); None keeps all.

    Returns
    -------
    ActionRanking
        ``actions`` has :data:`COLUMNS`: the four parts, ``score`` (their product), a one-line ``reason``,
        ``quotes`` (up to three (record_id, sentence) of the most typical negative mentions: closest to the
        action's centroid in a TF-IDF space fitted once over all negative sentences, as
        :func:`analytics.insights.quotes.typical_quotes` picks them), the action's own signed mean ``gap``
        (NaN when none of its interactions has one) and its ``alerts`` count.

    Raises
    ------
    ValueError
        No mentions, mentions or gap or alerts without their columns, duplicate record ids, a window without
        timestamps or without rows, an unknown slice kind, or a bad ``min_n`` / ``top``.

    Examples
    --------
    >>> rows = pd.DataFrame({"record_id": ["a", "b", "c"], "channel": ["email", "email", "chat"]})
    >>> mentions = pd.DataFrame({"record_id": ["a", "b", "c"], "dimension": "delivery", "polarity": [-1, -1, 1],
    ...                          "sentence": ["it never came", "late again", "fast delivery"]})
    >>> ranked = rank_actions(rows, mentions, slices=("channel",), min_n=1)
    >>> ranked.actions[["slice_value", "n", "score"]].values.tolist()
    [['email', 2, 0.6666666666666666], ['chat', 1, 0.0]]
    """
    _check_options(min_n, top)
    kinds, skipped = _slice_kinds(rows, slices)
    ids = _record_ids(rows)
    ts_all = timestamps(rows)
    inside, bounds = _window_mask(ts_all, window)
    if not inside.any():
        raise ValueError(f"No interaction lies in the window {_days(bounds)}; widen the date range.")
    frame, window_ids = rows[inside], ids[inside]
    tagged = _window_mentions(mentions, window_ids)
    late, early, cut = _periods(ts_all[inside], bounds)
    gap_row = _row_gaps(gap, window_ids)
    overall_gap = float(np.nanmean(gap_row)) if np.isfinite(gap_row).any() else np.nan
    counts = None if alerts is None else _alert_counts(alerts, bounds)

    table, members = _action_table(frame, tagged, kinds, gap_row=gap_row, late=late, early=early)
    table = _scored(table, n_rows=len(frame), overall_gap=overall_gap, timed=cut is not None, alert_counts=counts)
    enough = table["n"] >= min_n
    table["kind_order"] = [kinds.index(k) for k in table["slice_kind"]]
    actions = table[enough].sort_values(["score", "n", "kind_order", "dimension", "slice_value"],
                                        ascending=[False, False, True, True, True], kind="stable")
    actions = (actions if top is None else actions.head(top)).reset_index(drop=True)
    actions["rank"] = np.arange(1, len(actions) + 1)
    actions["quotes"] = typical_quotes(actions, members, tagged, window_ids.to_numpy(dtype=object))
    actions["reason"] = [_reason(a, timed=cut is not None, overall_gap=overall_gap) for a in actions.itertuples()]
    actions = actions[COLUMNS].astype({"n": int, "alerts": int, "rank": int})

    left_out = int((~enough).sum())
    formula = _formula(n_rows=len(frame), overall_gap=overall_gap, cut=cut, alerts_given=alerts is not None,
                       min_n=min_n, left_out=left_out)
    shown = None if bounds is None else (bounds[0].date(), (bounds[1] - pd.Timedelta(days=1)).date())
    params = {"slices": kinds, "skipped_slices": skipped, "min_n": min_n, "top": top, "n_rows": len(frame),
              "gap": gap is not None, "alerts": alerts is not None, "trend_from": cut, "quotes": QUOTES}
    return ActionRanking(actions, formula, left_out, shown, params)


def evidence_page(action: Mapping | pd.Series, *, window: tuple[date, date] | None = None) -> EvidenceLink:
    """The page that holds an action's evidence, and the filters to preset there.

    The first that applies: "gap" when the action has a measured gap, "forecast" when its trend part is
    above 1 (rising, or stored alerts), "segments" for a segment slice, else "sentiment". ``filters`` holds
    the ``dimension`` and the slice as a :class:`analytics.insights.filters.Filters` field (``products``,
    ``channels``, ``categories`` or ``segments``), plus ``date_from`` / ``date_to`` when ``window`` is given.

    >>> evidence_page({"dimension": "delivery", "slice_kind": "channel", "slice_value": "email",
    ...                "gap": float("nan"), "trend": 1.8, "alerts": 0})
    EvidenceLink(page='forecast', filters={'dimension': 'delivery', 'channels': ('email',)})
    """
    fields = action._asdict() if hasattr(action, "_asdict") else dict(action)
    kind = fields["slice_kind"]
    if pd.notna(fields.get("gap", np.nan)):
        page = "gap"
    elif fields.get("trend", 1) > 1 or fields.get("alerts", 0) > 0:
        page = "forecast"
    elif kind == "segment":
        page = "segments"
    else:
        page = "sentiment"
    filters = {"dimension": fields["dimension"]}
    if kind in _FILTER_FIELDS:
        filters[_FILTER_FIELDS[kind]] = (str(fields["slice_value"]),)
    if window is not None:
        filters.update(date_from=window[0], date_to=window[1])
    return EvidenceLink(page, filters)


def _check_options(min_n: int, top: int | None) -> None:
    for name, value, allow_none in (("min_n", min_n, False), ("top", top, True)):
        if value is None and allow_none:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name}={value!r} should be a whole number of at least 1"
                             + (" (or None for all actions)." if allow_none else "."))


def _slice_kinds(rows: pd.DataFrame, slices: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The slice kinds to rank, in the given order, and the canonical ones skipped because the data lacks them."""
    if isinstance(slices, str):
        slices = (slices,)
    kinds, skipped = [], []
    for kind in dict.fromkeys(slices):
        if kind == "all" or (kind in rows.columns and rows[kind].notna().any()):
            kinds.append(kind)
        elif kind in SLICE_KINDS:
            skipped.append(kind)
        else:
            raise ValueError(f"slices has {kind!r}, which is not a column of the data; use 'all' or columns such as "
                             f"{[k for k in SLICE_KINDS[1:] if k in rows.columns]}.")
    if not kinds:
        raise ValueError(f"None of the slices {list(slices)} is in the data; add 'all' or map a product, channel or "
                         "category column on the Data page.")
    return tuple(kinds), tuple(skipped)


def _record_ids(rows: pd.DataFrame) -> pd.Index:
    """The rows' record ids as strings; ValueError when absent or repeated."""
    if "record_id" not in rows.columns:
        raise ValueError("Ranked actions need a record_id column in the rows to match the mentions to them.")
    ids = pd.Index(rows["record_id"].astype(str).to_numpy(dtype=object))
    if not ids.is_unique:
        raise ValueError(f"record_id should be unique; {ids[ids.duplicated()][:3].tolist()} repeat, so a mention "
                         "could belong to several rows.")
    return ids


def _window_mask(ts: pd.Series, window) -> tuple[np.ndarray, tuple[pd.Timestamp, pd.Timestamp] | None]:
    """Rows inside the window (whole days, both ends included) and its [start, end) bounds."""
    if window is None:
        return np.ones(len(ts), dtype=bool), None
    try:
        start, end = (pd.Timestamp(day).normalize() for day in window)
    except (TypeError, ValueError) as error:
        raise ValueError(f"window={window!r} should be two dates (start, end).") from error
    if start > end:
        raise ValueError(f"The window starts on {start.date()} after it ends on {end.date()}; swap them.")
    if ts.notna().sum() == 0:
        raise ValueError("A date window needs timestamps: map a date column on the Data page, or use window=None.")
    if ts.dt.tz is not None:
        start, end = start.tz_localize(ts.dt.tz), end.tz_localize(ts.dt.tz)
    bounds = (start, end + pd.Timedelta(days=1))
    return ((ts >= bounds[0]) & (ts < bounds[1])).to_numpy(dtype=bool), bounds


def _days(bounds: tuple[pd.Timestamp, pd.Timestamp] | None) -> str:
    if bounds is None:
        return "(all dates)"
    return f"{bounds[0].date()} – {(bounds[1] - pd.Timedelta(days=1)).date()}"


def _window_mentions(mentions: pd.DataFrame | None, ids: pd.Index) -> pd.DataFrame:
    """``pos`` (row position in the window), dimension, polarity, sentence: one row per (row, dimension)."""
    if mentions is None or not len(mentions):
        raise ValueError("Ranked actions need the texts tagged with service dimensions or topics (mentions with "
                         "record_id, dimension and polarity): map a text column and tag it on the Topics page.")
    missing = [c for c in ("record_id", "dimension", "polarity") if c not in mentions.columns]
    if missing:
        raise ValueError(f"The mentions lack {missing}; ranked actions need record_id, dimension and polarity "
                         "(−1/0/+1) per mention, as the Topics page stores them.")
    pos = ids.get_indexer(mentions["record_id"].astype(str).to_numpy(dtype=object))
    dimension = labels(mentions, "dimension").to_numpy(dtype=object)
    polarity = pd.to_numeric(mentions["polarity"], errors="coerce").fillna(0).to_numpy(dtype=float)
    sentence = labels(mentions, "sentence").to_numpy(dtype=object)
    keep = (pos >= 0) & pd.notna(dimension)
    if not keep.any():
        raise ValueError(f"None of the {len(ids):,} interactions in the window has a tagged mention; widen the "
                         "window or tag the texts on the Topics page.")
    tagged = pd.DataFrame({"pos": pos[keep], "dimension": dimension[keep], "polarity": polarity[keep],
                           "sentence": sentence[keep]})
    if tagged.duplicated(["pos", "dimension"]).any():  # a pair listed twice takes the sign of its summed polarities
        tagged = tagged.groupby(["pos", "dimension"], sort=False).agg(
            polarity=("polarity", "sum"), sentence=("sentence", "first")).reset_index()
    return tagged.assign(polarity=np.sign(tagged["polarity"].to_numpy(dtype=float)).astype(int))


def _periods(ts: pd.Series, bounds) -> tuple[np.ndarray, np.ndarray, pd.Timestamp | None]:
    """Rows in the last third and in the first two thirds of the window, and where the last third starts."""
    none = np.zeros(len(ts), dtype=bool)
    known = ts.notna().to_numpy()
    if not known.any():
        return none, none, None
    start, stop = bounds if bounds is not None else (ts.min(), ts.max())
    if stop <= start:
        return none, none, None
    cut = start + (stop - start) * (1 - LATE_FRACTION)
    late = (ts >= cut).to_numpy(dtype=bool) & known
    return late, known & ~late, cut


def _row_gaps(gap: pd.DataFrame | None, ids: pd.Index) -> np.ndarray:
    """Each window row's expectation gap (NaN without one)."""
    if gap is None:
        return np.full(len(ids), np.nan)
    missing = [c for c in ("record_id", "gap") if c not in gap.columns]
    if missing:
        raise ValueError(f"The gap frame lacks {missing}; pass PairedScores.frame (record_id, expected, "
                         "experienced, gap) from analytics.insights.gap.paired_scores.")
    values = pd.Series(pd.to_numeric(gap["gap"], errors="coerce").to_numpy(dtype=float),
                       index=gap["record_id"].astype(str).to_numpy(dtype=object))
    values = values[~values.index.duplicated()]
    return values.reindex(ids).to_numpy(dtype=float)


def _alert_counts(alerts: pd.DataFrame, bounds) -> dict[tuple[str, str], int]:
    """Alerts per (slice kind, slice value) whose period starts in the window."""
    missing = [c for c in ("slice_column", "slice_value", "period") if c not in alerts.columns]
    if missing:
        raise ValueError(f"The alerts lack {missing}; pass the stored alerts of a scan (Forecast & alerts page).")
    period = pd.to_datetime(alerts["period"], errors="coerce")
    if period.dt.tz is not None:  # alerts and rows are compared on local clock time
        period = period.dt.tz_localize(None)
    keep = period.notna()
    if bounds is not None:
        start, stop = (bound.tz_localize(None) if bound.tz is not None else bound for bound in bounds)
        keep &= (period >= start) & (period < stop)
    column = alerts["slice_column"].astype(str)[keep]
    kind = column.where(column != ALL, "all")
    value = alerts["slice_value"].astype(str)[keep].where(column != ALL, ALL_VALUE)
    counts = pd.DataFrame({"kind": kind.to_numpy(dtype=object), "value": value.to_numpy(dtype=object)}).value_counts()
    return {key: int(count) for key, count in counts.items()}


def _slice_values(frame: pd.DataFrame, kind: str) -> np.ndarray:
    """Each row's value of the slice kind (NaN where blank)."""
    if kind == "all":
        return np.full(len(frame), ALL_VALUE, dtype=object)
    values = labels(frame, kind)
    return values.where(values.str.strip().ne("")).to_numpy(dtype=object)


def _action_table(frame: pd.DataFrame, tagged: pd.DataFrame, kinds: tuple[str, ...], *, gap_row: np.ndarray,
                  late: np.ndarray, early: np.ndarray):
    """Counts per action over every slice kind, and ``members(kind, dimension, value)``: its negative mentions."""
    pos = tagged["pos"].to_numpy()
    negative = tagged["polarity"].to_numpy() < 0
    dim_codes, dim_names = pd.factorize(tagged["dimension"].to_numpy(dtype=object))
    parts, lookups = [], {}
    for kind in kinds:
        table, lookups[kind] = _cells(_slice_values(frame, kind), pos, dim_codes, dim_names, negative=negative,
                                      gap=gap_row[pos], late=late, early=early)
        parts.append(table.assign(slice_kind=kind))
    dims = pd.Index(dim_names)

    def members(kind: str, dimension: str, value: str) -> np.ndarray:
        values, cells, mention, n_values = lookups[kind]
        cell = dims.get_loc(dimension) * n_values + values.get_loc(value)
        return mention[np.searchsorted(cells, cell, "left"):np.searchsorted(cells, cell, "right")]

    return pd.concat(parts, ignore_index=True), members


def _scored(table: pd.DataFrame, *, n_rows: int, overall_gap: float, timed: bool,
            alert_counts: dict | None) -> pd.DataFrame:
    """The four parts, their product and the action's own mean gap and alert count."""
    n = table["n"].to_numpy(dtype=int)
    n_gap = table["n_gap"].to_numpy(dtype=float)
    own_gap = np.divide(table["gap_sum"].to_numpy(dtype=float), n_gap, out=np.full(len(table), np.nan),
                        where=n_gap > 0)
    if np.isfinite(overall_gap):
        gap_part = np.where(np.isfinite(own_gap), np.abs(own_gap), abs(overall_gap))
    else:
        gap_part = np.ones(len(table))
    ratio = _trend_ratio(table, timed=timed)
    n_alerts = np.zeros(len(table), dtype=int) if alert_counts is None else np.array(
        [alert_counts.get((k, v), 0) for k, v in zip(table["slice_kind"], table["slice_value"])], dtype=int)
    volume_share = n / n_rows
    negativity = table["negatives"].to_numpy(dtype=float) / n
    trend = ratio * (1 + ALERT_WEIGHT * n_alerts)
    return table.assign(volume_share=volume_share, negativity=negativity, gap_part=gap_part, trend=trend,
                        score=volume_share * negativity * gap_part * trend, gap=own_gap, alerts=n_alerts, ratio=ratio)


def _cells(values: np.ndarray, pos: np.ndarray, dim_codes: np.ndarray, dim_names: np.ndarray, *,
           negative: np.ndarray, gap: np.ndarray, late: np.ndarray, early: np.ndarray) -> tuple[pd.DataFrame, tuple]:
    """Counts per (dimension, slice value) of one slice kind, and where its negative mentions are.

    ``values`` holds each window row's slice value; ``pos``, ``dim_codes``, ``negative`` and ``gap`` describe
    each mention. Returns the cells with a mention (dimension, slice_value, n, negatives, gap_sum, n_gap,
    late_neg, early_neg, late_rows, early_rows) and (value index, sorted cell codes, mention positions,
    number of values) to find a cell's negative mentions by binary search.
    """
    value_codes, value_names = pd.factorize(values)
    n_values, n_cells = len(value_names), len(dim_names) * len(value_names)
    code = value_codes[pos]
    keep = code >= 0
    cell = dim_codes[keep] * n_values + code[keep]
    neg, known_gap = negative[keep], np.isfinite(gap[keep])

    def count(weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(cell, None if weights is None else weights.astype(float), minlength=n_cells)

    n = count()
    present = np.flatnonzero(n)
    dimension, value = np.divmod(present, max(n_values, 1))
    sliced = value_codes >= 0
    rows_late = np.bincount(value_codes[sliced], late[sliced].astype(float), minlength=n_values)
    rows_early = np.bincount(value_codes[sliced], early[sliced].astype(float), minlength=n_values)
    table = pd.DataFrame({
        "dimension": np.asarray(dim_names, dtype=object)[dimension],
        "slice_value": np.asarray(value_names, dtype=object)[value],
        "n": n[present].astype(int),
        "negatives": count(neg)[present],
        "gap_sum": count(np.where(known_gap, gap[keep], 0.0))[present],
        "n_gap": count(known_gap)[present],
        "late_neg": count(neg & late[pos][keep])[present],
        "early_neg": count(neg & early[pos][keep])[present],
        "late_rows": rows_late[value],
        "early_rows": rows_early[value],
    })
    order = np.argsort(cell[neg], kind="stable")
    return table, (pd.Index(value_names), cell[neg][order], np.flatnonzero(keep)[neg][order], n_values)


def _trend_ratio(table: pd.DataFrame, *, timed: bool) -> np.ndarray:
    """Late ÷ early share of the slice's interactions with a negative mention, clipped; 1 where not comparable."""
    if not timed:
        return np.ones(len(table))
    late_rows, early_rows = table["late_rows"].to_numpy(dtype=float), table["early_rows"].to_numpy(dtype=float)
    late_neg, early_neg = table["late_neg"].to_numpy(dtype=float), table["early_neg"].to_numpy(dtype=float)
    comparable = (late_rows > 0) & (early_rows > 0) & (late_neg + early_neg > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (late_neg / late_rows) / (early_neg / early_rows)  # no early complaint: inf, clipped to the cap
    return np.where(comparable, np.clip(ratio, *TREND_CLIP), 1.0)


def _signed(value: float) -> str:
    return f"{value:+.2f}".replace("-", _MINUS)


def _percent(share: float) -> str:
    return f"{100 * share:.1f} %" if share < 0.1 else f"{100 * share:.0f} %"


def _reason(action, *, timed: bool, overall_gap: float) -> str:
    """One line: what, where, and each part in words."""
    kind, value = action.slice_kind, action.slice_value
    where = {"all": "across all interactions", "product": f"for {value}", "channel": f"in {value}",
             "category": f"in {value}", "segment": f"in segment {value}"}.get(kind, f"in {kind} {value}")
    if np.isfinite(action.gap):
        gap = f"gap {_signed(action.gap)} on 0–1"
    elif np.isfinite(overall_gap):
        gap = f"gap not measured here (the window's {_signed(overall_gap)} used)"
    else:
        gap = "gap not available"
    if not timed:
        trend = "trend not available (no timestamps)"
    elif action.ratio > 1:
        trend = f"rising ×{action.ratio:.2f}" + (" (capped)" if action.ratio >= TREND_CLIP[1] else "")
    elif action.ratio < 1:
        trend = f"falling ×{action.ratio:.2f}" + (" (floored)" if action.ratio <= TREND_CLIP[0] else "")
    else:
        trend = "steady"
    if action.alerts:
        trend += f", {action.alerts} alert{'s' if action.alerts > 1 else ''} (×{1 + ALERT_WEIGHT * action.alerts:.2f})"
    return (f"{action.dimension} complaints {where}: {_percent(action.volume_share)} of interactions, "
            f"{_percent(action.negativity)} negative, {gap}, {trend}")


def _formula(*, n_rows: int, overall_gap: float, cut: pd.Timestamp | None, alerts_given: bool, min_n: int,
             left_out: int) -> str:
    """The scoring formula as plain text, one part a line."""
    if np.isfinite(overall_gap):
        gap = ("gap part = |mean expectation gap| (0–1 scale) of the mentioning interactions that have one; "
               f"where none has one, the window's |mean gap| ({abs(overall_gap):.3f})")
    else:
        gap = "gap part = 1: gap not available (no expectation gap for these interactions)"
    alerts = (f" × (1 + {ALERT_WEIGHT} × stored alerts on the slice in the window)" if alerts_given
              else "; no stored alerts given")
    if cut is None:
        trend = f"trend = 1 (no timestamps, so no trend){alerts}"
    else:
        trend = ("trend = share of the slice's interactions with a negative mention of the dimension from "
                 f"{cut:%Y-%m-%d}{'' if cut == cut.normalize() else f' {cut:%H:%M}'} on (the last third of the "
                 f"window) ÷ that share before it, clipped to [{TREND_CLIP[0]:g}, {TREND_CLIP[1]:g}]{alerts}")
    return "\n".join([
        "score = volume share × negativity × gap part × trend",
        f"volume share = mentions of the dimension in the slice ÷ all {n_rows:,} interactions in the window",
        "negativity = negative mentions ÷ mentions of the dimension in the slice",
        gap,
        trend,
        f"Actions with fewer than {min_n} mentions are left out: {left_out}.",
    ])
