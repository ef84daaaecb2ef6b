"""Accounts, roles, memberships, login rate limiting and the audit trail (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from evaluation.auth import LoginFailed, PermissionDenied, can
from evaluation.errors import ConflictError, ValidationFailed
from evaluation.model import Assessment
from evaluation.storage import audit, repo, users
from evaluation.storage.bootstrap import ensure_samples, open_database
from evaluation.storage.db import session_scope

from .conftest import SAMPLES

KEY = "panzhihua-2023-zhaoshang"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = open_database(db_url)
    ensure_samples(eng, SAMPLES)
    yield eng
    eng.dispose()


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
        row = s.exec(users.select(users.UserRow)).one()
        assert row.password_hash.startswith("$argon2id$") and "Guanli-2024" not in row.password_hash
    with session_scope(engine) as s:
        assert users.authenticate(session=s, username="admin", password="Guanli-2024").role == "管理员"
    now = datetime.now(UTC)
    for _ in range(5):
        with pytest.raises(LoginFailed, match="用户名或密码不正确"), session_scope(engine) as s:
            users.authenticate(session=s, username="admin", password="wrong-password", now=now)
    with pytest.raises(LoginFailed, match="已锁定"), session_scope(engine) as s:
        users.authenticate(session=s, username="admin", password="Guanli-2024", now=now + timedelta(minutes=1))
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


def test_every_change_is_in_the_trail_and_a_refused_change_leaves_none(engine: Engine) -> None:
    new = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "50万美元", "target": "100万美元"}})
    with session_scope(engine) as s:
        repo.save_assessment(session=s, ref=KEY, assessment=new, expected_version=1, actor="zhang")
    with pytest.raises(ConflictError), session_scope(engine) as s:
        repo.save_assessment(session=s, ref=KEY, assessment=new, expected_version=1, actor="li")
    with session_scope(engine) as s:
        trail = audit.history(session=s, evaluation_key=KEY, target="GX.JJ.01")
        created = audit.history(session=s, evaluation_key=KEY, target="评价")
        csv_bytes = audit.export_csv(session=s)
    assert [(e.actor, e.action) for e in trail] == [("zhang", "修改")]  # li's refused save left nothing
    assert trail[0].old["inputs"]["actual"] == "0万美元" and trail[0].new["inputs"]["actual"] == "50万美元"
    assert created[0].action == "新建" and created[0].new["项目名称"] == "招商引资工作经费"
    assert "时间,操作人,操作,评价,对象,原值,新值" in csv_bytes.decode("utf-8-sig")


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
