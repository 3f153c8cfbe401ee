"""Import a profiled file into the store: read, map, validate and normalise in one transaction."""
from __future__ import annotations

import contextlib
import hashlib
import math
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

import duckdb
import numpy as np
import pandas as pd

from analytics.ingest.amounts import parse_amounts
from analytics.ingest.categories import CategoryLists, detect_category_lists
from analytics.ingest.mapping import validate_mapping
from analytics.ingest.ratings import RatingScale, detect_rating_scale, normalise_ratings
from analytics.ingest.readers import FileProfile, read_chunks
from analytics.ingest.shown import quoted
from analytics.ingest.timestamps import TimestampFormat, detect_timestamp_format, parse_timestamps
from analytics.language import detect_languages
from analytics.schema import CANONICAL_NAMES, ITEM_SEPARATOR, STORED_COLUMNS
from analytics.store.database import (
    STAGING_SUFFIX,
    DatasetInfo,
    Store,
    create_rejects_table,
    create_rows_table,
    insert_dataset_row,
    new_dataset_id,
    now_utc,
    quote_identifier,
    raw_table,
    rejects_table,
    rows_table,
)
from analytics.store.predictions import forget_changed_records

MAX_TEXT_CHARS = 1_000_000
NORMALISE_CHUNK_ROWS = 200_000
# A mapped column where more than this share of non-empty values is invalid is almost surely
# mapped to the wrong field: refuse the import instead of rejecting most rows.
MAX_INVALID_SHARE = 0.5
# Values a rating scale is detected from: every distinct value, repeated in proportion to how often
# it occurs, so a rare 0 still decides 0–10 while a stray 44 stays an outlier (see detect_rating_scale).
SCALE_SAMPLE_VALUES = 10_000
# Staged uploads keep their name, cut to this many UTF-8 bytes (file systems allow 255).
MAX_NAME_BYTES = 120

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class ImportOptions:
    """Choices the analyst can make beside the column mapping.

    Parameters
    ----------
    rating_scale : RatingScale or None
        Force a rating scale instead of detecting it from the values.
    allow_same_file : bool
        Import a file again even when identical content was imported before.
    """

    rating_scale: RatingScale | None = None
    allow_same_file: bool = False


