"""Saved segmentations: customer → segment per dataset, with the parameters that made them and editable names.

A saved segmentation is what the sidebar's segment filter reads on every page."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from analytics.store.database import Store, insert_frame, now_utc

MAX_NAME_LENGTH = 80


@dataclass(frozen=True)
class SavedSegmentation:
    """One stored segmentation (its members are read with :func:`segment_members`)."""

    segmentation_id: str
    dataset_id: str
    dataset_version: int
    name: str
    method: str
    params: dict
    segment_names: dict[int, str]
    created_at: datetime
    n_customers: int


def _clean_name(name: str, what: str) -> str:
    name = str(name or "").strip()
    if not name:
        raise ValueError(f"Give the {what} a name.")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"A {what} name has at most {MAX_NAME_LENGTH} characters; this one has {len(name)}.")
    return name


def save_segmentation(store: Store, dataset_id: str, dataset_version: int, name: str, *, method: str,
                      params: dict, labels: pd.Series, segment_names: dict[int, str]) -> SavedSegmentation:
    """Store ``labels`` (customer_id → segment number) under ``name``, replacing a segmentation of that name.

    Raises
    ------
    ValueError
        An empty or overlong name, or no customer.
    """
    name = _clean_name(name, "segmentation")
    if labels.empty:
        raise ValueError("There is no customer to save; run a segmentation first.")
    names = {int(k): _clean_name(v, "segment") for k, v in segment_names.items()}
    segmentation_id = f"seg-{uuid.uuid4().hex[:10]}"
    members = pd.DataFrame({"segmentation_id": segmentation_id, "customer_id": labels.index.astype(str),
                            "segment": labels.to_numpy(dtype="int64")})
    with store.write() as cur:
        old = cur.execute("SELECT segmentation_id FROM segmentations WHERE dataset_id = ? AND name = ?",
                          [dataset_id, name]).fetchall()
        for (old_id,) in old:
            _delete(cur, old_id)
        cur.execute("INSERT INTO segmentations VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [segmentation_id, dataset_id, int(dataset_version), name, method, json.dumps(params),
                     json.dumps({str(k): v for k, v in names.items()}), now_utc()])
        insert_frame(cur, "segment_members", members)
    return get_segmentation(store, segmentation_id)


def _from_row(row: tuple) -> SavedSegmentation:
    sid, dataset_id, version, name, method, params, names, created, n = row
    return SavedSegmentation(sid, dataset_id, int(version), name, method, json.loads(params),
                             {int(k): v for k, v in json.loads(names).items()}, created, int(n or 0))


_SELECT = """SELECT s.segmentation_id, s.dataset_id, s.dataset_version, s.name, s.method, s.params,
                    s.segment_names, s.created_at,
                    (SELECT count(*) FROM segment_members m WHERE m.segmentation_id = s.segmentation_id)
             FROM segmentations s"""


def list_segmentations(store: Store, dataset_id: str) -> list[SavedSegmentation]:
    """The dataset's saved segmentations, newest first."""
    rows = store.cursor().execute(f"{_SELECT} WHERE s.dataset_id = ? ORDER BY s.created_at DESC",
                                  [dataset_id]).fetchall()
    return [_from_row(r) for r in rows]


def get_segmentation(store: Store, segmentation_id: str) -> SavedSegmentation:
    """One saved segmentation.

    Raises
    ------
    ValueError
        It does not exist (deleted meanwhile).
    """
    row = store.cursor().execute(f"{_SELECT} WHERE s.segmentation_id = ?", [segmentation_id]).fetchone()
    if row is None:
        raise ValueError("That segmentation no longer exists; it was deleted.")
    return _from_row(row)


def segment_members(store: Store, segmentation_id: str) -> pd.Series:
    """customer_id → segment name of a saved segmentation (empty when it is gone)."""
    try:
        saved = get_segmentation(store, segmentation_id)
    except ValueError:
        return pd.Series(dtype=object, name="segment")
    members = store.cursor().execute(
        "SELECT customer_id, segment FROM segment_members WHERE segmentation_id = ?", [segmentation_id]).df()
    names = members["segment"].map(lambda s: saved.segment_names.get(int(s), f"Segment {int(s) + 1}"))
    return pd.Series(names.to_numpy(dtype=object), index=members["customer_id"].astype(str), name="segment")


def rename_segments(store: Store, segmentation_id: str, segment_names: dict[int, str]) -> None:
    """Give segments new names (the sidebar filter and every table show them)."""
    saved = get_segmentation(store, segmentation_id)
    names = saved.segment_names | {int(k): _clean_name(v, "segment") for k, v in segment_names.items()}
    with store.write() as cur:
        cur.execute("UPDATE segmentations SET segment_names = ? WHERE segmentation_id = ?",
                    [json.dumps({str(k): v for k, v in names.items()}), segmentation_id])


def _delete(cur, segmentation_id: str) -> None:
    cur.execute("DELETE FROM segment_members WHERE segmentation_id = ?", [segmentation_id])
    cur.execute("DELETE FROM segmentations WHERE segmentation_id = ?", [segmentation_id])


def delete_segmentation(store: Store, segmentation_id: str) -> None:
    """Delete a saved segmentation and its members (a filter on it then keeps every row, with a note)."""
    with store.write() as cur:
        _delete(cur, segmentation_id)
