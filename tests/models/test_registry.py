"""Tests for models.registry: round trip, plain-transformers compatibility, broken folders."""

import json

import numpy as np
import pytest
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from models.inference import predict_proba
from models.quantize import is_quantized
from models.registry import (
    ModelMeta,
    delete_model,
    fingerprint_data,
    list_models,
    load_model,
    new_model_folder,
    save_model,
)

SAMPLES = ["the delivery was great", "awful staff, I hate it", "", "love the app " * 40]


@pytest.fixture()
def saved(trained, toy_data, tmp_path):
    result, _ = trained
    texts, labels = toy_data
    meta = ModelMeta.from_fine_tune(result, task="sentiment", data_fingerprint=fingerprint_data(texts, labels))
    folder = save_model(result.model, result.tokenizer, tmp_path / "registry" / "sentiment-1", meta=meta)
    return result, folder, meta


def test_round_trip_reproduces_predictions_exactly(saved, cpu):
    result, folder, meta = saved
    loaded = load_model(folder)
    assert loaded.meta == meta
    before = predict_proba(result.model, result.tokenizer, SAMPLES, device=cpu, temperature=result.temperature)
    after = predict_proba(loaded.model, loaded.tokenizer, SAMPLES, device=cpu, temperature=loaded.meta.temperature)
    np.testing.assert_array_equal(before, after)


def test_folder_is_a_plain_transformers_model(saved):
    _, folder, _ = saved
    assert (folder / "model.safetensors").is_file()
    model = AutoModelForSequenceClassification.from_pretrained(folder)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert model.config.id2label == {0: "negative", 1: "positive"}
    assert model(**tokenizer(["good"], return_tensors="pt")).logits.shape == (1, 2)


def test_card_holds_what_the_models_page_needs(saved):
    result, folder, _ = saved
    card = json.loads((folder / "gapsight.json").read_text())
    assert card["task"] == "sentiment"
    assert card["labels"] == ["negative", "positive"]
    assert card["split_sizes"] == {"train": 130, "validation": 30, "test": 40}
    assert card["metrics"]["accuracy"] == pytest.approx(result.report.accuracy)
    assert card["temperature"] == pytest.approx(result.temperature)
    assert card["device"].startswith("CPU")
    assert card["training_seconds"] > 0 and card["throughput"] > 0
    assert len(card["data_fingerprint"]) == 64
    assert card["config"]["learning_rate"] == result.config.learning_rate
    assert card["created_at"].endswith("+00:00")


def test_fingerprint_depends_on_content_and_order():
    a = fingerprint_data(["x", "y"], ["p", "n"])
    assert a == fingerprint_data(["x", "y"], ["p", "n"])
    assert a != fingerprint_data(["y", "x"], ["n", "p"])
    assert a != fingerprint_data(["x", "y"], ["p", "p"])


def test_missing_or_broken_folders_give_an_actionable_error(saved, tmp_path):
    _, folder, _ = saved
    with pytest.raises(ValueError, match="was deleted or is incomplete.*delete the registry entry or retrain"):
        load_model(tmp_path / "nowhere")
    (folder / "model.safetensors").unlink()
    with pytest.raises(ValueError, match=r"incomplete \(no safetensors weights\)"):
        load_model(folder)
    (folder / "gapsight.json").write_text("{not json")
    with pytest.raises(ValueError, match="gapsight.json is unreadable"):
        load_model(folder)


def test_labels_in_config_and_card_must_agree(saved):
    _, folder, _ = saved
    card = json.loads((folder / "gapsight.json").read_text())
    card["labels"] = ["bad", "good"]
    (folder / "gapsight.json").write_text(json.dumps(card))
    with pytest.raises(ValueError, match="config labels.*differ"):
        load_model(folder)


def test_save_refuses_to_overwrite_or_mislabel(saved):
    result, folder, meta = saved
    with pytest.raises(ValueError, match="already exists"):
        save_model(result.model, result.tokenizer, folder, meta=meta)
    save_model(result.model, result.tokenizer, folder, meta=meta, overwrite=True)
    wrong = ModelMeta(task="sentiment", labels=("a", "b"))
    with pytest.raises(ValueError, match="differ from the model's labels"):
        save_model(result.model, result.tokenizer, folder.parent / "other", meta=wrong)
    assert not (folder.parent / "other").exists()
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no staging leftovers


def test_int8_variant_is_quantised_on_load(saved, tmp_path):
    result, _, meta = saved
    int8_meta = ModelMeta.from_dict({**meta.to_dict(), "variant": "int8"})
    folder = save_model(result.model, result.tokenizer, tmp_path / "int8", meta=int8_meta)
    loaded = load_model(folder)
    assert is_quantized(loaded.model)
    assert not is_quantized(load_model(folder, int8=False).model)
    with pytest.raises(ValueError, match="int8 models are not saved directly"):
        save_model(loaded.model, loaded.tokenizer, tmp_path / "again", meta=int8_meta)


def test_list_and_delete(saved, tmp_path):
    result, folder, meta = saved
    root = folder.parent
    newer = ModelMeta.from_dict({**meta.to_dict(), "created_at": "2999-01-01T00:00:00+00:00", "task": "intent"})
    second = save_model(result.model, result.tokenizer, new_model_folder(root, "Intent / v2"), meta=newer)
    assert second.name.startswith("intent-v2-")
    broken = root / "broken"
    broken.mkdir()
    (broken / "gapsight.json").write_text("[]")
    (root / "not-a-model").mkdir()
    entries = list_models(root)
    assert [e.folder.name for e in entries] == [second.name, folder.name, "broken"]
    assert entries[0].meta.task == "intent" and entries[2].meta is None and "unreadable" in entries[2].problem
    assert delete_model(second) is True
    assert delete_model(second) is False
    with pytest.raises(ValueError, match="not a Gapsight model folder"):
        delete_model(root / "not-a-model")
    assert (root / "not-a-model").exists()
    assert list_models(tmp_path / "absent") == []
