"""Profile uploaded files (CSV/TSV, Excel, Parquet, JSON lines) and stream their rows as raw strings."""
from __future__ import annotations

import csv
import datetime as dt
import decimal
import json
import math
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.ingest.dialect import (
    Dialect,
    detect_header,
    detect_line_terminator,
    infer_column_types,
    iter_records,
    sniff_dialect,
    split_lines,
)
from analytics.ingest.encoding import (
    FALLBACK_ERRORS,
    EncodingGuess,
    decode_sample,
    detect_encoding,
    is_printable_text,
    looks_binary,
    open_text,
)

ROW_COLUMN = "_row"
"""Name of the 1-based data row number column added to every chunk."""
SAMPLE_BYTES = 1 << 20
MAX_SAMPLE_BYTES = 64 << 20
PREVIEW_ROWS = 200
_TYPE_ROWS = 2000
_HEADER_SCAN_ROWS = 10
_FIELD_SIZE_LIMIT = min(sys.maxsize, 2**31 - 1)
_CHUNK_BYTES = 64 << 20  # a chunk also ends after this much input, whatever chunk_rows says
# Wider files are refused with this limit named: the store, the mapping form and every preview are
# built for tables a person can map; exports this wide are mostly empty or repeated survey items.
MAX_COLUMNS = 1_000
# JSON values nested deeper than this are refused per row (they are not customer records).
MAX_JSON_DEPTH = 64
# Python refuses to turn integers longer than 4,300 digits into text; such "numbers" stay text.
_MAX_INT_DIGITS = 4_000

_FORMAT_BY_EXTENSION = {
    ".csv": "csv", ".tsv": "csv", ".tab": "csv", ".txt": "csv", ".dat": "csv",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel",
    ".parquet": "parquet", ".pq": "parquet",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl",
}
_FORMAT_DESCRIPTIONS = {
    "csv": ("delimited text", "CSV"), "excel": ("an Excel workbook", "Excel"),
    "parquet": ("a Parquet file", "Parquet"), "jsonl": ("JSON lines", "JSON lines"),
}
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", ":": "colon"}
_SUPPORTED = "a CSV/TSV, Excel (.xlsx), Parquet or JSON-lines file"


@dataclass(frozen=True, eq=False)
class FileProfile:
    """What an uploaded file is and how to read it, from a bounded sample of it.

    ``columns`` are unique (case-insensitively, since DuckDB identifiers are): duplicates
    become ``name_2``, ``name_3``…, blank header cells and headerless files get
    ``column_1``…``column_n``. ``preview`` holds the first rows as strings or None.
    ``skip_rows`` counts non-blank rows above the header that are not read (Excel title rows);
    ``source_columns`` are the names as the file has them (JSON keys, header cells).
    """

    path: Path
    filename: str
    format: str
    size_bytes: int
    encoding: EncodingGuess | None
    dialect: Dialect | None
    columns: tuple[str, ...]
    duplicate_columns: tuple[str, ...]
    column_types: dict
    preview: pd.DataFrame
    estimated_rows: int | None
    warnings: tuple[str, ...]
    has_header: bool = True
    sheet_name: str | None = None
    skip_rows: int = 0
    source_columns: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class RawChunk:
    """A slice of a file's rows as raw strings, with the rows that could not be read.

    ``frame`` has the profile's columns (str or None) plus ``_row``, the 1-based data row
    number (header excluded; rejected rows are counted, blank lines are not). ``bytes_read``
    and ``repaired_bytes`` (byte sequences read as Windows-1252) are totals so far, not per chunk.
    """

    frame: pd.DataFrame
    rejected: list[tuple[int, str]]
    bytes_read: int
    repaired_bytes: int = 0


