"""Display-ready tables of a model's evaluation report (from its card's metrics)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

KIND_NAMES = {"tfidf_logreg": "TF-IDF + logistic regression", "embedding_logreg": "MiniLM embeddings + logistic "
              "regression", "transformer": "Fine-tuned MiniLM transformer", "vader": "VADER lexicon"}


def comparison_table(metrics: dict) -> pd.DataFrame:
    """Macro-F1 and accuracy of the model next to the other kinds of its run and VADER, on the same test rows."""
    own = KIND_NAMES.get(metrics.get("kind", "transformer"), "this model")
    rows = [{"model": f"{own} (this model)", "macro_f1": metrics.get("macro_f1"), "accuracy": metrics.get("accuracy"),
             "n_test": metrics.get("n")}]
    for key, report in (metrics.get("baselines") or {}).items():
        if isinstance(report, dict):
            rows.append({"model": report.get("name") or KIND_NAMES.get(key, key), "macro_f1": report.get("macro_f1"),
                         "accuracy": report.get("accuracy"), "n_test": report.get("n")})
    return pd.DataFrame(rows)


def selection_table(metrics: dict) -> pd.DataFrame:
    """The run's model kinds side by side: what chose the winner (validation) and what it scored (test).

    Empty for models trained before best-of runs.
    """
    selection = metrics.get("selection") or {}
    rows = [{"model": row.get("name"), "activated": row.get("kind") == selection.get("winner"),
             "val_macro_f1": row.get("val_macro_f1"), "test_macro_f1": row.get("test_macro_f1"),
             "test_accuracy": row.get("test_accuracy"), "train_s": row.get("train_seconds"),
             "ece_before": row.get("ece_before"), "ece_after": row.get("ece_after")}
            for row in selection.get("candidates") or []]
    return pd.DataFrame(rows)


def stronger_baselines(metrics: dict) -> list[str]:
    """For a model trained before best-of runs: each baseline that beat it on its own test rows, said plainly.

    A best-of run's card says this in its selection warnings instead, so it gets none here.

    >>> stronger_baselines({"macro_f1": 0.70, "baselines": {"tfidf_logreg": {"macro_f1": 0.75, "n": 300}}})
    ['TF-IDF + logistic regression scores higher on the same 300 test rows: macro-F1 0.750 against 0.700.']
    """
    own = metrics.get("macro_f1")
    if metrics.get("selection") or own is None:
        return []
    return [f"{report.get('name') or KIND_NAMES.get(key, key)} scores higher on the same {report.get('n', 0):,} test "
            f"rows: macro-F1 {report['macro_f1']:.3f} against {own:.3f}."
            for key, report in (metrics.get("baselines") or {}).items()
            if isinstance(report, dict) and (report.get("macro_f1") or 0) > own]


def selection_sentence(metrics: dict) -> str:
    """Which kind the run activated and by how much it led on the test rows; "" without a comparison.

    >>> selection_sentence({"selection": {"winner_name": "TF-IDF + LR", "test_margin": 0.031, "runner_up": "transformer",
    ...                     "candidates": [{}, {}, {}]}})
    'TF-IDF + LR was activated: the best validation macro-F1 of 3 models trained on the same rows; +0.031 test macro-F1 against Fine-tuned MiniLM transformer.'
    """
    selection = metrics.get("selection") or {}
    if not selection.get("winner_name"):
        return ""
    text = (f"{selection['winner_name']} was activated: the best validation macro-F1 of "
            f"{len(selection.get('candidates') or [])} models trained on the same rows")
    margin, runner_up = selection.get("test_margin"), selection.get("runner_up")
    if margin is not None and runner_up:
        text += f"; {margin:+.3f} test macro-F1 against {KIND_NAMES.get(runner_up, runner_up)}"
    return text + "."


def per_class_table(metrics: dict) -> pd.DataFrame:
    """Precision, recall, F1 and support per class on the test split."""
    return pd.DataFrame(metrics.get("per_class") or [])


def registry_table(models: list) -> pd.DataFrame:
    """One row per registered model: what it predicts, how well against its baselines, where it ran."""
    return pd.DataFrame([{
        "active": m.active, "name": m.name, "task": m.task, "classes": len(m.labels),
        "kind": KIND_NAMES.get(m.metrics.get("kind", "transformer"), ""), "macro_f1": m.metrics.get("macro_f1"),
        "tfidf_macro_f1": (m.metrics.get("baselines") or {}).get("tfidf_logreg"),
        "vader_macro_f1": (m.metrics.get("baselines") or {}).get("vader"),
        "variant": m.metrics.get("variant", "fp32"),
        "cpu_rows_per_s": (m.metrics.get("speed") or {}).get("cpu_rows_per_s"),
        "device": m.metrics.get("device"), "train_s": m.metrics.get("training_seconds"),
        "folder": "present" if Path(m.folder).is_dir() else "missing: delete or retrain", "model_id": m.model_id,
    } for m in models])


def compare_table(metrics_by_name: dict[str, dict]) -> pd.DataFrame:
    """Models side by side: macro-F1, accuracy, ECE, test rows, then F1 per class (one column per model).

    Each model is measured on its own test split; the ``n_test`` row says how comparable they are.
    """
    columns = {}
    for name, metrics in metrics_by_name.items():
        column = {"macro_f1": metrics.get("macro_f1"), "accuracy": metrics.get("accuracy"),
                  "ece": metrics.get("ece"), "n_test": metrics.get("n")}
        for row in metrics.get("per_class") or []:
            column[f"F1 · {row['label']}"] = row.get("f1")
        columns[name] = column
    table = pd.DataFrame(columns)
    return table.rename_axis("metric").reset_index()
