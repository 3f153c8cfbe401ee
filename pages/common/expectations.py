"""Cached loaders of the expectation gap: sources and per-row scores, sentences, mentions and survey constructs.

Expectations are computed on the whole dataset (a product's prior average is what the market showed,
whatever the sidebar filters), once per dataset version and source; pages then join them to the
filtered rows by ``record_id``.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.home import gapsight_home
from analytics.insights.constructs import construct_scores
from analytics.insights.dimensions import dimension_mentions, mentions_from_tags
from analytics.insights.gap import ExpectationSource, PairedScores, best_source, expectation_sources, paired_scores
from analytics.insights.sentiment import attach_sentiment
from analytics.store.constructs import load_constructs
from analytics.store.database import DatasetInfo, Store
from analytics.store.segments import list_segmentations
from analytics.store.sentences import load_sentences
from pages.common import keys
from pages.common.frame import filtered_rows
from pages.common.guards import require_rows
from pages.common.loaders import (
    dataset_rows,
    get_store,
    saved_members,
    served_predictions,
    stored_sentiment,
    stored_tags,
)
from pages.common.widgets import ProgressBar

KEYWORD_METHOD = "keyword rules per sentence, each sentence's own VADER sentiment"


def _constructs_key(store: Store, info: DatasetInfo) -> str:
    return repr(load_constructs(store, info.id))


@st.cache_data(max_entries=4, show_spinner="Scoring the survey constructs…")
def _survey(home: str, dataset_id: str, version: int, constructs: str, _info: DatasetInfo) -> pd.DataFrame | None:
    store = get_store()
    saved = load_constructs(store, dataset_id)
    if len(saved) < 2:
        return None
    columns = [item.column for construct in saved for item in construct.items]
    scores = construct_scores(store.load_raw(dataset_id, columns=columns), saved)
    return dataset_rows(_info)[["_row", "record_id"]].merge(scores, on="_row", how="inner")


def survey_scores(store: Store, info: DatasetInfo) -> pd.DataFrame | None:
    """Per-respondent construct scores (record_id, expected, experienced) when constructs are mapped, else None."""
    return _survey(str(gapsight_home()), info.id, info.version, _constructs_key(store, info), info)


@st.cache_data(max_entries=8, show_spinner="Finding where expectations come from…")
def _sources(home: str, dataset_id: str, version: int, constructs: str, _info: DatasetInfo
             ) -> list[ExpectationSource]:
    return expectation_sources(dataset_rows(_info), survey=survey_scores(get_store(), _info))


def gap_sources(store: Store, info: DatasetInfo) -> list[ExpectationSource]:
    """The four expectation sources of the dataset, available or not, best first."""
    return _sources(str(gapsight_home()), info.id, info.version, _constructs_key(store, info), info)


def default_source(store: Store, info: DatasetInfo) -> ExpectationSource | None:
    """The best source the data allows (the Overview's gap KPI uses it)."""
    return best_source(gap_sources(store, info))


@st.cache_data(max_entries=8, show_spinner="Computing every interaction's expectation…")
def _scores(home: str, dataset_id: str, version: int, constructs: str, key: str, prior_strength: float | None,
            _info: DatasetInfo) -> PairedScores:
    return paired_scores(dataset_rows(_info), key, survey=survey_scores(get_store(), _info),
                         prior_strength=prior_strength)


def gap_scores(store: Store, info: DatasetInfo, key: str, *, prior_strength: float | None = None) -> PairedScores:
    """Expected, experienced and gap per interaction of the whole dataset for one source (cached)."""
    return _scores(str(gapsight_home()), info.id, info.version, _constructs_key(store, info), key, prior_strength,
                   info)


@st.cache_data(max_entries=4, show_spinner=False)
def _sentences(home: str, dataset_id: str, version: int, _info: DatasetInfo) -> pd.DataFrame:
    from models.flows.sentence_scoring import ensure_sentence_scores  # loads VADER only when needed

    store = get_store()
    stored = load_sentences(store, dataset_id, version)
    if stored is not None:
        return stored
    bar = ProgressBar("Scoring every sentence with VADER (once per dataset version)…")
    scored = ensure_sentence_scores(store, _info, dataset_rows(_info), progress=bar.count)
    bar.empty()
    return scored


def sentence_scores(info: DatasetInfo) -> pd.DataFrame:
    """Every sentence of the dataset with its VADER compound score (scored and stored on first use)."""
    return _sentences(str(gapsight_home()), info.id, info.version, info)


def has_sentence_scores(store: Store, info: DatasetInfo) -> bool:
    """Whether the sentences are already stored (the Overview never triggers the scoring)."""
    return load_sentences(store, info.id, info.version) is not None


@st.cache_data(max_entries=4, show_spinner="Finding the service dimensions each text talks about…")
def _mentions(home: str, dataset_id: str, version: int, tagger: str | None, _store: Store, _info: DatasetInfo
              ) -> pd.DataFrame:
    tags = stored_tags(_store, _info).get("topic") if tagger else None
    if tags is not None:
        stored = stored_sentiment(_store, _info)
        rows = dataset_rows(_info) if stored is None else attach_sentiment(dataset_rows(_info), stored[0])
        return mentions_from_tags(tags, rows)
    return dimension_mentions(sentence_scores(_info))


def gap_mentions(store: Store, info: DatasetInfo) -> tuple[pd.DataFrame, str]:
    """Which dimension each interaction mentions, and how: from the topic classifier when one serves the
    dataset, else keyword rules on the stored sentences; with the method's name."""
    served = served_predictions(store, info, "topic")
    tagger = served[0].model_id if served is not None else None
    method = (f"topics from {served[0].name}, polarity from the stored sentiment" if served is not None
              else KEYWORD_METHOD)
    return _mentions(str(gapsight_home()), info.id, info.version, tagger, store, info), method


def with_segments(store: Store, info: DatasetInfo, rows: pd.DataFrame, segmentation_id: str | None
                  ) -> tuple[pd.DataFrame, str | None]:
    """``rows`` with a ``segment`` column from a saved segmentation (the sidebar's, else the newest saved one;
    customers it does not cover: missing), and its name; the rows unchanged and None when none is saved."""
    saved = {s.segmentation_id: s.name for s in list_segmentations(store, info.id)}
    chosen = segmentation_id if segmentation_id in saved else next(iter(saved), None)
    if chosen is None or "customer_id" not in rows.columns:
        return rows, None
    members = saved_members(store, chosen)
    return rows.assign(segment=rows["customer_id"].map(members)), saved[chosen]


def with_best_expectation(store: Store, info: DatasetInfo, *frames: pd.DataFrame
                          ) -> tuple[tuple[pd.DataFrame, ...], ExpectationSource | None]:
    """``frames`` whose ``expected`` holds the best source's expectation, written as rating − gap so that the
    KPIs' rating − expected is that source's gap; the frames stay as they are when the explicit column is best."""
    source = default_source(store, info)
    if source is None or source.key == "explicit":
        return frames, source
    gap = gap_scores(store, info, source.key).frame.set_index("record_id")["gap"]
    return tuple(f.assign(expected=f["rating"] - f["record_id"].astype(str).map(gap)) for f in frames), source


def scored_rows(store: Store, info: DatasetInfo) -> tuple[pd.DataFrame, tuple[pd.DataFrame, str] | None, str | None]:
    """The filtered rows with their stored sentiment and saved segments, the stored sentiment and the name of the
    segmentation used: the start of the Expectation gap and Recommendations pages."""
    rows = filtered_rows(info)
    require_rows(rows)
    stored = stored_sentiment(store, info)
    if stored is not None:
        rows = attach_sentiment(rows, stored[0])
    rows, segments_from = with_segments(store, info, rows, st.session_state.get(keys.FILTER_SEGMENTATION))
    return rows, stored, segments_from
