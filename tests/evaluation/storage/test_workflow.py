"""The review workflow: allowed transitions by role, locking, comments, the final report's hash."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy.engine import Engine

from evaluation.auth import PermissionDenied, User
from evaluation.model import Assessment
from evaluation.storage import audit, repo, users
from evaluation.storage.db import session_scope
from evaluation.storage.workflow import WorkflowError, final_report, state_of, transition

KEY = "panzhihua-2023-zhaoshang"


@pytest.fixture
def engine(sample_engine: Engine) -> Engine:
    return sample_engine


@pytest.fixture
def team(engine: Engine) -> dict[str, User]:
    """zhang (评价人员) and li (复核人员) are members of the evaluation; wang (复核人员) is not."""
    with session_scope(engine) as s:
        admin = users.create_user(session=s, username="admin", password="Guanli-2024", role="管理员")
        people = {"admin": admin}
        for name, role in [("zhang", "评价人员"), ("li", "复核人员"), ("wang", "复核人员")]:
            people[name] = users.create_user(
                session=s, username=name, password=f"{name}-pw-2024", role=role, actor=admin
            )
        for name in ("zhang", "li"):
            users.add_member(session=s, actor=admin, user_id=people[name].id, evaluation_key=KEY)
    return people


def _save(engine: Engine, user: User, version: int) -> int:
    a = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "10万美元", "target": "100万美元"}})
    with session_scope(engine) as s:
        return repo.save_assessment(session=s, ref=KEY, assessment=a, expected_version=version, user=user)


def test_full_cycle_with_locking_and_a_returned_round(engine: Engine, team: dict[str, User]) -> None:
    zhang, li, wang = team["zhang"], team["li"], team["wang"]
    with session_scope(engine) as s:
        assert state_of(session=s, evaluation_key=KEY).state == "草稿"
        transition(session=s, evaluation_key=KEY, to="已提交复核", user=zhang)
    with pytest.raises(PermissionDenied, match="已锁定"):
        _save(engine, zhang, 1)
    with pytest.raises(WorkflowError, match="须写明复核意见"), session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="退回修改", user=li)
    with pytest.raises(PermissionDenied, match="不能把评价"), session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已通过", user=zhang)
    with session_scope(engine) as s:
        back = transition(
            session=s,
            evaluation_key=KEY,
            to="退回修改",
            user=li,
            comment="外商直接投资的实际值需附统计口径",
        )
    assert back.comments[0]["text"] == "外商直接投资的实际值需附统计口径" and not back.locked
    assert _save(engine, zhang, 1) == 2  # returned: editable again
    report = b"%PDF final report"
    with session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已提交复核", user=zhang)
    with pytest.raises(PermissionDenied, match="不是评价"), session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已通过", user=wang)  # a reviewer, but not of this evaluation
    with session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已通过", user=li)
        with pytest.raises(WorkflowError, match="须附最终报告"):
            transition(session=s, evaluation_key=KEY, to="已定稿", user=li)
        final = transition(
            session=s, evaluation_key=KEY, to="已定稿", user=li, final_report=report, file_name="定稿.docx"
        )
    assert final.report_sha256 == hashlib.sha256(report).hexdigest()
    with session_scope(engine) as s:
        assert final_report(session=s, evaluation_key=KEY) == ("定稿.docx", report, hashlib.sha256(report).hexdigest())
    with pytest.raises(WorkflowError, match="不能变为"), session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已提交复核", user=zhang)
    with pytest.raises(PermissionDenied, match="已定稿"):
        _save(engine, zhang, 2)
    with session_scope(engine) as s:
        steps = [(e.old, e.new) for e in audit.history(session=s, evaluation_key=KEY, target="流程")]
    assert steps == [
        ("草稿", "已提交复核"),
        ("已提交复核", "退回修改"),
        ("退回修改", "已提交复核"),
        ("已提交复核", "已通过"),
        ("已通过", "已定稿"),
    ]


def test_whoever_submitted_does_not_approve_or_finalise(
    engine: Engine, team: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, li = team["admin"], team["li"]
    with session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已提交复核", user=admin)
    with (
        pytest.raises(PermissionDenied, match="由您（admin）提交复核，须由另一位复核人员通过"),
        session_scope(engine) as s,
    ):
        transition(session=s, evaluation_key=KEY, to="已通过", user=admin)
    with session_scope(engine) as s:
        assert state_of(session=s, evaluation_key=KEY).state == "已提交复核"  # refused: nothing changed
        transition(session=s, evaluation_key=KEY, to="已通过", user=li)
    # li did not submit: li finalises; admin (the submitter) may not
    with pytest.raises(PermissionDenied, match="须由另一位复核人员定稿"), session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已定稿", user=admin, final_report=b"report")
    with session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已定稿", user=li, final_report=b"report")
        assert state_of(session=s, evaluation_key=KEY).state == "已定稿"


def test_a_one_person_office_may_approve_its_own_submission(
    engine: Engine, team: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_ALLOW_SELF_APPROVAL", "1")
    admin = team["admin"]
    with session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已提交复核", user=admin)
        transition(session=s, evaluation_key=KEY, to="已通过", user=admin)
        assert state_of(session=s, evaluation_key=KEY).state == "已通过"


def test_an_objection_waits_for_its_answer(engine: Engine, team: dict[str, User]) -> None:
    """The objections are read from the stored document (its own table), answered or not."""
    from evaluation.model import AgencyReply, ReportProblem, UnitResponse
    from evaluation.storage.documents import load_document, save_document
    from evaluation.storage.workflow import unanswered_objections

    objected = ReportProblem(title="资金拨付滞后", response=UnitResponse(stance="有异议", statement="拨付已按期完成"))
    agreed = ReportProblem(title="档案不全", response=UnitResponse(stance="同意"))
    with session_scope(engine) as s:
        assert unanswered_objections(session=s, evaluation_key=KEY) == []
        ev, version = load_document(session=s, key=KEY)
        version = save_document(
            session=s,
            evaluation=ev.model_copy(update={"problems": [objected, agreed]}),
            expected_version=version,
            user=team["admin"],
        )
    with session_scope(engine) as s:
        assert unanswered_objections(session=s, evaluation_key=KEY) == ["资金拨付滞后"]
        ev, version = load_document(session=s, key=KEY)
        answered = objected.model_copy(update={"reply": AgencyReply(decision="不采纳", text="凭证显示拨付晚两个月")})
        save_document(
            session=s,
            evaluation=ev.model_copy(update={"problems": [answered, agreed]}),
            expected_version=version,
            user=team["admin"],
        )
    with session_scope(engine) as s:
        assert unanswered_objections(session=s, evaluation_key=KEY) == []
