"""Who is signed in: the login form, the first administrator on an empty database, sign-in sessions
that expire and survive a reload. The Streamlit session keeps plain data only (ids, names, the token;
never ORM rows); every run checks the sign-in session in the database."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta

import streamlit as st
from sqlalchemy.engine import Engine

from evaluation.auth import SESSION_HOURS, Action, LoginFailed, PermissionDenied, User, require
from evaluation.errors import ValidationFailed
from evaluation.storage.db import session_scope
from evaluation.storage.sessions import end_session, resume, resume_session, start_session
from evaluation.storage.setup import create_first_admin
from evaluation.storage.users import authenticate, check_access, has_users
from ui.script import run_in_page

USER = "wb_user"  # {"id", "username", "display_name", "role"} of the signed-in user
TOKEN = "wb_token"  # this session's sign-in token (its hash is in the login_session table)
ENDED = "wb_session_ended"  # why the last sign-in ended (shown on the login form)
HEARTBEAT_MINUTES = 5  # an open page renews its sign-in this often (well inside IDLE_MINUTES)
RENEWED = "wb_renewed"  # when this session last renewed its sign-in (time.monotonic())
COOKIE = "wb_session"  # the browser keeps the token, so a reload stays signed in
SET_COOKIE = "wb_set_cookie"  # the token the browser is to hold ("" = forget the cookie)
CHECKED = "_wb_checked"  # set by the frame (app.py) after it checked the sign-in in this run; the page takes it


def session_token() -> str | None:
    """This session's token, or the one the browser sent in its cookie (a reload)."""
    for candidate in (lambda: st.session_state.get(TOKEN), lambda: st.context.cookies.get(COOKIE)):
        token = candidate()
        if isinstance(token, str) and token:
            return token
    return None


def sign_in(eng: Engine, user: User) -> None:
    """Start a sign-in session for ``user`` (kept in the database, the browser gets its token)."""
    with session_scope(eng) as session:
        token = start_session(session=session, user=user)
    st.session_state[USER] = asdict(user)
    st.session_state[TOKEN] = token
    st.session_state[SET_COOKIE] = token
    st.session_state.pop(ENDED, None)


def sign_out(eng: Engine, reason: str = "") -> None:
    """End the sign-in session and forget everything this browser session held (current evaluation,
    versions, widgets); the browser drops its cookie on the next run."""
    token = session_token()
    if token:
        with session_scope(eng) as session:
            end_session(session=session, token=token)
    for key in list(st.session_state):
        del st.session_state[key]
    st.session_state[SET_COOKIE] = ""
    if reason:
        st.session_state[ENDED] = reason


def current_user(eng: Engine) -> User | None:
    """The signed-in user, or None (never signed in, signed out, expired, idle too long, disabled).

    Every run checks the sign-in session (asking the database whenever anything at all was written since the last
    check, see ``storage.sessions.resume``), so expiry, a sign-out in another tab and a disabled account take
    effect at the next click; a new browser session (a reload) resumes from the cookie while the session is
    valid."""
    token = session_token()
    if not token:
        return None
    resumed = resume(eng, token)  # asks the database again only after something was written
    if resumed.user is None:
        if TOKEN in st.session_state or resumed.reason:
            sign_out(eng, resumed.reason)
        else:  # a stale cookie from an earlier sign-in: just forget it
            st.session_state[SET_COOKIE] = ""
        return None
    st.session_state[USER] = asdict(resumed.user)  # a role changed by an administrator applies at once
    st.session_state[TOKEN] = token
    st.session_state[RENEWED] = time.monotonic()
    return resumed.user


def frame_user(eng: Engine) -> User | None:
    """The frame's check of the sign-in (app.py, every run); the page of the same run takes it over with
    :func:`page_user` instead of asking the database a second time."""
    user = current_user(eng)
    st.session_state[CHECKED] = user is not None
    return user


def page_user(eng: Engine) -> User | None:
    """The signed-in user for a page: what the frame found in this run, or (a page run on its own, as by a
    test harness) a check of its own."""
    if st.session_state.pop(CHECKED, False) and isinstance(st.session_state.get(USER), dict):
        return require_user()
    return current_user(eng)


