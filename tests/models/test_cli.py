"""Tests for ``python -m models``: help, a train → list → score → evaluate round trip (tiny model), errors."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from models.__main__ import main
from models.registry import list_models
from models.tasks import TINY_MODEL_ENV, score_texts

PROJECT = Path(__file__).resolve().parents[2]
TINY_FLAGS = ["--epochs", "6", "--learning-rate", "5e-3", "--batch-size", "16", "--max-length", "32"]


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", TINY_MODEL_ENV: "1"}
    return subprocess.run([sys.executable, "-m", "models", *args], cwd=PROJECT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def reviews(tmp_path_factory, toy_maker) -> Path:
    texts, labels = toy_maker(200, seed=3)
    stars = [(1 + i % 2) if label == "negative" else (4 + i % 2) for i, label in enumerate(labels)]
    path = tmp_path_factory.mktemp("cli") / "reviews.csv"
    pd.DataFrame({"review": texts, "sentiment": labels, "stars": stars}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("command", [[], ["train"], ["score"], ["evaluate"], ["list"]])
def test_help_exits_zero(command):
    done = _run(*command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: python -m models")


def test_train_list_score_evaluate_round_trip(reviews, tmp_path, monkeypatch, capsys, cpu):
    monkeypatch.setenv(TINY_MODEL_ENV, "1")
    home = tmp_path / "home"
    code = main(["train", "--input", str(reviews), "--text-column", "review", "--label-column", "sentiment",
                 *TINY_FLAGS, "--device", "cpu", "--home", str(home)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Test split: 20 rows" in out and "macro-F1" in out
    assert "TF-IDF + logistic regression" in out and "VADER lexicon" in out
    [entry] = list_models(home / "models")
    assert f"Model saved to {entry.folder}" in out
    assert entry.meta.task == "sentiment" and entry.meta.metrics["data"]["source"] == str(reviews.resolve())
    assert "epoch" in err and "saving the model" in err  # progress went to stderr

    assert main(["list", "--home", str(home)]) == 0
    assert entry.folder.name in capsys.readouterr().out

    output = tmp_path / "scored.parquet"
    code = main(["score", "--model", str(entry.folder), "--input", str(reviews), "--text-column", "review",
                 "--output", str(output), "--device", "cpu"])
    out, err = capsys.readouterr()
    assert code == 0, err
    scored = pd.read_parquet(output)
    original = pd.read_csv(reviews)
    assert scored["review"].tolist() == original["review"].tolist()  # input order, input columns kept
    assert {"sentiment", "stars", "label", "confidence", "proba_negative", "proba_positive"} <= set(scored.columns)
    assert scored["label"].tolist() == score_texts(entry.folder, original["review"], device=cpu)["label"].tolist()
    assert f"Scored 200 texts" in out

    csv_output = tmp_path / "scored.csv"
    assert main(["score", "--model", str(entry.folder), "--input", str(reviews), "--text-column", "review",
                 "--output", str(csv_output), "--device", "cpu"]) == 0
    assert len(pd.read_csv(csv_output)) == 200
    capsys.readouterr()

    code = main(["evaluate", "--model", str(entry.folder), "--input", str(reviews), "--text-column", "review",
                 "--label-column", "sentiment", "--device", "cpu"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"{entry.folder.name} on reviews.csv: 200 rows" in out and "VADER lexicon" in out

    # Labels derived from the star ratings match the sentiment column here, so the report agrees.
    code = main(["evaluate", "--model", str(entry.folder), "--input", str(reviews), "--text-column", "review",
                 "--from-ratings", "stars", "--device", "cpu"])
    out2, err = capsys.readouterr()
    assert code == 0, err
    assert "1–5 stars scale: 100 negative, 0 neutral, 100 positive" in err
    assert out2.splitlines()[0] == out.splitlines()[0]


def test_missing_column_exits_2_with_one_line(reviews):
    done = _run("train", "--input", str(reviews), "--text-column", "body", "--label-column", "sentiment")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: --text-column 'body' is not a column of reviews.csv; its columns are: review, sentiment, stars."
    )
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["train", "--input", "{missing}", "--text-column", "review", "--label-column", "sentiment"],
         "error: Input file {missing} does not exist."),
        (["train", "--input", "{one_class}", "--text-column", "review", "--label-column", "sentiment"],
         "error: Every usable row has the label 'positive'; a classifier needs at least two different labels."),
        (["train", "--input", "{reviews}", "--text-column", "review", "--label-column", "Sentiment"],
         "error: --label-column 'Sentiment' is not a column of reviews.csv; did you mean 'sentiment'?"),
        (["train", "--input", "{reviews}", "--text-column", "review", "--label-column", "sentiment",
          "--epochs", "0"],
         "error: Invalid fine-tuning settings: epochs=0 should be >= 1."),
        (["score", "--model", "{gone}", "--input", "{reviews}", "--text-column", "review", "--output", "o.csv"],
         "error: Model folder {gone} was deleted or is incomplete (the folder does not exist); "
         "delete the registry entry or retrain."),
        (["score", "--model", "{model}", "--input", "{reviews}", "--text-column", "review", "--output", "o.xlsx"],
         "error: --output o.xlsx should end in .parquet or .csv."),
        (["evaluate", "--model", "{model}", "--input", "{reviews}", "--text-column", "review",
          "--from-ratings", "review"],
         None),
    ],
)
def test_user_errors_exit_2_with_one_clear_line(args, message, reviews, tmp_path, capsys, monkeypatch,
                                                trained, cpu):
    from models.registry import ModelMeta, save_model

    monkeypatch.setenv(TINY_MODEL_ENV, "1")
    result, _ = trained
    model = tmp_path / "model"
    save_model(result.model, result.tokenizer, model,
               meta=ModelMeta.from_fine_tune(result, task="sentiment", data_fingerprint=""))
    one_class = tmp_path / "one.csv"
    pd.DataFrame({"review": [f"text {i}" for i in range(20)], "sentiment": ["positive"] * 20}).to_csv(one_class)
    paths = {"missing": tmp_path / "missing.csv", "one_class": one_class, "reviews": reviews,
             "gone": tmp_path / "gone", "model": model}
    args = [a.format(**paths) for a in args]
    assert main([*args, "--home", str(tmp_path)] if args[0] == "train" else args) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    if message is not None:
        assert err.strip() == message.format(**paths)
    else:  # texts are not ratings
        assert err.startswith("error: --from-ratings 'review':")
