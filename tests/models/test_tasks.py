"""Tests for models.tasks: train-evaluate-save on a toy task, scoring order, evaluation, ratings → labels."""

import math

import numpy as np
import pandas as pd
import pytest

from analytics.ingest.ratings import normalise_ratings
from models.evaluation import evaluate
from models.linear import fit_tfidf_logreg
from models.registry import list_models, load_model, read_meta, read_test_split
from models.tasks import (
    clean_labels,
    describe_train_progress,
    evaluate_model,
    format_duration,
    score_texts,
    sentiment_labels_from_ratings,
    train_classifier,
)
from models.training import TrainProgress, split_dataset


@pytest.fixture(scope="module")
def outcome(tmp_path_factory, toy_data, tiny_config, cpu, tokenizer, tiny_model_factory):
    texts, labels = toy_data
    root = tmp_path_factory.mktemp("registry")
    events = []
    result = train_classifier(
        texts, labels, task="sentiment", config=tiny_config, device=cpu, models_root=root, name="toy reviews",
        data_source="dataset ds-1", progress=events.append, model_factory=tiny_model_factory, tokenizer=tokenizer,
        recipe="full",
    )
    return result, root, events


def test_training_saves_a_loadable_model_with_its_card(outcome):
    result, root, _ = outcome
    assert not result.cancelled
    assert set(result.folders) == {"tfidf_logreg", "embedding_logreg", "transformer"}
    assert result.folder == result.folders[result.selection["winner"]]
    assert result.folder.parent == root and result.folder.name.startswith("toy-reviews-")
    loaded = load_model(result.folder)
    meta = loaded.meta
    assert meta == result.meta
    assert meta.task == "sentiment" and meta.labels == ("negative", "positive")
    assert meta.split_sizes == {"train": 130, "validation": 30, "test": 40}
    assert meta.metrics["macro_f1"] == pytest.approx(result.report["macro_f1"]) and result.report["macro_f1"] >= 0.9
    assert meta.metrics["baselines"] == result.baselines
    assert meta.metrics["data"]["source"] == "dataset ds-1" and meta.metrics["data"]["rows_used"] == 200
    assert len(meta.data_fingerprint) == 64 and meta.device.startswith("CPU")
    assert meta.training_seconds > 0 and meta.throughput > 0 and meta.temperature > 0
    assert sorted(entry.folder for entry in list_models(root)) == sorted(result.folders.values())
    # Only the winner is marked selected, and every card carries the same comparison.
    cards = {kind: read_meta(folder) for kind, folder in result.folders.items()}
    assert [kind for kind, card in cards.items() if card.selected] == [result.selection["winner"]]
    assert {card.kind for card in cards.values()} == set(result.folders)
    assert all(card.metrics["selection"] == result.selection for card in cards.values())


def test_report_has_per_class_scores_confusion_and_calibration(outcome):
    result, _, _ = outcome
    report = result.report
    assert report["n"] == 40
    assert [row["label"] for row in report["per_class"]] == ["negative", "positive"]
    assert {"precision", "recall", "f1", "support"} <= set(report["per_class"][0])
    assert np.asarray(report["confusion"]["counts"]).sum() == 40
    assert 0 <= report["ece"] <= 1


def test_baselines_are_scored_on_the_same_test_rows(outcome, toy_data, tiny_config):
    result, _, _ = outcome
    texts, labels = toy_data
    others = {"tfidf_logreg", "embedding_logreg", "transformer"} - {result.selection["winner"]}
    assert set(result.baselines) == others | {"vader"}  # sentiment labels: VADER applies
    for baseline in result.baselines.values():
        assert baseline["n"] == result.report["n"] == result.meta.split_sizes["test"]
        assert [row["label"] for row in baseline["per_class"]] == ["negative", "positive"]
        supports = [row["support"] for row in baseline["per_class"]]
        assert supports == [row["support"] for row in result.report["per_class"]]
    # Refit TF-IDF + LR on the split fine_tune used: its test figures must agree exactly.
    split = split_dataset(labels, validation_fraction=tiny_config.validation_fraction,
                          test_fraction=tiny_config.test_fraction, seed=tiny_config.seed)
    classes = ("negative", "positive")
    by_hand = fit_tfidf_logreg([texts[i] for i in split.train], [labels[i] for i in split.train],
                               [texts[i] for i in split.validation], [labels[i] for i in split.validation],
                               classes=classes, seed=tiny_config.seed)
    predicted = by_hand.predict([texts[i] for i in split.test]).labels
    expected = evaluate([labels[i] for i in split.test], list(predicted), labels=classes)
    tfidf = next(row for row in result.selection["candidates"] if row["kind"] == "tfidf_logreg")
    assert tfidf["test_macro_f1"] == pytest.approx(expected.macro_f1, abs=1e-4)
    if result.selection["winner"] != "tfidf_logreg":
        assert result.baselines["tfidf_logreg"]["macro_f1"] == pytest.approx(expected.macro_f1)


def test_progress_covers_every_kind_and_never_goes_back(outcome):
    _, _, events = outcome
    phases = [e.phase for e in events]
    assert phases[0] == "tfidf_logreg" and "embedding_logreg" in phases and "train" in phases
    assert phases[-2:] == ["baselines", "saving"]
    fractions = [e.fraction for e in events]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_card_keeps_cpu_speed_and_the_test_split(outcome):
    result = outcome[0]
    speed = result.meta.metrics["speed"]
    assert speed["cpu_rows_per_s"] > 0 and speed["size_mb"] > 0
    assert 0 < speed["timed_rows"] <= result.report["n"]
    test = read_test_split(result.folder)
    assert list(test.columns) == ["text", "label"] and len(test) == result.report["n"]
    assert set(test["label"]) <= set(result.meta.labels)


