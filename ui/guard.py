"""The one call every page file makes first.

A page opened directly by its URL must not run without it (Streamlit may serve ``pages/*.py``
before ``app.py`` has called ``st.navigation``). Today it prepares the session and the database;
the team-server work adds the login check here, so every page gets it at once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.errors import StreamlitAPIException

from ui.resources import engine
from ui.state import entered_page

VIA_APP = "_wb_via_app"  # set by app.py: this session has its navigation
WANTED = "_wb_wanted_page"  # a page opened directly by its URL, to show once app.py has run


def page_setup() -> Engine:
    """Prepare the session and return the database engine; stop the page when it must not run.

    A page reached before app.py has run in this session (its URL opened on a freshly started server,
    where Streamlit still serves ``pages/*.py`` on their own) is sent through app.py first, which then
    opens the wanted page; once app.py has run, the session's navigation is the app's.
    """
    stem = Path(sys._getframe(1).f_code.co_filename).stem
    if not st.session_state.get(VIA_APP, False):
        st.session_state[WANTED] = stem
        try:
            st.switch_page("app.py")
        except StreamlitAPIException:  # no app.py beside the page: a test harness runs the page alone
            st.session_state.pop(WANTED, None)
    eng = engine()
    st.session_state.setdefault("_workbench_ready", True)
    entered_page(stem)
    return eng
