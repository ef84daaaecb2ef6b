"""The one-time set-up code that guards the first administrator's creation.

On an empty database anybody who reaches the server would otherwise be offered the form that creates the
first administrator. ``workbench init`` (which ``scripts/run.sh`` runs at every start) therefore prints a
set-up code while no account exists; the browser form asks for it. Only the code's SHA-256 is stored; it is
used once, and ten wrong tries void it (a new one comes with the next ``workbench init``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlmodel import Session

from evaluation.auth import User
from evaluation.errors import Problem, ValidationFailed
from evaluation.storage.tables import AppSettingRow, utcnow
from evaluation.storage.users import create_user, has_users

KEY = "setup_code"
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a terminal and typed by hand
MAX_TRIES = 10


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").replace(" ", "").encode()).hexdigest()


def issue_setup_code(*, session: Session) -> str | None:
    """A new set-up code while the database has no account (None once it has one); the previous one is void."""
    if has_users(session=session):
        old = session.get(AppSettingRow, KEY)
        if old is not None:
            session.delete(old)
        return None
    raw = "".join(secrets.choice(ALPHABET) for _ in range(10))
    code = f"{raw[:5]}-{raw[5:]}"
    row = session.get(AppSettingRow, KEY) or AppSettingRow(key=KEY, value="")
    row.value = f"0:{_digest(code)}"
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return code


def create_first_admin(
    *, session: Session, setup_code: str, username: str, password: str, display_name: str = ""
) -> User:
    """The first administrator, for whoever shows the set-up code ``workbench init`` printed."""
    row = session.get(AppSettingRow, KEY)
    if row is None:
        raise ValidationFailed(
            [
                Problem(
                    "服务器还没有生成设置码：请在服务器上运行 workbench init（或 scripts/run.sh）",
                    None,
                    None,
                    "setup_code",
                )
            ],
            "账户未创建",
        )
    tries_text, _, digest = row.value.partition(":")
    tries = int(tries_text or 0)
    if tries >= MAX_TRIES or not hmac.compare_digest(digest, _digest(setup_code)):
        row.value = f"{tries + 1}:{digest}"
        session.add(row)
        session.commit()  # the wrong try counts even though the caller's transaction ends in an error
        said = (
            "设置码错误次数过多，已作废：请在服务器上重新运行 workbench init 取得新的设置码"
            if tries + 1 >= MAX_TRIES
            else "设置码不正确（见服务器启动时终端显示的“首次设置码”）"
        )
        raise ValidationFailed([Problem(said, None, None, "setup_code")], "账户未创建")
    user = create_user(session=session, username=username, password=password, role="管理员", display_name=display_name)
    session.delete(row)
    session.flush()
    return user
