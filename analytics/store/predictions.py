"""Stored model outputs: what has been scored is never scored again."""
from __future__ import annotations

import json

import pandas as pd

from analytics.store.database import Store, insert_frame

LEXICON_MODEL_ID = "vader"


def save_predictions(store: Store, dataset_id: str, model_id: str, frame: pd.DataFrame) -> int:
    """Store one model's predictions for a dataset, replacing earlier ones of that model.

    Parameters
    ----------
    frame : DataFrame
        ``record_id``, ``label``, ``confidence`` and optional ``proba_<class>`` columns.
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
        cur.execute("DELETE FROM predictions WHERE dataset_id = ? AND model_id = ?", [dataset_id, model_id])
        insert_frame(cur, "predictions", rows)
    return len(rows)


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
