"""The 历史 view: who changed what and when, old → new, for an evaluation or one of its indicators."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from evaluation.formatting import beijing
from evaluation.storage import audit
from evaluation.storage.db import session_scope
from evaluation.storage.reading import read_history
from ui.auth import require_user


def _value(value: object) -> str:
    text = "（空）" if value in (None, "", [], {}) else str(value)
    return text if len(text) <= 80 else text[:79] + "…"


COLUMNS = ["时间", "操作人", "操作", "对象", "字段", "原值", "新值"]


def history_rows(entries: list[audit.AuditEntry]) -> pd.DataFrame:
    """Newest first; one line per changed field, so a reviewer reads old → new without opening JSON."""
    rows = []
    for e in reversed(entries):
        at = beijing(e.at, "%Y-%m-%d %H:%M:%S")
        head = {"时间": at, "操作人": e.actor, "操作": e.action, "对象": e.target or "评价"}
        old, new = audit.changes(e.old, e.new)
        if not new:
            rows.append({**head, "字段": "", "原值": "", "新值": ""})
        for path in new:
            rows.append({**head, "字段": path, "原值": _value(old[path]), "新值": _value(new[path])})
    return pd.DataFrame(rows, columns=COLUMNS)


def history_table(eng: Engine, evaluation_key: str, target: str | None = None) -> None:
    with session_scope(eng) as session:
        entries = read_history(session=session, user=require_user(), evaluation_key=evaluation_key, target=target)
    if not entries:
        st.caption("还没有修改记录。")
        return
    st.caption(f"共 {len(entries)} 条记录，最新的在前；时间为北京时间。")
    st.dataframe(history_rows(entries), hide_index=True, width="stretch")
