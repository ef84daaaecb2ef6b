"""Helpers for the AppTest page tests: a fresh database per test, the stored evaluation, widget lookup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from evaluation.config import REPO_ROOT
from evaluation.model import Evaluation
from evaluation.storage.db import make_engine, session_scope
from evaluation.storage.repo import get_evaluation

SAMPLE = "panzhihua-2023-zhaoshang"


def new_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    import streamlit as st

    st.cache_resource.clear()
    return AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)


def open_page(at: AppTest, page: str, evaluation: str | None = SAMPLE) -> AppTest:
    """Run the app, choose the evaluation, switch to ``pages/<page>.py``."""
    at.run()
    if evaluation is not None:
        at.session_state["wb_current_evaluation"] = evaluation
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def stored(tmp_path: Path, key: str = SAMPLE) -> Evaluation:
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        with session_scope(engine) as session:
            return get_evaluation(session=session, ref=key)
    finally:
        engine.dispose()


def by_label(elements: Any, label: str) -> Any:
    """The widget whose label starts with ``label``."""
    found = [e for e in elements if str(e.label).startswith(label)]
    assert found, f"没有标签为“{label}”的控件：{[e.label for e in elements]}"
    return found[0]


def button(at: AppTest, label: str) -> Any:
    return by_label(list(at.button) + list(at.form_submit_button), label)


def texts(at: AppTest) -> str:
    """Every message on the page (errors, warnings, successes, infos, toasts), joined."""
    parts = [e.value for kind in (at.error, at.warning, at.success, at.info, at.toast) for e in kind]
    return "\n".join(str(p) for p in parts)


def edit_table(
    at: AppTest,
    key: str,
    *,
    edited: dict[int, dict[str, Any]] | None = None,
    added: list[dict[str, Any]] | None = None,
    deleted: list[int] | None = None,
) -> None:
    """Seed a data_editor's edits (``data_editor.set_value`` is not supported by AppTest)."""
    at.session_state[key] = {"edited_rows": edited or {}, "added_rows": added or [], "deleted_rows": deleted or []}
