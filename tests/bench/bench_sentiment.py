"""Benchmark: sentiment and reason models on the real airline tweets, against VADER, TF-IDF + LR and a pipeline loop.

Usage (CPU or GPU; the device is chosen by :func:`models.device.choose_device`)::

    python -m tests.bench.bench_sentiment --data ../shared/data/twitter-airline-sentiment/Tweets.csv \
        --out tests/bench/out/sentiment.json [--big-train 100000] [--save-model DIR]

Protocol (issue 3): stratified 80/20 split with ``train_test_split(test_size=0.2, random_state=0,
stratify=labels)``; the model is fine-tuned on the 80 % part only (its own validation split for
early stopping and calibration comes out of that part) and scored on the 20 % part, as are the
baselines. Throughput compares our batched path with a plain ``transformers.pipeline`` loop (one text
per call) over the same texts, same model, same device, in the same process.
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

from models.device import choose_device  # noqa: E402
from models.evaluation import evaluate, vader_baseline  # noqa: E402
from models.inference import predict_proba  # noqa: E402
from models.linear import fit_tfidf_logreg  # noqa: E402
from models.training import FineTuneConfig, fine_tune  # noqa: E402


def split_80_20(texts: list[str], labels: list[str]):
    """The issue's fixed split: stratified, 20 % test, seed 0."""
    return train_test_split(texts, labels, test_size=0.2, random_state=0, stratify=labels)


def fine_tuned_scores(train_x, train_y, test_x, test_y, *, config, device, base_path):
    """Fine-tune on the training part, score the test part; quality and timings."""
    result = fine_tune(train_x, train_y, config=config, device=device, base_path=base_path)
    started = time.perf_counter()
    proba = predict_proba(result.model, result.tokenizer, test_x, device=device, max_length=config.max_length,
                          temperature=result.temperature)
    seconds = time.perf_counter() - started
    predicted = [result.classes[i] for i in proba.argmax(axis=1)]
    report = evaluate(test_y, predicted, proba, labels=list(result.classes))
    return result, {
        "accuracy": round(report.accuracy, 4), "macro_f1": round(report.macro_f1, 4),
        "ece": round(report.ece, 4) if getattr(report, "ece", None) is not None else None,
        "train_seconds": round(result.train_seconds, 1), "best_epoch": result.best_epoch,
        "steps": result.steps_run, "train_examples_per_second": round(result.examples_per_second, 1),
        "test_rows_per_second": round(len(test_x) / seconds, 1), "temperature": round(result.temperature, 3),
        "config": {k: getattr(config, k) for k in ("epochs", "learning_rate", "batch_size", "max_length",
                                                    "class_weights")},
    }


def baseline_scores(train_x, train_y, test_x, test_y, *, vader: bool) -> dict:
    """TF-IDF + logistic regression (and VADER for sentiment labels) on the same split."""
    scores = {}
    fit_x, val_x, fit_y, val_y = train_test_split(train_x, train_y, test_size=0.1, random_state=0, stratify=train_y)
    tfidf = fit_tfidf_logreg(fit_x, fit_y, val_x, val_y, classes=tuple(sorted(set(train_y))))
    scores["tfidf_logreg_macro_f1"] = round(evaluate(test_y, list(tfidf.predict(test_x).labels)).macro_f1, 4)
    if vader:
        lexicon = vader_baseline(test_x, sorted(set(train_y)))
        scores["vader_macro_f1"] = round(evaluate(test_y, list(lexicon.labels)).macro_f1, 4)
    return scores


