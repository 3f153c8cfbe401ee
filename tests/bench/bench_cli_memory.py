"""Benchmark: peak memory and rows/s of ``python -m models score`` (and ``train``) on the 1M-row review file.

Usage::

    nice python -m tests.bench.bench_cli_memory --workdir /tmp/gapsight_cli_bench --label after
    # the code before the change, from a worktree of the old commit (run with this repo's venv):
    git worktree add /tmp/cli_before <old-commit>
    nice python -m tests.bench.bench_cli_memory --workdir /tmp/gapsight_cli_bench --label before \
        --code /tmp/cli_before

The input is the import benchmark's generated review export (``tests/bench/test_bench_import.py:
write_csv``: 9 columns, quoted free text, about 300 MB for 1,000,000 rows), written once into
``--workdir``. A tiny test model (``GAPSIGHT_TINY_MODEL=1``: a 2-layer BERT, hidden 32) is trained
on the first ``--sample`` rows by the first run's CLI and shared by later runs (so that their
outputs can be compared), so that scoring a million rows is feasible
on a CPU (one torch thread; ``GAPSIGHT_BENCH_THREADS`` to change); the model is not the point, the
CLI's memory is. Each CLI command runs in its own process;
its peak resident set comes from ``os.wait4`` (``ru_maxrss`` of that child alone), its wall time
includes interpreter start-up and model loading. Figures go to (are merged into) ``<workdir>/<label>.json``; when
both ``before`` and ``after`` outputs are there, the script also says whether they are identical.
``--commands train-read`` runs ``train --from-ratings stars --epochs 0`` on the whole file: it reads
the input and derives the labels, then stops with exit status 2 before any training (the reading is
what differs between before and after; the training is the same code). ``--commands train`` runs a
real ``train --epochs 1`` on the whole file (slow: tokenizes and trains on every row).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
# One torch thread: on a shared 2-core machine two OpenMP threads made the tiny model several times
# slower. It changes neither the output nor the memory, and both sides of a comparison get it.
THREADS = os.environ.get("GAPSIGHT_BENCH_THREADS", "1")


def make_input(workdir: Path, rows: int) -> Path:
    """The import benchmark's review export with ``rows`` rows, generated once under ``workdir``."""
    from tests.bench.test_bench_import import write_csv

    path = workdir / f"reviews_{rows}.csv"
    if not path.exists():
        partial = path.with_suffix(".partial")
        write_csv(partial, rows)
        partial.rename(path)
    return path


def run_cli(code: Path, args: list[str], *, log: Path, expect: int = 0) -> dict:
    """``python -m models ARGS`` run from ``code``; wall seconds and peak RSS (MB); exits unless status ``expect``."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GAPSIGHT_TINY_MODEL": "1", "OMP_NUM_THREADS": THREADS}
    started = time.perf_counter()
    with open(log, "w") as handle:
        child = subprocess.Popen([sys.executable, "-m", "models", *args], cwd=code, env=env,
                                 stdout=handle, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if child.returncode != expect:
        raise SystemExit(f"python -m models {args[0]} failed ({child.returncode}); see {log}")
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024), "log": str(log)}


def train_model(code: Path, workdir: Path, source: Path, *, label: str, sample: int) -> Path:
    """A tiny model trained on the first ``sample`` rows of ``source`` by the first run; later runs reuse it."""
    import pandas as pd

    home = workdir / "home"
    models = sorted((home / "models").glob("*/gapsight.json")) if (home / "models").is_dir() else []
    if models:
        return models[-1].parent
    sample_path = workdir / f"sample_{sample}.csv"
    pd.read_csv(source, nrows=sample).to_csv(sample_path, index=False)
    run_cli(code, ["train", "--input", str(sample_path), "--text-column", "review_text", "--from-ratings", "stars",
                   "--epochs", "2", "--learning-rate", "5e-3", "--batch-size", "32", "--max-length", "128",
                   "--device", "cpu", "--home", str(home)], log=workdir / f"train-sample-{label}.log")
    [card] = sorted((home / "models").glob("*/gapsight.json"))
    return card.parent


def compare_outputs(workdir: Path) -> bool | None:
    """Whether the ``before`` and ``after`` score outputs hold the same rows and values (None: one is missing)."""
    import pandas as pd

    before, after = workdir / "scored-before.parquet", workdir / "scored-after.parquet"
    if not (before.exists() and after.exists()):
        return None
    a, b = pd.read_parquet(before), pd.read_parquet(after)
    return list(a.columns) == list(b.columns) and a.equals(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/gapsight_cli_bench"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=4_000, help="rows the tiny model is trained on")
    parser.add_argument("--code", type=Path, default=PROJECT, help="source tree whose CLI is measured")
    parser.add_argument("--label", default="after", help="names the outputs (before / after)")
    parser.add_argument("--commands", nargs="+", choices=("score", "train-read", "train"), default=["score"])
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    source = make_input(args.workdir, args.rows)
    results = {"rows": args.rows, "size_mb": round(source.stat().st_size / 1e6), "code": str(args.code),
               "cores": os.cpu_count(), "torch_threads": THREADS, "date": time.strftime("%Y-%m-%d")}
    if "score" in args.commands:
        model = train_model(args.code, args.workdir, source, label=args.label, sample=args.sample)
        output = args.workdir / f"scored-{args.label}.parquet"
        command = ["score", "--model", str(model), "--input", str(source), "--text-column", "review_text",
                   "--output", str(output), "--device", "cpu"]
        score = run_cli(args.code, command, log=args.workdir / f"score-{args.label}.log")
        score["rows_per_second"] = round(args.rows / score["seconds"])
        score["command"] = "python -m models " + " ".join(command)
        results["score"] = score
    if "train-read" in args.commands:
        # train up to the start of training: --epochs 0 is refused right after the input is read and
        # the ratings turned into labels (the part that changed); the training itself is not run.
        command = ["train", "--input", str(source), "--text-column", "review_text", "--from-ratings", "stars",
                   "--epochs", "0", "--device", "cpu", "--home", str(args.workdir / f"home-train-{args.label}")]
        train = run_cli(args.code, command, log=args.workdir / f"train-read-{args.label}.log", expect=2)
        train["rows_per_second"] = round(args.rows / train["seconds"])
        train["command"] = "python -m models " + " ".join(command)
        results["train_read"] = train
    if "train" in args.commands:
        command = ["train", "--input", str(source), "--text-column", "review_text", "--from-ratings", "stars",
                   "--epochs", "1", "--batch-size", "256", "--max-length", "32", "--device", "cpu",
                   "--home", str(args.workdir / f"home-train-{args.label}")]
        train = run_cli(args.code, command, log=args.workdir / f"train-{args.label}.log")
        train["rows_per_second"] = round(args.rows / train["seconds"])
        train["command"] = "python -m models " + " ".join(command)
        results["train"] = train
    results["outputs_identical"] = compare_outputs(args.workdir)
    saved = args.workdir / f"{args.label}.json"  # runs of other commands under the same label are kept
    previous = json.loads(saved.read_text()) if saved.exists() else {}
    results = {**previous, **results}
    saved.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