@dataclass(frozen=True)
class ImportReport:
    """What an import did, for the validation report shown to the analyst."""

    dataset_id: str
    dataset_name: str
    rows_read: int
    rows_imported: int
    rows_rejected: int
    reasons: dict[str, int]
    columns_ignored: tuple[str, ...]
    missing: dict[str, int]
    warnings: tuple[str, ...]
    rating_scale: str | None
    timestamp_format: str | None
    seconds: float
    already_imported: bool = False
    languages: dict[str, int] = field(default_factory=dict)  # rows with text per language code, largest first

    def to_dict(self) -> dict:
        """Plain data for storing with the dataset."""
        return {k: v for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class NormalisePlan:
    """Everything chunk normalisation needs, decided once from the whole raw table."""

    mapping: dict[str, str | None]
    rating_scale: RatingScale | None
    expected_scale: RatingScale | None
    timestamp_format: TimestampFormat | None
    warnings: tuple[str, ...] = field(default=())
    category_lists: CategoryLists | None = None
    advertised_scale: RatingScale | None = None


@dataclass(frozen=True)
class _Tables:
    """The tables an import or a re-map writes.

    They are filled in many short committed transactions (one huge transaction would hold the
    whole file in memory until it commits) and nothing reads them until the dataset's catalog
    row is written, in one final transaction: that row is the commit point. On failure they
    are dropped; after a crash, opening the store drops them (:meth:`Store.drop_orphan_tables`).
    """

    raw: str
    rows: str
    rejects: str

    @classmethod
    def of_import(cls, dataset_id: str) -> "_Tables":
        return cls(raw_table(dataset_id), rows_table(dataset_id), rejects_table(dataset_id))

    @classmethod
    def of_remap(cls, dataset_id: str) -> "_Tables":
        return cls(raw_table(dataset_id), rows_table(dataset_id) + STAGING_SUFFIX,
                   rejects_table(dataset_id) + STAGING_SUFFIX)


def _drop_tables(store: Store, names: tuple[str, ...]) -> None:
    """Remove what a failed import or re-map wrote (the previous state stays as it was)."""
    with store.write() as cur:
        for name in names:
            cur.execute(f"DROP TABLE IF EXISTS {quote_identifier(name)}")


def file_sha256(path: Path) -> str:
    """Content hash of a file, read in blocks (the same bytes always give the same dataset)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_file(store: Store, profile: FileProfile, mapping: dict[str, str | None], *,
                name: str | None = None, options: ImportOptions = ImportOptions(),
                progress: Progress | None = None) -> ImportReport:
    """Import a profiled file as a new dataset, all or nothing.

    Parameters
    ----------
    store : Store
        Where the dataset goes.
    profile : FileProfile
        The file as :func:`analytics.readers.profile_file` described it.
    mapping : dict
        Canonical field → source column (or None).
    name : str, optional
        Display name; defaults to the file name.
    options : ImportOptions
        Rating-scale override and re-import of an identical file.
    progress : callable, optional
        Called with (fraction done, message).

    Returns
    -------
    ImportReport
        Counts, reasons and warnings. When identical content was imported before and
        ``options.allow_same_file`` is False, nothing is written and the report points to the
        existing dataset with ``already_imported=True``.

    Raises
    ------
    ValueError
        The mapping is unusable or the file cannot be read; the store is unchanged.
    """
    started = time.perf_counter()
    report_progress = progress or (lambda fraction, message: None)
    mapping = _complete_mapping(mapping)
    problems = validate_mapping(mapping, profile.columns)
    if problems:
        raise ValueError(" ".join(problems))
    sha = file_sha256(profile.path)
    existing = store.find_by_sha256(sha)
    if existing is not None and not options.allow_same_file:
        return _already_imported_report(existing)
    dataset_id = new_dataset_id()
    tables = _Tables.of_import(dataset_id)
    display_name = (name or profile.filename).strip() or profile.filename
    try:
        rows_read, read_rejects, repaired = _read_into_raw_table(store, tables, profile, report_progress)
        if rows_read == 0:
            raise ValueError(
                f"No data rows could be read from {profile.filename}: every row was rejected "
                f"({read_rejects} rows). Check the delimiter and the file's structure."
            )
        plan = plan_normalisation(store.cursor(), dataset_id, mapping, options)
        report_progress(0.6, "Validating and normalising values…")
        _normalise_into_rows_table(store, tables, plan,
                                   lambda f: report_progress(0.6 + 0.35 * f, "Validating values…"))
        warnings = list(profile.warnings) + list(plan.warnings)
        if repaired:
            verb = "were" if repaired != 1 else "was"
            warnings.append(
                f"{repaired:,} byte sequence{'s' if repaired != 1 else ''} {verb} not valid "
                f"{profile.encoding.label if profile.encoding else 'text'} and {verb} read as Windows-1252 "
                "(the file mixes encodings)."
            )
        report_progress(0.96, "Checking duplicates…")
        with store.write() as cur:
            # Checked again inside the write lock: two imports of the same file at once must not both land.
            existing = store.find_by_sha256(sha)
            if existing is None or options.allow_same_file:
                _reject_duplicates(cur, tables)
                report = _finish_report(cur, tables, dataset_id, display_name, profile.columns, plan, warnings,
                                        rows_read + read_rejects, started)
                _refuse_empty_result(cur, tables, report, profile.filename)
                now = now_utc()
                insert_dataset_row(cur, DatasetInfo(
                    id=dataset_id, name=display_name, source_name=profile.filename, source_sha256=sha,
                    created_at=now, updated_at=now, version=1, n_rows=report.rows_imported,
                    n_rejected=report.rows_rejected, mapping=mapping,
                    meta=_dataset_meta(profile, plan), report=report.to_dict(),
                ))
    except BaseException:
        _drop_tables(store, (tables.raw, tables.rows, tables.rejects))
        raise
    if existing is not None and not options.allow_same_file:
        _drop_tables(store, (tables.raw, tables.rows, tables.rejects))
        return _already_imported_report(existing)
    report_progress(1.0, "Imported.")
    return report


def remap_dataset(store: Store, dataset_id: str, mapping: dict[str, str | None], *,
                  options: ImportOptions = ImportOptions(),
                  progress: Progress | None = None) -> ImportReport:
    """Re-derive a dataset's canonical rows from its stored source columns with a new mapping.

    The source columns were kept at import, so no file is needed. All or nothing: on error
    the dataset keeps its previous mapping and rows.
    """
    started = time.perf_counter()
    report_progress = progress or (lambda fraction, message: None)
    info = store.get_dataset(dataset_id)
    mapping = _complete_mapping(mapping)
    source_columns = tuple(info.meta.get("columns", ()))
    problems = validate_mapping(mapping, source_columns)
    if problems:
        raise ValueError(" ".join(problems))
    tables = _Tables.of_remap(dataset_id)
    try:
        with store.write() as cur:
            create_rejects_table(cur, tables.rejects)
            cur.execute(f"INSERT INTO {quote_identifier(tables.rejects)} SELECT * FROM "
                        f"{quote_identifier(rejects_table(dataset_id))} WHERE stage = 'read'")
        rows_read = int(info.report.get("rows_read", 0))
        plan = plan_normalisation(store.cursor(), dataset_id, mapping, options)
        _normalise_into_rows_table(store, tables, plan, lambda f: report_progress(0.9 * f, "Re-mapping…"))
        read_warnings = [w for w in info.report.get("warnings", []) if w not in info.meta.get("plan_warnings", [])]
        with store.write() as cur:
            _reject_duplicates(cur, tables)
            report = _finish_report(cur, tables, dataset_id, info.name, source_columns, plan,
                                    read_warnings + list(plan.warnings), rows_read, started)
            _refuse_empty_result(cur, tables, report, info.name)
            forget_changed_records(cur, dataset_id, old_rows=rows_table(dataset_id), new_rows=tables.rows)
            for staged, final in ((tables.rows, rows_table(dataset_id)), (tables.rejects, rejects_table(dataset_id))):
                cur.execute(f"DROP TABLE {quote_identifier(final)}")
                cur.execute(f"ALTER TABLE {quote_identifier(staged)} RENAME TO {quote_identifier(final)}")
            meta = dict(info.meta)
            meta.update(_plan_meta(plan))
            insert_dataset_row(cur, replace(
                info, mapping=mapping, meta=meta, report=report.to_dict(), version=info.version + 1,
                n_rows=report.rows_imported, n_rejected=report.rows_rejected, updated_at=now_utc()))
    except BaseException:
        _drop_tables(store, (tables.rows, tables.rejects))
        raise
    report_progress(1.0, "Re-mapped.")
    return report


def _complete_mapping(mapping: dict[str, str | None]) -> dict[str, str | None]:
    return {name: (mapping.get(name) or None) for name in CANONICAL_NAMES}


def _already_imported_report(existing: DatasetInfo) -> ImportReport:
    return ImportReport(
        dataset_id=existing.id, dataset_name=existing.name, rows_read=int(existing.report.get("rows_read", 0)),
        rows_imported=existing.n_rows, rows_rejected=existing.n_rejected, reasons={}, columns_ignored=(),
        missing={}, warnings=(f"This exact file was already imported as '{existing.name}'. Nothing was "
                              "imported again; tick 'Import again' to make a second copy.",),
        rating_scale=None, timestamp_format=None, seconds=0.0, already_imported=True,
    )


def _read_into_raw_table(store: Store, tables: _Tables, profile: FileProfile,
                         report_progress: Progress) -> tuple[int, int, int]:
    """Stream the file into the raw table; returns (rows kept, rows rejected while reading, repaired bytes)."""
    raw = quote_identifier(tables.raw)
    rejects = quote_identifier(tables.rejects)
    column_sql = ", ".join(f"{quote_identifier(c)} VARCHAR" for c in profile.columns)
    with store.write() as cur:
        cur.execute(f"CREATE TABLE {raw} (_row BIGINT, {column_sql})")
        create_rejects_table(cur, tables.rejects)
    rows_read = rejected = repaired = 0
    size = max(profile.size_bytes, 1)
    for chunk in read_chunks(profile):
        frame = chunk.frame[["_row", *profile.columns]]
        with store.write() as cur:
            if len(frame):
                cur.register("gapsight_chunk", frame)
                cur.execute(f"INSERT INTO {raw} SELECT * FROM gapsight_chunk")
                cur.unregister("gapsight_chunk")
            if chunk.rejected:
                bad = pd.DataFrame({"_row": [r for r, _ in chunk.rejected], "stage": "read",
                                    "reason": [reason for _, reason in chunk.rejected]})
                cur.register("gapsight_bad", bad)
                cur.execute(f"INSERT INTO {rejects} SELECT * FROM gapsight_bad")
                cur.unregister("gapsight_bad")
        rows_read += len(frame)
        rejected += len(chunk.rejected)
        repaired = max(repaired, chunk.repaired_bytes)
        report_progress(min(0.6 * chunk.bytes_read / size, 0.6), f"Reading… {rows_read:,} rows")
    return rows_read, rejected, repaired


def plan_normalisation(cur: duckdb.DuckDBPyConnection, dataset_id: str, mapping: dict[str, str | None],
                       options: ImportOptions) -> NormalisePlan:
    """Decide scales and formats from the whole raw table, before any row is converted."""
    raw = quote_identifier(raw_table(dataset_id))
    warnings: list[str] = []
    rating_scale = timestamp_format = None
    if mapping["rating"]:
        rating_scale = options.rating_scale or _detect_for(
            mapping["rating"], "rating", detect_rating_scale, _value_sample(cur, raw, mapping["rating"]))
    expected_scale = _companion_scale(cur, raw, mapping, "expected", "Expectation scores", rating_scale, warnings)
    advertised_scale = _companion_scale(cur, raw, mapping, "advertised", "Advertised ratings", rating_scale,
                                        warnings)
    if mapping["timestamp"]:
        column = mapping["timestamp"]
        sample = cur.execute(
            f"SELECT {quote_identifier(column)} FROM {raw} "
            f"WHERE {quote_identifier(column)} IS NOT NULL USING SAMPLE 5000 ROWS"
        ).df().iloc[:, 0]
        timestamp_format = _detect_for(column, "timestamp", detect_timestamp_format, sample)
        if timestamp_format.kind in ("epoch_s", "epoch_ms"):
            years = parse_timestamps(sample, timestamp_format).values.dropna().dt.year
            # Small numbers (star ratings, counts) read as seconds after 1970-01-01: not event dates.
            if len(years) and years.median() < 1971:
                raise ValueError(
                    f"Column '{column}' is mapped to timestamp, but its values are small numbers that would "
                    f"read as moments in 1970 ({timestamp_format.label.split(',')[0]}), not dates. Map another "
                    "column to timestamp, or none.")
    category_lists = None
    if mapping["category"]:
        category_lists = detect_category_lists(_value_sample(cur, raw, mapping["category"]))
        if category_lists is not None:
            warnings.append(category_lists.note)
    return NormalisePlan(mapping=mapping, rating_scale=rating_scale, expected_scale=expected_scale,
                         advertised_scale=advertised_scale, timestamp_format=timestamp_format, warnings=tuple(warnings), category_lists=category_lists)


def _companion_scale(cur: duckdb.DuckDBPyConnection, raw: str, mapping: dict[str, str | None], field_name: str,
                     what: str, rating_scale: RatingScale | None, warnings: list[str]) -> RatingScale | None:
    """The scale of a score compared with the rating (expected, advertised): the rating's own when its values fit it.

    Values that read on neither scale, such as "great", are rejected row by row either way.
    """
    if not mapping.get(field_name):
        return None
    values = _value_sample(cur, raw, mapping[field_name])
    own_scale = _detect_for(mapping[field_name], field_name, detect_rating_scale, values)
    fits_rating = rating_scale is not None and not (
        normalise_ratings(values, rating_scale).invalid & ~normalise_ratings(values, own_scale).invalid).any()
    if rating_scale is not None and not fits_rating:
        warnings.append(f"{what} use the {_scale_words(own_scale)}, ratings the {_scale_words(rating_scale)}; "
                        "both were normalised to 0–1 before comparing.")
    return rating_scale if fits_rating else own_scale


def _scale_words(scale: RatingScale) -> str:
    """A scale's label as a noun phrase: "1–5 stars scale", "1–10 scale" (not "1–10 scale scale")."""
    return scale.label if "scale" in scale.label else f"{scale.label} scale"


def _detect_for(column: str, field_name: str, detect: Callable, values: pd.Series):
    """Run a scale or format detector, naming the column and field when it refuses the values."""
    try:
        return detect(values)
    except ValueError as error:
        raise ValueError(f"Column '{column}' cannot be used as {field_name}: {error}") from error


def _value_sample(cur: duckdb.DuckDBPyConnection, raw: str, column: str) -> pd.Series:
    """Up to 10,000 distinct non-empty values of a raw column, weighted by how often each occurs.

    Detecting a scale from distinct values alone would let one stray value stretch it (a single
    "44" among a million 1–5 stars reads as a 0–100 scale); every distinct value is kept at least
    once so that a rare but valid value still counts.
    """
    col = quote_identifier(column)
    counts = cur.execute(
        f"SELECT {col}, count(*) AS n FROM {raw} WHERE {col} IS NOT NULL GROUP BY {col} "
        f"ORDER BY n DESC, {col} LIMIT 10000"
    ).fetchall()
    factor = min(1.0, SCALE_SAMPLE_VALUES / max(sum(n for _, n in counts), 1))
    return pd.Series([value for value, n in counts for _ in range(max(1, math.ceil(n * factor)))],
                     dtype=object)


def _normalise_into_rows_table(store: Store, tables: _Tables, plan: NormalisePlan,
                               report_fraction: Callable[[float], None]) -> None:
    raw = quote_identifier(tables.raw)
    rows = quote_identifier(tables.rows)
    rejects = quote_identifier(tables.rejects)
    with store.write() as cur:
        create_rows_table(cur, tables.rows)
    mapped = sorted({c for c in plan.mapping.values() if c})
    select = ", ".join(["_row", *(quote_identifier(c) for c in mapped)])
    reader = store.cursor()
    low, high = reader.execute(f"SELECT min(_row), max(_row) FROM {raw}").fetchone()
    if low is None:
        return
    invalid_counts: dict[str, list[int]] = {}
    start = low
    while start <= high:
        stop = start + NORMALISE_CHUNK_ROWS
        chunk = reader.execute(f"SELECT {select} FROM {raw} WHERE _row >= ? AND _row < ? ORDER BY _row",
                               [start, stop]).df()
        accepted, rejected, counts = normalise_chunk(chunk, plan)
        for key, (bad, total) in counts.items():
            seen = invalid_counts.setdefault(key, [0, 0])
            seen[0] += bad
            seen[1] += total
        with store.write() as cur:
            cur.register("gapsight_rows", accepted)
            cur.execute(f"INSERT INTO {rows} SELECT * FROM gapsight_rows")
            cur.unregister("gapsight_rows")
            if len(rejected):
                cur.register("gapsight_bad", rejected)
                cur.execute(f"INSERT INTO {rejects} SELECT * FROM gapsight_bad")
                cur.unregister("gapsight_bad")
        report_fraction(min((stop - low) / max(high - low + 1, 1), 1.0))
        start = stop
    _refuse_wrong_mapping(invalid_counts, plan)


def _refuse_empty_result(cur: duckdb.DuckDBPyConnection, tables: _Tables, report: ImportReport,
                         source: str) -> None:
    """A dataset without a single row is never what the analyst wanted: refuse it with the first reason."""
    if report.rows_imported:
        return
    first = cur.execute(f"SELECT reason FROM {quote_identifier(tables.rejects)} ORDER BY _row LIMIT 1"
                        ).fetchone()
    example = f", e.g. {first[0]}" if first else ""
    raise ValueError(f"No rows could be imported from {source}: all {report.rows_read:,} rows were rejected{example}. "
                     "Check the column mapping, then import again.")


def _refuse_wrong_mapping(invalid_counts: dict[str, list[int]], plan: NormalisePlan) -> None:
    for field_name, (bad, total) in invalid_counts.items():
        if total and bad / total > MAX_INVALID_SHARE:
            column = plan.mapping[field_name]
            scale = {"rating": plan.rating_scale, "expected": plan.expected_scale,
                     "advertised": plan.advertised_scale}.get(field_name)
            fix = (f" on the {_scale_words(scale)}. Choose another rating scale, or map another column to "
                   f"{field_name} (or none)." if scale else f". Map another column to {field_name}, or none.")
            raise ValueError(
                f"Column '{column}' is mapped to {field_name}, but {bad:,} of its {total:,} non-empty values "
                f"are not valid {field_name} values{fix}"
            )


def normalise_chunk(chunk: pd.DataFrame, plan: NormalisePlan
                    ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, tuple[int, int]]]:
    """Convert raw text columns to canonical typed columns, splitting off invalid rows.

    Returns the accepted rows (columns :data:`STORED_COLUMNS`), the rejected rows
    (``_row``, ``stage``, ``reason``) and, per typed field, (invalid, non-empty) counts.
    """
    n = len(chunk)
    rows = np.asarray(chunk["_row"], dtype="int64")
    out: dict[str, object] = {"_row": rows}
    reasons = pd.Series([None] * n, dtype=object)
    counts: dict[str, tuple[int, int]] = {}

    def source(field_name: str) -> pd.Series | None:
        column = plan.mapping.get(field_name)
        return chunk[column].reset_index(drop=True) if column else None

    def add_reasons(mask: pd.Series, messages: pd.Series | str | Callable[[np.ndarray], list[str]]) -> None:
        """Record the first reason of each newly invalid row; messages are built only for those rows."""
        fresh = mask.fillna(False).to_numpy(dtype=bool) & reasons.isna().to_numpy()
        if not fresh.any():
            return
        if isinstance(messages, str):
            reasons[fresh] = messages
        elif callable(messages):
            reasons[fresh] = messages(fresh)
        else:
            reasons[fresh] = messages[fresh].to_numpy(dtype=object)

    for name in ("customer_id", "product", "category", "channel", "order_id"):
        out[name] = _clean_strings(source(name), n)
    if plan.category_lists is not None:
        out["category"] = plan.category_lists.pick(out["category"])
    out["item"] = _clean_items(source("item"), n)

    text = _clean_strings(source("text"), n)
    lengths = text.str.len()
    add_reasons(lengths > MAX_TEXT_CHARS, lambda rows_: [
        f"text has {k:,} characters; the limit is {MAX_TEXT_CHARS:,} per row (split long documents into rows)"
        for k in lengths[rows_].tolist()])
    out["text"] = text
    out["language"] = pd.Series(detect_languages(text), dtype="str")

    record_ids = _clean_strings(source("record_id"), n)
    if record_ids.isna().any():
        generated = pd.Series(rows, dtype="int64").astype("string[pyarrow]").radd("row-")
        record_ids = record_ids.fillna(generated)
    out["record_id"] = record_ids

    out["rating"], out["rating_raw"] = _scored(source("rating"), plan.rating_scale, "rating", n, add_reasons, counts)
    out["expected"], out["expected_raw"] = _scored(source("expected"), plan.expected_scale, "expected", n,
                                                   add_reasons, counts)
    out["advertised"], out["advertised_raw"] = _scored(source("advertised"), plan.advertised_scale, "advertised", n,
                                                       add_reasons, counts)

    timestamps = source("timestamp")
    if timestamps is not None:
        parsed = parse_timestamps(timestamps, plan.timestamp_format)
        invalid = parsed.invalid.reset_index(drop=True)
        add_reasons(invalid, parsed.reasons.reset_index(drop=True).fillna("timestamp is not a date"))
        counts["timestamp"] = (int(invalid.sum()), int(timestamps.notna().sum()))
        out["timestamp"] = parsed.values.reset_index(drop=True).astype("datetime64[us]")
    else:
        out["timestamp"] = pd.Series(pd.NaT, index=range(n), dtype="datetime64[us]")

    amounts = source("amount")
    if amounts is not None:
        parsed_amounts = parse_amounts(amounts)
        add_reasons(parsed_amounts.invalid.reset_index(drop=True),
                    lambda rows_: [f"amount {quoted(v)} is not a number" for v in amounts[rows_].tolist()])
        counts["amount"] = (int(parsed_amounts.invalid.sum()), int(amounts.notna().sum()))
        out["amount"] = parsed_amounts.values.to_numpy(dtype="float64")
    else:
        out["amount"] = np.full(n, np.nan)

    has_content = pd.Series(text.notna().to_numpy() | ~np.isnan(np.asarray(out["rating"], dtype="float64")))
    if plan.mapping.get("text") or plan.mapping.get("rating"):
        add_reasons(~has_content, "row has neither text nor a rating")

    frame = pd.DataFrame({name: _column(out[name], n) for name in STORED_COLUMNS})
    bad = reasons.notna().to_numpy()
    rejected = pd.DataFrame({"_row": rows[bad], "stage": "validate", "reason": reasons[bad].tolist()})
    return frame[~bad].reset_index(drop=True), rejected, counts


