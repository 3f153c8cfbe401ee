"""Benchmark: a MiniLM training step with torch's default thread count vs the job's thread budget (issue 13).

    python -m tests.bench.bench_threads [--steps 5]

The packaged MiniLM with a fresh 3-class head and AdamW, batch 32, 64 tokens (padded to the full
length, so every step costs the same): the mean of ``--steps`` timed steps after one warm-up. Each
measurement runs in a fresh process so that thread settings never leak; the budget is set as
``models.jobs.start_job`` sets it, in the environment before torch loads
(``models.threads.thread_environment(job_threads(app_attached=True))``). The other CPU work is a child
process multiplying matrices for as long as the measurements run: with torch's default threads (an
unbudgeted job), with one thread (the app computing within its share while a job runs), or absent.
Not collected by pytest.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from models.threads import app_threads, available_cores, job_threads, thread_environment

PROJECT = Path(__file__).resolve().parents[2]
LABELS = ["negative", "neutral", "positive"]
BATCH, MAX_LENGTH = 32, 64

BUSY_LOOP = "import torch\nx = torch.randn(1024, 1024)\nwhile True:\n    x = torch.tanh(x @ x)\n"


def measure_steps(steps: int) -> dict:
    """Mean seconds of ``steps`` training steps after a warm-up, in this process (run by :func:`main`'s children)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from models.base import load_classifier, load_tokenizer

    torch.manual_seed(0)
    tokenizer = load_tokenizer()
    model = load_classifier(labels=LABELS).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
    texts = [f"order {i} arrived late and the support agent never replied to my emails about the refund"
             for i in range(BATCH)]
    batch = tokenizer(texts, padding="max_length", truncation=True, max_length=MAX_LENGTH, return_tensors="pt")
    labels = torch.arange(BATCH) % len(LABELS)
    seconds = []
    for _ in range(steps + 1):
        started = time.perf_counter()
        loss = model(**batch, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        seconds.append(time.perf_counter() - started)
    timed = seconds[1:]
    return {"threads": torch.get_num_threads(), "mean": statistics.mean(timed), "median": statistics.median(timed),
            "min": min(timed), "max": max(timed)}


def run_measurement(steps: int, threads: int | None) -> dict:
    """:func:`measure_steps` in a fresh process: torch's default threads (``None``) or a budget set before torch loads."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    for name in ("GAPSIGHT_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env.pop(name, None)
    if threads is not None:
        env.update(thread_environment(threads))
    done = subprocess.run([sys.executable, "-m", "tests.bench.bench_threads", "--measure", str(steps)],
                          cwd=PROJECT, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def start_other_job(threads: int | None) -> subprocess.Popen:
    """A CPU-bound process (torch's default threads, or ``threads``) standing in for another job; let it load torch."""
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    if threads is not None:
        env.update(thread_environment(threads))
    process = subprocess.Popen([sys.executable, "-c", BUSY_LOOP], env=env, stdout=subprocess.DEVNULL)
    time.sleep(4)
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--measure", type=int, default=None, help=argparse.SUPPRESS)  # a child's run
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure_steps(args.measure)), flush=True)
        return
    budget = job_threads(app_attached=True)
    load_before = os.getloadavg()[0]
    rows = []
    began = time.perf_counter()
    share = app_threads(1)
    others = (("yes, torch default threads", None), (f"yes, the app's share: {share} thread(s)", share), ("no", 0))
    for other, other_threads in others:
        process = start_other_job(other_threads) if other_threads != 0 else None
        try:
            for label, threads in (("torch default", None), ("job budget", budget)):
                result = run_measurement(args.steps, threads)
                rows.append((other, label, result))
                print(f"# other CPU work: {other}; {label}: {result}", file=sys.stderr)
        finally:
            if process is not None:
                process.kill()
                process.wait()
    print(f"{available_cores()} cores; MiniLM + AdamW, batch {BATCH}, {MAX_LENGTH} tokens, mean of {args.steps} "
          f"steps after 1 warm-up; {time.perf_counter() - began:.0f} s in all; load average "
          f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after\n")
    print("| other CPU-bound process | training threads | mean step | median | min–max |")
    print("|---|---|---|---|---|")
    for other, label, result in rows:
        print(f"| {other} | {label}: {result['threads']} | {result['mean']:.2f} s | "
              f"{result['median']:.2f} s | {result['min']:.2f}–{result['max']:.2f} s |")


if __name__ == "__main__":
    main()
