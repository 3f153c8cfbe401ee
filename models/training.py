"""Fine-tune a sequence classifier: validated data, stratified split, training loop, calibration, report."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import f1_score

from models.base import load_classifier, load_tokenizer
from models.best_of import CalibratedReport, calibrated_report
from models.calibration import Calibration
from models.device import DeviceInfo, autocast, choose_device, padded_width
from models.evaluation import EvaluationReport
from models.inference import classifier_logits, predict_proba, run_batches
from models.windows import pad_id_of
from models.labels import DataSplit, TrainingData, prepare_training_data, split_dataset
from models.recipes import FineTuneConfig, planned_steps

__all__ = [
    "DataSplit",
    "FineTuneConfig",
    "FineTuneResult",
    "ModelFactory",
    "TrainProgress",
    "TrainingData",
    "fine_tune",
    "prepare_training_data",
    "split_dataset",
    "split_for",
]

ModelFactory = Callable[[Sequence[str]], torch.nn.Module]


@dataclass(frozen=True)
class TrainProgress:
    """A snapshot of a running fine-tune, for progress bars and job logs."""

    phase: str  # "train", "evaluate", "calibrate", "test" or "done"
    step: int
    total_steps: int
    epoch: int
    epochs: int
    train_loss: float | None
    val_macro_f1: float | None
    best_val_macro_f1: float | None
    examples_per_second: float
    eta_seconds: float | None
    device_name: str
    overall: float | None = None  # share of a whole best-of run done, set by models.tasks.train_classifier

    @property
    def fraction(self) -> float:
        if self.overall is not None:
            return self.overall
        return self.step / self.total_steps if self.total_steps else 1.0


@dataclass(frozen=True)
class FineTuneResult:
    """What :func:`fine_tune` produced.

    Attributes
    ----------
    model, tokenizer
        The best model (restored from the best validation macro-F1), in eval mode.
    classes : tuple of str
        Output order of the model's probabilities.
    temperature : float
        Softmax temperature fitted on the validation split (1.0 when not calibrated).
    calibration : Calibration
        The temperature fit, with the note saying why it was not fitted or was clipped.
    ece_before : float
        Test-split ECE before temperature scaling (``report.ece`` is after).
    report : EvaluationReport
        Test-split quality of the calibrated best model.
    test_proba : np.ndarray
        Test-split probabilities (rows in ``split.test`` order).
    split : DataSplit
        Indices into the caller's ``texts``/``labels`` (dropped rows are in no split).
    history : pd.DataFrame
        One row per evaluation: step, epoch, train_loss, val_macro_f1, is_best.
    best_step, best_epoch : int
    best_val_macro_f1 : float
    steps_run : int
    stopped_early, cancelled : bool
    n_dropped_empty, n_dropped_unlabelled : int
    train_seconds : float
        Wall time of the whole fine-tune, evaluation and calibration included.
    examples_per_second : float
        Training throughput (training steps only).
    device_name : str
    config : FineTuneConfig
    """

    model: torch.nn.Module
    tokenizer: object
    classes: tuple[str, ...]
    temperature: float
    report: EvaluationReport
    test_proba: np.ndarray
    split: DataSplit
    history: pd.DataFrame
    best_step: int
    best_epoch: int
    best_val_macro_f1: float
    steps_run: int
    stopped_early: bool
    cancelled: bool
    n_dropped_empty: int
    n_dropped_unlabelled: int
    train_seconds: float
    examples_per_second: float
    device_name: str
    config: FineTuneConfig = field(repr=False)
    calibration: Calibration | None = None
    ece_before: float = float("nan")


def split_for(data: TrainingData, config: FineTuneConfig) -> DataSplit:
    """The run's train / validation / test rows (indices into ``data``): the same for every model kind."""
    return split_dataset(data.labels, validation_fraction=config.validation_fraction,
                         test_fraction=config.test_fraction, seed=config.seed,
                         min_per_label=config.min_examples_per_label)


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def _length_grouped_batches(
    lengths: np.ndarray, batch_size: int, rng: np.random.Generator, *, group_batches: int = 50
) -> list[np.ndarray]:
    """Shuffled batches of similar-length rows: sort within random mega-batches, shuffle batch order."""
    order = rng.permutation(len(lengths))
    batches: list[np.ndarray] = []
    span = batch_size * group_batches
    for start in range(0, len(order), span):
        group = order[start : start + span]
        group = group[np.argsort(-lengths[group], kind="stable")]
        batches.extend(group[i : i + batch_size] for i in range(0, len(group), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


def _pad_training_batch(
    ids: Sequence[Sequence[int]], pad_id: int, device: DeviceInfo
) -> dict[str, torch.Tensor]:
    width = padded_width(max(len(seq) for seq in ids), device)
    input_ids = torch.full((len(ids), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for row, seq in enumerate(ids):
        input_ids[row, : len(seq)] = torch.as_tensor(seq, dtype=torch.long)
        mask[row, : len(seq)] = 1
    return {
        "input_ids": input_ids.to(device.torch_device, non_blocking=True),
        "attention_mask": mask.to(device.torch_device, non_blocking=True),
    }


def _head_parameters(model: torch.nn.Module) -> set[int]:
    """Ids of the parameters of the new classification head (randomly initialised, so trained faster)."""
    head = getattr(model, "classifier", None)
    return {id(p) for p in head.parameters()} if isinstance(head, torch.nn.Module) else set()


def _optimizer(model: torch.nn.Module, config: FineTuneConfig, device: DeviceInfo) -> torch.optim.Optimizer:
    head = _head_parameters(model)
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        # Biases and LayerNorm gains are not regularised (the BERT recipe).
        (no_decay if param.ndim < 2 or "LayerNorm" in name else decay).append(param)
    head_lr = config.head_learning_rate or config.learning_rate
    groups = [
        {"params": [p for p in decay if id(p) not in head], "weight_decay": config.weight_decay},
        {"params": [p for p in no_decay if id(p) not in head], "weight_decay": 0.0},
        {"params": [p for p in decay if id(p) in head], "weight_decay": config.weight_decay, "lr": head_lr},
        {"params": [p for p in no_decay if id(p) in head], "weight_decay": 0.0, "lr": head_lr},
    ]
    groups = [group for group in groups if group["params"]]
    # The fused kernel exists for CPU and CUDA and is several times faster than the
    # per-parameter loop, which matters most for the large embedding matrix.
    return torch.optim.AdamW(groups, lr=config.learning_rate, fused=device.kind in ("cpu", "cuda"))


def _linear_schedule(optimizer: torch.optim.Optimizer, warmup: int, total: int) -> torch.optim.lr_scheduler.LambdaLR:
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / (warmup + 1)
        return max(0.0, (total - step) / max(1, total - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


class _TrainClock:
    """Seconds spent in training steps, queued GPU work included.

    Started at each step, stopped (after a CUDA synchronise) before anything that is not
    training, so that evaluation and progress reporting do not count against throughput.
    """

    def __init__(self, device: DeviceInfo) -> None:
        self._device = device
        self._since: float | None = None
        self.seconds = 0.0

    def start(self) -> None:
        if self._since is None:
            self._since = time.perf_counter()

    def stop(self) -> float:
        if self._since is not None:
            if self._device.is_cuda:
                torch.cuda.synchronize(self._device.torch_device)
            self.seconds += time.perf_counter() - self._since
            self._since = None
        return self.seconds


def _snapshot(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}


@dataclass
class _TrainingRun:
    """What the steps of one fine-tune share: fixed inputs first, then the state training updates."""

    config: FineTuneConfig
    epochs: int
    device: DeviceInfo
    data: TrainingData
    split: DataSplit
    targets: np.ndarray
    tokenizer: object
    encoded: list[list[int]]
    lengths: np.ndarray
    pad_id: int
    eval_batch: int
    weight: torch.Tensor | None
    total_steps: int
    report_every: int
    progress: Callable[[TrainProgress], None] | None
    # Everything below changes as training runs.
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LambdaLR
    rng: np.random.Generator
    clock: _TrainClock
    # The running loss stays on the device and is read only when reported: reading it every
    # step would make the host wait for the GPU each time.
    epoch_loss: torch.Tensor
    epoch_batches: int = 0
    step: int = 0
    epoch: int = 0
    seen: int = 0
    history: list[dict] = field(default_factory=list)
    best_state: dict[str, torch.Tensor] | None = None
    best_f1: float = -1.0
    best_step: int = 0
    best_epoch: int = 0
    stale: int = 0
    last_f1: float | None = None
    stopped_early: bool = False
    cancelled: bool = False

    @property
    def train_loss(self) -> float | None:
        """Mean loss over this epoch's steps so far (None before the first step)."""
        return float(self.epoch_loss) / self.epoch_batches if self.epoch_batches else None


def _load_model(
    classes: tuple[str, ...], base_path: str | Path | None, model_factory: ModelFactory | None, device: DeviceInfo
) -> torch.nn.Module:
    """Build or load the classifier and make its label mapping match the data's classes."""
    model = model_factory(classes) if model_factory is not None else load_classifier(base_path, labels=classes)
    if int(model.config.num_labels) != len(classes):
        raise ValueError(f"The model has {model.config.num_labels} outputs but the data has {len(classes)} labels.")
    model.config.id2label = dict(enumerate(classes))
    model.config.label2id = {name: j for j, name in enumerate(classes)}
    model.to(device.torch_device)
    return model


def _prepare_run(
    texts: Sequence[object],
    labels: Sequence[object],
    config: FineTuneConfig,
    device: DeviceInfo,
    *,
    base_path: str | Path | None,
    model_factory: ModelFactory | None,
    tokenizer,
    progress: Callable[[TrainProgress], None] | None,
) -> _TrainingRun:
    """Validate and split the data, tokenise it once and set up the model, optimizer and schedule."""
    data = prepare_training_data(
        texts, labels, min_per_label=config.min_examples_per_label, max_labels=config.max_labels
    )
    split = split_for(data, config)
    classes = data.classes
    class_index = {name: j for j, name in enumerate(classes)}
    targets = np.asarray([class_index[v] for v in data.labels], dtype=np.int64)

    # Seeded before the model is built, so that a new head is initialised the same way every run.
    _seed_everything(config.seed)
    tokenizer = tokenizer or load_tokenizer(base_path)
    model = _load_model(classes, base_path, model_factory, device)

    encoded = tokenizer(
        [text[: config.max_length * 20] for text in data.texts],  # bounds work on huge rows
        truncation=True,
        max_length=config.max_length,
        return_attention_mask=False,
        return_token_type_ids=False,
    )["input_ids"]

    weight = None
    if config.class_weights:
        counts = np.bincount(targets[split.train], minlength=len(classes)).astype(np.float64)
        weight = torch.as_tensor(
            len(split.train) / (len(classes) * counts), dtype=torch.float32, device=device.torch_device
        )

    per_epoch = math.ceil(len(split.train) / config.batch_size)
    total_steps = planned_steps(config, len(split.train))
    epochs = math.ceil(total_steps / per_epoch)
    optimizer = _optimizer(model, config, device)
    return _TrainingRun(
        config=config,
        epochs=epochs,
        device=device,
        data=data,
        split=split,
        targets=targets,
        tokenizer=tokenizer,
        encoded=encoded,
        lengths=np.asarray([len(seq) for seq in encoded]),
        pad_id=pad_id_of(tokenizer),
        eval_batch=config.eval_batch_size or device.default_batch_size,
        weight=weight,
        total_steps=total_steps,
        report_every=max(1, total_steps // 100),
        progress=progress,
        model=model,
        optimizer=optimizer,
        scheduler=_linear_schedule(optimizer, math.ceil(config.warmup_ratio * total_steps), total_steps),
        rng=np.random.default_rng(config.seed),
        clock=_TrainClock(device),
        epoch_loss=torch.zeros((), device=device.torch_device),
    )


def _emit(run: _TrainingRun, phase: str) -> None:
    """Tell the caller's progress callback where the run stands."""
    if run.progress is None:
        return
    train_time = run.clock.stop()
    run.progress(
        TrainProgress(
            phase=phase, step=run.step, total_steps=run.total_steps, epoch=run.epoch, epochs=run.epochs,
            train_loss=run.train_loss, val_macro_f1=run.last_f1,
            best_val_macro_f1=run.best_f1 if run.best_f1 >= 0 else None,
            examples_per_second=run.seen / train_time if train_time > 0 else 0.0,
            eta_seconds=(run.total_steps - run.step) * (train_time / run.step) if run.step else None,
            device_name=run.device.name,
        )
    )


def _validation_logits(run: _TrainingRun) -> np.ndarray:
    """Validation-split logits in eval mode (no dropout), leaving the model in training mode."""
    run.model.eval()
    logits = run_batches(
        run.model, [run.encoded[i] for i in run.split.validation], device=run.device, pad_id=run.pad_id,
        batch_size=run.eval_batch, forward=classifier_logits,
    )
    run.model.train()
    return logits


def _evaluate(run: _TrainingRun) -> bool:
    """Score the validation split and keep the best weights; True when patience has run out."""
    run.clock.stop()
    predicted = _validation_logits(run).argmax(axis=1)
    run.last_f1 = float(f1_score(run.targets[run.split.validation], predicted, average="macro", zero_division=0))
    improved = run.last_f1 > run.best_f1
    if improved:
        run.best_f1, run.best_step, run.best_epoch, run.stale = run.last_f1, run.step, run.epoch, 0
        run.best_state = _snapshot(run.model)
    else:
        run.stale += 1
    train_loss = run.train_loss
    run.history.append(
        {
            "step": run.step, "epoch": run.epoch,
            "train_loss": float("nan") if train_loss is None else train_loss,
            "val_macro_f1": run.last_f1, "is_best": improved,
        }
    )
    _emit(run, "evaluate")
    return run.stale >= run.config.early_stopping_patience


def _train_step(run: _TrainingRun, rows: np.ndarray) -> None:
    """One optimizer step on the given training rows."""
    config, device, model = run.config, run.device, run.model
    batch = _pad_training_batch([run.encoded[i] for i in rows], run.pad_id, device)
    target = torch.as_tensor(run.targets[rows], device=device.torch_device)
    with autocast(device):
        logits = model(**batch).logits
    loss = torch.nn.functional.cross_entropy(logits.float(), target, weight=run.weight)
    loss.backward()
    if config.grad_clip > 0:
        torch.nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
    run.optimizer.step()
    run.scheduler.step()
    run.optimizer.zero_grad(set_to_none=True)
    run.epoch_loss += loss.detach()
    run.epoch_batches += 1
    run.step += 1
    run.seen += len(rows)


def _run_epoch(run: _TrainingRun, should_stop: Callable[[], bool] | None) -> None:
    """One pass over the training split, with step-based evaluation; sets cancelled or stopped_early."""
    config = run.config
    run.epoch_loss, run.epoch_batches = torch.zeros((), device=run.device.torch_device), 0
    train_idx = run.split.train
    for batch_rows in _length_grouped_batches(run.lengths[train_idx], config.batch_size, run.rng):
        if run.step >= run.total_steps:  # max_steps ends the last epoch early
            return
        if should_stop is not None and should_stop():
            run.cancelled = True
            return
        run.clock.start()
        _train_step(run, train_idx[batch_rows])
        if run.step % run.report_every == 0:
            _emit(run, "train")
        if config.eval_every is not None and run.step % config.eval_every == 0 and _evaluate(run):
            run.stopped_early = run.step < run.total_steps
            return


def _train(run: _TrainingRun, should_stop: Callable[[], bool] | None) -> float:
    """Train until the last epoch, early stopping or cancellation, then load the best weights.

    Returns the seconds spent in training steps.
    """
    config = run.config
    run.model.train()
    _emit(run, "train")
    for epoch in range(1, run.epochs + 1):
        run.epoch = epoch
        _run_epoch(run, should_stop)
        if run.cancelled or run.stopped_early:
            break
        per_epoch = config.eval_every is None
        # With step-based evaluation, make sure the final weights are evaluated too.
        final_unevaluated = epoch == run.epochs and not per_epoch and run.step % config.eval_every != 0
        if (per_epoch or final_unevaluated) and _evaluate(run):
            run.stopped_early = epoch < run.epochs
            break

    train_time = run.clock.stop()
    if run.best_state is None:  # cancelled before the first evaluation
        _evaluate(run)
    run.model.load_state_dict(run.best_state)
    run.model.eval()
    return train_time


def _calibrate_and_report(run: _TrainingRun) -> CalibratedReport:
    """Fit the (bounded) temperature on validation, then score the held-out test split with and without it."""
    _emit(run, "calibrate")
    val_logits = _validation_logits(run)
    run.model.eval()
    _emit(run, "test")
    data, test_idx = run.data, run.split.test
    raw = predict_proba(
        run.model, run.tokenizer, [data.texts[i] for i in test_idx], device=run.device, batch_size=run.eval_batch,
        max_length=run.config.max_length,
    )
    scored = calibrated_report(val_logits, run.targets[run.split.validation], np.log(np.clip(raw, 1e-12, None)),
                               [data.labels[i] for i in test_idx], data.classes, fit=run.config.calibrate)
    _emit(run, "done")
    return scored


def fine_tune(
    texts: Sequence[object],
    labels: Sequence[object],
    *,
    config: FineTuneConfig | None = None,
    device: DeviceInfo | None = None,
    base_path: str | Path | None = None,
    model_factory: ModelFactory | None = None,
    tokenizer=None,
    progress: Callable[[TrainProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> FineTuneResult:
    """Fine-tune the whole network with a classification head on ``labels``.

    Steps: drop empty/unlabelled rows and validate labels; stratified split; length-grouped
    batches with dynamic padding; AdamW with linear warm-up and decay, gradient clipping,
    class-weighted cross-entropy, bf16 autocast on CUDA; evaluation on the validation split
    every ``eval_every`` steps (or each epoch) with early stopping on macro-F1, keeping the
    best weights; temperature scaling on validation logits; a report on the test split.

    Parameters
    ----------
    texts, labels : sequences of the same length
    config : FineTuneConfig, optional
    device : DeviceInfo, optional
        Defaults to :func:`models.device.choose_device`.
    base_path : str or Path, optional
        Transformers folder to start from (default: the packaged MiniLM).
    model_factory : callable(labels) -> model, optional
        Builds the model instead of loading ``base_path`` (tests use a tiny BERT).
    tokenizer : optional
        Defaults to the tokenizer at ``base_path`` (or the packaged one).
    progress : callable(TrainProgress), optional
        Called about 100 times over the run, after each evaluation and at each phase.
    should_stop : callable() -> bool, optional
        Polled before every step; when it returns True training ends, the best weights so
        far are kept and the result says ``cancelled=True``.

    Raises
    ------
    ValueError
        For unusable data (see :func:`prepare_training_data`) or settings.
    """
    config = config or FineTuneConfig()
    device = device or choose_device()
    started = time.perf_counter()
    run = _prepare_run(
        texts, labels, config, device,
        base_path=base_path, model_factory=model_factory, tokenizer=tokenizer, progress=progress,
    )
    train_time = _train(run, should_stop)
    scored = _calibrate_and_report(run)
    data, split = run.data, run.split
    return FineTuneResult(
        model=run.model,
        tokenizer=run.tokenizer,
        classes=data.classes,
        temperature=scored.calibration.temperature,
        report=scored.report,
        test_proba=scored.test_proba,
        calibration=scored.calibration,
        ece_before=scored.ece_before,
        # Back to positions in the caller's input, which still holds the dropped rows.
        split=DataSplit(
            train=data.positions[split.train],
            validation=data.positions[split.validation],
            test=data.positions[split.test],
        ),
        history=pd.DataFrame(run.history, columns=["step", "epoch", "train_loss", "val_macro_f1", "is_best"]),
        best_step=run.best_step,
        best_epoch=run.best_epoch,
        best_val_macro_f1=run.best_f1,
        steps_run=run.step,
        stopped_early=run.stopped_early,
        cancelled=run.cancelled,
        n_dropped_empty=data.n_dropped_empty,
        n_dropped_unlabelled=data.n_dropped_unlabelled,
        train_seconds=time.perf_counter() - started,
        examples_per_second=run.seen / train_time if train_time > 0 else 0.0,
        device_name=device.name,
        config=config,
    )
