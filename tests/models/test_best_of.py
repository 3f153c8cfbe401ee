"""Best of: on constructed tasks the truly better kind is activated, and a transformer that lost is named."""

import random

import numpy as np
import pytest

from models.best_of import TIE, CalibratedReport, Candidate, calibrated_report, select
from models.calibration import Calibration
from models.evaluation import evaluate
from models.recipes import FineTuneConfig
from models.registry import read_meta
from models.tasks import score_texts, train_classifier

FILLER = "the a of to and in is it for on with as at by this that from".split()
XOR_CONFIG = FineTuneConfig(epochs=40, learning_rate=3e-3, batch_size=16, max_length=16, warmup_ratio=0.05,
                            early_stopping_patience=8, validation_fraction=0.15, test_fraction=0.2)


def _xor_task(n: int = 400, seed: int = 0) -> tuple[list[str], list[str]]:
    """Label = whether two far-apart words agree: no linear model over words or n-grams can represent it."""
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n):
        fruit, colour = rng.random() < 0.5, rng.random() < 0.5
        words = [rng.choice(FILLER) for _ in range(8)]
        words[rng.randrange(0, 3)] = "apple" if fruit else "pear"
        words[rng.randrange(5, 8)] = "red" if colour else "blue"
        texts.append(" ".join(words))
        labels.append("same" if fruit == colour else "different")
    return texts, labels


def _late_keyword_task(n: int = 240, seed: int = 0) -> tuple[list[str], list[str]]:
    """The label is a keyword after 40 filler words: beyond the transformer's 16-token window."""
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        label = ("refund", "delivery", "login")[i % 3]
        texts.append(" ".join(rng.choice(FILLER) for _ in range(40)) + f" {label} problem")
        labels.append(label)
    return texts, labels


def test_the_transformer_wins_where_no_linear_model_can(tmp_path, cpu, tokenizer, tiny_model_factory):
    texts, labels = _xor_task()
    outcome = train_classifier(texts, labels, task="agreement", models_root=tmp_path, config=XOR_CONFIG,
                               recipe="full", device=cpu, model_factory=tiny_model_factory, tokenizer=tokenizer)
    figures = {row["kind"]: row for row in outcome.selection["candidates"]}
    assert outcome.selection["winner"] == "transformer"
    assert figures["transformer"]["val_macro_f1"] > 0.9 > 0.7 > figures["tfidf_logreg"]["val_macro_f1"]
    assert outcome.selection["warnings"] == []
    assert read_meta(outcome.folder).kind == "transformer" and read_meta(outcome.folder).selected


def test_a_baseline_wins_where_the_transformer_cannot_see_the_label(tmp_path, cpu, tokenizer, tiny_model_factory):
    texts, labels = _late_keyword_task()
    config = FineTuneConfig(epochs=2, learning_rate=1e-3, batch_size=16, max_length=16, validation_fraction=0.15,
                            test_fraction=0.2)
    outcome = train_classifier(texts, labels, task="intent", models_root=tmp_path, config=config, recipe="full",
                               device=cpu, model_factory=tiny_model_factory, tokenizer=tokenizer)
    figures = {row["kind"]: row for row in outcome.selection["candidates"]}
    assert outcome.selection["winner"] != "transformer"
    assert figures["tfidf_logreg"]["val_macro_f1"] > 0.95 and figures["transformer"]["val_macro_f1"] < 0.8
    assert outcome.report["macro_f1"] >= figures["tfidf_logreg"]["test_macro_f1"] - TIE  # never worse than TF-IDF
    [warning] = [w for w in outcome.selection["warnings"] if "transformer lost" in w]
    assert outcome.selection["winner_name"] in warning
    assert not read_meta(outcome.folders["transformer"]).selected
    # The activated linear model serves like any model: from its folder, in input order.
    scored = score_texts(outcome.folder, ["x " * 40 + "login problem", "", "y " * 40 + "refund problem"], device=cpu)
    assert scored["label"].tolist() == ["login", None, "refund"]


def _candidate(kind: str, val_f1: float, y_pred: list[str], y_true: list[str]) -> Candidate:
    classes = ("a", "b")
    proba = np.array([[0.8, 0.2] if p == "a" else [0.2, 0.8] for p in y_pred])
    scored = CalibratedReport(Calibration(1.0, True), proba, evaluate(y_true, y_pred, proba, classes), 0.1)
    return Candidate(kind, None, None, val_f1, scored, 1.0)


TRUE = ["a", "a", "b", "b"]


def test_a_near_tie_goes_to_the_cheaper_kind():
    chosen = select([_candidate("transformer", 0.90, TRUE, TRUE),
                     _candidate("embedding_logreg", 0.90 - TIE / 2, TRUE, TRUE),
                     _candidate("tfidf_logreg", 0.85, TRUE, TRUE)])
    assert chosen["winner"] == "embedding_logreg"
    assert [row["kind"] for row in chosen["candidates"]] == ["tfidf_logreg", "embedding_logreg", "transformer"]
    assert any(w.startswith("The fine-tuned transformer tied with MiniLM embeddings") for w in chosen["warnings"])


def test_the_choice_is_made_on_validation_and_a_test_reversal_is_said():
    worse_on_test = ["a", "b", "b", "b"]
    chosen = select([_candidate("transformer", 0.95, worse_on_test, TRUE), _candidate("tfidf_logreg", 0.80, TRUE, TRUE)])
    assert chosen["winner"] == "transformer" and chosen["runner_up"] == "tfidf_logreg"
    assert chosen["test_margin"] == pytest.approx(evaluate(TRUE, worse_on_test).macro_f1 - 1.0, abs=1e-4)
    assert any("On the test rows TF-IDF" in w for w in chosen["warnings"])


def test_calibrated_report_states_ece_before_and_after():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(600, 2)) * 6  # far too confident for labels that agree 75 % of the time
    targets = np.where(rng.random(600) < 0.75, logits.argmax(1), 1 - logits.argmax(1))
    names = np.array(["a", "b"])
    result = calibrated_report(logits[:300], targets[:300], logits[300:], names[targets[300:]].tolist(), ("a", "b"))
    assert result.calibration.fitted and result.calibration.temperature > 1
    assert result.report.ece < result.ece_before
