"""How long a job will take, said before it starts, from speeds measured on this machine (model cards)."""
from __future__ import annotations

from analytics.store.model_rows import RegisteredModel
from models.device import choose_device


def _about(seconds: float) -> str:
    """A duration as people estimate it: "under a minute", "about 6 min"."""
    minutes = seconds / 60
    return "under a minute" if minutes < 1 else f"about {minutes:,.0f} min"


def fine_tune_estimate(models: list[RegisteredModel], *, n_texts: int, epochs: int, device_name: str,
                       train_share: float = 0.8) -> str:
    """" (about 6 min at the 40 texts/s the last fine-tune ran at on this CPU)": from the newest model
    trained on the same kind of device, "" when none was.

    >>> m = RegisteredModel("m", "topic", "m", "/x", None, (), {"throughput": 40.0, "device": "CPU (2 threads)"}, True)
    >>> fine_tune_estimate([m], n_texts=9_000, epochs=2, device_name="CPU (2 threads)")
    ' (about 6 min at the 40 texts/s the last fine-tune ran at on this CPU)'
    """
    kind = device_name.split()[0]
    for model in models:  # newest first
        speed = float(model.metrics.get("throughput") or 0)
        if speed > 0 and str(model.metrics.get("device") or "").split()[:1] == [kind]:
            where = "this CPU" if kind == "CPU" else "this GPU"
            return f" ({_about(n_texts * train_share * epochs / speed)} at the {speed:,.0f} texts/s the last fine-tune ran at on {where})"
    return ""


def scoring_estimate(model: RegisteredModel, n_texts: int) -> str:
    """" (about 2 min at the 130 texts/s measured for it on this CPU)", from the model card; "" when unmeasured.

    >>> m = RegisteredModel("m", "sentiment", "m", "/x", None, (), {"speed": {"cpu_rows_per_s": 130.0}}, True)
    >>> scoring_estimate(m, 15_600)
    ' (about 2 min at the 130 texts/s measured for it on this CPU)'
    """
    speed = float((model.metrics.get("speed") or {}).get("cpu_rows_per_s") or 0)
    if speed <= 0 or choose_device().is_cuda:
        return ""
    return f" ({_about(n_texts / speed)} at the {speed:,.0f} texts/s measured for it on this CPU)"
