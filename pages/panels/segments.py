"""The Segments page's pieces: the cached run (features → k → K-means → profiles), its tabs, saving."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from analytics.figures.segments import (
    k_choice_figure,
    profile_heatmap,
    projection_figure,
    rfm_figure,
    snake_figure,
    stability_figure,
)
from analytics.insights.rfm import rfm_scores, rfm_summary
from analytics.insights.segment_profiles import SegmentProfile, profile_segments, profile_table, sizes_table
from analytics.insights.segments import (
    STABLE_ARI,
    Feature,
    KChoice,
    PreparedFeatures,
    Projection,
    Segmentation,
    choose_k,
    customer_features,
    fit_segments,
    prepare_features,
    project,
)
from analytics.store.database import DatasetInfo, Store
from analytics.store.segments import list_segmentations, rename_segments, save_segmentation
from pages.common import keys
from pages.common.widgets import ProgressBar, download_buttons, plain_label


@dataclass(frozen=True)
class SegmentRun:
    """Everything one segmentation run shows."""

    features: tuple[Feature, ...]
    prepared: PreparedFeatures
    choice: KChoice
    segmentation: Segmentation
    profiles: tuple[SegmentProfile, ...]
    projection: Projection


@st.cache_data(max_entries=8, show_spinner=False)
def _prepared(key: tuple, names: tuple[str, ...], _rows, _sentiment, _tags, _quantity) -> PreparedFeatures:
    return prepare_features(customer_features(_rows, names, sentiment=_sentiment, tags=_tags, quantity=_quantity))


@st.cache_data(max_entries=8, show_spinner=False)
def _choice(key: tuple, names: tuple[str, ...], _prepared: PreparedFeatures) -> KChoice:
    return choose_k(_prepared.scaled)


@st.cache_data(max_entries=8, show_spinner=False)
def _fit(key: tuple, names: tuple[str, ...], k: int, _rows, _prepared, _features, _topics):
    segmentation = fit_segments(_prepared.scaled, k)
    profiles = profile_segments(_rows, _prepared, segmentation, _features, topics=_topics)
    return segmentation, tuple(profiles), project(_prepared.scaled, segmentation.labels)


def run_segments(key: tuple, rows: pd.DataFrame, features: list[Feature], chosen: list[str], k: int | None, *,
                 sentiment: pd.DataFrame | None, tags: dict[str, pd.DataFrame], quantity: str | None) -> SegmentRun:
    """Features, k by silhouette, K-means and profiles, each step cached by dataset version and parameters.

    Raises ValueError with the user's message (too few customers, constant features …)."""
    names = tuple(chosen)
    bar = ProgressBar("Segmenting customers…")
    bar.fraction(0.05, "building customer features")
    prepared = _prepared(key, names, rows, sentiment, tags, quantity)
    bar.fraction(0.25, "trying k = 2…10 on a sample (silhouette)")
    choice = _choice(key, names, prepared)
    k = k or choice.best_k
    bar.fraction(0.7, f"K-means with k = {k}, stability across seeds, profiles")
    used = tuple(f for f in features if f.name in prepared.scaled.columns)
    segmentation, profiles, projection = _fit(key, names, k, rows, prepared, used, tags.get("topic"))
    bar.empty()
    return SegmentRun(used, prepared, choice, segmentation, profiles, projection)


def segment_names(run: SegmentRun) -> dict[int, str]:
    """Segment number → name: the automatic names, overridden by what the analyst typed."""
    edited = st.session_state.get(keys.SEGMENT_RUN, {}).get("names", {})
    return {p.segment: edited.get(p.segment, p.name) for p in run.profiles}


def _z_table(run: SegmentRun, names: dict[int, str]) -> pd.DataFrame:
    z = profile_table(run.profiles, run.features, value="z")
    z.index = [names[p.segment] for p in run.profiles]
    return z


