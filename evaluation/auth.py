"""Accounts and roles: who may do what, and how passwords are kept.

Passwords are hashed with Argon2id (argon2-cffi, a vetted implementation; no length limit, unlike
bcrypt's 72 bytes). The permission matrix is the single place that says what each role may do;
storage functions check it (and evaluation membership) before every write, not only the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from evaluation.errors import WorkbenchError

Role = Literal["管理员", "评价人员", "复核人员", "管理者", "被评价单位"]
ROLES: tuple[Role, ...] = ("管理员", "评价人员", "复核人员", "管理者", "被评价单位")
Action = Literal["read", "edit", "review", "respond", "manage_users", "manage_templates", "backup"]

# 被评价单位 (the evaluated unit) only ``respond``s: it supplies documents and the 基础数据表 and answers the
# draft's problems of the evaluations it belongs to; it never reads scores before the draft (see ui/unit.py).
PERMISSIONS: dict[Role, set[Action]] = {
    "管理员": {"read", "edit", "review", "respond", "manage_users", "manage_templates", "backup"},
    "评价人员": {"read", "edit", "manage_templates"},
    "复核人员": {"read", "review"},
    "管理者": {"read"},
    "被评价单位": {"respond"},
}
ACTION_LABELS: dict[Action, str] = {
    "read": "查看",
    "edit": "编辑评价",
    "review": "复核",
    "respond": "以被评价单位身份提供资料与反馈",
    "manage_users": "管理用户",
    "manage_templates": "管理指标库",
    "backup": "备份与恢复",
}
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 5
SESSION_HOURS = 8  # a sign-in lasts at most this long
IDLE_MINUTES = 60  # … and ends after this long without any action

_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    """The signed-in user as plain data (never an ORM object in the session state)."""

    id: int
    username: str
    display_name: str
    role: str

    @property
    def label(self) -> str:
        return f"{self.display_name or self.username}（{self.role}）"


# The workbench itself: command-line tools run by whoever operates the server (loading samples, imports,
# backups). It has the administrator's rights; pages never use it, they pass the signed-in user.
SYSTEM = User(id=0, username="系统", display_name="系统", role="管理员")


class PermissionDenied(WorkbenchError):
    """The user's role or membership does not allow the action."""


class LoginFailed(WorkbenchError):
    """Wrong user name or password, a locked or disabled account."""


def can(role: str, action: Action) -> bool:
    return role in PERMISSIONS and action in PERMISSIONS[role]


def require(role: str, action: Action, what: str = "") -> None:
    if not can(role, action):
        target = f"（{what}）" if what else ""
        raise PermissionDenied(f"角色“{role}”无权{ACTION_LABELS[action]}{target}")


def password_problems(password: str, username: str = "") -> list[str]:
    problems = []
    if len(password) < 8:
        problems.append("密码至少 8 个字符")
    if password.isdigit():
        problems.append("密码不能全是数字")
    if username and password.lower() == username.lower():
        problems.append("密码不能与用户名相同")
    if password != password.strip():
        problems.append("密码首尾不能有空格")
    return problems


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False