def _column(values: object, n: int) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    return pd.Series(values, index=range(n))


def _clean_strings(values: pd.Series | None, n: int) -> pd.Series:
    """Stripped strings with empty values as missing; an all-missing column when unmapped.

    Vectorised on Arrow strings: this runs over every mapped column of every row.
    """
    if values is None:
        return pd.Series(pd.NA, index=range(n), dtype="string[pyarrow]")
    stripped = values.reset_index(drop=True).astype("string[pyarrow]").str.strip()
    return stripped.mask(stripped.eq(""))


_LIST_MARKERS = r"[\[|;]"


def _clean_items(values: pd.Series | None, n: int) -> pd.Series:
    """Item lists written as 'a; b', 'a|b' or JSON lists become one ';'-separated string."""
    cleaned = _clean_strings(values, n)
    listed = cleaned.str.contains(_LIST_MARKERS, regex=True).fillna(False).astype(bool)
    if not listed.any():
        return cleaned

    def tidy(text: str) -> str | None:
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1].replace('"', "").replace("'", "").replace(",", ITEM_SEPARATOR)
        parts = [p.strip() for p in text.replace("|", ITEM_SEPARATOR).split(ITEM_SEPARATOR)]
        return ITEM_SEPARATOR.join(p for p in parts if p) or None

    tidied = cleaned.copy()
    tidied[listed] = [tidy(text) for text in cleaned[listed].tolist()]
    return tidied


