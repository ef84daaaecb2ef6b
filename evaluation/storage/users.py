"""Users, evaluation memberships and logins. Every check here is in the core, not only in the pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import func, text, update
from sqlmodel import Session, col, select

from evaluation.auth import (
    LOCK_MINUTES,
    MAX_FAILED_LOGINS,
    ROLES,
    Action,
    LoginFailed,
    PermissionDenied,
    User,
    can,
    hash_password,
    password_problems,
    require,
    verify_password,
)
from evaluation.errors import Problem, ValidationFailed
from evaluation.formatting import as_utc
from evaluation.limits import USERNAME_MAX
from evaluation.storage import audit
from evaluation.storage.tables import EvaluationRow, LoginSessionRow, MembershipRow, UserRow


def account_user(row: UserRow) -> User:
    """The signed-in identity of an account row (never the row itself: callers keep plain data)."""
    return User(id=row.id or 0, username=row.username, display_name=row.display_name, role=row.role)


@cache
def _dummy_hash() -> str:
    """A hash to check a password against when there is no account: made at the first failed login, not at import
    (every command that opens the database imports this module)."""
    return hash_password("no such account")


def has_users(*, session: Session) -> bool:
    return int(session.exec(select(func.count()).select_from(UserRow)).one()) > 0


def _display_name_problems(display_name: str) -> list[Problem]:
    if len(display_name.strip()) > USERNAME_MAX:
        return [Problem(f"姓名不超过 {USERNAME_MAX} 个字符", None, None, "display_name")]
    return []


def create_user(
    *, session: Session, username: str, password: str, role: str, display_name: str = "", actor: User | None = None
) -> User:
    """Create an account. Only an administrator may, except for the very first account of an empty database."""
    if actor is not None:
        require(actor.role, "manage_users")
    else:
        if session.get_bind().dialect.name == "postgresql":  # two first visitors at once: one after the other
            session.execute(text("SELECT pg_advisory_xact_lock(7340)"))
        if has_users(session=session):
            raise PermissionDenied("已有用户时，只有管理员可以新建账户")
    problems = []
    name = username.strip()
    if not name or len(name) > USERNAME_MAX:
        problems.append(Problem(f"用户名不能为空，且不超过 {USERNAME_MAX} 个字符", None, None, "username"))
    problems += _display_name_problems(display_name)
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
    if actor is None and int(session.exec(select(func.count()).select_from(UserRow)).one()) > 1:
        # SQLite: the other first account was committed while this one waited for the write lock
        raise PermissionDenied("已有用户时，只有管理员可以新建账户")
    audit.record(
        session=session,
        actor=actor.username if actor else name,
        action="新建账户",
        evaluation_key="",
        target=f"用户 {name}",
        new={"角色": role, "姓名": display_name.strip()},
    )
    session.flush()
    return account_user(row)


LOGIN_FAILED = (
    f"用户名或密码不正确（同一账户连续输错 {MAX_FAILED_LOGINS} 次后锁定 {LOCK_MINUTES} 分钟，"
    "锁定期间正确的密码也无法登录）"
)


def authenticate(*, session: Session, username: str, password: str, now: datetime | None = None) -> User:
    """Check a login. Repeated failures lock the account for a while. Every refusal — no such account, wrong
    password, locked account — gets the same answer in the same time, so account names cannot be probed."""
    now = now or datetime.now(UTC)
    row = session.exec(select(UserRow).where(UserRow.username == username.strip())).first()
    locked = None if row is None or row.locked_until is None else as_utc(row.locked_until)
    if row is None or (locked is not None and locked > now):
        verify_password(_dummy_hash(), password)  # as slow as a real check: timing does not tell them apart
        raise LoginFailed(LOGIN_FAILED)
    if not verify_password(row.password_hash, password):
        # counted in the database (not read-modify-write), so parallel attempts cannot lose failures
        session.execute(
            update(UserRow).where(col(UserRow.id) == row.id).values(failed_logins=col(UserRow.failed_logins) + 1)
        )
        session.refresh(row)
        if row.failed_logins >= MAX_FAILED_LOGINS:
            row.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            row.failed_logins = 0
            session.add(row)
        session.commit()  # the failure must count even though the caller's transaction ends in an error
        raise LoginFailed(LOGIN_FAILED)
    if not row.active:  # said only to someone who knows the password
        raise LoginFailed("该账户已停用，请联系管理员")
    row.failed_logins = 0
    row.locked_until = None
    row.last_login = now
    session.add(row)
    session.flush()
    return account_user(row)


def _membership(session: Session, user_id: int, evaluation_key: str) -> MembershipRow | None:
    return session.exec(
        select(MembershipRow).where(MembershipRow.user_id == user_id, MembershipRow.evaluation_key == evaluation_key)
    ).first()


def add_member(*, session: Session, actor: User, user_id: int, evaluation_key: str) -> None:
    add_members(session=session, actor=actor, user_ids=[user_id], evaluation_key=evaluation_key)


def add_members(*, session: Session, actor: User, user_ids: Iterable[int], evaluation_key: str) -> None:
    """Add the accounts to the evaluation's members, in the caller's transaction (all or none)."""
    require(actor.role, "manage_users")
    for user_id in user_ids:
        _add_membership(session, actor=actor.username, user_id=user_id, evaluation_key=evaluation_key)


def _add_membership(
    session: Session, *, actor: str, user_id: int, evaluation_key: str, note: str | None = None
) -> None:
    """Add the membership (if missing) and its audit entry, in the caller's transaction."""
    if _membership(session, user_id, evaluation_key) is not None:
        return
    session.add(MembershipRow(user_id=user_id, evaluation_key=evaluation_key))
    audit.record(
        session=session,
        actor=actor,
        action="加入成员",
        evaluation_key=evaluation_key,
        target=_member_label(session, user_id),
        new=note,
    )
    session.flush()


