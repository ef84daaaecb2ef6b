"""The Alembic migrations build exactly the tables the code declares (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from evaluation.errors import WorkbenchError
from evaluation.files.evaluations import dump_evaluation
from evaluation.storage import audit, decisions, repo, results, sessions, tables, users, workflow  # noqa: F401
from evaluation.storage.bootstrap import ensure_samples, open_database
from evaluation.storage.db import alembic_config, make_engine, migrate, session_scope
from tests.conftest import SAMPLES, database_url

RENYUAN = "hengkou-2024-zsj-01-renyuan"


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    engine = open_database(db_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_upgrading_recomputes_the_figures_a_self_record_stored_before(db_url: str) -> None:
    """A database from before 0009 stored the rules' score as a 自评 record's total; the upgrade replaces
    it with the department's own figure and keeps the rules' beside it."""
    engine = open_database(db_url)
    try:
        ensure_samples(engine, SAMPLES)
        with engine.begin() as conn:
            cfg = alembic_config(engine)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0008")
            conn.execute(text("UPDATE evaluation SET total_score = 96.6, grade = '优' WHERE key = :k"), {"k": RENYUAN})
        migrate(engine)
        with session_scope(engine) as s:
            item = next(i for i in repo.list_evaluations(session=s) if i.key == RENYUAN)
        assert (item.total_score, item.review_score) == (Decimal("90.60"), Decimal("96.60"))
    finally:
        engine.dispose()


def test_the_documents_move_to_a_table_of_their_own_and_back(db_url: str) -> None:
    """0011 moves each evaluation's document out of its row; every evaluation reads back the same, and a
    downgrade puts the documents back into the rows."""
    engine = open_database(db_url)
    try:
        ensure_samples(engine, SAMPLES)
        with session_scope(engine) as s:
            keys = [i.key for i in repo.list_evaluations(session=s)]
            before = {k: dump_evaluation(repo.get_evaluation(session=s, ref=k)) for k in keys}
        with engine.begin() as conn:
            cfg = alembic_config(engine)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0010")
            empty = conn.execute(text("SELECT count(*) FROM evaluation WHERE document IS NULL")).scalar()
            assert empty == 0
        migrate(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM evaluation_document")).scalar() == len(keys) == 13
        with session_scope(engine) as s:
            after = {k: dump_evaluation(repo.get_evaluation(session=s, ref=k)) for k in keys}
        assert after == before
    finally:
        engine.dispose()


def test_two_threads_opening_a_new_database_together_both_get_the_schema(tmp_path: Path) -> None:
    """The page and the download guard of one server may open the database at the same moment; Alembic keeps
    its running context in module globals, and two upgrades at once failed with KeyError: 'script'."""
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def open_it(n: int) -> None:
        start.wait()
        try:
            open_database(f"sqlite:///{tmp_path / 'shared.db'}").dispose()
        except BaseException as e:
            failures.append(e)

    threads = [threading.Thread(target=open_it, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    engine = open_database(f"sqlite:///{tmp_path / 'shared.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from alembic_version")).scalar() == 1
    engine.dispose()


def test_a_postgresql_server_too_old_is_refused_before_anything_is_written(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-run check of ``storage.unchanged`` needs PostgreSQL 13 (pg_current_snapshot); an older server is
    named in the refusal, and its database is left as it was."""
    with database_url(request, tmp_path, "postgresql") as url:
        engine = make_engine(url)
        try:
            with engine.connect():
                real = engine.dialect.server_version_info
            assert real is not None and real[0] >= 13
            monkeypatch.setattr(engine.dialect, "server_version_info", (12, 22))
            with pytest.raises(WorkbenchError, match=r"PostgreSQL 版本过低.*13 或更高.*12\.22"):
                migrate(engine)
            with engine.connect() as conn:
                assert conn.execute(text("SELECT to_regclass('public.evaluation')")).scalar() is None
            monkeypatch.setattr(engine.dialect, "server_version_info", real)
            migrate(engine)
            with engine.connect() as conn:
                assert conn.execute(text("SELECT to_regclass('public.evaluation')")).scalar() is not None
        finally:
            engine.dispose()


def test_every_access_table_has_the_clock_triggers_at_head_and_a_downgrade_takes_them_away(tmp_path: Path) -> None:
    """SQLite: the access clock is moved by triggers (0018) on each of ``tables.ACCESS_TABLES`` — a migration that
    rebuilds one of those tables would drop its triggers and fail here; its generation is drawn per database."""

    def triggers(engine: Any) -> set[str]:
        with engine.connect() as conn:
            return {str(r[0]) for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}

    wanted = {f"clock_{t}_{op}" for t in tables.ACCESS_TABLES for op in ("insert", "update", "delete")}
    first, second = (open_database(f"sqlite:///{tmp_path / name}") for name in ("a.db", "b.db"))
    try:
        assert triggers(first) == wanted
        generations = []
        for engine in (first, second):
            with engine.connect() as conn:
                generations.append(conn.execute(text("SELECT generation, n FROM change_clock")).all())
        assert [len(g) for g in generations] == [1, 1] and generations[0][0][1] == 0
        assert generations[0][0][0] != generations[1][0][0] and len(generations[0][0][0]) == 32
        with first.begin() as conn:
            cfg = alembic_config(first)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0017")
        assert triggers(first) == set()
        migrate(first)
        assert triggers(first) == wanted
    finally:
        first.dispose()
        second.dispose()
