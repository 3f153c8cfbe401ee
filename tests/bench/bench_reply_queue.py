"""Benchmark: the Recommendations page's reply strategies on the demo and on customer-support-twitter.

    python -m tests.bench.bench_reply_queue [--twcs ../shared/data/customer-support-twitter/twcs_first5000.csv]

Stages timed, each the median of 3 runs after one warm-up: VADER sentiment of every text (once per dataset,
stored), the open mask, the priority queue, strategies with filled replies for every queued interaction, and
the three most similar past interactions for one query and for the 200 a user can open, over random unit
vectors of MiniLM's width (the similarity cost does not depend on what the vectors hold). Not collected by
pytest; the twcs part is skipped with a message when the file is absent.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.demo.sample import load_demo_dataset
from analytics.insights.playbook import assign_strategies, mark_open, priority_queue, similar_interactions
from analytics.insights.sentiment import attach_sentiment
from analytics.store.database import DB_FILENAME, Store
from models.flows.lexicon_scoring import lexicon_predictions

PROJECT = Path(__file__).resolve().parents[2]
TWCS = PROJECT.parent / "shared" / "data" / "customer-support-twitter" / "twcs_first5000.csv"


def timed(work, repeat: int = 3) -> tuple[float, object]:
    """Median seconds of ``repeat`` runs after one warm-up, and the last result."""
    result = work()
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def run(name: str, rows: pd.DataFrame, open_mask) -> None:
    start = time.perf_counter()
    scored = attach_sentiment(rows, lexicon_predictions(rows["record_id"].tolist(), rows["text"].tolist()))
    vader = time.perf_counter() - start
    mask_s, mask = timed(lambda: open_mask(scored))
    queue_s, queue = timed(lambda: priority_queue(scored, open_mask=mask))
    intents = pd.Series("other", index=scored["record_id"])
    replies_s, replies = timed(lambda: assign_strategies(queue.frame, intents))
    vectors = np.random.default_rng(0).normal(size=(len(rows), 384)).astype(np.float32)
    ids = rows["record_id"].astype(str).to_numpy()
    one_s, _ = timed(lambda: similar_interactions(vectors[:1], vectors, ids, k=3, query_ids=ids[:1]))
    many_s, _ = timed(lambda: similar_interactions(vectors[:200], vectors, ids, k=3, query_ids=ids[:200]))
    print(f"{name}: {len(rows):,} rows, {int(mask.sum()):,} open, {int(replies['matched'].sum()):,} replies · "
          f"VADER {vader:.2f} s · open mask {mask_s * 1000:.1f} ms · queue {queue_s * 1000:.0f} ms · "
          f"strategies + replies {replies_s * 1000:.0f} ms · similar (1 query) {one_s * 1000:.1f} ms · "
          f"similar (200 queries) {many_s * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--twcs", type=Path, default=TWCS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["GAPSIGHT_HOME"] = home
        store = Store(Path(home) / DB_FILENAME)
        demo = store.load_rows(load_demo_dataset(store).id)
        store.close()
    run("demo", demo, lambda rows: mark_open(rows))
    if not args.twcs.is_file():
        print(f"skipped customer-support-twitter: {args.twcs} is absent")
        return
    source = pd.read_csv(args.twcs)
    rows = pd.DataFrame({"record_id": source["tweet_id"].astype(str), "text": source["text"],
                         "customer_id": source["author_id"].astype(str),
                         "timestamp": pd.to_datetime(source["created_at"], format="%a %b %d %H:%M:%S %z %Y",
                                                     utc=True).dt.tz_localize(None),
                         "inbound": source["inbound"].astype(str)})
    rows = rows.drop_duplicates("record_id")  # as the import keeps them
    run("customer-support-twitter", rows, lambda rows: mark_open(rows, status_column="inbound",
                                                               open_statuses=["True"]))


if __name__ == "__main__":
    main()
