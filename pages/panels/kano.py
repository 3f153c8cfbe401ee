"""The Kano questionnaire panel: upload functional / dysfunctional answer pairs, see each feature's class."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.figures.gap import kano_questionnaire_figure
from analytics.home import gapsight_home
from analytics.ingest.pipeline import stage_upload
from analytics.ingest.readers import profile_file, read_chunks
from analytics.insights.kano import score_kano_questionnaire
from pages.common.widgets import plain_label

MAX_RESPONDENTS = 200_000


@st.cache_data(max_entries=4, show_spinner="Reading the questionnaire…")
def _answers(path: str, filename: str) -> pd.DataFrame:
    profile = profile_file(gapsight_home() / "uploads" / path, filename=filename)
    parts, total = [], 0
    for chunk in read_chunks(profile):
        parts.append(chunk.frame.drop(columns="_row"))
        total += len(chunk.frame)
        if total >= MAX_RESPONDENTS:
            break
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def questionnaire_panel() -> None:
    """Score a classic Kano questionnaire (one row per respondent, two answer columns per feature)."""
    st.caption("A Kano survey asks each feature twice: how would you feel if it were there (functional), and if it "
               "were not (dysfunctional)? Name the columns like `wifi_functional` / `wifi_dysfunctional` or "
               "`Q1a` / `Q1b`; answers like / must-be / neutral / live with / dislike, or codes 1–5.")
    uploaded = st.file_uploader("Kano questionnaire (CSV, XLSX, Parquet)", type=["csv", "tsv", "txt", "xlsx",
                                                                                  "parquet"], key="gap_kano_file")
    if uploaded is None:
        return
    try:
        path = stage_upload(uploaded, uploaded.name, directory=gapsight_home() / "uploads")
        answers = _answers(str(path.relative_to(gapsight_home() / "uploads")), uploaded.name)
        table = score_kano_questionnaire(answers)
    except ValueError as error:
        st.error(plain_label(f"{uploaded.name}: {error}"), icon=":material/error:")
        return
    st.plotly_chart(kano_questionnaire_figure(table), key="gap_kano_questionnaire")
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(table.attrs.get("method", ""))
    for column, values in table.attrs.get("not_understood", {}).items():
        examples = ", ".join(map(repr, list(values)[:3]))
        st.warning(plain_label(f"Column '{column}': {len(values)} answer(s) not understood and left out, e.g. "
                               f"{examples}."), icon=":material/warning:")
