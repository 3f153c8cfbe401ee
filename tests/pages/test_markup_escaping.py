"""User text never renders as markup: every page under AppTest on a dataset whose names and values are hostile.

Every Markdown-rendered string the pages send (captions, markdown, alerts, headings, toasts, widget and
expander labels, help, progress texts) is read from the element tree; each hostile marker may appear only
escaped (``**bold**`` as ``\\*\\*bold\\*\\*``, ``$x^2$`` as ``\\$x^2\\$``, ``:red[`` as ``\\:red\\[``, tags with
``\\<``); URLs and ``:material/…:`` icons, which Streamlit acts on even escaped, carry a word joiner (U+2060).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from analytics.ingest.pipeline import import_file
from analytics.ingest.readers import profile_file
from analytics.insights.drilldown import DrillDown
from analytics.store.database import Store
from pages.common import keys
from tests.conftest import as_home, private_copy
from tests.pages.test_pages import APP, seed_stand_in_embeddings

HOSTILE = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))", "**bold**",
           "$x^2$", ":red[alarm]", ":material/home:", "<b>bold</b>", '<a href="https://evil.example">link</a>')
DATASET_NAME = "**Bold** [click](javascript:alert(1)) $x^2$ :red[alarm] <b>bold</b>"
HOSTILE_COLUMN = "**qty** <b>n</b>"  # a numeric source column: offered as a feature and a quantity
# Each marker unescaped (no backslash before it): what Markdown, LaTeX, directives or HTML would act on.
RAW = {name: re.compile(pattern) for name, pattern in {
    "bold": r"(?<!\\)\*\*(?:bold|Bold|qty)", "link": r"(?<!\\)\[click", "latex": r"(?<!\\)\$x\^2",
    "colour": r"(?<!\\):red\[", "icon": r"(?<!\u2060)material/home", "tag": r"(?<!\\)<(?:b>|script|img|a href)",
    # Streamlit links a URL and draws an icon even when escaped: plain_label breaks both with a word joiner.
    "autolink": r"(?i)https?\\?:",
}.items()}
ESCAPED_NAME = r"\*\*Bold\*\* \[click\]\(javascript\:alert\(1\)\) \$x^2\$ \:red\[alarm\] \<b\>bold\</b\>"
# Fields of the element protos that Streamlit renders as Markdown; st.text, st.code, tables and charts are plain.
MARKDOWN_FIELDS = {"body", "label", "help", "text"}
PLAIN_ELEMENTS = {"text", "code", "arrow_data_frame", "plotly_chart", "dataframe", "json"}


def write_hostile_csv(path: Path, n: int = 540) -> Path:
    """A CSV whose every text-like column holds hostile values (also read by the browser test)."""
    rng = np.random.default_rng(0)
    words = ("late delivery", "great service", "refund was slow", "love the app", "rude staff", "price too high")
    k = len(HOSTILE)
    pd.DataFrame({
        "id": [f"r{i}" for i in range(n)],
        "comment": [f"{words[i % 6]} {HOSTILE[i % k]} {HOSTILE[(i + 3) % k]}" for i in range(n)],
        "stars": rng.integers(1, 6, n),
        "date": [(pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(i * 0.7))).date().isoformat() for i in range(n)],
        "customer": [f"{HOSTILE[i % k]} {i % 30}" for i in range(n)],
        "product": [HOSTILE[(i // 2) % k] for i in range(n)],
        "category": [HOSTILE[(i // 3) % k] for i in range(n)],
        "channel": [HOSTILE[(i // 5) % k] for i in range(n)],
        "expected": rng.integers(1, 6, n),
        "amount": rng.integers(5, 100, n).astype(float),
        "order": [f"o{i // 3}" for i in range(n)],
        "item": [HOSTILE[(i * 7) % k] for i in range(n)],
        HOSTILE_COLUMN: rng.integers(1, 9, n),
    }).to_csv(path, index=False)
    return path


def import_hostile(store: Store, folder: Path) -> str:
    """Import the hostile CSV through the real pipeline under the hostile dataset name; its id."""
    profile = profile_file(write_hostile_csv(folder / "hostile.csv"))
    mapping = {"record_id": "id", "text": "comment", "rating": "stars", "timestamp": "date", "customer_id": "customer",
               "product": "product", "category": "category", "channel": "channel", "expected": "expected",
               "amount": "amount", "order_id": "order", "item": "item"}
    return import_file(store, profile, mapping, name=DATASET_NAME).dataset_id


def _write_jobs(home: Path) -> None:
    """A queued, a failed and a finished job whose name, error and message quote the hostile values."""
    from models.jobs import STATUS_FILE

    now = pd.Timestamp.now(tz="UTC")
    for i, (state, extra) in enumerate((("queued", {}), ("failed", {"error": f"Column {HOSTILE[7]}: {HOSTILE[3]}"}),
                                        ("cancelled", {"message": f"Stopped at {HOSTILE[5]} {HOSTILE[4]}"}))):
        folder = home / "jobs" / f"embed-{i}"
        folder.mkdir(parents=True)
        (folder / STATUS_FILE).write_text(json.dumps({
            "job_id": f"embed-{i}", "kind": "embed", "task": "embed", "name": f"Embeddings · {DATASET_NAME}",
            "state": state, "created_at": (now + pd.Timedelta(seconds=i)).isoformat(), **extra}))


@pytest.fixture(scope="module")
def hostile_template(tmp_path_factory) -> Path:
    """A home holding the hostile dataset (demo marked as seeded), built once for the module."""
    with as_home(tmp_path_factory.mktemp("hostile") / "home") as home:
        store = Store.open_default()
        store.set_setting("demo_seeded", "yes")
        import_hostile(store, home.parent)
        store.close()
    return home


@pytest.fixture
def hostile_home(hostile_template, tmp_path, monkeypatch) -> Path:
    return private_copy(hostile_template, tmp_path / "home", monkeypatch)


def markdown_strings(at: AppTest) -> list[tuple[str, str]]:
    """(element type, text) of every Markdown-rendered string in the app's element tree, sidebar included."""
    found: list[tuple[str, str]] = []

    def fields(value, kind: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in MARKDOWN_FIELDS and isinstance(item, str):
                    found.append((kind, item))
                elif isinstance(item, dict | list):
                    fields(item, kind)
        elif isinstance(value, list):
            for item in value:
                fields(item, kind)

    def walk(node) -> None:
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if proto is not None and kind not in PLAIN_ELEMENTS:
            fields(MessageToDict(proto), kind)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    found += [("toast", t.value) for t in at.toast]
    return found


def assert_literal(at: AppTest) -> list[str]:
    assert not at.exception, at.exception
    texts = markdown_strings(at)
    leaks = [(kind, name, text[:160]) for kind, text in texts for name, raw in RAW.items() if raw.search(text)]
    assert not leaks, leaks[:8]
    return [text for _, text in texts]


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    if page != keys.OVERVIEW_PAGE:
        at.switch_page(page).run()
    return at


def _click(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()


@pytest.mark.parametrize("page", [p for p in keys.ALL_PAGES if p not in (keys.DATA_PAGE, keys.MODELS_PAGE)])
def test_analysis_pages_show_hostile_values_literally(hostile_home, page):
    if page == keys.TOPICS_PAGE:
        seed_stand_in_embeddings(hostile_home)
    at = _open(page)
    texts = assert_literal(at)
    assert any(ESCAPED_NAME in text for text in texts), "the dataset's name should read literally in the scope line"
    if page == keys.OVERVIEW_PAGE:  # the drill-down box names the clicked category
        at.session_state[keys.OVERVIEW_DRILL] = DrillDown("category", HOSTILE[3])
        at.run()
        assert any(r"category \= \*\*bold\*\*" in text for text in assert_literal(at))
    elif page == keys.SEGMENTS_PAGE:  # profiles, expanders named after segments, the features' note
        _click(at, "Run segmentation")
        assert_literal(at)
    elif page == keys.ASSOCIATIONS_PAGE:
        next(n for n in at.number_input if n.label.startswith("Min support")).set_value(0.5)
        _click(at, "Mine rules")
        assert_literal(at)
    elif page == keys.FORECAST_PAGE:  # a slice: its value names the selectbox and the evidence
        at.selectbox(key="forecast_slice").set_value("category").run()
        assert_literal(at)


def test_data_page_shows_hostile_names_literally(hostile_home):
    at = _open(keys.DATA_PAGE)
    assert_literal(at)


def test_models_page_job_list_shows_hostile_names_literally(hostile_home):
    _write_jobs(hostile_home)
    at = _open(keys.MODELS_PAGE)
    texts = assert_literal(at)
    assert any(text.startswith(r"**Embeddings · \*\*Bold\*\*") for text in texts)
    assert any(r"Column \<b\>bold\</b\>\: \*\*bold\*\*" in text for text in texts)  # the failed job's error
