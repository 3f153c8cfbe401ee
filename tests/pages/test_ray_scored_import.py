"""A file scored on Ray (issue 16) goes into the app by the ordinary Parquet import and reads on the Sentiment page."""
from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ray = pytest.importorskip("ray", reason="ray is not installed (requirements.txt installs it)")

from analytics.ingest.mapping import suggest_mapping  # noqa: E402
from analytics.ingest.pipeline import import_file  # noqa: E402
from analytics.ingest.readers import profile_file  # noqa: E402
from analytics.store.database import Store  # noqa: E402
from models.device import choose_device  # noqa: E402
from models.flows.ray_scoring import score_with_ray  # noqa: E402
from models.registry import ModelMeta, save_model  # noqa: E402
from models.training import fine_tune  # noqa: E402
from pages.common import keys  # noqa: E402
from tests.models.conftest import TINY_CONFIG, make_toy_sentiment, tiny_factory  # noqa: E402
from tests.pages.test_pages import APP  # noqa: E402


def test_score_with_ray_import_the_output_and_read_it_on_the_sentiment_page(home, tmp_path):
    from models.base import load_tokenizer

    texts, labels = make_toy_sentiment(120, seed=8)
    result = fine_tune(texts, labels, config=TINY_CONFIG, device=choose_device("cpu"), model_factory=tiny_factory,
                       tokenizer=load_tokenizer())
    folder = tmp_path / "model"
    save_model(result.model, result.tokenizer, folder,
               meta=ModelMeta.from_fine_tune(result, task="sentiment", data_fingerprint=""))
    source = tmp_path / "reviews.parquet"
    pd.DataFrame({"review_id": [f"r{i}" for i in range(120)], "review": texts,
                  "stars": [5 if label == "positive" else 1 for label in labels]}).to_parquet(source)
    logging.getLogger("ray").setLevel(logging.WARNING)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
             object_store_memory=200 * 1024 * 1024,
             runtime_env={"env_vars": {"PYTHONPATH": str(Path(__file__).resolve().parents[2]),
                                       "HF_HUB_OFFLINE": "1"}})
    try:
        score_with_ray(folder, source, tmp_path / "scored.parquet", text_column="review")
    finally:
        ray.shutdown()

    store = Store.open_default()
    try:
        store.set_setting("demo_seeded", "yes")
        profile = profile_file(tmp_path / "scored.parquet")
        mapping = suggest_mapping(profile.preview).mapping
        assert mapping["text"] == "review" and mapping["rating"] == "stars" and mapping["record_id"] == "review_id"
        report = import_file(store, profile, mapping)
        assert report.rows_imported == 120
        stored = store.load_rows(report.dataset_id)
    finally:
        store.close()
    assert sorted(stored["record_id"]) == sorted(f"r{i}" for i in range(120))

    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.switch_page(keys.SENTIMENT_PAGE).run()
    assert not at.exception, at.exception
    shown = next(d.value for d in at.dataframe if {"sentiment", "text"} <= set(d.value.columns))
    assert set(shown["text"]) <= set(texts) and len(shown) > 0
