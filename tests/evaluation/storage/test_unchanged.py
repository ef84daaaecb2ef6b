"""Reads kept while nothing was committed (``storage.unchanged``) and the sign-in check built on it, on SQLite and
PostgreSQL: a commit by any connection — this engine's, another engine's (another server), one that was still open
when the read ran — makes the next call read again; reading, or a transaction that writes nothing, does not."""

from __future__ import annotations

import gc
import re
import sqlite3
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, select

from evaluation.auth import User
from evaluation.errors import NotFound
from evaluation.storage import unchanged as unchanged_module
from evaluation.storage import users
from evaluation.storage.bootstrap import ensure_samples, open_database
from evaluation.storage.db import make_engine, session_scope
from evaluation.storage.sessions import SEEN_PRECISION, resume, start_session
from evaluation.storage.tables import ACCESS_TABLES, LoginSessionRow, UserRow
from evaluation.storage.unchanged import (
    ask_again,
    database_stamp,
    forget_unchanged,
    one_stamp,
    read_unchanged,
    unchanged,
)
from evaluation.storage.users import account_user
from tests.conftest import SAMPLES, add_to_narrative, another_server, calls_of, statements_run

RENYUAN = "hengkou-2024-zsj-01-renyuan"


@pytest.fixture
def engines(db_url: str) -> Iterator[tuple[Engine, Engine]]:
    """This server's engine and another server's, on the same database (whose first account, an administrator,
    adds the others)."""
    mine, other = open_database(db_url), open_database(db_url)
    with session_scope(mine) as s:
        users.create_user(session=s, username="admin", password="Guanli-2024-x", role="管理员")
    yield mine, other
    mine.dispose()
    other.dispose()


def admin(session: Session) -> User:
    return account_user(session.exec(select(UserRow).where(UserRow.username == "admin")).one())


def add_user(engine: Engine, name: str) -> User:
    with session_scope(engine) as s:
        return users.create_user(session=s, username=name, password="Mima-2024-xyz", role="评价人员", actor=admin(s))


def names(session: Session) -> list[str]:
    return sorted(n for n in session.exec(select(UserRow.username)).all() if n != "admin")


