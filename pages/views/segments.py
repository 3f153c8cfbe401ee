"""Segments: K-means on customer features with k by silhouette, profiles with names, RFM; saved as a filter."""
import streamlit as st

from analytics.home import gapsight_home
from analytics.insights.segments import K_RANGE, SOURCE_PREFIX, available_features
from pages.common import keys
from pages.common.frame import current_filters, filtered_rows
from pages.common.guards import require_dataset, require_rows
from pages.common.loaders import get_store, served_predictions, source_numbers, stored_sentiment, stored_tags
from pages.common.widgets import plain_label, scope_caption
from pages.panels.segments import k_tab, map_tab, profiles_tab, rfm_tab, run_segments, save_tab

AUTOMATIC = "Automatic (best silhouette)"

store = get_store()
info = require_dataset(store)
st.title("Segments")
if not info.mapping.get("customer_id"):
    st.info("Segments group customers, so they need a customer column (customer_id, user_id, username …). Map one "
            "on the Data page (Re-map tab); with dates and amounts you also get RFM scores, with ratings, "
            "sentiment and topics the segments say who is unhappy about what.", icon=":material/info:")
    st.page_link(keys.DATA_PAGE, label="Go to Data", icon=":material/database:")
    st.stop()

rows = filtered_rows(info)
require_rows(rows)
rows = rows.merge(source_numbers(info), on="_row", how="left")  # numeric source columns, offered as features
# % negative: the fine-tuned model serving this dataset, else the ratings, else the lexicon (text only).
stored = stored_sentiment(store, info)
if stored and (served_predictions(store, info, "sentiment") or not info.mapping.get("rating")):
    sentiment, sentiment_name = stored
else:
    sentiment, sentiment_name = None, "ratings"
tags = stored_tags(store, info)
notes = []
if sentiment is not None or info.mapping.get("rating"):
    notes.append(f"% negative from {sentiment_name}")
elif info.mapping.get("text"):
    notes.append("no rating and no stored sentiment yet: the Sentiment page scores the texts for % negative")
if not tags:
    notes.append("no intent or topic model has tagged this dataset, so complaint share and topic mix are left out")
n_customers = rows["customer_id"].dropna().nunique()
scope_caption(info, current_filters().describe(), n_customers, "customers", notes)

features = available_features(rows, sentiment=sentiment, tags=tags)
labels = {f.name: f.label for f in features}
with st.form("segment_form"):
    chosen = st.multiselect("Customer features", list(labels), default=[f.name for f in features if f.default],
                            format_func=labels.get, help="Skewed features are log-transformed and every feature is "
                            "robust-scaled, so none dominates because of its unit.")
    k_choice = st.selectbox("Number of segments", [AUTOMATIC, *K_RANGE],
                            help="Automatic picks the k with the best silhouette on a sample of up to 10,000 customers.")
    sources = [c for c in rows.columns if c.startswith(SOURCE_PREFIX)]
    quantity = None
    if info.mapping.get("amount") and sources:
        guess = next((i for i, c in enumerate(sources, 1) if "qty" in c.lower() or "quant" in c.lower()), 0)
        quantity = st.selectbox("Amount per row is a unit price: multiply it by", [None, *sources], index=guess,
                                format_func=lambda c: "nothing (it is the order or line total)" if c is None else c,
                                help="Order-line exports (e.g. UCI Online Retail) give a unit price and a quantity.")
    submitted = st.form_submit_button("Run segmentation", type="primary")
filters_key = current_filters().describe()
if submitted:
    st.session_state[keys.SEGMENT_RUN] = {"of": (info.id, info.version, filters_key), "features": tuple(chosen),
                                          "k": None if k_choice == AUTOMATIC else int(k_choice), "names": {},
                                          "quantity": quantity}
params = st.session_state.get(keys.SEGMENT_RUN)
if params and params["of"] == (info.id, info.version, filters_key):
    quantity = params["quantity"]  # RFM below uses the settings of the run shown
else:
    params = None
if params is None:
    st.caption("Pick the features and run the segmentation; the defaults suit most datasets.")
    rfm_only = st.container()
else:
    if not params["features"]:
        st.warning("Pick at least one customer feature.", icon=":material/warning:")
        st.stop()
    key = (str(gapsight_home()), info.id, info.version, filters_key, sentiment_name, tuple(sorted(tags)), quantity)
    try:
        run = run_segments(key, rows, features, list(params["features"]), params["k"], sentiment=sentiment, tags=tags,
                           quantity=quantity)
    except ValueError as error:
        st.error(plain_label(error), icon=":material/error:")
        st.stop()
    profiles, choose, mapped, rfm_only, save = st.tabs(["Profiles", "Choosing k", "Map", "RFM", "Save & export"])
    with profiles:
        profiles_tab(run)
    with choose:
        k_tab(run)
    with mapped:
        map_tab(run)
    with save:
        save_tab(store, info, run, {"features": list(params["features"]), "k": run.segmentation.k,
                                    "filters": filters_key, "sentiment": sentiment_name})
with rfm_only:
    st.subheader("RFM scores")
    rfm_tab(rows, quantity)