def _scored(values: pd.Series | None, scale: RatingScale | None, name: str, n: int,
            add_reasons: Callable, counts: dict) -> tuple[np.ndarray, np.ndarray]:
    if values is None or scale is None:
        return np.full(n, np.nan), np.full(n, np.nan)
    parsed = normalise_ratings(values, scale, name={"expected": "expectation", "advertised": "advertised rating"
                                                    }.get(name, name))
    invalid = parsed.invalid.reset_index(drop=True)
    add_reasons(invalid, parsed.reasons.reset_index(drop=True).fillna(f"{name} is not valid"))
    counts[name] = (int(invalid.sum()), int(values.notna().sum()))
    normalised = parsed.normalised.reset_index(drop=True).to_numpy(dtype="float64", na_value=np.nan, copy=True)
    raw = parsed.raw.reset_index(drop=True).to_numpy(dtype="float64", na_value=np.nan, copy=True)
    normalised[invalid.to_numpy(dtype=bool)] = np.nan
    return normalised, raw


def _reject_duplicates(cur: duckdb.DuckDBPyConnection, tables: _Tables) -> None:
    """Keep the first of rows sharing a record id, and the first of rows identical in every source column."""
    rows = quote_identifier(tables.rows)
    raw = quote_identifier(tables.raw)
    rejects = quote_identifier(tables.rejects)
    raw_columns = [r[0] for r in cur.execute(f"DESCRIBE {raw}").fetchall() if r[0] != "_row"]
    hashed = ", ".join(quote_identifier(c) for c in raw_columns)
    cur.execute(f"""
        CREATE TEMP TABLE gapsight_dupes AS
        WITH exact AS (
            SELECT _row, first_value(_row) OVER (PARTITION BY hash({hashed}) ORDER BY _row) AS first_row
            FROM {raw} WHERE _row IN (SELECT _row FROM {rows})
        ), ids AS (
            SELECT _row, record_id, first_value(_row) OVER (PARTITION BY record_id ORDER BY _row) AS first_row
            FROM {rows}
        )
        SELECT e._row, 'exact duplicate of row ' || e.first_row AS reason FROM exact e WHERE e._row <> e.first_row
        UNION ALL
        SELECT i._row, 'record_id ''' || i.record_id || ''' already used by row ' || i.first_row
        FROM ids i WHERE i._row <> i.first_row AND i._row NOT IN (
            SELECT _row FROM exact WHERE _row <> first_row)
    """)
    cur.execute(f"INSERT INTO {rejects} SELECT _row, 'duplicate', reason FROM gapsight_dupes")
    cur.execute(f"DELETE FROM {rows} WHERE _row IN (SELECT _row FROM gapsight_dupes)")
    cur.execute("DROP TABLE gapsight_dupes")


