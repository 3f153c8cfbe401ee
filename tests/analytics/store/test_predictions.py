"""Stored predictions and the store's half of the model registry."""
from __future__ import annotations

import pandas as pd

from analytics.store.model_rows import activate_model, active_model, register_model
from analytics.store.predictions import (
    has_predictions,
    load_active_predictions,
    load_predictions,
    save_predictions,
)


def test_predictions_replace_and_stay_per_model(store):
    frame = pd.DataFrame({"record_id": ["1", "2"], "label": ["negative", "positive"], "confidence": [0.9, 0.6],
                          "proba_negative": [0.9, 0.1], "proba_positive": [0.1, 0.6]})
    assert save_predictions(store, "dsx", "vader", frame) == 2
    save_predictions(store, "dsx", "vader", frame.head(1))
    save_predictions(store, "dsx", "m1", frame)
    assert load_predictions(store, "dsx", "vader")["record_id"].tolist() == ["1"]
    assert sorted(load_predictions(store, "dsx", "m1")["label"]) == ["negative", "positive"]
    assert load_predictions(store, "other", "m1").empty


def test_registering_activates_one_model_per_task(store):
    register_model(store, model_id="a", task="sentiment", name="A", folder="/x/a", dataset_id="ds1",
                   labels=("negative", "positive"), metrics={"macro_f1": 0.8})
    register_model(store, model_id="b", task="sentiment", name="B", folder="/x/b", dataset_id="ds1",
                   labels=("negative", "positive"), metrics={"macro_f1": 0.82})
    register_model(store, model_id="c", task="intent", name="C", folder="/x/c", dataset_id=None,
                   labels=("complaint", "praise"), metrics={})
    assert active_model(store, "sentiment").model_id == "b"
    assert active_model(store, "intent").labels == ("complaint", "praise")
    assert active_model(store, "topic") is None


def test_the_active_models_predictions_are_read_in_one_go(store):
    frame = pd.DataFrame({"record_id": ["1", "2"], "label": ["negative", "positive"], "confidence": [0.9, 0.6]})
    for model_id in ("a", "b"):
        register_model(store, model_id=model_id, task="sentiment", name=model_id.upper(), folder=f"/x/{model_id}",
                       dataset_id="dsx", labels=("negative", "positive"), metrics={})
    assert load_active_predictions(store, "dsx", "sentiment") is None  # b is active but has not scored dsx
    save_predictions(store, "dsx", "a", frame)
    assert load_active_predictions(store, "dsx", "sentiment") is None  # a has, but is not active
    assert has_predictions(store, "dsx", "a") and not has_predictions(store, "dsx", "b")
    activate_model(store, "a")
    served = load_active_predictions(store, "dsx", "sentiment")
    assert (served.model_id, served.model_name) == ("a", "A")
    assert served.frame.to_dict("list") == frame.to_dict("list")
    assert load_active_predictions(store, "other", "sentiment") is None
    assert load_active_predictions(store, "dsx", "intent") is None