def throughput(model, tokenizer, texts: list[str], *, device, pipe_n: int, batch_size: int | None) -> dict:
    """Rows/s of our batched path vs a plain pipeline loop, same model, device and texts."""
    from transformers import pipeline

    pipe = pipeline("text-classification", model=model, tokenizer=tokenizer, device=device.torch_device)
    predict_proba(model, tokenizer, texts[:256], device=device, max_length=64, batch_size=batch_size)  # warm-up
    pipe(texts[0], truncation=True, max_length=64)
    synchronise = torch.cuda.synchronize if device.kind == "cuda" else (lambda: None)
    synchronise()
    started = time.perf_counter()
    ours = predict_proba(model, tokenizer, texts, device=device, max_length=64, batch_size=batch_size)
    synchronise()
    ours_rate = len(texts) / (time.perf_counter() - started)
    subset = texts[:pipe_n]
    started = time.perf_counter()
    theirs = [pipe(text, truncation=True, max_length=64)[0]["label"] for text in subset]
    synchronise()
    pipe_rate = len(subset) / (time.perf_counter() - started)
    agree = float(np.mean([model.config.id2label[int(i)] == label
                           for i, label in zip(ours[:pipe_n].argmax(axis=1), theirs)]))
    return {"ours_rows_per_second": round(ours_rate, 1), "ours_rows": len(texts),
            "pipeline_rows_per_second": round(pipe_rate, 1), "pipeline_rows": len(subset),
            "speedup": round(ours_rate / pipe_rate, 1), "same_labels_share": round(agree, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="Tweets.csv of twitter-airline-sentiment")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base", type=Path, default=None, help="base model folder (default: packaged MiniLM)")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--no-class-weights", action="store_true")
    parser.add_argument("--validation-fraction", type=float, default=0.1)
    parser.add_argument("--sentiment-only", action="store_true", help="only the sentiment fine-tune and baselines")
    parser.add_argument("--throughput-rows", type=int, default=100_000)
    parser.add_argument("--pipe-rows", type=int, default=2_000)
    parser.add_argument("--score-batch", type=int, default=None)
    parser.add_argument("--big-train", type=int, default=0, help="also time N rows x 3 epochs (GPU target)")
    parser.add_argument("--save-model", type=Path, default=None)
    parser.add_argument("--skip-reasons", action="store_true")
    args = parser.parse_args()

    device = choose_device()
    tweets = pd.read_csv(args.data)
    results: dict = {"device": device.name, "torch": torch.__version__}
    texts, labels = tweets["text"].tolist(), tweets["airline_sentiment"].tolist()
    train_x, test_x, train_y, test_y = split_80_20(texts, labels)
    config = FineTuneConfig(epochs=args.epochs, learning_rate=args.lr, batch_size=args.batch, max_length=64,
                            class_weights=not args.no_class_weights,
                            validation_fraction=args.validation_fraction, test_fraction=0.02)
    result, results["sentiment"] = fine_tuned_scores(train_x, train_y, test_x, test_y, config=config,
                                                     device=device, base_path=args.base)
    results["sentiment"].update(baseline_scores(train_x, train_y, test_x, test_y, vader=True))
    print(json.dumps(results, indent=1), flush=True)
    if args.save_model:
        result.model.save_pretrained(args.save_model)
        result.tokenizer.save_pretrained(args.save_model)
        (args.save_model / "temperature.txt").write_text(str(result.temperature))
    if args.sentiment_only:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))
        return

    pool = (test_x * (args.throughput_rows // len(test_x) + 1))[: args.throughput_rows]
    results["throughput"] = throughput(result.model, result.tokenizer, pool, device=device,
                                       pipe_n=args.pipe_rows, batch_size=args.score_batch)
    print(json.dumps(results["throughput"], indent=1), flush=True)

    if not args.skip_reasons:
        negative = tweets[tweets["airline_sentiment"] == "negative"].dropna(subset=["negativereason"])
        r_texts, r_labels = negative["text"].tolist(), negative["negativereason"].tolist()
        r_train_x, r_test_x, r_train_y, r_test_y = split_80_20(r_texts, r_labels)
        _, results["negativereason"] = fine_tuned_scores(r_train_x, r_train_y, r_test_x, r_test_y, config=config,
                                                         device=device, base_path=args.base)
        results["negativereason"].update(baseline_scores(r_train_x, r_train_y, r_test_x, r_test_y, vader=False))
        print(json.dumps(results["negativereason"], indent=1), flush=True)

    if args.big_train:
        big_x = (train_x * (args.big_train // len(train_x) + 1))[: args.big_train]
        big_y = (train_y * (args.big_train // len(train_y) + 1))[: args.big_train]
        big_config = FineTuneConfig(epochs=3, learning_rate=args.lr, batch_size=256, max_length=64,
                                    early_stopping_patience=3, validation_fraction=0.05, test_fraction=0.02)
        started = time.perf_counter()
        big = fine_tune(big_x, big_y, config=big_config, device=device, base_path=args.base)
        results["big_train"] = {"rows": args.big_train, "epochs": 3, "batch_size": 256,
                                "wall_seconds": round(time.perf_counter() - started, 1),
                                "train_examples_per_second": round(big.examples_per_second, 1)}
        print(json.dumps(results["big_train"], indent=1), flush=True)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
