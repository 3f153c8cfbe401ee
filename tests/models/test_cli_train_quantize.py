"""Tests for ``python -m models train`` (label checks before torch, the app's recipe and settings) and ``quantize``."""

import contextlib
import dataclasses
import io
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from models.__main__ import build_parser, format_selection, main
from models.recipes import default_config
from models.registry import ModelMeta, list_models, read_meta, save_model
from models.tasks import TINY_MODEL_ENV

PROJECT = Path(__file__).resolve().parents[2]
TINY_FLAGS = ["--epochs", "6", "--learning-rate", "5e-3", "--batch-size", "16", "--max-length", "32"]
# Runs the CLI, then prints which heavy modules the run imported (stdout holds nothing else on an error).
HEAVY_PROBE = ("import sys; from models.__main__ import main; code = main(sys.argv[1:]); "
               "print(sorted(m for m in ('torch', 'transformers', 'sklearn') if m in sys.modules)); sys.exit(code)")


def _run_probe(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GAPSIGHT_AUTO_TRAIN": "0"}
    return subprocess.run([sys.executable, "-c", HEAVY_PROBE, *args], cwd=PROJECT, env=env, capture_output=True,
                          text=True, timeout=120)


def _write(path: Path, labels: list, **columns) -> Path:
    pd.DataFrame({"review": [f"review number {i}" for i in range(len(labels))], "label": labels,
                  **columns}).to_csv(path, index=False)
    return path


# ---------------------------------------------------------------- label and settings errors before torch


@pytest.mark.parametrize(
    ("labels", "options", "message"),
    [
        (["positive"] * 30, ["--label-column", "label"],
         "error: Every usable row has the label 'positive'; a classifier needs at least two different labels."),
        (["positive"] * 20 + ["negative"] * 20 + ["neutral"] * 2, ["--label-column", "label"],
         "error: Label 'neutral' has only 2 examples; every label needs at least 5. "
         "Add examples, merge it into another label or drop those rows."),
        ([f"id-{i}" for i in range(300)], ["--label-column", "label"],
         "error: The label column has 300 distinct values (more than 200); it looks like an id column, not a "
         "label. Pick a column with a few repeated categories."),
        (["positive"] * 30, ["--from-ratings", "stars"],
         "error: Every usable row has the label 'positive'; a classifier needs at least two different labels."),
        (["positive"] * 20 + ["negative"] * 20, ["--label-column", "label", "--epochs", "0"],
         "error: Invalid fine-tuning settings: epochs=0 should be >= 1."),
    ],
    ids=["one-class", "rare-label", "id-column", "one-class-from-ratings", "bad-setting"],
)
def test_label_and_setting_errors_answer_before_torch_loads(labels, options, message, tmp_path):
    source = _write(tmp_path / "reviews.csv", labels, stars=[5 if i % 3 else 4 for i in range(len(labels))])
    done = _run_probe("train", "--input", str(source), "--text-column", "review", *options,
                      "--home", str(tmp_path / "home"))
    assert done.returncode == 2, done.stderr
    assert done.stdout.strip() == "[]"  # neither torch, transformers nor scikit-learn was imported
    assert done.stderr.strip().splitlines()[-1] == message
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------- the app's settings and recipe


def _report(n: int = 10) -> dict:
    per_class = [{"label": label, "precision": 0.9, "recall": 0.9, "f1": 0.9, "support": n // 2}
                 for label in ("negative", "positive")]
    return {"n": n, "accuracy": 0.9, "macro_f1": 0.9, "weighted_f1": 0.9, "ece": 0.05, "per_class": per_class,
            "confusion": {"labels": ["negative", "positive"], "counts": [[4, 1], [0, 5]]}}


SELECTION = {
    "winner": "embedding_logreg",
    "winner_name": "MiniLM embeddings + logistic regression",
    "candidates": [
        {"kind": "tfidf_logreg", "name": "TF-IDF + logistic regression", "folder": "/m/a", "val_macro_f1": 0.75,
         "test_macro_f1": 0.8125, "test_accuracy": 0.82, "train_seconds": 1.2},
        {"kind": "embedding_logreg", "name": "MiniLM embeddings + logistic regression", "folder": "/m/b",
         "val_macro_f1": 0.875, "test_macro_f1": 0.8625, "test_accuracy": 0.87, "train_seconds": 95.0},
        {"kind": "transformer", "name": "Fine-tuned MiniLM transformer", "folder": "/m/c", "val_macro_f1": None,
         "test_macro_f1": 0.8, "test_accuracy": 0.81, "train_seconds": 3720.0},
    ],
    "test_margin": 0.05,
    "warnings": ["The transformer was cut short.", "Only 10 test rows: the margin is noisy."],
}


def test_format_selection_tables_the_candidates_and_the_margin():
    lines = format_selection(SELECTION).splitlines()
    assert lines[0] == "Models fitted on the same split (cheapest first; * activated):"
    assert lines[1].split() == ["model", "val", "macro-F1", "test", "macro-F1", "test", "accuracy", "train", "time"]
    assert lines[2].startswith("  TF-IDF + logistic regression")
    assert lines[2].split()[-5:] == ["0.750", "0.812", "0.820", "1", "s"]
    assert lines[3].startswith("* MiniLM embeddings") and lines[3].endswith("1 min 35 s")
    assert "0.875" in lines[3] and "0.863" in lines[3] and "0.870" in lines[3]
    assert lines[4].startswith("  Fine-tuned MiniLM transformer") and lines[4].endswith("1 h 2 min")
    assert lines[4].split()[3:6] == ["—", "0.800", "0.810"]  # no validation figure: a dash
    assert lines[6] == ("Activated: MiniLM embeddings + logistic regression (test macro-F1 0.863), +0.050 on the "
                        "test rows against the runner-up, TF-IDF + logistic regression (0.812).")
    assert "warning" not in "\n".join(lines)  # warnings go to stderr, one line each


def test_format_selection_with_one_candidate_or_none():
    alone = {**SELECTION, "winner": "tfidf_logreg", "winner_name": "TF-IDF + logistic regression",
             "candidates": SELECTION["candidates"][:1], "test_margin": None, "warnings": []}
    assert format_selection(alone).splitlines()[-1] == "Activated: TF-IDF + logistic regression (test macro-F1 0.812)."
    assert format_selection({}) == ""


@pytest.fixture
def fake_train(monkeypatch, tmp_path):
    """train_classifier replaced by a recorder that returns a hand-made outcome."""
    import models.tasks

    received = {}

    def fake(texts, labels, **kwargs):
        received.update(kwargs, texts=texts)
        return SimpleNamespace(folder=tmp_path / "m" / "b", report=_report(), baselines={}, selection=SELECTION)

    monkeypatch.setattr(models.tasks, "train_classifier", fake)
    return received


@pytest.mark.parametrize(
    ("options", "recipe", "overrides"),
    [
        ([], "auto", {}),
        (["--recipe", "quick", "--epochs", "2", "--learning-rate", "1e-3"], "quick",
         {"epochs": 2, "learning_rate": 1e-3}),
        (["--recipe", "full", "--epochs", "8", "--seed", "3", "--batch-size", "8", "--max-length", "96"], "full",
         {"epochs": 8, "seed": 3, "batch_size": 8, "max_length": 96}),  # more epochs than min_steps may plan
    ],
)
def test_train_passes_the_app_settings_and_the_recipe(options, recipe, overrides, fake_train, tmp_path, capsys,
                                                      toy_maker):
    texts, labels = toy_maker(60, seed=1)
    source = tmp_path / "reviews.csv"
    pd.DataFrame({"review": texts, "label": labels}).to_csv(source, index=False)
    assert main(["train", "--input", str(source), "--text-column", "review", "--label-column", "label",
                 *options, "--device", "cpu", "--home", str(tmp_path / "home")]) == 0
    out, err = capsys.readouterr()
    assert fake_train["config"] == dataclasses.replace(default_config(cuda=False), **overrides)
    assert fake_train["recipe"] == recipe and fake_train["device"].kind == "cpu"
    assert format_selection(SELECTION) in out and out.index("Test split") < out.index("Models fitted")
    assert f"Model saved to {tmp_path / 'm' / 'b'}" in out
    assert err.splitlines()[-2:] == ["warning: The transformer was cut short.",
                                     "warning: Only 10 test rows: the margin is noisy."]
    fitted = "TF-IDF + logistic regression, MiniLM embeddings + logistic regression"
    assert f"recipe {recipe}: {fitted}" in err  # auto is the two linear models on a CPU


def test_train_help_names_the_recipes_and_device_defaults():
    train = build_parser()._subparsers._group_actions[0].choices["train"]
    text = " ".join(train.format_help().split())
    assert "--recipe {auto,full,quick}" in text and "(default auto)" in text
    assert "(default 4 on a GPU, 2 on a CPU)" in text and "(default 5e-5 on a GPU, 0.0001 on a CPU)" in text
    assert "(default 128 on a GPU, 64 on a CPU)" in text and "(default 32)" in text


# ---------------------------------------------------------------- quantize


@pytest.fixture(scope="module")
def trained_home(tmp_path_factory, toy_maker) -> tuple[Path, str]:
    """A real ``train --recipe full`` run of the tiny BERT (fast settings): its home and what it printed."""
    texts, labels = toy_maker(200, seed=3)
    root = tmp_path_factory.mktemp("cli_full")
    source = root / "reviews.csv"
    pd.DataFrame({"review": texts, "sentiment": labels}).to_csv(source, index=False)
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
        patch.setenv(TINY_MODEL_ENV, "1")
        code = main(["train", "--input", str(source), "--text-column", "review", "--label-column", "sentiment",
                     *TINY_FLAGS, "--recipe", "full", "--device", "cpu", "--home", str(root / "home")])
    assert code == 0
    return root / "home", out.getvalue()


def test_train_full_recipe_reports_every_candidate(trained_home):
    home, out = trained_home
    kinds = {entry.meta.kind for entry in list_models(home / "models")}
    assert kinds == {"tfidf_logreg", "embedding_logreg", "transformer"}
    table = out[out.index("Models fitted on the same split"):].splitlines()
    assert [line[2:].split("  ")[0] for line in table[2:5]] == [
        "TF-IDF + logistic regression", "MiniLM embeddings + logistic regression", "Fine-tuned MiniLM transformer"]
    assert sum(line.startswith("* ") for line in table[2:5]) == 1 and table[6].startswith("Activated: ")


@pytest.fixture(scope="module")
def fp32_model(trained_home) -> Path:
    """The fine-tuned transformer the full recipe saved, with its test rows."""
    home, _ = trained_home
    [entry] = [e for e in list_models(home / "models") if e.meta.kind == "transformer"]
    return entry.folder


def test_quantize_saves_and_reports_the_int8_variant(fp32_model, capsys):
    assert main(["quantize", "--model", str(fp32_model), "--name", "toy small"]) == 0
    out, err = capsys.readouterr()
    target = fp32_model.with_name(f"{fp32_model.name}-int8")
    card = read_meta(target)
    assert card.variant == "int8" and card.metrics["data"]["name"] == "toy small"
    metrics, before = card.metrics, card.metrics["compared_with"]
    assert out.splitlines()[0] == "int8 variant beside its fp32 original on the same 20 test rows:"
    [f1_row] = [line for line in out.splitlines() if line.strip().startswith("macro-F1")]
    assert f1_row.split()[1:] == [f"{before['macro_f1']:.3f}", f"{metrics['macro_f1']:.3f}"]
    assert f"{metrics['speed']['size_mb']:,.1f}" in out and f"{before['size_mb']:,.1f}" in out
    assert out.splitlines()[-1] == f"int8 variant saved to {target}"
    assert err.splitlines()[-1] == "100% int8 variant saved"  # progress on stderr

    assert main(["quantize", "--model", str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "already an int8 variant" in err


def test_quantize_fails_fast_on_a_missing_folder_or_one_without_test_rows(trained, tmp_path, capsys):
    assert main(["quantize", "--model", str(tmp_path / "gone")]) == 2
    assert "deleted or is incomplete" in capsys.readouterr().err
    result, _ = trained
    old = save_model(result.model, result.tokenizer, tmp_path / "old",
                     meta=ModelMeta.from_fine_tune(result, task="sentiment", data_fingerprint=""))
    assert main(["quantize", "--model", str(old)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "no saved test split" in err and len(err.strip().splitlines()) == 1
