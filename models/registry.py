"""Model folders on disk: safetensors weights, tokenizer, config and a ``gapsight.json`` card."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import shutil
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import torch

from models.base import BASE_MODEL_NAME, load_classifier, load_tokenizer, quiet_transformers
from models.inference import model_classes
from models.linear import LinearTextModel
from models.quantize import is_quantized, quantize_int8
from models.text import clean_text

__all__ = [
    "META_FILE",
    "LoadedModel",
    "ModelMeta",
    "RegistryEntry",
    "delete_model",
    "export_zip",
    "fingerprint_data",
    "list_models",
    "load_model",
    "new_model_folder",
    "read_meta",
    "read_test_split",
    "save_linear_model",
    "save_model",
    "update_meta",
]

META_FILE = "gapsight.json"
# The held-out test rows (text, label) a model was evaluated on, so a variant built later (int8)
# is measured on exactly the same rows.
TEST_SPLIT_FILE = "test_split.parquet"
FORMAT_VERSION = 1
_TOKENIZER_FILES = ("tokenizer.json", "vocab.txt")
MODEL_KINDS = ("transformer", "tfidf_logreg", "embedding_logreg")


@dataclass(frozen=True)
class ModelMeta:
    """The card stored with every model (``gapsight.json``).

    Attributes
    ----------
    task : str
        What the model predicts, e.g. ``"sentiment"`` or ``"intent"``.
    labels : tuple of str
        Output order of the model's probabilities.
    base : str
        Model it was fine-tuned from.
    data_fingerprint : str
        :func:`fingerprint_data` of the training texts and labels.
    split_sizes : dict
        Rows in train / validation / test.
    metrics : dict
        Test-split metrics (see ``EvaluationReport.to_dict``), optionally baselines.
    device : str
        Where it was trained.
    training_seconds : float
    throughput : float
        Training examples per second.
    created_at : str
        ISO-8601 UTC time.
    temperature : float
        Softmax temperature to apply at inference.
    variant : str
        ``"fp32"`` or ``"int8"`` (int8 is re-created from the stored fp32 weights on load).
    config : dict
        Fine-tuning settings used.
    kind : str
        ``"transformer"`` (weights in the folder) or a linear kind of :mod:`models.linear`
        (``linear.joblib``; the embedding kind reads the base encoder named by ``base``).
    selected : bool
        Whether the training run that saved it activated it (best validation macro-F1 of its run).
    """

    task: str
    labels: tuple[str, ...]
    base: str = BASE_MODEL_NAME
    data_fingerprint: str = ""
    split_sizes: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    device: str = ""
    training_seconds: float = 0.0
    throughput: float = 0.0
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    temperature: float = 1.0
    variant: str = "fp32"
    config: dict = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    kind: str = "transformer"
    selected: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", tuple(str(v) for v in self.labels))
        if self.variant not in ("fp32", "int8"):
            raise ValueError(f"variant={self.variant!r} should be 'fp32' or 'int8'.")
        if self.kind not in MODEL_KINDS:
            raise ValueError(f"kind={self.kind!r} should be one of {', '.join(MODEL_KINDS)}.")
        if not self.temperature > 0:
            raise ValueError(f"temperature={self.temperature} should be > 0.")

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["labels"] = list(self.labels)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ModelMeta:
        """Build from a parsed card, ignoring keys this version does not know."""
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    @classmethod
    def from_fine_tune(cls, result, *, task: str, data_fingerprint: str, base: str = BASE_MODEL_NAME) -> ModelMeta:
        """Card for a :class:`~models.training.FineTuneResult`."""
        return cls(
            task=task,
            labels=result.classes,
            base=base,
            data_fingerprint=data_fingerprint,
            split_sizes={k: int(len(v)) for k, v in dataclasses.asdict(result.split).items()},
            metrics=result.report.to_dict(),
            device=result.device_name,
            training_seconds=round(float(result.train_seconds), 3),
            throughput=round(float(result.examples_per_second), 3),
            temperature=float(result.temperature),
            config=dataclasses.asdict(result.config),
        )


@dataclass(frozen=True)
class LoadedModel:
    """A model read back from its folder: a transformer and its tokenizer, or a linear model (no tokenizer)."""

    model: torch.nn.Module | LinearTextModel
    tokenizer: object
    meta: ModelMeta
    folder: Path

    @property
    def is_transformer(self) -> bool:
        return self.meta.kind == "transformer"


@dataclass(frozen=True)
class RegistryEntry:
    """One folder under a registry root; ``problem`` explains why ``meta`` is missing."""

    folder: Path
    meta: ModelMeta | None
    problem: str | None = None


def fingerprint_data(texts: Sequence[object], labels: Sequence[object]) -> str:
    """SHA-256 of the (text, label) rows in order: the same data gives the same fingerprint."""
    digest = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        digest.update(json.dumps([clean_text(text), clean_text(label)], ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def new_model_folder(root: str | Path, task: str) -> Path:
    """A fresh, not yet existing folder under ``root`` named after ``task`` and the time."""
    slug = re.sub(r"[^a-z0-9]+", "-", task.lower()).strip("-") or "model"
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return Path(root) / f"{slug}-{stamp}-{uuid.uuid4().hex[:6]}"


def save_model(
    model: torch.nn.Module,
    tokenizer,
    folder: str | Path,
    *,
    meta: ModelMeta,
    overwrite: bool = False,
    test_rows: pd.DataFrame | None = None,
) -> Path:
    """Write ``model`` as a plain transformers folder plus ``gapsight.json``; return the folder.

    The folder appears atomically (written under a hidden temporary name, then renamed), so a
    crash never leaves a half-written model where the registry looks. ``test_rows`` (``text``,
    ``label``) are kept beside the weights as ``test_split.parquet``.

    Raises
    ------
    ValueError
        The folder exists (and ``overwrite`` is False); the model is int8 (save the float
        model with ``meta.variant="int8"`` instead); labels disagree with the model.
    """
    folder = Path(folder)
    if is_quantized(model):
        raise ValueError(
            "int8 models are not saved directly: save the float model with meta variant='int8' "
            "and it will be quantised again when loaded."
        )
    if model_classes(model) != meta.labels:
        raise ValueError(f"meta.labels {list(meta.labels)} differ from the model's labels {list(model_classes(model))}.")
    if folder.exists() and not overwrite:
        raise ValueError(f"Model folder {folder} already exists; choose another folder or pass overwrite=True.")

    def write(staging: Path) -> None:
        with quiet_transformers():
            model.save_pretrained(staging, safe_serialization=True)
            tokenizer.save_pretrained(staging)

    return _write_folder(folder, meta, write, test_rows)


def save_linear_model(model: LinearTextModel, folder: str | Path, *, meta: ModelMeta,
                      test_rows: pd.DataFrame | None = None) -> Path:
    """Write a linear model (``linear.joblib``) and its card, atomically like :func:`save_model`."""
    folder = Path(folder)
    if meta.kind != model.kind or tuple(model.classes) != meta.labels:
        raise ValueError(f"The card (kind {meta.kind!r}, labels {list(meta.labels)}) does not describe this "
                         f"{model.kind!r} model with labels {list(model.classes)}.")
    if folder.exists():
        raise ValueError(f"Model folder {folder} already exists; choose another folder.")
    return _write_folder(folder, meta, model.save, test_rows)


def _write_folder(folder: Path, meta: ModelMeta, write, test_rows: pd.DataFrame | None) -> Path:
    """Write under a hidden temporary name, then rename, so a crash never leaves a half-written model."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".{folder.name}.tmp-{uuid.uuid4().hex[:8]}"
    try:
        staging.mkdir()
        write(staging)
        (staging / META_FILE).write_text(json.dumps(meta.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
        if test_rows is not None:
            test_rows[["text", "label"]].to_parquet(staging / TEST_SPLIT_FILE, index=False)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return folder


def update_meta(folder: str | Path, **changes) -> ModelMeta:
    """Rewrite fields of a model's card atomically (e.g. measured speed); return the new card."""
    folder = Path(folder)
    meta = dataclasses.replace(read_meta(folder), **changes)
    temp = folder / f".{META_FILE}.tmp-{uuid.uuid4().hex[:8]}"
    temp.write_text(json.dumps(meta.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(temp, folder / META_FILE)
    return meta


def read_test_split(folder: str | Path) -> pd.DataFrame:
    """The ``text``, ``label`` rows the model was tested on.

    Raises
    ------
    ValueError
        The model was saved without its test split (trained before this was kept, or elsewhere).
    """
    path = Path(folder) / TEST_SPLIT_FILE
    if not path.is_file():
        raise ValueError(f"Model folder {folder} has no saved test split; fine-tune it again to measure variants "
                         "on the rows it was tested on.")
    return pd.read_parquet(path)


def export_zip(folder: str | Path) -> bytes:
    """The model folder as a zip archive (weights, tokenizer, config, card, test split)."""
    folder = Path(folder)
    read_meta(folder)  # a clear error for a deleted folder
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                archive.write(path, f"{folder.name}/{path.relative_to(folder)}")
    return buffer.getvalue()


def _broken(folder: Path, reason: str) -> ValueError:
    return ValueError(
        f"Model folder {folder} was deleted or is incomplete ({reason}); delete the registry entry or retrain."
    )


def read_meta(folder: str | Path) -> ModelMeta:
    """The ``gapsight.json`` card of ``folder``; ``ValueError`` when missing or unreadable."""
    folder = Path(folder)
    if not folder.is_dir():
        raise _broken(folder, "the folder does not exist")
    card = folder / META_FILE
    if not card.is_file():
        raise _broken(folder, f"no {META_FILE}")
    try:
        data = json.loads(card.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise TypeError(f"expected a JSON object, found {type(data).__name__}")
        return ModelMeta.from_dict(data)
    except (TypeError, ValueError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise _broken(folder, f"{META_FILE} is unreadable: {exc}") from exc


def load_model(folder: str | Path, *, int8: bool | None = None) -> LoadedModel:
    """Read a model folder written by :func:`save_model` (on CPU, in eval mode).

    Parameters
    ----------
    folder : str or Path
    int8 : bool, optional
        Quantise Linear layers to int8; defaults to the card's ``variant``.

    Raises
    ------
    ValueError
        "Model folder … was deleted or is incomplete …" with the reason.
    """
    folder = Path(folder)
    meta = read_meta(folder)
    if meta.kind != "transformer":
        return _load_linear(folder, meta)
    if not (folder / "config.json").is_file():
        raise _broken(folder, "no config.json")
    if not any(folder.glob("*.safetensors")):
        raise _broken(folder, "no safetensors weights")
    if not any((folder / name).is_file() for name in _TOKENIZER_FILES):
        raise _broken(folder, "no tokenizer files")
    try:
        model = load_classifier(folder)
        tokenizer = load_tokenizer(folder)
    except (OSError, ValueError, RuntimeError, KeyError) as exc:
        raise _broken(folder, f"loading failed: {exc}") from exc
    if model_classes(model) != meta.labels:
        raise _broken(
            folder, f"config labels {list(model_classes(model))} differ from {META_FILE} labels {list(meta.labels)}"
        )
    if int8 if int8 is not None else meta.variant == "int8":
        model = quantize_int8(model)
    return LoadedModel(model=model, tokenizer=tokenizer, meta=meta, folder=folder)


def _load_linear(folder: Path, meta: ModelMeta) -> LoadedModel:
    from models.linear import LINEAR_FILE, load_linear

    if not (folder / LINEAR_FILE).is_file():
        raise _broken(folder, f"no {LINEAR_FILE}")
    try:
        model = load_linear(folder)
    except (OSError, ValueError, KeyError, EOFError, ImportError, AttributeError) as exc:
        raise _broken(folder, f"loading failed: {exc}") from exc
    if tuple(model.classes) != meta.labels:
        raise _broken(folder, f"its labels {list(model.classes)} differ from {META_FILE} labels {list(meta.labels)}")
    return LoadedModel(model=model, tokenizer=None, meta=meta, folder=folder)


def list_models(root: str | Path) -> list[RegistryEntry]:
    """Model folders under ``root``, newest first; unreadable cards are listed last with a problem."""
    root = Path(root)
    if not root.is_dir():
        return []
    entries: list[RegistryEntry] = []
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.name.startswith(".") or not (folder / META_FILE).exists():
            continue
        try:
            entries.append(RegistryEntry(folder=folder, meta=read_meta(folder)))
        except ValueError as exc:
            entries.append(RegistryEntry(folder=folder, meta=None, problem=str(exc)))
    good = sorted((e for e in entries if e.meta is not None), key=lambda e: e.meta.created_at, reverse=True)
    return good + [e for e in entries if e.meta is None]


def delete_model(folder: str | Path) -> bool:
    """Remove a model folder; ``False`` when it was already gone.

    Only folders holding a ``gapsight.json`` (or the hidden staging folders of an interrupted
    save) are removed, so a wrong path cannot wipe unrelated data.
    """
    folder = Path(folder)
    if not folder.exists():
        return False
    is_staging = folder.name.startswith(".") and ".tmp-" in folder.name
    if not folder.is_dir() or not ((folder / META_FILE).is_file() or is_staging):
        raise ValueError(f"{folder} is not a Gapsight model folder (no {META_FILE}); refusing to delete it.")
    shutil.rmtree(folder)
    return True