def _finish_report(cur: duckdb.DuckDBPyConnection, tables: _Tables, dataset_id: str, name: str,
                   columns: tuple[str, ...], plan: NormalisePlan, warnings: list[str], rows_read: int,
                   started: float) -> ImportReport:
    rows = quote_identifier(tables.rows)
    rejects = quote_identifier(tables.rejects)
    imported = cur.execute(f"SELECT count(*) FROM {rows}").fetchone()[0]
    rejected = cur.execute(f"SELECT count(*) FROM {rejects}").fetchone()[0]
    reasons = dict(cur.execute(
        f"""SELECT CASE WHEN stage = 'read' THEN 'could not be read'
                        WHEN reason LIKE 'exact duplicate%' THEN 'exact duplicate row'
                        WHEN reason LIKE 'record_id%' THEN 'duplicate record_id'
                        -- parse_timestamps words its reasons "could not read '…' as a date", "date … is …"
                        WHEN reason LIKE 'could not read %' OR reason LIKE 'date %' THEN 'timestamp invalid'
                        WHEN reason LIKE 'expectation %' THEN 'expected invalid'
                        WHEN reason LIKE 'advertised rating %' THEN 'advertised invalid'
                        WHEN reason LIKE 'row has neither%' THEN 'no text or rating'
                        ELSE regexp_extract(reason, '^([a-z_]+)') || ' invalid' END AS kind, count(*)
            FROM {rejects} GROUP BY kind ORDER BY count(*) DESC"""
    ).fetchall())
    missing = {}
    for field_name, column in plan.mapping.items():
        if column and field_name in STORED_COLUMNS:
            n_missing = cur.execute(f"SELECT count(*) FROM {rows} WHERE {quote_identifier(field_name)} IS NULL"
                                    ).fetchone()[0]
            if n_missing:
                missing[field_name] = int(n_missing)
    used = {c for c in plan.mapping.values() if c}
    languages = dict(cur.execute(f"SELECT language, count(*) FROM {rows} WHERE language <> '' GROUP BY language "
                                 "ORDER BY count(*) DESC, language").fetchall())
    return ImportReport(
        dataset_id=dataset_id, dataset_name=name, rows_read=int(rows_read),
        rows_imported=int(imported), rows_rejected=int(rejected), reasons={k: int(v) for k, v in reasons.items()},
        columns_ignored=tuple(c for c in columns if c not in used), missing=missing, warnings=tuple(warnings),
        rating_scale=plan.rating_scale.label if plan.rating_scale else None,
        timestamp_format=plan.timestamp_format.label if plan.timestamp_format else None,
        seconds=round(time.perf_counter() - started, 2), languages={k: int(v) for k, v in languages.items()},
    )


