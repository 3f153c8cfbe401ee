"""Benchmark (issue 15): Chinese sentiment, every method the product has, side by side on real hotel reviews.

Usage::

    python -m tests.bench.bench_chinese --data ../shared/data --out tests/bench/out/chinese.json \
        [--transformer-rows 2000] [--methods lexicon,tfidf,minilm,multilingual,product,blend] \
        [--recipe app|cpu|cpu128|gpu] [--pooling cls|mean]

ChnSentiCorp hotel reviews (``chinese-hotel-reviews/ChnSentiCorp_htl_all.csv``, label 1 positive / 0 negative),
split 80/20 stratified with seed 0. Lexicons score the test rows untrained; the TF-IDF models train on the whole
80 %; the transformers fine-tune on ``--transformer-rows`` of it (stratified sample, seed 0) with the CPU recipe the
app uses (:func:`models.recipes.default_config`), then score the same test rows. Macro-F1 on the test rows, train
time and scoring rows/s on this machine.

The experiments behind the follow-up tables: ``--transformer-rows 0`` fine-tunes on the whole 80 %; ``--recipe``
picks the app's recipe for the device (default), its CPU recipe, the same with 128-token windows, or its GPU recipe
(run on whatever device there is); ``--pooling mean`` puts the head on the masked mean of the token vectors (how e5
was trained; its checkpoint has no pooler, so the usual CLS pooler starts random) instead of the CLS pooler;
``blend`` averages the app's TF-IDF and the multilingual fine-tune's probabilities and also reports each at its best
threshold on the test rows (an oracle: an upper bound, not a model).
"""
from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from analytics.language import detect_languages  # noqa: E402
from analytics.words import segmented  # noqa: E402
from models.base import BASE_MODEL_NAME, base_path_for, load_classifier  # noqa: E402
from models.device import choose_device  # noqa: E402
from models.inference import predict_proba  # noqa: E402
from models.lexicon import _pysenti_compound, _snownlp_compound, score_chinese  # noqa: E402
from models.linear import fit_tfidf_logreg  # noqa: E402
from models.multilingual import MULTILINGUAL_BASE_NAME  # noqa: E402
from models.recipes import FineTuneConfig, default_config  # noqa: E402
from models.training import fine_tune  # noqa: E402

METHODS = ("lexicon", "tfidf", "minilm", "multilingual", "product", "blend")
DEFAULT_METHODS = METHODS[:-1]  # the blend repeats the multilingual fine-tune on request only
CLASSES = ("negative", "positive")
RECIPES = ("app", "cpu", "cpu128", "gpu")


