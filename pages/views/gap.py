"""Expectation gap: what customers expected against what they experienced, for whom, how surely, and what matters."""
import streamlit as st

from analytics.home import gapsight_home
from analytics.insights.gap import SOURCE_KEYS, star_text_mismatch
from pages.common import keys
from pages.common.expectations import (
    gap_mentions,
    gap_scores,
    gap_sources,
    scored_rows,
    sentence_scores,
)
from pages.common.frame import current_filters
from pages.common.guards import require_dataset
from pages.common.loaders import cached, get_store
from pages.common.widgets import plain_label, scope_caption
from pages.panels.gap import Scale, apply_focus, breakdowns, cues_panel, drivers_panel, gaps_panel
from pages.panels.kano import questionnaire_panel

store = get_store()
info = require_dataset(store)
st.title("Expectation gap")
rows, stored, segments_from = scored_rows(store, info)
scale = Scale(info.rating_scale)
has_text = bool(info.mapping.get("text")) and rows["text"].notna().any()
sentences = sentence_scores(info) if has_text else None
mentions, mentions_method = gap_mentions(store, info) if has_text else (None, "")
if mentions is not None and len(rows) < info.n_rows:  # the sidebar filters narrow the rows
    mentions = cached("mentions", (info.id, info.version, repr(current_filters())), (mentions_method,),
                      lambda: mentions[mentions["record_id"].isin(rows["record_id"])])
scope_caption(info, current_filters().describe(), len(rows), "interactions",
              [f"gaps in {scale.unit}"] + ([f"text sentiment: {stored[1]}"] if stored else [])
              + ([f"segments from '{segments_from}'"] if segments_from else []))

sources = {s.key: s for s in gap_sources(store, info)}
usable = [k for k in SOURCE_KEYS if sources[k].available]
apply_focus(usable)
with st.expander("Where the expectation comes from", expanded=not usable):
    for source in sources.values():
        st.markdown(f"**{source.label}** · " + (f"{source.n:,} interactions" if source.available else "not available"))
        st.caption(source.method if source.available else source.needs)
if usable:
    if st.session_state.get("gap_source") not in usable:
        st.session_state.pop("gap_source", None)
    left, right = st.columns([3, 1])
    key = left.selectbox("Expectation source", usable, key="gap_source",
                         format_func=lambda k: f"{sources[k].label} ({sources[k].n:,} interactions)")
    prior = None
    if key == "prior_mean":
        chosen = right.number_input("Prior strength k (ratings)", 0.0, 500.0, 0.0, step=1.0, key="gap_prior",
                                    help="How many earlier ratings of a product weigh as much as its category's "
                                         "average. 0: estimated from the data (method of moments).")
        prior = chosen or None
    scores = gap_scores(store, info, key, prior_strength=prior)
    st.caption(f"Method: {scores.source.method}" + "".join(f" · {note}" for note in scores.notes))
    scope = (str(gapsight_home()), info.id, info.version, repr(current_filters()), key, scores.prior_strength,
             segments_from, mentions_method, len(rows))
else:
    st.info("No expectation source on this dataset yet: each source above says which column would enable it. "
            "The text cues and star–text mismatches below work without one.", icon=":material/info:")
    scores = None
    scope = (str(gapsight_home()), info.id, info.version, repr(current_filters()), "", None, segments_from,
             mentions_method, len(rows))

tabs = st.tabs(["Gaps", "What matters (importance · Kano · impact)", "Text cues", "Star–text mismatch",
                "Kano questionnaire"])
with tabs[0]:
    if scores is None:
        st.caption("Map an expectation source (see above) to see gaps by dimension, product, segment and period.")
    else:
        try:
            gaps_panel(rows, scores, mentions if mentions is not None else rows.iloc[:0], scale, scope)
        except ValueError as error:
            st.error(plain_label(error), icon=":material/error:")
with tabs[1]:
    if mentions is None:
        st.info("Importance, Kano classes and impact need a text column: map one on the Data page.",
                icon=":material/info:")
    else:
        try:
            drivers_panel(rows, mentions, scale, scope, mentions_method)
        except ValueError as error:
            st.error(plain_label(error), icon=":material/error:")
with tabs[2]:
    if sentences is None:
        st.info("Expectation cues are read from the texts: map a text column on the Data page.", icon=":material/info:")
    else:
        cues_panel(st.session_state[keys.GAP_CUES_OF], info.id, rows, sentences, scope,
                   breakdowns(rows, has_mentions=False))
with tabs[3]:
    if stored is None:
        st.info("Star–text mismatches need the texts' sentiment: score them on the Sentiment page.",
                icon=":material/info:")
    else:
        try:
            by = st.selectbox("Mismatch by", ["product", "category", "channel"], key="gap_mismatch_by")
            st.dataframe(star_text_mismatch(rows, by=by), hide_index=True, width="stretch")
            st.caption("High stars with a negative text, or low stars with a positive one: what the score alone "
                       f"hides. Sentiment: {plain_label(stored[1])}; only confident labels (≥ 0.6) count.")
        except ValueError as error:
            st.info(plain_label(error), icon=":material/info:")
with tabs[4]:
    questionnaire_panel()
