"""Tests for analytics.export.report: one plotly.js, no outside URL, escaping, CSP, truncated tables, file names."""
from __future__ import annotations

import base64
import hashlib
import html
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.offline
import pytest

from analytics.export.report import ReportKpi, ReportSection, build_report, report_filename

WHEN = datetime(2025, 3, 1, 14, 5)
BREAKOUT = "</script><script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
PLOTLYJS = plotly.offline.get_plotlyjs()


class _Document(HTMLParser):
    """Start tags with their attributes, and the text of every script, as a browser's tokenizer sees them."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def _figure(name: str = "volume", *, title: str = "week") -> go.Figure:
    fig = go.Figure(go.Bar(x=["a", "b"], y=[3, 4], name=name))
    fig.update_layout(xaxis_title=title)
    return fig


def _report(*, sections=(), kpis=(), **options) -> str:
    return build_report(title="Gapsight report", subtitle="demo · 2025", kpis=kpis, sections=sections,
                        generated_at=WHEN, **options)


def _without_plotlyjs(page: str) -> str:
    assert page.count(PLOTLYJS) == 1
    return page.replace(PLOTLYJS, "")


@pytest.mark.parametrize("layout", [(1,), (3,), (2, 0, 1)])
def test_plotlyjs_is_inlined_once_however_many_figures(layout):
    sections = [ReportSection(f"part {i}", figures=[_figure() for _ in range(n)]) for i, n in enumerate(layout)]
    page = _report(sections=sections)
    doc = _Document(page)
    assert page.count(PLOTLYJS) == 1
    assert page.count('class="plotly-graph-div"') == sum(layout)
    assert len(doc.scripts) == 1 + sum(layout)  # plotly.js, then one Plotly.newPlot per figure
    assert doc.named("script")[0] == {}  # inline: no src
    ids = [attrs["id"] for attrs in doc.named("div") if attrs.get("class") == "plotly-graph-div"]
    assert len(set(ids)) == len(ids)


def test_a_report_without_figures_carries_no_script():
    page = _report(sections=[ReportSection("Text only", "nothing drawn")], kpis=[ReportKpi("n", 3)])
    assert PLOTLYJS not in page
    assert _Document(page).named("script") == []


def test_nothing_points_outside_the_file():
    sections = [ReportSection("Charts", "see https://example.com (as text)", figures=[_figure(), _figure()],
                              tables=[pd.DataFrame({"url": ["http://example.com/x"]})])]
    page = _report(sections=sections)
    doc = _Document(page)
    assert doc.named("link") == [] and doc.named("iframe") == [] and doc.named("img") == []
    for tag, attrs in doc.tags:
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            assert name not in attrs, (tag, attrs)
    rest = _without_plotlyjs(page)  # its minified source builds links (the modebar's) as strings
    lowered = rest.lower()
    assert 'src="http' not in lowered and 'href="http' not in lowered and "<link" not in lowered
    # The only URLs left are the user's own text, escaped into the body, never as an attribute.
    assert re.findall(r"https?://[^\s<\"]*", rest) == ["https://example.com", "http://example.com/x"]
    style = rest.split("<style>")[1].split("</style>")[0]
    assert "url(" not in style and "@import" not in style


def test_the_policy_blocks_every_request_and_allows_exactly_the_documents_scripts():
    page = _report(sections=[ReportSection("Charts", figures=[_figure(), _figure("other")])])
    doc = _Document(page)
    metas = [attrs for attrs in doc.named("meta") if attrs.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    policy = dict(part.strip().split(" ", 1) for part in metas[0]["content"].split(";"))
    assert policy["default-src"] == "'none'"  # covers connect, frame, media, object, worker, manifest …
    assert policy["img-src"] == "data: blob:" and policy["font-src"] == "data:"
    assert policy["base-uri"] == "'none'" and policy["form-action"] == "'none'"
    assert "unsafe-eval" not in metas[0]["content"] and "http" not in metas[0]["content"]
    allowed = set(re.findall(r"'(sha256-[A-Za-z0-9+/=]+)'", policy["script-src"]))
    present = {"sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in doc.scripts}
    assert allowed == present and len(present) == 3
    # The policy must be read before the first script.
    assert page.index("Content-Security-Policy") < page.index("<script")
    assert page.index('<meta charset="utf-8">') < page.index("Content-Security-Policy")


FIELDS = ["title", "subtitle", "kpi label", "kpi value", "kpi delta", "kpi note", "section title", "section text",
          "table header", "table cell"]


def test_every_piece_of_user_text_is_escaped():
    payload = {field: f'<script>alert("{field}")</script>{IMG}&amp;' for field in FIELDS}
    table = pd.DataFrame({payload["table header"]: [payload["table cell"], IMG], "n": [1, 2]})
    fig = _figure(BREAKOUT, title=BREAKOUT)
    fig.update_layout(title=BREAKOUT)
    page = build_report(
        title=payload["title"], subtitle=payload["subtitle"],
        kpis=[ReportKpi(payload["kpi label"], payload["kpi value"], payload["kpi delta"], payload["kpi note"])],
        sections=[ReportSection(payload["section title"], payload["section text"], figures=[fig], tables=[table])],
        generated_at=WHEN)
    for field, text in payload.items():
        assert html.escape(text) in page, field  # shown as text (&amp; stays visible as "&amp;")
    rest = _without_plotlyjs(page)
    assert "<script>alert" not in rest and "<img" not in rest and BREAKOUT not in rest
    doc = _Document(page)
    assert len(doc.named("script")) == 2 and doc.named("img") == []
    assert not any(name.startswith("on") for _, attrs in doc.tags for name in attrs)
    # In the figure's JSON, <, > and / are \u escapes: the breakout stays data inside the one script.
    figure_script = doc.scripts[1]
    assert "alert(1)" in figure_script and "<" not in figure_script and ">" not in figure_script
    assert figure_script.count("\\u003c\\u002fscript\\u003e") == 2 * 3  # name, axis title and title
    assert "<title>" + html.escape(payload["title"]) + "</title>" in page


def test_figures_and_tables_are_not_changed():
    fig, table = _figure(BREAKOUT), pd.DataFrame({"a": [1.5, np.nan], "b": ["x", None]})
    fig_before, table_before = fig.to_dict(), table.copy(deep=True)
    _report(sections=[ReportSection("s", figures=[fig], tables=[table])])
    assert fig.to_dict() == fig_before
    pd.testing.assert_frame_equal(table, table_before)


def _rows(page: str) -> list[list[str]]:
    bodies = re.findall(r"<tbody>(.*?)</tbody>", page, re.DOTALL)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL) for body in bodies for row in body.split("</tr>")
            if "<td" in row]


def test_tables_are_cut_at_max_rows_with_a_note():
    big = pd.DataFrame({"rank": range(1, 121), "dimension": ["delivery"] * 120})
    page = _report(sections=[ReportSection("Actions", tables=[big])])
    rows = _rows(page)
    assert len(rows) == 50 and rows[0] == ["1", "delivery"] and rows[-1] == ["50", "delivery"]
    assert "<figcaption>The first 50 of 120 rows; 70 left out.</figcaption>" in page

    page = _report(sections=[ReportSection("Actions", tables=[big.head(3), big.iloc[:0]])], max_rows=2)
    assert len(_rows(page)) == 2
    assert "The first 2 of 3 rows; 1 left out." in page and "<figcaption>No rows.</figcaption>" in page
    assert page.count("<th>dimension</th>") == 2  # an empty table keeps its header

    page = _report(sections=[ReportSection("Actions", tables=[big.head(50), big.head(1)])])
    assert "<figcaption>50 rows.</figcaption>" in page and "<figcaption>1 row.</figcaption>" in page


@pytest.mark.parametrize("max_rows", [0, -1, 2.5, True])
def test_a_bad_max_rows_is_refused(max_rows):
    with pytest.raises(ValueError, match=f"max_rows={max_rows!r} should be"):
        _report(max_rows=max_rows)


def test_cells_read_as_people_write_them():
    table = pd.DataFrame({
        "n": [1234567, 3],
        "share": [0.123456, np.nan],
        "score": [1234.5678, -2.0],
        "when": pd.to_datetime(["2025-03-01 00:00", "2025-03-02 10:30"]),
        "quotes": [("late", "broken"), frozenset({"b", "a"})],
        "flag": [True, False],
        "text": ["café\nsecond line", None],
        ("gap", "mean"): [0.5, 1e-5],
    })
    page = _report(sections=[ReportSection("s", tables=[table])])
    assert _rows(page) == [
        ["1,234,567", "0.123", "1,235", "2025-03-01", "late\nbroken", "yes", "café\nsecond line", "0.5"],
        ["3", "", "-2", "2025-03-02 10:30", "a\nb", "no", "", "1e-05"],
    ]
    assert '<th class="num">n</th>' in page and "<th>when</th>" in page and "<th>flag</th>" in page
    assert '<th class="num">gap / mean</th>' in page


def test_kpis_become_cards_and_the_footer_says_when():
    kpis = [ReportKpi("Mean rating", 4.213, 0.1, "vs previous 90 days"), ReportKpi("Negative share", "21 %", "−3 pp"),
            ReportKpi("Interactions", 12034, -40), ReportKpi("NPS", None)]
    page = build_report(title="t", subtitle="", kpis=kpis, sections=[],
                        generated_at=datetime(2025, 3, 1, 9, 7, tzinfo=timezone(timedelta(hours=1))))
    cards = re.findall(r'<div class="kpi">(.*?)</div></div>', page)
    assert len(cards) == 4
    values = re.findall(r'<div class="kpi-value">(.*?)</div>', page)
    deltas = re.findall(r'<div class="kpi-delta">(.*?)</div>', page)
    assert values == ["4.21", "21 %", "12,034", "–"] and deltas == ["+0.1", "−3 pp", "-40"]
    assert '<div class="kpi-note">vs previous 90 days</div>' in page
    assert '<p class="subtitle">' not in page  # an empty subtitle is left out
    footer = page.split("<footer>")[1].split("</footer>")[0]
    assert footer.startswith("Generated offline by Gapsight")
    assert '<time datetime="2025-03-01T09:07:00+01:00">2025-03-01 09:07 UTC+01:00</time>' in footer


def test_empty_sections_and_an_empty_report_are_fine():
    page = _report(sections=[ReportSection("Alerts"), ReportSection("Segments", "   ", figures=[], tables=[])])
    assert page.count("Nothing to show in this section.") == 2
    assert '<section class="kpis"' not in page
    assert page.rstrip().endswith("</html>") and page.startswith("<!DOCTYPE html>")
    page = _report()
    assert "<main>\n</main>" in page and "Generated offline by Gapsight" in page


def test_section_text_keeps_its_paragraphs():
    page = _report(sections=[ReportSection("s", "first line\nsame paragraph\n\n\n  second  \n")])
    assert '<div class="text"><p>first line\nsame paragraph</p><p>second</p></div>' in page


def test_the_report_is_reproducible():
    sections = [ReportSection("a", figures=[_figure()], tables=[pd.DataFrame({"x": [1]})])]
    assert _report(sections=sections) == _report(sections=sections)


def test_bad_inputs_say_what_is_wrong():
    with pytest.raises(ValueError, match="title is empty"):
        build_report(title=" ", subtitle="", kpis=[], sections=[], generated_at=WHEN)
    with pytest.raises(TypeError, match="section 'a': tables must be DataFrames, got list"):
        _report(sections=[ReportSection("a", tables=[[1, 2]])])


def test_sections_hold_tuples():
    section = ReportSection("a", figures=[_figure()], tables=[pd.DataFrame()])
    assert isinstance(section.figures, tuple) and isinstance(section.tables, tuple)


@pytest.mark.parametrize(("name", "expected"), [
    ("shop_reviews.csv", "gapsight-report-shop-reviews-csv-20250301-1405.html"),
    ("Café Crème – Q1 (2025)", "gapsight-report-cafe-creme-q1-2025-20250301-1405.html"),
    ("../../etc/passwd", "gapsight-report-etc-passwd-20250301-1405.html"),
    ('<script>"a"</script>\\con', "gapsight-report-script-a-script-con-20250301-1405.html"),
    ("评论数据", "gapsight-report-评论数据-20250301-1405.html"),  # other scripts are kept
    ("<>|", "gapsight-report-dataset-20250301-1405.html"),
    ("", "gapsight-report-dataset-20250301-1405.html"),
    ("x" * 100, f"gapsight-report-{'x' * 60}-20250301-1405.html"),
    ("a" * 59 + " b", f"gapsight-report-{'a' * 59}-20250301-1405.html"),  # no hyphen left at the cut
])
def test_report_filename(name, expected):
    assert report_filename(name, WHEN) == expected
    assert re.fullmatch(r"[^\W_A-Z]+(?:-[^\W_A-Z]+)*\.html", expected)