def _member_label(session: Session, user_id: int) -> str:
    member = session.get(UserRow, user_id)
    return f"用户 {member.username if member else user_id}"


def members(*, session: Session, evaluation_key: str) -> list[User]:
    rows = session.exec(
        select(UserRow)
        .join(MembershipRow, col(MembershipRow.user_id) == col(UserRow.id))
        .where(MembershipRow.evaluation_key == evaluation_key)
    ).all()
    return [account_user(r) for r in rows]


SEE_ALL = ("管理员", "管理者")  # roles that read every evaluation; the others read those they belong to
_VERBS: dict[str, str] = {"read": "查看", "edit": "编辑", "review": "复核", "respond": "反馈"}


def sees_all(user: User) -> bool:
    """Administrators, managers and the system itself (CLI, sample loading) read every evaluation."""
    return user.id == 0 or user.role in SEE_ALL


def check_access(*, session: Session, user: User, action: Action, evaluation_key: str) -> None:
    """Role first, then membership: 评价人员 and 复核人员 read, edit and review only the evaluations they
    belong to; 管理员 and 管理者 read all (and 管理员 edit all)."""
    require(user.role, action, evaluation_key)
    if sees_all(user):
        return
    if _membership(session, user.id, evaluation_key) is None:
        raise PermissionDenied(f"您不是评价“{evaluation_key}”的成员，不能{_VERBS.get(action, '操作')}")


def visible_keys(*, session: Session, user: User) -> set[str] | None:
    """The evaluation keys ``user`` may read; None for all of them."""
    return None if sees_all(user) else set(memberships(session=session, user_id=user.id))


def check_department(*, session: Session, user: User, department: str) -> None:
    """A department's summary is read and saved by whoever reads all evaluations, or belongs to one of that
    department's evaluations."""
    if sees_all(user):
        return
    found = session.exec(
        select(MembershipRow.id)
        .join(EvaluationRow, col(EvaluationRow.key) == col(MembershipRow.evaluation_key))
        .where(MembershipRow.user_id == user.id, EvaluationRow.department == department)
    ).first()
    if found is None:
        raise PermissionDenied(f"您不是“{department}”任何评价的成员，不能查看或保存其部门自评报告")


def list_users(*, session: Session) -> list[User]:
    return [account_user(r) for r in session.exec(select(UserRow).order_by(col(UserRow.username))).all()]


def may(user: User, action: Action) -> bool:
    return can(user.role, action)


def join(*, session: Session, user: User, evaluation_key: str) -> None:
    """Make the creator of an evaluation its member (a consultant may edit what they created)."""
    if user.id == 0 or user.role in ("管理员", "管理者"):
        return
    _add_membership(session, actor=user.username, user_id=user.id, evaluation_key=evaluation_key, note="新建者")


