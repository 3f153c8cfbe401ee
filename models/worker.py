"""Run one background job: ``python -m models.worker <job_dir>`` (started by ``models.jobs.start_job``).

Reads ``spec.json``, trains, scores, embeds or builds an int8 variant with progress written to ``status.json``, writes
``result.json`` and the final state, and exits 0 whatever happened (the state says how it went).
Only files under the job's home are written; the DuckDB store is never opened.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from models.threads import (  # noqa: E402
    JobThreadGovernor,
    apply_torch_threads,
    available_cores,
    thread_environment,
    worker_threads,
)

# Before numpy and torch load: their OpenMP / MKL / OpenBLAS runtimes read the thread counts once.
for _name, _value in thread_environment(worker_threads()).items():
    os.environ.setdefault(_name, _value)

import contextlib  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402

import pandas as pd  # noqa: E402

from models.base import BASE_MODEL_NAME  # noqa: E402
from models.jobs import (  # noqa: E402
    CANCEL_FILE,
    PREDICTIONS_FILE,
    SPEC_FILE,
    JobCancelled,
    JobRecorder,
    JobSpec,
    cpu_lock,
    gpu_lock,
)

__all__ = ["main", "run_job"]


def _log(message: str) -> None:
    print(f"[{time.strftime('%Y-%m-%d %H:%M:%S')}] {message}", flush=True)


class _Governor:
    """The running job's :class:`models.threads.JobThreadGovernor` (None on a GPU or before the device is known)."""

    current: JobThreadGovernor | None = None


def _between_steps(recorder: JobRecorder) -> None:
    """Called between steps and blocks: follow the thread budget, and end the job at a cancel."""
    if _Governor.current is not None:
        _Governor.current.adjust()
    if recorder.cancel_requested():
        raise JobCancelled()


def _read_input(spec: JobSpec, *, need_label: bool) -> pd.DataFrame:
    path = Path(spec.input_path)
    if not path.is_file():
        raise ValueError(f"The job's input file {path} is missing; start the job again.")
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise ValueError(f"The job's input file {path} could not be read ({exc}); start the job again.") from exc
    needed = ["record_id", "text"] + (["label"] if need_label else [])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(
            f"The job's input file lacks the column(s) {missing} (it has {list(frame.columns)})."
        )
    return frame.reset_index(drop=True)


# Shares of the progress bar: loading before training, the run itself (models.tasks reports its share of it).
_TRAIN_START, _TRAIN_END = 0.02, 0.98


