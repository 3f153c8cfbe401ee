"""The work behind background jobs and the CLI: train-evaluate-save a classifier, score and evaluate texts."""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.language import detect_languages
from analytics.schema import NEGATIVE_BELOW, POSITIVE_ABOVE
from models.base import BASE_MODEL_NAME, base_path_for
from models.best_of import CalibratedReport, Candidate, fit_linear_candidate, reload_linear_candidate, select
from models.candidate_cards import save_candidates
from models.device import DeviceInfo, choose_device
from models.evaluation import BaselinePredictions, evaluate, vader_applies, vader_baseline
from models.inference import predict
from models.linear import LINEAR_KINDS, TINY_ENCODER
from models.recipes import default_config, kinds_for
from models.registry import ModelMeta, fingerprint_data, load_model, read_meta
from models.text import clean_text
from models.training import FineTuneConfig, ModelFactory, TrainProgress, fine_tune, prepare_training_data, split_for

__all__ = [
    "TINY_MODEL_ENV",
    "EvaluationOutcome",
    "TrainOutcome",
    "clean_labels",
    "describe_train_progress",
    "evaluate_model",
    "format_duration",
    "model_factory_from_env",
    "resolve_device",
    "score_texts",
    "sentiment_labels_from_ratings",
    "train_classifier",
]

# Test hook: when this environment variable is "1", jobs and the CLI fine-tune a tiny randomly
# initialised BERT (models.base.build_tiny_classifier) instead of the packaged MiniLM, so that
# tests can run real worker processes in seconds. Never set it for real use.
TINY_MODEL_ENV = "GAPSIGHT_TINY_MODEL"


@dataclass(frozen=True)
class TrainOutcome:
    """What :func:`train_classifier` did.

    Attributes
    ----------
    folder : Path or None
        The activated (winning) model's folder; ``None`` when the run was cancelled (nothing is saved).
    meta : ModelMeta or None
        Its card (``gapsight.json``).
    report : dict
        Its test-split report (``EvaluationReport.to_dict()``: accuracy, macro-F1, per-class
        precision/recall/F1, confusion, ECE, n); empty when cancelled.
    baselines : dict
        The other kinds' reports (``"tfidf_logreg"``, ``"embedding_logreg"``, ``"transformer"``) and
        ``"vader"`` (sentiment labels only): each of the same shape, with its ``name``, on the same test rows.
    cancelled : bool
    selection : dict
        The best-of comparison (:func:`models.best_of.select`): ``winner``, ``candidates`` with their
        folders and figures, ``test_margin``, ``warnings``.
    folders : dict
        Model kind → saved folder, for every kind the run fitted.
    """

    folder: Path | None
    meta: ModelMeta | None
    report: dict
    baselines: dict
    cancelled: bool
    selection: dict = dataclasses.field(default_factory=dict)
    folders: dict = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationOutcome:
    """A saved model's quality on labelled texts (see :func:`evaluate_model`).

    Attributes
    ----------
    report : dict
        ``EvaluationReport.to_dict()`` of the model on the usable rows.
    baselines : dict
        ``{"vader": {...}}`` when the model's labels are sentiment labels, else empty.
    n_evaluated : int
        Rows with both a text and a label.
    n_skipped : int
        Rows left out because the text or the label was empty.
    labels : tuple of str
        The model's labels.
    """

    report: dict
    baselines: dict
    n_evaluated: int
    n_skipped: int
    labels: tuple[str, ...]


def format_duration(seconds: float | None) -> str:
    """Seconds as a short duration for progress lines.

    Examples
    --------
    >>> format_duration(42), format_duration(80), format_duration(3720)
    ('42 s', '1 min 20 s', '1 h 2 min')
    """
    if seconds is None or not math.isfinite(seconds):
        return ""
    total = max(0, round(seconds))
    if total < 60:
        return f"{total} s"
    if total < 3600:
        return f"{total // 60} min {total % 60} s"
    return f"{total // 3600} h {total % 3600 // 60} min"


_PHASE_MESSAGES = {
    "calibrate": "calibrating confidence on the validation split",
    "test": "scoring the test split",
    "done": "training finished",
    "baselines": "comparing the models on the test split",
    "speed": "timing CPU scoring",
    "saving": "saving the models and timing CPU scoring",
    "tfidf_logreg": "fitting TF-IDF + logistic regression",
    "embedding_logreg": "fitting MiniLM embeddings + logistic regression",
}


