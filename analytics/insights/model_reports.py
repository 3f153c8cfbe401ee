"""Display-ready tables of a model's evaluation report (from its card's metrics)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd


def comparison_table(metrics: dict) -> pd.DataFrame:
    """Macro-F1 and accuracy of the model next to its baselines, all on the same test rows."""
    rows = [{"model": "fine-tuned model", "macro_f1": metrics.get("macro_f1"), "accuracy": metrics.get("accuracy"),
             "n_test": metrics.get("n")}]
    names = {"tfidf_logreg": "TF-IDF + logistic regression", "vader": "VADER lexicon"}
    for key, report in (metrics.get("baselines") or {}).items():
        if isinstance(report, dict):
            rows.append({"model": names.get(key, key), "macro_f1": report.get("macro_f1"),
                         "accuracy": report.get("accuracy"), "n_test": report.get("n")})
    return pd.DataFrame(rows)


def per_class_table(metrics: dict) -> pd.DataFrame:
    """Precision, recall, F1 and support per class on the test split."""
    return pd.DataFrame(metrics.get("per_class") or [])


def registry_table(models: list) -> pd.DataFrame:
    """One row per registered model: what it predicts, how well against its baselines, where it ran."""
    return pd.DataFrame([{
        "active": m.active, "name": m.name, "task": m.task, "classes": len(m.labels),
        "macro_f1": m.metrics.get("macro_f1"),
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
