"""Global filters (date range, category, channel, product, customer segment) applied to the canonical frame."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import pandas as pd

from analytics.insights.columns import timestamps

# Dimension filters: (Filters attribute, canonical column, label used by ``describe``).
_DIMENSIONS: tuple[tuple[str, str, str], ...] = (
    ("categories", "category", "category"),
    ("channels", "channel", "channel"),
    ("products", "product", "product"),
)
# ``describe`` lists at most this many values per dimension, then "+N more".
_DESCRIBE_MAX_VALUES = 5


def _as_date(value: date | datetime | str | None, name: str) -> date | None:
    """Coerce a bound to a plain ``date`` (datetimes lose their time of day)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{name}={value!r} is not a date; use YYYY-MM-DD.") from exc


def _as_tuple(values, name: str) -> tuple[str, ...]:
    """Coerce a selection to a tuple of strings (a lone string is one value, not its letters)."""
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,)
    try:
        return tuple(str(v) for v in values)
    except TypeError as exc:
        raise ValueError(f"{name}={values!r} should be a list of values.") from exc


@dataclass(frozen=True)
class Filters:
    """A selection of rows: an inclusive date range and allowed values per dimension.

    Empty selections mean "all". Lists are stored as tuples so a ``Filters`` can key a cache.

    Examples
    --------
    >>> Filters(date(2024, 1, 1), date(2024, 6, 30), channels=("chat", "email")).describe()
    '2024-01-01 – 2024-06-30 · channel: chat, email'
    """

    date_from: date | None = None
    date_to: date | None = None
    categories: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()  # names in a saved segmentation; apply_filters gets its members
    segmentation: str = ""  # that segmentation's name, for describe

    def __post_init__(self) -> None:
        object.__setattr__(self, "date_from", _as_date(self.date_from, "date_from"))
        object.__setattr__(self, "date_to", _as_date(self.date_to, "date_to"))
        for attr, _, _ in _DIMENSIONS:
            object.__setattr__(self, attr, _as_tuple(getattr(self, attr), attr))
        object.__setattr__(self, "segments", _as_tuple(self.segments, "segments"))
        if self.date_from is not None and self.date_to is not None and self.date_from > self.date_to:
            raise ValueError(
                f"date_from={self.date_from.isoformat()} is after date_to={self.date_to.isoformat()}; "
                "pick a start date on or before the end date."
            )

    @property
    def is_empty(self) -> bool:
        """True when the filters keep every row."""
        return (
            self.date_from is None
            and self.date_to is None
            and not any(getattr(self, attr) for attr, _, _ in _DIMENSIONS)
            and not self.segments
        )

    def describe(self) -> str:
        """Describe the selection in one line.

        Returns
        -------
        str
            For example ``"2024-01-01 – 2024-06-30 · channel: chat, email"``, or ``"All data"``
            when nothing is filtered.
        """
        parts: list[str] = []
        if self.date_from is not None and self.date_to is not None:
            parts.append(f"{self.date_from.isoformat()} – {self.date_to.isoformat()}")
        elif self.date_from is not None:
            parts.append(f"from {self.date_from.isoformat()}")
        elif self.date_to is not None:
            parts.append(f"until {self.date_to.isoformat()}")
        for attr, _, label in _DIMENSIONS:
            values = getattr(self, attr)
            if not values:
                continue
            shown = ", ".join(values[:_DESCRIBE_MAX_VALUES])
            if len(values) > _DESCRIBE_MAX_VALUES:
                shown += f" +{len(values) - _DESCRIBE_MAX_VALUES} more"
            parts.append(f"{label}: {shown}")
        if self.segments:
            parts.append(f"segment ({self.segmentation or 'saved'}): {', '.join(self.segments)}")
        return " · ".join(parts) if parts else "All data"


@dataclass(frozen=True)
class FilterOptions:
    """What a frame offers to filter on: its date span and the distinct values per dimension."""

    date_min: date | None
    date_max: date | None
    categories: tuple[str, ...]
    channels: tuple[str, ...]
    products: tuple[str, ...]


def _distinct(frame: pd.DataFrame, column: str) -> tuple[str, ...]:
    """Sorted distinct non-null, non-blank values of a column, as strings."""
    if column not in frame.columns:
        return ()
    values = {str(v) for v in frame[column].dropna().tolist()}
    return tuple(sorted(v for v in values if v.strip()))


def without_full_date_range(filters: Filters, options: FilterOptions) -> Filters:
    """Drop date bounds that span the whole data: the full range also keeps rows without a timestamp.

    A date picker always holds two dates, so "everything" arrives as the data's first and last
    day; read literally it would silently drop undated rows.
    """
    if (filters.date_from, filters.date_to) != (options.date_min, options.date_max):
        return filters
    return replace(filters, date_from=None, date_to=None)


def apply_filters(frame: pd.DataFrame, filters: Filters, members: pd.Series | None = None) -> pd.DataFrame:
    """Keep the rows of ``frame`` that match ``filters``.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame (``analytics.schema.STORED_COLUMNS``); not mutated.
    filters : Filters
        Inclusive date range and allowed values. Rows without a timestamp are dropped only when
        a date bound is set; rows with a missing category / channel / product are dropped only
        when that dimension is filtered.
    members : Series, optional
        customer_id → segment name of the saved segmentation ``filters.segments`` names; rows of
        customers outside the chosen segments (or without a customer) are dropped.

    Returns
    -------
    DataFrame
        A new frame with the matching rows, original index kept.
    """
    if filters.is_empty:
        return frame.copy()
    mask = pd.Series(True, index=frame.index)
    if filters.date_from is not None or filters.date_to is not None:
        ts = timestamps(frame)
        if filters.date_from is not None:
            mask &= ts >= pd.Timestamp(filters.date_from)
        if filters.date_to is not None:
            # Inclusive end date: everything before the next midnight.
            mask &= ts < pd.Timestamp(filters.date_to + timedelta(days=1))
    for attr, column, _ in _DIMENSIONS:
        allowed = getattr(filters, attr)
        if not allowed:
            continue
        if column not in frame.columns:
            mask &= False
            continue
        values = frame[column]
        if not (pd.api.types.is_string_dtype(values.dtype) and values.dtype != object):
            values = values.astype(object).map(str, na_action="ignore")
        mask &= values.notna() & values.isin(allowed)
    if filters.segments:
        if members is None or "customer_id" not in frame.columns:
            mask &= False
        else:
            chosen = members.index[members.isin(filters.segments)]
            mask &= frame["customer_id"].astype(object).map(str, na_action="ignore").isin(set(chosen))
    return frame.loc[mask.to_numpy(dtype=bool)].copy()


def filter_options(frame: pd.DataFrame) -> FilterOptions:
    """List the date span and distinct values a frame can be filtered on.

    Parameters
    ----------
    frame : DataFrame
        Canonical frame.

    Returns
    -------
    FilterOptions
        ``date_min`` / ``date_max`` are None when no row has a timestamp; value tuples are sorted
        and empty when the column is absent or entirely missing.
    """
    ts = timestamps(frame).dropna()
    return FilterOptions(
        date_min=ts.min().date() if len(ts) else None,
        date_max=ts.max().date() if len(ts) else None,
        categories=_distinct(frame, "category"),
        channels=_distinct(frame, "channel"),
        products=_distinct(frame, "product"),
    )
