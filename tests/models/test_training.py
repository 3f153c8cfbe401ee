"""Tests for models.training: input checks, the split, and the loop on a toy task with a tiny BERT."""

import dataclasses

import numpy as np
import pytest
import torch
from sklearn.metrics import f1_score

from models.base import build_tiny_classifier
from models.inference import predict_proba
from models.training import FineTuneConfig, fine_tune, prepare_training_data, split_dataset

# ---------------------------------------------------------------- input validation


def test_one_label_only_is_rejected():
    with pytest.raises(ValueError, match="Every usable row has the label 'good'; a classifier needs at least two"):
        prepare_training_data(["a", "b", "c"], ["good"] * 3)


def test_too_few_examples_for_a_label_is_rejected_with_the_label_named():
    texts = [f"text {i}" for i in range(11)]
    labels = ["x"] + ["y"] * 10
    with pytest.raises(ValueError, match="Label 'x' has only 1 example; every label needs at least 5"):
        prepare_training_data(texts, labels)
    with pytest.raises(ValueError, match=r"Labels 'x' \(1\), 'z' \(2\) have too few examples"):
        prepare_training_data(texts + ["t1", "t2"], labels + ["z", "z"])


def test_an_id_column_is_not_a_label():
    texts = [f"text {i}" for i in range(300)]
    with pytest.raises(ValueError, match="300 distinct values.*looks like an id column, not a label"):
        prepare_training_data(texts, [f"id-{i}" for i in range(300)])


def test_mismatched_lengths_and_empty_data():
    with pytest.raises(ValueError, match="3 texts but 2 labels"):
        prepare_training_data(["a", "b", "c"], ["x", "y"])
    with pytest.raises(ValueError, match="No row has both a text and a label"):
        prepare_training_data(["", None], ["x", "y"])


def test_empty_texts_and_missing_labels_are_dropped_and_counted():
    texts = ["good"] * 5 + ["bad"] * 5 + ["", None, "   ", "orphan"]
    labels = ["pos"] * 5 + ["neg"] * 5 + ["pos", "neg", "pos", None]
    data = prepare_training_data(texts, labels)
    assert (data.n_dropped_empty, data.n_dropped_unlabelled) == (3, 1)
    assert len(data.texts) == 10
    assert data.positions.tolist() == list(range(10))
    assert data.classes == ("neg", "pos")


def test_integral_float_labels_read_as_integers():
    data = prepare_training_data([f"t{i}" for i in range(10)], [4.0] * 5 + [5.0] * 5)
    assert data.classes == ("4", "5")


def test_config_checks_values():
    with pytest.raises(ValueError, match="epochs=0 should be >= 1.*learning_rate=-1"):
        FineTuneConfig(epochs=0, learning_rate=-1)
    with pytest.raises(ValueError, match="validation_fraction \\+ test_fraction = 0.6"):
        FineTuneConfig(validation_fraction=0.3, test_fraction=0.3)


# ---------------------------------------------------------------- split


def test_split_is_stratified_with_exact_proportions():
    labels = ["a"] * 100 + ["b"] * 50 + ["c"] * 10
    split = split_dataset(labels, validation_fraction=0.1, test_fraction=0.2, seed=0)
    assert split.sizes == {"train": 112, "validation": 16, "test": 32}
    values = np.array(labels)
    for part, fraction in ((split.validation, 0.1), (split.test, 0.2)):
        counts = {k: int((values[part] == k).sum()) for k in "abc"}
        assert counts == {"a": round(100 * fraction), "b": round(50 * fraction), "c": round(10 * fraction)}
    every = np.concatenate([split.train, split.validation, split.test])
    assert sorted(every.tolist()) == list(range(160))  # a partition: no overlap, nothing lost


def test_split_is_deterministic_for_a_seed_and_changes_with_it():
    labels = ["a"] * 30 + ["b"] * 30
    first = split_dataset(labels, seed=7)
    again = split_dataset(labels, seed=7)
    other = split_dataset(labels, seed=8)
    for name in ("train", "validation", "test"):
        assert getattr(first, name).tolist() == getattr(again, name).tolist()
    assert first.test.tolist() != other.test.tolist()


def test_small_labels_still_reach_every_split_and_tiny_ones_are_rejected():
    split = split_dataset(["a"] * 5 + ["b"] * 40)
    for part in (split.train, split.validation, split.test):
        assert {0, 1, 2, 3, 4} & set(part.tolist())
    with pytest.raises(ValueError, match="Label 'a' has only 1 example; every label needs at least 5"):
        split_dataset(["a"] + ["b"] * 40)


# ---------------------------------------------------------------- the loop


def test_fine_tuning_learns_the_toy_task(trained):
    result, _ = trained
    assert result.report.accuracy >= 0.9
    assert result.report.macro_f1 >= 0.9
    assert result.classes == ("negative", "positive")
    assert result.model.config.id2label == {0: "negative", 1: "positive"}
    assert result.split.sizes == {"train": 130, "validation": 30, "test": 40}
    assert result.test_proba.shape == (40, 2)
    assert result.report.n == 40
    assert result.temperature > 0
    assert result.examples_per_second > 0 and result.train_seconds > 0
    assert not result.model.training