def hotel_reviews(data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = pd.read_csv(data / "chinese-hotel-reviews" / "ChnSentiCorp_htl_all.csv").dropna(subset=["review"])
    frame = frame.assign(text=frame["review"].astype(str), label=np.where(frame["label"] == 1, "positive",
                                                                         "negative"))
    return train_test_split(frame[["text", "label"]], test_size=0.2, stratify=frame["label"], random_state=0)


def _score(name: str, truth: list[str], predicted, seconds_train: float, seconds_score: float, n: int) -> dict:
    row = {"method": name, "macro_f1": round(float(f1_score(truth, list(predicted), average="macro")), 3),
           "train_s": round(seconds_train, 1), "rows_per_s": round(n / seconds_score, 1) if seconds_score else None}
    print(json.dumps(row, ensure_ascii=False), flush=True)
    return row


def lexicon(train: pd.DataFrame, test: pd.DataFrame) -> list[dict]:
    truth, texts, rows = test["label"].tolist(), test["text"].tolist(), []
    for name, score in (("the app's Chinese lexicons (pysenti + SnowNLP averaged)", score_chinese),
                        ("pysenti rules alone", lambda t: pd.DataFrame({"compound": [_pysenti_compound(x) for x in t]})),
                        ("SnowNLP word counts via jieba alone",
                         lambda t: pd.DataFrame({"compound": [_snownlp_compound(x) for x in t]}))):
        started = time.perf_counter()
        compound = score(texts)["compound"].to_numpy()
        rows.append(_score(name, truth, np.where(compound >= 0, "positive", "negative"), 0.0,
                           time.perf_counter() - started, len(test)))
    from snownlp import SnowNLP

    sample = test.iloc[:500]
    started = time.perf_counter()
    own = [SnowNLP(t).sentiments for t in sample["text"]]
    rows.append(_score("SnowNLP's own pipeline (500 test rows)", sample["label"].tolist(),
                       np.where(np.array(own) >= 0.5, "positive", "negative"), 0.0, time.perf_counter() - started,
                       len(sample)))
    return rows


def tfidf(train: pd.DataFrame, test: pd.DataFrame) -> list[dict]:
    rows = []
    for name, prepare, vectorizer in (
            ("TF-IDF words on raw text (no segmentation)", str, TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("TF-IDF jieba words", segmented, TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True,
                                                             token_pattern=r"(?u)\b\w+\b"))):
        started = time.perf_counter()
        model = make_pipeline(vectorizer, LogisticRegression(C=4.0, max_iter=3000, class_weight="balanced"))
        model.fit([prepare(t) for t in train["text"]], train["label"])
        trained = time.perf_counter() - started
        started = time.perf_counter()
        predicted = model.predict([prepare(t) for t in test["text"]])
        rows.append(_score(name, test["label"].tolist(), predicted, trained, time.perf_counter() - started,
                           len(test)))
    rows.append(app_tfidf(train, test)[0])
    return rows


def app_tfidf(train: pd.DataFrame, test: pd.DataFrame) -> tuple[dict, np.ndarray]:
    """The app's TF-IDF + LR (C chosen on a 10 % validation split of the training rows): its row and test
    probabilities in ``CLASSES`` order."""
    fit, val = train_test_split(train, test_size=0.1, stratify=train["label"], random_state=0)
    started = time.perf_counter()
    model = fit_tfidf_logreg(fit["text"].tolist(), fit["label"].tolist(), val["text"].tolist(),
                             val["label"].tolist(), classes=CLASSES)
    trained = time.perf_counter() - started
    started = time.perf_counter()
    proba = model.estimator.predict_proba(test["text"].tolist())
    order = [list(model.estimator.classes_).index(name) for name in CLASSES]
    predicted = np.asarray(CLASSES, dtype=object)[proba[:, order].argmax(axis=1)]
    row = _score("the app's TF-IDF + LR (word 1-2, Chinese char 1-3, char_wb 2-5; C on validation)",
                 test["label"].tolist(), predicted, trained, time.perf_counter() - started, len(test))
    return row, proba[:, order]


def recipe_config(recipe: str, *, cuda: bool) -> FineTuneConfig:
    """The app's recipe for this device, its CPU recipe, the same with 128-token windows, or its GPU recipe."""
    if recipe == "app":
        return default_config(cuda=cuda)
    if recipe == "gpu":
        return default_config(cuda=True)
    config = default_config(cuda=False)
    return replace(config, max_length=128) if recipe == "cpu128" else config


class _MaskedMean(torch.nn.Module):
    """Stands in for BERT's pooler: the mean of the token vectors under the attention mask of the current call."""

    def __init__(self) -> None:
        super().__init__()
        self.mask: torch.Tensor | None = None

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        mask = self.mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)


def mean_pooled_factory(path: Path):
    """A model factory for :func:`fine_tune` whose head reads the masked mean instead of the CLS pooler."""
    def build(classes):
        model = load_classifier(path, labels=classes)
        pool = _MaskedMean()
        model.bert.pooler = pool

        def remember_mask(module, args, kwargs):
            ids, mask = kwargs.get("input_ids"), kwargs.get("attention_mask")
            pool.mask = mask if mask is not None else torch.ones_like(ids)

        model.register_forward_pre_hook(remember_mask, with_kwargs=True)
        return model
    return build


def transformer(base: str, train: pd.DataFrame, test: pd.DataFrame, n_rows: int, *, recipe: str = "app",
                pooling: str = "cls", proba_out: list | None = None) -> list[dict]:
    sample = train if not n_rows or n_rows >= len(train) else train_test_split(
        train, train_size=n_rows, stratify=train["label"], random_state=0)[0]
    device = choose_device()
    config = recipe_config(recipe, cuda=device.is_cuda)
    path = base_path_for(base)
    started = time.perf_counter()
    result = fine_tune(sample["text"].tolist(), sample["label"].tolist(), config=config, device=device,
                       base_path=path, model_factory=mean_pooled_factory(path) if pooling == "mean" else None)
    trained = time.perf_counter() - started
    started = time.perf_counter()
    proba = predict_proba(result.model, result.tokenizer, test["text"].tolist(), device=device,
                          max_length=config.max_length, temperature=result.temperature)
    scored = time.perf_counter() - started
    predicted = np.asarray(result.classes, dtype=object)[proba.argmax(axis=1)]
    tokens = result.tokenizer(test["text"].tolist()[:300], add_special_tokens=False)["input_ids"]
    unk = getattr(result.tokenizer, "unk_token_id", None)
    unknown = float(np.mean([t == unk for ids in tokens for t in ids])) if unk is not None else None
    row = _score(f"{base} fine-tuned on {len(sample):,} rows ({recipe} recipe, {pooling} pooling, "
                 f"{config.max_length} tokens, {result.steps_run} steps, {device.name})",
                 test["label"].tolist(), predicted, trained, scored, len(test))
    row["validation_macro_f1_by_epoch"] = [round(float(v), 3) for v in result.history["val_macro_f1"]]
    if proba_out is not None:
        proba_out.append(proba[:, [list(result.classes).index(name) for name in CLASSES]])
    row["unknown_token_share"] = None if unknown is None else round(unknown, 4)
    print(json.dumps({"unknown_token_share": row["unknown_token_share"]}), flush=True)
    return [row]


