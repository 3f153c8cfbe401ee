"""Each text's sentences with their lexicon score, stored once per dataset version.

Expectation cues, dimension mentions and Kano from text all read a sentence's own sentiment; scoring
80,000 demo sentences with VADER takes seconds, so it happens once per dataset version
(``models.flows.sentence_scoring``) and every page visit after that only reads this table.
"""
from __future__ import annotations

import pandas as pd

from analytics.store.database import Store, insert_frame

SENTENCE_COLUMNS = ("record_id", "sentence_no", "sentence", "compound")


def _create_table(cur) -> None:
    cur.execute("""CREATE TABLE IF NOT EXISTS sentence_scores (
        dataset_id VARCHAR, version INTEGER, record_id VARCHAR, sentence_no INTEGER, sentence VARCHAR,
        compound DOUBLE)""")


def _exists(store: Store) -> bool:
    return bool(store.cursor().execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'sentence_scores'").fetchone()[0])


def save_sentences(store: Store, dataset_id: str, version: int, sentences: pd.DataFrame) -> int:
    """Replace the dataset's stored sentences with ``sentences`` (:data:`SENTENCE_COLUMNS`); return how many."""
    missing = [c for c in SENTENCE_COLUMNS if c not in sentences.columns]
    if missing:
        raise ValueError(f"The sentences table lacks the columns {missing}.")
    rows = pd.DataFrame({"dataset_id": dataset_id, "version": int(version),
                         "record_id": sentences["record_id"].astype(str).to_numpy(dtype=object),
                         "sentence_no": sentences["sentence_no"].to_numpy(dtype="int32"),
                         "sentence": sentences["sentence"].astype(str).to_numpy(dtype=object),
                         "compound": sentences["compound"].to_numpy(dtype=float)})
    with store.write() as cur:
        _create_table(cur)
        cur.execute("DELETE FROM sentence_scores WHERE dataset_id = ?", [dataset_id])
        if len(rows):
            insert_frame(cur, "sentence_scores", rows)
        else:  # an empty marker row keeps "scored, nothing found" apart from "never scored"
            cur.execute("INSERT INTO sentence_scores VALUES (?, ?, NULL, NULL, NULL, NULL)", [dataset_id, int(version)])
    return len(rows)


def load_sentences(store: Store, dataset_id: str, version: int) -> pd.DataFrame | None:
    """The stored sentences of this dataset version, or None when they were never scored for it."""
    if not _exists(store):
        return None
    cur = store.cursor()
    if not cur.execute("SELECT count(*) FROM sentence_scores WHERE dataset_id = ? AND version = ?",
                       [dataset_id, int(version)]).fetchone()[0]:
        return None
    return cur.execute(
        f"SELECT {', '.join(SENTENCE_COLUMNS)} FROM sentence_scores WHERE dataset_id = ? AND version = ? "
        "AND record_id IS NOT NULL ORDER BY record_id, sentence_no", [dataset_id, int(version)]).df()


def delete_sentences(store: Store, dataset_id: str) -> None:
    """Forget a dataset's sentences (it was deleted); opens its own transaction."""
    if _exists(store):
        with store.write() as cur:
            cur.execute("DELETE FROM sentence_scores WHERE dataset_id = ?", [dataset_id])
