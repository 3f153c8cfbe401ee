"""Benchmark (issue 16): the Overview's work on 10M synthetic rows on this machine, in DuckDB and as the page does it.

Usage::

    python -m tests.bench.bench_store_scale [--rows 10000000] [--out tests/bench/out/store_scale.json]

The rows table (text, rating, timestamp, customer, product, channel, sentiment label) is generated inside DuckDB
(file-backed, like the app's store). Measured: the Overview's aggregates as SQL (KPIs, the monthly trend, the
channel and product breakdowns), the pull of every row into pandas that the page does today, the same KPIs and
trend computed by :mod:`analytics.insights.kpis`-style pandas on that frame, and the process's peak memory.
"""
from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import duckdb

_GENERATE = """
CREATE TABLE rows AS
SELECT i AS _row, 'r' || i AS record_id,
       'review number ' || i || ' about the ' || (['delivery', 'price', 'staff', 'app', 'refund'])[1 + i % 5]
           || ' which was ' || (['great', 'fine', 'slow', 'awful', 'ok'])[1 + (i * 7) % 5] AS text,
       ((i * 2654435761) % 5 + 1) / 5.0 AS rating,
       TIMESTAMP '2022-01-01' + to_seconds((i * 40503) % (3 * 365 * 86400)) AS timestamp,
       'c' || (i % 1000000) AS customer_id, 'p' || (i % 5000) AS product,
       (['email', 'chat', 'phone', 'review', 'social'])[1 + i % 5] AS channel,
       (['negative', 'neutral', 'positive'])[1 + (i * 11) % 3] AS sentiment
FROM range(?) t(i)
"""
_QUERIES = {
    "kpis": "SELECT count(*), avg(rating), avg((sentiment = 'negative')::INT), count(DISTINCT customer_id) FROM rows",
    "monthly_trend": "SELECT date_trunc('month', timestamp) AS m, count(*), avg(rating), "
                     "avg((sentiment = 'negative')::INT) FROM rows GROUP BY m ORDER BY m",
    "by_channel": "SELECT channel, count(*), avg(rating) FROM rows GROUP BY channel",
    "by_product_top20": "SELECT product, count(*), avg(rating) FROM rows GROUP BY product ORDER BY 2 DESC LIMIT 20",
    "filtered_last_quarter": "SELECT count(*), avg(rating) FROM rows WHERE timestamp >= TIMESTAMP '2024-10-01' "
                             "AND channel = 'chat'",
}


def _timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    report: dict = {"rows": args.rows}
    with tempfile.TemporaryDirectory() as folder:
        connection = duckdb.connect(str(Path(folder) / "store.duckdb"))
        report["generate_s"] = round(_timed(lambda: connection.execute(_GENERATE, [args.rows]))[0], 2)
        connection.execute("CHECKPOINT")
        report["file_mb"] = round((Path(folder) / "store.duckdb").stat().st_size / 2**20, 1)
        report["sql_s"] = {name: round(_timed(lambda q=q: connection.execute(q).fetchall())[0], 3)
                           for name, q in _QUERIES.items()}
        print(json.dumps(report), flush=True)
        seconds, frame = _timed(lambda: connection.execute("SELECT * FROM rows").df())
        report["pull_to_pandas_s"] = round(seconds, 2)
        report["frame_mb"] = round(frame.memory_usage(deep=True).sum() / 2**20)

        def pandas_overview():
            negative = frame["sentiment"].eq("negative")
            kpis = (len(frame), frame["rating"].mean(), negative.mean(), frame["customer_id"].nunique())
            trend = frame.assign(negative=negative).groupby(frame["timestamp"].dt.to_period("M")).agg(
                n=("rating", "size"), rating=("rating", "mean"), negative=("negative", "mean"))
            return kpis, trend

        report["pandas_overview_s"] = round(_timed(pandas_overview)[0], 2)
        report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(report, indent=1), flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
