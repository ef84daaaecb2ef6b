"""Sign-in sessions kept in the database, so a browser reload (a new Streamlit session) stays signed in.

The browser holds a random token in a cookie; the database keeps only its SHA-256. A session ends at
sign-out, after ``SESSION_HOURS`` from sign-in, after ``IDLE_MINUTES`` without activity, or when the
account is disabled; an ended session is never resumed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from evaluation.auth import IDLE_MINUTES, SESSION_HOURS, User
from evaluation.formatting import as_utc
from evaluation.storage.tables import LoginSessionRow
from evaluation.storage.users import active_user


@dataclass(frozen=True)
class Resumed:
    user: User | None
    since: datetime | None = None
    reason: str = ""  # why it could not be resumed (shown on the login form)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(*, session: Session, user: User, now: datetime | None = None) -> str:
    """A new sign-in session for ``user``; returns the token for the browser (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    at = now or datetime.now(UTC)
    session.add(LoginSessionRow(token_hash=_hash(token), user_id=user.id, created_at=at, last_seen=at))
    session.flush()
    return token


def resume_session(*, session: Session, token: str, now: datetime | None = None) -> Resumed:
    """The user behind a token when its session is still valid (and mark it active now); else why not."""
    now = now or datetime.now(UTC)
    row = session.exec(select(LoginSessionRow).where(LoginSessionRow.token_hash == _hash(token))).first()
    if row is None:
        return Resumed(None)
    if row.ended_at is not None:
        return Resumed(None, None, row.end_reason)
    reason = ""
    if now - as_utc(row.created_at) > timedelta(hours=SESSION_HOURS):
        reason = f"登录已超过 {SESSION_HOURS} 小时，请重新登录。"
    elif now - as_utc(row.last_seen) > timedelta(minutes=IDLE_MINUTES):
        reason = f"超过 {IDLE_MINUTES} 分钟没有操作，已自动退出，请重新登录。"
    user = None if reason else active_user(session=session, user_id=row.user_id)
    if user is None:
        row.ended_at = now
        row.end_reason = reason or "该账户已停用或已删除。"
        session.add(row)
        session.flush()
        return Resumed(None, None, row.end_reason)
    row.last_seen = now
    session.add(row)
    session.flush()
    return Resumed(user, as_utc(row.created_at))


def end_session(*, session: Session, token: str, now: datetime | None = None) -> None:
    row = session.exec(select(LoginSessionRow).where(LoginSessionRow.token_hash == _hash(token))).first()
    if row is not None and row.ended_at is None:
        row.ended_at = now or datetime.now(UTC)
        session.add(row)
        session.flush()
