"""The one call every page file makes first, and the pages each role may open.

A page opened directly by its URL must not run without it (Streamlit may serve ``pages/*.py``
before ``app.py`` has called ``st.navigation``). It sends such a request through app.py, asks for a
login when nobody is signed in (nothing, downloads included, is reachable without it), and refuses a
page the signed-in role may not open. The core checks every write again.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.errors import StreamlitAPIException

from ui.auth import account_box, page_user, require_user
from ui.resources import engine
from ui.state import LINK_PARAMS, entered_page, keep_save_lock, new_page_run, take_refusals
from ui.unsaved import warn_before_leaving

VIA_APP = "_wb_via_app"  # set by app.py: this session has its navigation
WANTED = "_wb_wanted_page"  # a page opened directly by its URL, to show once app.py has run (and after login)
WANTED_PARAMS = "_wb_wanted_params"  # and the evaluation and indicator its URL named


def remember_wanted(stem: str) -> None:
    """Keep the page and the place (``?eval=…&indicator=…``) a URL opened: navigating to app.py or to the
    login clears the query parameters, and they are to be honoured once signed in."""
    st.session_state[WANTED] = stem
    params = {k: st.query_params[k] for k in LINK_PARAMS if k in st.query_params}
    if params:
        st.session_state[WANTED_PARAMS] = params


EDITORS = ("管理员", "评价人员")
WORKERS = ("管理员", "评价人员", "复核人员")
AGENCY = ("管理员", "评价人员", "复核人员", "管理者")  # everyone but the evaluated unit
UNIT = ("被评价单位", "管理员")


@dataclass(frozen=True)
class PageSpec:
    section: str
    stem: str
    title: str
    icon: str
    roles: tuple[str, ...]


PAGES = (
    PageSpec("评价", "home", "评价项目", ":material/list_alt:", AGENCY),
    PageSpec("评价", "project", "项目信息", ":material/description:", WORKERS),
    PageSpec("评价", "indicators", "指标体系", ":material/account_tree:", WORKERS),
    PageSpec("评价", "evidence", "证据与评分", ":material/rule:", WORKERS),
    PageSpec("评价", "problems", "问题与建议", ":material/report_problem:", WORKERS),
    PageSpec("评价", "report", "报告", ":material/article:", AGENCY),
    PageSpec("评价", "engagement", "资料与征求意见", ":material/forum:", WORKERS),
    PageSpec("评价", "review", "复核与流程", ":material/fact_check:", WORKERS),
    PageSpec("评价", "history", "修改历史", ":material/history:", AGENCY),
    PageSpec("管理", "analysis", "对比分析", ":material/monitoring:", AGENCY),
    PageSpec("管理", "selfeval", "自评表", ":material/table_view:", EDITORS),
    PageSpec("管理", "admin", "系统管理", ":material/admin_panel_settings:", ("管理员",)),
    PageSpec("资料", "library", "指标库", ":material/library_books:", AGENCY),
    PageSpec("被评价单位", "unit", "资料与反馈", ":material/upload_file:", UNIT),
)


def pages_for(role: str) -> list[PageSpec]:
    return [p for p in PAGES if role in p.roles]


_NAVIGATION = "_wb_navigation"  # (role, the navigation's pages by section) of this session


def navigation(role: str) -> dict[str, list[st.Page]]:
    """The navigation's pages for ``role``, by section. Made once per session and role: a page of a file checks and
    resolves its path when made (about 2 ms for fourteen, on every run); kept in the session, never shared between
    sessions (st.navigation marks the page it returns, and that page's run clears the mark)."""
    kept = st.session_state.get(_NAVIGATION)
    if kept is not None and kept[0] == role:
        return kept[1]  # type: ignore[no-any-return]
    sections: dict[str, list[st.Page]] = {}
    for spec in pages_for(role):
        sections.setdefault(spec.section, []).append(
            st.Page(f"pages/{spec.stem}.py", title=spec.title, icon=spec.icon, default=spec.stem == "home")
        )
    st.session_state[_NAVIGATION] = (role, sections)
    return sections


def may_open(stem: str) -> bool:
    """Whether the signed-in user's role may open ``pages/<stem>.py`` (for links between pages)."""
    spec = next((p for p in PAGES if p.stem == stem), None)
    return spec is not None and require_user().role in spec.roles


def page_setup() -> Engine:
    """Prepare the session and return the database engine; stop the page when it must not run.

    A page reached before app.py has run in this session (its URL opened on a freshly started server,
    where Streamlit still serves ``pages/*.py`` on their own) is sent through app.py first, which asks
    for a login if needed and then opens the wanted page.
    """
    stem = Path(sys._getframe(1).f_code.co_filename).stem
    harness = False
    if not st.session_state.get(VIA_APP, False):
        remember_wanted(stem)
        try:
            st.switch_page("app.py")
        except StreamlitAPIException:  # no app.py beside the page: a test harness runs the page alone
            st.session_state.pop(WANTED, None)
            harness = True
    eng = engine()
    user = page_user(eng)
    if user is None:
        if not harness:
            remember_wanted(stem)
            st.switch_page("app.py")
        st.warning("请先登录。")
        st.stop()
    assert user is not None
    spec = next((p for p in PAGES if p.stem == stem), None)
    if spec is not None and user.role not in spec.roles:
        st.error(f"角色“{user.role}”无权打开“{spec.title}”页。")
        st.stop()
    account_box(eng, user)
    entered_page(stem)
    new_page_run()
    take_refusals()
    keep_save_lock()
    warn_before_leaving(stem)
    return eng
