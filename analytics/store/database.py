"""DuckDB storage for datasets: one file, one writer at a time, readers never blocked."""
from __future__ import annotations

import atexit
import json
import os
import re
import threading
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analytics.home import gapsight_home
from analytics.language import detect_languages
from analytics.schema import STORED_COLUMNS

DB_FILENAME = "gapsight.duckdb"
# DuckDB caches pages up to its memory limit (80 % of RAM by default); a modest limit makes it
# spill big imports to disk instead, so a 300 MB file imports in well under 2 GB.
# The Data page's preview of a stored dataset: this many source columns, cells cut to this many characters.
PREVIEW_COLUMNS = 50
PREVIEW_CHARS = 300
MEMORY_LIMIT = os.environ.get("GAPSIGHT_DUCKDB_MEMORY", "768MB")

# Tables a re-map builds beside the live ones before swapping them in.
STAGING_SUFFIX = "_next"
_DATASET_TABLE = re.compile(r"^(raw|rows|rejects)_(ds[0-9a-f]{10})(_next)?$")

_STORED_SQL_TYPES = {
    "_row": "BIGINT", "rating": "DOUBLE", "rating_raw": "DOUBLE", "timestamp": "TIMESTAMP",
    "expected": "DOUBLE", "expected_raw": "DOUBLE",
    "advertised": "DOUBLE", "advertised_raw": "DOUBLE", "amount": "DOUBLE",
}


@dataclass(frozen=True)
class DatasetInfo:
    """One stored dataset as the store describes it (metadata only, no rows)."""

    id: str
    name: str
    source_name: str
    source_sha256: str
    created_at: datetime
    updated_at: datetime
    version: int
    n_rows: int
    n_rejected: int
    mapping: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    report: dict = field(default_factory=dict)

    @property
    def rating_scale(self) -> tuple[float, float] | None:
        """(low, high) of the rating scale, or None when the dataset has no rating."""
        scale = self.meta.get("rating_scale")
        return (float(scale["low"]), float(scale["high"])) if scale else None


def rows_table(dataset_id: str) -> str:
    """Name of the canonical-rows table of a dataset."""
    return f"rows_{dataset_id}"


def raw_table(dataset_id: str) -> str:
    """Name of the table holding the source columns as read (kept for re-mapping and labels)."""
    return f"raw_{dataset_id}"


def rejects_table(dataset_id: str) -> str:
    """Name of the table listing rejected source rows with their reasons."""
    return f"rejects_{dataset_id}"


def quote_identifier(name: str) -> str:
    """Quote a column name for DuckDB SQL, whatever characters it holds."""
    return '"' + name.replace('"', '""') + '"'


def new_dataset_id() -> str:
    """A short random id that is safe inside table names."""
    return "ds" + uuid.uuid4().hex[:10]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


# Stores still open, closed at exit: a DuckDB connection alive at interpreter shutdown makes its
# bindings print a screen of "nanobind: leaked …" lines after the program's own output.
_OPEN_STORES: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _close_open_stores() -> None:
    for store in list(_OPEN_STORES):
        store.close()


