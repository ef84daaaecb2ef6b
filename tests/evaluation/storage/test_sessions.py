"""Sign-in sessions in the database: resumed after a reload while valid, ended by time, idleness,
sign-out or a disabled account; only the token's hash is stored (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from evaluation.storage import users
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.sessions import end_session, resume_session, start_session
from evaluation.storage.tables import LoginSessionRow


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = open_database(db_url)
    yield eng
    eng.dispose()


def test_a_session_lives_while_used_and_ends_for_good(engine: Engine) -> None:
    t0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    with session_scope(engine) as s:
        admin = users.create_user(session=s, username="admin", password="Guanli-2024", role="管理员")
        token = start_session(session=s, user=admin, now=t0)
        stored = s.exec(select(LoginSessionRow)).one()
        assert token not in stored.token_hash and len(stored.token_hash) == 64
    for minutes in (30, 80, 130, 180):  # used every 50 minutes: stays signed in (idle limit 60)
        with session_scope(engine) as s:
            assert resume_session(session=s, token=token, now=t0 + timedelta(minutes=minutes)).user == admin
    with session_scope(engine) as s:
        late = resume_session(session=s, token=token, now=t0 + timedelta(minutes=241))
    assert late.user is None and "60 分钟没有操作" in late.reason
    with session_scope(engine) as s:  # ended: never resumed again, even inside the limits
        assert resume_session(session=s, token=token, now=t0 + timedelta(minutes=242)).user is None
        assert resume_session(session=s, token="a forged token", now=t0).user is None


def test_eight_hours_at_most_and_sign_out_and_disabling_end_it(engine: Engine) -> None:
    t0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    with session_scope(engine) as s:
        admin = users.create_user(session=s, username="admin", password="Guanli-2024", role="管理员")
        zhang = users.create_user(session=s, username="zhang", password="Zhang-2024", role="评价人员", actor=admin)
        busy = start_session(session=s, user=admin, now=t0)
        leaving = start_session(session=s, user=admin, now=t0)
        disabled = start_session(session=s, user=zhang, now=t0)
    for hours in range(1, 9):
        with session_scope(engine) as s:
            assert resume_session(session=s, token=busy, now=t0 + timedelta(hours=hours) - timedelta(minutes=1)).user
    with session_scope(engine) as s:
        over = resume_session(session=s, token=busy, now=t0 + timedelta(hours=8, minutes=1))
        assert over.user is None and "8 小时" in over.reason
        end_session(session=s, token=leaving, now=t0 + timedelta(minutes=5))
        assert resume_session(session=s, token=leaving, now=t0 + timedelta(minutes=6)).user is None
        users.update_user(session=s, actor=admin, user_id=zhang.id, active=False)
    with session_scope(engine) as s:
        gone = resume_session(session=s, token=disabled, now=t0 + timedelta(minutes=7))
    assert gone.user is None and "停用" in gone.reason


def test_clicks_within_a_minute_read_the_session_without_writing_it(engine: Engine) -> None:
    """Every click checks the session (one statement with its account); the last activity is written at most
    once a minute, so idleness is measured to the minute and a click is not a write transaction."""
    from sqlalchemy import event

    t0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    with session_scope(engine) as s:
        admin = users.create_user(session=s, username="admin", password="Guanli-2024", role="管理员")
        token = start_session(session=s, user=admin, now=t0)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", seen)
    for seconds in (5, 30, 59):
        with session_scope(engine) as s:
            assert resume_session(session=s, token=token, now=t0 + timedelta(seconds=seconds)).user == admin
    assert statements == ["SELECT"] * 3
    with session_scope(engine) as s:
        assert resume_session(session=s, token=token, now=t0 + timedelta(seconds=61)).user == admin
    assert statements[3:] == ["SELECT", "UPDATE"]
    event.remove(engine, "before_cursor_execute", seen)
    with session_scope(engine) as s:  # idle is measured from the activity written at 09:01:01
        assert resume_session(session=s, token=token, now=t0 + timedelta(minutes=60, seconds=50)).user == admin
    with session_scope(engine) as s:  # a disabled account still ends the session at the very next click
        zhang = users.create_user(session=s, username="zhang", password="Zhang-2024", role="评价人员", actor=admin)
        theirs = start_session(session=s, user=zhang, now=t0)
    with session_scope(engine) as s:
        assert resume_session(session=s, token=theirs, now=t0 + timedelta(seconds=10)).user == zhang
        users.update_user(session=s, actor=admin, user_id=zhang.id, active=False)
    with session_scope(engine) as s:
        gone = resume_session(session=s, token=theirs, now=t0 + timedelta(seconds=20))
    assert gone.user is None and "停用" in gone.reason
