"""Every page in real headless Chromium on a dataset whose names and values are hostile: nothing runs, nothing
links out, nothing turns bold; the values read literally."""
from __future__ import annotations

import re
import time

import pytest

from analytics.store.database import Store
from pages.common import keys
from tests.e2e.conftest import CHROMIUM
from tests.e2e.test_browser import _serve
from tests.pages.test_markup_escaping import _write_jobs, import_hostile
from tests.pages.test_pages import seed_stand_in_embeddings

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]

PAGES = [(title, path) for pages in keys.NAVIGATION.values() for _, title, _, path in pages]
# Plotly draws <a href> as an SVG anchor (xlink:href) and <b> as a bold tspan: count those built from data.
PLOTLY_MARKUP = """() => {
    const href = a => a.getAttribute('href') || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || '';
    const charts = Array.from(document.querySelectorAll('.js-plotly-plot'));
    return {
        links: charts.flatMap(c => Array.from(c.querySelectorAll('a')))
                     .filter(a => href(a).includes('evil.example') || href(a).startsWith('javascript:')).length,
        bold: charts.flatMap(c => Array.from(c.querySelectorAll('tspan')))
                    .filter(t => /bold/.test(t.getAttribute('style') || '') && t.textContent.trim() === 'bold').length,
    };
}"""


def _settle(page, title: str) -> None:
    """Wait for the page's title, then until the script has stopped running for 1.5 s."""
    page.get_by_role("heading", name=title, exact=True).first.wait_for()
    page.wait_for_timeout(1000)  # the status widget shows only after a moment
    quiet_since, deadline = None, time.time() + 120
    while time.time() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').filter(has_text=re.compile("Running|Stop")).count()
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since > 1.5:
            return
        page.wait_for_timeout(200)
    pytest.fail(f"{title}: the page kept running for two minutes")


def test_hostile_values_read_literally_on_every_page(home, tmp_path, page):
    store = Store.open_default()
    store.set_setting("demo_seeded", "yes")
    import_hostile(store, tmp_path)
    store.close()  # the server opens the DuckDB file
    seed_stand_in_embeddings(home)  # Topics & intents without minutes of MiniLM on a CPU
    _write_jobs(home)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
    charts_seen = 0
    with _serve(home, tmp_path / "streamlit.log", GAPSIGHT_AUTO_TRAIN="0") as url:
        for title, path in PAGES:
            page.goto(f"{url}/{path}")
            _settle(page, title)
            assert page.locator('[data-testid="stException"]').count() == 0, (
                title, page.locator('[data-testid="stException"]').first.inner_text())
            assert page.locator('a[href^="javascript:"]').count() == 0, title
            assert page.locator('a[href*="evil.example"]').count() == 0, title
            assert page.locator('img[src="x"]').count() == 0, title
            assert page.locator('[aria-label="home icon"], .katex').count() == 0, title  # no icon, no LaTeX
            assert page.locator("b, strong").filter(has_text=re.compile(r"^\s*[Bb]old\s*$")).count() == 0, title
            assert page.get_by_text(re.compile(r"\*\*[Bb]old\*\*|<b>bold</b>")).count() > 0, \
                f"{title}: no hostile value reads literally"
            if title in ("Overview", "Sentiment"):  # category charts: their tick labels read "<b>bold</b>"
                page.locator(".js-plotly-plot text", has_text="<b>bold</b>").first.wait_for()
                charts_seen += 1
            plotly = page.evaluate(PLOTLY_MARKUP)
            assert plotly == {"links": 0, "bold": 0}, (title, plotly)
            if title == "Sentiment":
                page.screenshot(path=str(tmp_path / "sentiment.png"), full_page=True)
            assert not dialogs, (title, dialogs)
    assert charts_seen == 2
