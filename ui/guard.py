"""The one call every page file makes first.

A page opened directly by its URL must not run without it (Streamlit may serve ``pages/*.py``
before ``app.py`` has called ``st.navigation``). Today it prepares the session and the database;
the team-server work adds the login check here, so every page gets it at once.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from ui.resources import engine


def page_setup() -> Engine:
    """Prepare the session and return the database engine; stop the page when it must not run."""
    eng = engine()
    st.session_state.setdefault("_workbench_ready", True)
    return eng
