"""UCI Online Retail order lines through the Segments page's code: RFM scores and K-means segments (real data)."""
from __future__ import annotations

import pandas as pd
import pytest

from analytics.insights.rfm import rfm_scores, rfm_summary
from analytics.insights.segment_profiles import profile_segments
from analytics.insights.segments import available_features, customer_features, fit_segments, prepare_features

pytestmark = pytest.mark.real_data


@pytest.fixture(scope="module")
def retail_rows(request):
    from tests.conftest import SHARED_DATA

    path = SHARED_DATA / "online-retail" / "online_retail.parquet"
    if not path.is_file():
        pytest.skip(f"{path} is absent (the real data sits beside the project only on dev machines)")
    raw = pd.read_parquet(path)
    # The canonical columns the suggested mapping gives (InvoiceNo -> order_id, UnitPrice -> amount …),
    # with Quantity joined as the numeric source column it is on the page.
    return pd.DataFrame({
        "record_id": raw.index.astype(str), "order_id": raw["InvoiceNo"], "item": raw["Description"],
        "product": raw["StockCode"], "timestamp": raw["InvoiceDate"], "amount": raw["UnitPrice"],
        "customer_id": raw["CustomerID"].map(lambda v: None if pd.isna(v) else str(int(v))),
        "source: Quantity": raw["Quantity"].astype(float),
    })


def test_rfm_on_online_retail(retail_rows):
    features = customer_features(retail_rows, ["recency_days", "frequency", "monetary_total"],
                                 quantity="source: Quantity")
    assert len(features) == 4_372  # every customer with an id
    scores = rfm_scores(features)
    summary = rfm_summary(scores).set_index("group")
    # Champions (recent and frequent) are a minority holding a far larger share of revenue.
    champions = summary.loc["Champions"]
    assert champions["revenue share"] > 2 * champions["share"] and champions["share"] < 0.2
    assert abs(summary["revenue"].sum() - (retail_rows["amount"] * retail_rows["source: Quantity"])[
        retail_rows["customer_id"].notna()].sum()) < 1.0
    assert scores.loc[scores["R"] == 5, "recency_days"].max() < scores.loc[scores["R"] == 1, "recency_days"].min()


def test_kmeans_segments_on_online_retail(retail_rows):
    features = available_features(retail_rows)
    names = [f.name for f in features if f.default]
    assert names == ["recency_days", "frequency", "monetary_mean", "interactions"]
    prepared = prepare_features(customer_features(retail_rows, names, quantity="source: Quantity"))
    found = fit_segments(prepared.scaled, 4)
    profiles = profile_segments(retail_rows, prepared, found, features)
    assert sum(p.size for p in profiles) == 4_372 and len({p.name for p in profiles}) == 4
    frequent = max(profiles, key=lambda p: p.means["frequency"])
    assert "frequent" in frequent.name.lower() and frequent.means["frequency"] > 3 * prepared.raw["frequency"].mean() / 2
