"""Whether the signed-in user may change the current evaluation, for the pages to disable their save
buttons and say why. The core refuses the write anyway; this only spares the user a refused save."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from evaluation.auth import PermissionDenied, User
from evaluation.storage.db import session_scope
from evaluation.storage.users import check_access
from evaluation.storage.workflow_state import ensure_editable

READONLY = "wb_readonly"  # why the current evaluation cannot be edited by this user ("" when it can)


def edit_block(eng: Engine, user: User, key: str) -> str:
    """Why ``user`` cannot edit evaluation ``key`` now, or "" when they can."""
    try:
        with session_scope(eng) as session:
            check_access(session=session, user=user, action="edit", evaluation_key=key)
            ensure_editable(session=session, evaluation_key=key, role=user.role)
    except PermissionDenied as e:
        return str(e)
    return ""


def remember(reason: str) -> None:
    st.session_state[READONLY] = reason


def readonly() -> bool:
    """True when the current evaluation is read-only for this user (save buttons are disabled)."""
    return bool(st.session_state.get(READONLY))


def readonly_banner() -> None:
    reason = st.session_state.get(READONLY)
    if reason:
        st.info(f"只读：{reason}。", icon=":material/lock:")
