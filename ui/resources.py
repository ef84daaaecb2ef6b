"""Cached resources: one database engine per server process, migrated and seeded on first use; the
indicator library (immutable models) loaded once per folder."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from sqlalchemy.engine import Engine

from evaluation.config import get_settings
from evaluation.indicators.library import Library, load_library
from evaluation.storage.bootstrap import ensure_samples, open_database


@st.cache_resource(show_spinner="正在准备数据库…")
def engine() -> Engine:
    eng = open_database()
    ensure_samples(eng)
    return eng


def library() -> Library:
    return _library(str(get_settings().library_dir))


@st.cache_resource(show_spinner="正在读取指标库…")
def _library(folder: str) -> Library:
    return load_library(Path(folder))
