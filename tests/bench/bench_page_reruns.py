"""How long the Segments and Associations pages take to rerun with nothing changed (results cached).

    GAPSIGHT_HOME=/tmp/bench-home python -m tests.bench.bench_page_reruns

Imports the demo into that home when it is empty, runs each page once through AppTest (K-means with k = 4,
FP-growth at 1 %), then times five reruns of the whole script (app frame included) and prints the median.
Not collected by pytest.
"""
from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("GAPSIGHT_AUTO_TRAIN", "0")

from streamlit.testing.v1 import AppTest  # noqa: E402

from pages.common import keys  # noqa: E402

APP = os.path.join(os.path.dirname(__file__), "..", "..", "app.py")


def _timed(at: AppTest, label: str, first: float) -> None:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
    assert not at.exception, at.exception
    print(f"{label}: first run {first:.1f} s, rerun with nothing changed median {statistics.median(times) * 1000:.0f} ms "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})")


def main() -> None:
    at = AppTest.from_file(APP, default_timeout=600)
    at.run()
    at.switch_page(keys.SEGMENTS_PAGE).run()
    next(s for s in at.selectbox if s.label == "Number of segments").set_value(4)
    started = time.perf_counter()
    next(b for b in at.button if b.label == "Run segmentation").click().run()
    _timed(at, "Segments (demo, 3,000 customers, k = 4)", time.perf_counter() - started)
    at.switch_page(keys.ASSOCIATIONS_PAGE).run()
    started = time.perf_counter()
    next(b for b in at.button if b.label == "Mine rules").click().run()
    _timed(at, "Associations (demo, 17,513 orders, FP-growth 1 %)", time.perf_counter() - started)


if __name__ == "__main__":
    main()
