"""Tests for models.flows.embedding_jobs: a new dataset version reuses what the last one embedded."""

from datetime import UTC, datetime

import numpy as np
import pandas as pd

from analytics.store.database import DatasetInfo
from models.flows import embedding_jobs
from models.topic_embeddings import is_cached, text_keys


def _info(version: int, dataset_id: str = "ds1") -> DatasetInfo:
    now = datetime.now(UTC)
    return DatasetInfo(dataset_id, "Reviews", "reviews.csv", "0" * 64, now, now, version, 3, 0)


def _seed(home, info, ids, texts):
    path = embedding_jobs.embeddings_path(info, home)
    path.parent.mkdir(parents=True, exist_ok=True)
    vectors = np.eye(len(ids), 4, dtype=np.float16)
    np.savez(path, embeddings=vectors, record_ids=np.asarray(ids), text_keys=text_keys(texts))
    return path


def _rows(texts):
    return pd.DataFrame({"record_id": [f"r{i}" for i in range(len(texts))], "text": texts})


def test_a_remap_that_kept_the_texts_is_ready_at_once_and_the_old_version_goes(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(embedding_jobs, "start_job", lambda spec, home: started.append(spec))
    old = _seed(tmp_path, _info(1), ["a1", "a2", "a3"], ["late parcel", "great", "rude agent"])
    state = embedding_jobs.advance_dataset_embeddings(_info(2), _rows(["rude agent", "late parcel", "great"]),
                                                      home=tmp_path)
    assert state.ready and not started
    path = embedding_jobs.embeddings_path(_info(2), tmp_path)
    assert is_cached(path, ["r0", "r1", "r2"]) and not old.exists()
    with np.load(path) as cached:
        assert cached["embeddings"][0].tolist() == [0, 0, 1, 0]  # "rude agent" keeps version 1's vector


def test_changed_texts_start_a_job_that_is_told_where_the_earlier_vectors_are(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(embedding_jobs, "start_job", lambda spec, home: started.append(spec))
    monkeypatch.setattr(embedding_jobs, "write_job_input", lambda frame, home: tmp_path / "input.parquet")
    _seed(tmp_path, _info(1), ["a1"], ["late parcel"])
    _seed(tmp_path, _info(3), ["a1"], ["great"])
    _seed(tmp_path, _info(1, "other"), ["a1"], ["great"])  # another dataset's cache is never offered
    state = embedding_jobs.advance_dataset_embeddings(_info(4), _rows(["late parcel", "brand new text"]),
                                                      home=tmp_path)
    assert not state.ready and len(started) == 1
    reuse = [p.rsplit("/", 1)[-1] for p in started[0].config["reuse_from"]]
    assert reuse == ["ds1_v3.npz", "ds1_v1.npz"]  # newest first


def test_deleting_a_dataset_forgets_every_version_of_its_embeddings(tmp_path):
    kept = _seed(tmp_path, _info(1, "other"), ["a1"], ["x"])
    for version in (1, 2):
        _seed(tmp_path, _info(version), ["a1"], ["x"])
    embedding_jobs.forget_embeddings("ds1", tmp_path)
    assert sorted(p.name for p in (tmp_path / "embeddings").iterdir()) == [kept.name]