def profile_file(path: Path, *, filename: str | None = None) -> FileProfile:
    """Work out a file's format, encoding, delimiter, header and column types from its start.

    The format comes from the content (Parquet and XLSX signatures, JSON lines when the first
    non-blank line starts with ``{``, otherwise delimited text), not the name; a name that
    disagrees gives a warning. Text files are profiled from their first megabyte, so this is
    fast on very large files.

    Parameters
    ----------
    path : Path
        The file on disk.
    filename : str, optional
        The name the user knows it by (uploads live under temporary names); defaults to
        ``path.name``.

    Returns
    -------
    FileProfile

    Raises
    ------
    ValueError
        With a message saying what to do, for empty files, a header without rows, binary data,
        archives, unreadable workbooks or Parquet files, and JSON that is not one object per line.

    Examples
    --------
    >>> profile = profile_file(Path("reviews.csv"))  # doctest: +SKIP
    >>> profile.dialect.label, profile.columns  # doctest: +SKIP
    ('semicolon (;)', ('id', 'review', 'rating'))
    """
    path = Path(path)
    name = filename or path.name
    if not path.is_file():
        raise ValueError(f"{name} could not be found at {path}; upload the file again.")
    size = path.stat().st_size
    if size == 0:
        raise ValueError(f"The file is empty (0 bytes). Export {name} again from the source system "
                         "and upload the new file.")
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    content_format = _format_from_content(path, head, name)
    warnings: list[str] = []
    extension = Path(name).suffix.lower()
    named_format = _FORMAT_BY_EXTENSION.get(extension)
    if named_format and content_format not in (named_format, "text"):
        what, how = _FORMAT_DESCRIPTIONS[content_format]
        warnings.append(f"{name} is named {extension} but is {what}; read as {how}.")
    if content_format == "parquet":
        return _profile_parquet(path, name, size, warnings)
    if content_format == "excel":
        return _profile_excel(path, name, size, warnings)
    return _profile_text(path, name, size, head, named_format, warnings)


def read_chunks(profile: FileProfile, *, chunk_rows: int = 100_000) -> Iterator[RawChunk]:
    """Stream a profiled file as chunks of raw string rows, never holding the whole file.

    Rows whose field count differs from the header's (or that the CSV parser refuses, such as a
    line break inside an unquoted field) are reported in ``rejected`` with the reason; blank
    lines are skipped. Excel reads the first sheet; Parquet values become strings that keep
    their information (ISO timestamps, integers without ``.0``); nested JSON values become JSON
    strings. Keys of JSON lines that the profile did not see are not read.

    Parameters
    ----------
    profile : FileProfile
        From :func:`profile_file`.
    chunk_rows : int
        Accepted rows per chunk.

    Yields
    ------
    RawChunk
        At least one, possibly with an empty frame.

    Examples
    --------
    >>> for chunk in read_chunks(profile_file(Path("big.csv")), chunk_rows=50_000):  # doctest: +SKIP
    ...     store(chunk.frame)
    """
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows={chunk_rows} should be >= 1")
    readers = {"csv": _read_delimited, "jsonl": _read_jsonl, "excel": _read_excel, "parquet": _read_parquet}
    if profile.format not in readers:
        raise ValueError(f"format={profile.format!r} should be one of {sorted(readers)}")
    return readers[profile.format](profile, chunk_rows)


# --- format detection -------------------------------------------------------------------------


def _format_from_content(path: Path, head: bytes, name: str) -> str:
    """"parquet", "excel" or "text", raising for binary formats that are not tables."""
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                members = archive.namelist()
        except zipfile.BadZipFile as exc:
            raise ValueError(f"{name} looks like a damaged Excel workbook or ZIP archive. "
                             "Export it again and upload the new file.") from exc
        if any(m.startswith("xl/") for m in members):
            return "excel"
        if any(m.startswith("word/") for m in members):
            raise ValueError(f"{name} is a Word document, not a table. Upload {_SUPPORTED}.")
        raise ValueError(f"{name} is a ZIP archive, not a table. Unzip it and upload the CSV or Excel "
                         "file inside.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValueError(f"{name} is an old Excel 97-2003 (.xls) workbook or a password-protected one. "
                         "Open it in Excel and save it as .xlsx (without a password) or as CSV.")
    if head.startswith(b"\x1f\x8b"):
        raise ValueError(f"{name} is compressed with gzip. Decompress it and upload the file inside.")
    return "text"


def _binary_error(name: str) -> ValueError:
    return ValueError(f"{name} does not look like a table: it contains binary data, not text. "
                      f"Upload {_SUPPORTED}.")


def _check_width(name: str, width: int) -> None:
    """Refuse a table wider than :data:`MAX_COLUMNS`, saying the limit and what to do."""
    if width > MAX_COLUMNS:
        raise ValueError(f"{name} has {width:,} columns; Gapsight reads at most {MAX_COLUMNS:,}. Remove the columns "
                         "you do not need (keep the text, rating, date and id columns) or split the file, then "
                         "upload it again.")


# --- shared helpers ---------------------------------------------------------------------------