class Counted:
    """``names`` read through ``read_unchanged``, counting the reads that reached the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.reads = engine, 0

    def __call__(self) -> list[str]:
        def read(session: Session) -> list[str]:
            self.reads += 1
            return names(session)

        return read_unchanged(self.engine, ("user names", id(self)), read)


def test_a_read_is_asked_again_only_after_a_commit(engines: tuple[Engine, Engine]) -> None:
    mine, other = engines
    add_user(mine, "wang")
    listed = Counted(mine)
    assert listed() == ["wang"] and listed() == ["wang"] and listed.reads == 1
    with session_scope(mine) as s:  # reading, and a transaction that writes nothing, change nothing
        names(s)
    with session_scope(other) as s:
        s.exec(select(UserRow)).all()
    assert listed() == ["wang"] and listed.reads == 1
    add_user(other, "li")  # another server's commit
    assert listed() == ["li", "wang"] and listed.reads == 2
    add_user(mine, "zhao")  # this server's own commit
    assert listed() == ["li", "wang", "zhao"] and listed.reads == 3
    with session_scope(other) as s:  # an update of one column of one row
        row = s.exec(select(UserRow).where(UserRow.username == "li")).one()
        row.username = "li2"
        s.add(row)
    assert listed() == ["li2", "wang", "zhao"] and listed.reads == 4
    assert listed() == ["li2", "wang", "zhao"] and listed.reads == 4


def test_a_write_open_during_the_read_is_seen_once_committed(engines: tuple[Engine, Engine]) -> None:
    """Another server's transaction has written but not committed when this one reads; its commit must not be
    mistaken for the state that read saw."""
    mine, other = engines
    add_user(mine, "wang")
    listed = Counted(mine)
    with other.connect() as conn:
        conn.execute(text(f"UPDATE {UserRow.__tablename__} SET username = 'wang2' WHERE username = 'wang'"))
        assert listed() == ["wang"]
        conn.commit()
    assert listed() == ["wang2"]


def test_a_commit_between_the_stamp_and_the_read_is_not_kept_for_later(engines: tuple[Engine, Engine]) -> None:
    """The stamp is read before the data: a read that already saw a later commit is kept under the earlier stamp,
    which never comes back, so the next call reads again rather than keep what it saw as current."""
    mine, other = engines
    add_user(mine, "wang")
    calls: list[list[str]] = []

    def read(session: Session) -> list[str]:
        found = names(session)
        calls.append(found)
        if len(calls) == 1:  # between this read and the next call, another server commits
            add_user(other, "li")
        return found

    assert read_unchanged(mine, "racing read", read) == ["wang"]
    assert read_unchanged(mine, "racing read", read) == ["li", "wang"]
    assert read_unchanged(mine, "racing read", read) == ["li", "wang"] and len(calls) == 2


def test_failures_are_not_kept_and_names_keep_reads_apart(engines: tuple[Engine, Engine]) -> None:
    mine, _ = engines
    tries: list[int] = []

    def missing() -> str:
        tries.append(1)
        raise NotFound("没有这个评价")

    for _ in range(2):
        with pytest.raises(NotFound):
            unchanged(mine, "missing", missing)
    assert len(tries) == 2
    assert unchanged(mine, ("a", 1), lambda: "一") == "一"
    assert unchanged(mine, ("a", 2), lambda: "二") == "二"
    assert unchanged(mine, ("a", 1), lambda: "changed") == "一"
    forget_unchanged()  # a restore drops what was kept
    assert unchanged(mine, ("a", 1), lambda: "changed") == "changed"


def test_a_database_that_cannot_tell_is_read_every_time() -> None:
    engine = open_database("sqlite:///:memory:")
    try:
        assert database_stamp(engine) is None
        seen: list[int] = []

        def read() -> int:
            seen.append(len(seen))
            return len(seen)

        assert [unchanged(engine, "anything", read) for _ in range(3)] == [1, 2, 3]
    finally:
        engine.dispose()


def test_the_sign_in_check_asks_nothing_until_a_write_and_still_ends_by_time(engines: tuple[Engine, Engine]) -> None:
    mine, other = engines
    t0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    zhang = add_user(mine, "zhang")
    with session_scope(mine) as s:
        token = start_session(session=s, user=zhang, now=t0)
    assert resume(mine, token, now=t0).user == zhang
    with statements_run(mine) as run:  # within the minute: judged from what was read, nothing asked
        assert resume(mine, token, now=t0 + timedelta(seconds=30)).user == zhang
    assert not [q for q in run if "login_session" in q], run
    # a minute later last_seen is due: read again and written
    assert resume(mine, token, now=t0 + SEEN_PRECISION + timedelta(seconds=1)).user == zhang
    with session_scope(mine) as s:
        assert s.exec(select(LoginSessionRow)).one().last_seen.replace(tzinfo=UTC) > t0 + timedelta(seconds=60)
    # idle too long: ends although nothing was written since the last check, and stays ended
    late = resume(mine, token, now=t0 + timedelta(minutes=200))
    assert late.user is None and "没有操作" in late.reason
    assert resume(mine, token, now=t0 + timedelta(minutes=201)).user is None
    with session_scope(mine) as s:
        fresh = start_session(session=s, user=zhang, now=t0 + timedelta(minutes=202))
    assert resume(mine, fresh, now=t0 + timedelta(minutes=203)).user == zhang
    with session_scope(other) as s:  # another server disables the account: the next click is refused
        row = s.exec(select(UserRow).where(UserRow.username == "zhang")).one()
        row.active = False
        s.add(row)
    refused = resume(mine, fresh, now=t0 + timedelta(minutes=203, seconds=10))
    assert refused.user is None and "停用" in refused.reason
    assert resume(mine, "a forged token", now=t0).user is None


def test_a_dropped_engine_leaves_nothing_behind(tmp_path: Path) -> None:
    """A process opens many engines over its life (tests, commands): the connection that reads the stamp closes with
    its engine, and nothing kept holds the engine."""
    engine = open_database(f"sqlite:///{tmp_path / 'gone.db'}")
    assert unchanged(engine, "anything", lambda: 1) == 1
    watcher = unchanged_module._watches[engine].sqlite
    assert watcher is not None
    gone = weakref.ref(engine)
    engine.dispose()
    del engine
    gc.collect()
    assert gone() is None
    with pytest.raises(sqlite3.ProgrammingError):
        watcher.execute("PRAGMA data_version")


@pytest.mark.parametrize("form", ["relative path, the working folder changed since", "URI with options"])
def test_the_stamp_watches_the_file_the_engine_has_open(
    form: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp's connection opens the file the engine's connections have open, however the URL named it: a
    relative path is resolved as the engine resolved it, a URI keeps its meaning (no stray file named "file:")."""
    monkeypatch.chdir(tmp_path)
    if form.startswith("relative"):
        engine = make_engine("sqlite:///data/rel.db")
    else:
        engine = make_engine(f"sqlite:///file:{tmp_path / 'u.db'}?uri=true&cache=private")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        (tmp_path / "elsewhere").mkdir()
        monkeypatch.chdir(tmp_path / "elsewhere")

        def count() -> int:
            with engine.connect() as conn:
                return int(conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one())

        assert unchanged(engine, "rows", count) == 0
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
        assert unchanged(engine, "rows", count) == 1
        assert not list((tmp_path / "elsewhere").iterdir())
        assert not [p for p in tmp_path.iterdir() if p.name.startswith("file:")]
    finally:
        engine.dispose()


