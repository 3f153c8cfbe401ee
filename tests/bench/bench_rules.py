"""Benchmark: association rules on UCI Online Retail, FP-growth end to end against mlxtend's Apriori.

    python -m tests.bench.bench_rules [--data ../shared/data/online-retail/online_retail.parquet] [--repeat 3]

End to end = read the order lines, build the order baskets (cancellations and quantities ≤ 0 set aside),
size the search, encode and mine with FP-growth at 1 % and derive the rules (:func:`mine_rules`); the target
is ≤ 5 s. In the same run, mlxtend's ``apriori`` mines the same baskets from a dense one-hot frame (all
items), with ``low_memory=True``: its default path holds baskets × candidate pairs booleans at once
(20,728 × 303,810 × 2 ≈ 12.6 GB here). Not collected by pytest; figures go to tests/bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import pandas as pd
from mlxtend.frequent_patterns import apriori

from analytics.insights.baskets import build_baskets
from analytics.insights.rules import mine_rules

PROJECT = Path(__file__).resolve().parents[2]
DATA = PROJECT.parent / "shared" / "data" / "online-retail" / "online_retail.parquet"
MIN_SUPPORT = 0.01


def end_to_end(path: Path) -> dict:
    """Seconds of each stage of one FP-growth run, from the parquet file to the rules table."""
    started = time.perf_counter()
    source = pd.read_parquet(path, columns=["InvoiceNo", "Description", "Quantity"])
    read = time.perf_counter()
    baskets = build_baskets(source.rename(columns={"InvoiceNo": "order_id", "Description": "item"}),
                            quantity=source["Quantity"])
    built = time.perf_counter()
    result = mine_rules(baskets, min_support=MIN_SUPPORT, time_limit=120)
    done = time.perf_counter()
    return {"read": read - started, "baskets": built - read, "mine": result.seconds,
            "guards_and_encoding": done - built - result.seconds, "total": done - started,
            "result": result, "baskets_obj": baskets}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs = [end_to_end(args.data) for _ in range(args.repeat)]
    best = min(runs, key=lambda r: r["total"])
    baskets, result = best["baskets_obj"], best["result"]
    report = baskets.report
    print(f"{report.n_baskets:,} orders × {report.n_items:,} items ({report.n_cancelled:,} cancelled and "
          f"{report.n_non_positive:,} quantity ≤ 0 lines set aside); {len(result.itemsets):,} itemsets, "
          f"{len(result.rules):,} rules at min support {MIN_SUPPORT:.0%} on {os.cpu_count()} cores")
    for stage in ("read", "baskets", "guards_and_encoding", "mine", "total"):
        values = [r[stage] for r in runs]
        print(f"  FP-growth {stage:>20}: median {statistics.median(values):.2f} s, best {min(values):.2f} s")

    dense = pd.DataFrame(baskets.matrix.toarray(), columns=baskets.items)
    started = time.perf_counter()
    found = apriori(dense, min_support=MIN_SUPPORT, low_memory=True)
    seconds = time.perf_counter() - started
    same = len(found) == len(result.itemsets)
    mine = statistics.median(r["mine"] for r in runs)
    total = statistics.median(r["total"] for r in runs)
    print(f"  mlxtend apriori (dense {dense.shape[0]:,} × {dense.shape[1]:,}, low_memory): {seconds:.2f} s, "
          f"{len(found):,} itemsets (same count: {same})")
    print(f"  apriori / FP-growth mining: {seconds / mine:.1f}×; apriori mining alone / FP-growth end to end: "
          f"{seconds / total:.1f}×")


if __name__ == "__main__":
    main()
