"""The whole app in real headless Chromium: Overview on the demo, a CSV uploaded through the browser, and a
fine-tune started on the Models page, followed to its finished report."""
from __future__ import annotations

import contextlib
import csv
import io
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import CHROMIUM
from tests.serving import serve_app

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (apt-get install chromium)"),
]


@contextlib.contextmanager
def _serve(home: Path, log_path: Path, *, grid_export: bool = True, **extra_env: str):
    """The app on a free port with GAPSIGHT_HOME=home (plus extra_env); yields its URL. ``grid_export`` (on here):
    Streamlit's table export, which :func:`_grid_rows` reads canvas-drawn tables through."""
    with serve_app(home, log_path, grid_export=grid_export, start_timeout=90, **extra_env) as (url, _):
        yield url


@pytest.fixture
def app_url(demo_home, tmp_path):
    """The app on a free port with a private GAPSIGHT_HOME holding the demo dataset."""
    with _serve(demo_home, tmp_path / "streamlit.log") as url:
        yield url


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


@pytest.fixture
def tiny_train_url(home, tmp_path):
    """The app on a fresh home holding only a small labelled CSV, with jobs fine-tuning a tiny BERT on the CPU."""
    from tests.pages.test_models_page import ROWS
    from tests.pages.test_pages import _import_csv

    _import_csv(home, "labelled.csv", ROWS)  # closes its store, so the server can open the DuckDB file
    with _serve(home, tmp_path / "streamlit.log", GAPSIGHT_TINY_MODEL="1", GAPSIGHT_DEVICE="cpu",
                GAPSIGHT_AUTO_TRAIN="0") as url:
        yield url