def test_progress_reports_are_consistent(trained):
    result, events = trained
    phases = [e.phase for e in events]
    assert phases[0] == "train" and phases[-1] == "done"
    assert {"evaluate", "calibrate", "test"} <= set(phases)
    steps = [e.step for e in events]
    assert steps == sorted(steps) and steps[-1] == result.steps_run
    assert all(e.total_steps == 9 * 6 for e in events)  # ceil(130 / 16) steps x 6 epochs
    evaluations = [e for e in events if e.phase == "evaluate"]
    assert [e.val_macro_f1 for e in evaluations] == result.history["val_macro_f1"].tolist()
    late = events[-1]
    assert late.device_name.startswith("CPU") and late.examples_per_second > 0
    assert late.best_val_macro_f1 == pytest.approx(result.best_val_macro_f1)
    assert any(e.eta_seconds is not None and e.eta_seconds > 0 for e in events if e.phase == "train")


def test_best_weights_are_kept_when_validation_gets_worse(toy_data, tokenizer, cpu, tiny_config):
    # Once the model is good, the progress callback wrecks its weights: the following
    # evaluations are worse, training stops after `patience` of them, and the model that
    # comes back must be the good one.
    texts, labels = toy_data
    built = []

    def factory(classes):
        built.append(build_tiny_classifier(classes, seed=0))
        return built[-1]

    def sabotage(event):
        if event.phase == "evaluate" and event.val_macro_f1 >= 0.9 and len(built) == 1:
            built.append("wrecked")
            generator = torch.Generator().manual_seed(0)
            with torch.no_grad():
                for param in built[0].parameters():
                    param.add_(torch.randn(param.shape, generator=generator))

    config = dataclasses.replace(tiny_config, epochs=10, calibrate=False)
    result = fine_tune(
        texts, labels, config=config, device=cpu, model_factory=factory, tokenizer=tokenizer, progress=sabotage
    )
    history = result.history
    assert built[1:] == ["wrecked"], history
    assert result.stopped_early and result.steps_run < config.epochs * 9, history
    assert history["is_best"].tolist()[-2:] == [False, False]
    assert (history["val_macro_f1"].iloc[-2:] < result.best_val_macro_f1).all()
    assert result.best_val_macro_f1 == history["val_macro_f1"].max() >= 0.9
    assert result.best_step == int(history.loc[history["val_macro_f1"].idxmax(), "step"]) < result.steps_run
    # The returned model is the best one, not the wrecked last one.
    val_texts = [texts[i] for i in result.split.validation]
    val_true = np.array([labels[i] for i in result.split.validation])
    proba = predict_proba(result.model, tokenizer, val_texts, device=cpu, max_length=config.max_length)
    predicted = np.array(result.classes)[proba.argmax(1)]
    assert f1_score(val_true, predicted, average="macro") == pytest.approx(result.best_val_macro_f1)
    assert result.report.accuracy >= 0.9


def test_training_is_deterministic_for_a_seed(toy_data, tokenizer, cpu, tiny_model_factory, tiny_config):
    texts, labels = toy_data
    config = dataclasses.replace(tiny_config, epochs=1, calibrate=False)
    runs = [
        fine_tune(texts, labels, config=config, device=cpu, model_factory=tiny_model_factory, tokenizer=tokenizer)
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0].test_proba, runs[1].test_proba)
    assert runs[0].history["train_loss"].tolist() == runs[1].history["train_loss"].tolist()


def test_should_stop_cancels_and_still_returns_a_usable_model(toy_data, tokenizer, cpu, tiny_model_factory, tiny_config):
    texts, labels = toy_data
    polls = []

    def stop_after_three():
        polls.append(1)
        return len(polls) > 3

    result = fine_tune(
        texts, labels, config=tiny_config, device=cpu, model_factory=tiny_model_factory,
        tokenizer=tokenizer, should_stop=stop_after_three,
    )
    assert result.cancelled and result.steps_run == 3
    assert len(result.history) == 1  # evaluated once so that there is a best model
    assert result.report.n == 40


def test_fine_tune_reports_dropped_rows_and_maps_split_to_input_positions(tokenizer, cpu, tiny_model_factory, tiny_config, toy_maker):
    texts, labels = toy_maker(60, seed=3)
    texts = ["", None] + texts
    labels = ["positive", "negative"] + labels
    config = dataclasses.replace(tiny_config, epochs=1, calibrate=False)
    result = fine_tune(texts, labels, config=config, device=cpu, model_factory=tiny_model_factory, tokenizer=tokenizer)
    assert result.n_dropped_empty == 2
    every = np.concatenate([result.split.train, result.split.validation, result.split.test])
    assert sorted(every.tolist()) == list(range(2, 62))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_fine_tuning_on_cuda_with_bf16(toy_data, tokenizer, tiny_model_factory, tiny_config):
    from models.device import choose_device

    texts, labels = toy_data
    gpu = choose_device("cuda")
    # bf16 makes the tiny model start learning a little later than in float32: more room.
    config = dataclasses.replace(tiny_config, epochs=12, early_stopping_patience=4)
    result = fine_tune(texts, labels, config=config, device=gpu, model_factory=tiny_model_factory, tokenizer=tokenizer)
    assert result.report.accuracy >= 0.9
    assert result.device_name == gpu.name
    assert next(result.model.parameters()).is_cuda
