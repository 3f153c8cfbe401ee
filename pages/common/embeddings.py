"""Cached encoder pieces shared by pages: the encoder, a dataset's embeddings and its zero-shot tags."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from analytics.insights.topics import TAG_SCHEMES, LabelSet, tag_interactions
from analytics.store.database import DatasetInfo
from models.base import BASE_MODEL_NAME, base_path_for
from models.device import choose_device
from models.embeddings import load_encoder
from models.flows.embedding_jobs import dataset_encoder_name, earlier_embeddings, embeddings_path
from models.topic_embeddings import cached_embeddings, dataset_embeddings, is_cached, label_embeddings
from pages.common.loaders import dataset_rows


@st.cache_resource(show_spinner="Loading the encoder…", max_entries=2)
def encoder(name: str = BASE_MODEL_NAME):
    """The encoder called ``name`` (MiniLM, or the multilingual e5-small for mostly non-English data), loaded once
    per process."""
    return load_encoder(base_path_for(name))


def encoder_label(info: DatasetInfo) -> str:
    """The encoder of a dataset's embeddings in words, for captions and progress texts."""
    return "MiniLM" if dataset_encoder_name(info) == BASE_MODEL_NAME else "multilingual e5-small"


def dataset_vectors(info: DatasetInfo, progress=None) -> np.ndarray:
    """Every row's embedding, from the cache file when it holds them, else computed here (and cached)."""
    rows = dataset_rows(info)
    return dataset_embeddings(rows["record_id"].tolist(), rows["text"].tolist(), progress=progress,
                              cache_path=embeddings_path(info), device=choose_device(),
                              encoder=encoder(dataset_encoder_name(info)), reuse_from=earlier_embeddings(info))


def has_vectors(info: DatasetInfo) -> bool:
    """Whether every row's embedding is cached (reads only the ids)."""
    return is_cached(embeddings_path(info), dataset_rows(info)["record_id"].tolist())


@st.cache_resource(max_entries=2, show_spinner=False)
def _stored_vectors(home: str, dataset_id: str, version: int, _info: DatasetInfo) -> np.ndarray | None:
    return cached_embeddings(embeddings_path(_info), dataset_rows(_info)["record_id"].tolist())


def stored_vectors(home: str, info: DatasetInfo) -> np.ndarray | None:
    """The cached embeddings in the order of the dataset's rows (read once per version), or None before they
    exist; never computes them."""
    if not has_vectors(info):
        return None
    return _stored_vectors(home, info.id, info.version, info)


@st.cache_data(show_spinner="Tagging every interaction…", max_entries=8)
def zero_shot_tags(home: str, dataset_id: str, version: int, scheme: str, descriptions: tuple, keywords: tuple,
                   threshold: float, multi_label: bool, _info: DatasetInfo) -> pd.DataFrame:
    """Zero-shot tags of every row with text: similarity of its embedding to the label descriptions, keywords first."""
    labels = LabelSet(dict(descriptions), dict(keywords))
    similarity = dataset_vectors(_info) @ label_embeddings(labels.descriptions, device=choose_device(),
                                                           encoder=encoder(dataset_encoder_name(_info))).T
    return tag_interactions(dataset_rows(_info), similarity, labels, TAG_SCHEMES[scheme], threshold=threshold,
                            multi_label=multi_label)
