"""Load test (issue 14 item 5): N headless Chromium sessions each import a different CSV into ONE server.

Each session uploads its own generated review CSV on the Data page, imports it, then opens Overview and
Sentiment; the script times those steps per session (p50/p95), samples the server's resident memory
(children included) every second, opens a second app process on the same GAPSIGHT_HOME and expects its
"in use" message, and at the end reads the store: every dataset once, with exactly its file's row count.

    .venv/bin/python -m tests.load.load_test --sessions 20 --rows 2000 --out tests/bench/out/load.json

Not collected by pytest (see conftest.py). Sessions share one Chromium, each in its own context (its own
cookies and websocket, so its own Streamlit session): 20 whole browsers would mostly load the client.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

from tests.serving import serve_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STEPS = ("first_load", "import", "overview", "sentiment")
EXCEPTION = '[data-testid="stException"]'
IN_USE = "in use by another Gapsight process"
WORDS = ("delivery late arrived quickly parcel courier price expensive cheap value quality broke sturdy support "
         "agent helpful rude refund return app crashed login easy great terrible love hate never always").split()
PRODUCTS = ("kettle", "toaster", "blender", "mixer", "grill", "fridge")
CHANNELS = ("email", "chat", "phone", "web")


def write_reviews_csv(path: Path, n_rows: int, *, seed: int) -> Path:
    """A review CSV (date, rating 1–5, text, product, channel) of exactly ``n_rows`` distinct rows.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     sum(1 for _ in open(write_reviews_csv(Path(folder) / "r.csv", 7, seed=1))) - 1
    7
    """
    rng = random.Random(seed)
    start = date.today() - timedelta(days=364)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "rating", "text", "product", "channel"])
        for i in range(n_rows):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 14)))
            writer.writerow([(start + timedelta(days=rng.randrange(365))).isoformat(), rng.randint(1, 5),
                             f"Order {seed}-{i}: {words}.", rng.choice(PRODUCTS), rng.choice(CHANNELS)])
    return path


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc (0 once it has gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


class RssSampler(threading.Thread):
    """Samples :func:`tree_rss` of ``pid`` every ``interval`` seconds until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float = 1.0):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, int]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        start = time.perf_counter()
        while not self._stop_event.is_set():
            self.samples.append((round(time.perf_counter() - start, 1), tree_rss(self.pid)))
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        """Stop sampling; the peak in bytes."""
        self._stop_event.set()
        self.join()
        return max((rss for _, rss in self.samples), default=0)


@dataclass
class SessionResult:
    """One browser session: its file, its step times in seconds, what it saw."""

    index: int
    name: str
    rows: int
    times: dict[str, float] = field(default_factory=dict)
    rows_imported_shown: str = ""
    exception_boxes: int = 0
    errors_shown: list[str] = field(default_factory=list)
    failure: str = ""


async def _look(page, result: SessionResult) -> None:
    """Count exception boxes and st.error texts on the page as it stands."""
    result.exception_boxes += await page.locator(EXCEPTION).count()
    result.errors_shown += await page.locator('[data-testid="stAlertContentError"]').all_inner_texts()


