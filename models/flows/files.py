"""The command line's input and output files, here because only ``models/flows`` may import ``analytics.ingest``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from analytics.export.tables import neutralise_formulas
from analytics.ingest import ratings as _ratings
from analytics.ingest.readers import ROW_COLUMN, FileProfile, profile_file, read_chunks

__all__ = [
    "OUTPUT_SUFFIXES",
    "TABLE_SUFFIXES",
    "normalise_ratings",
    "profile_table",
    "read_columns",
    "read_frames",
    "table_writer",
]

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".jsonl", ".json", ".xlsx")
"""Input file names the command line reads."""
OUTPUT_SUFFIXES = (".parquet", ".csv")
"""Output file names the command line writes."""


def profile_table(path: str | Path) -> FileProfile:
    """Check that ``path`` is a table Gapsight reads and profile it (format, encoding, columns, rows).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    FileProfile
        Its ``columns``, ``estimated_rows`` and ``warnings`` are known before any row is read.

    Raises
    ------
    ValueError
        The file does not exist, its name is not a table's, or it cannot be read (empty, a header
        without rows, binary data...), with a message saying what to do.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"Input file {path} does not exist.")
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise ValueError(
            f"Input file {path.name} is not a table Gapsight reads; use .csv, .tsv, .parquet, .jsonl or .xlsx."
        )
    return profile_file(path)


def read_frames(
    profile: FileProfile,
    *,
    rows: int,
    columns: Sequence[str] | None = None,
    read_rows: int | None = None,
    warn: Callable[[str], None] | None = None,
) -> Iterator[pd.DataFrame]:
    """Stream a profiled file as frames of exactly ``rows`` rows of strings (the last may be shorter).

    Only one frame's worth of rows (plus one reader chunk) is held at a time, whatever the file's
    size; the reader's own chunk boundaries do not show.

    Parameters
    ----------
    profile : FileProfile
        From :func:`profile_table`.
    rows : int
        Rows per frame, so that each frame is scored in the same blocks as the whole file would be.
    columns : sequence of str, optional
        Keep only these columns (all of the file's by default); the others are dropped chunk by chunk.
    read_rows : int, optional
        Rows per reader chunk (default ``rows``).
    warn : callable, optional
        Called once at the end with a message when some rows could not be read and were skipped.

    Yields
    ------
    pd.DataFrame
        A fresh 0-based index, no ``_row`` column; at least one frame, possibly empty.
    """
    if rows < 1:
        raise ValueError(f"rows={rows} should be >= 1")
    rejected, first = 0, None

    def frames() -> Iterator[pd.DataFrame]:
        nonlocal rejected, first
        for chunk in read_chunks(profile, chunk_rows=read_rows or rows):
            if chunk.rejected:
                rejected += len(chunk.rejected)
                first = first or chunk.rejected[0]
            frame = chunk.frame.drop(columns=[ROW_COLUMN], errors="ignore")
            yield frame if columns is None else frame[list(columns)]

    yield from _regroup(frames(), rows)
    if rejected and warn is not None:
        row, reason = first
        warn(f"{rejected} row(s) of {profile.filename} could not be read and were skipped "
             f"(first: row {row}: {reason})")


def _regroup(frames: Iterable[pd.DataFrame], rows: int) -> Iterator[pd.DataFrame]:
    """``frames`` cut and joined into frames of ``rows`` rows; at least one frame when any came in."""
    pending: list[pd.DataFrame] = []
    count, yielded = 0, False
    for frame in frames:
        pending.append(frame)
        count += len(frame)
        while count >= rows:
            whole = pd.concat(pending, ignore_index=True) if len(pending) > 1 else pending[0]
            yield whole.iloc[:rows].reset_index(drop=True)
            rest = whole.iloc[rows:]
            pending, count, yielded = [rest], len(rest), True
    if pending and (count or not yielded):
        yield pd.concat(pending, ignore_index=True) if len(pending) > 1 else pending[0].reset_index(drop=True)