def _train(spec: JobSpec, folder: Path, recorder: JobRecorder, device) -> tuple[str, dict]:
    from models.registry import read_meta
    from models.tasks import describe_train_progress, model_factory_from_env, train_classifier

    frame = _read_input(spec, need_label=True)
    config = spec.fine_tune_config(cuda=device.is_cuda)
    home = folder.parent.parent
    logged_phase = [""]

    def stop_now() -> bool:
        # A cancel ends the job at the next step or phase: nothing it computed would be kept anyway
        # (fine_tune alone would still calibrate and report on its test split, minutes on a CPU).
        _between_steps(recorder)
        return False

    def on_progress(event) -> None:
        stop_now()
        fraction = _TRAIN_START + (_TRAIN_END - _TRAIN_START) * event.fraction
        message = describe_train_progress(event)
        recorder.update(
            fraction=fraction, message=message, step=event.step, total_steps=event.total_steps,
            epoch=event.epoch, train_loss=event.train_loss, val_macro_f1=event.val_macro_f1,
            eta_seconds=event.eta_seconds if event.phase in ("train", "evaluate") else None,
            device=event.device_name,
        )
        if event.phase != "train" or logged_phase[0] != "train":
            _log(message)
        logged_phase[0] = event.phase

    lock = contextlib.nullcontext()
    if device.is_cuda:
        def waiting() -> None:
            recorder.update(force=True, state="queued", message="waiting for the GPU")
            _log("waiting for the GPU (another training job holds it)")

        lock = gpu_lock(home, on_wait=waiting, should_stop=recorder.cancel_requested)
    with lock:
        recorder.mark_running(f"loading the model · {device.name}", fraction=0.01)
        _log(f"training {spec.task!r} on {len(frame)} rows · {device.name}")
        outcome = train_classifier(
            frame["text"].tolist(), frame["label"].tolist(), task=spec.task, config=config, device=device,
            models_root=home / "models", name=spec.name or spec.task,
            data_source=spec.dataset_id or Path(spec.input_path).name, progress=on_progress,
            should_stop=stop_now, model_factory=model_factory_from_env(), recipe=spec.recipe,
            reuse=_reused_folders(spec.reuse_models, home), base=spec.base or BASE_MODEL_NAME,
        )
    if outcome.cancelled:
        raise JobCancelled()
    meta, selection = outcome.meta, outcome.selection
    for kind, saved in outcome.folders.items():
        _log(f"saved {kind}: {saved}")
    for warning in selection.get("warnings", []):
        _log(f"warning: {warning}")
    summary = (f"{selection['winner_name']} activated · test macro-F1 {outcome.report['macro_f1']:.2f} on "
               f"{outcome.report['n']} rows, best of {len(outcome.folders)} on the same split")
    return summary, {
        "model_folder": str(outcome.folder),
        "task": meta.task,
        "labels": list(meta.labels),
        "report": outcome.report,
        "baselines": outcome.baselines,
        "selection": selection,
        "candidates": [_candidate_result(row, read_meta(row["folder"])) for row in selection["candidates"]],
        "split_sizes": meta.split_sizes,
        "temperature": meta.temperature,
        "training_seconds": meta.training_seconds,
        "throughput": meta.throughput,
        "device": meta.device,
        "data_fingerprint": meta.data_fingerprint,
        "speed": meta.metrics.get("speed", {}),
    }


def _wait_for_reused_jobs(spec: JobSpec, home: Path, recorder: JobRecorder) -> None:
    """Wait (queued, cancellable) for the earlier jobs whose models this run reuses, before taking the CPU."""
    from models.jobs import job_status

    def active() -> list[str]:
        waiting = []
        for entry in spec.reuse_models:
            with contextlib.suppress(ValueError):  # a folder, or a deleted job: nothing to wait for
                if job_status(entry, home=home).is_active:
                    waiting.append(entry)
        return waiting

    told = False
    while active():
        if recorder.cancel_requested():
            raise JobCancelled()
        if not told:
            recorder.update(force=True, state="queued", message="queued: waiting for the quick models it builds on")
            _log("waiting for the jobs whose models it reuses")
            told = True
        time.sleep(0.5)


def _reused_folders(entries: list[str], home: Path) -> list[str]:
    """Model folders to reuse: a job id stands for the folders its finished run saved (none while it runs)."""
    from models.jobs import job_status

    folders = []
    for entry in entries:
        if Path(entry).is_dir():
            folders.append(entry)
            continue
        try:
            result = job_status(entry, home=home).result or {}
        except ValueError:
            continue  # that job was deleted: everything is fitted again
        folders += [row["folder"] for row in result.get("candidates", [])]
    return folders


def _candidate_result(row: dict, meta) -> dict:
    """What the app registers for each model kind of the run (the card holds the full report)."""
    metrics = meta.metrics
    return {**row, "report": {k: metrics.get(k) for k in ("accuracy", "macro_f1", "weighted_f1", "ece", "n")},
            "baselines": metrics.get("baselines", {}), "speed": metrics.get("speed", {}), "device": meta.device,
            "training_seconds": meta.training_seconds, "throughput": meta.throughput,
            "selected": meta.selected}


