"""Headless command line: ``python -m models {train,score,evaluate,quantize,list}`` (see ``--help``)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

# Heavy modules (torch, transformers, scikit-learn) are imported inside the commands, after the
# arguments, the input file, the labels and the settings have been checked, so that --help and
# input errors answer at once.

# Rows read from the input at a time. score holds about this many rows (all their columns) at once;
# train and evaluate keep only the text and label columns of every row. Never the whole file.
CHUNK_ROWS = 65_536

_EPILOG = """examples:
  python -m models train --input reviews.csv --text-column review --from-ratings stars
  python -m models train --input tickets.parquet --text-column body --label-column intent --epochs 4
  python -m models train --input tickets.parquet --text-column body --label-column intent --recipe full
  python -m models score --model data/.gapsight/models/sentiment-... --input new.csv --text-column review \\
      --output scored.parquet
  python -m models score --engine ray --model data/.gapsight/models/sentiment-... --input shards/ \\
      --text-column review --output scored/
  python -m models evaluate --model data/.gapsight/models/sentiment-... --input labelled.csv \\
      --text-column review --label-column sentiment
  python -m models quantize --model data/.gapsight/models/sentiment-...
  python -m models list
"""


class CommandError(Exception):
    """A problem the user can fix; printed as one line, exit status 2."""


# ---------------------------------------------------------------- input and output files


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _profile(path: str):
    """The input file's profile (columns, estimated rows); its warnings printed."""
    from models.flows.files import profile_table

    profile = profile_table(path)
    for warning in profile.warnings:
        _warn(warning)
    return profile


def _column(columns, name: str, path: str, option: str) -> str:
    """``name`` when it is one of ``columns``, else a :class:`CommandError` naming the file's columns."""
    columns = [str(c) for c in columns]
    if name in columns:
        return name
    similar = [c for c in columns if c.lower() == name.lower()]
    hint = f"; did you mean {similar[0]!r}?" if similar else f"; its columns are: {', '.join(columns)}."
    raise CommandError(f"{option} {name!r} is not a column of {Path(path).name}{hint}")


def _label_column(args, profile) -> str:
    if args.label_column:
        return _column(profile.columns, args.label_column, args.input, "--label-column")
    return _column(profile.columns, args.from_ratings, args.input, "--from-ratings")


def read_labelled(args) -> tuple[list, list, str]:
    """Texts, labels and where the labels came from, reading only the text and label columns of the input."""
    from models.flows.files import read_columns

    profile = _profile(args.input)
    text = _column(profile.columns, args.text_column, args.input, "--text-column")
    label = _label_column(args, profile)
    frame = read_columns(profile, [text, label], read_rows=CHUNK_ROWS, warn=_warn)
    labels, label_source = _labels_from_args(args, frame)
    return frame[text].tolist(), labels, label_source


def _labels_from_args(args, frame) -> tuple[list, str]:
    """Labels from --label-column or --from-ratings, and a description of where they came from."""
    if args.label_column:
        return frame[args.label_column].tolist(), args.label_column
    from analytics.schema import sentiment_from_rating  # the app's rule, without models.tasks (torch)
    from models.flows.files import normalise_ratings

    try:
        parsed = normalise_ratings(frame[args.from_ratings].reset_index(drop=True))
    except ValueError as exc:
        raise CommandError(f"--from-ratings {args.from_ratings!r}: {exc}") from exc
    labels = [label if isinstance(label, str) else None for label in sentiment_from_rating(parsed.normalised)]
    counts = {name: labels.count(name) for name in ("negative", "neutral", "positive")}
    missing = sum(label is None for label in labels)
    print(
        f"Ratings in {args.from_ratings!r} read on the {parsed.scale.label} scale: "
        + ", ".join(f"{n:,} {name}" for name, n in counts.items())
        + (f"; {missing:,} rows without a usable rating are left out" if missing else ""),
        file=sys.stderr,
    )
    return labels, f"ratings in {args.from_ratings}"


def _check_output(path: str) -> Path:
    out = Path(path)
    if out.suffix.lower() not in (".parquet", ".csv"):
        raise CommandError(f"--output {out.name} should end in .parquet or .csv.")
    if not out.parent.is_dir():
        raise CommandError(f"--output folder {out.parent} does not exist.")
    return out


def _home(args) -> Path:
    if args.home:
        return Path(args.home)
    from analytics.home import gapsight_home  # the path only; the store is never opened

    return gapsight_home()


