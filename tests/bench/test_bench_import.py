"""Benchmark: import a generated 1,000,000-row (~300 MB) CSV; wall time and peak memory vs pandas.read_csv.

Run with ``make bench`` (or ``pytest tests/bench/test_bench_import.py -s``). Each contender runs in its own
process so its peak resident memory is its own. Figures go to ``tests/bench/out/import.json``; copy them
into ``tests/bench/RESULTS.md``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "out"
N_ROWS = int(os.environ.get("GAPSIGHT_BENCH_ROWS", "1000000"))

WORDS = ("delivery late arrived quickly parcel courier price expensive cheap value quality broke sturdy "
         "support agent helpful rude refund return app crashed login easy great terrible love hate "
         "expected promised advertised should have been really not very quite the a and but it was "
         "my order box item again never always service team reply waited days week").split()

CONTENDERS = {
    "pandas.read_csv": (
        "import pandas as pd, sys; frame = pd.read_csv(sys.argv[1]); print(len(frame))"
    ),
    "gapsight import_file": (
        "import sys; from pathlib import Path\n"
        "from analytics.store.database import Store\n"
        "from analytics.ingest.readers import profile_file\n"
        "from analytics.ingest.mapping import suggest_mapping\n"
        "from analytics.ingest.pipeline import import_file\n"
        "store = Store(Path(sys.argv[2]) / 'bench.duckdb')\n"
        "profile = profile_file(Path(sys.argv[1]))\n"
        "mapping = suggest_mapping(profile.preview, column_types=profile.column_types).mapping\n"
        "report = import_file(store, profile, mapping)\n"
        "print(report.rows_imported, report.rows_rejected)\n"
    ),
}


def write_csv(path: Path, n_rows: int, *, seed: int = 0) -> None:
    """A realistic review export: ids, ISO times, customers, channels, products, 1–5 ratings, free text."""
    rng = np.random.default_rng(seed)
    words = np.array(WORDS)
    channels = np.array(["review", "email", "chat", "phone", "survey"])
    start = np.datetime64("2023-01-01T00:00:00")
    block = 100_000
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("review_id,created_at,customer_id,channel,product,category,stars,amount,review_text\n")
        for offset in range(0, n_rows, block):
            n = min(block, n_rows - offset)
            times = (start + rng.integers(0, 3 * 365 * 86400, n).astype("timedelta64[s]")).astype(str)
            lengths = rng.integers(12, 60, n)
            picks = rng.integers(0, len(words), lengths.sum())
            texts = np.split(words[picks], np.cumsum(lengths)[:-1])
            lines = [
                f"R{offset + i},{times[i].replace('T', ' ')},C{rng_c},{channels[rng_ch]},P{rng_p},Cat{rng_p % 12},"
                f"{rating},{amount:.2f},\"{' '.join(text)}, \"\"quoted\"\" bit.\"\n"
                for i, (rng_c, rng_ch, rng_p, rating, amount, text) in enumerate(zip(
                    rng.integers(0, 50_000, n), rng.integers(0, 5, n), rng.integers(0, 400, n),
                    rng.integers(1, 6, n), rng.gamma(2.0, 40.0, n), texts))
            ]
            handle.writelines(lines)


PEAK = "\nimport resource; print('PEAK_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"


def run_contender(name: str, csv: Path, workdir: Path) -> dict:
    """Run one contender in a fresh process; wall seconds (start-up included) and its own peak RSS in MB."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", CONTENDERS[name] + PEAK, str(csv), str(workdir)], cwd=PROJECT,
                            capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    output, peak = result.stdout.strip().rsplit("PEAK_KB", 1)
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(int(peak) / 1024), "output": output.strip()}


def test_import_one_million_rows(tmp_path):
    csv = tmp_path / "reviews_1m.csv"
    write_csv(csv, N_ROWS)
    size_mb = csv.stat().st_size / 1e6
    results = {name: run_contender(name, csv, tmp_path) for name in CONTENDERS}
    OUT.mkdir(exist_ok=True)
    summary = {"rows": N_ROWS, "size_mb": round(size_mb), "cores": os.cpu_count(), "results": results}
    (OUT / "import.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    gapsight = results["gapsight import_file"]
    assert gapsight["output"].split()[0] == str(N_ROWS)
