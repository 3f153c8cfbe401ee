"""Best of: the model kinds of one training run, scored on the same rows, and the one to activate.

Every candidate is calibrated on the validation rows and reported on the test rows the same way
(:func:`calibrated_report`); :func:`select` activates the best validation macro-F1, a near tie going
to the cheaper kind, and says plainly when the fine-tuned transformer lost to a linear model.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from models.calibration import Calibration, calibrate
from models.device import DeviceInfo
from models.embeddings import embed
from models.evaluation import EvaluationReport, evaluate
from models.inference import softmax
from models.labels import DataSplit, TrainingData
from models.linear import LinearTextModel, encoder_named, fit_embedding_logreg, fit_tfidf_logreg
from models.recipes import KIND_NAMES, KINDS

__all__ = [
    "TIE", "CalibratedReport", "Candidate", "calibrated_report", "fit_linear_candidate", "reload_linear_candidate",
    "select",
]

# Validation macro-F1 differences below this are ties (a few rows of a typical validation split).
TIE = 0.002


@dataclass(frozen=True)
class CalibratedReport:
    """A model's test report after temperature scaling, and its ECE before it."""

    calibration: Calibration
    test_proba: np.ndarray
    report: EvaluationReport
    ece_before: float


def calibrated_report(val_logits: np.ndarray, val_targets: np.ndarray, test_logits: np.ndarray,
                      test_labels: Sequence[str], classes: tuple[str, ...], *, fit: bool = True) -> CalibratedReport:
    """Fit the temperature on validation, report the test rows with it (and their ECE without it)."""
    calibration = calibrate(val_logits, val_targets) if fit else Calibration(1.0, False, "Calibration switched off.")
    raw = softmax(np.asarray(test_logits), 1.0)
    proba = softmax(np.asarray(test_logits), calibration.temperature)
    predicted = [classes[j] for j in proba.argmax(axis=1)]
    before = evaluate(list(test_labels), predicted, raw, classes).ece
    return CalibratedReport(calibration, proba.astype(np.float32), evaluate(list(test_labels), predicted, proba,
                                                                          classes), float(before))


@dataclass(frozen=True)
class Candidate:
    """One fitted model kind of a training run, with its figures on the run's shared split."""

    kind: str
    model: object
    tokenizer: object
    val_macro_f1: float
    scored: CalibratedReport
    train_seconds: float
    details: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return KIND_NAMES[self.kind]

    @property
    def temperature(self) -> float:
        return self.scored.calibration.temperature

    @property
    def report(self) -> EvaluationReport:
        return self.scored.report


def _rows(data: TrainingData, index: np.ndarray) -> tuple[list[str], list[str]]:
    return [data.texts[i] for i in index], [data.labels[i] for i in index]


def fit_linear_candidate(kind: str, data: TrainingData, split: DataSplit, *, device: DeviceInfo, seed: int,
                         encoder_name: str, max_length: int, calibrate_scores: bool = True,
                         progress: Callable[[int, int], None] | None = None) -> Candidate:
    """Fit TF-IDF + LR or embeddings + LR on the train rows; choose C and the temperature on validation."""
    started = time.perf_counter()
    train_x, train_y = _rows(data, split.train)
    val_x, val_y = _rows(data, split.validation)
    details: dict = {}
    if kind == "tfidf_logreg":
        model = fit_tfidf_logreg(train_x, train_y, val_x, val_y, classes=data.classes, seed=seed)
        features = {"validation": val_x, "test": _rows(data, split.test)[0]}
    else:
        vectors = embed(data.texts, device=device, encoder=encoder_named(encoder_name), max_length=max_length,
                        progress=progress)
        details["embedding_seconds"] = round(time.perf_counter() - started, 2)
        model = fit_embedding_logreg(vectors[split.train], train_y, vectors[split.validation], val_y,
                                     classes=data.classes, encoder_name=encoder_name, max_length=max_length,
                                     seed=seed)
        features = {"validation": vectors[split.validation], "test": vectors[split.test]}
    details["C"] = model.C
    return _scored_candidate(model, data, split, features, calibrate_scores, time.perf_counter() - started, details)


