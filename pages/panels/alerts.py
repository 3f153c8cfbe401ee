"""The Overview's alerts panel: the most severe recent alerts of the last scan, each opening its evidence."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.insights.alerts import alerts_table
from analytics.store.alerts import load_alerts
from analytics.store.database import DatasetInfo, Store
from pages.common import keys
from pages.common.widgets import plain_label

SHOWN = 5
RECENT_DAYS = 365  # "recent": within a year of the data's last period


def _most_severe(saved) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The five most severe alerts within a year of the last period, as stored and as shown, and their frequency."""
    alerts = saved.alerts
    periods = pd.to_datetime(alerts["period"])
    recent = alerts[periods >= periods.max() - pd.Timedelta(days=RECENT_DAYS)]
    top = recent.sort_values("severity", ascending=False).head(SHOWN)
    freq = saved.params.get("freq", "W")
    return top, alerts_table(top, freq=freq), freq


def severe_alerts(store: Store, info: DatasetInfo) -> pd.DataFrame | None:
    """The table :func:`alerts_panel` shows, without drawing it (for the HTML report); None without alerts."""
    saved = load_alerts(store, info.id, info.version)
    return None if saved is None or saved.alerts.empty else _most_severe(saved)[1]


def alerts_panel(store: Store, info: DatasetInfo) -> pd.DataFrame | None:
    """Up to five alerts of the stored scan, most severe first; a click opens the interactions behind one.
    Returns the table shown (for the HTML report), or None when there is none."""
    saved = load_alerts(store, info.id, info.version)
    if saved is None:
        st.caption("No alert scan for this dataset version yet.")
        st.page_link(keys.FORECAST_PAGE, label="Scan for alerts on Forecast & alerts", icon=":material/query_stats:")
        return None
    if saved.alerts.empty:
        st.caption(f"The last scan ({saved.created_at:%Y-%m-%d %H:%M}) found no unusual period.")
        return None
    top, table, freq = _most_severe(saved)
    st.caption(f"The {len(top)} most severe of {len(saved.alerts):,} alerts from the last scan "
               f"({saved.created_at:%Y-%m-%d %H:%M}); a click shows the interactions behind one.")
    for (index, row), shown in zip(top.iterrows(), table.itertuples(index=False), strict=True):
        label = f"{shown[0]} · {shown[1]} · {shown[2]}: {shown[3]}, expected {shown[4]} · severity {shown[6]}"
        if st.button(plain_label(label), key=f"overview_alert_{index}", icon=":material/warning:", width="stretch"):
            st.session_state[keys.ALERT_FOCUS] = row.to_dict() | {"freq": freq}
            st.switch_page(keys.FORECAST_PAGE)
    return table
