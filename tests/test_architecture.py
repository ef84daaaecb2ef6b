"""Layering: the domain core never imports the UI, and the pure modules never import the database."""

from __future__ import annotations

import ast
from pathlib import Path

from evaluation.config import REPO_ROOT

CORE = REPO_ROOT / "evaluation"


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_streamlit() -> None:
    offenders = [p for p in CORE.rglob("*.py") if "streamlit" in imports(p)]
    assert not offenders


def test_pure_domain_modules_do_not_import_the_database_layer() -> None:
    pure = [p for p in CORE.glob("*.py") if p.name != "cli.py"]
    assert len(pure) >= 8
    for p in pure:
        assert not imports(p) & {"sqlmodel", "sqlalchemy", "alembic", "psycopg"}, p.name


def test_pages_go_through_the_core() -> None:
    for p in (REPO_ROOT / "pages").glob("*.py"):
        assert not imports(p) & {"sqlmodel", "sqlalchemy"}, p.name
