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

from sqlmodel import Session, col, select

from evaluation.auth import IDLE_MINUTES, SESSION_HOURS, User
from evaluation.formatting import as_utc
from evaluation.storage.tables import LoginSessionRow, UserRow
from evaluation.storage.users import account_user

# how stale ``last_seen`` may be before a resumed session writes it again: every click checks the session,
# but writing on every click would make each page run a write transaction; the idle limit is in minutes
SEEN_PRECISION = timedelta(seconds=60)


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
    """The user behind a token when its session is still valid (and mark it active now, to within
    ``SEEN_PRECISION``); else why not. The session and its account are read in one statement (every click
    runs this)."""
    now = now or datetime.now(UTC)
    found = session.exec(
        select(LoginSessionRow, UserRow)
        .outerjoin(UserRow, col(UserRow.id) == col(LoginSessionRow.user_id))
        .where(LoginSessionRow.token_hash == _hash(token))
    ).first()
    if found is None:
        return Resumed(None)
    row, account = found
    if row.ended_at is not None:
        return Resumed(None, None, row.end_reason)
    reason = ""
    if now - as_utc(row.created_at) > timedelta(hours=SESSION_HOURS):
        reason = f"登录已超过 {SESSION_HOURS} 小时，请重新登录。"
    elif now - as_utc(row.last_seen) > timedelta(minutes=IDLE_MINUTES):
        reason = f"超过 {IDLE_MINUTES} 分钟没有操作，已自动退出，请重新登录。"
    user = None if reason or account is None or not account.active else account_user(account)
    if user is None:
        row.ended_at = now
        row.end_reason = reason or "该账户已停用或已删除。"
        session.add(row)
        session.flush()
        return Resumed(None, None, row.end_reason)
    if now - as_utc(row.last_seen) >= SEEN_PRECISION:
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