def describe_train_progress(event: TrainProgress) -> str:
    """One line for a progress bar.

    Examples
    --------
    ``"epoch 2/3 · step 340/512 · loss 0.41 · val macro-F1 0.78 · ETA 1 min 20 s · CPU (2 threads)"``
    """
    if event.phase == "embedding_logreg" and event.total_steps:
        return f"embedding texts {event.step:,}/{event.total_steps:,} for the embedding model · {event.device_name}"
    if event.phase in _PHASE_MESSAGES:
        return f"{_PHASE_MESSAGES[event.phase]} · {event.device_name}"
    parts = [f"epoch {max(event.epoch, 1)}/{event.epochs}", f"step {event.step}/{event.total_steps}"]
    if event.train_loss is not None and math.isfinite(event.train_loss):
        parts.append(f"loss {event.train_loss:.2f}")
    if event.val_macro_f1 is not None:
        parts.append(f"val macro-F1 {event.val_macro_f1:.2f}")
    if event.eta_seconds is not None and event.step < event.total_steps:
        parts.append(f"ETA {format_duration(event.eta_seconds)}")
    parts.append(event.device_name)
    return " · ".join(parts)


def model_factory_from_env() -> ModelFactory | None:
    """The tiny test model factory when ``GAPSIGHT_TINY_MODEL=1`` (a test hook), else ``None``."""
    if os.environ.get(TINY_MODEL_ENV, "").strip() != "1":
        return None
    from models.base import build_tiny_classifier

    def tiny(labels: Sequence[str]):
        return build_tiny_classifier(labels, seed=0)

    return tiny


def resolve_device(device: DeviceInfo | str | None) -> DeviceInfo:
    """A :class:`DeviceInfo` from itself, a preference (``"auto"``, ``"cpu"``, ``"cuda"``) or ``None``."""
    return device if isinstance(device, DeviceInfo) else choose_device(device)


def clean_labels(values: Sequence[object]) -> list[str | None]:
    """Label cells as text; ``None`` where missing. Integral floats read as integers (``4.0`` → ``"4"``).

    Examples
    --------
    >>> clean_labels(["pos", 4.0, None, float("nan"), " "])
    ['pos', '4', None, None, None]
    """
    labels: list[str | None] = []
    for value in values:
        if isinstance(value, float | np.floating) and not math.isnan(value) and float(value).is_integer():
            value = int(value)
        text = clean_text(value)
        labels.append(text or None)
    return labels


def sentiment_labels_from_ratings(
    normalised_ratings: Sequence[float],
    *,
    negative_below: float = NEGATIVE_BELOW,
    positive_above: float = POSITIVE_ABOVE,
) -> list[str | None]:
    """Sentiment labels from ratings normalised to 0–1 (see ``analytics.ingest.ratings.normalise_ratings``).

    On a 1–5 scale (0, 0.25, 0.5, 0.75, 1) this gives 1–2 → negative, 3 → neutral, 4–5 → positive;
    thresholds on the normalised value make it work for any scale. Missing ratings (None, NaN)
    give ``None``, so those rows are left out of training.

    Examples
    --------
    >>> sentiment_labels_from_ratings([0.0, 0.25, 0.5, 0.75, 1.0, float("nan")])
    ['negative', 'negative', 'neutral', 'positive', 'positive', None]
    """
    if not 0.0 <= negative_below <= positive_above <= 1.0:
        raise ValueError(
            f"negative_below={negative_below} and positive_above={positive_above} should satisfy "
            "0 <= negative_below <= positive_above <= 1."
        )
    values = pd.to_numeric(pd.Series(list(normalised_ratings), dtype=object), errors="coerce").to_numpy(float)
    labels: list[str | None] = []
    for value in values:
        if math.isnan(value):
            labels.append(None)
        elif value < negative_below:
            labels.append("negative")
        elif value > positive_above:
            labels.append("positive")
        else:
            labels.append("neutral")
    return labels


def _baseline_report(
    baseline: BaselinePredictions, y_true: Sequence[str], classes: tuple[str, ...]
) -> dict:
    proba = None
    if baseline.proba is not None:
        # Columns in the model's class order, so the ECE compares like with like.
        column = {name: j for j, name in enumerate(baseline.classes)}
        proba = np.zeros((len(y_true), len(classes)))
        for j, name in enumerate(classes):
            if name in column:
                proba[:, j] = baseline.proba[:, column[name]]
    report = evaluate(y_true, baseline.labels, proba, labels=classes)
    return {"name": baseline.name, **report.to_dict()}


