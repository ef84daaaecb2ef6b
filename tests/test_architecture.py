"""The layers hold: the domain core never imports the UI, storage never imports pages or ui helpers, the
pure domain never touches the database, no module imports form a cycle, and the tests mirror the packages."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from evaluation.config import REPO_ROOT

CORE = REPO_ROOT / "evaluation"
LAYERS = ("evaluation", "ui", "pages")
DATABASE = {"sqlmodel", "sqlalchemy", "alembic", "psycopg"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources() -> Iterator[Path]:
    for layer in LAYERS:
        for path in sorted((REPO_ROOT / layer).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path
    yield REPO_ROOT / "app.py"


def imported(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (``from a import b`` counts as
    ``a.b`` when ``a.b`` is a module, else as ``a``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def graph() -> dict[str, set[str]]:
    """Project modules → the project modules they import."""
    modules = {module_name(p): p for p in sources()}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges[name] = {m for m in imported(path) if m in modules and m != name}
    return edges


def tops(path: Path) -> set[str]:
    return {m.split(".")[0] for m in imported(path)}


def test_the_core_never_imports_streamlit_or_the_ui() -> None:
    offenders = [p.name for p in CORE.rglob("*.py") if tops(p) & {"streamlit", "ui", "pages"}]
    assert offenders == []


def test_storage_never_imports_pages_or_ui_helpers() -> None:
    offenders = [p.name for p in (CORE / "storage").rglob("*.py") if tops(p) & {"ui", "pages", "streamlit"}]
    assert offenders == []


def test_the_pure_domain_never_touches_the_database() -> None:
    """Only storage/ (tables and queries) and cli/ (the commands that open the database) may."""
    pure = [p for p in CORE.rglob("*.py") if not {"storage", "cli"} & set(p.relative_to(CORE).parts)]
    assert len(pure) >= 30
    offenders = [str(p.relative_to(CORE)) for p in pure if tops(p) & DATABASE]
    assert offenders == []
    into_storage = [
        str(p.relative_to(CORE))
        for p in pure
        if any(m.startswith(("evaluation.storage", "evaluation.cli")) for m in imported(p))
    ]
    assert into_storage == []


def test_pages_go_through_the_core() -> None:
    for p in (REPO_ROOT / "pages").glob("*.py"):
        assert not tops(p) & {"sqlmodel", "sqlalchemy"}, p.name


def find_cycle(edges: dict[str, set[str]]) -> list[str]:
    """One import cycle (as a path that returns to its start), or [] when there is none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def test_no_module_imports_form_a_cycle() -> None:
    edges = graph()
    assert len(edges) > 80
    assert find_cycle(edges) == []


def test_the_cycle_finder_finds_a_cycle_hidden_in_a_function() -> None:
    # the check above must be able to fail: a two-module cycle and a longer one are reported
    assert find_cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_tests_mirror_the_packages() -> None:
    """tests/evaluation/<package>/ for each core package, tests/pages/ for the pages, tests/browser/ for the
    browser journeys, tests/benchmarks/ for the benchmarks; test files are named test_<subject>.py."""
    tests = REPO_ROOT / "tests"
    packages = {p.parent.name for p in CORE.glob("*/__init__.py")}
    mirrored = {p.name for p in (tests / "evaluation").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert mirrored <= packages, mirrored - packages
    assert {"indicators", "scoring", "review", "selfeval", "report", "dashboard", "storage", "cli"} <= mirrored
    top = {p.name for p in tests.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert top == {"evaluation", "pages", "browser", "benchmarks"}
    helpers = {"__init__.py", "conftest.py", "support.py", "factories.py"}
    for path in tests.rglob("*.py"):
        name = path.name
        if "benchmarks" in path.parts:
            assert name.startswith("bench_") or name == "__init__.py", path
        else:
            assert name.startswith("test_") or name in helpers, path
    pages = {p.stem for p in (REPO_ROOT / "pages").glob("*.py")}
    page_tests = {p.stem.removeprefix("test_") for p in (tests / "pages").glob("test_*.py")}
    assert page_tests - {"app", "smoke", "team", "projects", "web", "kept", "state"} <= pages
