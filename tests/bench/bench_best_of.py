"""Benchmark (issue 13): the three model kinds of a best-of run side by side on real data, on this machine.

Usage::

    python -m tests.bench.bench_best_of --data ../shared/data --out tests/bench/out/best_of.json \
        [--sets airline_sentiment,airline_reason,fine_food,twcs_routing] [--recipe full]

Every set goes through :func:`models.tasks.train_classifier`, the path the app and the CLI take, with the
device's default recipe settings (:func:`models.recipes.default_config`): one stratified split per set
(10 % validation, 10 % test of each label, seed 0), on which TF-IDF + LR, MiniLM embeddings + LR and the
fine-tuned transformer are fitted, chosen between on validation macro-F1 and reported on the test rows.
On a CPU, "quick" (the app's default there) is the first two; "full" adds the background fine-tune.

Label sets:

- ``airline_sentiment``: Tweets.csv ``airline_sentiment`` (3 classes, 14,640 rows).
- ``airline_reason``: the negative tweets' ``negativereason`` (10 classes).
- ``fine_food``: Reviews.csv ``Text``, sentiment from ``Score`` (1–2 negative, 3 neutral, 4–5 positive).
- ``twcs_routing``: customer tweets of twcs_first5000.csv, labelled with the company whose support account
  answered them (companies with at least 30 answered tweets); @mentions and links are removed from the text, so
  the model must route by what the customer says, not by whom they tagged.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pandas as pd  # noqa: E402
import torch  # noqa: E402

from models.device import choose_device  # noqa: E402
from models.recipes import default_config  # noqa: E402
from models.registry import read_meta  # noqa: E402
from models.tasks import describe_train_progress, train_classifier  # noqa: E402

SETS = ("airline_sentiment", "airline_reason", "fine_food", "twcs_routing")
_MENTION_OR_LINK = re.compile(r"@\w+|https?://\S+")


def airline(data: Path, column: str) -> tuple[list[str], list[str]]:
    frame = pd.read_csv(data / "twitter-airline-sentiment" / "Tweets.csv")
    frame = frame[frame[column].notna()]
    return frame["text"].astype(str).tolist(), frame[column].astype(str).tolist()


def fine_food(data: Path) -> tuple[list[str], list[str]]:
    frame = pd.read_csv(data / "amazon-fine-food-reviews" / "Reviews.csv")
    score = pd.to_numeric(frame["Score"], errors="coerce")
    frame = frame[score.notna() & frame["Text"].notna()]
    score = score[frame.index]
    labels = ["negative" if s <= 2 else "neutral" if s == 3 else "positive" for s in score]
    return frame["Text"].astype(str).tolist(), labels


def twcs_routing(data: Path, min_tickets: int = 30) -> tuple[list[str], list[str]]:
    frame = pd.read_csv(data / "customer-support-twitter" / "twcs_first5000.csv")
    inbound = frame[frame["inbound"].astype(str) == "True"]
    replier = frame[frame["inbound"].astype(str) == "False"].set_index("tweet_id")["author_id"]

    def first_company(responses) -> str | None:
        for value in str(responses).split(","):
            if value.strip().isdigit() and int(value) in replier.index:
                return str(replier[int(value)])
        return None

    labels = inbound["response_tweet_id"].map(first_company)
    texts = inbound["text"].astype(str).map(lambda t: _MENTION_OR_LINK.sub(" ", t).strip())
    keep = labels.notna() & texts.str.len().gt(0)
    counts = labels[keep].value_counts()
    keep &= labels.isin(counts[counts >= min_tickets].index)
    return texts[keep].tolist(), labels[keep].tolist()


def load(name: str, data: Path) -> tuple[list[str], list[str]]:
    if name == "airline_sentiment":
        return airline(data, "airline_sentiment")
    if name == "airline_reason":
        return airline(data, "negativereason")
    if name == "fine_food":
        return fine_food(data)
    return twcs_routing(data)


def run_set(name: str, data: Path, *, recipe: str, device) -> dict:
    texts, labels = load(name, data)
    config = default_config(cuda=device.is_cuda)
    last = [0.0]

    def progress(event) -> None:
        if time.monotonic() - last[0] > 30 or event.phase not in ("train", "embedding_logreg"):
            last[0] = time.monotonic()
            print(f"  [{name}] {100 * event.fraction:3.0f}% {describe_train_progress(event)}", flush=True)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as root:
        outcome = train_classifier(texts, labels, task=name, models_root=root, recipe=recipe, device=device,
                                   config=config, name=name, progress=progress)
        wall = time.perf_counter() - started
        kinds = {}
        for row in outcome.selection["candidates"]:
            meta = read_meta(row["folder"])
            kinds[row["kind"]] = {**{k: row[k] for k in ("val_macro_f1", "test_macro_f1", "test_accuracy",
                                                          "train_seconds", "ece_before", "ece_after", "temperature")},
                                  "train_rows_per_s": meta.throughput,
                                  "cpu_score_rows_per_s": meta.metrics.get("speed", {}).get("cpu_rows_per_s")}
            if row["kind"] == "transformer":
                kinds["transformer"]["validation"] = meta.metrics.get("validation")
    return {"set": name, "rows": len(texts), "classes": len(set(labels)), "split": outcome.meta.split_sizes,
            "recipe": recipe, "device": device.name, "threads": torch.get_num_threads(), "wall_seconds": round(wall, 1),
            "winner": outcome.selection["winner"], "test_margin": outcome.selection["test_margin"],
            "warnings": outcome.selection["warnings"], "calibration_notes": outcome.selection["calibration_notes"],
            "kinds": kinds, "config": {k: getattr(config, k) for k in ("epochs", "learning_rate", "head_learning_rate",
                                                                       "batch_size", "max_length", "min_steps")}}


def table(results: list[dict]) -> str:
    lines = ["| set | rows · classes | model | val macro-F1 | test macro-F1 | test accuracy | train s | "
             "train rows/s | CPU scoring rows/s | activated |", "|---|---|---|---|---|---|---|---|---|---|"]
    for result in results:
        for kind, row in result["kinds"].items():
            lines.append(f"| {result['set']} | {result['rows']:,} · {result['classes']} | {kind} | "
                         f"{row['val_macro_f1']:.3f} | {row['test_macro_f1']:.3f} | {row['test_accuracy']:.3f} | "
                         f"{row['train_seconds']:.0f} | {row['train_rows_per_s']:,.0f} | "
                         f"{row['cpu_score_rows_per_s'] or 0:,.0f} | {'yes' if kind == result['winner'] else ''} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "data")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "best_of.json")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--recipe", default="full", choices=("full", "quick", "auto"))
    args = parser.parse_args()
    device = choose_device()
    results = []
    for name in args.sets.split(","):
        print(f"{name} on {device.name}", flush=True)
        results.append(run_set(name, args.data, recipe=args.recipe, device=device))
        print(json.dumps(results[-1], indent=1), flush=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))
    print(table(results))


if __name__ == "__main__":
    main()
