"""Cached resources: one database engine per server process, migrated and seeded on first use."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from evaluation.storage.bootstrap import ensure_samples, open_database


@st.cache_resource(show_spinner="正在准备数据库…")
def engine() -> Engine:
    eng = open_database()
    ensure_samples(eng)
    return eng
