"""What page runs keep between runs: values derived from the storage layer's shared objects, and the audit trail
read incrementally — always what a fresh computation gives."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
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

    def shown(table: Any) -> list[list[str]]:
        return table.to_pandas().values.tolist()

    count, frame = history_frame(engine, KEY, "GX.JJ.01")
    assert frame.column_names == COLUMNS and shown(frame) == fresh() and count == 0
    with session_scope(engine) as s:  # an id taken now, by a transaction that commits only at the end
        late = s.execute(insert(AuditRow).values(actor="-", action="-", evaluation_key="-")).inserted_primary_key[0]
    for version, target in ((1, "50万美元"), (2, "80万美元")):
        changed = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": target, "target": "100万美元"}})
        with session_scope(engine) as s:
            repo.save_assessment(session=s, ref=KEY, assessment=changed, expected_version=version, user=SYSTEM)
        count, frame = history_frame(engine, KEY, "GX.JJ.01")
        assert count == version and shown(frame) == fresh()
        assert history_frame(engine, KEY, "GX.JJ.01")[1] is frame  # nothing new: the kept table
    assert "80万美元" in frame.column("新值")[0].as_py()  # newest first
    with session_scope(engine) as s:  # that entry, with its id before the newest, committed after it
        s.execute(delete(AuditRow).where(AuditRow.id == late))
        s.execute(insert(AuditRow).values(id=late, actor="late", action="修改", evaluation_key=KEY, target="GX.JJ.01"))
        s.execute(insert(AuditRow).values(actor="x", action="修改", evaluation_key=KEY, target="GX.JJ.01"))
    count, frame = history_frame(engine, KEY, "GX.JJ.01")
    assert count == 4 and shown(frame) == fresh() and "late" in set(frame.column("操作人").to_pylist())
    engine.dispose()


def test_the_history_table_puts_new_entries_in_front_and_joins_its_pieces_past_a_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each change read is a piece in front of the kept table (the older rows are not copied); past ``CHUNKS``
    pieces they are joined into one. Either way the table is the trail as a fresh read shows it."""
    from ui import history

    monkeypatch.setattr(history, "CHUNKS", 2)
    engine = open_database(f"sqlite:///{tmp_path / 'h.db'}")
    ensure_samples(engine, SAMPLES)
    _sign_in()
    pieces = []
    for version in range(1, 6):
        changed = Assessment.model_validate(
            {"code": "GX.JJ.01", "inputs": {"actual": f"{50 + version}万美元", "target": "100万美元"}}
        )
        with session_scope(engine) as s:
            repo.save_assessment(session=s, ref=KEY, assessment=changed, expected_version=version, user=SYSTEM)
        count, table = history_frame(engine, KEY, "GX.JJ.01")
        with session_scope(engine) as s:
            expected = history_rows(audit.history(session=s, evaluation_key=KEY, target="GX.JJ.01")).values.tolist()
        assert count == version and table.to_pandas().values.tolist() == expected
        pieces.append(table.column(0).num_chunks)
    assert pieces[:3] == [1, 2, 1] and max(pieces) <= 2  # joined when a third piece came
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
