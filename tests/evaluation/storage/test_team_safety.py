"""What a team server must guarantee beyond single-user use (SQLite and PostgreSQL): workflow moves do
not overwrite each other, a final evaluation stays final, a deleted evaluation leaves nothing for a
newcomer to inherit, parallel failed logins all count, a reset password ends the old sign-ins."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from evaluation.auth import LoginFailed, PermissionDenied, User
from evaluation.errors import WorkbenchError
from evaluation.files.evaluations import load_evaluation
from evaluation.lifecycle import new_evaluation_id
from evaluation.model import Assessment
from evaluation.review.base import ERROR
from evaluation.storage import audit, decisions, repo, users
from evaluation.storage.db import session_scope
from evaluation.storage.sessions import resume_session, start_session
from evaluation.storage.tables import UserRow
from evaluation.storage.workflow import final_report, state_of, transition
from tests.conftest import SAMPLES

KEY = "panzhihua-2023-zhaoshang"


@pytest.fixture
def engine(sample_engine: Engine) -> Engine:
    return sample_engine


@pytest.fixture
def team(engine: Engine) -> dict[str, User]:
    with session_scope(engine) as s:
        admin = users.create_user(session=s, username="admin", password="Guanli-2024", role="管理员")
        zhang = users.create_user(session=s, username="zhang", password="zhang-pw-2024", role="评价人员", actor=admin)
        li = users.create_user(session=s, username="li", password="li-pw-2024", role="复核人员", actor=admin)
        for member in (zhang, li):
            users.add_member(session=s, actor=admin, user_id=member.id, evaluation_key=KEY)
    return {"admin": admin, "zhang": zhang, "li": li}


def _approve(engine: Engine, team: dict[str, User]) -> None:
    with session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已提交复核", user=team["zhang"])
        transition(session=s, evaluation_key=KEY, to="已通过", user=team["li"])


def test_two_reviewers_moving_at_once_do_not_overwrite_each_other(engine: Engine, team: dict[str, User]) -> None:
    _approve(engine, team)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def move(to: str) -> None:
        start.wait()
        try:
            with session_scope(engine) as s:
                transition(
                    session=s,
                    evaluation_key=KEY,
                    to=to,
                    user=team["admin"],
                    comment="同时操作",
                    final_report=b"PK-final",
                )
            outcomes[to] = "ok"
        except WorkbenchError as e:
            outcomes[to] = str(e)

    threads = [threading.Thread(target=move, args=(to,)) for to in ("已定稿", "退回修改")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [to for to, outcome in outcomes.items() if outcome == "ok"]
    assert len(winners) == 1, outcomes  # the second one found the state already changed
    loser = next(to for to in outcomes if to not in winners)
    assert "不能变为" in outcomes[loser]
    with session_scope(engine) as s:
        current = state_of(session=s, evaluation_key=KEY)
        kept = final_report(session=s, evaluation_key=KEY)
    assert current.state == winners[0]
    assert (kept is not None) == (winners[0] == "已定稿") == (current.report_sha256 is not None)


def test_a_final_evaluation_is_locked_for_everyone(engine: Engine, team: dict[str, User]) -> None:
    _approve(engine, team)
    with session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已定稿", user=team["li"], final_report=lambda: b"PK-final")
        versions = repo.get_evaluation_with_versions(session=s, ref=KEY)[2]
        finding = decisions.findings_for_evaluation(session=s, ref=KEY)[1][0]
    changed = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "1万美元", "target": "100万美元"}})
    with pytest.raises(PermissionDenied, match="已定稿"), session_scope(engine) as s:
        repo.save_assessment(
            session=s, ref=KEY, assessment=changed, expected_version=versions["GX.JJ.01"], user=team["admin"]
        )
    with pytest.raises(PermissionDenied, match="已定稿"), session_scope(engine) as s:
        decisions.save_decision(session=s, subject=KEY, finding=finding, decision="已修正", user=team["li"])
    with pytest.raises(PermissionDenied, match="已定稿"), session_scope(engine) as s:
        repo.delete_evaluation(session=s, ref=KEY, user=team["admin"])


def test_a_deleted_evaluation_leaves_nothing_to_inherit(engine: Engine, team: dict[str, User]) -> None:
    _approve(engine, team)
    with session_scope(engine) as s:
        errors = [f for f in decisions.findings_for_evaluation(session=s, ref=KEY)[1] if f.severity == ERROR]
        decisions.save_decision(session=s, subject=KEY, finding=errors[0], decision="已修正", user=team["li"])
        transition(session=s, evaluation_key=KEY, to="退回修改", user=team["li"], comment="重做")
    with session_scope(engine) as s:
        repo.delete_evaluation(session=s, ref=KEY, user=team["zhang"])
    with session_scope(engine) as s:
        assert decisions.list_decisions(session=s, subject=KEY) == {}
        assert state_of(session=s, evaluation_key=KEY).state == "草稿"
        assert users.members(session=s, evaluation_key=KEY) == []
        deleted = audit.history(session=s, evaluation_key=KEY, target="评价")[-1]
        used = audit.known_keys(session=s)
    # the trail keeps the whole deleted content, and the key is never handed out again
    assert deleted.action == "删除" and deleted.old["project"]["name"] == "招商引资工作经费"
    assert len(deleted.old["assessments"]) == 17
    assert KEY in used
    assert new_evaluation_id(2023, {"eval-2023-1"} | {"eval-2023-2"}) == "eval-2023-3"
    sample = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")
    with session_scope(engine) as s:
        repo.create_evaluation(
            session=s, evaluation=sample.model_copy(update={"id": "eval-2023-1"}), user=team["zhang"]
        )
        repo.delete_evaluation(session=s, ref="eval-2023-1", user=team["zhang"])
    with session_scope(engine) as s:
        assert new_evaluation_id(2023, audit.known_keys(session=s)) == "eval-2023-2"


def test_parallel_failed_logins_all_count(engine: Engine) -> None:
    with session_scope(engine) as s:
        users.create_user(session=s, username="admin", password="Guanli-2024", role="管理员")
    start = threading.Barrier(5)

    def attempt() -> None:
        start.wait()
        with pytest.raises(LoginFailed), session_scope(engine) as s:
            users.authenticate(session=s, username="admin", password="guessing-1")

    threads = [threading.Thread(target=attempt) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with pytest.raises(LoginFailed), session_scope(engine) as s:  # five failures counted: even the password fails
        users.authenticate(session=s, username="admin", password="Guanli-2024")
    with session_scope(engine) as s:
        assert s.exec(select(UserRow).where(UserRow.username == "admin")).one().locked_until is not None


def test_a_disabled_account_learns_it_only_with_the_right_password(engine: Engine, team: dict[str, User]) -> None:
    with session_scope(engine) as s:
        users.update_user(session=s, actor=team["admin"], user_id=team["zhang"].id, active=False)
    with pytest.raises(LoginFailed, match="用户名或密码不正确"), session_scope(engine) as s:
        users.authenticate(session=s, username="zhang", password="a wrong guess")
    with pytest.raises(LoginFailed, match="已停用"), session_scope(engine) as s:
        users.authenticate(session=s, username="zhang", password="zhang-pw-2024")


def test_a_reset_password_ends_the_old_sign_ins(engine: Engine, team: dict[str, User]) -> None:
    with session_scope(engine) as s:
        token = start_session(session=s, user=team["zhang"])
    with session_scope(engine) as s:
        users.update_user(session=s, actor=team["admin"], user_id=team["zhang"].id, password="zhang-new-pw-1")
    with session_scope(engine) as s:
        ended = resume_session(session=s, token=token)
    assert ended.user is None and "密码已由管理员重设" in ended.reason


def test_two_first_visitors_cannot_both_become_the_first_administrator(engine: Engine) -> None:
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def first(name: str) -> None:
        start.wait()
        try:
            with session_scope(engine) as s:
                users.create_user(session=s, username=name, password=f"{name}-pw-2024", role="管理员")
            outcomes.append("ok")
        except Exception as e:
            outcomes.append(type(e).__name__)

    threads = [threading.Thread(target=first, args=(name,)) for name in ("wang", "zhao")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    with session_scope(engine) as s:
        assert len(users.list_users(session=s)) == 1
