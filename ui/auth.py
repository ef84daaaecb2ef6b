"""Who is signed in: the login form, the first administrator on an empty database, session expiry,
and the role's navigation. The session keeps plain data only (ids and names, never ORM rows); every
run checks the account is still active, so a disabled user is signed out at their next click."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import streamlit as st
from sqlalchemy.engine import Engine

from evaluation.auth import IDLE_MINUTES, SESSION_HOURS, LoginFailed, User
from evaluation.errors import ValidationFailed
from evaluation.storage.db import session_scope
from evaluation.storage.users import active_user, authenticate, create_user, has_users

USER = "wb_user"  # {"id", "username", "display_name", "role", "since", "seen"}
ENDED = "wb_session_ended"  # why the last sign-in ended (shown on the login form)


def _now() -> datetime:
    return datetime.now(UTC)


def sign_in(user: User) -> None:
    now = _now().isoformat()
    st.session_state[USER] = {**asdict(user), "since": now, "seen": now}
    st.session_state.pop(ENDED, None)


def sign_out(reason: str = "") -> None:
    """Forget the user and everything the session held for them (current evaluation, versions, widgets)."""
    for key in list(st.session_state):
        del st.session_state[key]
    if reason:
        st.session_state[ENDED] = reason


def current_user(eng: Engine) -> User | None:
    """The signed-in user, or None (never signed in, expired, idle too long, or the account was disabled)."""
    data = st.session_state.get(USER)
    if not isinstance(data, dict):
        return None
    now = _now()
    if now - datetime.fromisoformat(data["since"]) > timedelta(hours=SESSION_HOURS):
        sign_out(f"登录已超过 {SESSION_HOURS} 小时，请重新登录。")
        return None
    if now - datetime.fromisoformat(data["seen"]) > timedelta(minutes=IDLE_MINUTES):
        sign_out(f"超过 {IDLE_MINUTES} 分钟没有操作，已自动退出，请重新登录。")
        return None
    with session_scope(eng) as session:
        user = active_user(session=session, user_id=int(data["id"]))
    if user is None:
        sign_out("该账户已停用或已删除。")
        return None
    data.update(asdict(user), seen=now.isoformat())  # a role changed by an administrator applies at once
    return user


def require_user() -> User:
    """The signed-in user of this run (the guard has checked there is one)."""
    data = st.session_state.get(USER)
    if not isinstance(data, dict):
        st.stop()
    return User(id=int(data["id"]), username=data["username"], display_name=data["display_name"], role=data["role"])


def login_page(eng: Engine) -> None:
    """The only page shown before signing in: the first administrator on an empty database, else the login."""
    with session_scope(eng) as session:
        first = not has_users(session=session)
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("评价工作台")
        if first:
            _first_admin(eng)
        else:
            _login(eng)


def _login(eng: Engine) -> None:
    ended = st.session_state.get(ENDED)
    if ended:
        st.info(ended)
    with st.form("login"):
        st.subheader("登录")
        username = st.text_input("用户名", key="login_username")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        try:
            with session_scope(eng) as session:
                user = authenticate(session=session, username=username, password=password)
        except LoginFailed as e:
            st.error(str(e))
            return
        sign_in(user)
        st.rerun()
    st.caption("忘记密码请联系管理员重设。")


def _first_admin(eng: Engine) -> None:
    st.subheader("首次启动：创建管理员账户")
    st.write("数据库中还没有任何账户。请创建第一个管理员账户（没有默认密码），之后由管理员在“系统管理”页添加其他成员。")
    with st.form("first_admin"):
        username = st.text_input("用户名", key="first_username")
        display_name = st.text_input("姓名", key="first_display_name")
        password = st.text_input("密码（至少 8 个字符，不能全是数字）", type="password", key="first_password")
        again = st.text_input("再次输入密码", type="password", key="first_again")
        submitted = st.form_submit_button("创建并登录", type="primary")
    if not submitted:
        return
    if password != again:
        st.error("两次输入的密码不一致")
        return
    try:
        with session_scope(eng) as session:
            user = create_user(
                session=session, username=username, password=password, role="管理员", display_name=display_name
            )
    except ValidationFailed as e:
        st.error(f"{e.title}：\n\n" + "\n".join(f"- {p}" for p in e.problems))
        return
    sign_in(user)
    st.rerun()


def account_box(user: User) -> None:
    """Sidebar: who is signed in, and the way out."""
    box = st.sidebar.container()
    box.caption(f"当前用户：{user.label}")
    if box.button("退出登录", key="wb_logout", icon=":material/logout:"):
        sign_out("您已退出登录。")
        st.rerun()
