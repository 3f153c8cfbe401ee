"""Rank a task's models by a quality–cost trade-off, U = α·quality + (1−α)·cost score, to pick one to activate."""
from __future__ import annotations

import pandas as pd


def rank_models(models: list, *, alpha: float) -> pd.DataFrame:
    """One row per model, best trade-off first.

    Quality is the test macro-F1. The cost score is the mean of a speed score (CPU rows per
    second over the fastest model's) and a size score (the smallest model's size over this
    one's), so both lie in (0, 1] and 1 is best; a figure never measured scores 0. Scores are
    relative to the models compared, so add or remove one and the others move.

    Parameters
    ----------
    models : list of RegisteredModel
        Models of one task; those without a macro-F1 are left out.
    alpha : float
        Weight of quality, in [0, 1]: 1 ranks by macro-F1 alone, 0 by speed and size alone.

    Examples
    --------
    >>> from analytics.store.model_rows import RegisteredModel
    >>> fast = RegisteredModel("a", "t", "a", "", None, (), {"macro_f1": .8, "speed": {"cpu_rows_per_s": 200,
    ...                        "size_mb": 25}}, False)
    >>> good = RegisteredModel("b", "t", "b", "", None, (), {"macro_f1": .85, "speed": {"cpu_rows_per_s": 100,
    ...                        "size_mb": 90}}, True)
    >>> rank_models([fast, good], alpha=1.0)["model_id"].tolist(), rank_models([fast, good], alpha=0.5)["model_id"].tolist()
    (['b', 'a'], ['a', 'b'])
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha={alpha} should be between 0 and 1.")
    rows = []
    for m in models:
        if m.metrics.get("macro_f1") is None:
            continue
        speed = m.metrics.get("speed") or {}
        rows.append({"model_id": m.model_id, "name": m.name, "variant": m.metrics.get("variant", "fp32"),
                     "active": m.active, "macro_f1": float(m.metrics["macro_f1"]),
                     "cpu_rows_per_s": speed.get("cpu_rows_per_s"), "size_mb": speed.get("size_mb")})
    table = pd.DataFrame(rows, columns=["model_id", "name", "variant", "active", "macro_f1", "cpu_rows_per_s",
                                        "size_mb"])
    if table.empty:
        return table.assign(cost_score=[], utility=[], rank=[])
    rate = pd.to_numeric(table["cpu_rows_per_s"], errors="coerce")
    size = pd.to_numeric(table["size_mb"], errors="coerce")
    speed_score = (rate / rate.max()).fillna(0.0)  # all missing: NaN / NaN, then 0
    size_score = (size.min() / size).fillna(0.0)
    table["cost_score"] = ((speed_score + size_score) / 2).round(3)
    table["utility"] = (alpha * table["macro_f1"] + (1 - alpha) * table["cost_score"]).round(4)
    table = table.sort_values(["utility", "macro_f1"], ascending=False, kind="stable").reset_index(drop=True)
    table["rank"] = range(1, len(table) + 1)
    return table
