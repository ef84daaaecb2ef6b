"""The 历史 view: who changed what and when, old → new, for an evaluation or one of its indicators."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import streamlit as st
from sqlalchemy.engine import Engine

from evaluation.formatting import beijing
from evaluation.kept import KeptMap
from evaluation.storage import audit
from evaluation.storage.db import session_scope
from evaluation.storage.reading import read_history, read_history_stamp
from evaluation.storage.unchanged import read_unchanged
from ui.auth import require_user


def _value(value: object) -> str:
    text = "（空）" if value in (None, "", [], {}) else str(value)
    return text if len(text) <= 80 else text[:79] + "…"


COLUMNS = ["时间", "操作人", "操作", "对象", "字段", "原值", "新值"]


def history_rows(entries: list[audit.AuditEntry]) -> pd.DataFrame:
    """Newest first; one line per changed field, so a reviewer reads old → new without opening JSON."""
    return pd.DataFrame([row for e in reversed(entries) for row in _entry_rows(e)], columns=COLUMNS)


def _entry_rows(e: audit.AuditEntry) -> list[dict[str, str]]:
    at = beijing(e.at, "%Y-%m-%d %H:%M:%S")
    head = {"时间": at, "操作人": e.actor, "操作": e.action, "对象": e.target or "评价"}
    old, new = audit.changes(e.old, e.new)
    if not new:
        return [{**head, "字段": "", "原值": "", "新值": ""}]
    return [{**head, "字段": path, "原值": _value(old[path]), "新值": _value(new[path])} for path in new]


SCHEMA = pa.schema([(c, pa.string()) for c in COLUMNS])
CHUNKS = 32  # pieces a kept table may grow to (one per change read) before they are joined into one


@dataclass
class _Kept:
    stamp: tuple[int, int]  # (entries, latest entry id)
    table: pa.Table  # newest first, as Streamlit sends it (never changed: a change makes a new table)


# (database, evaluation, target) → its trail as table rows. The trail only grows, so a change reads the entries
# added since (all of them again when the count says one arrived out of order)
_kept: KeptMap[tuple[str, str, str | None], _Kept] = KeptMap(64)


def history_frame(eng: Engine, evaluation_key: str, target: str | None = None) -> tuple[int, pa.Table]:
    """(number of entries, table) of an evaluation's trail or one target's, newest first, for the signed-in
    user (who must be allowed to read the evaluation). The entries added since the kept table are put in front of
    it as an Arrow table of their own (no copy of the older rows): a save does not rebuild the whole trail."""
    where = (str(eng.url), evaluation_key, target)
    user = require_user()
    stamp = read_unchanged(
        eng,
        ("history-stamp", evaluation_key, target, user),
        lambda session: read_history_stamp(session=session, user=user, evaluation_key=evaluation_key, target=target),
    )
    kept = _kept.get(where)
    if kept is not None and kept.stamp == stamp:
        return kept.stamp[0], kept.table
    with session_scope(eng) as session:
        if kept is not None:  # the entries after the kept ones
            after = kept.stamp[1]
            added = read_history(session=session, user=user, evaluation_key=evaluation_key, target=target, after=after)
            if kept.stamp[0] + len(added) != stamp[0]:  # an entry committed out of order: read them all
                kept = None
        if kept is None:  # none kept (read once, not once after entry 0 and once more)
            added = read_history(session=session, user=user, evaluation_key=evaluation_key, target=target)
    table = pa.Table.from_pylist([row for e in reversed(added) for row in _entry_rows(e)], schema=SCHEMA)
    if kept is not None:
        table = pa.concat_tables([table, kept.table])
        if table.column(0).num_chunks > CHUNKS:
            table = table.combine_chunks()
    count = len(added) + (kept.stamp[0] if kept is not None else 0)
    latest = max((e.id for e in added), default=kept.stamp[1] if kept is not None else 0)
    _kept.put(where, _Kept((count, latest), table))
    return count, table


def history_table(eng: Engine, evaluation_key: str, target: str | None = None) -> None:
    count, frame = history_frame(eng, evaluation_key, target)
    if not count:
        st.caption("还没有修改记录。")
        return
    st.caption(f"共 {count} 条记录，最新的在前；时间为北京时间。")
    st.dataframe(frame, hide_index=True, width="stretch", placeholder="")
