"""The whole app in real headless Chromium: Overview on the demo, then a CSV uploaded through the browser."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def app_url(demo_home, tmp_path):
    """`streamlit run app.py` on a free port with a private GAPSIGHT_HOME holding the demo dataset."""
    port = _free_port()
    env = dict(os.environ, GAPSIGHT_HOME=str(demo_home), HF_HUB_OFFLINE="1")
    log = open(tmp_path / "streamlit.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("streamlit did not start: " + (tmp_path / "streamlit.log").read_text()[-2000:])
    yield url
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture
def page(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        # Playwright gives every launch a fresh, empty profile of its own.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        yield page
        page.screenshot(path=str(tmp_path / "last.png"), full_page=True)
        browser.close()


def _metric_value(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]', has_text=label).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator(
        '[data-testid="stException"]').first.inner_text()


def test_overview_then_upload_a_csv(app_url, page, tmp_path):
    page.goto(app_url)
    page.get_by_role("heading", name="Overview").wait_for()
    page.locator('[data-testid="stMetric"]', has_text="Interactions").first.wait_for()
    demo_interactions = _metric_value(page, "Interactions")
    assert demo_interactions not in ("", "–")
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
    _no_exception(page)

    csv = tmp_path / "shop_reviews.csv"
    csv.write_text(
        "review_id;review_text;stars;created_at;channel\n"
        + "".join(f"r{i};Lieferung {'schnell' if i % 2 else 'zu spät'}, café crème nº{i};{1 + i % 5};"
                  f"2025-0{1 + i % 9}-1{i % 10} 10:00;{'email' if i % 3 else 'chat'}\n" for i in range(40)),
        encoding="utf-8")
    page.get_by_role("link", name="Data").click()
    page.get_by_role("heading", name="Import a file").wait_for()
    page.locator('input[type="file"]').set_input_files(str(csv))
    page.get_by_text("Map columns").wait_for()
    page.get_by_text("delimiter semicolon").first.wait_for()
    page.get_by_role("button", name="Import").click()
    page.get_by_text("is now the active dataset").wait_for()
    _no_exception(page)
    assert page.locator('[data-testid="stMetric"]', has_text="Rows imported").first.locator(
        '[data-testid="stMetricValue"]').inner_text() == "40"

    page.get_by_role("link", name="Overview").click()
    page.get_by_role("heading", name="Overview").wait_for()
    picker = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    picker.get_by_text("shop_reviews.csv").or_(picker.locator('input[value="shop_reviews.csv"]')).first.wait_for()
    page.get_by_text("shop_reviews.csv · ").first.wait_for()  # the Overview's caption names the active dataset
    page.locator('[data-testid="stMetric"]', has_text="Interactions").first.wait_for()
    page.get_by_text("40 interactions").first.wait_for()
    _no_exception(page)
