"""The two linear text classifiers every training run fits beside the transformer, as servable models.

- ``tfidf_logreg``: word 1–2-gram and character 2–5-gram TF-IDF + class-balanced logistic regression.
- ``embedding_logreg``: mean-pooled embeddings of the frozen base encoder + logistic regression: the
  CPU-friendly model (seconds to fit once the texts are embedded), strong on few labels.

Both pick their regularisation on the validation rows, are saved with joblib beside a ``gapsight.json``
card, and score texts like a transformer does (:class:`models.inference.Predictions`, a temperature).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.pipeline import FeatureUnion, make_pipeline

from analytics.words import tfidf_terms
from models.base import base_path_for, build_tiny_classifier, load_tokenizer
from models.device import DeviceInfo
from models.embeddings import Encoder, embed, load_encoder
from models.inference import Predictions, softmax
from models.text import clean_text

__all__ = [
    "LINEAR_FILE",
    "LINEAR_KINDS",
    "TINY_ENCODER",
    "LinearTextModel",
    "encoder_named",
    "fit_embedding_logreg",
    "fit_tfidf_logreg",
    "load_linear",
]

LINEAR_FILE = "linear.joblib"
LINEAR_KINDS = ("tfidf_logreg", "embedding_logreg")
# The encoder of the embedding model in tests (GAPSIGHT_TINY_MODEL=1): the tiny random BERT, rebuilt
# from its seed on load, so test runs never embed with the real MiniLM.
TINY_ENCODER = "tiny-test-bert"
_C_GRID = {"tfidf_logreg": (1.0, 4.0, 16.0), "embedding_logreg": (1.0, 4.0, 16.0, 64.0)}
_TFIDF_BLOCK = 4096  # rows scored between progress reports


@functools.lru_cache(maxsize=2)
def encoder_named(name: str) -> Encoder:
    """The frozen encoder an embedding model was fitted on, loaded once per process."""
    if name == TINY_ENCODER:
        return Encoder(model=build_tiny_classifier(["a", "b"], seed=0).bert, tokenizer=load_tokenizer())
    return load_encoder(base_path_for(name))


@dataclass
class LinearTextModel:
    """A fitted linear classifier over texts; ``estimator`` sees texts (TF-IDF) or embeddings."""

    kind: str
    classes: tuple[str, ...]
    estimator: object
    encoder_name: str = ""
    C: float = 1.0
    max_length: int = 128

    def _features(self, texts: list[str], device: DeviceInfo | None, progress: Callable | None):
        if self.kind == "tfidf_logreg":
            return texts
        from models.device import choose_device

        return embed(texts, device=device or choose_device("cpu"), encoder=encoder_named(self.encoder_name),
                     max_length=self.max_length, progress=progress)

    def log_proba(self, texts: Sequence[str], *, device: DeviceInfo | None = None,
                  progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Log-probabilities (n × classes) of non-empty, cleaned texts: the "logits" calibration fits on."""
        texts = list(texts)
        if not texts:
            return np.zeros((0, len(self.classes)))
        if self.kind == "embedding_logreg":
            proba = self.estimator.predict_proba(self._features(texts, device, progress))
        else:
            blocks = []
            for start in range(0, len(texts), _TFIDF_BLOCK):
                blocks.append(self.estimator.predict_proba(texts[start:start + _TFIDF_BLOCK]))
                if progress is not None:
                    progress(min(start + _TFIDF_BLOCK, len(texts)), len(texts))
            proba = np.vstack(blocks)
        return np.log(np.clip(proba, 1e-12, None))

    def predict(self, texts: Sequence[object], *, temperature: float = 1.0, device: DeviceInfo | None = None,
                progress: Callable[[int, int], None] | None = None) -> Predictions:
        """Labels, confidences and probabilities, with empty texts left unlabelled (uniform scores)."""
        cleaned = [clean_text(t) for t in texts]
        empty = np.asarray([not t for t in cleaned], dtype=bool)
        k = len(self.classes)
        proba = np.full((len(cleaned), k), 1.0 / k, dtype=np.float32)
        keep = np.flatnonzero(~empty)
        if len(keep):
            scores = self.log_proba([cleaned[i] for i in keep], device=device, progress=progress)
            proba[keep] = softmax(scores, temperature)
        labels = np.array([self.classes[j] for j in proba.argmax(axis=1)], dtype=object)
        labels[empty] = None
        confidence = proba.max(axis=1) if len(proba) else np.zeros(0, dtype=np.float32)
        for array in (proba, labels, confidence, empty):
            array.setflags(write=False)
        return Predictions(proba=proba, labels=labels, confidence=confidence, empty_mask=empty, classes=self.classes)

    def score_fn(self, *, temperature: float = 1.0) -> Callable[[list[str]], np.ndarray]:
        """Probabilities of texts, for :func:`models.explain.explain_occlusion`."""
        return lambda texts: np.asarray(self.predict(texts, temperature=temperature).proba)

    def save(self, folder: Path) -> None:
        joblib.dump({"kind": self.kind, "classes": list(self.classes), "estimator": self.estimator,
                     "encoder_name": self.encoder_name, "C": self.C, "max_length": self.max_length},
                    folder / LINEAR_FILE, compress=3)


