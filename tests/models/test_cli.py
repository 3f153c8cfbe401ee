"""Tests for ``python -m models``: help, a train → list → score → evaluate round trip (tiny model), errors."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models.__main__ import build_parser, main
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
                 *TINY_FLAGS, "--device", "cpu", "--home", str(home), "--recipe", "full"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Test split: 20 rows" in out and "macro-F1" in out
    assert "TF-IDF + logistic regression" in out and "VADER lexicon" in out
    entries = list_models(home / "models")
    assert sorted(e.meta.kind for e in entries) == ["embedding_logreg", "tfidf_logreg", "transformer"]
    [entry] = [e for e in entries if e.meta.selected]  # the one the run activated
    assert f"Model saved to {entry.folder}" in out
    assert entry.meta.task == "sentiment" and entry.meta.metrics["data"]["source"] == str(reviews.resolve())
    assert "epoch" in err and "saving the models" in err  # progress went to stderr

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
    assert "Scored 200 texts" in out

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
        (["score", "--model", "{model}", "--input", "{reviews}", "--text-column", "body", "--output", "o.csv"],
         "error: --text-column 'body' is not a column of reviews.csv; its columns are: review, sentiment, stars."),
        (["score", "--model", "{model}", "--input", "{empty}", "--text-column", "review", "--output", "o.csv"],
         "error: The file is empty (0 bytes). Export empty.csv again from the source system and upload the new file."),
        (["score", "--model", "{model}", "--input", "{reviews}", "--text-column", "review",
          "--output", "{nowhere}/o.csv"],
         "error: --output folder {nowhere} does not exist."),
        (["evaluate", "--model", "{model}", "--input", "{reviews}", "--text-column", "review",
          "--label-column", "label"],
         "error: --label-column 'label' is not a column of reviews.csv; its columns are: review, sentiment, stars."),
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
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    paths = {"missing": tmp_path / "missing.csv", "one_class": one_class, "reviews": reviews,
             "gone": tmp_path / "gone", "model": model, "empty": empty, "nowhere": tmp_path / "nowhere"}
    args = [a.format(**paths) for a in args]
    assert main([*args, "--home", str(tmp_path)] if args[0] == "train" else args) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    if message is not None:
        assert err.strip() == message.format(**paths)
    else:  # texts are not ratings
        assert err.startswith("error: --from-ratings 'review':")


# ---------------------------------------------------------------- streaming input (issue: big files)


@pytest.fixture(scope="module")
def model_folder(trained, tmp_path_factory) -> Path:
    from models.registry import ModelMeta, save_model

    result, _ = trained
    folder = tmp_path_factory.mktemp("cli_model") / "model"
    save_model(result.model, result.tokenizer, folder,
               meta=ModelMeta.from_fine_tune(result, task="sentiment", data_fingerprint=""))
    return folder


@pytest.fixture(scope="module")
def gappy(tmp_path_factory, toy_maker) -> Path:
    """130 rows: the first 45 texts empty (so the first chunks predict no label) and a column empty until row 60."""
    texts, labels = toy_maker(130, seed=5)
    texts = [""] * 45 + texts[45:]
    path = tmp_path_factory.mktemp("cli_gappy") / "gappy.csv"
    pd.DataFrame({"id": [f"r{i}" for i in range(130)], "review": texts, "label": labels,
                  "note": [""] * 60 + [f"n{i}" for i in range(60, 130)]}).to_csv(path, index=False)
    return path


def _score(model: Path, source: Path, output: Path) -> None:
    assert main(["score", "--model", str(model), "--input", str(source), "--text-column", "review",
                 "--output", str(output), "--device", "cpu"]) == 0


def test_score_in_chunks_writes_what_one_chunk_writes(gappy, model_folder, tmp_path, monkeypatch, capsys, cpu):
    import models.__main__ as cli
    import models.inference
    import models.tasks

    monkeypatch.setattr(models.inference, "BLOCK_TEXTS", 8)  # scoring blocks of 8 texts, as a big file's 8,192
    monkeypatch.setattr(cli, "CHUNK_ROWS", 100_000)
    for suffix in ("parquet", "csv"):
        _score(model_folder, gappy, tmp_path / f"whole.{suffix}")
    loads = []
    real_load = models.tasks.load_model
    monkeypatch.setattr(models.tasks, "load_model", lambda *a, **k: loads.append(a) or real_load(*a, **k))
    monkeypatch.setattr(cli, "CHUNK_ROWS", 18)  # read 18 rows at a time, score 24 (3 blocks): 6 chunks
    assert cli._score_rows() == 24
    for suffix in ("parquet", "csv"):
        _score(model_folder, gappy, tmp_path / f"chunks.{suffix}")
    assert len(loads) == 2  # once per run, not once per chunk
    out = capsys.readouterr().out
    assert "Scored 130 texts (" in out and "→" in out

    whole, chunks = pd.read_parquet(tmp_path / "whole.parquet"), pd.read_parquet(tmp_path / "chunks.parquet")
    pd.testing.assert_frame_equal(chunks, whole)
    assert (tmp_path / "chunks.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert chunks["id"].tolist() == [f"r{i}" for i in range(130)]
    assert chunks["predicted_label"].isna().tolist() == [True] * 45 + [False] * 85
    assert chunks["note"].isna().sum() == 60
    assert list(chunks.columns[:5]) == ["id", "review", "label", "note", "predicted_label"]  # input's label kept
    # The same values as scoring the whole column at once, as the command did before it streamed.
    expected = score_texts(model_folder, pd.read_csv(gappy, keep_default_na=False)["review"], device=cpu)
    assert chunks["predicted_label"].fillna("-").tolist() == expected["label"].fillna("-").tolist()
    assert np.array_equal(chunks["proba_positive"].to_numpy(), expected["proba_positive"].to_numpy())
    assert np.array_equal(chunks["confidence"].to_numpy(), expected["confidence"].to_numpy())
    assert not list(tmp_path.glob(".*.tmp"))


def test_score_progress_counts_rows_of_the_estimate(reviews, model_folder, tmp_path, monkeypatch, capsys):
    import models.__main__ as cli
    import models.inference

    monkeypatch.setattr(models.inference, "BLOCK_TEXTS", 16)
    monkeypatch.setattr(cli, "CHUNK_ROWS", 50)  # chunks of 64 rows
    monkeypatch.setattr(cli.ProgressLine, "show", lambda self, fraction, message, force=False: print(
        f"{fraction:.2f} {message}", file=sys.stderr))
    _score(model_folder, reviews, tmp_path / "scored.parquet")
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1] == "1.00 scored 200/200 texts"
    fractions = [float(line.split()[0]) for line in lines]
    assert fractions == sorted(fractions) and len(lines) > 4
    assert all(re.fullmatch(r"[01]\.\d\d scored \d+/~\d+ texts", line) for line in lines[:-1])
    dones = [int(re.search(r"scored (\d+)/", line).group(1)) for line in lines]
    assert dones == sorted(dones) and max(dones[:-1]) > 64  # rows of later chunks counted on


def test_train_keeps_only_the_text_and_label_columns(tmp_path, monkeypatch, toy_maker):
    import models.__main__ as cli
    import models.flows.files as files
    import models.tasks

    texts, labels = toy_maker(100, seed=7)
    stars = [5 if label == "positive" else 1 for label in labels]
    source = tmp_path / "wide.csv"
    pd.DataFrame({"id": range(100), "review": texts, "stars": stars, "body": ["x" * 500] * 100,
                  "extra": ["y"] * 100}).to_csv(source, index=False)
    kept, received = [], {}
    real_read_frames = files.read_frames

    def spy(*args, **kwargs):
        for frame in real_read_frames(*args, **kwargs):
            kept.append(list(frame.columns))
            yield frame

    class Stop(Exception):
        pass

    def fake_train(texts, labels, **kwargs):
        received.update(texts=texts, labels=labels)
        raise Stop

    monkeypatch.setattr(files, "read_frames", spy)
    monkeypatch.setattr(models.tasks, "train_classifier", fake_train)
    monkeypatch.setattr(cli, "CHUNK_ROWS", 30)
    with pytest.raises(Stop):
        cli.cmd_train(cli.build_parser().parse_args(
            ["train", "--input", str(source), "--text-column", "review", "--from-ratings", "stars",
             "--device", "cpu", "--home", str(tmp_path / "home")]))
    assert kept == [["review", "stars"]] * 4  # 30 + 30 + 30 + 10 rows, two columns each
    assert received["texts"] == texts
    assert received["labels"] == labels


def test_read_frames_cuts_reader_chunks_to_size(tmp_path):
    from models.flows.files import profile_table, read_columns, read_frames

    source = tmp_path / "t.csv"
    source.write_text("a,b,c\n" + "".join(f"{i},x{i},y{i}\n" for i in range(20)) + "bad,row,with,four\n",
                      encoding="utf-8")
    warnings = []
    profile = profile_table(source)
    frames = list(read_frames(profile, rows=7, read_rows=3, columns=["c", "a"], warn=warnings.append))
    assert [len(f) for f in frames] == [7, 7, 6]
    assert all(list(f.columns) == ["c", "a"] and list(f.index) == list(range(len(f))) for f in frames)
    assert pd.concat(frames)["a"].tolist() == [str(i) for i in range(20)]
    assert len(warnings) == 1 and warnings[0].startswith("1 row(s) of t.csv could not be read")
    both = read_columns(profile, ["b", "b", "a"], read_rows=4)
    assert list(both.columns) == ["b", "a"] and both["b"].tolist() == [f"x{i}" for i in range(20)]

    small = tmp_path / "small.csv"
    small.write_text("a,b\n1,2\n", encoding="utf-8")
    [one] = list(read_frames(profile_table(small), rows=5))
    assert one.to_dict("list") == {"a": ["1"], "b": ["2"]}


def test_cli_imports_from_analytics_only_home_and_schema():
    import ast

    tree = ast.parse((PROJECT / "models" / "__main__.py").read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert {name for name in imported if name.split(".")[0] == "analytics"} <= {"analytics.home", "analytics.schema"}


def test_train_chooses_the_base_from_the_texts_languages_unless_told():
    from models.__main__ import _base_for
    from models.base import BASE_MODEL_NAME
    from models.multilingual import MULTILINGUAL_BASE_NAME

    chinese = ["房间很干净，服务很好", "太差了，再也不来了", "I loved it"]
    assert _base_for("auto", chinese) == MULTILINGUAL_BASE_NAME
    assert _base_for("auto", ["the room was clean", "awful stay", "房间很干净"]) == BASE_MODEL_NAME
    assert _base_for("minilm", chinese) == BASE_MODEL_NAME
    assert _base_for("multilingual", ["the room was clean"]) == MULTILINGUAL_BASE_NAME
    assert build_parser().parse_args(["train", "--input", "x.csv", "--text-column", "t", "--label-column", "l",
                                      "--base", "minilm"]).base == "minilm"