def profiles_tab(run: SegmentRun) -> None:
    names = segment_names(run)
    table = sizes_table(run.profiles).assign(segment=[names[p.segment] for p in run.profiles])
    st.dataframe(table, hide_index=True, width="stretch",
                 column_config={"share": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)})
    st.plotly_chart(profile_heatmap(_z_table(run, names)), width="stretch")
    st.caption(run.prepared.note({f.name: plain_label(f.label) for f in run.features}))  # labels name columns
    for profile in run.profiles:
        with st.expander(f"{plain_label(names[profile.segment])} · {profile.size:,} customers ({profile.share:.0%})"):
            ratios = {f.label: profile.ratios.get(f.name) for f in run.features}
            st.dataframe(pd.DataFrame({"segment mean": {f.label: profile.means.get(f.name) for f in run.features},
                                       "× population": ratios}), width="stretch")
            if profile.examples:
                st.markdown("**Typical verbatims** (customers nearest the segment's centre)")
                for text in profile.examples:
                    st.text(text[:400])
    with st.form("segment_names"):
        st.markdown("**Segment names** (automatic from the standout features; edit and apply)")
        typed = {p.segment: st.text_input(f"Segment {p.segment + 1}", value=names[p.segment], key=f"seg_name_{p.segment}")
                 for p in run.profiles}
        if st.form_submit_button("Apply names"):
            st.session_state[keys.SEGMENT_RUN]["names"] = {s: t.strip() or names[s] for s, t in typed.items()}
            st.rerun()


def k_tab(run: SegmentRun) -> None:
    st.plotly_chart(k_choice_figure(run.choice, run.segmentation.k), width="stretch")
    st.caption(f"{run.segmentation.method} (k-means++, fixed random state) on {len(run.segmentation.labels):,} "
               "customers; k by the best silhouette unless you chose one.")
    st.plotly_chart(stability_figure(run.segmentation.stability), width="stretch")
    if not run.segmentation.stable:
        st.warning(f"The segments change with the random seed (adjusted Rand index down to "
                   f"{min(run.segmentation.stability):.2f}, below {STABLE_ARI}): read them as tendencies, or try "
                   "another k or fewer features.", icon=":material/warning:")


def map_tab(run: SegmentRun) -> None:
    names = segment_names(run)
    st.plotly_chart(projection_figure(run.projection, names), width="stretch")
    st.plotly_chart(snake_figure(_z_table(run, names)), width="stretch")


def rfm_tab(rows: pd.DataFrame, quantity: str | None) -> None:
    try:
        scores = rfm_scores(customer_features(rows, ["recency_days", "frequency", "monetary_total"], quantity=quantity))
    except ValueError as error:
        st.info(f"{plain_label(error)} Map a date, a customer and an amount column on the Data page for RFM.",
                icon=":material/info:")
        return
    summary = rfm_summary(scores)
    st.caption("Quintile scores 1–5 of recency (5 = most recent), frequency and monetary value per customer; "
               "the named groups follow the R and F scores, as in most RFM tools.")
    st.plotly_chart(rfm_figure(summary), width="stretch")
    st.dataframe(summary, hide_index=True, width="stretch",
                 column_config={c: st.column_config.NumberColumn(format="percent") for c in ("share", "revenue share")})
    download_buttons(lambda: scores.reset_index(), basename="rfm_scores", key="rfm_download")


def save_tab(store: Store, info: DatasetInfo, run: SegmentRun, params: dict) -> None:
    names = segment_names(run)
    members = run.segmentation.labels.map(names).rename("segment").rename_axis("customer_id").reset_index()
    download_buttons(members, basename=f"segments_{info.name}", key="segments_download")
    if note := st.session_state[keys.SEGMENT_RUN].pop("saved", None):
        st.success(note, icon=":material/check_circle:")
    with st.form("save_segmentation"):
        name = st.text_input("Save as", value=f"{run.segmentation.k} segments · {info.name}")
        if st.form_submit_button("Save segmentation", type="primary"):
            try:
                saved = save_segmentation(store, info.id, info.version, name, method=run.segmentation.method,
                                          params=params, labels=run.segmentation.labels, segment_names=names)
                st.session_state[keys.SEGMENT_RUN]["saved"] = (
                    f"Saved '{plain_label(saved.name)}' ({saved.n_customers:,} customers). Pick it under "
                    "Segmentation in the sidebar to see any page for one segment.")
                st.rerun()  # the sidebar lists it at once
            except ValueError as error:
                st.error(plain_label(error), icon=":material/error:")
    for saved in list_segmentations(store, info.id):
        if saved.segment_names != names and set(saved.segment_names) == set(names) and saved.params == params:
            if st.button(f"Use these names in the saved '{plain_label(saved.name)}'",
                         key=f"rename_{saved.segmentation_id}"):
                rename_segments(store, saved.segmentation_id, names)
                st.rerun()