def _model_folder(path: str) -> Path:
    from models.registry import read_meta

    folder = Path(path)
    read_meta(folder)  # fails fast, with the registry's message, before any data is read
    return folder


# ---------------------------------------------------------------- progress and reports


class ProgressLine:
    """One progress line on stderr, rewritten in place on a terminal and printed now and then otherwise."""

    def __init__(self, stream=None, *, interval: float | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval if interval is not None else (0.2 if self.tty else 10.0)
        self._last = 0.0
        self._shown = False

    def show(self, fraction: float, message: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        bar = f"{100 * min(max(fraction, 0.0), 1.0):3.0f}%"
        if self.tty:
            try:
                width = os.get_terminal_size(self.stream.fileno()).columns
            except (OSError, ValueError, AttributeError):
                width = 100
            self.stream.write("\r\033[K" + f"{bar} {message}"[: max(20, width - 1)])
            self._shown = True
        else:
            self.stream.write(f"{bar} {message}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\n")
            self.stream.flush()
        self._shown = False


def format_report(report: dict, *, title: str) -> str:
    """A report (``EvaluationReport.to_dict()``) as a plain-text table."""
    import pandas as pd

    ece = report.get("ece")
    lines = [
        f"{title}: {report['n']:,} rows · accuracy {report['accuracy']:.3f} · macro-F1 {report['macro_f1']:.3f}"
        f" · weighted F1 {report['weighted_f1']:.3f}" + (f" · ECE {ece:.3f}" if ece is not None else ""),
        "",
    ]
    table = pd.DataFrame(report["per_class"])
    lines.append(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    confusion = report["confusion"]
    matrix = pd.DataFrame(
        confusion["counts"],
        index=pd.Index(confusion["labels"], name="true \\ predicted"),
        columns=confusion["labels"],
    )
    lines += ["", "Confusion (rows: true label, columns: predicted):", matrix.to_string()]
    return "\n".join(lines)


def format_baselines(baselines: dict, report: dict) -> str:
    """Macro-F1 and per-class F1 of the model beside each baseline, on the same rows."""
    if not baselines:
        return ""
    # As wide as the longest name, so that the other candidates' long names keep the columns aligned.
    width = max(32, *(len(b["name"]) for b in baselines.values()))
    lines = [f"Baselines on the same {report['n']:,} rows (macro-F1):",
             f"  {'this model':<{width}} {report['macro_f1']:.3f}"]
    lines += [f"  {baseline['name']:<{width}} {baseline['macro_f1']:.3f}" for baseline in baselines.values()]
    labels = [row["label"] for row in report["per_class"]]
    lines += ["", f"  {'F1 per label':<{width}} " + " ".join(f"{label[:12]:>12}" for label in labels)]
    rows = [("this model", report["per_class"])] + [(b["name"], b["per_class"]) for b in baselines.values()]
    for name, per_class in rows:
        by_label = {row["label"]: row["f1"] for row in per_class}
        lines.append(f"  {name:<{width}} " + " ".join(f"{by_label.get(label, 0.0):>12.3f}" for label in labels))
    return "\n".join(lines)


def _figure(value, spec: str = ".3f") -> str:
    """A number for a table, or a dash where the figure was not measured."""
    return format(value, spec) if isinstance(value, int | float) and not isinstance(value, bool) else "—"


def format_selection(selection: dict) -> str:
    """The models fitted on the same split and the one activated, so that the choice can be checked."""
    candidates = selection.get("candidates") or []
    if not candidates:
        return ""
    from models.tasks import format_duration

    lines = ["Models fitted on the same split (cheapest first; * activated):",
             f"  {'model':<42} {'val macro-F1':>12} {'test macro-F1':>13} {'test accuracy':>13} {'train time':>12}"]
    for c in candidates:
        mark = "*" if c["kind"] == selection["winner"] else " "
        lines.append(f"{mark} {c['name']:<42} {_figure(c.get('val_macro_f1')):>12} "
                     f"{_figure(c.get('test_macro_f1')):>13} {_figure(c.get('test_accuracy')):>13} "
                     f"{format_duration(c.get('train_seconds')) or '—':>12}")
    return "\n".join([*lines, "", _verdict(selection, candidates)])


def _verdict(selection: dict, candidates: list[dict]) -> str:
    """Which model was activated and its test macro-F1 margin over the best of the others."""
    winner = next(c for c in candidates if c["kind"] == selection["winner"])
    others = [c for c in candidates if c is not winner and isinstance(c.get("test_macro_f1"), int | float)]
    verdict = f"Activated: {selection['winner_name']} (test macro-F1 {_figure(winner.get('test_macro_f1'))})"
    if not others or not isinstance(selection.get("test_margin"), int | float):
        return verdict + "."
    runner_up = max(others, key=lambda c: c["test_macro_f1"])
    return (verdict + f", {selection['test_margin']:+.3f} on the test rows against the runner-up, "
            f"{runner_up['name']} ({runner_up['test_macro_f1']:.3f}).")


def format_int8(metrics: dict) -> str:
    """An int8 card's figures beside its fp32 original's, measured on the same test rows on the CPU."""
    before, speed = metrics["compared_with"], metrics.get("speed") or {}
    rows = [("macro-F1", before.get("macro_f1"), metrics.get("macro_f1"), ".3f"),
            ("accuracy", before.get("accuracy"), metrics.get("accuracy"), ".3f"),
            ("rows/s on this CPU", before.get("cpu_rows_per_s"), speed.get("cpu_rows_per_s"), ",.0f"),
            ("size (MB)", before.get("size_mb"), speed.get("size_mb"), ",.1f")]
    lines = [f"int8 variant beside its fp32 original on the same {metrics.get('n', 0):,} test rows:",
             f"  {'':<20} {'fp32':>10} {'int8':>10}"]
    lines += [f"  {name:<20} {_figure(fp32, spec):>10} {_figure(int8, spec):>10}" for name, fp32, int8, spec in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------- commands


_TRAIN_SETTINGS = ("epochs", "learning_rate", "batch_size", "max_length", "seed")


def _train_config(args, *, cuda: bool):
    """The app's settings for the device (``default_config``) with only the options the user gave on top.

    Imports no torch, so that bad settings answer at once.
    """
    from models.recipes import default_config

    base = default_config(cuda=cuda)
    overrides = {k: getattr(args, k) for k in _TRAIN_SETTINGS if getattr(args, k) is not None}
    return dataclasses.replace(base, **overrides)


def _check_training(args, texts: list, labels: list):
    """The usable rows, after the settings and labels are checked, before torch loads (answers in a second)."""
    from models.labels import prepare_training_data

    # min_examples_per_label and max_labels are the same on both devices; the rest is checked again later.
    checked = _train_config(args, cuda=False)
    return prepare_training_data(texts, labels, min_per_label=checked.min_examples_per_label,
                                 max_labels=checked.max_labels)


def _gpu_lock(home: Path, device):
    """The app's GPU lock on a CUDA device, so that the CLI shares the GPU politely with training jobs."""
    import contextlib

    if not device.is_cuda:
        return contextlib.nullcontext()
    from models.jobs import gpu_lock

    return gpu_lock(home, on_wait=lambda: print("waiting for the GPU (a training job holds it)", file=sys.stderr))


def _print_outcome(outcome) -> None:
    print(format_report(outcome.report, title="Test split"))
    print()
    print(format_baselines(outcome.baselines, outcome.report))
    if outcome.selection:
        print()
        print(format_selection(outcome.selection))
    print()
    print(f"Model saved to {outcome.folder}")
    for warning in (outcome.selection or {}).get("warnings", []):
        _warn(warning)


def _base_for(choice: str, texts: list) -> str:
    """The base model ``--base`` names, or (``auto``) the one the texts' languages call for, as in the app."""
    from models.base import BASE_MODEL_NAME, choose_base_for_texts
    from models.multilingual import MULTILINGUAL_BASE_NAME

    if choice == "minilm":
        return BASE_MODEL_NAME
    if choice == "multilingual":
        return MULTILINGUAL_BASE_NAME
    return choose_base_for_texts(texts)


def cmd_train(args) -> int:
    texts, labels, label_source = read_labelled(args)
    task = args.task or ("sentiment" if args.from_ratings else args.label_column)
    home = _home(args)
    usable = _check_training(args, texts, labels)

    from models.recipes import KIND_NAMES, kinds_for
    from models.tasks import describe_train_progress, model_factory_from_env, resolve_device, train_classifier

    device = resolve_device(args.device)
    config = _train_config(args, cuda=device.is_cuda)
    base = _base_for(args.base, usable.texts)
    fitted = ", ".join(KIND_NAMES[kind] for kind in kinds_for(args.recipe, cuda=device.is_cuda))
    line = ProgressLine()
    print(f"Training {task!r} on {len(usable.texts):,} of {len(texts):,} rows of {Path(args.input).name} "
          f"({label_source}; labels {', '.join(usable.classes)}) · {device.name} · recipe {args.recipe}: {fitted} "
          f"· base {base}", file=sys.stderr)

    def on_progress(event) -> None:
        line.show(event.fraction, describe_train_progress(event), force=event.phase != "train")

    try:
        with _gpu_lock(home, device):
            outcome = train_classifier(
                texts, labels, task=task, config=config, device=device, models_root=home / "models",
                name=args.name or task, data_source=str(Path(args.input).resolve()), progress=on_progress,
                model_factory=model_factory_from_env(), recipe=args.recipe, base=base,
            )
    finally:
        line.close()
    _print_outcome(outcome)
    return 0


def _score_rows() -> int:
    """Rows scored at a time: CHUNK_ROWS rounded up to whole scoring blocks, so that every text is scored
    in the same block, hence the same batches, as when the file is scored in one piece (same output)."""
    from models import inference

    block = inference.BLOCK_TEXTS
    return max(1, -(-CHUNK_ROWS // block)) * block


def cmd_score(args) -> int:
    if args.engine == "ray":
        return _score_with_ray(args)
    folder = _model_folder(args.model)
    _check_output(args.output)
    profile = _profile(args.input)
    text = _column(profile.columns, args.text_column, args.input, "--text-column")

    from collections import Counter

    from models.flows.files import read_frames, table_writer
    from models.flows.ray_scoring import with_predictions
    from models.tasks import load_scorer

    score = load_scorer(folder, device=args.device, batch_size=args.batch_size)
    estimate = profile.estimated_rows or 0
    line = ProgressLine()
    done, counts = 0, Counter()

    def show(scored: int, _total: int) -> None:
        now = done + scored
        line.show(now / max(estimate, now, 1), f"scored {now:,}/~{max(estimate, now):,} texts")

    try:
        with table_writer(args.output) as append:
            for frame in read_frames(profile, rows=_score_rows(), read_rows=CHUNK_ROWS, warn=_warn):
                predictions = score(frame[text].tolist(), progress=show)
                append(with_predictions(frame, predictions))
                counts.update(predictions["label"].dropna().tolist())
                done += len(frame)
        line.show(1.0, f"scored {done:,}/{done:,} texts", force=True)
    finally:
        line.close()
    summary = ", ".join(f"{n:,} {label}" for label, n in counts.most_common())
    print(f"Scored {done:,} texts ({summary}) → {Path(args.output)}")
    return 0


def _score_with_ray(args) -> int:
    """``score --engine ray``: shards scored by a Ray Data actor pool, on a local cluster or ``--address``."""
    folder = _model_folder(args.model)
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        raise CommandError("--engine ray needs the ray package: pip install -r requirements.txt")
    from models.flows.ray_scoring import score_with_ray

    line = ProgressLine()

    def show(scored: int, total: int | None) -> None:
        line.show(scored / total if total else 0.0, f"scored {scored:,}" + (f"/{total:,}" if total else "") + " texts")

    try:
        run = score_with_ray(folder, args.input, args.output, text_column=args.text_column, address=args.address,
                             actors=args.actors, batch_size=args.batch_size or 4096, progress=show)
        line.show(1.0, f"scored {run.rows:,} texts", force=True)
    finally:
        line.close()
    if not run.scored:
        print(f"Nothing to score: all {len(run.skipped)} shard(s) are already done → {Path(args.output)}")
        return 0
    skipped = f"; {len(run.skipped)} shard(s) already done, skipped" if run.skipped else ""
    retried = f"; {run.retries} shard attempt(s) retried" if run.retries else ""
    kind = "GPU" if run.gpu_actors else "CPU"
    print(f"Scored {run.rows:,} texts in {len(run.scored)} shard(s) with {run.actors} {kind} actor(s) in "
          f"{run.seconds:.1f} s{skipped}{retried} → {Path(args.output)}")
    return 0


def cmd_evaluate(args) -> int:
    folder = _model_folder(args.model)
    texts, labels, _ = read_labelled(args)

    from models.tasks import evaluate_model, resolve_device

    device = resolve_device(args.device)
    line = ProgressLine()
    try:
        outcome = evaluate_model(
            folder, texts, labels, device=device, batch_size=args.batch_size,
            progress=lambda done, total: line.show(done / max(total, 1), f"scored {done:,}/{total:,} texts",
                                                   force=done == total),
        )
    finally:
        line.close()
    if outcome.n_skipped:
        print(f"{outcome.n_skipped:,} rows without a text or a label were left out.", file=sys.stderr)
    print(format_report(outcome.report, title=f"{folder.name} on {Path(args.input).name}"))
    if outcome.baselines:
        print()
        print(format_baselines(outcome.baselines, outcome.report))
    return 0


def cmd_quantize(args) -> int:
    folder = _model_folder(args.model)

    from models.registry import read_meta
    from models.variants import build_int8_variant

    line = ProgressLine()
    try:
        target = build_int8_variant(folder, name=args.name or "",
                                    progress=lambda fraction, message: line.show(fraction, message))
        line.show(1.0, "int8 variant saved", force=True)
    finally:
        line.close()
    print(format_int8(read_meta(target).metrics))
    print(f"int8 variant saved to {target}")
    return 0


def cmd_list(args) -> int:
    from models.registry import list_models

    root = _home(args) / "models"
    entries = list_models(root)
    if not entries:
        print(f"No models under {root}.")
        return 0
    for entry in entries:
        if entry.meta is None:
            print(f"{entry.folder.name}  (unreadable: {entry.problem})")
            continue
        meta = entry.meta
        f1 = meta.metrics.get("macro_f1")
        score = f"macro-F1 {f1:.3f}" if isinstance(f1, int | float) else "no metrics"
        print(f"{entry.folder.name}  {meta.task}  [{', '.join(meta.labels)}]  {score}  "
              f"{meta.device}  {meta.created_at}")
    print(f"{len(entries)} model(s) under {root}")
    return 0


# ---------------------------------------------------------------- parser


def _add_device(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default=None,
                        help="where to run (default: CUDA when available, or $GAPSIGHT_DEVICE)")


def _add_labels(parser: argparse.ArgumentParser, *, required: bool) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--label-column", metavar="COL", help="column holding the label of each row")
    group.add_argument("--from-ratings", metavar="RATING_COLUMN",
                       help="derive sentiment labels from a rating column (1–2 of 5 negative, 3 neutral, 4–5 "
                            "positive; any scale is detected and normalised)")


_RECIPE_HELP = ("which models to fit on the same split; each is saved and the best one activated (default auto). "
                "auto: the full fine-tune plus the two linear models on a GPU, only the two linear models "
                "(TF-IDF + LR and MiniLM embeddings + LR, minutes) on a CPU; full: all three on any device; "
                "quick: the two linear models")


def _default_help(name: str) -> str:
    """"(default X)", or "(default X on a GPU, Y on a CPU)" where the app's defaults differ by device."""
    from models.recipes import default_config  # the standard library only

    gpu, cpu = (format(getattr(default_config(cuda=cuda), name), "g").replace("e-0", "e-") for cuda in (True, False))
    return f"(default {gpu})" if gpu == cpu else f"(default {gpu} on a GPU, {cpu} on a CPU)"


def _add_train_settings(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", choices=("auto", "minilm", "multilingual"), default="auto",
                        help="base encoder: auto (default) takes the multilingual e5-small when under half of the "
                             "texts are English, MiniLM otherwise")
    parser.add_argument("--recipe", choices=("auto", "full", "quick"), default="auto", help=_RECIPE_HELP)
    parser.add_argument("--epochs", type=int, help=f"passes over the training split {_default_help('epochs')}")
    parser.add_argument("--learning-rate", type=float,
                        help=f"peak AdamW learning rate of the body {_default_help('learning_rate')}")
    parser.add_argument("--batch-size", type=int, help=f"training rows per step {_default_help('batch_size')}")
    parser.add_argument("--max-length", type=int, help=f"tokens per training text {_default_help('max_length')}")
    parser.add_argument("--seed", type=int, help=f"seed of the split and the training {_default_help('seed')}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m models",
        description="Train, score and evaluate Gapsight text classifiers without the app. "
                    "Models are saved to the registry under <home>/models.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True,
                                     metavar="{train,score,evaluate,quantize,list}")

    train = commands.add_parser("train", help="train a classifier on a labelled file and save it",
                                description="Fit the recipe's models (TF-IDF + LR, MiniLM embeddings + LR, "
                                            "a fine-tuned MiniLM) on the same split of a labelled file, as the "
                                            "app does; report the best one on a held-out test split beside the "
                                            "others and the baselines, and save them all to the registry.")
    train.add_argument("--input", required=True, metavar="FILE", help="a .csv or .parquet file (also .tsv, .jsonl)")
    train.add_argument("--text-column", required=True, metavar="COL", help="column holding the texts")
    _add_labels(train, required=True)
    train.add_argument("--task", help="what the model predicts (default: 'sentiment' with --from-ratings, "
                                      "else the label column's name)")
    train.add_argument("--name", help="names the model folder (default: the task)")
    _add_train_settings(train)
    _add_device(train)
    train.add_argument("--home", metavar="DIR", help="Gapsight home (default: $GAPSIGHT_HOME or data/.gapsight)")
    train.set_defaults(handler=cmd_train)

    score = commands.add_parser("score", help="label the texts of a file with a saved model",
                                description="Label every text of a file with a saved model; the output has the "
                                            "input's columns plus label, confidence, is_empty and proba_<label>.")
    score.add_argument("--model", required=True, metavar="FOLDER", help="a model folder from the registry")
    score.add_argument("--input", required=True, metavar="FILE", help="a .csv or .parquet file")
    score.add_argument("--text-column", required=True, metavar="COL", help="column holding the texts")
    score.add_argument("--output", required=True, metavar="FILE", help="where to write (.parquet or .csv)")
    score.add_argument("--batch-size", type=int, help="texts per batch (default: the device's)")
    score.add_argument("--engine", choices=("local", "ray"), default="local",
                       help="local: this process (default); ray: Ray Data shards and an actor pool (--input may be "
                            "a folder of .parquet/.csv shards, --output then a folder)")
    score.add_argument("--address", help="with --engine ray: the cluster to join (e.g. ray://head:10001 or auto); "
                                         "default: start a local one")
    score.add_argument("--actors", type=int, help="with --engine ray: actor-pool size (default: one per GPU, "
                                                  "else one per CPU but one)")
    _add_device(score)
    score.set_defaults(handler=cmd_score)

    evaluate = commands.add_parser("evaluate", help="report a saved model's quality on a labelled file",
                                   description="Score a labelled file with a saved model and report accuracy, "
                                               "macro-F1, per-label precision/recall/F1, the confusion matrix "
                                               "and calibration, beside VADER for sentiment models.")
    evaluate.add_argument("--model", required=True, metavar="FOLDER", help="a model folder from the registry")
    evaluate.add_argument("--input", required=True, metavar="FILE", help="a .csv or .parquet file")
    evaluate.add_argument("--text-column", required=True, metavar="COL", help="column holding the texts")
    _add_labels(evaluate, required=True)
    evaluate.add_argument("--batch-size", type=int, help="texts per batch (default: the device's)")
    _add_device(evaluate)
    evaluate.set_defaults(handler=cmd_evaluate)

    quantize = commands.add_parser("quantize", help="build the int8 CPU variant of a saved model",
                                   description="Save an int8 variant of a fine-tuned model beside it, both "
                                               "scored on the CPU on the model's saved test rows, and print "
                                               "their macro-F1, accuracy, speed and size.")
    quantize.add_argument("--model", required=True, metavar="FOLDER", help="a fine-tuned model folder (fp32)")
    quantize.add_argument("--name", help="the variant's name in the app (default: the original's, plus ' · int8')")
    quantize.set_defaults(handler=cmd_quantize)

    listing = commands.add_parser("list", help="list the models in the registry",
                                  description="List the model folders under <home>/models, newest first.")
    listing.add_argument("--home", metavar="DIR", help="Gapsight home (default: $GAPSIGHT_HOME or data/.gapsight)")
    listing.set_defaults(handler=cmd_list)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 for problems the user can fix)."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (CommandError, ValueError) as exc:  # the core's ValueErrors say what to do
        message = str(exc)
    except OSError as exc:
        message = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    except KeyboardInterrupt:
        print("\ninterrupted; nothing was saved", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a one-line message instead of a traceback
        message = f"unexpected {type(exc).__name__}: {exc}"
    print("error: " + " ".join(message.split()), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
