"""The agency's own templates in the database (SQLite and PostgreSQL): kept, listed, refused when invalid,
used for a new evaluation, deleted; who may do it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from evaluation.auth import SYSTEM, PermissionDenied, User
from evaluation.errors import NotFound, ValidationFailed
from evaluation.indicators.client_table import read_client_table
from evaluation.indicators.library import Library
from evaluation.indicators.system import IndicatorSystem
from evaluation.lifecycle import new_evaluation
from evaluation.model import Project
from evaluation.storage import audit
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.repo import create_evaluation, get_evaluation
from evaluation.storage.templates import delete_template, get_template, list_templates, save_template
from tests.evaluation.indicators.test_client_table import layout_a

CONSULTANT = User(id=0, username="zhang", display_name="张", role="评价人员")
MANAGER = User(id=0, username="wang", display_name="王", role="管理者")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = open_database(db_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="module")
def client_system() -> IndicatorSystem:
    read = read_client_table("人居环境整治.xlsx", layout_a(), system_id="renju-2019")
    assert read.ok and read.system is not None
    return read.system


def test_kept_listed_and_used_for_a_new_evaluation(
    engine: Engine, library: Library, client_system: IndicatorSystem
) -> None:
    with session_scope(engine) as s:
        save_template(session=s, system=client_system, user=CONSULTANT, library=library)
    with session_scope(engine) as s:
        (kept,) = list_templates(session=s)
        assert kept.key == "renju-2019" and kept.system == client_system and kept.created_by == "zhang"
        assert [e.action for e in audit.history(session=s, evaluation_key="renju-2019")] == ["新建"]
    project = Project(name="2020年农村人居环境整治", department="某区农业农村局", year=2020)
    with session_scope(engine) as s:
        template = get_template(session=s, key="renju-2019")
        ev = new_evaluation(id="eval-2020-1", project=project, template=template)
        create_evaluation(session=s, evaluation=ev, user=SYSTEM)
    with session_scope(engine) as s:
        assert get_evaluation(session=s, ref="eval-2020-1").system == client_system


def test_refused_duplicates_shipped_ids_incomplete_systems_and_other_roles(
    engine: Engine, library: Library, client_system: IndicatorSystem
) -> None:
    with session_scope(engine) as s:
        save_template(session=s, system=client_system, user=CONSULTANT, library=library)
    with pytest.raises(ValidationFailed, match="已有编号“renju-2019”"), session_scope(engine) as s:
        save_template(session=s, system=client_system, user=CONSULTANT, library=library)
    renamed = client_system.model_copy(update={"name": "改名后的体系"})
    with session_scope(engine) as s:
        save_template(session=s, system=renamed, user=CONSULTANT, library=library, replace=True)
    with session_scope(engine) as s:
        assert get_template(session=s, key="renju-2019").name == "改名后的体系"
    shipped = client_system.model_copy(update={"id": "panzhihua-2024"})
    with pytest.raises(ValidationFailed, match="已是指标库中模板的编号"), session_scope(engine) as s:
        save_template(session=s, system=shipped, user=CONSULTANT, library=library)
    with pytest.raises(ValidationFailed, match="尚未填充指标"), session_scope(engine) as s:
        open_slots = library.systems["panzhihua-2024"].model_copy(update={"id": "my-copy"})
        save_template(session=s, system=open_slots, user=CONSULTANT, library=library)
    with pytest.raises(PermissionDenied), session_scope(engine) as s:
        save_template(session=s, system=client_system.model_copy(update={"id": "x"}), user=MANAGER, library=library)
    with session_scope(engine) as s:
        assert [t.key for t in list_templates(session=s)] == ["renju-2019"]


def test_deleted_and_unknown(engine: Engine, library: Library, client_system: IndicatorSystem) -> None:
    with session_scope(engine) as s:
        save_template(session=s, system=client_system, user=CONSULTANT, library=library)
    with pytest.raises(PermissionDenied), session_scope(engine) as s:
        delete_template(session=s, key="renju-2019", user=MANAGER)
    with session_scope(engine) as s:
        delete_template(session=s, key="renju-2019", user=CONSULTANT)
    with session_scope(engine) as s:
        assert list_templates(session=s) == []
        with pytest.raises(NotFound, match="没有编号为“renju-2019”"):
            get_template(session=s, key="renju-2019")
