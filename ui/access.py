"""Whether the signed-in user may change the current evaluation (or decide on its review findings), for
the pages to disable their save buttons and say why. These run the core's own checks; the core refuses
the write anyway, this only spares the user a refused save."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from evaluation.auth import PermissionDenied, User
from evaluation.storage.decisions import ensure_reviewable
from evaluation.storage.unchanged import read_unchanged
from evaluation.storage.users import check_access
from evaluation.storage.workflow import ensure_editable

READONLY = "wb_readonly"  # why the current evaluation cannot be edited by this user ("" when it can)


def edit_block(eng: Engine, user: User, key: str) -> str:
    """Why ``user`` cannot edit evaluation ``key`` now, or "" when they can."""
    return _refusal(eng, ("edit", user, key), lambda session: _editable(session, user, key))


def review_block(eng: Engine, user: User, key: str) -> str:
    """Why ``user`` cannot record review decisions on evaluation ``key`` now, or "" when they can."""
    return _refusal(
        eng, ("review", user, key), lambda session: ensure_reviewable(session=session, user=user, evaluation_key=key)
    )


def _editable(session: Session, user: User, key: str) -> None:
    check_access(session=session, user=user, action="edit", evaluation_key=key)
    ensure_editable(session=session, evaluation_key=key, role=user.role)


def _refusal(eng: Engine, what: Hashable, check: Callable[[Session], None]) -> str:
    """The core's own check, run read-only (again only after an access table was written: the checks read
    memberships and workflow states, see ``storage.unchanged``): its refusal message, or "" when it passes."""

    def refusal(session: Session) -> str:
        try:
            check(session)
        except PermissionDenied as e:
            return str(e)
        return ""

    return read_unchanged(eng, what, refusal, access_only=True)


def remember(reason: str) -> None:
    st.session_state[READONLY] = reason


def readonly() -> bool:
    """True when the current evaluation is read-only for this user (save buttons are disabled)."""
    return bool(st.session_state.get(READONLY))


def readonly_banner() -> None:
    reason = st.session_state.get(READONLY)
    if reason:
        st.info(f"只读：{reason}。", icon=":material/lock:")
