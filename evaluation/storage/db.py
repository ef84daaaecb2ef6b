"""Engine and schema: SQLite under the data folder by default, any SQLAlchemy URL via DATABASE_URL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

from evaluation.errors import WorkbenchError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///").split("?")[0]
        if url.startswith("sqlite:///") and path != ":memory:" and not path.startswith("file:"):  # a URI names its own
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection_engine"] = engine
    return cfg


_MIGRATING = threading.Lock()  # Alembic keeps its running context in module globals: one upgrade at a time


POSTGRESQL_AT_LEAST = (13,)  # pg_current_snapshot() (see evaluation.storage.unchanged)


def check_server(engine: Engine) -> None:
    """Refuse a PostgreSQL server older than the workbench needs, saying so, before anything is written."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect():  # the dialect learns the server's version on its first connection
        found = engine.dialect.server_version_info or ()
    if tuple(found[:1]) < POSTGRESQL_AT_LEAST:
        shown = ".".join(str(n) for n in found) or "未知"
        raise WorkbenchError(f"PostgreSQL 版本过低：评价工作台需要 13 或更高版本，当前服务器是 {shown}")


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the latest Alembic revision (one thread at a time: the page and the
    download guard of one server may open the database together)."""
    check_server(engine)
    with _MIGRATING, engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction per user action: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def core(session: Session) -> Connection:
    """The session's connection, for a prebuilt Core statement of the reads every page run asks and of the save:
    what the session holds is written first (as ``session.execute`` would flush it), then the statement runs
    without the ORM's execution steps, which cost more than SQLite takes to answer these small statements (a table
    stamp through the session: 114 µs; on its connection: 75 µs)."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection()