def _selectbox(page, label: str, *, within=None):
    return (within or page).locator('[data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True))


def _wait_selectbox_shows(page, label: str, value: str, *, within=None) -> None:
    """Wait until the selectbox labelled `label` shows `value` (as text, or as its search input's value)."""
    box = _selectbox(page, label, within=within)
    box.get_by_text(value, exact=True).or_(box.locator(f'input[value="{value}"]')).first.wait_for()


def _grid_rows(page, grid) -> list[dict[str, str]]:
    """A st.dataframe's cells (drawn on a canvas), read through its toolbar's "Download as CSV"."""
    # The toolbar only shows while the pointer is over the grid, and a short grid's toolbar overlaps the heading
    # above it; a dispatched click reaches the button's handler without depending on either.
    with page.expect_download() as download:
        grid.locator('button[aria-label="Download as CSV"]').dispatch_event("click")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_fine_tune_from_the_models_page(tiny_train_url, page):
    """Start a training run on the Models page (the CPU's default: the two linear models), follow its progress,
    read the finished report with its comparison."""
    expect = pytest.importorskip("playwright.sync_api").expect
    # Without the File System Access API the grid's CSV export falls back to a plain download Playwright catches.
    page.add_init_script("delete window.showSaveFilePicker;")
    page.goto(tiny_train_url)
    page.get_by_role("heading", name="Overview").wait_for()
    page.get_by_role("link", name="Models").click()
    page.wait_for_url("**/models")
    page.get_by_role("heading", name="Train a classifier").wait_for()
    page.get_by_text("No job yet.").wait_for()
    page.get_by_text("No trained model yet").wait_for()
    _no_exception(page)

    _selectbox(page, "Labels").click()
    page.get_by_role("option", name="topic", exact=True).click()
    _wait_selectbox_shows(page, "Labels", "topic")
    page.get_by_role("button", name="Start training").click()
    started = page.locator('[data-testid="stAlertContentSuccess"]', has_text="Started job")
    started.wait_for()
    assert "45 labelled texts" in started.inner_text()
    _no_exception(page)

    # The job panel reruns every 2 s. The tiny job can finish between two looks, so seeing it queued or running
    # (progress bar) is recorded but not required; reaching "done" is.
    card = "topic · labelled.csv · train · "
    saw_progress, deadline = False, time.time() + 120
    while not page.get_by_text(card + "done", exact=True).count():
        assert time.time() < deadline, "the job did not finish in 120 s"
        saw_progress = saw_progress or bool(page.locator('[data-testid="stProgress"]').count()
                                            or page.get_by_text(card + "running", exact=True).count())
        assert not page.get_by_text(card + "failed", exact=True).count(), page.locator(
            '[data-testid="stAlertContentError"]').all_inner_texts()
        _no_exception(page)
        page.wait_for_timeout(250)
    print(f"progress seen while the job ran: {saw_progress}")
    # A finished job has no progress bar (retried: the previous frame's bar lingers until the rerun completes).
    expect(page.locator('[data-testid="stProgress"]')).to_have_count(0)
    page.get_by_text("activated · test macro-F1").first.wait_for()

    # The panel registered the finished job's model; a fresh run of the page lists it and shows its report.
    page.reload()
    page.get_by_role("heading", name="Registered models").wait_for()
    for tab in ("Report", "Compare", "Pick by trade-off", "Manage"):
        page.get_by_role("tab", name=tab).wait_for()
    report = page.get_by_role("tabpanel").filter(has=page.locator('.js-plotly-plot'))
    report.locator('.js-plotly-plot').first.wait_for()  # the confusion matrix
    assert page.get_by_text("No trained model yet").count() == 0
    page.get_by_text("was activated: the best validation macro-F1 of 2 models trained on the same rows").wait_for()
    _no_exception(page)

    registry = _grid_rows(page, page.locator('[data-testid="stDataFrame"]').first)
    assert sorted((row["name"], row["task"]) for row in registry) == [
        ("topic · labelled.csv · TF-IDF", "topic"), ("topic · labelled.csv · embeddings", "topic")]
    tables = report.locator('[data-testid="stDataFrame"]')
    selection, comparison = _grid_rows(page, tables.nth(0)), _grid_rows(page, tables.nth(1))
    assert sorted(row["model"] for row in selection) == ["MiniLM embeddings + logistic regression",
                                                         "TF-IDF + logistic regression"]
    assert comparison[0]["model"].endswith("(this model)") and len(comparison) == 2
    assert all(0 <= float(row["macro_f1"]) <= 1 for row in comparison)
    _no_exception(page)


def test_markup_in_user_text_is_shown_as_text_in_every_chart(home, tmp_path, page):
    """A `<b>` in a channel, category or product name is drawn literally (plotly renders a subset of HTML)."""
    from tests.pages.test_pages import _import_csv

    rows = "".join(f"\"Great lamp, fast delivery {i}\",{1 + i % 5},2025-0{1 + i % 6}-1{i % 9},<b>web</b>,"
                   f"<b>Lamps</b>,<b>Lamp</b> {i % 3}\n" for i in range(30))
    _import_csv(home, "markup.csv", "review,stars,date,channel,category,product\n" + rows)
    with _serve(home, tmp_path / "streamlit.log", GAPSIGHT_AUTO_TRAIN="0") as url:
        page.goto(url)
        page.get_by_role("heading", name="Overview").wait_for()
        page.locator('.js-plotly-plot').nth(2).wait_for()
        _no_exception(page)
        overview = page.locator('.js-plotly-plot text').all_text_contents()
        assert any("<b>web</b>" in text for text in overview), overview  # channel breakdown
        assert any("<b>Lamps</b>" in text for text in overview), overview  # category breakdown

        page.get_by_role("link", name="Sentiment").click()
        page.get_by_role("heading", name="Sentiment").wait_for()
        page.locator('.js-plotly-plot').nth(1).wait_for()  # the mix, then sentiment by channel
        _no_exception(page)
        by_group = page.locator('.js-plotly-plot text').all_text_contents()
        assert any("<b>web</b>" in text for text in by_group), by_group
        page.locator('[data-testid="stButtonGroup"]').get_by_text("product", exact=True).click()
        page.get_by_text("<b>Lamp</b> 0").first.wait_for()
        assert page.locator('.js-plotly-plot b').count() == 0  # no markup was interpreted
        _no_exception(page)


def test_an_amazon_style_upload_is_mapped_safely_and_risky_mappings_are_stopped(app_url, page, tmp_path):
    """A per-product `id` is not offered as record_id; mapping it anyway is stopped before any row is imported."""
    from tests.analytics.ingest.test_mapping import datafiniti_reviews

    export = tmp_path / "amazon_reviews.csv"
    datafiniti_reviews(products=6, reviews=80).to_csv(export, index=False)
    page.goto(app_url)
    page.get_by_role("heading", name="Overview").wait_for()
    page.get_by_role("link", name="Data").click()
    page.get_by_role("heading", name="Import a file").wait_for()
    page.locator('input[type="file"]').set_input_files(str(export))
    page.get_by_text("Map columns").wait_for()
    form = page.locator('[data-testid="stForm"]').filter(has_text="Map columns")
    for field, column in (("record_id", "— none —"), ("customer_id", "reviews.username"),
                          ("category", "categories"), ("text", "reviews.text")):
        _wait_selectbox_shows(page, field, column, within=form)
    _no_exception(page)

    _selectbox(page, "record_id", within=form).click()
    page.get_by_role("option", name="id", exact=True).click()
    _wait_selectbox_shows(page, "record_id", "id", within=form)
    page.get_by_role("button", name="Import").click()
    warning = page.locator('[data-testid="stAlertContentWarning"]', has_text="would be rejected")
    warning.wait_for()
    assert "duplicate record_id" in warning.inner_text() and "Nothing was imported" in warning.inner_text()
    assert page.get_by_text("is now the active dataset").count() == 0

    page.get_by_text("Import even if many rows would be rejected", exact=True).click()
    page.get_by_role("button", name="Import").click()
    page.get_by_text("is now the active dataset").wait_for()
    rejected = page.locator('[data-testid="stMetric"]', has_text="Rows rejected").first
    assert rejected.locator('[data-testid="stMetricValue"]').inner_text() == "474"  # 480 reviews, 6 ids
    _no_exception(page)


def test_the_verbatim_download_holds_what_the_table_shows_with_its_sentiment(app_url, page):
    page.add_init_script("delete window.showSaveFilePicker;")
    page.goto(app_url)
    page.get_by_role("heading", name="Overview").wait_for()
    page.get_by_role("link", name="Sentiment").click()  # scores the demo with VADER once
    page.get_by_text("interactions scored").first.wait_for(timeout=180_000)
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("heading", name="Verbatims").wait_for()
    search = page.get_by_label("Search the texts")
    search.fill("refund")
    search.press("Enter")
    caption = page.get_by_text("matching interactions;")
    deadline, matches = time.time() + 60, 20_000
    while matches == 20_000:  # until the rerun with the search has drawn its caption
        assert time.time() < deadline, caption.inner_text()
        page.wait_for_timeout(250)
        matches = int(caption.inner_text().split()[0].replace(",", ""))
    assert 500 < matches < 20_000
    # The caption streams in before the run ends; a button clicked meanwhile still holds the last run's file.
    expect = pytest.importorskip("playwright.sync_api").expect
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)
    page.wait_for_timeout(500)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == matches  # every match, not the 500 shown, nor the whole dataset
    assert all("refund" in row["text"].lower() for row in rows)
    assert {row["sentiment"] for row in rows} <= {"negative", "neutral", "positive"}
    assert all(0 < float(row["sentiment_confidence"]) <= 1 for row in rows)
    _no_exception(page)


