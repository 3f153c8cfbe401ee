"""Put the generated demo dataset into the store the first time Gapsight starts (and the Chinese one on request)."""
from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from analytics.demo.generator import LANGUAGES, ensure_demo_csv
from analytics.home import gapsight_home
from analytics.ingest.mapping import suggest_mapping
from analytics.ingest.pipeline import ImportOptions, import_file
from analytics.ingest.readers import profile_file
from analytics.store.database import DatasetInfo, Store

DEMO_NAME = "Demo: Northwind Home (generated)"
DEMO_SETTING = "demo_dataset_id"
# Each language is its own dataset under its own setting, so the English and the Chinese demo sit side by side.
DEMO_NAMES: Mapping[str, str] = MappingProxyType({"en": DEMO_NAME, "zh": "演示: 北风家居 (generated, Chinese)"})
DEMO_SETTINGS: Mapping[str, str] = MappingProxyType({"en": DEMO_SETTING, "zh": "demo_dataset_id_zh"})


def demo_directory() -> Path:
    """Where the generated demo CSV lives (inside the git-ignored runtime home)."""
    return gapsight_home() / "demo"


def load_demo_dataset(store: Store, *, language: str = "en",
                      progress: Callable[[float, str], None] | None = None) -> DatasetInfo:
    """Generate the demo CSV of ``language`` ("en" or "zh") if absent and import it through the normal pipeline.

    Returns the existing demo dataset of that language when it is already stored.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language={language!r} should be one of {', '.join(map(repr, LANGUAGES))}")
    existing_id = store.get_setting(DEMO_SETTINGS[language])
    if existing_id:
        try:
            return store.get_dataset(existing_id)
        except ValueError:
            pass  # deleted by the analyst: import it afresh
    path = ensure_demo_csv(demo_directory(), language=language)
    profile = profile_file(path)
    mapping = suggest_mapping(profile.preview, column_types=profile.column_types).mapping
    report = import_file(store, profile, mapping, name=DEMO_NAMES[language],
                         options=ImportOptions(allow_same_file=True), progress=progress)
    store.set_setting(DEMO_SETTINGS[language], report.dataset_id)
    return store.get_dataset(report.dataset_id)


def seed_demo_once(store: Store, *, progress: Callable[[float, str], None] | None = None) -> DatasetInfo | None:
    """Import the English demo on the very first start only; an analyst who deletes it is not overruled."""
    if store.get_setting("demo_seeded") == "yes":
        return None
    info = load_demo_dataset(store, progress=progress)
    store.set_setting("demo_seeded", "yes")
    return info


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m analytics.demo.sample`` (``make demo``): prepare the demo before the app first opens;
    ``--language zh`` imports the Chinese demo (whether or not the English one was seeded)."""
    parser = argparse.ArgumentParser(prog="python -m analytics.demo.sample", description=main.__doc__)
    parser.add_argument("--language", choices=LANGUAGES, default="en", help="which demo to import (default: en)")
    language = parser.parse_args(argv).language
    store = Store.open_default()
    try:
        shown = set()

        def say(fraction: float, message: str) -> None:
            step = min(int(fraction * 10), 10)  # one line per tenth, not one per chunk
            if step not in shown:
                shown.add(step)
                print(f"  {fraction:4.0%} {message}", flush=True)

        if language == "en":
            print("Preparing the demo dataset (first run only: 20,000 generated interactions)…", flush=True)
            info = seed_demo_once(store, progress=say)
        else:
            print(f"Preparing the demo dataset {DEMO_NAMES[language]!r} (20,000 generated interactions)…",
                  flush=True)
            info = load_demo_dataset(store, language=language, progress=say)
    finally:
        store.close()
    print(f"Demo dataset {info.name!r}: {info.n_rows:,} interactions." if info else
          f"The demo was prepared before; the store is at {gapsight_home()}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