def _score(spec: JobSpec, folder: Path, recorder: JobRecorder, device) -> tuple[str, dict]:
    from models.tasks import format_duration, score_texts

    frame = _read_input(spec, need_label=False)
    recorder.mark_running(f"loading the model · {device.name}", fraction=0.01)
    _log(f"scoring {len(frame)} texts with {spec.model_folder} · {device.name}")
    started = time.monotonic()

    def on_progress(done: int, total: int) -> None:
        _between_steps(recorder)
        elapsed = time.monotonic() - started
        eta = elapsed / done * (total - done) if done else None
        parts = [f"scored {done:,}/{total:,} texts"]
        if eta is not None and done < total:
            parts.append(f"ETA {format_duration(eta)}")
        parts.append(device.name)
        recorder.update(
            fraction=0.02 + 0.93 * done / max(total, 1), message=" · ".join(parts),
            step=done, total_steps=total, eta_seconds=eta,
        )

    if recorder.cancel_requested():
        raise JobCancelled()
    predictions = score_texts(spec.model_folder, frame["text"].tolist(), device=device, progress=on_progress)
    if recorder.cancel_requested():
        raise JobCancelled()
    recorder.update(fraction=0.97, message="writing the predictions")
    output = pd.concat([frame[["record_id"]], predictions], axis=1)
    path = folder / PREDICTIONS_FILE
    temp = folder / f".{PREDICTIONS_FILE}.tmp"
    output.to_parquet(temp, index=False)
    os.replace(temp, path)
    labels = [c.removeprefix("proba_") for c in predictions.columns if c.startswith("proba_")]
    _log(f"wrote {path}")
    return f"Scored {len(output):,} texts", {
        "predictions_path": str(path),
        "rows": len(output),
        "empty_texts": int(predictions["is_empty"].sum()),
        "model_folder": spec.model_folder,
        "labels": labels,
        "device": device.name,
    }


def _quantize(spec: JobSpec, folder: Path, recorder: JobRecorder, device) -> tuple[str, dict]:
    from models.registry import read_meta
    from models.variants import build_int8_variant

    recorder.mark_running("loading the model · CPU", fraction=0.01)
    _log(f"building the int8 variant of {spec.model_folder}")

    def on_progress(fraction: float, message: str) -> None:
        _between_steps(recorder)
        recorder.update(fraction=0.02 + 0.95 * fraction, message=message)

    target = build_int8_variant(spec.model_folder, name=spec.name, progress=on_progress)
    metrics = read_meta(target).metrics
    before = metrics["compared_with"]
    _log(f"saved {target}")
    summary = (f"int8 variant saved · macro-F1 {metrics['macro_f1']:.3f} (fp32 {before['macro_f1']:.3f}) · "
               f"{metrics['speed']['cpu_rows_per_s']:,.0f} rows/s on the CPU (fp32 {before['cpu_rows_per_s']:,.0f})")
    report = {k: metrics.get(k) for k in ("macro_f1", "accuracy", "ece", "n")}
    return summary, {"model_folder": str(target), "source_folder": spec.model_folder, "task": spec.task,
                     "labels": list(read_meta(target).labels), "report": report,
                     "baselines": metrics.get("baselines", {}), "speed": metrics["speed"],
                     "compared_with": before, "device": "CPU (int8)"}


def _embed(spec: JobSpec, folder: Path, recorder: JobRecorder, device) -> tuple[str, dict]:
    from models.topic_embeddings import dataset_embeddings

    frame = _read_input(spec, need_label=False)
    recorder.mark_running(f"loading the encoder · {device.name}", fraction=0.01)

    embedded = [0]

    def on_progress(done: int, total: int) -> None:
        _between_steps(recorder)
        embedded[0] = done
        recorder.update(fraction=0.02 + 0.95 * done / max(total, 1), step=done, total_steps=total,
                        message=f"embedded {done:,}/{total:,} texts · {device.name}")

    began = time.perf_counter()
    encoder = None
    if spec.base and spec.base != BASE_MODEL_NAME:  # a mostly non-English dataset: the multilingual encoder
        from models.base import base_path_for
        from models.embeddings import load_encoder

        encoder = load_encoder(base_path_for(spec.base))
    vectors = dataset_embeddings(frame["record_id"].tolist(), frame["text"].tolist(), progress=on_progress,
                                 cache_path=Path(spec.output_path), device=device, encoder=encoder,
                                 reuse_from=[Path(p) for p in spec.config.get("reuse_from", ())])
    _log(f"wrote {spec.output_path}")
    # The speed of the texts really embedded (not those reused from an earlier version), for later estimates.
    throughput = embedded[0] / (time.perf_counter() - began) if embedded[0] >= 100 else None
    return f"Embedded {len(vectors):,} texts", {"cache_path": spec.output_path, "rows": len(vectors),
                                                 "throughput": throughput and round(throughput, 1)}