class Store:
    """All persistent state of Gapsight in one DuckDB file.

    DuckDB lets one process own the file; inside it every thread gets its own cursor, so
    readers see the last committed state while a writer works. Writes go through
    :meth:`write`, one at a time, each in a single transaction: a failure rolls back
    everything it did, so no partial dataset is ever left behind.

    Parameters
    ----------
    path : Path
        The DuckDB file; its folder is created when missing.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = duckdb.connect(str(self.path), config={"memory_limit": MEMORY_LIMIT})
        except duckdb.IOException as error:
            raise ValueError(
                f"The Gapsight store {self.path} is locked by another program ({error}). "
                "Close the other Gapsight instance, or set GAPSIGHT_HOME to another folder."
            ) from error
        self._write_lock = threading.RLock()
        _OPEN_STORES.add(self)
        self._create_catalog()
        self.drop_orphan_tables()

    @classmethod
    def open_default(cls) -> "Store":
        """Open the store under :func:`gapsight_home`."""
        return cls(gapsight_home() / DB_FILENAME)

    def close(self) -> None:
        """Close the connection (the file stays) and let it go; the store is unusable afterwards."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        _OPEN_STORES.discard(self)

    def _create_catalog(self) -> None:
        with self.write() as cur:
            cur.execute(
                """CREATE TABLE IF NOT EXISTS datasets (
                    id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, source_name VARCHAR,
                    source_sha256 VARCHAR, created_at TIMESTAMP, updated_at TIMESTAMP,
                    version INTEGER, n_rows BIGINT, n_rejected BIGINT,
                    mapping VARCHAR, meta VARCHAR, report VARCHAR)"""
            )
            cur.execute("CREATE TABLE IF NOT EXISTS settings (key VARCHAR PRIMARY KEY, value VARCHAR)")
            # Model outputs per (dataset, record, model): nothing is ever scored twice.
            cur.execute(
                """CREATE TABLE IF NOT EXISTS predictions (
                    dataset_id VARCHAR, record_id VARCHAR, model_id VARCHAR, label VARCHAR,
                    confidence DOUBLE, proba VARCHAR)"""
            )
            # The store's half of the model registry (the model folders hold the weights).
            cur.execute(
                """CREATE TABLE IF NOT EXISTS models (
                    model_id VARCHAR PRIMARY KEY, task VARCHAR, name VARCHAR, folder VARCHAR,
                    dataset_id VARCHAR, labels VARCHAR, metrics VARCHAR, created_at TIMESTAMP,
                    active BOOLEAN)"""
            )
            # Labels a person gave to records (bulk relabel); they feed the next fine-tune.
            cur.execute(
                """CREATE TABLE IF NOT EXISTS labels (
                    dataset_id VARCHAR, record_id VARCHAR, task VARCHAR, label VARCHAR, created_at TIMESTAMP,
                    PRIMARY KEY (dataset_id, record_id, task))"""
            )
            # Saved customer segmentations (analytics.store.segments): the sidebar's segment filter.
            cur.execute(
                """CREATE TABLE IF NOT EXISTS segmentations (
                    segmentation_id VARCHAR PRIMARY KEY, dataset_id VARCHAR, dataset_version INTEGER,
                    name VARCHAR, method VARCHAR, params VARCHAR, segment_names VARCHAR, created_at TIMESTAMP)"""
            )
            cur.execute(
                "CREATE TABLE IF NOT EXISTS segment_members (segmentation_id VARCHAR, customer_id VARCHAR, segment INTEGER)"
            )

    def drop_orphan_tables(self) -> list[str]:
        """Drop tables an interrupted import or re-map left behind (no catalog row points to them).

        Imports write their tables in many small transactions and publish them with one catalog
        row, so a crash can leave tables nobody sees; this runs when the store opens, before
        any import of this process can have started.
        """
        known = {row[0] for row in self.cursor().execute("SELECT id FROM datasets").fetchall()}
        orphans = []
        for (name,) in self.cursor().execute("SELECT table_name FROM duckdb_tables()").fetchall():
            match = _DATASET_TABLE.match(name)
            if match and (match.group(3) or match.group(2) not in known):
                orphans.append(name)
        if orphans:
            with self.write() as cur:
                for name in orphans:
                    cur.execute(f"DROP TABLE IF EXISTS {quote_identifier(name)}")
        return orphans

    # -- transactions -------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A fresh cursor for reading; cheap, and safe to use from the calling thread only."""
        return self._conn.cursor()

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: commit on success, roll back everything on any error."""
        with self._write_lock:
            cur = self._conn.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
            finally:
                cur.close()

    # -- settings -----------------------------------------------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """A stored setting, or ``default``."""
        row = self.cursor().execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting (insert or replace)."""
        with self.write() as cur:
            cur.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", [key, value])

    # -- datasets -----------------------------------------------------------------------
    def list_datasets(self) -> list[DatasetInfo]:
        """Every stored dataset, newest first."""
        rows = self.cursor().execute(
            "SELECT * FROM datasets ORDER BY created_at DESC, name"
        ).fetchall()
        return [_dataset_from_row(row) for row in rows]

    def get_dataset(self, dataset_id: str) -> DatasetInfo:
        """Metadata of one dataset; ``ValueError`` when it does not exist (any more)."""
        row = self.cursor().execute("SELECT * FROM datasets WHERE id = ?", [dataset_id]).fetchone()
        if row is None:
            raise ValueError(f"Dataset {dataset_id!r} does not exist (it may have been deleted).")
        return _dataset_from_row(row)

    def find_by_sha256(self, sha256: str) -> DatasetInfo | None:
        """The dataset imported from a file with this content hash, if any."""
        row = self.cursor().execute(
            "SELECT * FROM datasets WHERE source_sha256 = ? ORDER BY created_at LIMIT 1", [sha256]
        ).fetchone()
        return _dataset_from_row(row) if row else None

    def rename_dataset(self, dataset_id: str, name: str) -> None:
        """Give a dataset a new display name."""
        name = name.strip()
        if not name:
            raise ValueError("A dataset name cannot be empty.")
        self.get_dataset(dataset_id)
        with self.write() as cur:
            cur.execute("UPDATE datasets SET name = ?, updated_at = ? WHERE id = ?", [name, _now(), dataset_id])

    def delete_dataset(self, dataset_id: str) -> None:
        """Delete a dataset and all its tables in one transaction."""
        self.get_dataset(dataset_id)
        with self.write() as cur:
            for table in (rows_table(dataset_id), raw_table(dataset_id), rejects_table(dataset_id)):
                cur.execute(f"DROP TABLE IF EXISTS {quote_identifier(table)}")
            cur.execute("DELETE FROM predictions WHERE dataset_id = ?", [dataset_id])
            cur.execute("DELETE FROM labels WHERE dataset_id = ?", [dataset_id])
            cur.execute("DELETE FROM segment_members WHERE segmentation_id IN "
                        "(SELECT segmentation_id FROM segmentations WHERE dataset_id = ?)", [dataset_id])
            cur.execute("DELETE FROM segmentations WHERE dataset_id = ?", [dataset_id])
            cur.execute("DELETE FROM datasets WHERE id = ?", [dataset_id])

    def load_rows(self, dataset_id: str) -> pd.DataFrame:
        """All canonical rows of a dataset, in source order."""
        self.get_dataset(dataset_id)
        frame = self.cursor().execute(
            f"SELECT * FROM {quote_identifier(rows_table(dataset_id))} ORDER BY _row"
        ).df()
        for name in STORED_COLUMNS:  # a dataset stored before a canonical field existed lacks its column
            if name == "language" and name not in frame.columns:  # stored before languages were detected
                frame[name] = pd.Series(detect_languages(frame["text"]), index=frame.index, dtype="str")
            elif name not in frame.columns:
                frame[name] = pd.Series(np.nan if _STORED_SQL_TYPES.get(name) == "DOUBLE" else None,
                                        index=frame.index, dtype="float64" if _STORED_SQL_TYPES.get(name) == "DOUBLE"
                                        else "str")
        return frame[[*STORED_COLUMNS, *(c for c in frame.columns if c not in STORED_COLUMNS)]]

    def load_rejects(self, dataset_id: str) -> pd.DataFrame:
        """Rejected source rows of a dataset with their reasons."""
        self.get_dataset(dataset_id)
        return self.cursor().execute(
            f"SELECT * FROM {quote_identifier(rejects_table(dataset_id))} ORDER BY _row"
        ).df()

    def load_raw(self, dataset_id: str, *, columns: list[str] | None = None,
                 limit: int | None = None) -> pd.DataFrame:
        """Source columns of a dataset as read (all text), with ``_row``."""
        self.get_dataset(dataset_id)
        select = "*" if columns is None else ", ".join(quote_identifier(c) for c in ["_row", *columns])
        sql = f"SELECT {select} FROM {quote_identifier(raw_table(dataset_id))} ORDER BY _row"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self.cursor().execute(sql).df()

    def preview_raw(self, dataset_id: str, *, limit: int = 100, max_columns: int = PREVIEW_COLUMNS,
                    max_chars: int = PREVIEW_CHARS) -> tuple[pd.DataFrame, int]:
        """The first rows and columns of a dataset's source table, cells cut to ``max_chars``, and its column count.

        Bounded in rows, columns and cell length, so even a very wide or long-celled dataset opens
        in a few megabytes (the whole-table ``SELECT *`` ran out of memory on 2,000 columns).

        Raises
        ------
        ValueError
            When the table cannot be read; the dataset can still be re-mapped or deleted.
        """
        table = quote_identifier(raw_table(self.get_dataset(dataset_id).id))
        try:
            cur = self.cursor()
            names = [d[0] for d in cur.execute(f"SELECT * FROM {table} LIMIT 0").description if d[0] != "_row"]
            shown = ", ".join(f"left(CAST({q} AS VARCHAR), {int(max_chars)}) AS {q}"
                              for q in map(quote_identifier, names[:max_columns]))
            sql = f"SELECT {shown or '_row'} FROM {table} ORDER BY _row LIMIT {int(limit)}"
            return cur.execute(sql).df(), len(names)
        except duckdb.Error as error:
            raise ValueError(f"The preview of this dataset could not be read ({type(error).__name__}); it can still "
                             "be re-mapped or deleted.") from error


