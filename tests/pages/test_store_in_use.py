"""A second app on a GAPSIGHT_HOME whose DuckDB file another process holds: a clear error, no traceback."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

from analytics.store.database import DB_FILENAME, Store
from pages.common.loaders import get_store

APP = str(Path(__file__).resolve().parents[2] / "app.py")
HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('holding', flush=True); time.sleep(120)"


def test_a_store_held_by_another_process_says_so_and_recovers_on_reload(home):
    store = Store.open_default()
    store.set_setting("demo_seeded", "yes")  # keep the reload below from importing the demo
    store.close()
    path = home / DB_FILENAME
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        at = AppTest.from_file(APP, default_timeout=120)
        at.run()
        assert not at.exception, at.exception
        assert len(at.error) == 1, [e.value for e in at.error]
        message = at.error[0].value
        assert "in use by another Gapsight process" in message
        assert str(path) in message and "GAPSIGHT_HOME" in message
        assert f"PID {holder.pid}" in message
    finally:
        holder.kill()
        holder.wait(timeout=30)

    # st.cache_resource keeps no failure: once the other process is gone, a reload opens the store.
    at.run()
    try:
        assert not at.exception, at.exception
        assert not at.error, [e.value for e in at.error]
        assert any("no dataset yet" in info.value.lower() for info in at.info)
    finally:
        get_store().close()  # the cached store of this private home: release the file
