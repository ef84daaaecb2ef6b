"""What page runs keep between runs: values derived from the storage layer's shared objects, and the audit trail
read incrementally — always what a fresh computation gives."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy import delete, insert

from evaluation.auth import SYSTEM
from evaluation.model import Assessment
from evaluation.storage import audit, repo
from evaluation.storage.bootstrap import ensure_samples, open_database
from evaluation.storage.db import session_scope
from evaluation.storage.tables import AuditRow
from tests.conftest import SAMPLES
from ui import kept
from ui.history import COLUMNS, history_frame, history_rows

KEY = "panzhihua-2023-zhaoshang"


def test_a_derived_value_is_computed_once_per_object() -> None:
    calls: list[int] = []
    source, twin = [1, 2, 3], [1, 2, 3]  # equal, but another object: derived again
    assert kept.derived(source, "sum", lambda: calls.append(1) or sum(source)) == 6
    assert kept.derived(source, "sum", lambda: calls.append(1) or sum(source)) == 6
    assert kept.derived(twin, "sum", lambda: calls.append(1) or sum(twin)) == 6
    assert kept.derived(source, "len", lambda: calls.append(1) or len(source)) == 3
    assert len(calls) == 3


def test_an_entry_never_answers_for_another_object_with_the_same_identity() -> None:
    """Entries hold their object: once evicted, a new object at the same address is computed afresh."""
    for n in range(kept._kept.size * 2):
        value = kept.derived([n], "first", lambda n=n: n)  # type: ignore[misc]
        assert value == n


def _sign_in() -> None:
    st.session_state["wb_user"] = asdict(SYSTEM) | {"role": "管理员"}


def test_the_history_table_follows_every_new_entry_and_one_committed_out_of_order(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'h.db'}")
    ensure_samples(engine, SAMPLES)
    _sign_in()

    def fresh() -> list[list[str]]:
        with session_scope(engine) as s:
            return history_rows(audit.history(session=s, evaluation_key=KEY, target="GX.JJ.01")).values.tolist()

    count, frame = history_frame(engine, KEY, "GX.JJ.01")
    assert list(frame.columns) == COLUMNS and frame.values.tolist() == fresh() and count == 0
    with session_scope(engine) as s:  # an id taken now, by a transaction that commits only at the end
        late = s.execute(insert(AuditRow).values(actor="-", action="-", evaluation_key="-")).inserted_primary_key[0]
    for version, target in ((1, "50万美元"), (2, "80万美元")):
        changed = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": target, "target": "100万美元"}})
        with session_scope(engine) as s:
            repo.save_assessment(session=s, ref=KEY, assessment=changed, expected_version=version, user=SYSTEM)
        count, frame = history_frame(engine, KEY, "GX.JJ.01")
        assert count == version and frame.values.tolist() == fresh()
        assert history_frame(engine, KEY, "GX.JJ.01")[1] is frame  # nothing new: the kept table
    assert "80万美元" in frame.iloc[0]["新值"]  # newest first
    with session_scope(engine) as s:  # that entry, with its id before the newest, committed after it
        s.execute(delete(AuditRow).where(AuditRow.id == late))
        s.execute(insert(AuditRow).values(id=late, actor="late", action="修改", evaluation_key=KEY, target="GX.JJ.01"))
        s.execute(insert(AuditRow).values(actor="x", action="修改", evaluation_key=KEY, target="GX.JJ.01"))
    count, frame = history_frame(engine, KEY, "GX.JJ.01")
    assert count == 4 and frame.values.tolist() == fresh() and "late" in set(frame["操作人"])
    engine.dispose()


def test_a_kept_table_is_converted_to_arrow_once_and_a_mixed_one_is_left_to_streamlit() -> None:
    import pyarrow as pa

    from ui.kept import arrow

    frame = pd.DataFrame({"指标": ["产出数量", "满意度"], "得分": [9.5, None]})
    table = arrow(frame)
    assert isinstance(table, pa.Table) and arrow(frame) is table  # once per frame object
    assert table.to_pandas().equals(frame)
    mixed = pd.DataFrame({"值": [1, "一", 2.5]})  # what Arrow refuses as one column
    assert arrow(mixed) is mixed
