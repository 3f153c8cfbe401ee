"""`make fuzz`: the long fuzz run; prints and writes the counts (files, imports, clean rejections, failures).

    python -m tests.fuzz.run --files 10000 --seed 1 [--out counts.json]
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

from analytics.store.database import Store
from tests.fuzz.corpus import fuzz_file
from tests.fuzz.harness import run_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rng, counts, by_mutation, failures = random.Random(args.seed), Counter(), Counter(), []
    started, slowest, peak = time.perf_counter(), 0.0, 0.0
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "fuzz.duckdb")
        for i in range(args.files):
            data, name, mutation = fuzz_file(rng)
            outcome = run_file(store, data, name, Path(folder) / "uploads")
            counts[outcome.kind] += 1
            by_mutation[(mutation, outcome.kind)] += 1
            slowest, peak = max(slowest, outcome.seconds), max(peak, outcome.peak_mb)
            if outcome.kind == "failed":
                failures.append({"file": i, "mutation": mutation, "name": name[:40], "detail": outcome.detail[:2000]})
                print(f"FAILED #{i} {mutation}: {outcome.detail[:300]}", flush=True)
            if (i + 1) % 500 == 0:
                print(f"{i + 1:,} files: {dict(counts)}", flush=True)
        store.close()
    summary = {"files": args.files, "seed": args.seed, **{k: counts[k] for k in ("imported", "rejected", "failed")},
               "seconds": round(time.perf_counter() - started), "slowest_file_s": round(slowest, 2),
               "largest_memory_growth_mb": round(peak), "failures": failures,
               "by_mutation": {f"{m}/{k}": n for (m, k), n in sorted(by_mutation.items())}}
    print(json.dumps({k: v for k, v in summary.items() if k not in ("failures", "by_mutation")}))
    if args.out:
        args.out.write_text(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