def sync_cookie() -> None:
    """Store (or forget) the sign-in token in the browser after a sign-in or sign-out.

    The script is part of every run until the browser is known to hold the cookie (it sent it with this
    connection): a run interrupted by a rerun or a page switch right after the sign-in never reaches the
    browser, and a download asked for before the cookie is stored would be refused. An unchanged script
    is not run again by the browser, so repeating it costs nothing."""
    token = st.session_state.get(SET_COOKIE)
    if token is None or st.context.cookies.get(COOKIE, "") == token:
        return
    value = json.dumps(token)
    max_age = SESSION_HOURS * 3600 if token else 0
    run_in_page(
        "wb-cookie",
        "(function(){const secure = location.protocol === 'https:' ? '; Secure' : '';"
        f"document.cookie = '{COOKIE}=' + encodeURIComponent({value}) + '; path=/; max-age={max_age}; "
        "SameSite=Strict' + secure;})();",
    )


def deferred(
    eng: Engine, build: Callable[[User], bytes], action: Action = "read", evaluation_key: str | None = None
) -> Callable[[], bytes]:
    """A download's builder that checks the sign-in again when the file is fetched.

    ``st.download_button(data=callable, on_click="ignore")`` builds the file without a script run, so the
    page's guard does not run then: the sign-in (expiry, sign-out, disabled account), the role and (for a
    file of one evaluation) the membership are checked here, as the database knows them at that moment."""
    token = session_token()

    def run() -> bytes:
        if token is None:
            raise PermissionDenied("请先登录")
        with session_scope(eng) as session:
            resumed = resume_session(session=session, token=token)
            if resumed.user is not None and evaluation_key is not None:
                check_access(session=session, user=resumed.user, action=action, evaluation_key=evaluation_key)
        if resumed.user is None:
            raise PermissionDenied("登录已失效，请刷新页面后重新登录")
        require(resumed.user.role, action)
        return build(resumed.user)

    return run


def require_user() -> User:
    """The signed-in user of this run (the guard has checked there is one)."""
    data = st.session_state.get(USER)
    if not isinstance(data, dict):
        st.stop()
    return User(id=int(data["id"]), username=data["username"], display_name=data["display_name"], role=data["role"])


def login_page(eng: Engine) -> None:
    """The only page shown before signing in: the first administrator on an empty database, else the login."""
    sync_cookie()
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
        sign_in(eng, user)
        st.rerun()
    st.caption("忘记密码请联系管理员重设。")


def _first_admin(eng: Engine) -> None:
    st.subheader("首次启动：创建管理员账户")
    st.write(
        "数据库中还没有任何账户。请输入服务器启动时终端显示的“首次设置码”，创建第一个管理员账户（没有默认密码），"
        "之后由管理员在“系统管理”页添加其他成员。"
    )
    with st.form("first_admin"):
        code = st.text_input("首次设置码", key="first_code", placeholder="如 ABCDE-FGH23（运行 workbench init 时显示）")
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
            user = create_first_admin(
                session=session, setup_code=code, username=username, password=password, display_name=display_name
            )
    except ValidationFailed as e:
        st.error(f"{e.title}：\n\n" + "\n".join(f"- {p}" for p in e.problems))
        return
    except PermissionDenied:  # the first administrator was created a moment ago (by a double click's first click too)
        st.error("已有管理员账户（可能是您刚刚点击创建的，也可能由他人创建），请用该账户登录。")
        return
    sign_in(eng, user)
    st.rerun()


@st.fragment(run_every=timedelta(minutes=HEARTBEAT_MINUTES))
def _keep_alive(eng: Engine) -> None:
    """While a page is open the sign-in stays alive, even when the user only types (typing into a form
    does not reach the server): a consultant writing a long 评分过程 does not lose it at 保存. The idle
    limit ends sign-ins whose pages were closed; the 8-hour limit ends every sign-in."""
    token = st.session_state.get(TOKEN)
    # every page run renews the sign-in (current_user); the fragment's own run within it need not again
    half_interval = HEARTBEAT_MINUTES * 60 / 2  # seconds
    stale = time.monotonic() - float(st.session_state.get(RENEWED, 0.0)) > half_interval
    if isinstance(token, str) and stale:
        with session_scope(eng) as session:
            resume_session(session=session, token=token)
        st.session_state[RENEWED] = time.monotonic()


def account_box(eng: Engine, user: User) -> None:
    """Sidebar: who is signed in, and the way out."""
    sync_cookie()
    with st.sidebar:
        _keep_alive(eng)
    box = st.sidebar.container()
    box.caption(f"当前用户：{user.label}")
    if box.button("退出登录", key="wb_logout", icon=":material/logout:"):
        sign_out(eng, "您已退出登录。")
        st.rerun()