def test_deep_links_and_their_aliases_open_the_right_page_inside_the_frame(demo_home, tmp_path, page):
    """Guessable paths and old bookmarks lead to their page, always with the shared frame (dataset picker).

    (Topics is left out: on the demo it starts minutes of embedding in the background.)
    """
    picker = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    with _serve(demo_home, tmp_path / "streamlit.log") as url:
        # The very first request after a start: the page with its frame, not the page file run alone
        # ("There is no dataset yet" on a store holding the demo), and no "Page not found" over it.
        page.goto(f"{url}/sentiment")
        page.get_by_role("heading", name="Sentiment", exact=True).wait_for()
        picker.wait_for()
        page.wait_for_timeout(1500)  # the modal, when there is one, comes with the first run's messages
        assert page.get_by_text("Page not found").count() == 0
        assert page.get_by_text("There is no dataset yet").count() == 0
        for path, heading in (("overview", "Overview"), ("data", "Data"), ("models", "Models"),
                              ("datasets", "Data"), ("text-sentiment", "Sentiment"),
                              ("model-registry", "Models"), ("home", "Overview")):
            page.goto(f"{url}/{path}")
            page.get_by_role("heading", name=heading, exact=True).wait_for()
            picker.wait_for()
            assert page.get_by_text("Page not found").count() == 0, path
            _no_exception(page)


