"""Verbatim search: the customers' own words behind every number, as a display-ready table."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# Display column → canonical column.
DISPLAY_COLUMNS: dict[str, str] = {
    "timestamp": "timestamp",
    "rating": "rating_raw",
    "channel": "channel",
    "category": "category",
    "product": "product",
    "text": "text",
    "record_id": "record_id",
}
_SEARCHED = ("text", "product", "category")


@dataclass(frozen=True)
class VerbatimPage:
    """One page of matching verbatims and how many matched in all."""

    rows: pd.DataFrame
    total: int
    matched_ids: tuple[str, ...] = ()  # every match, for actions on all of them (bulk relabel)

    @property
    def truncated(self) -> bool:
        """True when more rows matched than ``rows`` holds."""
        return self.total > len(self.rows)


def _as_text(column: pd.Series) -> pd.Series:
    """A column as pandas strings (missing stays missing)."""
    if pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
        return column
    return column.astype(object).map(str, na_action="ignore").astype("str")


def _sort_key(frame: pd.DataFrame, sort_by: str) -> pd.Series:
    """Values to order rows by; text sorts case-insensitively, like a spreadsheet."""
    source = DISPLAY_COLUMNS[sort_by]
    if source not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    column = frame[source]
    if sort_by == "timestamp":
        return pd.to_datetime(column, errors="coerce")
    if sort_by == "rating":
        return pd.to_numeric(column, errors="coerce").astype(float)
    return _as_text(column).str.casefold()


def _display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The display columns, with absent canonical columns filled as missing."""
    out = {}
    for shown, source in DISPLAY_COLUMNS.items():
        if source in frame.columns:
            column = frame[source]
            if shown == "timestamp":
                column = pd.to_datetime(column, errors="coerce")
            elif shown == "rating":
                column = pd.to_numeric(column, errors="coerce").astype(float)
            else:
                column = _as_text(column)
        elif shown == "timestamp":
            column = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
        elif shown == "rating":
            column = pd.Series(np.nan, index=frame.index, dtype=float)
        else:
            column = pd.Series(None, index=frame.index, dtype="str")
        out[shown] = column
    return pd.DataFrame(out, index=frame.index)


def search_verbatims(
    frame: pd.DataFrame,
    *,
    query: str = "",
    limit: int = 500,
    sort_by: str = "timestamp",
    ascending: bool = False,
) -> VerbatimPage:
    """Find interactions whose text, product or category contains ``query``.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame (already filtered); not mutated.
    query : str, default ""
        Plain, case-insensitive substring (regex characters such as ``.`` or ``(`` match
        themselves); surrounding spaces are ignored; empty matches every row.
    limit : int, default 500
        Most rows returned; ``total`` still counts every match.
    sort_by : str, default "timestamp"
        A display column: ``timestamp``, ``rating``, ``channel``, ``category``, ``product``,
        ``text`` or ``record_id``. Missing values always sort last.
    ascending : bool, default False
        Sort direction (newest first by default).

    Returns
    -------
    VerbatimPage
        ``rows`` with columns timestamp, rating (original scale), channel, category, product,
        text, record_id and a fresh 0..n-1 index; ``total`` = number of matching rows.

    Examples
    --------
    >>> page = search_verbatims(frame, query="late (again)", limit=50)  # doctest: +SKIP
    >>> page.total, len(page.rows)  # doctest: +SKIP
    (3, 3)
    """
    if sort_by not in DISPLAY_COLUMNS:
        raise ValueError(f"sort_by={sort_by!r} should be one of {', '.join(DISPLAY_COLUMNS)}.")
    if isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 0:
        raise ValueError(f"limit={limit!r} should be a whole number >= 0.")
    needle = (query or "").strip()
    matched = frame
    if needle:
        mask = np.zeros(len(frame), dtype=bool)
        for column in _SEARCHED:
            if column in frame.columns:
                hits = _as_text(frame[column]).str.contains(needle, case=False, regex=False, na=False)
                mask |= hits.to_numpy(dtype=bool)
        matched = frame.loc[mask]
    total = len(matched)
    # Sort only the sort key, then build the display columns for the rows shown.
    key = _sort_key(matched, sort_by).reset_index(drop=True)
    order = key.sort_values(ascending=ascending, na_position="last", kind="stable").index[: int(limit)]
    rows = _display_frame(matched.iloc[order.to_numpy()]).reset_index(drop=True)
    matched_ids = tuple(matched["record_id"].astype(str)) if "record_id" in matched.columns else ()
    return VerbatimPage(rows=rows, total=total, matched_ids=matched_ids)


def shorten_cells(frame: pd.DataFrame, *, max_chars: int = 300) -> pd.DataFrame:
    """A copy whose long text cells end in '…' after ``max_chars`` characters, for previews.

    A file can hold a 30 MB cell; a preview must not send it to the browser.

    Examples
    --------
    >>> shorten_cells(pd.DataFrame({"t": ["abcdef", None]}), max_chars=3)["t"].tolist()
    ['abc…', nan]
    """
    shortened = frame.copy()
    for column in shortened.columns:
        values = shortened[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            text = values.astype(object)
            long = text.map(lambda v: isinstance(v, str) and len(v) > max_chars)
            if long.any():
                shortened[column] = text.where(~long, text.map(lambda v: v[:max_chars] + "…" if isinstance(v, str)
                                                               else v))
    return shortened
