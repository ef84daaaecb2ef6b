"""The one-time set-up code for the first administrator, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from evaluation.errors import ValidationFailed
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.setup import MAX_TRIES, create_first_admin, issue_setup_code
from evaluation.storage.users import has_users, list_users


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = open_database(db_url)
    yield eng
    eng.dispose()


def first(engine: Engine, code: str, username: str = "chen") -> None:
    with session_scope(engine) as s:
        create_first_admin(session=s, setup_code=code, username=username, password="Chen-2024-pw")


def test_the_first_administrator_needs_the_code_once(engine: Engine) -> None:
    with pytest.raises(ValidationFailed, match="还没有生成设置码"):
        first(engine, "ANY-CODE")
    with session_scope(engine) as s:
        old = issue_setup_code(session=s)
    with session_scope(engine) as s:
        code = issue_setup_code(session=s)  # a new start: a new code, the old one void
    assert old and code and old != code and len(code) == 11 and code[5] == "-"
    with pytest.raises(ValidationFailed, match="设置码不正确"):
        first(engine, old)
    with session_scope(engine) as s:
        assert not has_users(session=s)  # refused: nothing written
    first(engine, code.lower().replace("-", " "))  # typed by hand: case, dash and spaces do not matter
    with session_scope(engine) as s:
        assert [(u.username, u.role) for u in list_users(session=s)] == [("chen", "管理员")]
        assert issue_setup_code(session=s) is None  # an account exists: no more codes
    with pytest.raises(ValidationFailed, match="还没有生成设置码"):
        first(engine, code, "wang")  # used once


def test_a_bad_account_keeps_the_code_and_guessing_voids_it(engine: Engine) -> None:
    with session_scope(engine) as s:
        code = issue_setup_code(session=s)
    assert code is not None
    with pytest.raises(ValidationFailed, match="不能全是数字"), session_scope(engine) as s:
        create_first_admin(session=s, setup_code=code, username="chen", password="12345678")
    for _ in range(MAX_TRIES - 1):
        with pytest.raises(ValidationFailed, match="设置码不正确"):
            first(engine, "WRONG-GUESS")
    with pytest.raises(ValidationFailed, match="错误次数过多，已作废"):
        first(engine, "WRONG-GUESS")
    with pytest.raises(ValidationFailed, match="错误次数过多"):
        first(engine, code)  # even the right code, once voided