def read_columns(
    profile: FileProfile,
    columns: Sequence[str],
    *,
    read_rows: int,
    warn: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """All rows of a few columns of a profiled file, read chunk by chunk (the other columns are never kept).

    Parameters
    ----------
    profile : FileProfile
        From :func:`profile_table`.
    columns : sequence of str
        Columns of the file (duplicates are read once).
    read_rows : int
        Rows per reader chunk.
    warn : callable, optional
        As for :func:`read_frames`.

    Returns
    -------
    pd.DataFrame
        The columns, in the order given, as strings or None; a 0-based index.
    """
    wanted = list(dict.fromkeys(columns))
    frames = list(read_frames(profile, rows=read_rows, columns=wanted, warn=warn))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def normalise_ratings(values: pd.Series) -> _ratings.ParsedRatings:
    """Raw ratings read on their detected scale and mapped to 0–1 (see ``analytics.ingest.ratings``).

    Parameters
    ----------
    values : pd.Series
        The rating column's raw values.

    Returns
    -------
    ParsedRatings
        ``normalised`` (NaN where empty or invalid) and the detected ``scale``.

    Raises
    ------
    ValueError
        No rating scale could be detected in the values.
    """
    return _ratings.normalise_ratings(values)


@contextmanager
def table_writer(path: str | Path) -> Iterator[Callable[[pd.DataFrame], None]]:
    """Write a table frame by frame to a ``.parquet`` or ``.csv`` file, which appears only when all is written.

    The rows go to a hidden temporary file beside ``path`` that replaces it on success and is deleted
    otherwise. The first frame fixes the columns; Parquet columns that are all empty in it are
    written as strings.

    Parameters
    ----------
    path : str or Path
        Ends in ``.parquet`` or ``.csv`` (CSV: header once, no index, like ``DataFrame.to_csv``).

    Yields
    ------
    callable
        ``append(frame)``, to call once per frame, in order; call it at least once.

    Raises
    ------
    ValueError
        The name ends in neither suffix.

    Examples
    --------
    >>> with table_writer("scored.parquet") as append:  # doctest: +SKIP
    ...     for frame in frames:
    ...         append(frame)
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise ValueError(f"{out.name} should end in .parquet or .csv.")
    temp = out.with_name(f".{out.name}.tmp")
    try:
        with (_parquet_appender if suffix == ".parquet" else _csv_appender)(temp) as append:
            yield append
        os.replace(temp, out)
    finally:
        if temp.exists():
            temp.unlink()


@contextmanager
def _parquet_appender(path: Path) -> Iterator[Callable[[pd.DataFrame], None]]:
    """``append(frame)`` adding each frame as row groups of one Parquet file (pandas metadata kept)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    state: dict = {}

    def append(frame: pd.DataFrame) -> None:
        if "writer" not in state:
            schema = pa.Schema.from_pandas(frame, preserve_index=False)
            for i, field in enumerate(schema):
                if pa.types.is_null(field.type):
                    schema = schema.set(i, field.with_type(pa.string()))
            state["schema"], state["writer"] = schema, pq.ParquetWriter(path, schema)
        state["writer"].write_table(pa.Table.from_pandas(frame, schema=state["schema"], preserve_index=False))

    try:
        yield append
    finally:
        if "writer" in state:
            state["writer"].close()


@contextmanager
def _csv_appender(path: Path) -> Iterator[Callable[[pd.DataFrame], None]]:
    """``append(frame)`` adding each frame's rows to one CSV file, the header written with the first; formulas
    neutralised as in the app's downloads (a scored CSV is opened in spreadsheets too)."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        state = {"header": True}

        def append(frame: pd.DataFrame) -> None:
            neutralise_formulas(frame).to_csv(handle, index=False, header=state["header"])
            state["header"] = False

        yield append