_OVERLAPS = """(plot) => {
  // Boxes of the legend, the x tick labels and every text of one plotly chart, and the chart's own box.
  const box = (el) => { const r = el.getBoundingClientRect(); return {l: r.left, r: r.right, t: r.top, b: r.bottom}; };
  const meet = (a, b) => a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b;
  const frame = box(plot);
  const legend = plot.querySelector('.legend');
  const ticks = [...plot.querySelectorAll('.xtick text')].map(box);
  const texts = [...plot.querySelectorAll('text')].filter((t) => t.textContent.trim()).map((t) => [t.textContent, box(t)]);
  return {
    legendOnTicks: legend ? ticks.some((t) => meet(box(legend), t)) : false,
    clipped: texts.filter(([, b]) => b.l < frame.l - 1 || b.r > frame.r + 1).map(([text]) => text),
  };
}"""


def test_charts_keep_legends_off_the_axes_and_no_text_outside_their_frame(app_url, page, tmp_path):
    """Layout checked in the browser itself (screenshots saved beside the test): Overview and Sentiment on the demo."""
    page.goto(app_url)
    page.get_by_role("heading", name="Overview").wait_for()
    for name, charts in (("Overview", 4), ("Sentiment", 2)):
        if name != "Overview":
            page.get_by_role("link", name=name).click()
            page.get_by_role("heading", name=name, exact=True).wait_for()
        page.locator('.js-plotly-plot').nth(charts - 1).wait_for(timeout=180_000)
        page.wait_for_timeout(1500)  # plotly lays out legends and labels after the first paint
        page.screenshot(path=str(tmp_path / f"layout-{name.lower()}.png"), full_page=True)
        plots = page.locator('.js-plotly-plot')
        for i in range(plots.count()):
            found = plots.nth(i).evaluate(_OVERLAPS)
            title = plots.nth(i).locator('.gtitle').first.text_content() if plots.nth(i).locator('.gtitle').count() else i
            assert not found["legendOnTicks"], f"{name}: the legend covers the x axis of '{title}'"
            assert found["clipped"] == [], f"{name}: '{title}' has text outside its frame: {found['clipped']}"
        _no_exception(page)


def test_topic_charts_keep_their_labels_inside(demo_home, tmp_path, page):
    """Topics & intents on the demo (its embeddings seeded with stand-in vectors): bubbles, trends and discovered topics."""
    from tests.pages.test_pages import seed_stand_in_embeddings

    seed_stand_in_embeddings(demo_home)
    with _serve(demo_home, tmp_path / "streamlit.log") as url:
        page.goto(f"{url}/topics")
        page.get_by_role("heading", name="Topics & intents").wait_for()
        for tab in ("Intents", "Topics & dimensions", "Discover"):
            page.get_by_role("tab", name=tab).click()
            panel = page.get_by_role("tabpanel", name=tab)
            panel.locator('.js-plotly-plot').first.wait_for(timeout=180_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(tmp_path / f"topics-{tab.split()[0].lower()}.png"), full_page=True)
            plots = panel.locator('.js-plotly-plot')
            for i in range(plots.count()):
                found = plots.nth(i).evaluate(_OVERLAPS)
                assert not found["legendOnTicks"], f"{tab}: a legend covers the x axis"
                assert found["clipped"] == [], f"{tab}: text outside its chart: {found['clipped']}"
            _no_exception(page)


