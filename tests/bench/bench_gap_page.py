"""How long the Expectation gap page takes on the 20,000-row demo: its core work, first visit and reruns.

    GAPSIGHT_HOME=/tmp/bench-gap python -m tests.bench.bench_gap_page

1. Core work, timed directly (no Streamlit): everything the page computes on a first visit from the stored
   rows and sentences (sources, per-row expectations, dimension mentions, gap table / heatmap / trend /
   evidence, importance–performance, Kano, impact, cues) and the figures drawn from them; median of 3.
2. The one-off per dataset version: splitting the texts into sentences and scoring each with VADER.
3. The page through AppTest (app frame included): first visit, then five reruns with nothing changed.
Imports the demo into that home when it is empty. Not collected by pytest.
"""
from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("GAPSIGHT_AUTO_TRAIN", "0")

from streamlit.testing.v1 import AppTest  # noqa: E402

from analytics.demo.sample import seed_demo_once  # noqa: E402
from analytics.figures import gap as figures  # noqa: E402
from analytics.insights.cues import cue_summary, find_cues  # noqa: E402
from analytics.insights.dimensions import dimension_mentions  # noqa: E402
from analytics.insights.gap import (  # noqa: E402
    expectation_sources,
    gap_evidence,
    gap_heatmap,
    gap_table,
    gap_trend,
    paired_scores,
)
from analytics.insights.impact import topic_impact  # noqa: E402
from analytics.insights.importance import importance_performance  # noqa: E402
from analytics.insights.kano import kano_from_text  # noqa: E402
from analytics.insights.sentences import split_sentences  # noqa: E402
from analytics.store.database import Store  # noqa: E402
from models.flows.sentence_scoring import ensure_sentence_scores  # noqa: E402
from pages.common import keys  # noqa: E402

APP = os.path.join(os.path.dirname(__file__), "..", "..", "app.py")


def core_work(rows, sentences) -> dict[str, float]:
    """Seconds per step of a first visit's analyses and figures (what the page's caches hold afterwards)."""
    times: dict[str, float] = {}

    def step(name, call):
        started = time.perf_counter()
        result = call()
        times[name] = time.perf_counter() - started
        return result

    step("sources", lambda: expectation_sources(rows))
    scores = step("expectations (stated)", lambda: paired_scores(rows, "explicit"))
    mentions = step("dimension mentions", lambda: dimension_mentions(sentences))
    table = step("gap table by dimension", lambda: gap_table(rows, scores, by="dimension", mentions=mentions))
    cells = step("heatmap dimension × category", lambda: gap_heatmap(rows, scores, rows_by="dimension",
                                                                     columns_by="category", mentions=mentions))
    trend = step("gap trend (months)", lambda: gap_trend(rows, scores))
    step("evidence", lambda: gap_evidence(rows, scores, by="dimension", group=table["group"][0], mentions=mentions))
    matrix = step("importance–performance", lambda: importance_performance(rows, mentions))
    kano = step("Kano from text", lambda: kano_from_text(rows, mentions))
    impact = step("impact", lambda: topic_impact(rows, mentions))
    found = step("cues", lambda: find_cues(sentences))
    summary = step("cue summary by product", lambda: cue_summary(found, rows, by="product"))
    step("figures (8)", lambda: (figures.gap_bars_figure(table, span=4, low=1), figures.gap_heatmap_figure(cells),
                                 figures.gap_trend_figure(trend), figures.importance_performance_figure(matrix),
                                 figures.kano_figure(kano), figures.impact_figure(impact),
                                 figures.cue_figure(summary), figures.gap_bars_figure(table)))
    return times


def main() -> None:
    store = Store.open_default()
    seed_demo_once(store)
    info = store.list_datasets()[0]
    rows = store.load_rows(info.id)
    started = time.perf_counter()
    split = split_sentences(rows[["record_id", "text"]])
    split_seconds = time.perf_counter() - started
    from analytics.store.sentences import delete_sentences
    delete_sentences(store, info.id)
    started = time.perf_counter()
    sentences = ensure_sentence_scores(store, info, rows)
    once = time.perf_counter() - started
    print(f"Once per dataset version: {len(split):,} sentences split in {split_seconds:.2f} s; split + VADER + "
          f"store {once:.1f} s")
    runs = [core_work(rows, sentences) for _ in range(3)]
    for name in runs[0]:
        print(f"  {name}: {statistics.median(r[name] for r in runs) * 1000:.0f} ms")
    print(f"Core work of a first visit (sentences stored): median {statistics.median(sum(r.values()) for r in runs):.2f} s")
    store.close()

    at = AppTest.from_file(APP, default_timeout=600)
    at.run()
    started = time.perf_counter()
    at.switch_page(keys.GAP_PAGE).run()
    first = time.perf_counter() - started
    assert not at.exception, at.exception
    times = []
    for _ in range(5):
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
    print(f"Expectation gap page (AppTest, frame included): first visit {first:.1f} s, rerun with nothing changed "
          f"median {statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})")


if __name__ == "__main__":
    main()
