"""Reads kept while nothing at all changed in the database.

Every page run asks the database a few small questions besides what it shows: the list's stamp, the current
evaluation's stamp, whether the user may edit it, its review decisions, its final report. Each is cheap, but
together they cost a page about as much as drawing it. Most runs follow a run in which nothing was written, and
the database can say so in one question that costs almost nothing:

* SQLite: ``PRAGMA data_version`` on a connection of this process's own that never writes. Its value moves
  whenever any other connection — of this process or another — commits a change (and at checkpoints, which only
  costs a read).
* PostgreSQL: ``pg_current_snapshot()`` (13 or later) with the server's start time. Two snapshots with the same
  horizon and the same transactions in progress see exactly the same rows; any write anywhere on the server since
  then moves one or the other (the start time: after a crash or a restore, transaction ids may be handed out again).

A read of the tables the per-click checks read — accounts, sign-ins, memberships, workflow states
(``tables.ACCESS_TABLES``) — and of nothing else may say so (``access_only``): on SQLite it is then kept under the
access clock, a counter that triggers move in every transaction writing those tables (migration 0018), read on the
same connection right after ``data_version`` moved. A colleague's save of an evaluation then leaves the sign-in
check and the right to edit as they were, and the run after it does not ask for them again. Under PostgreSQL the
clock would make every writer of those tables queue on its row: such reads keep to the snapshot stamp there.

:func:`unchanged` keeps what a read returned under the stamp read *before* it. If something was committed
between the stamp and the read, the stamp has moved for good, so that entry is never used again. Any other
database (or an in-memory SQLite) gets no stamp, and every read runs. Inside :func:`one_stamp` (app.py wraps each
page run in it) the stamp is asked once per run, and again after the run's own thread commits.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import NamedTuple, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from evaluation.kept import KeptMap
from evaluation.storage.db import session_scope
from evaluation.storage.tables import ACCESS_CLOCK

T = TypeVar("T")

# the snapshot, and the server's start: after a crash, a failover or a restore to an earlier point a server may hand
# out the same transaction ids again, and a snapshot seen before could come back over other rows
_PG_STAMP = "SELECT pg_current_snapshot()::text || ' ' || pg_postmaster_start_time()::text"


# the access clock's row (see tables.ChangeClockRow), on the stamp's own connection
_ACCESS_CLOCK = f"SELECT generation, n, changed_at FROM change_clock WHERE name = '{ACCESS_CLOCK}'"


class Stamp(NamedTuple):
    """What a kept read is kept under: the database's stamp, and the access clock's (None when there is none)."""

    whole: Hashable
    access: Hashable | None


class _Watch:
    """One engine's way to read its database's stamp (holding no reference to the engine, which keys it)."""

    def __init__(self, engine: Engine) -> None:
        self.postgresql = engine.dialect.name == "postgresql"
        self.sqlite: sqlite3.Connection | None = None
        if engine.dialect.name == "sqlite":
            # the file the engine's own connections have open (asked of one of them: a relative path or a URI is
            # resolved as the engine resolved it), on a connection of its own that never writes, so every commit
            # of every other connection moves its data_version; an in-memory database has no file and no stamp
            with engine.connect() as conn:
                files = {str(r[1]): str(r[2] or "") for r in conn.exec_driver_sql("PRAGMA database_list")}
            if files.get("main"):
                self.sqlite = sqlite3.connect(files["main"], check_same_thread=False, isolation_level=None, timeout=30)
        self.lock = threading.Lock()
        self.last: Stamp | None = None  # the SQLite stamp last read, with its access clock

    def stamp(self, engine: Engine) -> Stamp | None:
        if self.sqlite is not None:
            with self.lock:
                version = int(self.sqlite.execute("PRAGMA data_version").fetchone()[0])
                if self.last is None or self.last.whole != version:  # the clock moves only with a commit
                    self.last = Stamp(version, self._access_clock())
                return self.last
        if self.postgresql:
            with engine.connect() as conn:
                return Stamp(str(conn.exec_driver_sql(_PG_STAMP).scalar_one()), None)
        return None

    def _access_clock(self) -> Hashable | None:
        """The access clock (its generation, count and time of its last move), or None when the database has none
        (not yet migrated)."""
        assert self.sqlite is not None
        try:
            found = self.sqlite.execute(_ACCESS_CLOCK).fetchone()
        except sqlite3.OperationalError:  # no such table
            return None
        return None if found is None else (ACCESS_CLOCK, str(found[0]), int(found[1]), str(found[2]))

    def close(self) -> None:
        if self.sqlite is not None:
            with self.lock:
                self.sqlite.close()


_watches: weakref.WeakKeyDictionary[Engine, _Watch] = weakref.WeakKeyDictionary()
_watches_lock = threading.Lock()

# (engine, stamp, what) → what the read returned at that stamp (the database's, or the access clock's); entries of
# past stamps are never asked for again and age out
_kept: KeptMap[tuple[int, Hashable, Hashable], tuple[weakref.ref[Engine], object]] = KeptMap(1024)


def database_stamp(engine: Engine) -> Stamp | None:
    """A value (``whole``) that differs whenever anything was committed to ``engine``'s database since it was last
    read, with the access clock's (``access``: it differs whenever an access table was written), or None when this
    database cannot tell."""
    with _watches_lock:
        watch = _watches.get(engine)
        if watch is None:
            watch = _watches[engine] = _Watch(engine)
            weakref.finalize(engine, watch.close)
            for name, listener in (("engine_disposed", _forget_watch), ("commit", _committed)):
                if not event.contains(engine, name, listener):
                    event.listen(engine, name, listener)
    return watch.stamp(engine)


# the stamps of the page run this thread is in (see one_stamp): engine id → stamp
_run = threading.local()


@contextmanager
def one_stamp() -> Iterator[None]:
    """Inside (one page run, app.py), the stamp is asked once and used by every kept read, until this thread
    commits anything, when it is asked again: a run whose reads are all kept asks the database one question, not
    one per read (on PostgreSQL a round trip each). Another thread's or server's commit during the run is seen
    from the next run on, as if the run had happened a moment earlier."""
    outer = getattr(_run, "stamps", None)
    _run.stamps = {}
    try:
        yield
    finally:
        _run.stamps = outer


def ask_again() -> None:
    """The run's later kept reads ask the database for its stamp again (a commit this run did not make itself, but
    depends on, may have come after the run asked)."""
    stamps: dict[int, Stamp | None] | None = getattr(_run, "stamps", None)
    if stamps:
        stamps.clear()


def _committed(conn: Connection) -> None:
    """Any commit by this thread (its own saves; the reads' sessions too) makes the run ask for the stamp again."""
    stamps: dict[int, Stamp | None] | None = getattr(_run, "stamps", None)
    if stamps:
        stamps.pop(id(conn.engine), None)


def _stamp(engine: Engine) -> Stamp | None:
    stamps: dict[int, Stamp | None] | None = getattr(_run, "stamps", None)
    if stamps is None:
        return database_stamp(engine)
    if id(engine) not in stamps:
        stamps[id(engine)] = database_stamp(engine)
    return stamps[id(engine)]


def _forget_watch(engine: Engine) -> None:
    """Close the engine's stamp connection with its pool (``dispose``); a later stamp opens a new one."""
    with _watches_lock:
        watch = _watches.pop(engine, None)
    if watch is not None:
        watch.close()


def unchanged(engine: Engine, what: Hashable, read: Callable[[], T], *, access_only: bool = False) -> T:
    """``read()`` — or what it returned for the same ``what`` while nothing was committed to the database since
    (with ``access_only``, a read of the access tables and of no other: nothing committed to those tables, where
    the database keeps their clock).

    ``what`` names the read and everything it depends on besides the database (the user, the evaluation key).
    What is returned is shared between runs and sessions: callers must not change it. An exception is raised
    again at every call, never kept."""
    stamp = _stamp(engine)
    if stamp is None:
        return read()
    key = (id(engine), stamp.access if access_only and stamp.access is not None else stamp.whole, what)
    found = _kept.get(key)
    if found is not None and found[0]() is engine:
        return found[1]  # type: ignore[return-value]
    value = read()
    _kept.put(key, (weakref.ref(engine), value))
    return value


def read_unchanged(engine: Engine, what: Hashable, read: Callable[[Session], T], *, access_only: bool = False) -> T:
    """:func:`unchanged` for a read that needs a session of its own."""

    def run() -> T:
        with session_scope(engine) as session:
            return read(session)

    return unchanged(engine, what, run, access_only=access_only)


def forget_unchanged() -> None:
    """Drop every kept read (a restore, a restarted server)."""
    _kept.clear()
