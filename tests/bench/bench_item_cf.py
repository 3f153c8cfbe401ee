"""Benchmark: item-based collaborative filtering on UCI Online Retail, hit rate @10 against popularity, and timings.

    python -m tests.bench.bench_item_cf [--data ../shared/data/online-retail/online_retail.parquet] [--k 10]

Cancelled invoices ("C…") and lines with quantity ≤ 0 are dropped; customer = CustomerID (lines without one
are dropped), item = Description, order = InvoiceNo, timestamp = InvoiceDate. Stages timed: read and clean,
the purchase matrix (~4,300 customers × ~3,900 items), the similarity, top-10 recommendations for every
customer (without and with the association rules of the orders at 1 % support), and the offline
evaluation (each customer's last invoice held out), with the customer weighting and with the plain cosine.
Not collected by pytest; skipped with a message when the file is absent.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import pandas as pd

from analytics.insights.baskets import build_baskets
from analytics.insights.item_cf import item_similarity, purchase_matrix, recommend_for_customers
from analytics.insights.item_cf_evaluation import evaluate_hit_rate
from analytics.insights.rules import mine_rules

PROJECT = Path(__file__).resolve().parents[2]
DATA = PROJECT.parent / "shared" / "data" / "online-retail" / "online_retail.parquet"


def read_lines(path: Path) -> pd.DataFrame:
    """Canonical order lines of Online Retail: purchases only, each with a customer."""
    source = pd.read_parquet(path, columns=["InvoiceNo", "Description", "Quantity", "InvoiceDate", "CustomerID"])
    invoice = source["InvoiceNo"].astype("string")
    kept = ~invoice.str.startswith("C").fillna(False) & (source["Quantity"] > 0) & source["CustomerID"].notna()
    source = source[kept]
    return pd.DataFrame({"customer_id": source["CustomerID"].astype("int64").astype("string"),
                         "order_id": invoice[kept], "item": source["Description"],
                         "timestamp": source["InvoiceDate"]}).reset_index(drop=True)


def timed(work):
    started = time.perf_counter()
    value = work()
    return value, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    if not args.data.exists():
        print(f"Skipped: {args.data} is absent (UCI Online Retail as parquet).")
        return
    lines, read = timed(lambda: read_lines(args.data))
    matrix, build = timed(lambda: purchase_matrix(lines))
    similarity, similar = timed(lambda: item_similarity(matrix))
    table, recommend = timed(lambda: recommend_for_customers(matrix, similarity, k=args.k))
    rules, mine = timed(lambda: mine_rules(build_baskets(lines), min_support=0.01).rules)
    blended, blend = timed(lambda: recommend_for_customers(matrix, similarity, k=args.k, rules=rules))
    result, evaluate = timed(lambda: evaluate_hit_rate(lines, k=args.k))
    plain, evaluate_plain = timed(lambda: evaluate_hit_rate(lines, k=args.k, weighting="none"))
    print(f"{len(lines):,} purchase lines; {matrix.shape[0]:,} customers × {matrix.shape[1]:,} items, "
          f"{matrix.matrix.nnz:,} customer-item pairs; similarity {similarity.nnz:,} non-zeros; "
          f"{os.cpu_count()} cores")
    print(f"hit rate @{args.k} on {result.n_customers:,} customers' last invoices: "
          f"CF {result.cf_hit_rate:.3f}, popularity {result.popularity_hit_rate:.3f} "
          f"({result.lift_over_popularity:.2f}×); plain cosine CF {plain.cf_hit_rate:.3f}")
    print(f"  {result.note}")
    print(f"  {len(table):,} recommendations; with {len(rules):,} rules, "
          f"{int((blended['rule_confidence'] > 0).sum()):,} of {len(blended):,} carry a rule")
    for stage, seconds in (("read and clean", read), ("purchase matrix", build), ("similarity", similar),
                           (f"recommend top {args.k}, all customers", recommend), ("mine rules at 1 %", mine),
                           ("recommend with rules", blend), ("evaluate (weighted)", evaluate),
                           ("evaluate (plain cosine)", evaluate_plain)):
        print(f"  {stage:>34}: {seconds:.2f} s")


if __name__ == "__main__":
    main()