class _RunProgress:
    """Turns each kind's progress into one bar over the whole best-of run (the transformer takes most of it)."""

    def __init__(self, progress, kinds: tuple[str, ...], device: DeviceInfo) -> None:
        self.progress, self.device = progress, device
        weights = {"tfidf_logreg": 1.0, "embedding_logreg": 2.0, "transformer": 12.0}
        total = sum(weights[k] for k in kinds) or 1.0
        self.spans, start = {}, 0.0
        for kind in kinds:
            self.spans[kind] = (start / total, (start + weights[kind]) / total)
            start += weights[kind]
        self.last: TrainProgress | None = None

    def _at(self, kind: str, share: float) -> float:
        low, high = self.spans[kind]
        return low + (high - low) * min(max(share, 0.0), 1.0)

    def transformer(self, event: TrainProgress) -> None:
        self.last = event
        share = 1.0 if event.phase in ("calibrate", "test", "done") else event.step / max(event.total_steps, 1)
        self._send(dataclasses.replace(event, overall=self._at("transformer", share)))

    def phase(self, phase: str, kind: str | None = None, done: int = 0, total: int = 0) -> None:
        overall = self._at(kind, done / total if total else 0.0) if kind else 1.0
        base = self.last or TrainProgress(phase, 0, 0, 0, 0, None, None, None, 0.0, None, self.device.name)
        self._send(dataclasses.replace(base, phase=phase, step=done, total_steps=total, overall=overall,
                                       eta_seconds=None))

    def _send(self, event: TrainProgress) -> None:
        if self.progress is not None:
            self.progress(event)


def _transformer_candidate(texts, labels, split, *, base, config, device, model_factory, tokenizer, tracker,
                           should_stop) -> Candidate | None:
    """Fine-tune ``base`` on the run's split; ``None`` when cancelled."""
    base_path = None if model_factory is not None else base_path_for(base)
    result = fine_tune(texts, labels, config=config, device=device, model_factory=model_factory, base_path=base_path,
                       tokenizer=tokenizer, progress=tracker.transformer, should_stop=should_stop)
    if result.cancelled:
        return None
    scored = CalibratedReport(result.calibration, result.test_proba, result.report, result.ece_before)
    return Candidate("transformer", result.model, result.tokenizer, result.best_val_macro_f1, scored,
                     result.train_seconds, {"fine_tune": result, "base": base})


def _vader_report(classes: tuple[str, ...], test_texts: list[str], test_labels: list[str]) -> dict | None:
    if not vader_applies(classes):
        return None
    return _baseline_report(vader_baseline(test_texts, classes), test_labels, classes)