def test_non_sentiment_labels_get_no_vader_baseline(tmp_path, cpu, tokenizer, tiny_model_factory, tiny_config):
    texts = [f"please {verb} my order number {i}" for i in range(40) for verb in ("refund", "track")]
    labels = [verb for _ in range(40) for verb in ("refund", "track")]
    result = train_classifier(
        texts, labels, task="intent", config=tiny_config, device=cpu, models_root=tmp_path,
        model_factory=tiny_model_factory, tokenizer=tokenizer, recipe="quick",
    )
    assert set(result.folders) == {"tfidf_logreg", "embedding_logreg"}  # quick: the two linear models only
    assert set(result.baselines) == set(result.folders) - {result.selection["winner"]}  # no VADER
    assert result.meta.task == "intent" and result.folder.name.startswith("intent-")


def test_a_cancelled_run_saves_nothing(tmp_path, toy_data, cpu, tokenizer, tiny_model_factory, tiny_config):
    texts, labels = toy_data
    result = train_classifier(
        texts, labels, task="sentiment", config=tiny_config, device=cpu, models_root=tmp_path / "models",
        should_stop=lambda: True, model_factory=tiny_model_factory, tokenizer=tokenizer,
    )
    assert result.cancelled and result.folder is None and result.meta is None
    assert not (tmp_path / "models").exists() or not any((tmp_path / "models").iterdir())


def test_one_label_fails_before_any_model_is_built(tmp_path, cpu):
    def factory(labels):
        raise AssertionError("the model should not be built for unusable data")

    with pytest.raises(ValueError, match="Every usable row has the label 'positive'"):
        train_classifier(["good"] * 20, ["positive"] * 20, task="sentiment", device=cpu, models_root=tmp_path,
                         model_factory=factory)


def test_scores_come_back_in_input_order(outcome, cpu):
    result, _, _ = outcome
    texts = ["the staff was awful", "", "I love the app", None, "the delivery was great and fast " * 30]
    forward = score_texts(result.folder, texts, device=cpu)
    backward = score_texts(result.folder, texts[::-1], device=cpu)
    assert list(forward.columns[:2]) == ["label", "confidence"]
    assert {"proba_negative", "proba_positive"} <= set(forward.columns)
    proba = forward[["proba_negative", "proba_positive"]].to_numpy()
    np.testing.assert_allclose(proba, backward[["proba_negative", "proba_positive"]].to_numpy()[::-1], atol=1e-6)
    assert forward["label"].tolist()[0] == "negative" and forward["label"].tolist()[2] == "positive"
    assert forward["label"].isna().tolist() == [False, True, False, True, False]
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)


def test_evaluate_model_reports_and_adds_vader(outcome, toy_data, cpu):
    result, _, _ = outcome
    texts, labels = toy_data
    report = evaluate_model(result.folder, texts[:60] + [""], labels[:60] + ["positive"], device=cpu)
    assert report.n_evaluated == 60 and report.n_skipped == 1
    assert report.report["n"] == 60 and report.report["macro_f1"] > 0.8
    assert report.baselines["vader"]["n"] == 60
    with pytest.raises(ValueError, match=r"labels \['neutral'\] that the model does not predict"):
        evaluate_model(result.folder, texts[:3], ["neutral", "positive", "negative"], device=cpu)


def test_ratings_become_sentiment_labels_on_any_scale():
    stars = normalise_ratings(pd.Series(["1", "2", "3", "4", "5", None])).normalised
    assert sentiment_labels_from_ratings(stars.tolist()) == [
        "negative", "negative", "neutral", "positive", "positive", None,
    ]
    ten = normalise_ratings(pd.Series(["0", "3", "5", "7", "10"])).normalised  # 0–10 scale
    assert sentiment_labels_from_ratings(ten) == ["negative", "negative", "neutral", "positive", "positive"]
    thumbs = normalise_ratings(pd.Series(["thumbs up", "thumbs down"])).normalised
    assert sentiment_labels_from_ratings(thumbs) == ["positive", "negative"]
    assert sentiment_labels_from_ratings([float("nan"), None, np.nan]) == [None, None, None]
    assert sentiment_labels_from_ratings([0.3, 0.5], negative_below=0.25, positive_above=0.45) == [
        "neutral", "positive",
    ]
    with pytest.raises(ValueError, match="negative_below=0.7 and positive_above=0.6"):
        sentiment_labels_from_ratings([0.5], negative_below=0.7)


def test_clean_labels_and_durations():
    assert clean_labels(["pos", 4.0, np.float64(5.0), 3, None, math.nan, "  "]) == ["pos", "4", "5", "3", None, None,
                                                                                      None]
    assert [format_duration(s) for s in (0, 59.6, 80, 3720, None)] == ["0 s", "1 min 0 s", "1 min 20 s",
                                                                       "1 h 2 min", ""]


def test_progress_line_reads_like_the_design():
    event = TrainProgress(
        phase="train", step=340, total_steps=512, epoch=2, epochs=3, train_loss=0.412, val_macro_f1=0.78,
        best_val_macro_f1=0.78, examples_per_second=50.0, eta_seconds=80.0, device_name="CPU (2 threads)",
    )
    assert describe_train_progress(event) == (
        "epoch 2/3 · step 340/512 · loss 0.41 · val macro-F1 0.78 · ETA 1 min 20 s · CPU (2 threads)"
    )
    start = TrainProgress(
        phase="train", step=0, total_steps=512, epoch=0, epochs=3, train_loss=None, val_macro_f1=None,
        best_val_macro_f1=None, examples_per_second=0.0, eta_seconds=None, device_name="CPU (2 threads)",
    )
    assert describe_train_progress(start) == "epoch 1/3 · step 0/512 · CPU (2 threads)"