def product(train: pd.DataFrame, test: pd.DataFrame) -> list[dict]:
    """The app's own path on a Chinese dataset: the best-of run (TF-IDF, embeddings + LR, the fine-tune) with the
    base its languages call for, on the whole 80 % (its own validation rows pick the winner), then every saved kind
    scored on the same test rows."""
    import tempfile

    from models.base import choose_base
    from models.tasks import score_texts, train_classifier

    device = choose_device()
    base = choose_base(pd.Series(detect_languages(train["text"])).value_counts().to_dict())
    rows = []
    with tempfile.TemporaryDirectory() as root:
        started = time.perf_counter()
        outcome = train_classifier(train["text"].tolist(), train["label"].tolist(), task="sentiment",
                                   models_root=root, recipe="full", device=device, base=base)
        trained = time.perf_counter() - started
        for kind, folder in outcome.folders.items():
            started = time.perf_counter()
            scored = score_texts(folder, test["text"].tolist(), device=device)
            won = " (activated)" if kind == outcome.selection.get("winner") else ""
            rows.append(_score(f"best-of run, {kind}{won}, base {base}", test["label"].tolist(), scored["label"],
                               trained, time.perf_counter() - started, len(test)))
    return rows


def blend(train: pd.DataFrame, test: pd.DataFrame, n_rows: int, recipe: str, pooling: str) -> list[dict]:
    """The app's TF-IDF, the multilingual fine-tune and their probability average; each also at its best
    threshold on the test rows (an oracle bound on what any threshold could give)."""
    tfidf_row, tfidf_proba = app_tfidf(train, test)
    tuned: list[np.ndarray] = []
    rows = [tfidf_row] + transformer(MULTILINGUAL_BASE_NAME, train, test, n_rows, recipe=recipe, pooling=pooling,
                                     proba_out=tuned)
    truth = (test["label"].to_numpy(dtype=object) == "positive").astype(int)
    thresholds = np.linspace(0.05, 0.95, 91)
    for name, proba in (("TF-IDF", tfidf_proba), ("fine-tune", tuned[0]), ("average", (tfidf_proba + tuned[0]) / 2)):
        scores = [f1_score(truth, (proba[:, 1] >= t).astype(int), average="macro") for t in thresholds]
        at_half = f1_score(truth, (proba[:, 1] >= 0.5).astype(int), average="macro")
        row = {"method": f"blend: {name}", "macro_f1": round(float(at_half), 3),
               "oracle_macro_f1": round(float(max(scores)), 3),
               "oracle_threshold": round(float(thresholds[int(np.argmax(scores))]), 2)}
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path)
    parser.add_argument("--transformer-rows", type=int, default=2000)
    parser.add_argument("--methods", default=",".join(DEFAULT_METHODS))
    parser.add_argument("--recipe", choices=RECIPES, default="app")
    parser.add_argument("--pooling", choices=("cls", "mean"), default="cls")
    args = parser.parse_args()
    torch.manual_seed(0)
    train, test = hotel_reviews(args.data)
    languages = pd.Series(detect_languages(test["text"])).value_counts().to_dict()
    print(json.dumps({"train": len(train), "test": len(test), "test_languages": languages}), flush=True)
    rows: list[dict] = []
    for method in args.methods.split(","):
        if method == "lexicon":
            rows += lexicon(train, test)
        elif method == "tfidf":
            rows += tfidf(train, test)
        elif method == "product":
            rows += product(train, test)
        elif method in ("minilm", "multilingual"):
            base = BASE_MODEL_NAME if method == "minilm" else MULTILINGUAL_BASE_NAME
            rows += transformer(base, train, test, args.transformer_rows, recipe=args.recipe, pooling=args.pooling)
        elif method == "blend":
            rows += blend(train, test, args.transformer_rows, args.recipe, args.pooling)
        else:
            parser.error(f"unknown method {method!r}; use {', '.join(METHODS)}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"train": len(train), "test": len(test), "rows": rows}, ensure_ascii=False,
                                       indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
