"""Fixtures of the insights tests: the imported demo's canonical rows, read once per session."""
import os

import pytest


@pytest.fixture(scope="session")
def demo_rows(demo_home_template):
    """The demo dataset as the importer stored it (treat as read-only)."""
    from analytics.store.database import Store

    old = os.environ.get("GAPSIGHT_HOME")
    os.environ["GAPSIGHT_HOME"] = str(demo_home_template)
    try:
        store = Store.open_default()
        rows = store.load_rows(store.list_datasets()[0].id)
        store.close()
    finally:
        if old is None:
            os.environ.pop("GAPSIGHT_HOME")
        else:
            os.environ["GAPSIGHT_HOME"] = old
    return rows
