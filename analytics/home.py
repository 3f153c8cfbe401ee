"""The runtime home (``GAPSIGHT_HOME``): the one analytics module that model jobs may import."""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_HOME = Path(__file__).resolve().parent.parent / "data" / ".gapsight"


def gapsight_home() -> Path:
    """Where runtime state lives: ``$GAPSIGHT_HOME`` or ``data/.gapsight`` in the project."""
    return Path(os.environ.get("GAPSIGHT_HOME") or DEFAULT_HOME)
