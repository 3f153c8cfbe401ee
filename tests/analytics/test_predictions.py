"""Stored predictions and the store's half of the model registry."""
from __future__ import annotations

import pandas as pd

from analytics.predictions import active_model, load_predictions, register_model, save_predictions


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
