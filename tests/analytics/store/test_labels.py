"""People's labels: stored per (dataset, record, task), shown over model output, removed with their dataset."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.store.labels import apply_labels, clear_labels, load_labels, save_labels


def test_labels_replace_per_record_and_stay_per_task(store):
    assert save_labels(store, "ds1", "sentiment", ["a", "b", "a"], "negative") == 2
    save_labels(store, "ds1", "sentiment", ["b"], " positive ")
    save_labels(store, "ds1", "intent", ["a"], "complaint")
    labels = load_labels(store, "ds1", "sentiment").set_index("record_id")["label"].to_dict()
    assert labels == {"a": "negative", "b": "positive"}
    assert load_labels(store, "ds1", "intent")["label"].tolist() == ["complaint"]
    assert load_labels(store, "ds2", "sentiment").empty


def test_clear_some_or_all(store):
    save_labels(store, "ds1", "sentiment", ["a", "b", "c"], "neutral")
    assert clear_labels(store, "ds1", "sentiment", ["b", "zz"]) == 1
    assert sorted(load_labels(store, "ds1", "sentiment")["record_id"]) == ["a", "c"]
    assert clear_labels(store, "ds1", "sentiment", []) == 0
    assert clear_labels(store, "ds1", "sentiment") == 2
    assert load_labels(store, "ds1", "sentiment").empty


@pytest.mark.parametrize("ids, label, message", [
    ([], "negative", "Select at least one row"),
    (["a"], "   ", "Choose a label"),
    (["a"], "x" * 101, "at most 100 characters"),
])
def test_bad_relabels_are_refused_and_change_nothing(store, ids, label, message):
    save_labels(store, "ds1", "sentiment", ["a"], "positive")
    with pytest.raises(ValueError, match=message):
        save_labels(store, "ds1", "sentiment", ids, label)
    assert load_labels(store, "ds1", "sentiment")["label"].tolist() == ["positive"]


def test_people_override_the_model_and_add_unscored_records():
    predictions = pd.DataFrame({"record_id": ["a", "b"], "label": ["positive", "neutral"], "confidence": [0.9, 0.4]})
    people = pd.DataFrame({"record_id": ["b", "c"], "label": ["negative", "positive"]})
    merged = apply_labels(predictions, people).set_index("record_id")
    assert merged.loc["a"].tolist() == ["positive", 0.9, "model"]
    assert merged.loc["b"].tolist() == ["negative", 1.0, "you"]
    assert merged.loc["c", "source"] == "you"
    assert predictions["label"].tolist() == ["positive", "neutral"]  # input untouched
    assert apply_labels(predictions, people.iloc[0:0])["source"].eq("model").all()


def test_deleting_a_dataset_deletes_its_labels(store, tmp_path):
    from analytics.ingest.mapping import suggest_mapping
    from analytics.ingest.pipeline import import_file
    from analytics.ingest.readers import profile_file

    path = tmp_path / "x.csv"
    path.write_text("id,text,rating\n1,bad,1\n2,good,5\n", encoding="utf-8")
    profile = profile_file(path)
    mapping = suggest_mapping(profile.preview, column_types=profile.column_types).mapping
    info = store.get_dataset(import_file(store, profile, mapping).dataset_id)
    save_labels(store, info.id, "sentiment", ["1"], "negative")
    store.delete_dataset(info.id)
    assert load_labels(store, info.id, "sentiment").empty
