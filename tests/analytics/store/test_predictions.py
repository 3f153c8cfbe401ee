"""Stored predictions and the store's half of the model registry."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.store.model_rows import activate_model, active_model, choose_model, register_model, serving_model
from analytics.store.predictions import LEXICON_MODEL_ID, has_predictions, load_predictions, save_predictions


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


def test_a_dataset_is_served_by_its_own_model_or_the_one_chosen_for_it(store):
    for model_id, dataset_id in (("own-old", "dsx"), ("own-new", "dsx"), ("elsewhere", "dsy"), ("cli", None)):
        register_model(store, model_id=model_id, task="sentiment", name=model_id, folder=f"/x/{model_id}",
                       dataset_id=dataset_id, labels=("negative", "positive"), metrics={})
    assert active_model(store, "sentiment").model_id == "cli"  # the newest registered is active
    assert serving_model(store, "dsx", "sentiment").model_id == "own-new"  # not another dataset's or the CLI's
    assert serving_model(store, "dsz", "sentiment") is None  # a dataset of its own: the baseline, never "cli"
    activate_model(store, "own-old")
    assert serving_model(store, "dsx", "sentiment").model_id == "own-old"  # its own active model first
    choose_model(store, "dsz", "sentiment", "elsewhere")
    assert serving_model(store, "dsz", "sentiment").model_id == "elsewhere"  # once a user chose it there
    choose_model(store, "dsx", "sentiment", LEXICON_MODEL_ID)
    assert serving_model(store, "dsx", "sentiment") is None
    choose_model(store, "dsx", "sentiment", None)
    assert serving_model(store, "dsx", "sentiment").model_id == "own-old"
    with pytest.raises(ValueError, match="not registered"):
        choose_model(store, "dsx", "sentiment", "ghost")
    assert serving_model(store, "dsx", "intent") is None
    assert not has_predictions(store, "dsx", "own-old")
