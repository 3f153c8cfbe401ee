"""The app as `make run` starts it (`python app.py`), on a free local port: for browser and load tests."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve_app(home: Path, log_path: Path, *, grid_export: bool = False, start_timeout: float = 120,
              **extra_env: str):
    """Run the app with GAPSIGHT_HOME=home (plus ``extra_env``); yields ``(url, process)`` once it answers health.

    The app ships with Streamlit's table export off (it would write formulas unneutralised); ``grid_export`` turns
    it back on for tests that read a canvas-drawn table through that export. Raises ``RuntimeError`` with the
    server log's tail when it does not start.
    """
    port = free_port()
    env = dict(os.environ, GAPSIGHT_HOME=str(home), HF_HUB_OFFLINE="1", **extra_env)
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "app.py", "--server.port", str(port),
             *(["--client.disableDataExport", "false"] * grid_export), "--server.headless", "true",
             "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + start_timeout
            while True:
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    if time.time() > deadline or process.poll() is not None:
                        raise RuntimeError("streamlit did not start: " + log_path.read_text()[-2000:]) from None
                    time.sleep(0.5)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
