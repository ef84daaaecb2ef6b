"""The evaluated unit's reads and writes (storage.engagement) on SQLite and PostgreSQL: only its own
evaluations, no scores before the draft, uploads that reach the indicator's evidence, answers only while the
draft is out, nothing written when refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from evaluation.auth import SYSTEM, PermissionDenied, User
from evaluation.errors import ConflictError, ValidationFailed
from evaluation.model import AgencyReply, ChecklistItem, Funds, UnitData, UnitResponse
from evaluation.storage import audit, engagement
from evaluation.storage.bootstrap import ensure_samples, open_database
from evaluation.storage.db import session_scope
from evaluation.storage.documents import load_document, save_document
from evaluation.storage.users import add_member, create_user
from evaluation.storage.workflow import WorkflowError, transition
from tests.conftest import SAMPLES, statements_run

KEY = "panzhihua-2023-zhaoshang"
PDF = b"%PDF-1.4\n% a scanned approval\n"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = open_database(db_url)
    ensure_samples(eng, SAMPLES)
    with session_scope(eng) as session:
        create_user(session=session, username="admin", password="correct horse 42", role="管理员")
    yield eng
    eng.dispose()


def account(engine: Engine, name: str, role: str, *keys: str) -> User:
    with session_scope(engine) as session:
        user = create_user(session=session, username=name, password="correct horse 42", role=role, actor=SYSTEM)
        for key in keys:
            add_member(session=session, actor=SYSTEM, user_id=user.id, evaluation_key=key)
    return user


def with_checklist(engine: Engine) -> int:
    """The consultant's 资料清单: one item for an assessed indicator, one for one not assessed, one general."""
    with session_scope(engine) as s:
        ev, version = load_document(session=s, key=KEY)
        items = [
            ChecklistItem(code="TY.JC.01", document="立项批复文件"),
            ChecklistItem(code="GX.JJ.01", document="外资到位凭证"),
            ChecklistItem(document="项目基本情况说明"),
        ]
        return save_document(
            session=s, evaluation=ev.model_copy(update={"checklist": items}), expected_version=version, user=SYSTEM
        )


def test_the_unit_sees_its_own_evaluation_without_scores(engine: Engine) -> None:
    unit = account(engine, "unit", "被评价单位", KEY)
    other = account(engine, "unit2", "被评价单位")
    with session_scope(engine) as s:
        view = engagement.unit_view(session=s, key=KEY, user=unit)
        assert view.state == "草稿" and view.problems == ()  # the draft's problems only once it is sent
        assert not hasattr(view, "assessments") and not hasattr(view, "system")
        with pytest.raises(PermissionDenied, match="不是评价"):
            engagement.unit_view(session=s, key=KEY, user=other)
        with pytest.raises(PermissionDenied, match="无权"):  # a consultant has no 'respond' right
            engagement.unit_view(session=s, key=KEY, user=account(engine, "c", "评价人员", KEY))


def test_a_unit_lists_its_own_evaluations_with_their_states_and_reads_no_other_row(engine: Engine) -> None:
    """The unit's picker: its evaluations only, newest year first, each with its state — read from those rows alone
    (a 财政局 database holds thousands; a unit belongs to a few)."""
    with session_scope(engine) as s:
        everything = {e.key: e for e in engagement.unit_evaluations(session=s, user=SYSTEM)}
    two = sorted(everything)[:2]
    unit = account(engine, "unit", "被评价单位", *two)
    nobody = account(engine, "unit2", "被评价单位")
    consultant = account(engine, "c", "评价人员", two[0])
    with session_scope(engine) as s:
        transition(session=s, evaluation_key=two[0], to="已提交复核", user=consultant)
    with statements_run(engine) as run, session_scope(engine) as s:
        mine = engagement.unit_evaluations(session=s, user=unit)
    assert sorted(e.key for e in mine) == two
    assert [e.year for e in mine] == sorted((e.year for e in mine), reverse=True)
    assert {e.key: e.state for e in mine} == {two[0]: "已提交复核", two[1]: "草稿"}
    assert {e.key: (e.project_name, e.year) for e in mine} == {
        k: (everything[k].project_name, everything[k].year) for k in two
    }
    listing = [q for q in run if "FROM evaluation" in q or "FROM workflow" in q]
    assert listing and all(" IN " in q.upper() for q in listing), listing
    with session_scope(engine) as s:
        assert engagement.unit_evaluations(session=s, user=nobody) == []
        assert len(engagement.unit_evaluations(session=s, user=SYSTEM)) == len(everything) == 13


