"""Time the work a first visit starts on the demo: VADER on the 20,000 texts, MiniLM embeddings of 1,000.

    python -m tests.bench.bench_first_visit

CPU figures for the README's "What the first visits start"; not collected by pytest.
"""
from __future__ import annotations

import time

from analytics.demo.generator import generate_demo
from models.device import choose_device
from models.embeddings import embed, load_encoder
from models.flows.lexicon_scoring import lexicon_predictions


def main() -> None:
    texts = generate_demo().interactions["text"].tolist()
    started = time.perf_counter()
    lexicon_predictions([str(i) for i in range(len(texts))], texts)
    vader = time.perf_counter() - started
    encoder, device = load_encoder(), choose_device("cpu")
    embed(texts[:64], device=device, encoder=encoder)  # warm-up: the first batch pays for lazy set-up
    started = time.perf_counter()
    embed(texts[:1000], device=device, encoder=encoder)
    embedding = time.perf_counter() - started
    print(f"VADER: {len(texts):,} texts in {vader:.1f} s ({len(texts) / vader:,.0f}/s)")
    print(f"MiniLM embeddings: 1,000 texts in {embedding:.1f} s ({1000 / embedding:,.0f}/s) on {device.name}; "
          f"the demo's {len(texts):,} in about {len(texts) / (1000 / embedding) / 60:.1f} min")


if __name__ == "__main__":
    main()