def _plan_meta(plan: NormalisePlan) -> dict:
    scale = plan.rating_scale
    expected = plan.expected_scale
    advertised = plan.advertised_scale
    return {
        "rating_scale": ({"kind": scale.kind, "low": scale.low, "high": scale.high, "label": scale.label}
                         if scale else None),
        "expected_scale": ({"kind": expected.kind, "low": expected.low, "high": expected.high,
                            "label": expected.label} if expected else None),
        "advertised_scale": ({"kind": advertised.kind, "low": advertised.low, "high": advertised.high,
                              "label": advertised.label} if advertised else None),
        "timestamp_format": plan.timestamp_format.label if plan.timestamp_format else None,
        "plan_warnings": list(plan.warnings),
    }


def _dataset_meta(profile: FileProfile, plan: NormalisePlan) -> dict:
    meta = {
        "columns": list(profile.columns),
        "column_types": dict(profile.column_types),
        "format": profile.format,
        "encoding": profile.encoding.label if profile.encoding else None,
        "delimiter": profile.dialect.label if profile.dialect else None,
        "size_bytes": profile.size_bytes,
    }
    meta.update(_plan_meta(plan))
    return meta


def stage_upload(stream: BinaryIO, filename: str, *, directory: Path) -> Path:
    """Copy an uploaded file to disk so it outlives the upload widget and page changes.

    The copy goes to ``directory/<content hash>/<safe name>``; the same content always lands
    in the same place, so re-uploading costs nothing. The name is cut to fit every file system
    (255 bytes), keeping its extension; a failed copy leaves nothing behind.
    """
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / f".incoming-{uuid.uuid4().hex}"
    digest = hashlib.sha256()
    try:
        with open(temporary, "wb") as handle:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
                handle.write(block)
        target = directory / digest.hexdigest()[:16] / safe_file_name(filename)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, target)
    except OSError as error:
        raise ValueError(f"The upload could not be saved on this machine ({error.strerror or 'disk error'}). "
                         "Free some disk space, or upload the file again.") from error
    finally:
        temporary.unlink(missing_ok=True)
    return target


def safe_file_name(filename: str, *, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file name without path parts or odd characters, at most ``max_bytes`` in UTF-8, extension kept.

    >>> safe_file_name("../a b?.csv"), len(safe_file_name("评" * 100 + ".csv").encode()) <= 120
    ('a b_.csv', True)
    """
    name = "".join(c if c.isalnum() or c in "._- " else "_" for c in Path(str(filename)).name).strip() or "upload"
    suffix = Path(name).suffix if len(Path(name).suffix.encode()) <= 16 else ""
    stem = name[: len(name) - len(suffix)] if suffix else name
    while len((stem + suffix).encode()) > max_bytes:
        stem = stem[:-1]
    return (stem.rstrip() or "upload") + suffix


def discard_upload(path: Path) -> None:
    """Remove a staged upload that will not be imported (it failed to read), and its folder when empty."""
    path = Path(path)
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()