def remove_member(*, session: Session, actor: User, user_id: int, evaluation_key: str) -> bool:
    require(actor.role, "manage_users")
    row = _membership(session, user_id, evaluation_key)
    if row is None:
        return False
    audit.record(
        session=session,
        actor=actor.username,
        action="移出成员",
        evaluation_key=evaluation_key,
        target=_member_label(session, user_id),
    )
    session.delete(row)
    session.flush()
    return True


def memberships(*, session: Session, user_id: int) -> list[str]:
    """The evaluation keys a user belongs to."""
    rows = session.exec(
        select(MembershipRow.evaluation_key)
        .where(MembershipRow.user_id == user_id)
        .order_by(col(MembershipRow.evaluation_key))
    ).all()
    return list(rows)


def active_user(*, session: Session, user_id: int) -> User | None:
    """The stored account behind a signed-in session, or None when it was disabled or deleted."""
    row = session.get(UserRow, user_id)
    if row is None or not row.active:
        return None
    return account_user(row)


@dataclass(frozen=True)
class Account:
    """One row of the administrator's user list."""

    user: User
    active: bool
    last_login: datetime | None
    locked_until: datetime | None


def list_accounts(*, session: Session, actor: User) -> list[Account]:
    require(actor.role, "manage_users")
    rows = session.exec(select(UserRow).order_by(col(UserRow.username))).all()
    return [Account(account_user(r), r.active, r.last_login, r.locked_until) for r in rows]


def update_user(
    *,
    session: Session,
    actor: User,
    user_id: int,
    role: str | None = None,
    display_name: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> User:
    """Change an account (administrators only). The last active administrator cannot be demoted or
    disabled, and nobody can disable themselves."""
    require(actor.role, "manage_users")
    row = session.get(UserRow, user_id)
    if row is None:
        raise ValidationFailed([Problem(f"用户 {user_id} 不存在", None, None, "user")], "账户未修改")
    problems = []
    if role is not None and role not in ROLES:
        problems.append(Problem(f"角色应为 {'、'.join(ROLES)} 之一", None, None, "role"))
    losing_admin = row.role == "管理员" and row.active and ((role not in (None, "管理员")) or active is False)
    if losing_admin:
        admins = session.exec(
            select(func.count()).select_from(UserRow).where(UserRow.role == "管理员", UserRow.active)
        ).one()
        if int(admins) <= 1:
            problems.append(Problem("至少要保留一个启用的管理员账户", None, None, "role"))
    if active is False and row.id == actor.id:
        problems.append(Problem("不能停用自己的账户", None, None, "active"))
    if password is not None:
        problems += [Problem(p, None, None, "password") for p in password_problems(password, row.username)]
    problems += _display_name_problems(display_name or "")
    if problems:
        raise ValidationFailed(problems, "账户未修改")
    before = {"角色": row.role, "姓名": row.display_name, "启用": row.active}
    if role is not None:
        row.role = role
    if display_name is not None:
        row.display_name = display_name.strip()
    if active is not None:
        row.active = active
    if password is not None:
        row.password_hash = hash_password(password)
        row.failed_logins = 0
        row.locked_until = None
    after = {"角色": row.role, "姓名": row.display_name, "启用": row.active}
    old = {k: v for k, v in before.items() if after[k] != v}
    new = {k: after[k] for k in old}
    if password is not None:
        old["密码"], new["密码"] = "（原密码）", "（已重设）"
    if not new:
        return account_user(row)  # nothing changed: nothing to record
    audit.record(
        session=session,
        actor=actor.username,
        action="修改账户",
        evaluation_key="",
        target=f"用户 {row.username}",
        old=old,
        new=new,
    )
    if password is not None or not row.active:  # a reset password or a disabled account ends its sign-ins
        why = "该账户已停用，请联系管理员。" if not row.active else "密码已由管理员重设，请用新密码登录。"
        end_user_sessions(session=session, user_id=row.id or 0, reason=why)
    session.add(row)
    session.flush()
    return account_user(row)


def end_user_sessions(*, session: Session, user_id: int, reason: str, now: datetime | None = None) -> int:
    """End every open sign-in of a user (password reset, account disabled); returns how many."""
    rows = session.exec(
        select(LoginSessionRow).where(LoginSessionRow.user_id == user_id, col(LoginSessionRow.ended_at).is_(None))
    ).all()
    for row in rows:
        row.ended_at = now or datetime.now(UTC)
        row.end_reason = reason
        session.add(row)
    session.flush()
    return len(rows)
