"""Benchmark on this CPU: scoring speed fp32 vs int8 vs a pipeline loop, and the default model's fine-tune time.

Usage::

    python -m tests.bench.bench_cpu_models --tweets ../shared/data/twitter-airline-sentiment/Tweets.csv \
        --out tests/bench/out/cpu_models.json

Scoring speed does not depend on the weights, so it is measured with MiniLM and a fresh 3-class head
on real tweets (≤ 64 tokens). The fine-tune time is the default sentiment model's recipe on the demo
data (a stratified 4,000-row sample of rating-derived labels, 2 epochs, as the Sentiment page starts it).
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pandas as pd  # noqa: E402
import torch  # noqa: E402

from analytics.demo.generator import generate_demo  # noqa: E402
from analytics.ingest.ratings import detect_rating_scale, normalise_ratings  # noqa: E402
from models.base import load_classifier, load_tokenizer  # noqa: E402
from models.device import choose_device  # noqa: E402
from models.flows.default_sentiment import rating_training_frame  # noqa: E402
from models.inference import predict_proba  # noqa: E402
from models.quantize import quantize_int8  # noqa: E402
from models.recipes import default_config  # noqa: E402
from models.training import fine_tune  # noqa: E402

# The transformer fine-tune these figures describe: a stratified sample of this many rows (issue 3's recipe).
FINE_TUNE_ROWS = 4_000


def rows_per_second(score, texts: list[str]) -> float:
    score(texts[:64])  # warm-up
    started = time.perf_counter()
    score(texts)
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tweets", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=2_000)
    parser.add_argument("--pipe-rows", type=int, default=500)
    args = parser.parse_args()
    device = choose_device("cpu")
    texts = pd.read_csv(args.tweets)["text"].tolist()[: args.rows]
    tokenizer = load_tokenizer()
    model = load_classifier(labels=["negative", "neutral", "positive"]).eval()
    results = {"device": device.name, "threads": torch.get_num_threads(), "rows": len(texts)}

    results["fp32_rows_per_second"] = round(rows_per_second(
        lambda t: predict_proba(model, tokenizer, t, device=device, max_length=64), texts), 1)
    int8 = quantize_int8(model)
    results["int8_rows_per_second"] = round(rows_per_second(
        lambda t: predict_proba(int8, tokenizer, t, device=device, max_length=64), texts), 1)
    from transformers import pipeline

    pipe = pipeline("text-classification", model=model, tokenizer=tokenizer, device=-1)
    results["pipeline_rows_per_second"] = round(rows_per_second(
        lambda t: [pipe(x, truncation=True, max_length=64) for x in t], texts[: args.pipe_rows]), 1)
    results["fp32_vs_pipeline"] = round(results["fp32_rows_per_second"] / results["pipeline_rows_per_second"], 1)
    print(json.dumps(results, indent=1), flush=True)

    demo = generate_demo().interactions
    ratings = normalise_ratings(demo["rating"].astype(str), detect_rating_scale(demo["rating"].astype(str)))
    rows = pd.DataFrame({"record_id": demo["interaction_id"], "text": demo["text"],
                         "rating": ratings.normalised})
    frame = rating_training_frame(rows, max_rows=FINE_TUNE_ROWS)
    config = default_config(cuda=False)
    started = time.perf_counter()
    result = fine_tune(frame["text"].tolist(), frame["label"].tolist(), config=config, device=device)
    results["default_model"] = {
        "rows": len(frame), "epochs": config.epochs, "wall_seconds": round(time.perf_counter() - started, 1),
        "test_macro_f1": round(result.report.macro_f1, 4), "test_accuracy": round(result.report.accuracy, 4),
        "train_examples_per_second": round(result.examples_per_second, 1)}
    print(json.dumps(results["default_model"], indent=1), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
