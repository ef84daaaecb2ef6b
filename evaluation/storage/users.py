"""Users, evaluation memberships and logins. Every check here is in the core, not only in the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import UniqueConstraint, func
from sqlmodel import Field, Session, SQLModel, col, select

from evaluation.auth import (
    LOCK_MINUTES,
    MAX_FAILED_LOGINS,
    ROLES,
    Action,
    LoginFailed,
    PermissionDenied,
    can,
    hash_password,
    password_problems,
    require,
    verify_password,
)
from evaluation.errors import Problem, ValidationFailed
from evaluation.storage.tables import utcnow


class UserRow(SQLModel, table=True):
    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=60)
    display_name: str = Field(default="", max_length=60)
    role: str = Field(max_length=10)
    password_hash: str = Field(max_length=200)
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    last_login: datetime | None = None


class MembershipRow(SQLModel, table=True):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "evaluation_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True, ondelete="CASCADE")
    evaluation_key: str = Field(max_length=40, index=True)


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


def _user(row: UserRow) -> User:
    return User(id=row.id or 0, username=row.username, display_name=row.display_name, role=row.role)


def has_users(*, session: Session) -> bool:
    return int(session.exec(select(func.count()).select_from(UserRow)).one()) > 0


def create_user(
    *, session: Session, username: str, password: str, role: str, display_name: str = "", actor: User | None = None
) -> User:
    """Create an account. Only an administrator may, except for the very first account of an empty database."""
    if actor is not None:
        require(actor.role, "manage_users")
    elif has_users(session=session):
        raise PermissionDenied("已有用户时，只有管理员可以新建账户")
    problems = []
    name = username.strip()
    if not name or len(name) > 60:
        problems.append(Problem("用户名不能为空，且不超过 60 个字符", None, None, "username"))
    if role not in ROLES:
        problems.append(Problem(f"角色应为 {'、'.join(ROLES)} 之一", None, None, "role"))
    if not has_users(session=session) and role != "管理员":
        problems.append(Problem("第一个账户必须是管理员", None, None, "role"))
    problems += [Problem(p, None, None, "password") for p in password_problems(password, name)]
    if session.exec(select(UserRow).where(UserRow.username == name)).first() is not None:
        problems.append(Problem(f"用户名“{name}”已存在", None, None, "username"))
    if problems:
        raise ValidationFailed(problems, "账户未创建")
    row = UserRow(username=name, display_name=display_name.strip(), role=role, password_hash=hash_password(password))
    session.add(row)
    session.flush()
    return _user(row)


def authenticate(*, session: Session, username: str, password: str, now: datetime | None = None) -> User:
    """Check a login. Repeated failures lock the account for a while; the message never says which part was wrong."""
    now = now or datetime.now(UTC)
    row = session.exec(select(UserRow).where(UserRow.username == username.strip())).first()
    if row is None:
        raise LoginFailed("用户名或密码不正确")
    if not row.active:
        raise LoginFailed("该账户已停用，请联系管理员")
    locked = row.locked_until
    if locked is not None and locked.tzinfo is None:
        locked = locked.replace(tzinfo=UTC)
    if locked is not None and locked > now:
        minutes = max(1, int((locked - now).total_seconds() // 60) + 1)
        raise LoginFailed(f"登录失败次数过多，账户已锁定，请 {minutes} 分钟后再试")
    if not verify_password(row.password_hash, password):
        row.failed_logins += 1
        if row.failed_logins >= MAX_FAILED_LOGINS:
            row.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            row.failed_logins = 0
        session.add(row)
        session.commit()  # the failure must count even though the caller's transaction ends in an error
        raise LoginFailed("用户名或密码不正确")
    row.failed_logins = 0
    row.locked_until = None
    row.last_login = now
    session.add(row)
    session.flush()
    return _user(row)


def add_member(*, session: Session, actor: User, user_id: int, evaluation_key: str) -> None:
    require(actor.role, "manage_users")
    exists = session.exec(
        select(MembershipRow).where(MembershipRow.user_id == user_id, MembershipRow.evaluation_key == evaluation_key)
    ).first()
    if exists is None:
        session.add(MembershipRow(user_id=user_id, evaluation_key=evaluation_key))
        session.flush()


def members(*, session: Session, evaluation_key: str) -> list[User]:
    rows = session.exec(
        select(UserRow)
        .join(MembershipRow, col(MembershipRow.user_id) == col(UserRow.id))
        .where(MembershipRow.evaluation_key == evaluation_key)
    ).all()
    return [_user(r) for r in rows]


def check_access(*, session: Session, user: User, action: Action, evaluation_key: str) -> None:
    """Role first, then membership: 评价人员 edit and 复核人员 review only the evaluations they belong to."""
    require(user.role, action, evaluation_key)
    if user.role in ("管理员", "管理者") or action == "read":
        return
    member = session.exec(
        select(MembershipRow).where(MembershipRow.user_id == user.id, MembershipRow.evaluation_key == evaluation_key)
    ).first()
    if member is None:
        raise PermissionDenied(f"您不是评价“{evaluation_key}”的成员，不能{'编辑' if action == 'edit' else '复核'}")


def list_users(*, session: Session) -> list[User]:
    return [_user(r) for r in session.exec(select(UserRow).order_by(col(UserRow.username))).all()]


def may(user: User, action: Action) -> bool:
    return can(user.role, action)