def load_linear(folder: str | Path) -> LinearTextModel:
    """Read the model a :meth:`LinearTextModel.save` wrote (our own files only: joblib runs pickles)."""
    data = joblib.load(Path(folder) / LINEAR_FILE)
    return LinearTextModel(kind=data["kind"], classes=tuple(data["classes"]), estimator=data["estimator"],
                           encoder_name=data.get("encoder_name", ""), C=float(data.get("C", 1.0)),
                           max_length=int(data.get("max_length", 128)))


def _logreg(C: float, seed: int) -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=seed)


def _best_by_validation(make: Callable[[float], object], grid: Sequence[float], x_train, y_train, x_val, y_val):
    """The estimator and C with the best validation macro-F1 (ties: the stronger regularisation)."""
    best = None
    for C in grid:
        estimator = make(C).fit(x_train, y_train)
        score = f1_score(y_val, estimator.predict(x_val), average="macro", zero_division=0)
        if best is None or score > best[0] + 1e-9:
            best = (score, C, estimator)
    return best[2], best[1]


def _tfidf_pipeline(C: float, seed: int):
    features = FeatureUnion([
        # Word 1–2-grams, and character 1–3-grams of Chinese runs (which have no spaces to find words by).
        ("words", TfidfVectorizer(analyzer=tfidf_terms, sublinear_tf=True, min_df=1, max_features=200_000)),
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2,
                                  max_features=300_000)),
    ])
    return make_pipeline(features, _logreg(C, seed))


def fit_tfidf_logreg(train_texts: Sequence[str], train_labels: Sequence[str], val_texts: Sequence[str],
                     val_labels: Sequence[str], *, classes: tuple[str, ...], seed: int = 0) -> LinearTextModel:
    """TF-IDF + logistic regression on cleaned texts, C chosen on the validation rows."""
    estimator, C = _best_by_validation(lambda c: _tfidf_pipeline(c, seed), _C_GRID["tfidf_logreg"],
                                       list(train_texts), list(train_labels), list(val_texts), list(val_labels))
    return LinearTextModel("tfidf_logreg", _ordered(classes, estimator), estimator, C=C)


def fit_embedding_logreg(train_vectors: np.ndarray, train_labels: Sequence[str], val_vectors: np.ndarray,
                         val_labels: Sequence[str], *, classes: tuple[str, ...], encoder_name: str,
                         max_length: int, seed: int = 0) -> LinearTextModel:
    """Logistic regression on frozen sentence embeddings, C chosen on the validation rows."""
    estimator, C = _best_by_validation(lambda c: _logreg(c, seed), _C_GRID["embedding_logreg"],
                                       train_vectors, list(train_labels), val_vectors, list(val_labels))
    return LinearTextModel("embedding_logreg", _ordered(classes, estimator), estimator, encoder_name=encoder_name,
                           C=C, max_length=max_length)


def _ordered(classes: tuple[str, ...], estimator) -> tuple[str, ...]:
    """The estimator's class order, which must be the task's (sorted, every class in the training rows)."""
    fitted = tuple(str(c) for c in estimator.classes_)
    if fitted != tuple(classes):
        raise ValueError(f"The training rows hold the labels {list(fitted)}, not {list(classes)}.")
    return fitted