def insert_frame(cur: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, *, replace: bool = False) -> None:
    """Append ``frame`` (columns in the table's order) to ``table``; ``replace`` overwrites rows with the same key."""
    cur.register("gapsight_insert", frame)
    try:
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        cur.execute(f"{verb} INTO {quote_identifier(table)} SELECT * FROM gapsight_insert")
    finally:
        cur.unregister("gapsight_insert")


def create_rows_table(cur: duckdb.DuckDBPyConnection, table: str) -> None:
    """Create an empty canonical-rows table with the stored column types."""
    columns = ", ".join(
        f"{quote_identifier(c)} {_STORED_SQL_TYPES.get(c, 'VARCHAR')}" for c in STORED_COLUMNS
    )
    cur.execute(f"CREATE TABLE {quote_identifier(table)} ({columns})")


def create_rejects_table(cur: duckdb.DuckDBPyConnection, table: str) -> None:
    """Create an empty rejects table: source row number, stage and reason."""
    cur.execute(f"CREATE TABLE {quote_identifier(table)} (_row BIGINT, stage VARCHAR, reason VARCHAR)")


def insert_dataset_row(cur: duckdb.DuckDBPyConnection, info: DatasetInfo) -> None:
    """Write the catalog row of a dataset (inside the caller's transaction)."""
    cur.execute(
        "INSERT OR REPLACE INTO datasets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [info.id, info.name, info.source_name, info.source_sha256, info.created_at, info.updated_at,
         info.version, info.n_rows, info.n_rejected, json.dumps(info.mapping),
         json.dumps(info.meta, default=str), json.dumps(info.report, default=str)],
    )


def _dataset_from_row(row: tuple) -> DatasetInfo:
    (id_, name, source_name, sha, created, updated, version, n_rows, n_rejected,
     mapping, meta, report) = row
    return DatasetInfo(
        id=id_, name=name, source_name=source_name or "", source_sha256=sha or "",
        created_at=created, updated_at=updated, version=int(version or 1), n_rows=int(n_rows or 0),
        n_rejected=int(n_rejected or 0), mapping=json.loads(mapping or "{}"),
        meta=json.loads(meta or "{}"), report=json.loads(report or "{}"),
    )


def now_utc() -> datetime:
    """Naive UTC now, as stored in the catalog."""
    return _now()