def test_an_upload_provides_the_item_and_reaches_the_evidence(engine: Engine, tmp_path: Path) -> None:
    unit = account(engine, "unit", "被评价单位", KEY)
    version = with_checklist(engine)
    with session_scope(engine) as s:
        version = engagement.upload_for_item(
            session=s, key=KEY, index=0, filename="立项批复.pdf", data=PDF, root=tmp_path, user=unit,
            expected_version=version, today=date(2024, 9, 3),
        )  # fmt: skip
        version = engagement.upload_for_item(
            session=s, key=KEY, index=1, filename="到位凭证.pdf", data=PDF + b"2", root=tmp_path, user=unit,
            expected_version=version,
        )  # fmt: skip
    with session_scope(engine) as s:
        ev, _ = load_document(session=s, key=KEY)
        history = audit.history(session=s, evaluation_key=KEY)
    item = ev.checklist[0]
    assert (item.status, item.received_on, [f.document for f in item.files]) == (
        "已提供",
        date(2024, 9, 3),
        ["立项批复"],
    )
    assert (tmp_path / item.files[0].attachment).read_bytes() == PDF
    assessed = ev.assessment("TY.JC.01")
    assert assessed is not None and item.files[0].attachment in {r.attachment for r in assessed.evidence}
    # GX.JJ.01 is assessed in the sample too; an indicator without an assessment shows the file via evidence_for
    assert ev.checklist[1].files[0].attachment in {r.attachment for r in ev.evidence_for("GX.JJ.01")}
    assert history[-1].actor == "unit"


def test_a_refused_upload_writes_nothing_and_leaves_no_file(engine: Engine, tmp_path: Path) -> None:
    tmp_path = tmp_path / "attachments"  # (the SQLite database lives in tmp_path itself)
    unit = account(engine, "unit", "被评价单位", KEY)
    version = with_checklist(engine)
    with pytest.raises(ConflictError), session_scope(engine) as s:  # someone saved in between
        engagement.upload_for_item(
            session=s, key=KEY, index=2, filename="说明.pdf", data=PDF, root=tmp_path, user=unit,
            expected_version=version - 1,
        )  # fmt: skip
    assert not any(p.is_file() for p in tmp_path.rglob("*"))
    with pytest.raises(ValidationFailed, match="没有第 9 项"), session_scope(engine) as s:
        engagement.upload_for_item(
            session=s, key=KEY, index=8, filename="说明.pdf", data=PDF, root=tmp_path, user=unit,
            expected_version=version,
        )  # fmt: skip


def test_unit_data_waits_for_the_consultant(engine: Engine) -> None:
    unit = account(engine, "unit", "被评价单位", KEY)
    with session_scope(engine) as s:
        view = engagement.unit_view(session=s, key=KEY, user=unit)
        data = UnitData(funds=Funds(adjusted_budget=Decimal("220"), spent=Decimal("219.5")), note="按决算填报")
        engagement.submit_unit_data(session=s, key=KEY, data=data, user=unit, expected_version=view.version)
    with session_scope(engine) as s:
        ev, _ = load_document(session=s, key=KEY)
    assert ev.unit_data is not None and (ev.unit_data.status, ev.unit_data.by) == ("待确认", "unit")
    assert ev.facts.funds.spent != Decimal("219.5")  # the agency's figures change only when it accepts