def _pick(page, box, option, tries: int = 4) -> None:
    """Open a select box and click ``option``; a rerun that redraws the box closes its list, so open it again."""
    for _ in range(tries):
        _settle(page)
        box.get_by_role("combobox").click()
        try:
            option.wait_for(timeout=5_000)
        except Exception:  # noqa: BLE001 (Playwright's TimeoutError: the list closed under a rerun)
            page.keyboard.press("Escape")
            continue
        option.click()
        return
    raise AssertionError(f"the option never showed after {tries} tries")


def _settle(page) -> None:
    """Wait until the app is not running a script (its status widget is gone)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached", timeout=120_000)


def test_a_saved_segment_filters_the_overview(app_url, page):
    """Run a segmentation, read the profiles, save it, pick one segment in the sidebar: the Overview changes."""
    page.goto(f"{app_url}/segments")
    page.get_by_role("heading", name="Segments", exact=True).wait_for()
    _selectbox(page, "Number of segments").get_by_role("combobox").click()
    page.get_by_role("option", name="4", exact=True).click()
    page.get_by_role("button", name="Run segmentation").click()
    page.get_by_text("Segment profiles").first.wait_for(timeout=120_000)
    page.get_by_text("Features are robust-scaled").first.wait_for()
    _no_exception(page)
    page.get_by_role("tab", name="Save & export").click()
    page.get_by_role("textbox", name="Save as").fill("Browser segments")
    page.get_by_role("button", name="Save segmentation").click()
    page.get_by_text("Saved 'Browser segments' (3,000 customers)").wait_for()

    page.get_by_role("link", name="Overview").click()
    page.get_by_role("heading", name="Overview").wait_for()
    page.locator('[data-testid="stMetric"]', has_text="Interactions").first.wait_for()
    everyone = _metric_value(page, "Interactions")
    sidebar = page.locator('[data-testid="stSidebar"]')
    _pick(page, _selectbox(page, "Segmentation", within=sidebar), page.get_by_role("option", name="Browser segments"))
    segment = sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text="Segment").last
    _pick(page, segment, page.get_by_role("option").filter(has_text="low ratings").first)
    page.keyboard.press("Escape")
    page.get_by_text("segment (Browser segments): ").first.wait_for()
    page.wait_for_function(
        """(before) => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
             .find((e) => e.innerText.includes('Interactions'));
           return m && !m.innerText.includes(before); }""", arg=everyone, timeout=60_000)
    assert _metric_value(page, "Interactions") != everyone
    _no_exception(page)


def test_the_surge_alert_on_the_overview_opens_its_evidence(demo_home, tmp_path, page):
    """A stored monthly scan of the demo's mean rating: the Overview lists the March 2025 surge; a click shows why."""
    from analytics.insights.alerts import scan
    from analytics.store.alerts import save_alerts
    from analytics.store.database import Store

    store = Store.open_default()
    info = store.list_datasets()[0]
    result = scan(store.load_rows(info.id), None, ["mean_rating"], freq="M")
    save_alerts(store, info.id, info.version, result.alerts, result.params | {"freq": "M"})
    store.close()
    with _serve(demo_home, tmp_path / "streamlit.log") as url:
        page.goto(url)
        page.get_by_role("heading", name="Alerts").wait_for()
        page.locator("button", has_text="Mar 2025").first.click()
        page.wait_for_url("**/forecast")
        page.get_by_text("The interactions behind the alert").wait_for()
        page.get_by_text("period from 2025-03-01").wait_for()
        _no_exception(page)


def test_the_largest_gap_on_the_overview_opens_its_verbatims(app_url, page):
    """The Overview lists the demo's largest gaps (planted products); a click opens the Gap page on that product."""
    page.add_init_script("delete window.showSaveFilePicker;")  # the grid's CSV export then downloads plainly
    page.goto(app_url)
    page.get_by_role("heading", name="Largest gaps").wait_for()
    first = page.locator("button", has_text="(product)").first
    first.wait_for(timeout=120_000)
    product = first.inner_text().split(" (product)")[0].split("\n")[-1].strip()  # after the icon's name
    assert product in {"Zephyr Air Fryer", "Brook Cold Brew Maker", "Nimbus Memory Foam Pillow",
                       "Drift Inflatable Kayak"}
    first.click()
    page.wait_for_url("**/gap")
    page.get_by_role("heading", name="Expectation gap").wait_for()
    page.get_by_text(f"The interactions behind '{product}', most negative gap first").wait_for(timeout=120_000)
    grid = page.locator('[data-testid="stDataFrame"]').nth(1)
    grid.wait_for()
    evidence = _grid_rows(page, grid)
    assert len(evidence) == 50 and {row["product"] for row in evidence} == {product}
    assert all(float(row["gap"]) <= float(evidence[-1]["gap"]) for row in evidence)  # most negative first
    _no_exception(page)


