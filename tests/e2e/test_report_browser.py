"""The HTML report in real headless Chromium with the network cut: charts drawn, a `<script>` payload shown as text."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
import pytest

from analytics.export.report import ReportKpi, ReportSection, build_report, report_filename
from tests.e2e.conftest import CHROMIUM

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]

PAYLOAD = "<script>window.pwned=1</script>"
IMG = '<img src=x onerror="window.pwned=2">'
BREAKOUT = "</script><script>window.pwned=3</script>"
# Collect what the page's policy refuses, from before the document's first script runs.
_WATCH_POLICY = ("window.__violations = [];"
                 "document.addEventListener('securitypolicyviolation',"
                 " (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));")


def _report() -> str:
    weeks = pd.date_range("2025-01-06", periods=8, freq="W-MON")
    trend = go.Figure(go.Scatter(x=weeks, y=[4.1, 4.0, 3.6, 3.2, 3.4, 3.9, 4.0, 4.1], mode="lines+markers",
                                 name=BREAKOUT))
    trend.update_layout(title="Mean rating by week", xaxis_title=BREAKOUT)
    gaps = go.Figure(go.Bar(x=["delivery", "quality", "price"], y=[-0.8, -0.3, 0.2], name="gap"))
    gaps.update_layout(title="Largest gaps")
    table = pd.DataFrame({"review": [PAYLOAD, IMG, "Arrived late"], "rating": [1, 2, 2]})
    return build_report(
        title="Demo <b>report</b>", subtitle="demo.csv · 2025-01-06 – 2025-03-03",
        kpis=[ReportKpi("Interactions", 1204, 35, note=IMG), ReportKpi("Mean rating", "3.79", "−0.21")],
        sections=[ReportSection("Trend", "How the mean rating moved.", figures=[trend]),
                  ReportSection("Largest gaps", figures=[gaps], tables=[table]),
                  ReportSection("Alerts")],
        generated_at=datetime(2025, 3, 4, 8, 0))


def test_the_report_draws_its_charts_offline_and_runs_no_user_text(page, tmp_path):  # noqa: F811
    path = tmp_path / report_filename("demo.csv", datetime(2025, 3, 4, 8, 0))
    path.write_text(_report(), encoding="utf-8")
    requested, blocked, dialogs = [], [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    def only_the_file(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_file)
    page.add_init_script(_WATCH_POLICY)
    page.goto(path.as_uri())

    graphs = page.locator(".plotly-graph-div")
    assert graphs.count() == 2
    for i in range(2):
        graphs.nth(i).locator("svg.main-svg").first.wait_for()
    page.locator(".plotly-graph-div .scatterlayer .trace path.js-line").first.wait_for()  # the line was drawn
    assert page.locator(".plotly-graph-div .barlayer .point").count() == 3  # and the three bars
    page.wait_for_timeout(500)  # anything late (a chart resize, an image) has had its chance to run

    assert page.evaluate("typeof window.pwned") == "undefined"
    assert dialogs == []
    review = page.locator("td", has_text=PAYLOAD)
    assert review.count() == 1 and review.is_visible() and review.inner_text() == PAYLOAD
    assert page.locator("td", has_text=IMG).inner_text() == IMG
    assert page.locator(".kpi-note").inner_text() == IMG
    assert page.locator("h1").inner_text() == "Demo <b>report</b>"
    assert page.locator("img").count() == 0 and page.locator("main script").count() == 2  # one per chart
    assert page.title() == "Demo <b>report</b>"
    assert page.get_by_text("Generated offline by Gapsight").is_visible()

    assert requested == [path.as_uri()], requested
    assert blocked == []
    assert page.evaluate("window.__violations") == []