def test_answers_only_while_the_draft_is_out_and_objections_block_finalising(engine: Engine) -> None:
    unit = account(engine, "unit", "被评价单位", KEY)
    consultant = account(engine, "c", "评价人员", KEY)
    reviewer = account(engine, "r", "复核人员", KEY)
    objection = UnitResponse(stance="有异议", statement="外资项目已于次年一月到位，请考虑")
    with session_scope(engine) as s:
        version = engagement.unit_view(session=s, key=KEY, user=unit).version
    with pytest.raises(PermissionDenied, match="不在征求意见阶段"), session_scope(engine) as s:
        engagement.respond_to_problem(
            session=s, key=KEY, index=0, response=objection, user=unit, expected_version=version
        )
    with session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已提交复核", user=consultant)
        transition(session=s, evaluation_key=KEY, to="已通过", user=reviewer)
        transition(session=s, evaluation_key=KEY, to="征求意见中", user=consultant)
        view = engagement.unit_view(session=s, key=KEY, user=unit)
    assert [p.title for p in view.problems] == ["绩效指标设置不够规范", "部门招商任务目标未完成"]
    with pytest.raises(ValidationFailed, match="须写明意见与理由"), session_scope(engine) as s:
        engagement.respond_to_problem(
            session=s, key=KEY, index=0, response=UnitResponse(stance="有异议"), user=unit,
            expected_version=view.version,
        )  # fmt: skip
    with session_scope(engine) as s:
        engagement.respond_to_problem(
            session=s, key=KEY, index=0, response=objection, user=unit, expected_version=view.version
        )
    with pytest.raises(WorkflowError, match="异议还有 1 条未答复（绩效指标设置不够规范）"), session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已定稿", user=reviewer, final_report=b"report")
    with session_scope(engine) as s:  # the consultant answers (采纳, saying what changed); then it finalises
        ev, version = load_document(session=s, key=KEY)
        reply = AgencyReply(decision="采纳", text="已在问题表述中补充次年到位的情况", by="c")
        problems = [p.model_copy(update={"reply": reply}) if i == 0 else p for i, p in enumerate(ev.problems)]
        save_document(
            session=s,
            evaluation=ev.model_copy(update={"problems": problems}),
            expected_version=version,
            user=consultant,
        )
    with session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已定稿", user=reviewer, final_report=b"report")
    with pytest.raises(PermissionDenied, match="已定稿"), session_scope(engine) as s:  # nothing more from the unit
        engagement.submit_unit_data(session=s, key=KEY, data=UnitData(), user=unit, expected_version=version + 1)


def test_rectification_is_recorded_after_the_final_report_by_the_unit_and_the_consultant(engine: Engine) -> None:
    from evaluation.model import Rectification
    from evaluation.storage.workflow import final_report

    unit = account(engine, "unit", "被评价单位", KEY)
    consultant = account(engine, "zhang", "评价人员", KEY)
    reviewer = account(engine, "li", "复核人员", KEY)
    stranger = account(engine, "wang", "评价人员")
    manager = account(engine, "boss", "管理者")
    with session_scope(engine) as s:
        transition(session=s, evaluation_key=KEY, to="已提交复核", user=consultant)
        transition(session=s, evaluation_key=KEY, to="已通过", user=reviewer)
        transition(session=s, evaluation_key=KEY, to="已定稿", user=reviewer, final_report=b"kept report")
        before, version = load_document(session=s, key=KEY)
    first = Rectification(measure="修订目标申报表", unit="东区经济合作局", deadline=date(2025, 6, 30), status="整改中")
    chosen = [first, *[Rectification() for _ in before.problems[1:]]]
    with session_scope(engine) as s:  # the final evaluation is locked for edits, not for 整改
        version = engagement.record_rectifications(
            session=s, key=KEY, field="problems", rectifications=chosen, user=unit, expected_version=version
        )
    done = first.model_copy(update={"status": "已整改", "note": "已印发新表"})
    with session_scope(engine) as s:
        version = engagement.record_rectifications(
            session=s,
            key=KEY,
            field="problems",
            rectifications=[done, *chosen[1:]],
            user=consultant,
            expected_version=version,
        )
    with session_scope(engine) as s:
        after, _ = load_document(session=s, key=KEY)
        kept = final_report(session=s, evaluation_key=KEY)
        trail = audit.history(session=s, evaluation_key=KEY)
    assert after.problems[0].rectification == done
    # nothing but the 整改 changed, and the report kept at 定稿 is as it was
    assert [p.model_copy(update={"rectification": None}) for p in after.problems] == [
        p.model_copy(update={"rectification": None}) for p in before.problems
    ]
    assert after.model_copy(update={"problems": before.problems}) == before
    assert kept is not None and kept[1] == b"kept report"
    assert {t.actor for t in trail[-2:]} == {"unit", "zhang"}
    for outsider in (stranger, manager):  # not a member; a reader only
        with session_scope(engine) as s, pytest.raises(PermissionDenied):
            engagement.record_rectifications(
                session=s, key=KEY, field="problems", rectifications=chosen, user=outsider, expected_version=version
            )
    with session_scope(engine) as s, pytest.raises(ValidationFailed, match="与问题 2 个不符"):
        engagement.record_rectifications(
            session=s, key=KEY, field="problems", rectifications=chosen[:1], user=unit, expected_version=version
        )
