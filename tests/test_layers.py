"""The house rules of which code may import which, checked on the source of every module with ``ast``.

- ``analytics`` never imports streamlit or ``models``.
- ``models`` never imports streamlit and takes from ``analytics`` only ``analytics.home``,
  ``analytics.schema`` and the text vocabulary (``analytics.language``, ``analytics.words``); ``models/flows/`` (the one join of store and models) may also use
  ``analytics.store``, ``analytics.insights``, ``analytics.ingest`` (reading the files the CLI
  trains on and scores) and ``analytics.export`` (writing scored CSV safely).
- ``analytics.insights`` and ``analytics.figures`` never import ``analytics.store`` or duckdb.
- Page files (everything under ``pages/`` but ``pages/common/``) never open DuckDB themselves.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def imported_modules(source: str, *, package: str = "") -> list[str]:
    """Every module a source file imports (relative imports resolved against ``package``)."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(p for p in [*parts, base] if p)
            names += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return names


def _starts(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def violations(module: str, imports: list[str]) -> list[str]:
    """The imports of ``module`` (dotted name) that break a house rule, each with the rule it breaks."""
    out, flagged = [], []
    for name in imports:
        if any(name.startswith(f + ".") for f in flagged):
            continue  # `from x import y` also yields x.y: one message per import
        before = len(out)
        if module.startswith(("analytics.", "models.")) and _starts(name, ("streamlit",)):
            out.append(f"{module} imports {name}: the core never imports streamlit")
        if module.startswith("analytics.") and _starts(name, ("models",)):
            out.append(f"{module} imports {name}: analytics never imports models")
        if module.startswith("models.") and _starts(name, ("analytics",)):
            allowed = ("analytics.home", "analytics.schema", "analytics.language", "analytics.words")
            if module.startswith("models.flows."):
                allowed += ("analytics.store", "analytics.insights", "analytics.ingest", "analytics.export")
            if name != "analytics" and not _starts(name, allowed):
                out.append(f"{module} imports {name}: models take only {', '.join(allowed)} from analytics")
        if module.startswith(("analytics.insights.", "analytics.figures.")) and _starts(
                name, ("analytics.store", "duckdb")):
            out.append(f"{module} imports {name}: insights and figures never open the store")
        if module.startswith("pages.") and not module.startswith("pages.common.") and _starts(name, ("duckdb",)):
            out.append(f"{module} imports {name}: pages go through analytics, never DuckDB")
        if len(out) > before:
            flagged.append(name)
    return out


def house_modules() -> dict[str, Path]:
    """Every Python module of app.py, analytics, models and pages, by dotted name."""
    modules = {}
    for top in ("analytics", "models", "pages"):
        for path in sorted((PROJECT / top).rglob("*.py")):
            parts = path.relative_to(PROJECT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _package(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def test_the_walk_sees_every_wing():
    modules = house_modules()
    for wing in ("analytics.ingest", "analytics.store", "analytics.insights", "analytics.figures",
                 "analytics.export", "analytics.demo", "models.flows", "pages.common", "pages.panels", "pages.views"):
        assert sum(m.startswith(wing + ".") for m in modules) >= 1, wing
    assert len(modules) > 60


def test_every_module_keeps_the_house_rules():
    broken = []
    for module, path in house_modules().items():
        broken += violations(module, imported_modules(path.read_text(encoding="utf-8"),
                                                      package=_package(module, path)))
    assert broken == []


@pytest.mark.parametrize(("module", "line", "rule"), [
    ("analytics.insights.kpis", "import streamlit as st", "never imports streamlit"),
    ("analytics.store.labels", "from streamlit import session_state", "never imports streamlit"),
    ("models.registry", "import streamlit", "never imports streamlit"),
    ("analytics.ingest.readers", "from models.text import clean_text", "never imports models"),
    ("models.tasks", "from analytics.store.database import Store", "models take only"),
    ("models.flows.sync", "from analytics.figures.style import escape", "models take only"),
    ("analytics.insights.topics", "from analytics.store.predictions import load_predictions", "never open the store"),
    ("analytics.figures.overview", "import duckdb", "never open the store"),
    ("analytics.insights.kpis", "from ..store import database", "never open the store"),
    ("pages.views.overview", "import duckdb", "never DuckDB"),
])
def test_a_broken_rule_is_caught(module, line, rule):
    package = module.rpartition(".")[0]
    found = violations(module, imported_modules(line, package=package))
    assert found and rule in found[0]


@pytest.mark.parametrize(("module", "line"), [
    ("models.jobs", "from analytics.home import gapsight_home"),
    ("models.tasks", "from analytics.schema import NEGATIVE_BELOW"),
    ("models.flows.sync", "from analytics.store.database import Store"),
    ("pages.common.loaders", "from analytics.store.database import Store"),
    ("analytics.figures.overview", "from analytics.figures.style import escape"),
])
def test_allowed_imports_pass(module, line):
    assert violations(module, imported_modules(line, package=module.rpartition(".")[0])) == []
