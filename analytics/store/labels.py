"""Labels people give to interactions (bulk relabel): shown over model output and used by the next fine-tune."""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analytics.store.database import Store, insert_frame, now_utc

MAX_LABEL_LENGTH = 100


def save_labels(store: Store, dataset_id: str, task: str, record_ids: Sequence[str], label: str) -> int:
    """Give ``label`` to the records (replacing their earlier label for ``task``); return how many.

    Raises
    ------
    ValueError
        No record selected, or an empty / overlong label.
    """
    label = str(label or "").strip()
    if not label:
        raise ValueError("Choose a label to give the selected rows.")
    if len(label) > MAX_LABEL_LENGTH:
        raise ValueError(f"A label has at most {MAX_LABEL_LENGTH} characters; this one has {len(label)}.")
    ids = list(dict.fromkeys(str(r) for r in record_ids))
    if not ids:
        raise ValueError("Select at least one row to relabel.")
    stamp = now_utc()
    rows = pd.DataFrame({"dataset_id": dataset_id, "record_id": ids, "task": task, "label": label,
                         "created_at": stamp})
    with store.write() as cur:
        insert_frame(cur, "labels", rows, replace=True)
    return len(ids)


def load_labels(store: Store, dataset_id: str, task: str) -> pd.DataFrame:
    """``record_id``, ``label``, ``created_at`` of the labels people gave for ``task`` on a dataset."""
    return store.cursor().execute(
        "SELECT record_id, label, created_at FROM labels WHERE dataset_id = ? AND task = ? ORDER BY created_at",
        [dataset_id, task]).df()


def clear_labels(store: Store, dataset_id: str, task: str, record_ids: Sequence[str] | None = None) -> int:
    """Remove people's labels for ``task`` (only of ``record_ids`` when given); return how many went."""
    sql, params = "DELETE FROM labels WHERE dataset_id = ? AND task = ?", [dataset_id, task]
    if record_ids is not None:
        ids = [str(r) for r in record_ids]
        if not ids:
            return 0
        sql += f" AND record_id IN ({', '.join('?' * len(ids))})"
        params += ids
    with store.write() as cur:
        before = cur.execute("SELECT count(*) FROM labels").fetchone()[0]
        cur.execute(sql, params)
        return before - cur.execute("SELECT count(*) FROM labels").fetchone()[0]


def apply_labels(predictions: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Predictions where people's labels replace the model's (confidence 1, ``source`` "you").

    Records a person labelled but the model never scored are added. Input frames are not changed.

    Examples
    --------
    >>> preds = pd.DataFrame({"record_id": ["a", "b"], "label": ["positive", "neutral"], "confidence": [.9, .5]})
    >>> fixed = apply_labels(preds, pd.DataFrame({"record_id": ["b"], "label": ["negative"]}))
    >>> fixed["label"].tolist(), fixed["source"].tolist()
    (['positive', 'negative'], ['model', 'you'])
    """
    model = predictions[["record_id", "label", "confidence"]].assign(source="model")
    if labels.empty:
        return model
    people = labels[["record_id", "label"]].assign(confidence=1.0, source="you")
    kept = model[~model["record_id"].isin(people["record_id"])]
    return pd.concat([kept, people], ignore_index=True)
