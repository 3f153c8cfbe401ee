"""Benchmark (issue 16): the host pipeline that feeds the model, old path against new, on the same texts in one run.

Usage::

    python -m tests.bench.bench_scoring_pipeline [--tweets ../shared/data/twitter-airline-sentiment/Tweets.csv] \
        [--prep-rows 200000] [--cpu-rows 2000] [--gpu-rows 1000000] [--pipeline-rows 3000] \
        [--out tests/bench/out/scoring_pipeline.json]

- **Host preparation**, one thread (``TOKENIZERS_PARALLELISM=false``, one torch thread): texts → windows → padded
  batches of 1,024, as the scoring loop asks for them; the old per-row path (:mod:`tests.bench.legacy_scoring`)
  against :mod:`models.windows`. Texts/s and the ratio; then the new windows on one worker thread per core
  (:class:`models.windows.Preparer`), which scales only if the encoder releases the GIL.
- **CPU inference**, fp32, the machine's torch threads: MiniLM with a 3-label head, old against new, two rounds each,
  best round reported (rows/s; must not regress).
- **GPU** (only when CUDA is present): end to end on ``--gpu-rows`` tweets-like texts (≤ 64 tokens), new path, the
  old path on a tenth of them, and a ``transformers.pipeline`` loop on ``--pipeline-rows``, with the GPU
  utilisation sampled by ``nvidia-smi`` every 0.2 s during the new run.

Texts: the airline tweets when ``--tweets`` exists, else the demo generator's texts cut to their first sentence.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ["TOKENIZERS_PARALLELISM"] = "false"

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from models.base import base_model_path, load_tokenizer  # noqa: E402
from models.device import choose_device  # noqa: E402
from models.inference import _batch, predict_proba  # noqa: E402
from models.windows import Preparer, chunk_texts  # noqa: E402
from tests.bench import legacy_scoring as legacy  # noqa: E402

BLOCK = 8192
BATCH = 1024
MAX_LENGTH = 64


def tweets_like(path: Path | None, n: int) -> list[str]:
    """``n`` short texts: the real airline tweets when there, else the demo's first sentences, repeated."""
    if path is not None and path.exists():
        base = pd.read_csv(path)["text"].astype(str).tolist()
    else:
        from analytics.demo.generator import generate_demo

        texts = generate_demo(n_interactions=5000).interactions["text"].astype(str)
        base = [t.split(". ")[0][:200] for t in texts]
    return [base[i % len(base)] for i in range(n)]


def _prepare_old(tokenizer, texts: list[str], device) -> int:
    windows = 0
    for start in range(0, len(texts), BLOCK):
        chunks = legacy.chunk_texts(tokenizer, texts[start : start + BLOCK], max_length=MAX_LENGTH)
        order = np.argsort([-len(seq) for seq in chunks.ids], kind="stable")
        for b in range(0, len(order), BATCH):
            batch = legacy._pad([chunks.ids[i] for i in order[b : b + BATCH]], 0, device)
            windows += batch["input_ids"].shape[0]
    return windows


def _prepare_new(tokenizer, texts: list[str], device) -> int:
    windows = 0
    for start in range(0, len(texts), BLOCK):
        chunks = chunk_texts(tokenizer, texts[start : start + BLOCK], max_length=MAX_LENGTH)
        order = np.argsort(-chunks.lengths, kind="stable")
        for b in range(0, len(order), BATCH):
            batch = _batch(chunks.ids, chunks.lengths, order[b : b + BATCH], device)
            windows += batch["input_ids"].shape[0]
    return windows


def host_preparation(texts: list[str]) -> dict:
    tokenizer, cpu = load_tokenizer(), choose_device("cpu")
    torch.set_num_threads(1)
    rates = {}
    for name, prepare in (("old", _prepare_old), ("new", _prepare_new), ("old again", _prepare_old),
                          ("new again", _prepare_new)):
        started = time.perf_counter()
        windows = prepare(tokenizer, texts, cpu)
        rates[name] = len(texts) / (time.perf_counter() - started)
        print(json.dumps({"host_preparation": name, "texts_per_s": round(rates[name]), "windows": windows}),
              flush=True)
    old, new = max(rates["old"], rates["old again"]), max(rates["new"], rates["new again"])
    threads = os.cpu_count() or 1
    started = time.perf_counter()
    windows = sum(len(chunks) for _, chunks in Preparer(tokenizer, max_length=MAX_LENGTH, workers=threads).blocks(
        texts, BLOCK))
    threaded = len(texts) / (time.perf_counter() - started)
    print(json.dumps({"host_preparation": f"new, {threads} worker threads", "texts_per_s": round(threaded),
                      "windows": windows}), flush=True)
    return {"rows": len(texts), "old_texts_per_s_one_thread": round(old), "new_texts_per_s_one_thread": round(new),
            "ratio": round(new / old, 2), "worker_threads": threads,
            "new_texts_per_s_worker_threads": round(threaded)}


def _classifier(device):
    from transformers import AutoModelForSequenceClassification

    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(base_model_path(), num_labels=3)
    return model.to(device.torch_device).eval()


