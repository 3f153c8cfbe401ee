"""int8 variants measured beside their original on the same test rows; CPU speed on every card."""
from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from models.quantize import is_quantized
from models.registry import ModelMeta, export_zip, load_model, read_meta, save_model
from models.variants import build_int8_variant, measure_cpu


@pytest.fixture(scope="module")
def original(trained, tmp_path_factory, toy_maker):
    result, _ = trained
    texts, labels = toy_maker(60, seed=5)
    meta = ModelMeta.from_fine_tune(result, task="sentiment", data_fingerprint="")
    meta = ModelMeta.from_dict({**meta.to_dict(), "metrics": {**meta.metrics, "data": {"name": "toy"},
                                                              "baselines": {"tfidf_logreg": {"macro_f1": 0.5}}}})
    root = tmp_path_factory.mktemp("variants")
    return save_model(result.model, result.tokenizer, root / "toy", meta=meta,
                      test_rows=pd.DataFrame({"text": texts, "label": labels}))


def test_int8_variant_is_measured_against_the_original_on_its_test_rows(original, cpu):
    steps = []
    variant = build_int8_variant(original, progress=lambda fraction, message: steps.append((fraction, message)))
    card = read_meta(variant)
    assert variant.name == "toy-int8" and card.variant == "int8" and card.metrics["n"] == 60
    assert card.metrics["data"]["name"] == "toy · int8" and card.metrics["baselines"]["tfidf_logreg"]
    before = card.metrics["compared_with"]
    assert before["model_id"] == "toy" and abs(before["macro_f1"] - card.metrics["macro_f1"]) < 0.1
    assert card.metrics["speed"]["size_mb"] < before["size_mb"]  # int8 weights are smaller
    assert read_meta(original).metrics["speed"]["cpu_rows_per_s"] == before["cpu_rows_per_s"]
    assert [f for f, _ in steps] == sorted(f for f, _ in steps) and steps[-1][0] < 1
    loaded = load_model(variant)
    assert is_quantized(loaded.model)
    # The recorded macro-F1 is what the int8 model really scores on those rows.
    test = pd.read_parquet(variant / "test_split.parquet")
    again = measure_cpu(loaded.model, loaded.tokenizer, test["text"].tolist(), test["label"].tolist(),
                        max_length=int(card.config["max_length"]), temperature=card.temperature)
    assert again["report"]["macro_f1"] == pytest.approx(card.metrics["macro_f1"])
    with pytest.raises(ValueError, match="already an int8 variant"):
        build_int8_variant(variant)


def test_a_model_without_test_split_cannot_be_measured(trained, tmp_path):
    result, _ = trained
    meta = ModelMeta.from_fine_tune(result, task="sentiment", data_fingerprint="")
    folder = save_model(result.model, result.tokenizer, tmp_path / "old", meta=meta)
    with pytest.raises(ValueError, match="no saved test split"):
        build_int8_variant(folder)
    with pytest.raises(ValueError, match="deleted or is incomplete"):
        build_int8_variant(tmp_path / "gone")


def test_export_zip_holds_a_loadable_folder(original, tmp_path):
    archive = zipfile.ZipFile(io.BytesIO(export_zip(original)))
    names = set(archive.namelist())
    assert {"toy/config.json", "toy/gapsight.json", "toy/test_split.parquet"} <= names
    assert any(n.endswith(".safetensors") for n in names)
    archive.extractall(tmp_path)
    assert load_model(tmp_path / "toy").meta.labels == read_meta(original).labels
    with pytest.raises(ValueError, match="deleted or is incomplete"):
        export_zip(tmp_path / "missing")
