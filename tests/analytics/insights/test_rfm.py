"""Tests for analytics.insights.rfm on a table small enough to score by hand."""

import pandas as pd
import pytest

from analytics.insights.rfm import rfm_group, rfm_scores, rfm_summary


def _table():
    # Ten customers; quintiles of ten values are pairs: ranks 1-2 -> 1, 3-4 -> 2, ... 9-10 -> 5.
    return pd.DataFrame({
        "recency_days": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],        # fewer days = better: c0, c1 score R 5
        "frequency": [10, 9, 1, 2, 3, 4, 5, 6, 7, 8],           # c0 10 -> F 5, c2 1 -> F 1
        "monetary_total": [500, 400, 10, 20, 30, 40, 50, 60, 70, 80],
    }, index=pd.Index([f"c{i}" for i in range(10)], name="customer_id"))


def test_scores_by_hand():
    scores = rfm_scores(_table())
    assert scores["R"].tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert scores["F"].tolist() == [5, 5, 1, 1, 2, 2, 3, 3, 4, 4]
    assert scores["M"].tolist() == [5, 5, 1, 1, 2, 2, 3, 3, 4, 4]
    assert scores.loc["c0", "RFM"] == "555" and scores.loc["c2", "RFM"] == "411"
    # (R, F): c0 55 Champions; c2 41 Promising; c4 32 About to sleep; c6 23 At risk; c8 14 At risk.
    assert scores["group"].tolist() == ["Champions", "Champions", "Promising", "Promising", "About to sleep",
                                        "About to sleep", "At risk", "At risk", "At risk", "At risk"]


def test_summary_shares_add_up():
    summary = rfm_summary(rfm_scores(_table()))
    assert summary["customers"].sum() == 10 and abs(summary["revenue share"].sum() - 1) < 1e-12
    champions = summary.set_index("group").loc["Champions"]
    assert champions["revenue"] == 900 and abs(champions["revenue share"] - 900 / 1260) < 1e-12
    assert summary["group"].iloc[0] == "Champions"  # biggest revenue first


def test_the_named_groups_cover_every_cell():
    groups = {rfm_group(r, f) for r in range(1, 6) for f in range(1, 6)}
    assert {"Champions", "Loyal customers", "At risk", "Can't lose them", "Hibernating", "New customers"} <= groups


def test_rfm_needs_its_three_columns_and_five_customers():
    with pytest.raises(ValueError, match="monetary_total cannot be computed"):
        rfm_scores(_table().drop(columns="monetary_total"))
    with pytest.raises(ValueError, match="at least 5 customers; there are 3"):
        rfm_scores(_table().head(3))
