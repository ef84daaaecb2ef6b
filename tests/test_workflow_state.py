"""The review workflow: allowed transitions by role, locking, comments, the final report's hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from evaluation.auth import PermissionDenied
from evaluation.model import Assessment
from evaluation.storage import audit, repo
from evaluation.storage.bootstrap import ensure_samples, open_database
from evaluation.storage.db import session_scope
from evaluation.storage.workflow_state import WorkflowError, state_of, transition

from .conftest import SAMPLES

KEY = "panzhihua-2023-zhaoshang"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = open_database(db_url)
    ensure_samples(eng, SAMPLES)
    yield eng
    eng.dispose()


def _save(engine: Engine, role: str, version: int) -> int:
    a = Assessment.model_validate({"code": "GX.JJ.01", "inputs": {"actual": "10万美元", "target": "100万美元"}})
    with session_scope(engine) as s:
        return repo.save_assessment(session=s, ref=KEY, assessment=a, expected_version=version, actor="x", role=role)


def test_full_cycle_with_locking_and_a_returned_round(engine: Engine) -> None:
    with session_scope(engine) as s:
        assert state_of(session=s, evaluation_key=KEY).state == "草稿"
        transition(session=s, evaluation_key=KEY, to="已提交复核", username="zhang", role="评价人员")
    with pytest.raises(PermissionDenied, match="已锁定"):
        _save(engine, "评价人员", 1)
    with pytest.raises(WorkflowError, match="须写明复核意见"), session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="退回修改", username="li", role="复核人员")
    with pytest.raises(PermissionDenied, match="不能把评价"), session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已通过", username="zhang", role="评价人员")
    with session_scope(engine) as s:
        back = transition(
            session=s,
            evaluation_key=KEY,
            to="退回修改",
            username="li",
            role="复核人员",
            comment="外商直接投资的实际值需附统计口径",
        )
    assert back.comments[0]["text"] == "外商直接投资的实际值需附统计口径" and not back.locked
    assert _save(engine, "评价人员", 1) == 2  # returned: editable again
    report = b"%PDF final report"
    with session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已提交复核", username="zhang", role="评价人员")
        transition(session=s, evaluation_key=KEY, to="已通过", username="li", role="复核人员")
        with pytest.raises(WorkflowError, match="须附最终报告"):
            transition(session=s, evaluation_key=KEY, to="已定稿", username="li", role="复核人员")
        final = transition(
            session=s, evaluation_key=KEY, to="已定稿", username="li", role="复核人员", final_report=report
        )
    assert final.report_sha256 == hashlib.sha256(report).hexdigest()
    with pytest.raises(WorkflowError, match="不能变为"), session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已提交复核", username="zhang", role="评价人员")
    with pytest.raises(PermissionDenied, match="已定稿"):
        _save(engine, "评价人员", 2)
    with session_scope(engine) as s:
        steps = [(e.old, e.new) for e in audit.history(session=s, evaluation_key=KEY, target="流程")]
    assert steps == [
        ("草稿", "已提交复核"),
        ("已提交复核", "退回修改"),
        ("退回修改", "已提交复核"),
        ("已提交复核", "已通过"),
        ("已通过", "已定稿"),
    ]