def _failure_message(exc: Exception) -> str:
    if isinstance(exc, ValueError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "The job ran out of memory; lower the batch size or the maximum length, or use fewer rows."
    if type(exc).__name__ == "OutOfMemoryError":  # torch.cuda.OutOfMemoryError
        return "The GPU ran out of memory; lower the batch size or the maximum length and start again."
    return f"Unexpected error: {type(exc).__name__}: {exc} (see the job log)"


def _cpu_slot(folder: Path, recorder: JobRecorder, device) -> contextlib.AbstractContextManager:
    """On a CPU, wait (queued, cancellable) until no other job computes; on a GPU, run at once."""
    if device.is_cuda:
        return contextlib.nullcontext()

    def waiting() -> None:
        recorder.update(force=True, state="queued",
                        message="queued: another job is using the CPU; this one starts when it ends")
        _log("queued behind another CPU job")

    return cpu_lock(folder.parent.parent, on_wait=waiting, should_stop=recorder.cancel_requested)


def run_job(folder: str | Path) -> str:
    """Run the job in ``folder`` to a final state; return that state."""
    folder = Path(folder).resolve()
    recorder = JobRecorder(folder).start()
    recorder.update(force=True, pid=os.getpid(), message="starting")

    def stop_gracefully(signum, frame) -> None:  # SIGTERM: end like a cancel, saving nothing
        (folder / CANCEL_FILE).touch()

    signal.signal(signal.SIGTERM, stop_gracefully)
    kind = "train"
    try:
        spec = JobSpec.from_json((folder / SPEC_FILE).read_text(encoding="utf-8"))
        kind = spec.kind
        from models.tasks import resolve_device

        device = resolve_device(spec.device)
        on_cpu = not device.is_cuda or kind == "quantize"  # int8 builds run on the CPU
        threads = apply_torch_threads(worker_threads(gpu=not on_cpu))
        _log(f"threads: {threads.intra_op} (of {available_cores()} cores) · "
             f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
        if on_cpu:  # all cores while nobody uses the app, its share given back at the next page view
            _Governor.current = JobThreadGovernor(folder.parent.parent, budget=threads.intra_op)
        recorder.update(device=device.name)
        if not device.is_cuda:
            os.nice(5)  # keep the app responsive while this job uses the CPU
        if recorder.cancel_requested():
            raise JobCancelled()
        work = {"train": _train, "score": _score, "quantize": _quantize, "embed": _embed}[spec.kind]
        _wait_for_reused_jobs(spec, folder.parent.parent, recorder)
        with _cpu_slot(folder, recorder, device):
            summary, result = work(spec, folder, recorder, device)
            # Finished before the slot is released, so a job queued behind this one sees its result.
            recorder.finish("done", message=summary, result=result)
    except JobCancelled:
        nothing = {"score": "no predictions were written", "embed": "no embeddings were written"}.get(
            kind, "no model was saved")
        _log(f"cancelled; {nothing}")
        recorder.finish("cancelled", message=f"Cancelled; {nothing}.")
        return "cancelled"
    except Exception as exc:
        traceback.print_exc()
        message = _failure_message(exc)
        _log(f"failed: {message}")
        recorder.finish("failed", message=message, error=message)
        return "failed"
    _log("done")
    return "done"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m models.worker JOB_DIR", file=sys.stderr)
        return 2
    folder = Path(args[0])
    if not folder.is_dir():
        print(f"error: job folder {folder} does not exist", file=sys.stderr)
        return 2
    run_job(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
