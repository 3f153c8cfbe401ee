"""Ray Data scoring (issue 16) on a local two-CPU cluster: the local path's output, shard by shard, resumable."""

import logging
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ray = pytest.importorskip("ray", reason="ray is not installed (requirements.txt installs it)")

from models.__main__ import main  # noqa: E402
from models.flows.ray_scoring import plan_shards, score_with_ray  # noqa: E402
from models.registry import ModelMeta, save_model  # noqa: E402
from models.tasks import score_texts  # noqa: E402

# A Ray run that waits for resources it will never get hangs instead of failing: fail it within minutes.
pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def cluster():
    """Each run starts (and stops) its own local Ray cluster on this machine's CPUs, as the command line does."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.getLogger("ray").setLevel(logging.WARNING)  # Ray Data logs every operator's statistics at DEBUG
    ray.data.DataContext.get_current().enable_progress_bars = False
    assert not ray.is_initialized()
    yield
    assert not ray.is_initialized()  # every run stopped the cluster it started


@pytest.fixture(scope="module")
def model_folder(trained, tmp_path_factory) -> Path:
    result, _ = trained
    folder = tmp_path_factory.mktemp("ray_model") / "model"
    save_model(result.model, result.tokenizer, folder,
               meta=ModelMeta.from_fine_tune(result, task="sentiment", data_fingerprint=""))
    return folder


def _reviews(toy_maker, n: int, seed: int) -> pd.DataFrame:
    texts, labels = toy_maker(n, seed=seed)
    texts = [("" if i % 17 == 0 else t) for i, t in enumerate(texts)]  # some empty rows
    return pd.DataFrame({"id": [f"s{seed}-{i}" for i in range(n)], "review": texts, "truth": labels})


def _labels(frame: pd.DataFrame) -> list:
    return frame["label"].astype(object).where(frame["label"].notna(), None).tolist()


def _local(folder: Path, frame: pd.DataFrame) -> pd.DataFrame:
    return score_texts(folder, frame["review"].tolist(), device="cpu")


def test_a_file_scored_on_ray_matches_the_local_command(cluster, model_folder, toy_maker, tmp_path):
    frame = _reviews(toy_maker, 300, seed=1)
    source = tmp_path / "big.parquet"
    frame.to_parquet(source)
    local_out = tmp_path / "local.parquet"
    assert main(["score", "--model", str(model_folder), "--input", str(source), "--text-column", "review",
                 "--output", str(local_out), "--device", "cpu"]) == 0
    seen = []
    run = score_with_ray(model_folder, source, tmp_path / "ray.parquet", text_column="review", batch_size=64,
                         progress=lambda done, total: seen.append((done, total)))
    local, scored = pd.read_parquet(local_out), pd.read_parquet(tmp_path / "ray.parquet")
    assert scored.columns.tolist() == local.columns.tolist()
    assert scored["id"].tolist() == frame["id"].tolist()  # the input's order
    assert _labels(scored) == _labels(local) and None in _labels(scored)
    assert scored["is_empty"].sum() == (frame["review"] == "").sum() > 0
    proba = [c for c in local.columns if c.startswith("proba_")]
    np.testing.assert_allclose(scored[proba].to_numpy(dtype=float), local[proba].to_numpy(dtype=float), atol=1e-5)
    assert run.rows == 300 and run.scored == {"big.parquet": 300} and not run.gpu_actors and run.actors >= 1
    assert seen[-1] == (300, 300) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_a_folder_of_shards_scores_into_one_file_each_and_a_rerun_skips_them(cluster, model_folder, toy_maker,
                                                                               tmp_path):
    shards = tmp_path / "in"
    shards.mkdir()
    frames = {name: _reviews(toy_maker, 90, seed=k) for k, name in enumerate(["a", "b", "c"])}
    frames["a"].to_parquet(shards / "a.parquet")
    frames["b"].to_parquet(shards / "b.parquet")
    frames["c"].to_csv(shards / "c.csv", index=False)
    (shards / "notes.txt").write_text("not a shard")
    out = tmp_path / "out"
    run = score_with_ray(model_folder, shards, out, text_column="review", batch_size=32)
    assert sorted(p.name for p in out.iterdir()) == ["a.parquet", "b.parquet", "c.parquet"]
    assert run.scored == {"a.parquet": 90, "b.parquet": 90, "c.csv": 90}
    for name, frame in frames.items():
        scored = pd.read_parquet(out / f"{name}.parquet")
        assert scored["id"].tolist() == frame["id"].tolist()
        assert _labels(scored) == _labels(_local(model_folder, frame))
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    time.sleep(0.01)
    again = score_with_ray(model_folder, shards, out, text_column="review")
    assert again.scored == {} and again.skipped == ["a.parquet", "b.parquet", "c.csv"]
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps


def _failing_reader(fail: set[str], attempts: dict[str, int], *, times: int):
    """A reader whose shards in ``fail`` break while being scored, the first ``times`` attempts."""
    def read(ray_module, shard: Path):
        attempts[shard.name] = attempts.get(shard.name, 0) + 1
        dataset = ray_module.data.read_parquet(str(shard))
        if shard.name in fail and attempts[shard.name] <= times:
            def explode(batch):
                raise RuntimeError(f"worker lost while scoring {shard.name}")
            return dataset.map_batches(explode, batch_format="pandas")
        return dataset
    return read


def test_a_failed_shard_is_tried_again(cluster, model_folder, toy_maker, tmp_path):
    shards = tmp_path / "in"
    shards.mkdir()
    for k, name in enumerate(["a", "b"]):
        _reviews(toy_maker, 40, seed=k).to_parquet(shards / f"{name}.parquet")
    attempts: dict[str, int] = {}
    run = score_with_ray(model_folder, shards, tmp_path / "out", text_column="review",
                         read_shard=_failing_reader({"b.parquet"}, attempts, times=1))
    assert attempts == {"a.parquet": 1, "b.parquet": 2} and run.retries == 1
    assert len(pd.read_parquet(tmp_path / "out" / "b.parquet")) == 40


def test_a_crashed_run_resumes_without_rescoring_finished_shards(cluster, model_folder, toy_maker, tmp_path):
    shards, out = tmp_path / "in", tmp_path / "out"
    shards.mkdir()
    for k, name in enumerate(["a", "b", "c"]):
        _reviews(toy_maker, 40, seed=k).to_parquet(shards / f"{name}.parquet")
    attempts: dict[str, int] = {}
    with pytest.raises(Exception, match="worker lost while scoring b.parquet"):
        score_with_ray(model_folder, shards, out, text_column="review", retries=0,
                       read_shard=_failing_reader({"b.parquet"}, attempts, times=99))
    assert sorted(p.name for p in out.iterdir()) == ["a.parquet"]  # no partial file of b
    assert plan_shards(shards, out).pending == [shards / "b.parquet", shards / "c.parquet"]
    attempts.clear()
    run = score_with_ray(model_folder, shards, out, text_column="review",
                         read_shard=_failing_reader(set(), attempts, times=0))
    assert attempts == {"b.parquet": 1, "c.parquet": 1} and run.skipped == ["a.parquet"]
    assert sorted(p.name for p in out.iterdir()) == ["a.parquet", "b.parquet", "c.parquet"]


def test_the_command_line_scores_with_ray_and_says_what_it_did(cluster, model_folder, toy_maker, tmp_path, capsys):
    source = tmp_path / "in.parquet"
    _reviews(toy_maker, 50, seed=4).to_parquet(source)
    assert main(["score", "--engine", "ray", "--model", str(model_folder), "--input", str(source),
                 "--text-column", "review", "--output", str(tmp_path / "out.parquet")]) == 0
    printed = capsys.readouterr()
    assert "Scored 50 texts in 1 shard(s) with" in printed.out and "CPU actor(s)" in printed.out
    assert "scored 50/50 texts" in printed.err
    assert main(["score", "--engine", "ray", "--model", str(model_folder), "--input", str(source),
                 "--text-column", "body", "--output", str(tmp_path / "other.parquet")]) == 2
    assert "has no column 'body'" in capsys.readouterr().err
    assert not (tmp_path / "other.parquet").exists()
    assert main(["score", "--engine", "ray", "--model", str(model_folder), "--input", str(source),
                 "--text-column", "review", "--output", str(tmp_path / "out.parquet")]) == 0
    assert "Nothing to score: all 1 shard(s) are already done" in capsys.readouterr().out


@pytest.mark.parametrize("source_name, output_name, message", [
    ("in.parquet", "out.csv", "should end in .parquet"),
    ("folder", "out.parquet", "should be a folder"),
    ("missing.parquet", "out.parquet", "does not exist"),
    ("in.json", "out.parquet", "is not a shard"),
])
def test_bad_inputs_and_outputs_are_explained(tmp_path, source_name, output_name, message):
    (tmp_path / "in.parquet").write_bytes(b"")
    (tmp_path / "in.json").write_text("{}")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.csv").write_text("review\nok\n")
    with pytest.raises(ValueError, match=message):
        plan_shards(tmp_path / source_name, tmp_path / output_name)
