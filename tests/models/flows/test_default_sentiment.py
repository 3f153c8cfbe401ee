"""The default sentiment chain: train on ratings → register → score → predictions stored (tiny model)."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from analytics.store.labels import save_labels
from analytics.store.model_rows import active_model
from analytics.store.predictions import LEXICON_MODEL_ID, load_predictions
from models.flows.default_sentiment import (
    advance_default_sentiment,
    rating_training_frame,
    retrain_default_sentiment,
)
from models.flows.sync import sync_finished_jobs
from models.jobs import JobSpec, job_dir


def _rated_rows(n_per_class: int = 30) -> pd.DataFrame:
    words = {0.0: "awful broken late refund angry", 0.5: "okay average fine nothing special",
             1.0: "great lovely fast perfect happy"}
    rows = []
    for i in range(n_per_class):
        for rating, text in words.items():
            rows.append({"record_id": f"r{len(rows)}", "text": f"{text} number {i}", "rating": rating})
    return pd.DataFrame(rows)


def test_training_frame_labels_and_sampling():
    frame = rating_training_frame(_rated_rows(40), max_rows=60)
    assert set(frame.columns) == {"record_id", "text", "label"}
    assert frame["label"].value_counts().to_dict() == {"negative": 20, "neutral": 20, "positive": 20}
    with pytest.raises(ValueError, match="Not enough labelled texts"):
        rating_training_frame(_rated_rows(5), max_rows=None)


def test_people_labels_override_ratings_and_survive_sampling():
    rows = _rated_rows(40)
    unrated = pd.DataFrame({"record_id": ["u1"], "text": ["no stars here but clearly awful"], "rating": [np.nan]})
    rows = pd.concat([rows, unrated], ignore_index=True)
    corrections = pd.DataFrame({"record_id": ["r2", "u1"], "label": ["negative", "negative"]})
    frame = rating_training_frame(rows, max_rows=None, corrections=corrections).set_index("record_id")
    assert frame.loc["r2", "label"] == "negative"  # its rating said positive
    assert frame.loc["u1", "label"] == "negative"  # no rating, labelled by a person
    assert frame.loc["r0", "label"] == "negative" and frame.loc["r1", "label"] == "neutral"
    sampled = rating_training_frame(rows, max_rows=30, corrections=corrections)
    assert {"r2", "u1"} <= set(sampled["record_id"])
    assert len(sampled) == pytest.approx(30, abs=2)


def test_chain_reaches_fine_tuned_predictions(home, monkeypatch):
    from analytics.store.database import DatasetInfo, Store, insert_dataset_row, now_utc

    monkeypatch.setenv("GAPSIGHT_TINY_MODEL", "1")
    monkeypatch.setenv("GAPSIGHT_DEVICE", "cpu")
    store = Store.open_default()
    rows = _rated_rows(30)
    now = now_utc()
    info = DatasetInfo(id="dschain0001", name="chain", source_name="x.csv", source_sha256="x", created_at=now,
                       updated_at=now, version=1, n_rows=len(rows), n_rejected=0,
                       mapping={"text": "t", "rating": "r"})
    with store.write() as cur:
        insert_dataset_row(cur, info)
    stages = []
    deadline = time.time() + 240
    while time.time() < deadline:
        sync_finished_jobs(store, home=home)  # as the frame does on every page view
        source = advance_default_sentiment(store, info, rows, home=home)
        stages.append(source.stage)
        assert source.stage not in ("lexicon",), source.note
        if source.stage == "ready":
            break
        time.sleep(1)
    assert stages[-1] == "ready", stages
    assert "training" in stages and "scoring" in stages
    model = active_model(store, "sentiment")
    assert model is not None and model.dataset_id == info.id
    predictions = load_predictions(store, info.id, model.model_id)
    assert sorted(predictions["record_id"]) == sorted(rows["record_id"])
    assert set(predictions["label"]) <= {"negative", "neutral", "positive"}
    assert np.all((predictions["confidence"] > 0) & (predictions["confidence"] <= 1))
    # Once ready, another call changes nothing and starts no job.
    assert advance_default_sentiment(store, info, rows, home=home).stage == "ready"
    assert load_predictions(store, info.id, LEXICON_MODEL_ID).empty

    # Relabels feed a second fine-tune; the first model serves until the new one has scored.
    save_labels(store, info.id, "sentiment", ["r0", "r3"], "positive")
    job_id = retrain_default_sentiment(store, info, rows, home=home)
    with pytest.raises(ValueError, match="already being fine-tuned"):
        retrain_default_sentiment(store, info, rows, home=home)
    spec = JobSpec.from_json((job_dir(job_id, home=home) / "spec.json").read_text())
    taught = pd.read_parquet(spec.input_path).set_index("record_id")["label"]
    assert taught["r0"] == "positive" and taught["r3"] == "positive"  # ratings said negative
    first, stages = model.model_id, []
    deadline = time.time() + 240
    while time.time() < deadline:
        sync_finished_jobs(store, home=home)  # as the frame does on every page view
        source = advance_default_sentiment(store, info, rows, home=home)
        stages.append(source.stage)
        if source.stage == "ready" and source.model_id != first:
            break
        time.sleep(1)
    assert stages[-1] == "ready" and source.model_id != first, stages
    assert "retraining" in stages
    assert not load_predictions(store, info.id, source.model_id).empty
    store.close()


def test_a_model_of_another_dataset_is_applied_only_once_chosen(store, home):
    from analytics.store.database import DatasetInfo, insert_dataset_row, now_utc
    from analytics.store.model_rows import choose_model, register_model
    from models.jobs import list_jobs

    now = now_utc()
    tweets = DatasetInfo(id="dstweets001", name="tweets", source_name="t.csv", source_sha256="t", created_at=now,
                         updated_at=now, version=1, n_rows=2, n_rejected=0, mapping={"text": "text"})
    with store.write() as cur:
        insert_dataset_row(cur, tweets)
    register_model(store, model_id="m-rated", task="sentiment", name="from ratings", folder=str(home / "m-rated"),
                   dataset_id="dsrated0001", labels=("negative", "positive"), metrics={})
    rows = pd.DataFrame({"record_id": ["1", "2"], "text": ["late again", "thanks a lot"], "rating": [np.nan] * 2})
    source = advance_default_sentiment(store, tweets, rows, home=home, start=True)
    assert (source.stage, source.model_id) == ("lexicon", LEXICON_MODEL_ID)  # no rating to learn from: VADER
    assert list_jobs(home=home) == []  # and the other dataset's model did not start scoring these tweets
    choose_model(store, tweets.id, "sentiment", "m-rated")
    source = advance_default_sentiment(store, tweets, rows, home=home, start=True)
    assert source.stage == "scoring" and [j.kind for j in list_jobs(home=home)] == ["score"]


def test_the_automatic_fine_tune_waits_while_another_job_runs(store, home):
    import json

    from analytics.store.database import DatasetInfo, insert_dataset_row, now_utc
    from models.jobs import STATUS_FILE, list_jobs

    now = now_utc()
    info = DatasetInfo(id="dsbusy00001", name="rated", source_name="r.csv", source_sha256="r", created_at=now,
                       updated_at=now, version=1, n_rows=90, n_rejected=0, mapping={"text": "t", "rating": "r"})
    with store.write() as cur:
        insert_dataset_row(cur, info)
    other = home / "jobs" / "embed-other"
    other.mkdir(parents=True)
    (other / STATUS_FILE).write_text(json.dumps({  # an embedding job just queued for another dataset
        "job_id": "embed-other", "kind": "embed", "task": "embeddings-v1", "name": "Embeddings · other",
        "dataset_id": "dsother0001", "state": "queued", "created_at": pd.Timestamp.now(tz="UTC").isoformat()}))
    source = advance_default_sentiment(store, info, _rated_rows(30), home=home, start=True)
    assert source.stage == "waiting" and "once 'Embeddings · other' has finished" in source.note
    assert [j.job_id for j in list_jobs(home=home)] == ["embed-other"]  # nothing started beside it