def cpu_inference(texts: list[str]) -> dict:
    torch.set_num_threads(os.cpu_count() or 1)
    device, tokenizer = choose_device("cpu"), load_tokenizer()
    model = _classifier(device)
    predict_proba(model, tokenizer, texts[:64], device=device, max_length=MAX_LENGTH)  # warm-up
    rates: dict[str, list[float]] = {"old": [], "new": []}
    results = {}
    for _ in range(2):
        for name, score in (("old", legacy.legacy_predict_proba), ("new", predict_proba)):
            started = time.perf_counter()
            results[name] = score(model, tokenizer, texts, device=device, max_length=MAX_LENGTH)
            rates[name].append(len(texts) / (time.perf_counter() - started))
            print(json.dumps({"cpu_inference": name, "rows_per_s": round(rates[name][-1], 1)}), flush=True)
    return {"rows": len(texts), "torch_threads": torch.get_num_threads(),
            "old_rows_per_s": round(max(rates["old"]), 1), "new_rows_per_s": round(max(rates["new"]), 1),
            "max_abs_difference": float(np.abs(results["old"] - results["new"]).max()),
            "same_labels_share": float((results["old"].argmax(1) == results["new"].argmax(1)).mean())}


class _Utilisation:
    """GPU utilisation (%) sampled by nvidia-smi on a thread while a run lasts."""

    def __init__(self) -> None:
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                out = subprocess.run(["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"],
                                     capture_output=True, text=True, timeout=5).stdout.split()
                self.samples.append(int(out[0]))
            except (OSError, ValueError, IndexError, subprocess.SubprocessError):
                return
            self._stop.wait(0.2)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def gpu(texts: list[str], pipeline_rows: int) -> dict:
    from transformers import pipeline

    device, tokenizer = choose_device("cuda"), load_tokenizer()
    model = _classifier(device)
    predict_proba(model, tokenizer, texts[:20_000], device=device, max_length=MAX_LENGTH)  # warm-up, both paths
    legacy.legacy_predict_proba(model, tokenizer, texts[:20_000], device=device, max_length=MAX_LENGTH)
    torch.cuda.synchronize()
    with _Utilisation() as utilisation:
        started = time.perf_counter()
        new = predict_proba(model, tokenizer, texts, device=device, max_length=MAX_LENGTH)
        torch.cuda.synchronize()
        new_rate = len(texts) / (time.perf_counter() - started)
    print(json.dumps({"gpu_new_rows_per_s": round(new_rate)}), flush=True)
    tenth = texts[: len(texts) // 10]
    started = time.perf_counter()
    old = legacy.legacy_predict_proba(model, tokenizer, tenth, device=device, max_length=MAX_LENGTH)
    torch.cuda.synchronize()
    old_rate = len(tenth) / (time.perf_counter() - started)
    print(json.dumps({"gpu_old_rows_per_s": round(old_rate)}), flush=True)
    pipe = pipeline("text-classification", model=model, tokenizer=tokenizer, device=device.torch_device)
    subset = texts[:pipeline_rows]
    pipe(subset[0], truncation=True, max_length=MAX_LENGTH)
    started = time.perf_counter()
    for text in subset:
        pipe(text, truncation=True, max_length=MAX_LENGTH)
    torch.cuda.synchronize()
    pipe_rate = len(subset) / (time.perf_counter() - started)
    busy = utilisation.samples
    return {"device": device.name, "rows": len(texts), "new_rows_per_s": round(new_rate),
            "old_rows_per_s": round(old_rate), "old_rows": len(tenth),
            "pipeline_rows_per_s": round(pipe_rate, 1), "pipeline_rows": len(subset),
            "speedup_over_pipeline": round(new_rate / pipe_rate, 1),
            "same_labels_share_old_new": float((old.argmax(1) == new[: len(tenth)].argmax(1)).mean()),
            "max_abs_difference_old_new": float(np.abs(old - new[: len(tenth)]).max()),
            "gpu_utilisation_median": float(np.median(busy)) if busy else None,
            "gpu_utilisation_samples": len(busy)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=Path, default=Path("../shared/data/twitter-airline-sentiment/Tweets.csv"))
    parser.add_argument("--prep-rows", type=int, default=200_000)
    parser.add_argument("--cpu-rows", type=int, default=2_000)
    parser.add_argument("--gpu-rows", type=int, default=1_000_000)
    parser.add_argument("--pipeline-rows", type=int, default=3_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    texts = tweets_like(args.tweets, max(args.prep_rows, args.cpu_rows, args.gpu_rows if torch.cuda.is_available()
                                         else 0))
    report = {"texts": "airline tweets" if args.tweets.exists() else "demo first sentences",
              "cores": os.cpu_count(), "torch": torch.__version__,
              "host_preparation": host_preparation(texts[: args.prep_rows]),
              "cpu_inference": cpu_inference(texts[: args.cpu_rows])}
    report["gpu"] = gpu(texts[: args.gpu_rows], args.pipeline_rows) if torch.cuda.is_available() else None
    print(json.dumps(report, indent=1), flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
