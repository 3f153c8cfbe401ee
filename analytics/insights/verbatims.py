"""Verbatim search: the customers' own words behind every number, as a display-ready table."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
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
_ASCII_WORD = re.compile(r"^[a-z0-9]+$")


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


def fold(text: str) -> str:
    """Text as search compares it: case-folded, accents removed ("Café" and "CAFE" are alike).

    >>> fold("Café CRÈME")
    'cafe creme'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """A crude English stem, so that "deliveries", "delivered" and "delivery" find each other.

    >>> [stem(w) for w in ("deliveries", "delivered", "delivery", "boxes", "shoes", "waiting", "late")]
    ['deliver', 'deliver', 'deliver', 'box', 'shoe', 'wait', 'late']
    """
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(("ches", "shes", "xes", "zes", "sses")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    if len(word) > 5 and word.endswith("y"):
        word = word[:-1]
    return word


def query_patterns(query: str) -> list[str]:
    r"""One regular expression per word of ``query``; a row matches when it matches them all, in any order.

    Plain words match the start of a word by their stem ("deliveries" finds "delivered");
    anything else (``$5``, ``a.b``, ``(again)``, Chinese text) matches literally.

    >>> query_patterns("Late deliveries $5")
    ['(?<![a-z0-9])late', '(?<![a-z0-9])deliver', '\\$5']
    """
    patterns = []
    for word in fold(query or "").split():
        if _ASCII_WORD.match(word):
            patterns.append(r"(?<![a-z0-9])" + re.escape(stem(word)))
        else:
            patterns.append(re.escape(word))
    return patterns


def _haystack(frame: pd.DataFrame) -> pd.Series:
    """The searched columns of each row joined and folded; only non-ASCII rows take the slow accent fold."""
    searched = [_as_text(frame[c]).fillna("") for c in _SEARCHED if c in frame.columns]
    if not searched:
        return pd.Series("", index=frame.index, dtype="str")
    joined = searched[0].str.cat(searched[1:], sep="\n") if len(searched) > 1 else searched[0]
    lowered = joined.str.lower()
    special = joined.str.contains(r"[^\x00-\x7f]", regex=True, na=False)
    if special.any():
        lowered = lowered.where(~special, joined[special].map(fold))
    return lowered


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
    limit: int | None = 500,
    sort_by: str = "timestamp",
    ascending: bool = False,
) -> VerbatimPage:
    """Find interactions whose text, product or category contains ``query``.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame (already filtered); not mutated.
    query : str, default ""
        Words that must all occur, in any order, in the text, product or category; case and
        accents are ignored, plain words match by their stem ("late deliveries" finds
        "delivered two weeks late") and other tokens literally (``$5``, ``(again)``, ``a.b``).
        Empty matches every row.
    limit : int or None, default 500
        Most rows returned (None: every match); ``total`` still counts every match.
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
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 0):
        raise ValueError(f"limit={limit!r} should be a whole number >= 0, or None for every match.")
    patterns = query_patterns(query)
    matched = frame
    if patterns:
        haystack = _haystack(frame)
        mask = np.ones(len(frame), dtype=bool)
        for pattern in patterns:
            mask &= haystack.str.contains(pattern, regex=True, na=False).to_numpy(dtype=bool)
        matched = frame.loc[mask]
    total = len(matched)
    # Sort only the sort key, then build the display columns for the rows shown.
    key = _sort_key(matched, sort_by).reset_index(drop=True)
    order = key.sort_values(ascending=ascending, na_position="last", kind="stable").index[: None if limit is None else int(limit)]
    rows = _display_frame(matched.iloc[order.to_numpy()]).reset_index(drop=True)
    matched_ids = tuple(matched["record_id"].astype(str)) if "record_id" in matched.columns else ()
    return VerbatimPage(rows=rows, total=total, matched_ids=matched_ids)


def enrich_verbatims(rows: pd.DataFrame, *, sentiment: pd.DataFrame | None = None,
                     tags: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Verbatim rows with what the models said about them, for exports: sentiment, confidence, tags.

    Parameters
    ----------
    rows : DataFrame
        Verbatims with ``record_id`` (as :func:`search_verbatims` returns them); not mutated.
    sentiment : DataFrame, optional
        Stored predictions: ``record_id``, ``label``, ``confidence`` and optionally ``source``
        ("you" for people's labels).
    tags : mapping of str to DataFrame, optional
        Column name (e.g. "intent", "topic") → frame of ``record_id`` and ``label``.

    Returns
    -------
    DataFrame
        ``rows`` in the same order with ``sentiment``, ``sentiment_confidence`` (and
        ``labelled_by``) and one column per tag; missing where a row was not scored.

    Examples
    --------
    >>> rows = pd.DataFrame({"record_id": ["a", "b"], "text": ["late", "great"]})
    >>> preds = pd.DataFrame({"record_id": ["b"], "label": ["positive"], "confidence": [0.9]})
    >>> enrich_verbatims(rows, sentiment=preds)["sentiment"].tolist()
    [nan, 'positive']
    """
    out = rows.copy()
    ids = out["record_id"].astype(str)
    if sentiment is not None:
        by_id = sentiment.assign(record_id=sentiment["record_id"].astype(str)).drop_duplicates("record_id")
        by_id = by_id.set_index("record_id")
        out["sentiment"] = ids.map(by_id["label"]).to_numpy()
        out["sentiment_confidence"] = ids.map(by_id["confidence"]).to_numpy(dtype=float)
        if "source" in by_id.columns:
            out["labelled_by"] = ids.map(by_id["source"]).to_numpy()
    for column, frame in (tags or {}).items():
        labels = frame.assign(record_id=frame["record_id"].astype(str)).drop_duplicates("record_id")
        out[column] = ids.map(labels.set_index("record_id")["label"]).to_numpy()
    return out


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
