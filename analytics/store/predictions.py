"""Stored model outputs: what has been scored is never scored again."""
from __future__ import annotations

import json

import pandas as pd

from analytics.store.database import Store, insert_frame, quote_identifier

LEXICON_MODEL_ID = "vader"


def save_predictions(store: Store, dataset_id: str, model_id: str, frame: pd.DataFrame, *,
                     only_these: bool = False) -> int:
    """Store one model's predictions for a dataset, replacing earlier ones of that model.

    Parameters
    ----------
    frame : DataFrame
        ``record_id``, ``label``, ``confidence`` and optional ``proba_<class>`` columns.
    only_these : bool, default False
        Replace only the predictions of ``frame``'s records and keep the others (topping up
        records that a re-map added or changed).
    """
    proba_columns = [c for c in frame.columns if c.startswith("proba_")]
    proba = (frame[proba_columns].round(4).to_dict(orient="records") if proba_columns
             else [{}] * len(frame))
    rows = pd.DataFrame({
        "dataset_id": dataset_id, "record_id": frame["record_id"].astype(str).tolist(), "model_id": model_id,
        "label": frame["label"].astype(object).tolist(), "confidence": frame["confidence"].astype(float).tolist(),
        "proba": [json.dumps({k.removeprefix("proba_"): v for k, v in p.items()}) for p in proba],
    })
    with store.write() as cur:
        if only_these:
            cur.register("_replaced", rows[["record_id"]])
            cur.execute("DELETE FROM predictions WHERE dataset_id = ? AND model_id = ? "
                        "AND record_id IN (SELECT record_id FROM _replaced)", [dataset_id, model_id])
            cur.unregister("_replaced")
        else:
            cur.execute("DELETE FROM predictions WHERE dataset_id = ? AND model_id = ?", [dataset_id, model_id])
        insert_frame(cur, "predictions", rows)
    return len(rows)


def forget_changed_records(cur, dataset_id: str, *, old_rows: str, new_rows: str) -> int:
    """After a re-map, drop what was said about records that are gone or whose text changed; return how many.

    Predictions and people's labels belong to a record's text. The lexicon's are kept for the
    unchanged records and topped up on the next read. A fine-tuned model's predictions of the
    dataset are dropped whole when any record changed, so that the dataset is re-scored in the
    background rather than shown half scored.
    """
    same = (f"SELECT n.record_id FROM {quote_identifier(new_rows)} n JOIN {quote_identifier(old_rows)} o "
            "ON n.record_id = o.record_id AND n.text IS NOT DISTINCT FROM o.text")
    kept = cur.execute(f"SELECT count(*) FROM ({same})").fetchone()[0]
    before = cur.execute(f"SELECT count(*) FROM {quote_identifier(old_rows)}").fetchone()[0]
    after = cur.execute(f"SELECT count(*) FROM {quote_identifier(new_rows)}").fetchone()[0]
    changed = int(max(before, after) - kept)
    if changed:
        cur.execute("DELETE FROM predictions WHERE dataset_id = ? AND model_id <> ?", [dataset_id, LEXICON_MODEL_ID])
        for table in ("predictions", "labels"):
            cur.execute(f"DELETE FROM {table} WHERE dataset_id = ? AND record_id NOT IN ({same})", [dataset_id])
    return changed


def has_predictions(store: Store, dataset_id: str, model_id: str) -> bool:
    """Whether a model's predictions for a dataset are stored (without loading them)."""
    return store.cursor().execute(
        "SELECT 1 FROM predictions WHERE dataset_id = ? AND model_id = ? LIMIT 1", [dataset_id, model_id]
    ).fetchone() is not None


def load_predictions(store: Store, dataset_id: str, model_id: str) -> pd.DataFrame:
    """``record_id``, ``label``, ``confidence`` of one model on one dataset (empty when never scored)."""
    return store.cursor().execute(
        "SELECT record_id, label, confidence FROM predictions WHERE dataset_id = ? AND model_id = ?",
        [dataset_id, model_id]).df()
