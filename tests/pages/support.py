"""Helpers for the AppTest page tests: a fresh database per test, the stored evaluation, widget lookup."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from evaluation.auth import SYSTEM, User
from evaluation.config import REPO_ROOT
from evaluation.model import Evaluation
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import make_engine, session_scope
from evaluation.storage.repo import get_evaluation
from evaluation.storage.sessions import start_session
from evaluation.storage.users import add_member, create_user, has_users, list_users

SAMPLE = "panzhihua-2023-zhaoshang"


PASSWORD = "correct horse 42"
USERNAMES = {
    "管理员": "admin",
    "评价人员": "consultant",
    "复核人员": "reviewer",
    "管理者": "manager",
    "被评价单位": "unit",
}


def add_account(tmp_path: Path, username: str, role: str, member_of: tuple[str, ...] = ()) -> User:
    """Create an account (and its memberships) in the test database, migrating it first if needed."""
    engine = open_database(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        with session_scope(engine) as session:
            existing = [u for u in list_users(session=session) if u.username == username]
            if existing:
                user = existing[0]
            else:
                actor = None if not has_users(session=session) else SYSTEM
                user = create_user(session=session, username=username, password=PASSWORD, role=role, actor=actor)
            for key in member_of:
                add_member(session=session, actor=SYSTEM, user_id=user.id, evaluation_key=key)
        return user
    finally:
        engine.dispose()


def sign_in(at: AppTest, tmp_path: Path, user: User) -> str:
    """What the login form leaves in the session: the user and a sign-in session's token (the guard
    checks both against the database on every run). Returns the token."""
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    try:
        with session_scope(engine) as session:
            token = start_session(session=session, user=user)
    finally:
        engine.dispose()
    at.session_state["wb_user"] = asdict(user)
    at.session_state["wb_token"] = token
    return token


def new_app(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    role: str | None = "管理员",
    member_of: tuple[str, ...] = (),
    script: str = "app.py",
) -> AppTest:
    """The app on a fresh database, signed in as a user with ``role`` (None: nobody signed in).

    The first account must be an administrator, so for other roles an administrator is created first. The tests
    click faster than any person: a click on a form within a second of its save is not taken for the second click
    of a double click here (``ui.saving.REPEAT_SECONDS``; tested on its own with the real window)."""
    import ui.saving

    monkeypatch.setattr(ui.saving, "REPEAT_SECONDS", 0.0)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    import streamlit as st

    st.cache_resource.clear()
    at = AppTest.from_file(str(REPO_ROOT / script), default_timeout=60)
    if role is not None:
        if role != "管理员":
            add_account(tmp_path, "admin", "管理员")
        sign_in(at, tmp_path, add_account(tmp_path, USERNAMES[role], role, member_of))
    return at


def open_page(at: AppTest, page: str, evaluation: str | None = SAMPLE) -> AppTest:
    """Run the app, choose the evaluation, switch to ``pages/<page>.py``."""
    at.run()
    if evaluation is not None:
        at.session_state["wb_current_evaluation"] = evaluation
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def open_new_form(at: AppTest) -> AppTest:
    """Run the app on 评价项目 and switch the 新建评价 section on."""
    at.run()
    at.toggle(key="wb_new_open").set_value(True).run()
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


def picker(at: AppTest, name: str) -> Any:
    """The evaluation picker ``name`` (``home_pick``, ``wb_pick_evaluation``): one widget per current evaluation,
    keyed ``name@key`` (see ``ui.state.evaluation_picker``); exactly one is on the page."""
    found = [s for s in at.selectbox if str(s.key or "").startswith(f"{name}@")]
    assert len(found) == 1, [s.key for s in at.selectbox]
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