def unique_column_names(names: Sequence[str | None]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Make column names unique and non-empty.

    Parameters
    ----------
    names : sequence of str or None
        Header cells as read.

    Returns
    -------
    tuple
        (unique names, original names that were duplicated). Blank names become ``column_<i>``
        (1-based position); repeats, compared case-insensitively, become ``name_2``, ``name_3``…;
        a column called ``_row`` is renamed because that name is reserved.

    Examples
    --------
    >>> unique_column_names(["id", "Text", "text", ""])
    (('id', 'Text', 'text_2', 'column_4'), ('Text', 'text'))
    """
    cleaned = [(n or "").strip().lstrip("\ufeff").strip() for n in names]
    cleaned = [c or f"column_{i + 1}" for i, c in enumerate(cleaned)]
    counts = Counter(c.casefold() for c in cleaned)
    duplicates = tuple(dict.fromkeys(c for c in cleaned if counts[c.casefold()] > 1))
    taken = {c.casefold() for c in cleaned} | {ROW_COLUMN}
    used: set[str] = set()
    result = []
    for name in cleaned:
        key = name.casefold()
        if key in used or key == ROW_COLUMN:
            k = 2
            while f"{key}_{k}" in taken or f"{key}_{k}" in used:
                k += 1
            name, key = f"{name}_{k}", f"{key}_{k}"
        used.add(key)
        result.append(name)
    return tuple(result), duplicates


def _to_text(value: object) -> str | None:
    """One cell as a string that keeps its information; None for missing or empty."""
    if value is None:
        return None
    if isinstance(value, str):
        return _without_surrogates(value) or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors=FALLBACK_ERRORS) or None
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _without_surrogates(text: str) -> str:
    """Text with lone UTF-16 surrogates (from JSON "\\ud800" escapes) replaced by U+FFFD, so it can be stored."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _frame(rows: Sequence[Sequence[str | None]], columns: Sequence[str], numbers: Sequence[int]) -> pd.DataFrame:
    """A chunk frame from equally long rows: object columns of str or None (never "") plus ``_row``."""
    cells = np.empty((len(rows), len(columns)), dtype=object)
    if rows and columns:
        cells[:] = rows
        cells[cells == ""] = None
    # dtype=object keeps None (pandas 3 would make Arrow strings with NaN for missing values).
    frame = pd.DataFrame(cells, columns=list(columns), dtype=object, copy=False)
    frame[ROW_COLUMN] = np.asarray(numbers, dtype=np.int64)
    return frame


def _frame_from_columns(values: Sequence[list[str | None]], columns: Sequence[str],
                        numbers: Sequence[int]) -> pd.DataFrame:
    """A chunk frame from column lists; object dtype keeps cells as str or None (pandas 3 would use NaN)."""
    data = {name: pd.Series([v or None for v in column], dtype=object) for name, column in zip(columns, values)}
    frame = pd.DataFrame(data, columns=list(columns))
    frame[ROW_COLUMN] = np.asarray(numbers, dtype=np.int64)
    return frame


def _preview(rows: Sequence[Sequence[str | None]], columns: Sequence[str]) -> pd.DataFrame:
    return _frame(rows[:PREVIEW_ROWS], columns, range(1, min(len(rows), PREVIEW_ROWS) + 1)).drop(
        columns=ROW_COLUMN)


def _common_warnings(columns: Sequence[str], duplicates: Sequence[str], has_header: bool,
                     original: Sequence[str | None]) -> list[str]:
    notes = []
    if not has_header:
        notes.append(f"No header row was found, so the columns are named column_1 … column_{len(columns)}. "
                     "If the first row is a header, add a text name to every column and upload again.")
    if duplicates:
        notes.append("Duplicate column names were made unique: " + ", ".join(duplicates) + " (later ones get "
                     "_2, _3 …).")
    if has_header and ROW_COLUMN in [(n or "").strip() for n in original]:
        notes.append(f"The column named {ROW_COLUMN} was renamed because that name is reserved for row numbers.")
    return notes


def _rejected_note(rejected: Sequence[tuple[int, str]], seen: int) -> list[str]:
    if not rejected:
        return []
    return [f"{len(rejected):,} of the first {seen:,} rows are malformed and will be rejected, "
            f"e.g. {rejected[0][1]}."]


def _allow_huge_fields() -> None:
    # The csv module refuses fields over 128 KiB by default; real exports have multi-MB cells.
    if csv.field_size_limit() < _FIELD_SIZE_LIMIT:
        csv.field_size_limit(_FIELD_SIZE_LIMIT)


# --- delimited text and JSON lines ------------------------------------------------------------


def _profile_text(path: Path, name: str, size: int, head: bytes, named_format: str | None,
                  warnings: list[str]) -> FileProfile:
    while True:
        profile = _profile_text_sample(path, name, size, head, named_format, list(warnings))
        # A very long first record (a multi-MB cell) can fill the sample: read more, within bounds.
        if len(profile.preview) or len(head) >= size or len(head) >= MAX_SAMPLE_BYTES:
            return profile
        with open(path, "rb") as handle:
            head = handle.read(len(head) * 4)


def _profile_text_sample(path: Path, name: str, size: int, head: bytes, named_format: str | None,
                         warnings: list[str]) -> FileProfile:
    complete = len(head) >= size
    # Detection looks at the first megabyte even when a long first record made the sample bigger.
    guess = detect_encoding(head[:SAMPLE_BYTES], complete=complete and len(head) <= SAMPLE_BYTES)
    if looks_binary(head):
        raise _binary_error(name)
    text, repaired = decode_sample(head, guess, complete=complete)
    if not is_printable_text(text):
        raise _binary_error(name)
    newline = detect_line_terminator(text)
    if not complete:
        text = text[: text.rfind(newline) + 1]
    first_line = next((line for line in text.split(newline) if line.strip()), "")
    first = first_line.lstrip("\ufeff").lstrip()
    if not first and complete:
        raise ValueError(f"{name} contains only blank lines. Export it again with its data.")
    if first.startswith("["):
        raise ValueError(f"{name} is a JSON array, not JSON lines (one object per line). Export it as "
                         "JSON Lines or CSV and upload that file.")
    if guess.codec not in ("utf-8", "utf-8-sig") or guess.confidence < 0.8:
        warnings.append(f"Read as {guess.label} (detected with {guess.confidence:.0%} confidence). If characters "
                        "look wrong, save the file as UTF-8 and upload it again.")
    if repaired:
        warnings.append(f"{repaired:,} byte sequences in the first {len(head) / 1e6:.1f} MB were not valid "
                        f"{guess.label} and were read as Windows-1252.")
    if first.startswith("{"):
        if named_format not in (None, "jsonl"):
            warnings.append(f"{name} is named {Path(name).suffix.lower()} but is JSON lines; read as JSON lines.")
        return _profile_jsonl(path, name, size, guess, text, newline, complete, len(head), warnings)
    if named_format not in (None, "csv"):
        warnings.append(f"{name} is named {Path(name).suffix.lower()} but is delimited text; read as CSV.")
    return _profile_delimited(path, name, size, guess, text, complete, len(head), warnings)


def _estimate_rows(rows_in_sample: int, sample_bytes: int, size: int, complete: bool) -> int | None:
    if complete:
        return rows_in_sample
    if not rows_in_sample:
        return None
    return max(rows_in_sample, round(rows_in_sample * size / max(sample_bytes, 1)))


@dataclass
class _Batch:
    """Accepted rows with their row numbers, and rejected rows, of one stretch of a file."""

    rows: list[list[str]]
    numbers: list[int]
    rejected: list[tuple[int, str]]


def _delimited_batches(lines: Iterable[str], dialect: Dialect, ncols: int, *, batch_rows: int | None = None,
                       position: Callable[[], int] | None = None) -> Iterator[_Batch]:
    """Parse delimited text into batches of ``batch_rows`` accepted rows (one batch if None).

    With ``position`` (bytes read so far), a batch also ends after ``_CHUNK_BYTES`` of input, so
    chunks of very long rows stay small in memory.

    One flat loop over the :mod:`csv` reader: this is the hot path for files of millions of rows.
    The header record is skipped; blank lines are skipped without a row number; a record the
    parser refuses or with the wrong field count is rejected with a reason; extra fields that
    are all empty (trailing delimiters) are dropped.
    """
    reader = csv.reader(lines, delimiter=dialect.delimiter, quotechar=dialect.quotechar, doublequote=True,
                        strict=False)
    next_record = reader.__next__
    header_pending = dialect.has_header
    width_of = "the header" if dialect.has_header else "the first row"
    delimiter = _DELIMITER_NAMES.get(dialect.delimiter, repr(dialect.delimiter))
    limit = batch_rows or sys.maxsize
    batch = _Batch([], [], [])
    start = position() if position is not None else 0
    row_no = 0
    while True:
        try:
            record = next_record()
        except StopIteration:
            break
        except csv.Error as exc:
            row_no += 1
            if "new-line character" in str(exc):
                reason = (f"row {row_no} has a line break (carriage return) inside an unquoted field; put the "
                          "field in quotes or remove the line break")
            else:
                reason = f"row {row_no} could not be parsed as {delimiter}-separated text ({exc})"
            batch.rejected.append((row_no, reason))
            continue
        n = len(record)
        if n <= 1 and (n == 0 or not record[0].strip()):
            continue  # a blank line
        if header_pending:
            header_pending = False
            continue
        row_no += 1
        if n == ncols:
            batch.rows.append(record)
        elif n > ncols and not any(f.strip() for f in record[ncols:]):
            batch.rows.append(record[:ncols])
        else:
            hint = ("a line break inside an unquoted field?" if n < ncols
                    else f"an unquoted {delimiter} inside a field?")
            batch.rejected.append((row_no, f"row {row_no} has {n} fields but {width_of} has {ncols} ({hint})"))
            continue
        batch.numbers.append(row_no)
        size = len(batch.rows)
        if size >= limit or (position is not None and not size % 1024 and position() - start >= _CHUNK_BYTES):
            yield batch
            batch = _Batch([], [], [])
            start = position() if position is not None else 0
    yield batch


def _profile_delimited(path: Path, name: str, size: int, guess: EncodingGuess, text: str, complete: bool,
                       sample_bytes: int, warnings: list[str]) -> FileProfile:
    _allow_huge_fields()
    dialect = sniff_dialect(text, filename=name)
    lines = split_lines(text, dialect.line_terminator)
    first = next((r for r in iter_records(lines, dialect.delimiter, dialect.quotechar)
                  if not isinstance(r, csv.Error)), None)
    if first is None:
        raise ValueError(f"{name} has no readable rows. Check that it is {_SUPPORTED}.")
    _check_width(name, len(first))
    raw_names: list[str | None] = list(first) if dialect.has_header else [None] * len(first)
    if dialect.has_header:
        columns, duplicates = unique_column_names(raw_names)
    else:
        columns, duplicates = tuple(f"column_{i + 1}" for i in range(len(first))), ()
    batch = next(_delimited_batches(lines, dialect, len(columns)))
    parsed = sorted([(n, fields, None) for n, fields in zip(batch.numbers, batch.rows)]
                    + [(n, None, reason) for n, reason in batch.rejected], key=lambda item: item[0])
    if not complete and parsed:
        parsed.pop()  # the sample may end inside the last record
    if complete and not parsed:
        raise ValueError(f"{name} has a header row ({', '.join(columns[:8])}{' …' if len(columns) > 8 else ''}) "
                         "but no data rows. Check that the export included the data, then upload it again.")
    good = [fields for _, fields, _ in parsed if fields is not None]
    rejected = [(n, reason) for n, fields, reason in parsed if fields is None]
    notes = _common_warnings(columns, duplicates, dialect.has_header, raw_names)
    if len(columns) == 1 and len(good) > 1:
        notes.append("Only one column was found. If the file has several, check that it uses a comma, semicolon, "
                     "tab or pipe between fields.")
    if not good and not complete:
        notes.append("The first part of the file holds no complete row (very long values?), so the preview is "
                     "empty.")
    type_frame = _frame(good[:_TYPE_ROWS], columns, range(min(len(good), _TYPE_ROWS)))
    return FileProfile(
        path=path, filename=name, format="csv", size_bytes=size, encoding=guess, dialect=dialect,
        columns=columns, duplicate_columns=duplicates,
        column_types=infer_column_types(type_frame.drop(columns=ROW_COLUMN)),
        preview=_preview(good, columns),
        estimated_rows=_estimate_rows(len(parsed), sample_bytes, size, complete),
        warnings=tuple(warnings + notes + _rejected_note(rejected, len(parsed))),
        has_header=dialect.has_header, source_columns=tuple((n or "") for n in raw_names),
    )


def _read_delimited(profile: FileProfile, chunk_rows: int) -> Iterator[RawChunk]:
    _allow_huge_fields()
    dialect = profile.dialect
    if dialect is None or profile.encoding is None:
        raise ValueError(f"The profile of {profile.filename} has no dialect or encoding; profile the file again.")
    with open_text(profile.path, profile.encoding, newline=dialect.line_terminator) as text:
        repaired = -1
        batches = _delimited_batches(text, dialect, len(profile.columns), batch_rows=chunk_rows,
                                     position=lambda: text.bytes_read)
        for i, batch in enumerate(batches):
            # The last batch may be empty after a full one: only worth a chunk if it has news.
            if i and not batch.rows and not batch.rejected and text.repaired_count == repaired:
                break
            repaired = text.repaired_count
            yield RawChunk(_frame(batch.rows, profile.columns, batch.numbers), batch.rejected, text.bytes_read,
                           repaired)


def _chunked(rows: Iterator[tuple[int, Sequence[str | None] | None, str | None]], columns: Sequence[str],
             chunk_rows: int, progress) -> Iterator[RawChunk]:
    """Group (row number, fields, reason) triples into RawChunks of ``chunk_rows`` accepted rows."""
    good: list[Sequence[str | None]] = []
    numbers: list[int] = []
    rejected: list[tuple[int, str]] = []
    emitted = False
    for row_no, fields, reason in rows:
        if fields is None:
            rejected.append((row_no, reason))
            continue
        good.append(fields)
        numbers.append(row_no)
        if len(good) >= chunk_rows:
            yield RawChunk(_frame(good, columns, numbers), rejected, *progress())
            good, numbers, rejected, emitted = [], [], [], True
    if good or rejected or not emitted:
        yield RawChunk(_frame(good, columns, numbers), rejected, *progress())


def _json_int(digits: str) -> int | str:
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else digits


def _nested_too_deep(record: dict) -> bool:
    """Whether any value of ``record`` nests lists or objects deeper than :data:`MAX_JSON_DEPTH` (no recursion)."""
    stack = [(value, 1) for value in record.values() if isinstance(value, (dict, list))]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _json_record(line: str) -> tuple[dict | None, str | None]:
    """One JSON line as an object, or None and why it cannot be a row ("is not valid JSON …")."""
    try:
        record = json.loads(line, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        return None, f"is not valid JSON ({exc.msg} at character {exc.pos + 1})"
    except RecursionError:
        record, too_deep = None, True
    else:
        too_deep = isinstance(record, dict) and _nested_too_deep(record)
    if too_deep:
        return None, f"nests lists or objects more than {MAX_JSON_DEPTH} levels deep (flatten it, or export CSV)"
    if not isinstance(record, dict):
        return None, f"is a JSON {type(record).__name__.replace('NoneType', 'null')}, not an object with named fields"
    if not all(key.isascii() for key in record):
        record = {_without_surrogates(key): value for key, value in record.items()}
    return record, None


def _jsonl_rows(lines: Iterable[str], columns: Sequence[str]) -> Iterator[tuple[int, list[str | None] | None,
                                                                                  str | None]]:
    row_no = 0
    for line in lines:
        stripped = line.strip().lstrip("\ufeff")
        if not stripped:
            continue
        row_no += 1
        record, problem = _json_record(stripped)
        if record is None:
            yield row_no, None, f"row {row_no} {problem}"
            continue
        yield row_no, [_to_text(record.get(c)) for c in columns], None


def _profile_jsonl(path: Path, name: str, size: int, guess: EncodingGuess, text: str, newline: str,
                   complete: bool, sample_bytes: int, warnings: list[str]) -> FileProfile:
    lines = split_lines(text, newline)
    keys: dict[str, None] = {}
    objects = errors = 0
    for line in lines:
        stripped = line.strip().lstrip("\ufeff")
        if not stripped:
            continue
        record, _ = _json_record(stripped)
        if record is None:
            errors += 1
            continue
        objects += 1
        keys.update(dict.fromkeys(record))
        _check_width(name, len(keys))
    if not objects or errors > objects:
        raise ValueError(f"{name} starts like JSON but is not one JSON object per line. Export it as JSON Lines "
                         "(one object per line) or CSV and upload that file.")
    if not keys:
        raise ValueError(f"{name} holds only empty JSON objects; there are no fields to read.")
    key_names = list(keys)
    columns, duplicates = unique_column_names(key_names)
    parsed = list(_jsonl_rows(lines, key_names))
    if not complete and parsed:
        parsed.pop()
    good = [fields for _, fields, _ in parsed if fields is not None]
    rejected = [(n, reason) for n, fields, reason in parsed if fields is None]
    type_frame = _frame(good[:_TYPE_ROWS], columns, range(min(len(good), _TYPE_ROWS)))
    return FileProfile(
        path=path, filename=name, format="jsonl", size_bytes=size, encoding=guess, dialect=None,
        columns=columns, duplicate_columns=duplicates,
        column_types=infer_column_types(type_frame.drop(columns=ROW_COLUMN)),
        preview=_preview(good, columns),
        estimated_rows=_estimate_rows(len(parsed), sample_bytes, size, complete),
        warnings=tuple(warnings + _common_warnings(columns, duplicates, True, key_names)
                       + _rejected_note(rejected, len(parsed))),
        has_header=True, source_columns=tuple(key_names),
    )


def _read_jsonl(profile: FileProfile, chunk_rows: int) -> Iterator[RawChunk]:
    if profile.encoding is None:
        raise ValueError(f"The profile of {profile.filename} has no encoding; profile the file again.")
    keys = list(profile.source_columns)
    if len(keys) != len(profile.columns):
        raise ValueError(f"The profile of {profile.filename} does not list the JSON keys; profile the file again.")
    with open_text(profile.path, profile.encoding) as text:
        yield from _chunked(_jsonl_rows(text, keys), profile.columns, chunk_rows,
                            lambda: (text.bytes_read, text.repaired_count))


# --- Excel ------------------------------------------------------------------------------------


@contextmanager
def _open_workbook(path: Path, name: str):
    """The workbook, read-only; opened from a file object so openpyxl does not judge it by its name."""
    import openpyxl

    with open(path, "rb") as handle:
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types (KeyError, BadZipFile, XML errors) for damaged files
            raise _workbook_error(name) from exc
        try:
            yield workbook
        finally:
            workbook.close()


def _workbook_error(name: str) -> ValueError:
    # The parser's own words (an XML position, a missing zip member) help nobody who uploads a workbook.
    return ValueError(f"This .xlsx ({name}) is damaged: open it in Excel and save it again as .xlsx, or export it "
                      "as CSV, then upload that file.")


def _excel_rows(sheet, name: str) -> Iterator[list[str | None]]:
    """Non-blank rows of a sheet as strings, without trailing empty cells; damaged sheet XML is a ValueError."""
    rows = sheet.iter_rows(values_only=True)
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # read-only openpyxl parses the sheet lazily: ParseError, KeyError, ValueError …
            raise _workbook_error(name) from exc
        cells = [_to_text(v) for v in values]
        while cells and cells[-1] is None:
            cells.pop()
        if cells:
            yield cells


def _excel_header_offset(rows: Sequence[Sequence[str | None]]) -> int:
    """Index of the first row that is at least half as wide as the widest (title rows sit above it)."""
    widest = max(sum(c is not None for c in r) for r in rows)
    for i, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        if sum(c is not None for c in row) >= 0.5 * widest:
            return i
    return 0


def _profile_excel(path: Path, name: str, size: int, warnings: list[str]) -> FileProfile:
    with _open_workbook(path, name) as workbook:
        if not workbook.worksheets:
            raise ValueError(f"{name} has no worksheets. Save a sheet with the data and upload it again.")
        sheet = workbook.worksheets[0]
        others = workbook.sheetnames[1:]
        sample = []
        for row in _excel_rows(sheet, name):
            sample.append(row)
            if len(sample) >= _TYPE_ROWS + _HEADER_SCAN_ROWS:
                break
        max_row = sheet.max_row
    if not sample:
        raise ValueError(f"The first sheet ('{sheet.title}') of {name} is empty. Move the data to the first sheet "
                         "or save it as CSV, then upload again.")
    if others:
        warnings.append(f"Only the first sheet ('{sheet.title}') was read; the workbook also has "
                        + ", ".join(f"'{s}'" for s in others) + ". Save another sheet as its own file to import it.")
    _check_width(name, max(len(r) for r in sample))
    offset = _excel_header_offset(sample)
    if offset:
        warnings.append(f"Skipped {offset} title row{'s' if offset > 1 else ''} above the table.")
    body = sample[offset:]
    has_header = detect_header(body[:PREVIEW_ROWS])
    width = max(len(r) for r in body)
    raw_names: list[str | None] = list(body[0]) + [None] * (width - len(body[0])) if has_header else [None] * width
    columns, duplicates = (unique_column_names(raw_names) if has_header
                           else (tuple(f"column_{i + 1}" for i in range(width)), ()))
    data = body[1:] if has_header else body
    if has_header and not data:
        raise ValueError(f"The first sheet of {name} has a header row ({', '.join(columns[:8])}) but no data rows. "
                         "Check that the data is on the first sheet, then upload again.")
    good = [r + [None] * (width - len(r)) for r in data]
    estimated = (max_row - offset - int(has_header)) if max_row else None
    type_frame = _frame(good[:_TYPE_ROWS], columns, range(min(len(good), _TYPE_ROWS)))
    return FileProfile(
        path=path, filename=name, format="excel", size_bytes=size, encoding=None, dialect=None,
        columns=columns, duplicate_columns=duplicates,
        column_types=infer_column_types(type_frame.drop(columns=ROW_COLUMN)),
        preview=_preview(good, columns), estimated_rows=estimated,
        warnings=tuple(warnings + _common_warnings(columns, duplicates, has_header, raw_names)),
        has_header=has_header, sheet_name=sheet.title, skip_rows=offset,
        source_columns=tuple((n or "") for n in raw_names),
    )


def _read_excel(profile: FileProfile, chunk_rows: int) -> Iterator[RawChunk]:
    with _open_workbook(profile.path, profile.filename) as workbook:
        sheet = (workbook[profile.sheet_name] if profile.sheet_name in workbook.sheetnames
                 else workbook.worksheets[0])
        total = max(sheet.max_row or 0, 1)
        width = len(profile.columns)
        done = 0

        def rows() -> Iterator[tuple[int, list[str | None] | None, str | None]]:
            nonlocal done
            row_no = 0
            for i, cells in enumerate(_excel_rows(sheet, profile.filename)):
                done += 1
                if i < profile.skip_rows + int(profile.has_header):
                    continue
                row_no += 1
                if len(cells) > width:
                    yield row_no, None, (f"row {row_no} has values beyond the last column ({len(cells)} cells but "
                                         f"the header has {width})")
                else:
                    yield row_no, cells + [None] * (width - len(cells)), None

        yield from _chunked(rows(), profile.columns, chunk_rows,
                            lambda: (min(profile.size_bytes, round(profile.size_bytes * done / total)), 0))


# --- Parquet ----------------------------------------------------------------------------------


def _open_parquet(path: Path, name: str):
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid/OSError variants for damaged files
        raise ValueError(f"{name} could not be read as a Parquet file: it may be truncated or damaged. Export it again "
                         "and upload the new file.") from exc


def _arrow_to_text(array) -> list[str | None]:
    """An Arrow array as strings: ISO timestamps, integers without ``.0``, nested values as JSON."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = array.type
    if pa.types.is_dictionary(kind):
        array = array.dictionary_decode()
        kind = array.type
    if pa.types.is_null(kind):
        return [None] * len(array)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
        try:
            return [v or None for v in array.to_pylist()]
        except UnicodeDecodeError:  # a damaged file's string column need not be UTF-8: keep what can be read
            raw = pc.cast(array, pa.large_binary() if not pa.types.is_string(kind) else pa.binary())
            return [v.decode("utf-8", "replace") or None if v is not None else None for v in raw.to_pylist()]
    if pa.types.is_floating(kind):
        text = pc.cast(array, pa.string())  # shortest round-trip repr; 17850.0 → "17850"
        return pc.if_else(pc.is_nan(array), pa.scalar(None, pa.string()), text).to_pylist()
    if (pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_decimal(kind)
            or pa.types.is_date(kind) or pa.types.is_time(kind)):
        return pc.cast(array, pa.string()).to_pylist()
    if pa.types.is_timestamp(kind):
        # Casting is ~10x faster than strftime; it gives "2010-12-01 08:26:00" (UTC with "Z" if zoned).
        seconds = pc.cast(array, pa.timestamp("s", kind.tz), safe=False)
        whole = pc.equal(pc.cast(seconds, kind), array)
        text = pc.if_else(whole, pc.cast(seconds, pa.string()), pc.cast(array, pa.string()))
        return pc.replace_substring(text, " ", "T", max_replacements=1).to_pylist()
    return [_to_text(v) for v in array.to_pylist()]


def _batch_columns(batch) -> list[list[str | None]]:
    return [_arrow_to_text(batch.column(i)) for i in range(batch.num_columns)]


def _profile_parquet(path: Path, name: str, size: int, warnings: list[str]) -> FileProfile:
    parquet = _open_parquet(path, name)
    raw_names = parquet.schema_arrow.names
    _check_width(name, len(raw_names))
    columns, duplicates = unique_column_names(raw_names)
    if not columns:
        raise ValueError(f"{name} is a Parquet file without columns. Export it again with its data.")
    total = parquet.metadata.num_rows
    if total == 0:
        raise ValueError(f"{name} has columns ({', '.join(columns[:8])}) but no rows. Check that the export included "
                         "the data, then upload it again.")
    try:
        first = next(parquet.iter_batches(batch_size=_TYPE_ROWS))
    except Exception as exc:  # corrupt pages only show up when data is decoded
        raise ValueError(f"{name} could not be read as a Parquet file: its data is damaged. Export it again and "
                         "upload the new file.") from exc
    type_frame = _frame_from_columns(_batch_columns(first), columns, range(first.num_rows))
    return FileProfile(
        path=path, filename=name, format="parquet", size_bytes=size, encoding=None, dialect=None,
        columns=columns, duplicate_columns=duplicates,
        column_types=infer_column_types(type_frame.drop(columns=ROW_COLUMN)),
        preview=type_frame.head(PREVIEW_ROWS).drop(columns=ROW_COLUMN), estimated_rows=total,
        warnings=tuple(warnings + _common_warnings(columns, duplicates, True, raw_names)),
        has_header=True, source_columns=tuple(raw_names),
    )


def _read_parquet(profile: FileProfile, chunk_rows: int) -> Iterator[RawChunk]:
    parquet = _open_parquet(profile.path, profile.filename)
    total = max(parquet.metadata.num_rows, 1)
    done = 0
    for batch in parquet.iter_batches(batch_size=chunk_rows):
        numbers = range(done + 1, done + batch.num_rows + 1)
        done += batch.num_rows
        yield RawChunk(_frame_from_columns(_batch_columns(batch), profile.columns, numbers), [],
                       min(profile.size_bytes, round(profile.size_bytes * done / total)), 0)
    if done == 0:
        yield RawChunk(_frame([], profile.columns, []), [], profile.size_bytes, 0)
