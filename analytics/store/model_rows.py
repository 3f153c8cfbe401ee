"""Registered models as rows of the store: which exist, for which task, which is active, which serves a dataset."""
from __future__ import annotations

import json
from dataclasses import dataclass

from analytics.store.database import Store, now_utc
from analytics.store.predictions import LEXICON_MODEL_ID


@dataclass(frozen=True)
class RegisteredModel:
    """A model the app knows: where its folder is, what it predicts and how well."""

    model_id: str
    task: str
    name: str
    folder: str
    dataset_id: str | None
    labels: tuple[str, ...]
    metrics: dict
    active: bool


def register_model(store: Store, *, model_id: str, task: str, name: str, folder: str, dataset_id: str | None,
                   labels: tuple[str, ...], metrics: dict, activate: bool = True) -> RegisteredModel:
    """Record a trained model; when ``activate``, it becomes the one used for its task."""
    with store.write() as cur:
        if activate:
            cur.execute("UPDATE models SET active = false WHERE task = ?", [task])
        cur.execute("INSERT OR REPLACE INTO models VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [model_id, task, name, folder, dataset_id, json.dumps(list(labels)),
                     json.dumps(metrics, default=str), now_utc(), activate])
    return RegisteredModel(model_id, task, name, folder, dataset_id, tuple(labels), metrics, activate)


def registered_models(store: Store, *, task: str | None = None) -> list[RegisteredModel]:
    """Registered models, newest first, optionally of one task."""
    sql = "SELECT model_id, task, name, folder, dataset_id, labels, metrics, active FROM models"
    params: list = []
    if task is not None:
        sql += " WHERE task = ?"
        params.append(task)
    rows = store.cursor().execute(sql + " ORDER BY created_at DESC", params).fetchall()
    return [RegisteredModel(m, t, n, f, d, tuple(json.loads(lb or "[]")), json.loads(mt or "{}"), bool(a))
            for m, t, n, f, d, lb, mt, a in rows]


def get_model(store: Store, model_id: str) -> RegisteredModel | None:
    """The registered model ``model_id``, or None when it is not (or no longer) registered."""
    return next((m for m in registered_models(store) if m.model_id == model_id), None)


def active_model(store: Store, task: str) -> RegisteredModel | None:
    """The model used for ``task``, or None (the lexicon baseline then serves sentiment)."""
    return next((m for m in registered_models(store, task=task) if m.active), None)


def activate_model(store: Store, model_id: str) -> None:
    """Make a registered model the one used for its task."""
    row = store.cursor().execute("SELECT task FROM models WHERE model_id = ?", [model_id]).fetchone()
    if row is None:
        raise ValueError(f"Model {model_id!r} is not registered (it may have been deleted).")
    with store.write() as cur:
        cur.execute("UPDATE models SET active = (model_id = ?) WHERE task = ?", [model_id, row[0]])


def unregister_model(store: Store, model_id: str) -> None:
    """Forget a model and every prediction it made (its folder is the caller's to delete)."""
    with store.write() as cur:
        cur.execute("DELETE FROM predictions WHERE model_id = ?", [model_id])
        cur.execute("DELETE FROM models WHERE model_id = ?", [model_id])


def _choice_key(task: str, dataset_id: str) -> str:
    return f"model_for:{task}:{dataset_id}"


def choose_model(store: Store, dataset_id: str, task: str, model_id: str | None) -> None:
    """Record which model serves ``task`` on a dataset: a model id, the lexicon id for the baseline, None to
    go back to the default (the dataset's own model)."""
    if model_id not in (None, LEXICON_MODEL_ID) and get_model(store, model_id) is None:
        raise ValueError(f"Model {model_id!r} is not registered (it may have been deleted).")
    store.set_setting(_choice_key(task, dataset_id), model_id or "")


def serving_model(store: Store, dataset_id: str, task: str) -> RegisteredModel | None:
    """The model whose predictions a dataset's pages show for ``task``; None for the baseline.

    The model a user chose for this dataset (:func:`choose_model`), else the active model trained
    on this dataset, else the newest trained on it. A model trained on another dataset or outside
    the app never serves a dataset unless a user chose it there.
    """
    models = registered_models(store, task=task)
    chosen = store.get_setting(_choice_key(task, dataset_id))
    if chosen == LEXICON_MODEL_ID:
        return None
    if chosen:
        picked = next((m for m in models if m.model_id == chosen), None)
        if picked is not None:
            return picked
    own = [m for m in models if m.dataset_id == dataset_id]
    return next((m for m in own if m.active), own[0] if own else None)


def model_origin(store: Store, model: RegisteredModel) -> str:
    """Where a model came from, for every caption that shows its predictions ("trained on Tweets.csv")."""
    if not model.dataset_id:
        return "trained outside the app (command line)"
    try:
        return f"trained on {store.get_dataset(model.dataset_id).name}"
    except ValueError:
        return "trained on a dataset since deleted"
