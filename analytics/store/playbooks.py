"""The reply playbook of each dataset (intent × emotion → strategy and template), as edited on the page.

One playbook per dataset: saving checks it first and replaces the earlier one in a single transaction, so
a refused or failed save leaves the earlier playbook as it was.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.insights.playbook import PLAYBOOK_COLUMNS, clean_playbook
from analytics.store.database import Store, insert_frame, now_utc

TABLE = "reply_playbooks"


def _create_table(cur) -> None:
    # Created on first use, so that the store's catalog stays the one place of the core tables.
    cur.execute(f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        dataset_id VARCHAR, position INTEGER, intent VARCHAR, emotion VARCHAR, strategy VARCHAR, template VARCHAR,
        saved_at TIMESTAMP)""")


def _exists(store: Store) -> bool:
    query = "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?"
    return bool(store.cursor().execute(query, [TABLE]).fetchone()[0])


def save_playbook(store: Store, dataset_id: str, table: pd.DataFrame) -> int:
    """Replace the dataset's playbook with ``table``; return how many rows were saved.

    Parameters
    ----------
    store : Store
    dataset_id : str
    table : DataFrame
        ``intent, emotion, strategy, template`` (other columns are ignored, blank rows dropped, cells
        stripped), as the page's table editor returns it.

    Raises
    ------
    ValueError
        The table has problems (:func:`analytics.insights.playbook.validate_playbook`); the message names
        them and nothing is changed.
    """
    clean = clean_playbook(table)
    rows = pd.DataFrame({"dataset_id": dataset_id, "position": np.arange(len(clean), dtype=np.int32),
                         **{c: clean[c].astype(str).to_numpy() for c in PLAYBOOK_COLUMNS},
                         "saved_at": now_utc()})
    with store.write() as cur:
        _create_table(cur)
        cur.execute(f"DELETE FROM {TABLE} WHERE dataset_id = ?", [dataset_id])
        insert_frame(cur, TABLE, rows)
    return len(rows)


def load_playbook(store: Store, dataset_id: str) -> pd.DataFrame | None:
    """The dataset's saved playbook (``intent, emotion, strategy, template`` in the saved order), or None."""
    if not _exists(store):
        return None  # nothing was ever saved in this store
    frame = store.cursor().execute(f"SELECT {', '.join(PLAYBOOK_COLUMNS)} FROM {TABLE} WHERE dataset_id = ? "
                                   "ORDER BY position", [dataset_id]).df()
    return frame if len(frame) else None


def delete_playbook(store: Store, dataset_id: str) -> bool:
    """Remove the dataset's playbook (the page then uses the defaults); return whether there was one.

    Call it outside another ``store.write()`` block: it opens its own transaction.
    """
    with store.write() as cur:
        _create_table(cur)
        n = cur.execute(f"SELECT count(*) FROM {TABLE} WHERE dataset_id = ?", [dataset_id]).fetchone()[0]
        cur.execute(f"DELETE FROM {TABLE} WHERE dataset_id = ?", [dataset_id])
    return bool(n)
