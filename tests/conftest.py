"""Shared fixtures: a private store per test, the real data folder, the demo dataset once per run."""
from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Pages must not start real background fine-tunes during tests (tests/models drive that chain).
os.environ.setdefault("GAPSIGHT_AUTO_TRAIN", "0")

PROJECT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The real public data sets; tests using them skip when the folder is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (it sits beside the project only on dev machines)")
    return SHARED_DATA


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A private, empty GAPSIGHT_HOME for one test."""
    path = tmp_path / "gapsight-home"
    monkeypatch.setenv("GAPSIGHT_HOME", str(path))
    return path


@pytest.fixture
def store(home):
    """An empty store in the test's private home."""
    from analytics.store.database import Store

    opened = Store.open_default()
    yield opened
    opened.close()


@contextlib.contextmanager
def as_home(path: Path):
    """GAPSIGHT_HOME=path for a session fixture (monkeypatch is per test), restored afterwards."""
    previous = os.environ.get("GAPSIGHT_HOME")
    os.environ["GAPSIGHT_HOME"] = str(path)
    try:
        yield path
    finally:
        if previous is None:
            os.environ.pop("GAPSIGHT_HOME", None)
        else:
            os.environ["GAPSIGHT_HOME"] = previous


def private_copy(template: Path, path: Path, monkeypatch) -> Path:
    shutil.copytree(template, path)
    monkeypatch.setenv("GAPSIGHT_HOME", str(path))
    return path


@pytest.fixture(scope="session")
def demo_home_template(tmp_path_factory) -> Path:
    """A home with the demo dataset imported, built once per test run and copied by tests."""
    from analytics.demo.sample import seed_demo_once
    from analytics.store.database import DB_FILENAME, Store

    with as_home(tmp_path_factory.mktemp("demo-home")) as path:
        template = Store(path / DB_FILENAME)
        seed_demo_once(template)
        template.close()
    return path


@pytest.fixture
def demo_home(demo_home_template, tmp_path, monkeypatch) -> Path:
    """A private copy of the demo home for one test (tests may change it freely)."""
    return private_copy(demo_home_template, tmp_path / "demo-home", monkeypatch)


@pytest.fixture(scope="session")
def scored_demo_home_template(demo_home_template, tmp_path_factory) -> Path:
    """The demo home after a first Gap or Recommendations visit: sentences and VADER sentiment stored, once a run."""
    from analytics.store.database import DB_FILENAME, Store
    from models.flows.lexicon_scoring import ensure_lexicon_predictions
    from models.flows.sentence_scoring import ensure_sentence_scores

    path = tmp_path_factory.mktemp("scored-demo-home") / "home"
    shutil.copytree(demo_home_template, path)
    with as_home(path):
        store = Store(path / DB_FILENAME)
        info = store.list_datasets()[0]
        rows = store.load_rows(info.id)
        ensure_sentence_scores(store, info, rows)
        ensure_lexicon_predictions(store, info.id, rows)
        store.close()
    return path


@pytest.fixture
def scored_demo_home(scored_demo_home_template, tmp_path, monkeypatch) -> Path:
    """A private copy of the scored demo home for one test."""
    return private_copy(scored_demo_home_template, tmp_path / "scored-demo-home", monkeypatch)
