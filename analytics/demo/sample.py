"""Put the generated demo dataset into the store the first time Gapsight starts."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from analytics.demo.generator import ensure_demo_csv
from analytics.home import gapsight_home
from analytics.ingest.mapping import suggest_mapping
from analytics.ingest.pipeline import ImportOptions, import_file
from analytics.ingest.readers import profile_file
from analytics.store.database import DatasetInfo, Store

DEMO_NAME = "Demo: Northwind Home (generated)"
DEMO_SETTING = "demo_dataset_id"


def demo_directory() -> Path:
    """Where the generated demo CSV lives (inside the git-ignored runtime home)."""
    return gapsight_home() / "demo"


def load_demo_dataset(store: Store, *, progress: Callable[[float, str], None] | None = None) -> DatasetInfo:
    """Generate the demo CSV if absent and import it through the normal pipeline.

    Returns the existing demo dataset when it is already stored.
    """
    existing_id = store.get_setting(DEMO_SETTING)
    if existing_id:
        try:
            return store.get_dataset(existing_id)
        except ValueError:
            pass  # deleted by the analyst: import it afresh
    path = ensure_demo_csv(demo_directory())
    profile = profile_file(path)
    mapping = suggest_mapping(profile.preview, column_types=profile.column_types).mapping
    report = import_file(store, profile, mapping, name=DEMO_NAME,
                         options=ImportOptions(allow_same_file=True), progress=progress)
    store.set_setting(DEMO_SETTING, report.dataset_id)
    return store.get_dataset(report.dataset_id)


def seed_demo_once(store: Store, *, progress: Callable[[float, str], None] | None = None) -> DatasetInfo | None:
    """Import the demo on the very first start only; an analyst who deletes it is not overruled."""
    if store.get_setting("demo_seeded") == "yes":
        return None
    info = load_demo_dataset(store, progress=progress)
    store.set_setting("demo_seeded", "yes")
    return info


def main() -> int:
    """``python -m analytics.demo.sample`` (``make demo``): prepare the demo before the app first opens."""
    store = Store.open_default()
    try:
        shown = set()

        def say(fraction: float, message: str) -> None:
            step = min(int(fraction * 10), 10)  # one line per tenth, not one per chunk
            if step not in shown:
                shown.add(step)
                print(f"  {fraction:4.0%} {message}", flush=True)

        print("Preparing the demo dataset (first run only: 20,000 generated interactions)…", flush=True)
        info = seed_demo_once(store, progress=say)
    finally:
        store.close()
    print(f"Demo dataset imported: {info.n_rows:,} interactions." if info else
          f"The demo was prepared before; the store is at {gapsight_home()}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
