"""Reviewer decisions in the database (SQLite and PostgreSQL): stable across re-checks, 接受 needs a
reason, open 错误 counted per evaluation, the review sheet reopens in openpyxl with one row per finding."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pydantic import ValidationError
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from evaluation.auth import SYSTEM, User
from evaluation.report.review_files import review_sheet_xlsx
from evaluation.review.base import ERROR
from evaluation.review.decisions import open_error_count, review_items
from evaluation.scoring.engine import score
from evaluation.storage.db import session_scope
from evaluation.storage.decisions import (
    clear_decision,
    count_open_errors,
    findings_for_evaluation,
    list_decisions,
    save_decision,
)
from evaluation.storage.repo import get_evaluation, replace_evaluation
from tests.factories import checked

WANG = User(id=0, username="wang", display_name="王", role="管理员")  # decisions carry the reviewer's name
PZH = "panzhihua-2023-zhaoshang"
HONGXING = "hengkou-2024-zsj-07-hongxing"


@pytest.fixture
def engine(sample_engine: Engine) -> Engine:
    return sample_engine


def open_errors(session: Session) -> int:
    pzh = get_evaluation(session=session, ref=PZH)
    return count_open_errors(session=session, evaluation=pzh, result=score(pzh))


def test_migration_creates_the_review_table(engine: Engine) -> None:
    assert "review_decision" in inspect(engine).get_table_names()


def test_decisions_close_errors_and_survive_a_recheck(engine: Engine) -> None:
    with session_scope(engine) as session:
        key, findings = findings_for_evaluation(session=session, ref=PZH)
        errors = [f for f in findings if f.severity == ERROR]
        assert key == PZH and open_errors(session) == len(errors) == 7
        save_decision(session=session, subject=key, finding=errors[0], decision="已修正", user=WANG)
        save_decision(
            session=session, subject=key, finding=errors[1], decision="接受", reason="原报告如此，保留原文", user=SYSTEM
        )
    with session_scope(engine) as session:
        assert open_errors(session) == 5
        # re-checking the stored evaluation yields the same identities, so the decisions still apply
        _, again = findings_for_evaluation(session=session, ref=PZH)
        decisions = list_decisions(session=session, subject=PZH)
        assert set(decisions) <= {f.key for f in again}
        accepted = decisions[errors[1].key]
        assert (accepted.decision, accepted.reason) == ("接受", "原报告如此，保留原文")
        assert accepted.finding["message"] == errors[1].message and accepted.decided_at is not None
        assert decisions[errors[0].key].reviewer == "王"
        # a second decision on the same finding replaces the first
        save_decision(
            session=session, subject=PZH, finding=errors[0], decision="接受", reason="复核组同意", user=SYSTEM
        )
    with session_scope(engine) as session:
        decisions = list_decisions(session=session, subject=PZH)
        assert len(decisions) == 2 and decisions[errors[0].key].decision == "接受"
        assert clear_decision(session=session, subject=PZH, finding_key=errors[0].key, user=SYSTEM)
        assert not clear_decision(session=session, subject=PZH, finding_key=errors[0].key, user=SYSTEM)
        assert open_errors(session) == 6


def test_accept_without_reason_is_refused_and_nothing_is_written(engine: Engine) -> None:
    with pytest.raises(ValidationError), session_scope(engine) as session:
        _, findings = findings_for_evaluation(session=session, ref=PZH)
        save_decision(session=session, subject=PZH, finding=findings[0], decision="接受", reason="  ", user=SYSTEM)
    with session_scope(engine) as session:
        assert list_decisions(session=session, subject=PZH) == {}


def test_a_fixed_finding_that_no_longer_fires_shows_as_gone(engine: Engine) -> None:
    with session_scope(engine) as session:
        _, findings = findings_for_evaluation(session=session, ref=HONGXING)
        total = next(f for f in findings if f.code == "ARITH_TOTAL")
        save_decision(session=session, subject=HONGXING, finding=total, decision="已修正", user=SYSTEM)
        # the stated 总分 is corrected to the sum of the rows (95.9) and the record saved again
        ev = get_evaluation(session=session, ref=HONGXING)
        assert ev.stated is not None
        assert total.computed == "95.9"
        fixed = ev.model_copy(update={"stated": ev.stated.model_copy(update={"total": Decimal("95.9")})})
        replace_evaluation(session=session, evaluation=fixed, user=SYSTEM)
    with session_scope(engine) as session:
        _, findings = findings_for_evaluation(session=session, ref=HONGXING)
        decisions = list_decisions(session=session, subject=HONGXING)
    assert "ARITH_TOTAL" not in {f.code for f in findings}
    items = review_items(findings, decisions)
    assert [i.status for i in items if i.key == total.key] == ["已消除"]


def test_review_sheet_has_one_row_per_finding_with_its_decision(engine: Engine) -> None:
    with session_scope(engine) as session:
        _, findings = findings_for_evaluation(session=session, ref=PZH)
        save_decision(
            session=session, subject=PZH, finding=findings[0], decision="接受", reason="保留原报告数字", user=SYSTEM
        )
        decisions = list_decisions(session=session, subject=PZH)
    data = review_sheet_xlsx("招商引资工作经费 复核表", review_items(findings, decisions))
    ws = load_workbook(BytesIO(data)).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][0] == "招商引资工作经费 复核表"
    header = rows[2]
    assert header[:3] == ["序号", "严重程度", "代码"] and "处理" in header and "理由" in header
    body = rows[3:]
    assert len(body) == len(findings)
    by_message = {r[header.index("说明")]: r for r in body}
    first = by_message[findings[0].message]
    assert (first[header.index("处理")], first[header.index("理由")]) == ("接受", "保留原报告数字")
    assert sum(1 for r in body if r[header.index("处理")] == "待处理") == len(findings) - 1
    total = next(r for r in body if r[header.index("代码")] == "ARITH_TOTAL" and r[header.index("栏")] == "得分")
    assert (total[header.index("所列")], total[header.index("核算")]) == ("89", "88")


def test_open_error_count_is_pure(engine: Engine) -> None:
    with session_scope(engine) as session:
        ev = get_evaluation(session=session, ref=PZH)
    findings = checked(ev)
    assert open_error_count(findings, {}) == 7
    assert open_error_count([f for f in findings if f.severity != ERROR], {}) == 0


def test_a_replaced_decision_is_recorded_with_what_it_replaced(engine: Engine) -> None:
    """修改历史 of a second decision on the same finding shows the first one as the old value, not the new one twice."""
    from evaluation.storage.audit import history

    with session_scope(engine) as session:
        _, findings = findings_for_evaluation(session=session, ref=PZH)
        error = next(f for f in findings if f.severity == ERROR)
        save_decision(
            session=session, subject=PZH, finding=error, decision="接受", reason="理由一：原文如此", user=WANG
        )
        for _ in range(2):  # the same decision twice (a second click) is recorded once
            save_decision(
                session=session, subject=PZH, finding=error, decision="接受", reason="理由二：复核组同意", user=WANG
            )
        save_decision(session=session, subject=PZH, finding=error, decision="已修正", user=WANG)
    with session_scope(engine) as session:
        entries = [e for e in history(session=session, evaluation_key=PZH) if e.action == "复核处理"]
    assert [e.old for e in entries] == [
        None,
        {"处理": "接受", "理由": "理由一：原文如此"},
        {"处理": "接受", "理由": "理由二：复核组同意"},
    ]
    assert [e.new["处理"] for e in entries if e.new] == ["接受", "接受", "已修正"]