def train_classifier(
    texts: Sequence[object],
    labels: Sequence[object],
    *,
    task: str,
    models_root: str | Path,
    config: FineTuneConfig | None = None,
    recipe: str = "auto",
    device: DeviceInfo | str | None = None,
    name: str = "",
    data_source: str = "",
    progress: Callable[[TrainProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    model_factory: ModelFactory | None = None,
    tokenizer=None,
    reuse: Sequence[str | Path] = (),
    base: str = BASE_MODEL_NAME,
) -> TrainOutcome:
    """Fit the recipe's model kinds on one split, save each to the registry and choose the one to activate.

    Parameters
    ----------
    texts, labels : sequences of the same length
        Rows with an empty text or label are left out (see ``prepare_training_data``).
    task : str
        What the model predicts (``"sentiment"``, ``"intent"``, a label column's name).
    models_root : str or Path
        Registry folder; each model kind is saved in a new folder under it.
    config : FineTuneConfig, optional
        Defaults to :func:`models.recipes.default_config` for the device.
    recipe : str
        ``"auto"``, ``"full"`` or ``"quick"`` (:func:`models.recipes.kinds_for`).
    device : DeviceInfo or str, optional
        ``None`` picks CUDA when available.
    name : str
        Names the model folders (defaults to ``task``).
    data_source : str
        Where the data came from (dataset id, file name), recorded in the cards.
    progress : callable(TrainProgress), optional
        Progress of the whole run (``event.fraction``), with phases ``"tfidf_logreg"``,
        ``"embedding_logreg"``, the fine-tune's, then ``"baselines"``, ``"speed"`` and ``"saving"``.
    should_stop : callable() -> bool, optional
        When it returns True the run ends as cancelled and nothing is saved.
    model_factory, tokenizer : optional
        Passed to :func:`models.training.fine_tune`; a test factory also makes the embedding model use
        the tiny test encoder.
    base : str
        The base model the transformer is fine-tuned from and the embedding model encodes with
        (:func:`models.base.choose_base` picks it from a dataset's languages).
    reuse : folders, optional
        Linear models an earlier run saved (the CPU's quick run before its background fine-tune): one
        fitted on the same rows, split and encoder is scored again instead of refitted, and its card
        gets this run's comparison; no new folder is made for it.

    Raises
    ------
    ValueError
        Unusable data, settings or recipe, with a message saying what to change.
    """
    texts, labels = list(texts), list(labels)
    device = resolve_device(device)
    config = config or default_config(cuda=device.is_cuda)
    kinds = kinds_for(recipe, cuda=device.is_cuda)
    data = prepare_training_data(texts, labels, min_per_label=config.min_examples_per_label,
                                 max_labels=config.max_labels)
    split = split_for(data, config)
    fingerprint = fingerprint_data(texts, labels)
    tracker = _RunProgress(progress, kinds, device)
    stopped = (lambda: False) if should_stop is None else should_stop
    cancelled = TrainOutcome(folder=None, meta=None, report={}, baselines={}, cancelled=True)
    encoder = TINY_ENCODER if model_factory is not None else base
    reusable = _reusable(reuse, fingerprint=fingerprint, config=config, classes=data.classes, encoder=encoder)
    candidates: list[Candidate] = []
    for kind in kinds:
        if stopped():
            return cancelled
        if kind == "transformer":
            candidate = _transformer_candidate(texts, labels, split, base=base, config=config, device=device,
                                               model_factory=model_factory, tokenizer=tokenizer, tracker=tracker,
                                               should_stop=should_stop)
            if candidate is None:
                return cancelled
        elif kind in reusable:
            tracker.phase(kind, kind)
            loaded = reusable[kind]
            candidate = reload_linear_candidate(
                loaded.folder, loaded.model, data, split, device=device, train_seconds=loaded.meta.training_seconds,
                calibrate_scores=config.calibrate,
                progress=lambda done, total, kind=kind: tracker.phase(kind, kind, done, total))
        else:
            tracker.phase(kind, kind)
            candidate = fit_linear_candidate(
                kind, data, split, device=device, seed=config.seed, encoder_name=encoder,
                max_length=config.max_length, calibrate_scores=config.calibrate,
                progress=lambda done, total, kind=kind: tracker.phase(kind, kind, done, total))
        candidates.append(candidate)
    selection = select(candidates)
    tracker.phase("baselines")
    test_texts = [data.texts[i] for i in split.test]
    test_labels = [data.labels[i] for i in split.test]
    languages = pd.Series(detect_languages(data.texts), dtype=object).value_counts()
    common = {"data": {"name": name or task, "source": data_source, "rows": len(texts), "rows_used": len(data.texts),
                       "dropped_empty_text": data.n_dropped_empty, "dropped_unlabelled": data.n_dropped_unlabelled,
                       "languages": {str(k): int(n) for k, n in languages.items() if k}},
              "validation": _validation_details(candidates)}
    if stopped():
        return cancelled
    tracker.phase("saving")
    saved = save_candidates(candidates, selection, task=task, name=name, models_root=Path(models_root),
                            fingerprint=fingerprint, split_sizes=split.sizes, device=device,
                            config=config, test_rows=pd.DataFrame({"text": test_texts, "label": test_labels}),
                            common=common, vader=_vader_report(data.classes, test_texts, test_labels))
    folder, meta = saved[selection["winner"]]
    return TrainOutcome(folder=folder, meta=meta, report={k: v for k, v in meta.metrics.items()
                                                          if k in _REPORT_KEYS},
                        baselines=meta.metrics["baselines"], cancelled=False,
                        selection=meta.metrics["selection"], folders={k: f for k, (f, _) in saved.items()})


def _reusable(folders: Sequence[str | Path], *, fingerprint: str, config: FineTuneConfig, classes: tuple[str, ...],
              encoder: str) -> dict:
    """Kind → loaded linear model, for the earlier models fitted on exactly this run's rows and split."""
    found = {}
    for folder in folders:
        try:
            meta = read_meta(folder)
            same = (meta.kind in LINEAR_KINDS and meta.data_fingerprint == fingerprint and meta.labels == classes
                    and all(meta.config.get(k) == getattr(config, k)
                            for k in ("seed", "validation_fraction", "test_fraction"))
                    and (meta.kind != "embedding_logreg" or meta.base == encoder))
            if same and meta.variant == "fp32":
                found.setdefault(meta.kind, load_model(folder))
        except ValueError:
            continue  # deleted meanwhile: fitted again
    return found


_REPORT_KEYS = ("accuracy", "macro_f1", "weighted_f1", "ece", "n", "per_class", "confusion")


def _validation_details(candidates: Sequence[Candidate]) -> dict:
    transformer = next((c for c in candidates if c.kind == "transformer"), None)
    if transformer is None:
        return {}
    result = transformer.details["fine_tune"]
    return {"best_epoch": result.best_epoch, "best_step": result.best_step, "steps_run": result.steps_run,
            "stopped_early": result.stopped_early}


def load_scorer(
    folder: str | Path, *, device: DeviceInfo | str | None = None, batch_size: int | None = None
) -> Callable[..., pd.DataFrame]:
    """``score(texts, progress=None)`` for the saved model in ``folder``, loaded once for every call.

    Each call returns what :func:`score_texts` returns; scoring a big file chunk by chunk with one
    scorer loads the weights once.

    Raises
    ------
    ValueError
        The folder was deleted or is incomplete.
    """
    device = resolve_device(device)
    # int8 variants are CPU-only; on a GPU the stored float weights are used.
    loaded = load_model(folder, int8=False if device.is_cuda else None)
    max_length = int(loaded.meta.config.get("max_length") or device.default_max_length)

    if not loaded.is_transformer:
        def score_linear(texts: Sequence[object], progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
            return loaded.model.predict(list(texts), temperature=loaded.meta.temperature, device=device,
                                        progress=progress).to_frame()

        return score_linear

    def score(texts: Sequence[object], progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
        return predict(loaded.model, loaded.tokenizer, list(texts), device=device, batch_size=batch_size,
                       max_length=max_length, temperature=loaded.meta.temperature, progress=progress).to_frame()

    return score


def score_texts(
    folder: str | Path,
    texts: Sequence[object],
    *,
    device: DeviceInfo | str | None = None,
    batch_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Predictions of the saved model in ``folder`` for ``texts``, one row per text in input order.

    Returns
    -------
    pd.DataFrame
        ``label`` (None for empty texts), ``confidence``, ``is_empty`` and one ``proba_<class>``
        column per class, with the model's calibration temperature applied.

    Raises
    ------
    ValueError
        The folder was deleted or is incomplete.
    """
    return load_scorer(folder, device=device, batch_size=batch_size)(texts, progress)


def evaluate_model(
    folder: str | Path,
    texts: Sequence[object],
    labels: Sequence[object],
    *,
    device: DeviceInfo | str | None = None,
    batch_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EvaluationOutcome:
    """Report of the saved model in ``folder`` on labelled texts, plus VADER when it applies.

    Rows with an empty text or label are skipped.

    Raises
    ------
    ValueError
        No usable row; labels the model does not know; a deleted model folder.
    """
    texts = list(texts)
    labels = clean_labels(labels)
    if len(texts) != len(labels):
        raise ValueError(f"There are {len(texts)} texts but {len(labels)} labels; they must be the same rows.")
    keep = [i for i, (t, v) in enumerate(zip(texts, labels, strict=True)) if clean_text(t) and v]
    if not keep:
        raise ValueError("No row has both a text and a label; check the text and label columns.")
    y_texts = [clean_text(texts[i]) for i in keep]
    y_true = [labels[i] for i in keep]
    classes = read_meta(folder).labels
    unknown = sorted(set(y_true) - set(classes))
    if unknown:
        raise ValueError(
            f"The data has labels {unknown} that the model does not predict (its labels are {list(classes)}); "
            "evaluate on a column with the model's labels."
        )
    frame = score_texts(folder, y_texts, device=device, batch_size=batch_size, progress=progress)
    proba = frame[[f"proba_{c}" for c in classes]].to_numpy()
    report = evaluate(y_true, frame["label"].tolist(), proba, labels=classes)
    baselines = {}
    if vader_applies(classes):
        baselines["vader"] = _baseline_report(vader_baseline(y_texts, classes), y_true, classes)
    return EvaluationOutcome(
        report=report.to_dict(),
        baselines=baselines,
        n_evaluated=len(keep),
        n_skipped=len(texts) - len(keep),
        labels=classes,
    )