async def run_session(browser, url: str, csv_path: Path, result: SessionResult, *, timeout_s: float,
                      shots: Path) -> SessionResult:
    """Upload → import → Overview → Sentiment in a fresh browser context, timing each step."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(timeout_s * 1000)
    step = "first_load"
    try:
        started = time.perf_counter()
        await page.goto(url)
        await page.get_by_text("There is no dataset yet").first.wait_for()
        result.times[step] = time.perf_counter() - started
        await _look(page, result)

        step = "import"
        await page.get_by_role("link", name="Data", exact=True).click()
        await page.get_by_role("heading", name="Import a file").wait_for()
        started = time.perf_counter()
        await page.locator('input[type="file"]').set_input_files(str(csv_path))
        await page.get_by_text("Map columns").wait_for()
        await page.get_by_role("button", name="Import", exact=True).click()
        await page.get_by_text(f"'{result.name}' is now the active dataset").wait_for()
        result.times[step] = time.perf_counter() - started
        result.rows_imported_shown = await page.locator('[data-testid="stMetric"]', has_text="Rows imported").first \
            .locator('[data-testid="stMetricValue"]').inner_text()
        await _look(page, result)

        step = "overview"  # its KPIs, counted on this session's own dataset, and its first chart
        started = time.perf_counter()
        await page.get_by_role("link", name="Overview", exact=True).click()
        await page.get_by_role("heading", name="Overview").wait_for()
        await page.get_by_text(f"{result.name} · ").first.wait_for()
        await page.get_by_text(f"{result.rows:,} interactions").first.wait_for()
        await page.locator('[data-testid="stMetric"]', has_text="Interactions").first.wait_for()
        await page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
        result.times[step] = time.perf_counter() - started
        await _look(page, result)

        step = "sentiment"  # includes VADER scoring this dataset (once) and the mix chart
        started = time.perf_counter()
        await page.get_by_role("link", name="Sentiment", exact=True).click()
        await page.get_by_role("heading", name="Sentiment").wait_for()
        await page.locator('[data-testid="stMetric"]', has_text="% negative text").first.wait_for()
        await page.locator('[data-testid="stPlotlyChart"]').first.wait_for()
        result.times[step] = time.perf_counter() - started
        await _look(page, result)
    except Exception as error:  # noqa: BLE001  (recorded and reported: one session's failure is a finding)
        result.failure = f"{step}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        with contextlib.suppress(Exception):
            await _look(page, result)
            await page.screenshot(path=str(shots / f"session-{result.index:02d}.png"), full_page=True)
    finally:
        await context.close()
    return result


async def check_second_process(browser, home: Path, log_path: Path, *, timeout_s: float) -> dict:
    """A second server on the same home: its page must say the store is in use, with no exception box."""
    with serve_app(home, log_path, GAPSIGHT_AUTO_TRAIN="0") as (url, _):
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
        page = await context.new_page()
        page.set_default_timeout(timeout_s * 1000)
        started = time.perf_counter()
        try:
            await page.goto(url)
            await page.get_by_text(IN_USE).first.wait_for()
            errors = await page.locator('[data-testid="stAlertContentError"]').all_inner_texts()
            return {"seconds": round(time.perf_counter() - started, 2), "errors_shown": errors,
                    "exception_boxes": await page.locator(EXCEPTION).count(), "failure": ""}
        except Exception as error:  # noqa: BLE001
            return {"seconds": None, "errors_shown": [], "exception_boxes": await page.locator(EXCEPTION).count(),
                    "failure": f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"}
        finally:
            await context.close()


def verify_store(home: Path, expected: dict[str, int]) -> dict:
    """Each expected dataset stored once with exactly its rows; nothing else stored."""
    from analytics.store.database import DB_FILENAME, Store

    store = Store(home / DB_FILENAME)
    try:
        infos = store.list_datasets()
        found = {}
        for info in infos:
            found.setdefault(info.name, []).append(
                {"n_rows": info.n_rows, "n_rejected": info.n_rejected, "rows_stored": len(store.load_rows(info.id))})
    finally:
        store.close()
    problems = []
    for name, rows in expected.items():
        copies = found.get(name, [])
        if len(copies) != 1:
            problems.append(f"{name}: stored {len(copies)} times")
        for copy in copies:
            if copy["rows_stored"] != rows or copy["n_rows"] != rows or copy["n_rejected"]:
                problems.append(f"{name}: {copy} for {rows} rows in the file")
    problems += [f"{name}: not imported by any session" for name in found if name not in expected]
    stored = sum(c["rows_stored"] for name in expected for c in found.get(name, [])[:1])
    return {"datasets": len(infos), "rows_expected": sum(expected.values()), "rows_stored": stored,
            "rows_lost": sum(max(0, rows - sum(c["rows_stored"] for c in found.get(name, [])))
                             for name, rows in expected.items()),
            "rows_duplicated": sum(max(0, sum(c["rows_stored"] for c in found.get(name, [])) - rows)
                                   for name, rows in expected.items()),
            "problems": problems}


def percentiles(values: list[float]) -> dict:
    """p50 and p95 (nearest-rank on the sorted values), min and max, in seconds."""
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(0.95 * len(ordered) + 0.5) - 1))
    return {"n": len(ordered), "p50": round(statistics.median(ordered), 2), "p95": round(ordered[rank], 2),
            "min": round(ordered[0], 2), "max": round(ordered[-1], 2)}


async def run_load(args, work: Path) -> dict:
    """The whole load test in ``work``: files, server, sessions, second process, store check."""
    from playwright.async_api import async_playwright

    from analytics.store.database import DB_FILENAME, Store

    home, shots = work / "home", work / "screenshots"
    shots.mkdir(parents=True)
    # An analyst's store that already passed its first start: no demo import, only the sessions' files.
    store = Store(home / DB_FILENAME)
    store.set_setting("demo_seeded", "yes")
    store.close()
    files = {}
    for index in range(args.sessions):
        name = f"load_{index:02d}.csv"
        rows = args.rows + 7 * index  # every file its own, known row count
        files[name] = (write_reviews_csv(work / name, rows, seed=index), rows)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        with serve_app(home, work / "server.log", GAPSIGHT_AUTO_TRAIN="0") as (url, server):
            sampler = RssSampler(server.pid)
            sampler.start()
            idle_rss = tree_rss(server.pid)
            started = time.perf_counter()
            results = await asyncio.gather(*(
                run_session(browser, url, path, SessionResult(index, name, rows), timeout_s=args.timeout, shots=shots)
                for index, (name, (path, rows)) in enumerate(files.items())))
            wall = time.perf_counter() - started
            second = await check_second_process(browser, home, work / "second.log", timeout_s=120)
            peak = sampler.stop()
        await browser.close()
    store_check = verify_store(home, {name: rows for name, (_, rows) in files.items()})
    return {
        "date": date.today().isoformat(), "sessions": args.sessions, "rows_per_file": f"{args.rows}–{args.rows + 7 * (args.sessions - 1)}",
        "machine": f"{os.cpu_count()}-core CPU, no GPU", "wall_seconds": round(wall, 1),
        "steps": {step: percentiles([r.times[step] for r in results if step in r.times]) for step in STEPS},
        "server_rss_mb": {"idle": round(idle_rss / 2**20), "peak": round(peak / 2**20)},
        "exception_boxes": sum(r.exception_boxes for r in results),
        "failed_sessions": [f"{r.name}: {r.failure}" for r in results if r.failure],
        "errors_shown": sorted({e for r in results for e in r.errors_shown}),
        "rows_imported_mismatch": [r.name for r in results if r.rows_imported_shown.replace(",", "") != str(r.rows)
                                   and not r.failure],
        "second_process": second, "store": store_check,
        "sessions_detail": [asdict(r) for r in results],
        "rss_samples": sampler.samples, "work": str(work),
    }


def problems_of(figures: dict) -> list[str]:
    """What the load test counts as a failure."""
    second = figures["second_process"]
    return (figures["failed_sessions"] + figures["store"]["problems"]
            + [f"{figures['exception_boxes']} exception boxes"] * bool(figures["exception_boxes"])
            + [f"Rows imported shown wrong: {figures['rows_imported_mismatch']}"] * bool(figures["rows_imported_mismatch"])
            + [f"second process: {second['failure'] or second}"] * bool(
                second["failure"] or second["exception_boxes"] or not any(IN_USE in e for e in second["errors_shown"])))


def summary(figures: dict) -> str:
    """A short table of the figures."""
    lines = [f"{figures['sessions']} sessions · {figures['rows_per_file']} rows per file · wall {figures['wall_seconds']} s",
             f"{'step':<11} {'n':>3} {'p50 s':>7} {'p95 s':>7} {'max s':>7}"]
    for step, value in figures["steps"].items():
        lines.append(f"{step:<11} {value['n']:>3} {value.get('p50', '–'):>7} {value.get('p95', '–'):>7} "
                     f"{value.get('max', '–'):>7}")
    store, second = figures["store"], figures["second_process"]
    lines += [f"server RSS: idle {figures['server_rss_mb']['idle']} MB, peak {figures['server_rss_mb']['peak']} MB",
              f"store: {store['datasets']} datasets, {store['rows_stored']:,}/{store['rows_expected']:,} rows, "
              f"lost {store['rows_lost']}, duplicated {store['rows_duplicated']}",
              f"exception boxes: {figures['exception_boxes']}; failed sessions: {len(figures['failed_sessions'])}",
              f"second process: {'in-use message' if any(IN_USE in e for e in second['errors_shown']) else 'NO message'}"
              f", {second['exception_boxes']} exception boxes ({second['seconds']} s)"]
    problems = problems_of(figures)
    lines.append("PASS" if not problems else "FAIL:\n  " + "\n  ".join(problems))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rows", type=int, default=2000, help="rows of the first file; file i has rows + 7·i")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--timeout", type=float, default=900, help="seconds any one wait may take")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (home, logs, screenshots)")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        parser.error(f"{CHROMIUM} is missing (apt-get install chromium)")
    work = Path(tempfile.mkdtemp(prefix="gapsight-load-"))
    figures = asyncio.run(run_load(args, work))
    print(summary(figures))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(figures, indent=1, default=str))
    if not args.keep and not problems_of(figures):
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"work folder kept: {work}")
    return 1 if problems_of(figures) else 0


if __name__ == "__main__":
    sys.exit(main())
