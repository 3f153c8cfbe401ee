"""Segmentation at scale and the Segments page's rerun cost.

    python -m tests.bench.bench_segments            # 1,000,000 synthetic customers x 10 features
    python -m tests.bench.bench_segments --customers 200000

Times the page's path with k fixed: robust scaling (logs where skewed), MiniBatchKMeans, the stability
check across 5 seeds (on a sample) and the silhouette of the solution on its 10,000-customer sample;
peak memory is this process's ru_maxrss. Not collected by pytest.
"""
from __future__ import annotations

import argparse
import resource
import time

import numpy as np
import pandas as pd
from sklearn.metrics import silhouette_score

from analytics.insights.segments import SILHOUETTE_SAMPLE, _sample, fit_segments, prepare_features


def synthetic_customers(n: int, *, seed: int = 0) -> pd.DataFrame:
    """Four planted groups, 10 features: RFM-like skewed counts and money, shares and means."""
    rng = np.random.default_rng(seed)
    group = rng.choice(4, size=n, p=[0.15, 0.25, 0.15, 0.45])
    centre = np.array([[20, 16, 300, 4.4, 0.05, 0.2, 0.1, 0.3, 18, 0.2],
                       [60, 6, 80, 4.0, 0.10, 0.2, 0.4, 0.1, 7, 0.1],
                       [40, 7, 180, 2.8, 0.45, 0.7, 0.2, 0.6, 9, 0.5],
                       [200, 2, 160, 4.1, 0.10, 0.2, 0.2, 0.2, 2, 0.2]])[group]
    noise = rng.lognormal(0, 0.35, size=(n, 10))
    values = centre * noise
    values[:, 4:8] = np.clip(values[:, 4:8], 0, 1)
    columns = ["recency_days", "frequency", "monetary_mean", "mean_rating", "negative_share", "phone_email_share",
               "price_share", "support_share", "interactions", "complaint_share"]
    return pd.DataFrame(values, columns=columns, index=pd.Index([f"C{i}" for i in range(n)], name="customer_id"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--k", type=int, default=4)
    args = parser.parse_args()
    table = synthetic_customers(args.customers)
    started = time.perf_counter()
    prepared = prepare_features(table)
    scaled_at = time.perf_counter()
    found = fit_segments(prepared.scaled, args.k)
    fitted_at = time.perf_counter()
    pick = _sample(len(prepared.scaled), SILHOUETTE_SAMPLE)
    silhouette = silhouette_score(prepared.scaled.to_numpy()[pick], found.labels.to_numpy()[pick])
    done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.customers:,} customers x {table.shape[1]} features, k = {args.k} ({found.method})")
    print(f"  scaling {scaled_at - started:.1f} s, K-means + 5-seed stability {fitted_at - scaled_at:.1f} s, "
          f"silhouette on {len(pick):,} {done - fitted_at:.1f} s; total {done - started:.1f} s")
    print(f"  silhouette {silhouette:.3f}, stability ARI {min(found.stability):.2f}–{max(found.stability):.2f}, "
          f"peak memory {peak:,.0f} MB (whole process, the synthetic table included)")


if __name__ == "__main__":
    main()
