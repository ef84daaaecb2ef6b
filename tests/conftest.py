"""Shared fixtures: the repository's data, throw-away databases (SQLite and, where the binaries
exist, a real PostgreSQL cluster started for the session)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from evaluation.config import REPO_ROOT
from evaluation.indicators.library import Library, load_library

SAMPLES = REPO_ROOT / "data" / "samples"
LIBRARY = REPO_ROOT / "indicator_library"
REQUIRE_ALL = os.environ.get("WORKBENCH_REQUIRE_ALL", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Skip a test that needs something this machine lacks; under CI that is a failure."""
    if REQUIRE_ALL:
        pytest.fail(f"CI 要求运行此测试，但{reason}")
    pytest.skip(reason)


@contextmanager
def statements_run(target: Any) -> Iterator[list[str]]:
    """The SQL statements ``target`` (an engine, or the ``Engine`` class for every engine) runs inside the block."""
    from sqlalchemy import event

    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(target, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(target, "before_cursor_execute", record)


@contextmanager
def calls_of(
    monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, note: Callable[..., Any] = lambda *args, **_kw: args
) -> Iterator[list[Any]]:
    """What ``note`` makes of the arguments of each call of ``owner.<name>`` inside the block (the real one still
    runs and answers)."""
    notes: list[Any] = []
    real = getattr(owner, name)

    def called(*args: Any, **kwargs: Any) -> Any:
        notes.append(note(*args, **kwargs))
        return real(*args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(owner, name, called)
        yield notes


@contextmanager
def summary_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """The ids each read of cached score summaries asks for (``results._cached``) inside the block."""
    from evaluation.storage import results

    with calls_of(monkeypatch, results, "_cached", lambda _session, ids: ids) as read:
        yield read


def add_to_narrative(session: Any, key: str, words: str) -> None:
    """Save evaluation ``key``'s first assessment with ``words`` added to its 评分过程, over its stored version (a
    save of one indicator, as a colleague would make it)."""
    from evaluation.auth import SYSTEM
    from evaluation.storage import repo

    ev, _, versions = repo.get_evaluation_with_versions(session=session, ref=key)
    old = ev.assessments[0]
    repo.save_assessment(
        session=session,
        ref=key,
        assessment=old.model_copy(update={"narrative": f"{old.narrative}{words}"}),
        expected_version=versions[old.code],
        user=SYSTEM,
    )


@contextmanager
def another_server() -> Iterator[None]:
    """What runs inside runs as in another server process, with a memory of its own: a save there leaves nothing
    in this process's kept list and evaluations (within one process, a save keeps what it wrote for the next
    page run, see ``repo.keep_saved``), so this process learns of it from the database, as another server would."""
    from evaluation.kept import KeptMap
    from evaluation.storage import repo

    mine = repo._listed, repo._kept_documents, repo._kept_departments, repo._replacements
    repo._listed, repo._kept_documents, repo._kept_departments, repo._replacements = (
        {},
        KeptMap(128),
        KeptMap(16),
        KeptMap(64),
    )
    try:
        yield
    finally:
        repo._listed, repo._kept_documents, repo._kept_departments, repo._replacements = mine


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library(LIBRARY)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


@contextmanager
def temporary_postgres(initdb: str, pg_ctl: str) -> Iterator[str]:
    """A PostgreSQL cluster in a temporary folder (initdb + pg_ctl), as a non-root user when root."""
    base = Path(tempfile.mkdtemp(prefix="wb_pg_"))
    datadir = base / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:
        user = "postgres" if shutil.which("runuser") and _user_exists("postgres") else "nobody"
        shutil.chown(base, user=user)
        os.chmod(base, 0o755)
        prefix = ["runuser", "-u", user, "--"]
    port = free_port()
    subprocess.run(
        [
            *prefix,
            initdb,
            "-D",
            str(datadir),
            "-U",
            "workbench",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    log = base / "pg.log"
    subprocess.run(
        [
            *prefix,
            pg_ctl,
            "-D",
            str(datadir),
            "-l",
            str(log),
            "-w",
            "-o",
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://workbench@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(datadir), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The test PostgreSQL: WORKBENCH_TEST_PG_URL, or a temporary cluster."""
    if os.environ.get("WORKBENCH_TEST_PG_URL"):
        yield os.environ["WORKBENCH_TEST_PG_URL"]
        return
    initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        skip_or_fail("本机没有 PostgreSQL 服务器程序（initdb/pg_ctl），无法启动测试用 PostgreSQL")
    assert initdb and pg_ctl
    with temporary_postgres(initdb, pg_ctl) as url:
        yield url


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@contextmanager
def database_url(request: pytest.FixtureRequest, tmp_path: Path, kind: str) -> Iterator[str]:
    """A fresh database of ``kind`` (sqlite, or a new database on the test PostgreSQL server, dropped after)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base_url = request.getfixturevalue("postgres_url")
    import psycopg

    name = f"t_{int(time.time() * 1000) % 10**9}_{os.getpid()}"
    plain = base_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same tests against SQLite and a real PostgreSQL (a fresh database each time)."""
    with database_url(request, tmp_path, request.param) as url:
        yield url


@pytest.fixture
def sample_engine(db_url: str) -> Iterator[Engine]:
    """A migrated database (SQLite, then PostgreSQL) holding the sample evaluations."""
    from evaluation.storage.bootstrap import ensure_samples, open_database

    eng = open_database(db_url)
    ensure_samples(eng, SAMPLES)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A local S3 server (moto's, a dev dependency) with fake credentials, for the S3 attachment store."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        skip_or_fail("没有安装 moto[server]（开发依赖），无法运行 S3 附件存储的测试")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")}
    os.environ.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def snapshot_holds_the_database(url: str, folder: Path) -> None:
    """The command left the 对比分析 snapshot of the database it changed in ``folder``: its stamps are the
    database's (a server started now reads no summary) and its frames those of a full build."""
    import pandas as pd

    from evaluation.storage import repo, results
    from evaluation.storage.bootstrap import open_database
    from evaluation.storage.db import session_scope

    engine = open_database(url)
    snapshot = results.read_snapshot(results.engine_snapshot(folder, engine))
    assert snapshot is not None
    fresh = results.PortfolioCache()
    with session_scope(engine) as s:
        built = fresh.read(session=s)
        assert snapshot.stamps == built.stamps and len(built.stamps) == repo.count_evaluations(session=s)
    for name in ("projects", "groups", "indicators"):
        pd.testing.assert_frame_equal(getattr(snapshot.frames, name), getattr(built.frames, name))
    engine.dispose()
