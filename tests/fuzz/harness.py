"""Drive one file through the Data page's call chain and judge how it ended.

An input must end as an import or as a ``ValueError`` whose message says what is wrong and what
to do: any other exception, a Python-internal message, more than the time or memory limit, a
leftover staged copy, or a change to the datasets stored before it is a failure.
"""
from __future__ import annotations

import io
import re
import signal
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from analytics.ingest.mapping import estimate_rejects, suggest_mapping
from analytics.ingest.pipeline import ImportOptions, discard_upload, import_file, stage_upload
from analytics.ingest.readers import profile_file
from analytics.store.database import Store, quote_identifier, rows_table

TIME_LIMIT_S = 30
MEMORY_LIMIT_MB = 1024
INTERNAL = re.compile(r"Traceback|\b\w+(?:Error|Exception)\b|codec can't|surrogates not allowed|sys\.|Errno|"
                      r"object has no attribute|NoneType|unhashable|invalid literal|Exceeds the limit|duckdb|"
                      r"Binder|Catalog Error")
ACTION = re.compile(r"\b(upload|export|save|map|choose|remove|check|change|tick|import|split|rename|open|close|use|"
                    r"pick|add|fix|convert|decompress|unzip|move)", re.IGNORECASE)


@dataclass(frozen=True)
class Outcome:
    """How one input ended: "imported", "rejected" (a clear ValueError) or "failed" (with why)."""

    kind: str
    detail: str
    seconds: float
    peak_mb: float


class _Timeout(Exception):
    pass


class _PeakMemory:
    """The process's peak resident memory above its level at the start, sampled every 20 ms."""

    def __init__(self) -> None:
        self.start = self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def __enter__(self) -> "_PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def grown_mb(self) -> float:
        return max(self.peak, _rss_mb()) - self.start


def _rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


def fingerprint(store: Store) -> dict[str, tuple[int, int]]:
    """Row count and a checksum of every stored dataset."""
    out = {}
    for info in store.list_datasets():
        count, checksum = store.cursor().execute(
            f"SELECT count(*), coalesce(sum(hash(record_id, text, rating, timestamp)), 0) "
            f"FROM {quote_identifier(rows_table(info.id))}").fetchone()
        out[info.id] = (int(count), int(checksum))
    return out


def judge_message(message: str) -> str | None:
    """Why a rejection message is not good enough for a user, or None."""
    if INTERNAL.search(message):
        return "Python-internal words in the message"
    if not ACTION.search(message):
        return "the message does not say what to do"
    if len(message) > 3000:
        return f"the message is {len(message):,} characters long"
    return None


def run_file(store: Store, data: bytes, filename: str, uploads: Path) -> Outcome:
    """The Data page's chain on one upload: stage, profile, suggest, estimate, import; imports are then deleted."""
    before = fingerprint(store)
    started = time.perf_counter()
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
    kind, detail, path = "failed", "", None
    try:
        with _PeakMemory() as memory:
            try:
                path = stage_upload(io.BytesIO(data), filename, directory=uploads)
                profile = profile_file(path, filename=filename)
                suggestion = suggest_mapping(profile.preview, column_types=profile.column_types)
                estimate_rejects(profile.preview, suggestion.mapping, total_rows=profile.estimated_rows)
                report = import_file(store, profile, suggestion.mapping, name=filename,
                                     options=ImportOptions(allow_same_file=True))
                store.preview_raw(report.dataset_id)
                store.delete_dataset(report.dataset_id)
                kind, detail = "imported", f"{report.rows_imported} rows"
            except ValueError as error:
                if path is not None:
                    discard_upload(path)
                problem = judge_message(str(error))
                kind, detail = ("failed", f"{problem}: {error}") if problem else ("rejected", str(error))
            except _Timeout:
                kind, detail = "failed", f"over {TIME_LIMIT_S} s"
            except Exception:  # the oracle: anything but ValueError is a crash to fix
                kind, detail = "failed", traceback.format_exc(limit=6)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - started
    if kind != "failed":
        if memory.grown_mb > MEMORY_LIMIT_MB:
            kind, detail = "failed", f"memory grew by {memory.grown_mb:,.0f} MB"
        elif fingerprint(store) != before:
            kind, detail = "failed", "the stored datasets changed"
        elif list(uploads.glob(".incoming-*")):
            kind, detail = "failed", "a temporary upload copy was left behind"
    return Outcome(kind, detail, seconds, memory.grown_mb)


def _raise_timeout(signum, frame):
    raise _Timeout()
