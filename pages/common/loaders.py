"""Cached loaders: the store, a dataset's rows and filter options, and its stored sentiment (reads only)."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from analytics.home import gapsight_home
from analytics.insights.filters import FilterOptions, filter_options
from analytics.store.database import DatasetInfo, Store
from analytics.store.labels import apply_labels, load_labels
from analytics.store.model_rows import RegisteredModel, model_origin, serving_model
from analytics.store.predictions import LEXICON_MODEL_ID, has_predictions, load_predictions
from analytics.store.segments import get_segmentation, segment_members
from pages.common.widgets import ProgressBar

SENTIMENT_TASK = "sentiment"


@st.cache_resource(show_spinner=False)
def _store_at(home: str) -> Store:
    return Store.open_default()


def get_store() -> Store:
    """The process-wide store for the current ``GAPSIGHT_HOME`` (one DuckDB connection)."""
    return _store_at(str(gapsight_home()))


@st.cache_resource(max_entries=4, show_spinner="Loading dataset…")
def _rows(home: str, dataset_id: str, version: int) -> pd.DataFrame:
    # Shared read-only between sessions: callers filter into new frames and never mutate it.
    return get_store().load_rows(dataset_id)


def dataset_rows(info: DatasetInfo) -> pd.DataFrame:
    """All canonical rows of a dataset, cached per (dataset, version); treat as read-only."""
    return _rows(str(gapsight_home()), info.id, info.version)


@st.cache_data(max_entries=8, show_spinner=False)
def _options(home: str, dataset_id: str, version: int) -> FilterOptions:
    return filter_options(_rows(home, dataset_id, version))


@st.cache_data(max_entries=8, show_spinner=False)
def _members(home: str, segmentation_id: str, names: str) -> pd.Series:
    return segment_members(get_store(), segmentation_id)


def saved_members(store: Store, segmentation_id: str) -> pd.Series:
    """customer_id → segment name of a saved segmentation, cached until its segments are renamed."""
    try:
        saved = get_segmentation(store, segmentation_id)
    except ValueError:
        return pd.Series(dtype=object, name="segment")
    return _members(str(gapsight_home()), segmentation_id, repr(sorted(saved.segment_names.items())))


@st.cache_data(max_entries=4, show_spinner="Reading the source file's numeric columns…")
def _source_numbers(home: str, dataset_id: str, version: int, mapped: tuple[str, ...]) -> pd.DataFrame:
    from analytics.insights.segments import numeric_source_columns

    store = get_store()
    columns = [c for c in store.load_raw(dataset_id, limit=1).columns if c != "_row" and c not in mapped]
    return numeric_source_columns(store.load_raw(dataset_id, columns=columns) if columns else
                                  pd.DataFrame({"_row": []}), mapped)


def source_numbers(info: DatasetInfo) -> pd.DataFrame:
    """``_row`` and the numeric source columns no canonical field took ("source: qty" …), once per version."""
    mapped = tuple(sorted(str(v) for v in info.mapping.values() if v))
    return _source_numbers(str(gapsight_home()), info.id, info.version, mapped)


def dataset_filter_options(info: DatasetInfo) -> FilterOptions:
    """Distinct dates, categories, channels and products of a dataset, computed once per version."""
    return _options(str(gapsight_home()), info.id, info.version)


def lexicon_sentiment(store: Store, info: DatasetInfo) -> pd.DataFrame:
    """The dataset's lexicon predictions, scored once (with a progress bar) the first time any page needs them."""
    from models.flows.lexicon_scoring import ensure_lexicon_predictions, lexicon_name  # loads the lexicon when needed

    lexicon = lexicon_name(info.report.get("languages")).removesuffix(" (baseline)")
    bar = ProgressBar(f"Scoring sentiment with the {lexicon} (once per dataset)…", visible=False)
    predictions = ensure_lexicon_predictions(store, info.id, dataset_rows(info), progress=bar.count)
    bar.empty()
    return predictions


def served_predictions(store: Store, info: DatasetInfo, task: str) -> tuple[RegisteredModel, pd.DataFrame] | None:
    """The model serving ``task`` on a dataset and its stored predictions; None before it has scored it."""
    model = serving_model(store, info.id, task)
    if model is None or not has_predictions(store, info.id, model.model_id):
        return None
    return model, load_predictions(store, info.id, model.model_id)


def model_caption(store: Store, model: RegisteredModel | None, baseline: str) -> str:
    """A model's name and origin ("Sentiment from ratings · Demo (trained on Demo)"), or the baseline's name."""
    return baseline if model is None else f"{model.name} ({model_origin(store, model)})"


def stored_sentiment(store: Store, info: DatasetInfo) -> tuple[pd.DataFrame, str] | None:
    """The sentiment already stored for a dataset (its serving model's, else VADER's) with people's labels
    over it, and the model's name and origin; None when nothing has scored it yet. A pure read."""
    from models.flows.lexicon_scoring import lexicon_name

    baseline = lexicon_name(info.report.get("languages"))
    served = served_predictions(store, info, SENTIMENT_TASK)
    if served is not None:
        predictions, name = served[1], model_caption(store, served[0], baseline)
    else:
        predictions, name = load_predictions(store, info.id, LEXICON_MODEL_ID), baseline
        if predictions.empty:
            return None
    return apply_labels(predictions, load_labels(store, info.id, SENTIMENT_TASK)), name


def stored_tags(store: Store, info: DatasetInfo) -> dict[str, pd.DataFrame]:
    """Intent and topic labels stored by the fine-tuned classifiers serving the dataset, per task."""
    tags = {}
    for task in ("intent", "topic"):
        served = served_predictions(store, info, task)
        if served is not None:
            tags[task] = served[1][["record_id", "label"]]
    return tags


def sentiment_predictions(store: Store, info: DatasetInfo, model_id: str | None = None) -> tuple[pd.DataFrame, str]:
    """Stored sentiment of a dataset with people's labels over it (``source`` "you"), and the model's name.

    ``model_id`` picks the model (the lexicon id for VADER); by default the active sentiment model
    once its predictions for this dataset are stored, else VADER, scored here (once, with a progress
    bar) when it has not scored the dataset yet. It starts no job and registers nothing (the
    frame's per-run sync and the Sentiment page do that).
    """
    if model_id is None:
        stored = stored_sentiment(store, info)
        if stored is not None:
            return stored
    name = model_id
    if model_id is not None and model_id != LEXICON_MODEL_ID:
        predictions = load_predictions(store, info.id, model_id)
    else:
        from models.flows.lexicon_scoring import lexicon_name

        predictions, name = lexicon_sentiment(store, info), lexicon_name(info.report.get("languages"))
    return apply_labels(predictions, load_labels(store, info.id, SENTIMENT_TASK)), name


@st.cache_data(max_entries=64, show_spinner=False)
def cached(name: str, scope: tuple, params: tuple, _compute: Callable[[], object]) -> object:
    """One analysis result per (page scope: dataset version, filters, source …; parameters): reruns reuse it."""
    return _compute()


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_figure(name: str, scope: tuple, params: tuple, _draw: Callable[[], object]) -> object:
    """A chart per (scope; parameters), kept as the object itself: unpickling a plotly figure re-validates every
    property, which cost more than drawing it. Figures are shared read-only, like the tables they show."""
    return _draw()
