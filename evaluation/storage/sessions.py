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

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from evaluation.auth import IDLE_MINUTES, SESSION_HOURS, User
from evaluation.formatting import as_utc
from evaluation.storage.db import core, session_scope
from evaluation.storage.tables import LoginSessionRow, UserRow
from evaluation.storage.unchanged import read_unchanged
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


@dataclass(frozen=True)
class _Stored:
    """A sign-in session as stored, with its account's user (None when the account is gone or disabled)."""

    created_at: datetime
    last_seen: datetime
    end_reason: str | None  # None while the session has not ended
    user: User | None


# built once (building it took SQLAlchemy longer than running it): the session's row, to be written
_STORED = (
    select(LoginSessionRow, UserRow)
    .outerjoin(UserRow, col(UserRow.id) == col(LoginSessionRow.user_id))
    .where(LoginSessionRow.token_hash == bindparam("token_hash"))
)


# the same, as columns (no ORM objects): the check of every page run only judges the session, never writes its row
_JUDGED = (
    sa_select(
        col(LoginSessionRow.created_at),
        col(LoginSessionRow.last_seen),
        col(LoginSessionRow.ended_at),
        col(LoginSessionRow.end_reason),
        col(UserRow.id),
        col(UserRow.username),
        col(UserRow.display_name),
        col(UserRow.role),
        col(UserRow.active),
    )
    .outerjoin(UserRow, col(UserRow.id) == col(LoginSessionRow.user_id))
    .where(col(LoginSessionRow.token_hash) == bindparam("token_hash"))
)


def _judged(session: Session, token_hash: str) -> _Stored | None:
    """What :func:`_read_stored` gives of the session behind a token, read as plain columns (every click)."""
    found = core(session).execute(_JUDGED, {"token_hash": token_hash}).first()
    if found is None:
        return None
    made, seen, ended_at, reason, user_id, username, display_name, role, active = found
    user = None if user_id is None or not active else User(user_id, username, display_name, role)
    return _stored(made, seen, ended_at, reason, user)


def _stored(made: datetime, seen: datetime, ended_at: datetime | None, reason: str, user: User | None) -> _Stored:
    return _Stored(as_utc(made), as_utc(seen), None if ended_at is None else reason or "", user)


def _read_stored(session: Session, token_hash: str) -> tuple[LoginSessionRow, _Stored] | None:
    """The session behind a token (its row, to write) and its account, read in one statement."""
    found = session.exec(_STORED, params={"token_hash": token_hash}).first()
    if found is None:
        return None
    row, account = found
    user = None if account is None or not account.active else account_user(account)
    return row, _stored(row.created_at, row.last_seen, row.ended_at, row.end_reason, user)


def _verdict(stored: _Stored, now: datetime) -> tuple[Resumed, bool]:
    """Whether the session resumes at ``now``, and whether its row must be written (it ends now, or its
    ``last_seen`` is older than ``SEEN_PRECISION``)."""
    if stored.end_reason is not None:
        return Resumed(None, None, stored.end_reason), False
    reason = ""
    if now - stored.created_at > timedelta(hours=SESSION_HOURS):
        reason = f"登录已超过 {SESSION_HOURS} 小时，请重新登录。"
    elif now - stored.last_seen > timedelta(minutes=IDLE_MINUTES):
        reason = f"超过 {IDLE_MINUTES} 分钟没有操作，已自动退出，请重新登录。"
    if reason or stored.user is None:
        return Resumed(None, None, reason or "该账户已停用或已删除。"), True
    return Resumed(stored.user, stored.created_at), now - stored.last_seen >= SEEN_PRECISION


def resume_session(*, session: Session, token: str, now: datetime | None = None) -> Resumed:
    """The user behind a token when its session is still valid (and mark it active now, to within
    ``SEEN_PRECISION``); else why not."""
    now = now or datetime.now(UTC)
    found = _read_stored(session, _hash(token))
    if found is None:
        return Resumed(None)
    row, stored = found
    resumed, write = _verdict(stored, now)
    if write:
        if resumed.user is None:
            row.ended_at = now
            row.end_reason = resumed.reason
        else:
            row.last_seen = now
        session.add(row)
        session.flush()
    return resumed


def resume(engine: Engine, token: str, now: datetime | None = None) -> Resumed:
    """:func:`resume_session` in a transaction of its own, for the check every page run makes. While nothing was
    written to the database since the last check, the session as then read is judged at ``now`` without asking
    the database again; when the row must be written (the session ends, or ``last_seen`` is due) it is read
    again and written as :func:`resume_session` does."""
    now = now or datetime.now(UTC)
    token_hash = _hash(token)

    stored = read_unchanged(  # reads login_session and app_user only: kept while no access table was written
        engine, ("sign-in", token_hash), lambda session: _judged(session, token_hash), access_only=True
    )
    if stored is None:
        return Resumed(None)
    resumed, write = _verdict(stored, now)
    if not write:
        return resumed
    with session_scope(engine) as session:
        return resume_session(session=session, token=token, now=now)


def end_session(*, session: Session, token: str, now: datetime | None = None) -> None:
    row = session.exec(select(LoginSessionRow).where(LoginSessionRow.token_hash == _hash(token))).first()
    if row is not None and row.ended_at is None:
        row.ended_at = now or datetime.now(UTC)
        session.add(row)
        session.flush()