def reload_linear_candidate(folder: Path, model: LinearTextModel, data: TrainingData, split: DataSplit, *,
                            device: DeviceInfo, train_seconds: float, calibrate_scores: bool = True,
                            progress: Callable[[int, int], None] | None = None) -> Candidate:
    """A linear model an earlier run fitted on the same rows and split, scored again on its validation and
    test rows (so its figures are computed exactly like a fresh candidate's) instead of refitted."""
    val_x, test_x = _rows(data, split.validation)[0], _rows(data, split.test)[0]
    if model.kind == "tfidf_logreg":
        features = {"validation": val_x, "test": test_x}
    else:
        vectors = embed(val_x + test_x, device=device, encoder=encoder_named(model.encoder_name),
                        max_length=model.max_length, progress=progress)
        features = {"validation": vectors[:len(val_x)], "test": vectors[len(val_x):]}
    return _scored_candidate(model, data, split, features, calibrate_scores, train_seconds,
                             {"C": model.C, "reused_folder": str(folder)})


def _scored_candidate(model: LinearTextModel, data: TrainingData, split: DataSplit, features: dict,
                      calibrate_scores: bool, train_seconds: float, details: dict) -> Candidate:
    val_y, test_y = _rows(data, split.validation)[1], _rows(data, split.test)[1]
    val_logits = np.log(np.clip(model.estimator.predict_proba(features["validation"]), 1e-12, None))
    test_logits = np.log(np.clip(model.estimator.predict_proba(features["test"]), 1e-12, None))
    index = {name: j for j, name in enumerate(data.classes)}
    val_targets = np.asarray([index[v] for v in val_y])
    val_f1 = float(f1_score(val_targets, val_logits.argmax(axis=1), average="macro", zero_division=0))
    scored = calibrated_report(val_logits, val_targets, test_logits, test_y, data.classes, fit=calibrate_scores)
    return Candidate(model.kind, model, None, val_f1, scored, train_seconds, details)


def _cost(kind: str) -> int:
    return KINDS.index(kind)


def select(candidates: Sequence[Candidate]) -> dict:
    """Which candidate to activate, and the comparison the report shows (JSON-ready).

    The best validation macro-F1 wins; a candidate within :data:`TIE` of the best counts as tied, and
    the cheapest tied kind wins. Test figures are only reported, never used to choose.
    """
    if not candidates:
        raise ValueError("A training run produced no model to choose from.")
    best = max(c.val_macro_f1 for c in candidates)
    winner = min((c for c in candidates if c.val_macro_f1 >= best - TIE), key=lambda c: _cost(c.kind))
    others = [c for c in candidates if c is not winner]
    runner_up = max(others, key=lambda c: c.report.macro_f1, default=None)
    warnings = []
    transformer = next((c for c in candidates if c.kind == "transformer"), None)
    if transformer is not None and transformer is not winner:
        tied = transformer.val_macro_f1 >= best - TIE
        verdict = (f"tied with {winner.name} (within {TIE:g}), so the cheaper model" if tied
                   else f"lost to {winner.name}, which")
        warnings.append(
            f"The fine-tuned transformer {verdict} is the one activated: validation macro-F1 "
            f"{transformer.val_macro_f1:.3f} against {winner.val_macro_f1:.3f} (test {transformer.report.macro_f1:.3f} "
            f"against {winner.report.macro_f1:.3f}).")
    if runner_up is not None and runner_up.report.macro_f1 > winner.report.macro_f1:
        warnings.append(
            f"On the test rows {runner_up.name} scores higher ({runner_up.report.macro_f1:.3f} against "
            f"{winner.report.macro_f1:.3f}); the choice is made on the validation rows, so the difference is "
            "within what a different split could reverse.")
    notes = [f"{c.name}: {c.scored.calibration.note}" for c in candidates
             if c.scored.calibration.note and not c.scored.calibration.note.startswith("Not calibrated: every")]
    return {
        "winner": winner.kind,
        "winner_name": winner.name,
        "candidates": [_summary(c) for c in sorted(candidates, key=lambda c: _cost(c.kind))],
        "test_margin": None if runner_up is None else round(winner.report.macro_f1 - runner_up.report.macro_f1, 4),
        "runner_up": None if runner_up is None else runner_up.kind,
        "warnings": warnings,
        "calibration_notes": notes,
    }


def _summary(candidate: Candidate) -> dict:
    report, scored = candidate.report, candidate.scored
    return {"kind": candidate.kind, "name": candidate.name, "folder": "",
            "val_macro_f1": round(candidate.val_macro_f1, 4), "test_macro_f1": round(report.macro_f1, 4),
            "test_accuracy": round(report.accuracy, 4), "train_seconds": round(candidate.train_seconds, 2),
            "temperature": round(candidate.temperature, 4),
            "ece_before": None if np.isnan(scored.ece_before) else round(scored.ece_before, 4),
            "ece_after": None if np.isnan(report.ece) else round(report.ece, 4)}
