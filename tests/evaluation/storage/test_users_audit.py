"""Accounts, roles, memberships, login rate limiting and the audit trail (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from evaluation.auth import LoginFailed, PermissionDenied, can
from evaluation.errors import ConflictError, ValidationFailed
from evaluation.model import Assessment
from evaluation.review.base import CheckFinding
from evaluation.storage import audit, decisions, documents, repo, users
from evaluation.storage.bootstrap import open_database
from evaluation.storage.db import session_scope
from evaluation.storage.tables import UserRow
from evaluation.storage.workflow import transition

KEY = "panzhihua-2023-zhaoshang"


@pytest.fixture
def engine(sample_engine: Engine) -> Engine:
    return sample_engine


def test_first_account_must_be_an_administrator_and_then_only_admins_add_users(engine: Engine) -> None:
    with pytest.raises(ValidationFailed, match="第一个账户必须是管理员"), session_scope(engine) as s:
        users.create_user(session=s, username="zhang", password="Zhang2024!", role="评价人员")
    with session_scope(engine) as s:
        admin = users.create_user(
            session=s, username="admin", password="Guanli-2024", role="管理员", display_name="管理员"
        )
    with pytest.raises(PermissionDenied, match="只有管理员可以新建账户"), session_scope(engine) as s:
        users.create_user(session=s, username="li", password="Li-2024-pass", role="评价人员")
    with session_scope(engine) as s:
        consultant = users.create_user(session=s, username="zhang", password="Zhang2024!", role="评价人员", actor=admin)
    with pytest.raises(PermissionDenied, match="无权管理用户"), session_scope(engine) as s:
        users.create_user(session=s, username="wang", password="Wang2024!!", role="管理者", actor=consultant)
    with pytest.raises(ValidationFailed) as e, session_scope(engine) as s:
        users.create_user(session=s, username="zhang", password="12345678", role="超级用户", actor=admin)
    text = str(e.value)
    assert "已存在" in text and "不能全是数字" in text and "角色应为" in text


def test_passwords_are_hashed_and_failed_logins_lock_the_account(engine: Engine) -> None:
    with session_scope(engine) as s:
        users.create_user(session=s, username="admin", password="Guanli-2024", role="管理员")
        row = s.exec(users.select(UserRow)).one()
        assert row.password_hash.startswith("$argon2id$") and "Guanli-2024" not in row.password_hash
    with session_scope(engine) as s:
        assert users.authenticate(session=s, username="admin", password="Guanli-2024").role == "管理员"
    now = datetime.now(UTC)
    for _ in range(5):
        with pytest.raises(LoginFailed, match="用户名或密码不正确"), session_scope(engine) as s:
            users.authenticate(session=s, username="admin", password="wrong-password", now=now)
    with pytest.raises(LoginFailed) as locked, session_scope(engine) as s:
        users.authenticate(session=s, username="admin", password="Guanli-2024", now=now + timedelta(minutes=1))
    with pytest.raises(LoginFailed) as unknown, session_scope(engine) as s:
        users.authenticate(session=s, username="no-such-account", password="Guanli-2024", now=now)
    # a locked account and one that does not exist get the same answer: names cannot be probed
    assert str(locked.value) == str(unknown.value) == users.LOGIN_FAILED
    with session_scope(engine) as s:
        users.authenticate(session=s, username="admin", password="Guanli-2024", now=now + timedelta(minutes=6))
    with pytest.raises(LoginFailed, match="用户名或密码不正确"), session_scope(engine) as s:
        users.authenticate(session=s, username="nobody", password="whatever1")


def test_roles_and_membership(engine: Engine) -> None:
    assert (
        can("管理者", "read")
        and not can("管理者", "edit")
        and not can("复核人员", "edit")
        and can("复核人员", "review")
    )
    with session_scope(engine) as s:
        admin = users.create_user(session=s, username="admin", password="Guanli-2024", role="管理员")
        zhang = users.create_user(session=s, username="zhang", password="Zhang2024!", role="评价人员", actor=admin)
        boss = users.create_user(session=s, username="boss", password="Boss-2024!", role="管理者", actor=admin)
    with pytest.raises(PermissionDenied, match="不是评价“panzhihua-2023-zhaoshang”的成员"), session_scope(engine) as s:
        users.check_access(session=s, user=zhang, action="edit", evaluation_key=KEY)
    with session_scope(engine) as s:
        users.add_member(session=s, actor=admin, user_id=zhang.id, evaluation_key=KEY)
    with session_scope(engine) as s:
        users.check_access(session=s, user=zhang, action="edit", evaluation_key=KEY)
        users.check_access(session=s, user=boss, action="read", evaluation_key=KEY)
        assert [u.username for u in users.members(session=s, evaluation_key=KEY)] == ["zhang"]
    with pytest.raises(PermissionDenied, match="无权编辑评价"), session_scope(engine) as s:
        users.check_access(session=s, user=boss, action="edit", evaluation_key=KEY)


def _team(engine: Engine) -> dict[str, users.User]:
    """An administrator, two consultants who are members, one who is not, a member reviewer and a manager."""
    with session_scope(engine) as s:
        admin = users.create_user(session=s, username="admin", password="Guanli-2024", role="管理员")
        team = {"admin": admin}
        for name, role in [
            ("zhang", "评价人员"),
            ("li", "评价人员"),
            ("zhao", "评价人员"),
            ("wang", "复核人员"),
            ("boss", "管理者"),
        ]:
            team[name] = users.create_user(session=s, username=name, password=f"{name}-pw-2024", role=role, actor=admin)
        for name in ("zhang", "li", "wang"):
            users.add_member(session=s, actor=admin, user_id=team[name].id, evaluation_key=KEY)
    return team


def test_every_change_is_in_the_trail_and_a_refused_change_leaves_none(engine: Engine) -> None:
    team = _team(engine)
    new = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}})
    with session_scope(engine) as s:
        repo.save_assessment(session=s, ref=KEY, assessment=new, expected_version=1, user=team["zhang"])
    other = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "60万美元", "target": "100万美元"}})
    with pytest.raises(ConflictError) as refused, session_scope(engine) as s:
        repo.save_assessment(session=s, ref=KEY, assessment=other, expected_version=1, user=team["li"])
    # the refusal names the other person's change: who, and the old → new value
    assert "zhang" in str(refused.value) and "0万美元 → 50万美元" in str(refused.value)
    with session_scope(engine) as s:
        trail = audit.history(session=s, evaluation_key=KEY, target="GX.JJ.01")
        created = audit.history(session=s, evaluation_key=KEY, target="评价")
        csv_bytes = audit.export_csv(session=s, actor=team["admin"])
    assert [(e.actor, e.action) for e in trail] == [("zhang", "修改")]  # li's refused save left nothing
    assert trail[0].old["inputs"]["actual"] == "0万美元" and trail[0].new["inputs"]["actual"] == "50万美元"
    assert created[0].action == "新建" and created[0].new["项目名称"] == "招商引资工作经费"
    assert "时间,操作人,操作,评价,对象,原值,新值" in csv_bytes.decode("utf-8-sig")
    with pytest.raises(PermissionDenied, match="无权管理用户"), session_scope(engine) as s:
        audit.export_csv(session=s, actor=team["zhang"])


def test_every_write_checks_role_and_membership_in_the_core(engine: Engine) -> None:
    team = _team(engine)
    with session_scope(engine) as s:
        ev, version, versions = repo.get_evaluation_with_versions(session=s, ref=KEY)
        before = len(audit.history(session=s))
    a = ev.assessment("GX.JJ.01")
    assert a is not None
    changed = a.model_copy(update={"narrative": "改写"})
    renamed = ev.model_copy(update={"project": ev.project.model_copy(update={"name": "改名"})})
    refusals = [
        (
            "zhao",
            "不是评价",
            lambda s: repo.save_assessment(
                session=s, ref=KEY, assessment=changed, expected_version=versions["GX.JJ.01"], user=team["zhao"]
            ),
        ),
        (
            "wang",
            "无权编辑评价",
            lambda s: repo.save_assessment(
                session=s, ref=KEY, assessment=changed, expected_version=versions["GX.JJ.01"], user=team["wang"]
            ),
        ),
        (
            "boss",
            "无权编辑评价",
            lambda s: documents.save_document(
                session=s, evaluation=renamed, expected_version=version, user=team["boss"]
            ),
        ),
        ("zhao", "不是评价", lambda s: repo.delete_evaluation(session=s, ref=KEY, user=team["zhao"])),
        (
            "boss",
            "无权编辑评价",
            lambda s: repo.create_evaluation(
                session=s, evaluation=ev.model_copy(update={"id": "boss-copy"}), user=team["boss"]
            ),
        ),
        (
            "zhang",
            "无权复核",
            lambda s: decisions.save_decision(
                session=s, subject=KEY, finding=_a_finding(s), decision="已修正", user=team["zhang"]
            ),
        ),
        ("zhao", "不是评价", lambda s: transition(session=s, evaluation_key=KEY, to="已提交复核", user=team["zhao"])),
    ]
    for _who, message, write in refusals:
        with pytest.raises(PermissionDenied, match=message), session_scope(engine) as s:
            write(s)
    with session_scope(engine) as s:
        assert len(audit.history(session=s)) == before  # nothing written by any refused call
        assert repo.get_evaluation(session=s, ref=KEY) == ev
    # members may: the consultant edits, the reviewer decides; a consultant's new evaluation is theirs
    with session_scope(engine) as s:
        repo.save_assessment(
            session=s, ref=KEY, assessment=changed, expected_version=versions["GX.JJ.01"], user=team["zhang"]
        )
        decisions.save_decision(session=s, subject=KEY, finding=_a_finding(s), decision="已修正", user=team["wang"])
        repo.create_evaluation(session=s, evaluation=ev.model_copy(update={"id": "zhao-own"}), user=team["zhao"])
    with session_scope(engine) as s:
        assert "zhao-own" in users.memberships(session=s, user_id=team["zhao"].id)
        repo.delete_evaluation(session=s, ref="zhao-own", user=team["zhao"])
        assert "zhao-own" not in users.memberships(session=s, user_id=team["zhao"].id)


def _a_finding(s: users.Session) -> CheckFinding:
    return decisions.findings_for_evaluation(session=s, ref=KEY)[1][0]


def test_a_document_save_records_each_changed_field(engine: Engine) -> None:
    team = _team(engine)
    with session_scope(engine) as s:
        ev, version = documents.load_document(session=s, key=KEY)
    renamed = ev.model_copy(update={"project": ev.project.model_copy(update={"name": "招商引资工作经费（修订）"})})
    with session_scope(engine) as s:
        documents.save_document(session=s, evaluation=renamed, expected_version=version, user=team["li"])
    with pytest.raises(ConflictError) as stale, session_scope(engine) as s:
        documents.save_document(session=s, evaluation=renamed, expected_version=version, user=team["zhang"])
    assert "li" in str(stale.value) and "project.name" in str(stale.value)
    with session_scope(engine) as s:
        entry = audit.history(session=s, evaluation_key=KEY, target="项目信息")[-1]
    assert entry.actor == "li"
    assert entry.old == {"project.name": "招商引资工作经费"}
    assert entry.new == {"project.name": "招商引资工作经费（修订）"}


def test_administrators_manage_accounts_but_keep_one_admin(engine: Engine) -> None:
    team = _team(engine)
    admin, zhang = team["admin"], team["zhang"]
    with pytest.raises(ValidationFailed, match="至少要保留一个启用的管理员"), session_scope(engine) as s:
        users.update_user(session=s, actor=admin, user_id=admin.id, role="评价人员")
    with pytest.raises(ValidationFailed, match="不能停用自己的账户"), session_scope(engine) as s:
        users.update_user(session=s, actor=admin, user_id=admin.id, active=False)
    with pytest.raises(PermissionDenied), session_scope(engine) as s:
        users.update_user(session=s, actor=zhang, user_id=zhang.id, role="管理员")
    with session_scope(engine) as s:
        users.update_user(session=s, actor=admin, user_id=zhang.id, active=False, password="new-zhang-pw-1")
    with pytest.raises(LoginFailed, match="已停用"), session_scope(engine) as s:
        users.authenticate(session=s, username="zhang", password="new-zhang-pw-1")
    with session_scope(engine) as s:
        assert users.active_user(session=s, user_id=zhang.id) is None  # a signed-in session ends at its next click
        users.update_user(session=s, actor=admin, user_id=zhang.id, active=True)
    with session_scope(engine) as s:
        assert users.authenticate(session=s, username="zhang", password="new-zhang-pw-1").role == "评价人员"
        changes = [e for e in audit.history(session=s) if e.target == "用户 zhang" and e.action == "修改账户"]
    assert changes[0].old["启用"] is True and changes[0].new["启用"] is False and changes[0].new["密码"] == "（已重设）"


def test_user_add_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'u.db'}", "WORKBENCH_DATA_DIR": str(tmp_path)}

    def run(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "evaluation.cli", "user", "add", *args, "--password-stdin"],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    first = run("Guanli-2024\n", "admin", "--role", "管理员")
    assert first.returncode == 0 and "已创建账户：admin（管理员）" in first.stdout
    refused = run("Zhang2024!\n", "zhang", "--role", "评价人员")
    assert refused.returncode == 1 and "--admin" in refused.stderr
    wrong = run("Zhang2024!\nnot-the-password\n", "zhang", "--role", "评价人员", "--admin", "admin")
    assert wrong.returncode == 1 and "用户名或密码不正确" in wrong.stderr
    ok = run("Zhang2024!\nGuanli-2024\n", "zhang", "--role", "评价人员", "--admin", "admin", "--name", "张三")
    assert ok.returncode == 0 and "张三（评价人员）" in ok.stdout
    weak = run("1234\nGuanli-2024\n", "li", "--role", "评价人员", "--admin", "admin")
    assert weak.returncode == 1 and "至少 8 个字符" in weak.stderr
    # memberships for scripted set-ups: all or nothing, administrators only
    subprocess.run([sys.executable, "-m", "evaluation.cli", "init"], env=env, check=True, capture_output=True)

    def member(stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "evaluation.cli", "user", "member", *args, "--password-stdin"],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    missing = member("Guanli-2024\n", "zhang", KEY, "no-such-evaluation", "--admin", "admin")
    assert missing.returncode == 1 and "评价“no-such-evaluation”不存在" in missing.stderr
    not_admin = member("Zhang2024!\n", "zhang", KEY, "--admin", "zhang")
    assert not_admin.returncode == 1 and "无权管理用户" in not_admin.stderr
    added = member("Guanli-2024\n", "zhang", KEY, "--admin", "admin")
    assert added.returncode == 0 and "加入" in added.stdout
    engine = open_database(env["DATABASE_URL"])
    with session_scope(engine) as s:
        zhang = next(u for u in users.list_users(session=s) if u.username == "zhang")
        assert users.memberships(session=s, user_id=zhang.id) == [KEY]
    removed = member("Guanli-2024\n", "zhang", KEY, "--admin", "admin", "--remove")
    assert removed.returncode == 0
    with session_scope(engine) as s:
        assert users.memberships(session=s, user_id=zhang.id) == []
    engine.dispose()


def test_a_display_name_longer_than_its_column_is_refused_and_audit_targets_fit_theirs(engine: Engine) -> None:
    # SQLite kept a 61-character name that PostgreSQL refused; both refuse it now, with the field named
    with pytest.raises(ValidationFailed, match="姓名不超过 60 个字符"), session_scope(engine) as s:
        users.create_user(session=s, username="admin", password="Guanli-2024", role="管理员", display_name="名" * 61)
    with session_scope(engine) as s:
        admin = users.create_user(session=s, username="admin", password="Guanli-2024", role="管理员")
        made = users.create_user(session=s, username="u" * 60, password="Pingjia-2024", role="评价人员", actor=admin)
    with pytest.raises(ValidationFailed, match="姓名不超过 60 个字符"), session_scope(engine) as s:
        users.update_user(session=s, actor=admin, user_id=made.id, display_name="名" * 61)
    with session_scope(engine) as s:
        entry = next(e for e in audit.history(session=s) if e.target.startswith("用户 uuu"))
    assert len(entry.target) == 60 and entry.target.startswith("用户 uuu") and entry.target.endswith("…")
