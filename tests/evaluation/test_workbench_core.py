"""The pure helpers behind the workbench pages and the document storage with optimistic locking."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from evaluation.auth import SYSTEM
from evaluation.errors import ConflictError, ValidationFailed
from evaluation.files.attachments import (
    AttachmentError,
    check_upload,
    content_hash,
    intact,
    read_attachment,
    remove_attachment,
    safe_name,
    store_attachment,
)
from evaluation.files.evaluations import load_evaluation
from evaluation.funds import breakdown, execution_rate
from evaluation.lifecycle import duplicate_for_next_year, new_evaluation_id
from evaluation.model import (
    AgencyReply,
    Evaluation,
    ExpenseItem,
    Rectification,
    ReportProblem,
    Suggestion,
    UnitResponse,
    evaluation_problems,
)
from evaluation.report import build_report_context
from evaluation.report.problems import renumber
from evaluation.scoring.engine import score
from evaluation.scoring.narrative import draft_narrative
from evaluation.storage.db import make_engine, migrate, session_scope
from evaluation.storage.documents import assessment_versions, load_document, save_document
from evaluation.storage.repo import create_evaluation
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def sample() -> Evaluation:
    return load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")


def test_breakdown_totals_shares_and_mismatch(sample: Evaluation) -> None:
    b = breakdown(sample.facts.funds.breakdown, sample.facts.funds.spent)
    assert b.total == Decimal("220.00") and b.mismatch == ""
    assert [r.share for r in b.rows][:2] == [Decimal("0.96"), Decimal("5.90")]
    off = breakdown([ExpenseItem(category="办公费", amount=Decimal("10"))], Decimal("12.5"))
    assert off.mismatch == "支出明细合计 10.00 万元与实际支出 12.50 万元不一致（相差 2.50 万元），请核对。"
    assert breakdown([], None).rows == () and execution_rate(sample.facts.funds) == Decimal("100.00")


def test_duplicate_for_next_year_clears_what_belongs_to_the_old_year(sample: Evaluation) -> None:
    copy = duplicate_for_next_year(sample, new_evaluation_id(2024, {"eval-2024-1"}))
    assert copy.id == "eval-2024-2" and copy.project.year == 2024
    assert copy.assessments == [] and copy.problems == [] and copy.suggestions == [] and copy.stated is None
    assert copy.facts.background == sample.facts.background and copy.facts.implementation == ""
    assert copy.facts.funds.spent is None and all(e.amount == 0 for e in copy.facts.funds.breakdown)
    assert copy.system == sample.system and copy.report.stages == []
    assert score(copy).scored == 0


def test_next_year_carries_this_years_problems_with_their_rectification(sample: Evaluation) -> None:
    first, second = sample.problems
    recorded = Rectification(measure="重新编制绩效目标", unit="区经合局", deadline=date(2024, 12, 31), status="整改中")
    answered = sample.model_copy(
        update={
            "problems": [
                first.model_copy(
                    update={
                        "rectification": recorded,
                        "response": UnitResponse(stance="有异议", statement="已整改"),
                        "reply": AgencyReply(decision="不采纳", text="整改尚未完成"),
                    }
                ),
                second,
            ]
        }
    )
    copy = duplicate_for_next_year(answered, "eval-2024-9")
    assert copy.problems == [] and [p.title for p in copy.prior_problems] == [first.title, second.title]
    carried, plain = copy.prior_problems
    assert carried.year == plain.year == 2023
    assert carried.rectification == recorded and plain.rectification == Rectification(status="未整改")
    assert carried.response is None and carried.reply is None
    assert (carried.text, carried.cause, carried.indicators) == (first.text, first.cause, first.indicators)
    assert evaluation_problems(copy) == []
    # the next report says how they were rectified
    headings = [h.text for h in build_report_context(copy, score(copy)).headings()]
    assert "（二）上年问题整改情况" in headings
    # and a copy of the copy carries nothing: the new year has no problems of its own yet
    assert duplicate_for_next_year(copy, "eval-2025-1").prior_problems == []


def test_narrative_draft_names_evidence_findings_and_score(sample: Evaluation) -> None:
    found = sample.system.find("TY.JC.02")
    assert found is not None
    a = sample.assessment("TY.JC.02")
    assert a is not None
    r = score(sample).indicator("TY.JC.02")
    text = draft_narrative(found[2], a, r.score, r.explanation)
    assert text.startswith(
        "评价组查阅了《攀枝花东区2023年重点招商引资项目责任制》、《招商引资工作经费项目绩效目标申报表》"
    )
    assert "调整为 3 分" in text and text.endswith("综上，该指标得 3 分。")


def test_renumber_keeps_answers_on_their_problems() -> None:
    p = [ReportProblem(title=t) for t in ("甲", "乙")]
    s = Suggestion(title="建议")
    ordered, sugg, errors = renumber(
        [(Decimal(3), 1, p[0]), (Decimal(2), 2, p[1]), (Decimal(1), None, ReportProblem(title="丙"))],
        [(Decimal(1), s, [Decimal(1)]), (Decimal(2), s, [Decimal(2), Decimal(9)])],
    )
    assert [x.title for x in ordered] == ["丙", "乙", "甲"]
    assert [x.answers for x in sugg] == [[3], [2]]
    assert errors == ["建议“建议”回应的问题序号 9 不存在"]


def test_attachment_names_cannot_leave_the_folder(tmp_path: Path) -> None:
    assert safe_name("../../etc/passwd.pdf") == "passwd.pdf"
    assert safe_name("C:\\Users\\a\\合同.docx") == "合同.docx"
    assert safe_name("..\x00.pdf") == "pdf"
    with pytest.raises(AttachmentError, match="不可用"):
        safe_name("../..")
    with pytest.raises(AttachmentError, match=r"不支持的文件类型“\.exe”"):
        check_upload("a.exe", 10)
    with pytest.raises(AttachmentError, match="超过上限 20 MB"):
        check_upload("a.pdf", 21 * 1024 * 1024)
    x, y = b"%PDF-1.4 x", b"%PDF-1.4 y"
    rel = store_attachment(root=tmp_path, evaluation_id="e1", code="TY.JC.01", filename="../纪要.pdf", data=x)
    again = store_attachment(root=tmp_path, evaluation_id="e1", code="TY.JC.01", filename="纪要.pdf", data=y)
    assert (rel, again) == ("e1/TY.JC.01/纪要.pdf", "e1/TY.JC.01/纪要（2）.pdf")
    assert read_attachment(root=tmp_path, relative=rel) == x == (tmp_path / rel).read_bytes()
    # the same content again reuses its file; the recorded hash tells a changed file
    assert store_attachment(root=tmp_path, evaluation_id="e1", code="TY.JC.01", filename="副本.pdf", data=y) == again
    stored = read_attachment(root=tmp_path, relative=again)
    assert intact(stored, content_hash(y)) and not intact(stored, content_hash(x)) and intact(stored, "")
    remove_attachment(root=tmp_path, relative=again)
    assert not (tmp_path / again).exists()
    (tmp_path.parent / "outside.pdf").write_bytes(x)
    remove_attachment(root=tmp_path, relative="../outside.pdf")  # never outside the data folder, never an error
    assert (tmp_path.parent / "outside.pdf").exists()
    with pytest.raises(AttachmentError):
        read_attachment(root=tmp_path, relative="../outside.pdf")
    with pytest.raises(AttachmentError, match="不能用作附件目录名"):
        store_attachment(root=tmp_path, evaluation_id="..", code="x", filename="a.pdf", data=x)


def test_save_document_locks_on_the_version(tmp_path: Path, sample: Evaluation) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    migrate(engine)
    with session_scope(engine) as session:
        create_evaluation(session=session, evaluation=sample, user=SYSTEM)
    with session_scope(engine) as session:
        ev, version = load_document(session=session, key=sample.id)
        renamed = ev.model_copy(update={"project": ev.project.model_copy(update={"name": "新名称"})})
        assert save_document(session=session, evaluation=renamed, expected_version=version, user=SYSTEM) == version + 1
    with session_scope(engine) as session, pytest.raises(ConflictError, match="已被他人修改"):
        save_document(session=session, evaluation=renamed, expected_version=version, user=SYSTEM)
    bad = renamed.model_copy(update={"suggestions": [Suggestion(title="建议", answers=[7])]})
    with session_scope(engine) as session, pytest.raises(ValidationFailed, match="回应的问题序号 7 不存在"):
        save_document(session=session, evaluation=bad, expected_version=version + 1, user=SYSTEM)
    with session_scope(engine) as session:
        ev, version = load_document(session=session, key=sample.id)
        assert ev.project.name == "新名称" and version == 2
        before = assessment_versions(session=session, key=sample.id)
        kept = [a for a in ev.assessments if a.code != "TY.JC.01"]
        kept[0] = kept[0].model_copy(update={"narrative": "改写"})
        save_document(
            session=session,
            evaluation=ev.model_copy(update={"assessments": kept}),
            expected_version=2,
            sync_assessments=True,
            user=SYSTEM,
        )
    with session_scope(engine) as session:
        ev, version = load_document(session=session, key=sample.id)
        after = assessment_versions(session=session, key=sample.id)
    assert version == 3 and "TY.JC.01" not in after
    assert after[kept[0].code] == before[kept[0].code] + 1 and after[kept[1].code] == before[kept[1].code]
    assert ev.assessment(kept[0].code).narrative == "改写"  # type: ignore[union-attr]
    engine.dispose()


def test_the_status_lists_offered_in_forms_are_exactly_the_models_statuses() -> None:
    from typing import get_args

    from evaluation.model import DOCUMENT_STATUSES, RECTIFICATION_STATUSES, DocumentStatus, RectificationStatus

    assert get_args(RectificationStatus) == RECTIFICATION_STATUSES
    assert get_args(DocumentStatus) == DOCUMENT_STATUSES
