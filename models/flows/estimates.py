"""How long a job will take, said before it starts, from speeds measured on this machine.

Fine-tunes take the speed of the newest model trained on the same kind of device (its card), scoring
the speed measured for the model itself, embedding the speed of the last embedding job here. The
seconds travel with the job (``JobSpec.expected_seconds``), so the queue can say when each job starts.
"""
from __future__ import annotations

from dataclasses import dataclass

from analytics.store.model_rows import RegisteredModel
from models.device import choose_device
from models.jobs import JobStatus, rough_duration


@dataclass(frozen=True)
class Estimate:
    """A duration and where it comes from; ``str()`` gives the phrase shown after "Started …"."""

    seconds: float
    speed: float
    basis: str

    @property
    def phrase(self) -> str:
        """"about 6 min at the 40 texts/s the last fine-tune ran at on this CPU"."""
        return f"{rough_duration(self.seconds)} at the {self.speed:,.0f} texts/s {self.basis}"

    def __str__(self) -> str:
        return f" ({self.phrase})"


def _where(device_name: str) -> str:
    return "this CPU" if device_name.split()[:1] == ["CPU"] else "this GPU"


def fine_tune_estimate(models: list[RegisteredModel], *, n_texts: int, epochs: int, device_name: str,
                       train_share: float = 0.8) -> Estimate | None:
    """From the newest model trained on the same kind of device; None when none was.

    >>> m = RegisteredModel("m", "topic", "m", "/x", None, (), {"throughput": 40.0, "device": "CPU (2 threads)"}, True)
    >>> str(fine_tune_estimate([m], n_texts=9_000, epochs=2, device_name="CPU (2 threads)"))
    ' (about 6 min at the 40 texts/s the last fine-tune ran at on this CPU)'
    >>> fine_tune_estimate([m], n_texts=9_000, epochs=2, device_name="NVIDIA H200") is None
    True
    """
    kind = device_name.split()[:1]
    for model in models:  # newest first
        speed = float(model.metrics.get("throughput") or 0)
        tuned = model.metrics.get("kind", "transformer") == "transformer"
        if tuned and speed > 0 and str(model.metrics.get("device") or "").split()[:1] == kind:
            return Estimate(n_texts * train_share * epochs / speed, speed,
                            f"the last fine-tune ran at on {_where(device_name)}")
    return None


def scoring_estimate(model: RegisteredModel, n_texts: int) -> Estimate | None:
    """From the model card's CPU speed; None when unmeasured (or on a GPU, where scoring takes seconds).

    >>> m = RegisteredModel("m", "sentiment", "m", "/x", None, (), {"speed": {"cpu_rows_per_s": 130.0}}, True)
    >>> str(scoring_estimate(m, 15_600))
    ' (about 2 min at the 130 texts/s measured for it on this CPU)'
    """
    speed = float((model.metrics.get("speed") or {}).get("cpu_rows_per_s") or 0)
    if speed <= 0 or choose_device().is_cuda:
        return None
    return Estimate(n_texts / speed, speed, "measured for it on this CPU")


def embedding_estimate(jobs: list[JobStatus], *, n_texts: int, device_name: str) -> Estimate | None:
    """From the newest finished embedding job on the same kind of device; None when there was none.

    >>> done = JobStatus("e", "embed", "t", state="done", device="CPU (2 threads)", result={"throughput": 260.0})
    >>> str(embedding_estimate([done], n_texts=20_000, device_name="CPU (2 threads)"))
    ' (about 1 min at the 260 texts/s the last embedding ran at on this CPU)'
    """
    kind = device_name.split()[:1]
    for job in jobs:  # newest first
        speed = float((job.result or {}).get("throughput") or 0)
        if job.kind == "embed" and job.state == "done" and speed > 0 and job.device.split()[:1] == kind:
            return Estimate(n_texts / speed, speed, f"the last embedding ran at on {_where(device_name)}")
    return None


def seconds_of(estimate: Estimate | None) -> float | None:
    """What a job spec records: the estimate's seconds, or None."""
    return None if estimate is None else round(estimate.seconds, 1)


def training_estimate(models: list[RegisteredModel], jobs: list[JobStatus], *, n_texts: int, recipe: str,
                      device, config=None) -> Estimate | None:
    """A best-of run: embedding every text (the embedding model) plus, when the recipe fits it, the fine-tune.

    The TF-IDF model takes seconds and is left out. None when neither speed was measured here yet.
    """
    from models.recipes import default_config, kinds_for, planned_steps

    kinds = kinds_for(recipe, cuda=device.is_cuda)
    embedding = embedding_estimate(jobs, n_texts=n_texts, device_name=device.name) or _embedding_model_estimate(
        models, n_texts=n_texts, device_name=device.name)
    if "transformer" not in kinds:
        return embedding
    config = config or default_config(cuda=device.is_cuda)
    train_share = 1 - config.validation_fraction - config.test_fraction
    n_train = max(1, round(n_texts * train_share))
    epochs = planned_steps(config, n_train) * config.batch_size / n_train  # max_steps may cut the last epoch
    tune = fine_tune_estimate(models, n_texts=n_texts, epochs=epochs, device_name=device.name,
                              train_share=train_share)
    if tune is None or embedding is None:
        return tune
    return Estimate(tune.seconds + embedding.seconds, tune.speed, tune.basis)


def _embedding_model_estimate(models: list[RegisteredModel], *, n_texts: int, device_name: str) -> Estimate | None:
    """From the newest embedding model trained on the same kind of device (its card's texts/s, fit included)."""
    kind = device_name.split()[:1]
    for model in models:  # newest first
        speed = float(model.metrics.get("throughput") or 0)
        if (model.metrics.get("kind") == "embedding_logreg" and speed > 0
                and str(model.metrics.get("device") or "").split()[:1] == kind):
            return Estimate(n_texts / speed, speed, f"the last embedding model trained at on {_where(device_name)}")
    return None
