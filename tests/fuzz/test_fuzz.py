"""A fixed-seed fuzz run through the Data page's call chain (the long run is `make fuzz`)."""
from __future__ import annotations

import random
from collections import Counter

from analytics.ingest.pipeline import import_file
from analytics.ingest.readers import profile_file
from tests.fuzz.corpus import MUTATIONS, fuzz_file
from tests.fuzz.harness import fingerprint, judge_message, run_file

FILES = 150


def test_every_fuzzed_file_imports_or_is_refused_clearly(store, tmp_path):
    seed = tmp_path / "kept.csv"
    seed.write_text("text,rating\nlovely shop,5\nparcel lost,1\nfine,3\n")
    import_file(store, profile_file(seed), {"text": "text", "rating": "rating"}, name="kept")
    kept = fingerprint(store)
    rng = random.Random(14)
    outcomes, failures = Counter(), []
    for i in range(FILES):
        data, name, mutation = fuzz_file(rng)
        outcome = run_file(store, data, name, tmp_path / "uploads")
        outcomes[outcome.kind] += 1
        if outcome.kind == "failed":
            failures.append(f"#{i} {mutation} {name[:30]!r}: {outcome.detail[:600]}")
    assert not failures, "\n".join(failures)
    assert fingerprint(store) == kept
    assert outcomes["imported"] > 10 and outcomes["rejected"] > 10, outcomes


def test_the_oracle_catches_internal_and_unhelpful_messages():
    assert judge_message("'utf-8' codec can't encode character '\\ud800'") is not None
    assert judge_message("Exceeds the limit (4300 digits) for integer string conversion") is not None
    assert judge_message("The file is wrong.") is not None
    assert judge_message("The file is empty (0 bytes). Export it again and upload the new file.") is None
    assert len(MUTATIONS) >= 25
