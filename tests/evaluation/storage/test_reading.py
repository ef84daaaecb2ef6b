"""Reading by membership, in the core, on SQLite and PostgreSQL: 评价人员 and 复核人员 read only the evaluations
they belong to (and their departments' summaries); 管理员 and 管理者 read everything."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from evaluation.auth import SYSTEM, PermissionDenied, User
from evaluation.files.data import read_data
from evaluation.model import DepartmentSummary
from evaluation.storage import reading, repo
from evaluation.storage.bootstrap import ensure_samples, open_database
from evaluation.storage.db import session_scope
from evaluation.storage.results import PortfolioCache
from evaluation.storage.users import add_member, create_user
from tests.conftest import SAMPLES, add_to_narrative

PZH = "panzhihua-2023-zhaoshang"
RENYUAN = "hengkou-2024-zsj-01-renyuan"  # 招商局
LONGTENG = "hengkou-2024-wl-04-longteng"  # 文联


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = open_database(db_url)
    ensure_samples(eng, SAMPLES)
    with session_scope(eng) as session:  # the first account is an administrator
        create_user(session=session, username="admin", password="correct horse 42", role="管理员")
    yield eng
    eng.dispose()


def account(engine: Engine, name: str, role: str, *keys: str) -> User:
    with session_scope(engine) as session:
        user = create_user(session=session, username=name, password="correct horse 42", role=role, actor=SYSTEM)
        for key in keys:
            add_member(session=session, actor=SYSTEM, user_id=user.id, evaluation_key=key)
    return user


def test_members_read_their_evaluations_only(engine: Engine) -> None:
    consultant = account(engine, "c1", "评价人员", PZH)
    reviewer = account(engine, "r1", "复核人员", RENYUAN, LONGTENG)
    manager = account(engine, "m1", "管理者")
    with session_scope(engine) as s:
        assert [i.key for i in reading.readable_evaluations(session=s, user=consultant)] == [PZH]
        assert {i.key for i in reading.readable_evaluations(session=s, user=reviewer)} == {RENYUAN, LONGTENG}
        assert len(reading.readable_evaluations(session=s, user=manager)) == 13
        assert reading.read_evaluation(session=s, ref=PZH, user=consultant).id == PZH
        with pytest.raises(PermissionDenied, match=f"您不是评价“{RENYUAN}”的成员，不能查看"):
            reading.read_evaluation(session=s, ref=RENYUAN, user=consultant)
        with pytest.raises(PermissionDenied):
            reading.read_with_versions(session=s, key=PZH, user=reviewer)
        with pytest.raises(PermissionDenied):
            reading.read_history(session=s, user=consultant, evaluation_key=LONGTENG)
        assert reading.read_history(session=s, user=consultant, evaluation_key=PZH)  # the sample load is there
        assert {x["id"] for x in reading.readable_summaries(session=s, user=reviewer)} == {RENYUAN, LONGTENG}
        assert len(reading.readable_summaries(session=s, user=manager)) == 13
        cache = PortfolioCache()  # the dashboard's, shared by every user of a server process
        mine = reading.readable_portfolio(session=s, user=reviewer, cache=cache)
        assert len(mine) == 2 and set(mine.frames.projects["评价编号"]) == {RENYUAN, LONGTENG}
        assert set(mine.frames.indicators["评价编号"]) == {RENYUAN, LONGTENG}
        everything = reading.readable_portfolio(session=s, user=manager, cache=cache)
        assert len(everything) == 13 and everything.key != mine.key
        assert list(
            reading.readable_portfolio(session=s, user=consultant, cache=cache).frames.projects["评价编号"]
        ) == [PZH]


def test_department_summaries_follow_the_departments_evaluations(engine: Engine) -> None:
    zsj = account(engine, "c2", "评价人员", RENYUAN)
    wl = account(engine, "c3", "评价人员", LONGTENG)
    with session_scope(engine) as s:
        assert [d.department for d in repo.list_department_summaries(session=s, user=zsj)] == ["招商局"]
        assert repo.list_department_summaries(session=s, user=wl) == []
        assert len(repo.list_department_summaries(session=s)) == 1  # the system reads all
    summary = DepartmentSummary.model_validate(read_data(SAMPLES / "hengkou" / "department-2024.yaml"))
    with pytest.raises(PermissionDenied, match="不是“招商局”任何评价的成员"), session_scope(engine) as s:
        repo.save_department_summary(session=s, summary=summary, user=wl)
    with session_scope(engine) as s:
        repo.save_department_summary(session=s, summary=summary, user=zsj)


def test_after_one_saved_row_a_members_share_is_carried_over_not_filtered_again(engine: Engine) -> None:
    """A save of an evaluation outside a member's share leaves the share the same object (what pages derived from it
    stays); a save inside gives the share with that row replaced, noted as such; a save that moves the row (its
    year) gives the share worked out again, in the list's new order. Each is what a fresh filter of the list gives."""
    from evaluation.model import Assessment
    from evaluation.storage.documents import load_document, save_document

    consultant = account(engine, "c3", "评价人员", PZH, LONGTENG)

    def share() -> list[repo.EvaluationSummary]:
        with session_scope(engine) as s:
            mine = reading.readable_evaluations(session=s, user=consultant)
            every = repo.list_evaluations(session=s)
        assert mine == [i for i in every if i.key in {PZH, LONGTENG}]
        return mine

    first = share()
    with session_scope(engine) as s:
        add_to_narrative(s, RENYUAN, "（补充）")  # not the consultant's
    assert share() is first
    better = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}})
    with session_scope(engine) as s:
        repo.save_assessment(session=s, ref=PZH, assessment=better, expected_version=1, user=SYSTEM)
    second = share()
    replaced = repo.replaced_row(second)
    assert second is not first and replaced is not None and replaced[0] is first
    assert [i.key for i in second] == [i.key for i in first]
    assert next(i for i in second if i.key == PZH).total_score != next(i for i in first if i.key == PZH).total_score
    with session_scope(engine) as s:  # 攀枝花 moves to the newest year: first in the list, and in the share
        ev, version = load_document(session=s, key=PZH)
        project = ev.project.model_copy(update={"year": 2030})
        save_document(
            session=s, evaluation=ev.model_copy(update={"project": project}), expected_version=version, user=SYSTEM
        )
    third = share()
    assert [i.key for i in third] == [PZH, LONGTENG] != [i.key for i in second]


def test_a_members_share_of_the_list_is_kept_until_the_list_or_the_membership_changes(engine: Engine) -> None:
    consultant = account(engine, "c2", "评价人员", PZH)
    with session_scope(engine) as s:
        first = reading.readable_evaluations(session=s, user=consultant)
        assert reading.readable_evaluations(session=s, user=consultant) is first
        add_member(session=s, actor=SYSTEM, user_id=consultant.id, evaluation_key=RENYUAN)
    with session_scope(engine) as s:
        joined = reading.readable_evaluations(session=s, user=consultant)
    assert joined is not first and {i.key for i in joined} == {PZH, RENYUAN}
    with session_scope(engine) as s:
        repo.delete_evaluation(session=s, ref=RENYUAN, user=SYSTEM)
    with session_scope(engine) as s:
        assert [i.key for i in reading.readable_evaluations(session=s, user=consultant)] == [PZH]
