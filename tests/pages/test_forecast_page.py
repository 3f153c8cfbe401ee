"""Forecast & alerts in AppTest: the demo's forecast and backtest, a scan, the Overview's alerts panel, bad input."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from analytics.store.alerts import load_alerts
from pages.common import keys
from pages.common.loaders import get_store
from tests.pages.reading import all_read
from tests.pages.test_pages import _import_csv, open_page


def _page(page: str = keys.FORECAST_PAGE) -> AppTest:
    return open_page(page, timeout=300)


def test_the_demo_forecast_then_a_scan_whose_surge_alert_opens_from_the_overview(demo_home):
    at = _page()
    assert any("AIC" in c.value and "ADF" in c.value for c in at.caption)  # the order and the tests behind d
    assert any("Backtest (" in m.value for m in [*at.success, *at.warning])  # the verdict, either way
    scan_form = next(m for m in at.multiselect if m.label == "Metrics")
    scan_form.set_value(["mean_rating"])
    next(s for s in at.selectbox if s.label == "Every").set_value("M")
    next(b for b in at.button if b.label == "Scan for alerts").click().run()
    assert not at.exception, at.exception
    assert any("Checked 1 series" in s.value for s in at.success), [s.value for s in at.success]
    saved = load_alerts(get_store(), get_store().list_datasets()[0].id)
    march = saved.alerts[saved.alerts["period"].astype(str).str.startswith("2025-03")]
    assert len(march) == 1 and march.iloc[0]["direction"] == "below"  # the delivery surge lowers the rating

    at.switch_page(keys.OVERVIEW_PAGE).run()
    buttons = [b for b in at.button if (b.key or "").startswith("overview_alert_")]
    surge = next(b for b in buttons if "Mar 2025" in b.label)
    surge.click().run()
    assert not at.exception, at.exception
    assert any("The interactions behind the alert" in h.value for h in at.subheader)
    assert any("period from 2025-03-01" in c.value for c in at.caption)
    assert at.date_input(key=keys.FILTER_DATES).value is not None  # the filters survived the page switch


def test_the_overview_invites_a_scan_before_there_is_one(demo_home):
    at = _page(keys.OVERVIEW_PAGE)
    assert any("No alert scan for this dataset version yet" in c.value for c in at.caption)


def test_without_dates_the_page_says_what_to_map(home):
    _import_csv(home, "plain.csv", "text,rating\nok,4\nbad,1\n")
    at = _page()
    assert any("Map a date column" in i.value for i in at.info)


def test_three_weeks_of_data_get_messages_not_a_crash(home):
    _import_csv(home, "short.csv", "text,rating,date\nok,4,2025-01-01\nbad,1,2025-01-09\nfine,5,2025-01-16\n")
    at = _page()
    # A forecast of what little there is, with the verdict that the naive one is as good, and why no alerts.
    assert any("use the naive forecast: the model does not beat it" in w.value for w in at.warning)
    assert "alerts need more than min_history=56" in all_read(at.caption)