def test_a_shared_in_memory_database_is_read_every_time_and_dispose_closes_the_watcher(tmp_path: Path) -> None:
    shared = create_engine("sqlite:///file:shared_mem_test?mode=memory&cache=shared&uri=true", poolclass=StaticPool)
    holder = shared.connect()  # keeps the shared database alive
    try:
        assert database_stamp(shared) is None
    finally:
        holder.close()
        shared.dispose()
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    first = database_stamp(engine)
    watcher = unchanged_module._watches[engine].sqlite
    assert watcher is not None and first is not None
    engine.dispose()  # with the pool goes the stamp's connection
    assert engine not in unchanged_module._watches
    with pytest.raises(sqlite3.ProgrammingError):
        watcher.execute("PRAGMA data_version")
    assert database_stamp(engine) is not None  # the engine still works, with a new watcher
    engine.dispose()


def test_a_page_run_asks_for_the_stamp_once_until_it_commits(
    engines: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside one_stamp (app.py wraps each page run in it) the stamp is asked once for any number of kept reads; a
    commit by this thread (a save) makes the next read ask again; another server's commit is seen by the next run."""
    mine, other = engines
    add_user(mine, "wang")
    listed, history = Counted(mine), Counted(mine)
    assert listed() == ["wang"] and history() == ["wang"]
    with calls_of(monkeypatch, unchanged_module, "database_stamp") as asked, one_stamp():
        for _ in range(3):
            assert listed() == ["wang"] and history() == ["wang"]
        assert len(asked) == 1
        add_user(other, "li")  # another server commits during the run: this run goes on as it started
        assert listed() == ["wang"] and len(asked) == 1
        ask_again()  # unless told to ask again (a save this session made in another run, ui.state.new_page_run)
        assert listed() == ["li", "wang"] and len(asked) == 2
        add_user(mine, "zhao")  # this run's own save: the next read asks again and sees it
        assert listed() == ["li", "wang", "zhao"] and len(asked) == 3
    assert history() == ["li", "wang", "zhao"]  # the next run sees everything
    with one_stamp():  # nested runs (a page run inside a test's run) keep their own stamps
        assert history() == ["li", "wang", "zhao"]
        with one_stamp():
            add_user(other, "qian")
            assert listed() == ["li", "qian", "wang", "zhao"]
        assert history() == ["li", "wang", "zhao"]


def access_clock(engine: Engine) -> int | None:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT n FROM change_clock WHERE name = 'access'")).first()
    return None if found is None else int(found[0])


def test_every_write_to_an_access_table_moves_the_clock_and_a_save_of_an_evaluation_does_not(tmp_path: Path) -> None:
    """SQLite: the access clock moves with every insert, update and delete of every access table (whatever writes
    it: the code's own functions or plain SQL), in the writing transaction (a rolled-back write leaves it), and
    stays where it was when evaluations, their assessments, the audit trail and settings are written."""
    engine = open_database(f"sqlite:///{tmp_path / 'clock.db'}")
    try:
        with session_scope(engine) as s:
            users.create_user(session=s, username="admin", password="Guanli-2024-x", role="管理员")
        ensure_samples(engine, SAMPLES)
        writes = {
            "app_user": (
                "INSERT INTO app_user (username, display_name, role, password_hash, active, failed_logins, created_at)"
                " VALUES ('sun', '', '评价人员', 'x', 1, 0, '2026-12-01')",
                "UPDATE app_user SET display_name = '孙' WHERE username = 'sun'",
                "DELETE FROM app_user WHERE username = 'sun'",
            ),
            "login_session": (
                "INSERT INTO login_session (token_hash, user_id, created_at, last_seen, end_reason)"
                " VALUES ('t', (SELECT id FROM app_user WHERE username = 'admin'), '2026-12-01', '2026-12-01', '')",
                "UPDATE login_session SET last_seen = '2026-12-02' WHERE token_hash = 't'",
                "DELETE FROM login_session WHERE token_hash = 't'",
            ),
            "membership": (
                f"INSERT INTO membership (user_id, evaluation_key) VALUES (1, '{RENYUAN}')",
                f"UPDATE membership SET evaluation_key = 'x' WHERE evaluation_key = '{RENYUAN}'",
                "DELETE FROM membership WHERE evaluation_key = 'x'",
            ),
            "workflow": (
                "INSERT INTO workflow (evaluation_key, state, comments, updated_by, updated_at)"
                f" VALUES ('{RENYUAN}', '已提交', '[]', 'admin', '2026-12-01')",
                f"UPDATE workflow SET state = '草稿' WHERE evaluation_key = '{RENYUAN}'",
                f"DELETE FROM workflow WHERE evaluation_key = '{RENYUAN}'",
            ),
        }
        for table, statements in writes.items():
            for statement in statements:
                before = access_clock(engine)
                assert before is not None
                with engine.begin() as conn:
                    assert conn.execute(text(statement)).rowcount == 1, statement
                assert access_clock(engine) == before + 1, (table, statement)
        before = access_clock(engine)
        with pytest.raises(RuntimeError), engine.begin() as conn:  # rolled back: the clock stays
            conn.execute(text("UPDATE app_user SET display_name = 'x'"))
            raise RuntimeError("回滚")
        assert access_clock(engine) == before
        with session_scope(engine) as s:  # a colleague's save of an indicator (evaluation, assessment, audit rows)
            add_to_narrative(s, RENYUAN, "（补充）")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO app_setting (key, value, updated_at) VALUES ('k', 'v', '2026-12-01')"))
        assert access_clock(engine) == before
    finally:
        engine.dispose()


def test_checks_of_the_access_tables_stay_kept_while_only_evaluations_are_saved(
    engines: tuple[Engine, Engine],
) -> None:
    """The sign-in check and a read of the access tables only (``access_only``) are not asked again after another
    server saved an evaluation — on SQLite, where the access clock says nothing of theirs changed; on PostgreSQL,
    which keeps no clock, they are — and are asked again, on both, after a write of any access table."""
    mine, other = engines
    ensure_samples(mine, SAMPLES)
    t0 = datetime.now(UTC)
    zhang = add_user(mine, "zhang")
    with session_scope(mine) as s:
        token = start_session(session=s, user=zhang, now=t0)
    reads: list[int] = []

    def members(session: Session) -> list[str]:
        reads.append(1)
        return users.memberships(session=session, user_id=zhang.id)

    def check() -> tuple[User | None, list[str]]:
        return resume(mine, token, now=t0).user, read_unchanged(mine, ("members", 1), members, access_only=True)

    assert check() == (zhang, []) and len(reads) == 1
    with another_server(), session_scope(other) as s:
        add_to_narrative(s, RENYUAN, "（另一台服务器）")
    kept = mine.dialect.name == "sqlite"
    with statements_run(mine) as run:
        assert check() == (zhang, [])
    assert bool([q for q in run if "login_session" in q]) is not kept, run
    assert len(reads) == (1 if kept else 2)
    with session_scope(other) as s:  # another server makes zhang a member: seen at the next call
        users.add_member(session=s, actor=admin(s), user_id=zhang.id, evaluation_key=RENYUAN)
    assert check() == (zhang, [RENYUAN])
    with session_scope(other) as s:  # and disables the account: refused at the next call
        row = s.exec(select(UserRow).where(UserRow.username == "zhang")).one()
        row.active = False
        s.add(row)
    assert check()[0] is None


def test_the_database_file_put_back_to_an_earlier_copy_does_not_bring_back_a_kept_access_read(tmp_path: Path) -> None:
    """SQLite: the file restored to an earlier copy under a running server (the backup API, as an operator's tool
    would) brings back an earlier count of the access clock; the writes after it move the count through values this
    server has seen, each time with another time of the move, so what was kept under them is not given out."""
    engine = open_database(f"sqlite:///{tmp_path / 'live.db'}")
    try:
        with session_scope(engine) as s:
            users.create_user(session=s, username="admin", password="Guanli-2024-x", role="管理员")
        add_user(engine, "zhao")

        def listed() -> list[str]:
            return read_unchanged(engine, "user names", names, access_only=True)

        assert listed() == ["zhao"]
        earlier = sqlite3.connect(tmp_path / "earlier.db")
        with sqlite3.connect(tmp_path / "live.db") as live:
            live.backup(earlier)
        add_user(engine, "sun")
        assert listed() == ["sun", "zhao"]
        with sqlite3.connect(tmp_path / "live.db") as live:
            earlier.backup(live)  # the file as it was before sun
        earlier.close()
        assert listed() == ["zhao"]
        add_user(engine, "li")  # the count moves to the value it had after sun
        assert listed() == ["li", "zhao"]
    finally:
        engine.dispose()


ACCESS_READS = (
    "the sign-in check",
    "a member's right to edit",
    "a member's right to review",
    "the workflow states",
)


@pytest.mark.parametrize("read", ACCESS_READS)
def test_the_reads_kept_under_the_access_clock_read_the_access_tables_only(
    read: str, engines: tuple[Engine, Engine]
) -> None:
    """What ``access_only`` reads (sessions.resume, ui.access, the home page) asks only of the tables whose writes
    move the access clock: a check that read another table too would be kept past that table's writes."""
    from evaluation.storage import decisions, workflow
    from evaluation.storage.sessions import _hash, _judged

    mine, _ = engines
    ensure_samples(mine, SAMPLES)
    zhang = add_user(mine, "zhang")
    with session_scope(mine) as s:
        users.add_member(session=s, actor=admin(s), user_id=zhang.id, evaluation_key=RENYUAN)
        token = start_session(session=s, user=zhang)
    checks = {
        "the sign-in check": lambda s: _judged(s, _hash(token)),
        "a member's right to edit": lambda s: (
            users.check_access(session=s, user=zhang, action="edit", evaluation_key=RENYUAN),
            workflow.ensure_editable(session=s, evaluation_key=RENYUAN, role=zhang.role),
        ),
        "a member's right to review": lambda s: decisions.ensure_reviewable(
            session=s, user=User(zhang.id, zhang.username, "", "复核人员"), evaluation_key=RENYUAN
        ),
        "the workflow states": lambda s: workflow.states(session=s),
    }
    with statements_run(mine) as run, session_scope(mine) as s:
        checks[read](s)
    asked = [q for q in run if q.lstrip().upper().startswith("SELECT")]
    tables = {t.strip('"').lower() for q in asked for t in re.findall(r"\b(?:FROM|JOIN)\s+(\"?\w+\"?)", q)}
    assert asked and tables <= set(ACCESS_TABLES), (tables, asked)
