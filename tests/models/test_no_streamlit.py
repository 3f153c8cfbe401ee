"""models/ must never import streamlit (checked on the source, with ast)."""

import ast
from pathlib import Path

MODELS = Path(__file__).resolve().parents[2] / "models"


def test_models_package_never_imports_streamlit():
    offenders = []
    for path in sorted(MODELS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "streamlit"]
    assert offenders == []
    assert len(list(MODELS.glob("*.py"))) > 5  # the walk really saw the package