def test_the_first_action_on_the_overview_leads_to_its_evidence(scored_demo_home, tmp_path, page):
    """What to do first on the Overview → the action on the Recommendations page → its evidence on the Gap page."""
    with _serve(scored_demo_home, tmp_path / "streamlit.log") as url:
        page.goto(url)
        page.get_by_role("heading", name="What to do first").wait_for()
        first = page.locator("button", has_text="#1 ").first
        first.wait_for(timeout=120_000)
        dimension = first.inner_text().split("#1 ", 1)[1].split(" · ")[0].strip()
        first.click()
        page.wait_for_url("**/recommendations")
        page.get_by_text("score = volume share × negativity × gap part × trend").wait_for(timeout=120_000)
        page.get_by_role("button", name="Open the evidence on the Gap page").first.click()
        page.wait_for_url("**/gap")
        page.get_by_text(f"The interactions behind '{dimension}', most negative gap first").wait_for(timeout=120_000)
        _no_exception(page)


def test_the_overview_downloads_a_self_contained_html_report(app_url, page, tmp_path):
    """The Overview's report: one file with the KPIs, the trend chart and the largest gaps, drawn offline."""
    page.goto(app_url)
    page.get_by_role("heading", name="Largest gaps").wait_for()
    page.locator("button", has_text="(product)").first.wait_for(timeout=120_000)
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Download this view as an HTML report").click()
    path = tmp_path / "report.html"
    path.write_bytes(Path(download.value.path()).read_bytes())
    html = path.read_text(encoding="utf-8")
    assert html.count("Expectation gap") >= 1 and "Largest gaps" in html and "Brook Cold Brew Maker" in html
    asked = []
    page.route("**/*", lambda route: (asked.append(route.request.url), route.continue_() if
                                      route.request.url.startswith("file:") else route.abort()))
    page.goto(path.as_uri())
    page.locator(".plotly-graph-div svg.main-svg").first.wait_for(timeout=30_000)
    assert all(url.startswith("file:") for url in asked)


def test_the_recommendations_page_downloads_its_report_with_the_actions(scored_demo_home, tmp_path, page):
    """The Recommendations page's report: KPIs and trend it does not draw itself, the ranked actions and their formula."""
    with _serve(scored_demo_home, tmp_path / "streamlit.log") as url:
        page.goto(f"{url}/recommendations")
        page.get_by_text("score = volume share × negativity × gap part × trend").wait_for(timeout=120_000)
        with page.expect_download(timeout=120_000) as download:
            page.get_by_role("button", name="Download this view as an HTML report").click()
        html = Path(download.value.path()).read_text(encoding="utf-8")
        _no_exception(page)
    for part in ("What to do first", "score = volume share × negativity × gap part × trend", "Mean rating",
                 "Satisfaction trend", "Largest gaps", "delivery"):
        assert part in html, part
    assert html.count("plotly.js v") == 1  # the library once, inline


def test_tables_offer_no_export_of_their_own(demo_home, tmp_path, page):
    """With the shipped config, no table has Streamlit's "Download as CSV" (it would keep "=1+1" live); the app's
    own download buttons, which neutralise formulas, stay."""
    with _serve(demo_home, tmp_path / "streamlit.log", grid_export=False) as url:
        page.goto(f"{url}/datasets")
        page.get_by_role("heading", name="Datasets").wait_for()
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.wait_for()
        grid.hover()
        page.wait_for_timeout(500)
        assert page.locator('button[aria-label="Download as CSV"]').count() == 0
        _no_exception(page)
