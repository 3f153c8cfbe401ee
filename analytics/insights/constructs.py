"""Multi-item survey constructs: several source columns measuring expectation or experience, scored on 0–1."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.ingest.ratings import detect_rating_scale

CONSTRUCT_NAMES = ("expectation", "experience")
_SCORE_COLUMNS = {"expectation": ("expected", "items_expected"), "experience": ("experienced", "items_experienced")}
_ITEM = re.compile(r"^([A-Za-z]+)_?(\d+)$")  # an item of a family: alphabetic stem, digits ("expe1", "CUEX_3")


@dataclass(frozen=True)
class ConstructItem:
    """One source column of a construct and the range its answers are written on."""

    column: str
    low: float
    high: float

    def __post_init__(self) -> None:
        if not self.high > self.low:
            raise ValueError(f"Item {self.column!r} needs high > low, got low={self.low:g}, high={self.high:g}.")


@dataclass(frozen=True)
class Construct:
    """Several items measuring one thing: ``name`` is 'expectation' or 'experience'."""

    name: str
    items: tuple[ConstructItem, ...]

    def __post_init__(self) -> None:
        if self.name not in CONSTRUCT_NAMES:
            raise ValueError(f"Construct name={self.name!r} should be one of {list(CONSTRUCT_NAMES)}.")


def detect_item_range(values: pd.Series) -> tuple[float, float]:
    """The range one item's answers are written on, detected from its values (numbers, or numbers as text).

    Uses the rating-scale rules of :func:`analytics.ingest.ratings.detect_rating_scale` (answers within 1–5
    mean 1–5, up to 10 mean 1–10), except that any 0 among the answers starts the scale at 0 (0–5, 0–10).

    Raises
    ------
    ValueError
        The values are not numeric (the message names the column).

    Examples
    --------
    >>> detect_item_range(pd.Series(["0", "7", "10"], name="sat1"))
    (0.0, 10.0)
    """
    name = "this column" if values.name is None else repr(values.name)
    try:
        scale = detect_rating_scale(values)
    except ValueError as err:
        raise ValueError(f"Column {name} cannot be a survey item: {err}") from err
    if scale.kind == "thumbs":
        raise ValueError(f"Column {name} cannot be a survey item: its answers are thumbs up/down, not numbers.")
    # The rating rules leave a rare 0 (under 1 % of 100+ answers) outside a 1–10 scale as an outlier; every
    # answer of a survey item counts, and a 0 among them means the scale starts at 0.
    low = 0.0 if scale.low == 1 and (_numbers(values) == 0).any() else scale.low
    return low, scale.high


def suggest_constructs(columns: Sequence[str], mapping: Mapping[str, str | None]) -> dict[str, list[str]]:
    """Item families to propose as constructs, from the columns mapped to ``expected`` and ``rating``.

    A family is two or more columns sharing an alphabetic stem followed by digits (``expe1`` … ``expe5``,
    ``CUEX1`` … ``CUEX3``), case-insensitive, in the order of their numbers. The family of the column mapped to
    ``expected`` is proposed as the expectation construct and that of the column mapped to ``rating`` as the
    experience construct; a side whose column belongs to no family is left out ({} when nothing fits).

    Examples
    --------
    >>> suggest_constructs(["id", "expe1", "expe2", "sat1", "sat2"], {"expected": "expe1", "rating": "sat1"})
    {'expectation': ['expe1', 'expe2'], 'experience': ['sat1', 'sat2']}
    """
    families: dict[str, list[tuple[int, str]]] = {}
    for column in columns:
        found = _ITEM.match(str(column).strip())
        if found:
            families.setdefault(found.group(1).lower(), []).append((int(found.group(2)), column))
    suggested = {}
    for name, field in (("expectation", "expected"), ("experience", "rating")):
        found = _ITEM.match(str(mapping.get(field) or "").strip())
        family = sorted(families.get(found.group(1).lower(), [])) if found else []
        if len(family) >= 2:
            suggested[name] = [column for _, column in family]
    return suggested


def build_constructs(raw: pd.DataFrame, columns: Mapping[str, Sequence[str]]) -> tuple[Construct, ...]:
    """Constructs from ``{"expectation": [...], "experience": [...]}``, each item's range detected.

    Examples
    --------
    >>> raw = pd.DataFrame({"e1": ["1", "5"], "s1": ["0", "10"]})
    >>> [c.items[0].high for c in build_constructs(raw, {"expectation": ["e1"], "experience": ["s1"]})]
    [5.0, 10.0]
    """
    _check_columns(raw, {name: list(items) for name, items in columns.items()})
    return tuple(Construct(name, tuple(ConstructItem(c, *detect_item_range(raw[c])) for c in items))
                 for name, items in columns.items())


def _check_columns(raw: pd.DataFrame, columns: Mapping[str, Sequence[str]]) -> None:
    for name in CONSTRUCT_NAMES:
        if not columns.get(name):
            state = "empty" if name in columns else "missing"
            raise ValueError(f"The {name} construct is {state}: map at least one source column to it on the Data "
                             "page.")
    missing = [c for items in columns.values() for c in items if c not in raw.columns]
    if missing:
        raise ValueError(f"Survey item column(s) {missing} are not in the source table; it has "
                         f"{[c for c in raw.columns if c != '_row']}.")


def _numbers(values: pd.Series) -> np.ndarray:
    text = values.astype("str").str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _item_values(raw: pd.DataFrame, item: ConstructItem) -> np.ndarray:
    return np.clip((_numbers(raw[item.column]) - item.low) / (item.high - item.low), 0.0, 1.0)


def construct_scores(raw: pd.DataFrame, constructs: Sequence[Construct]) -> pd.DataFrame:
    """Each respondent's expectation and experience scores on one common 0–1 scale.

    Parameters
    ----------
    raw : DataFrame
        The source table as stored (values as text), with ``_row`` (the 1-based data row; numbered from 1
        when absent).
    constructs : sequence of Construct
        One 'expectation' and one 'experience' construct (a later one of the same name replaces an earlier).

    Returns
    -------
    DataFrame
        ``_row, expected, experienced, items_expected, items_experienced``: each item value becomes
        ``(v − low) / (high − low)`` clipped to 0–1 (non-numeric: left out), so items on different scales
        count alike; a score is the mean of the row's available items (NaN when none), ``items_*`` how many.

    Raises
    ------
    ValueError
        An item column is not in ``raw``, or the expectation or experience construct is absent or empty.
    """
    by_name = {c.name: c for c in constructs}
    _check_columns(raw, {name: [i.column for i in c.items] for name, c in by_name.items()})
    rows = raw["_row"].to_numpy() if "_row" in raw.columns else np.arange(1, len(raw) + 1)
    out = pd.DataFrame({"_row": rows})
    for name in CONSTRUCT_NAMES:
        values = np.column_stack([_item_values(raw, item) for item in by_name[name].items])
        used = np.isfinite(values).sum(axis=1)
        score, count = _SCORE_COLUMNS[name]
        with np.errstate(invalid="ignore"):
            out[score] = np.nansum(values, axis=1) / np.where(used > 0, used, np.nan)
        out[count] = used
    return out[["_row", "expected", "experienced", "items_expected", "items_experienced"]]
