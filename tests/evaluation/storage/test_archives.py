"""The archive of a stored evaluation (SQLite and PostgreSQL): refused before 定稿 unless a draft, built from
the report kept at 定稿 with the reviewers' decisions and the audit trail, kept and read back by members only."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from evaluation.auth import SYSTEM, PermissionDenied, User
from evaluation.engagement.archive import read_manifest, verify_archive
from evaluation.report import build_docx
from evaluation.scoring.engine import score
from evaluation.storage import audit, repo, users
from evaluation.storage.archives import (
    ArchiveRefused,
    build_archive,
    change_text,
    decision_notes,
    history_notes,
    store_archive,
    stored_archive,
)
from evaluation.storage.db import session_scope
from evaluation.storage.decisions import findings_for_evaluation, save_decision
from evaluation.storage.workflow import WorkflowError, transition

KEY = "panzhihua-2023-zhaoshang"


@pytest.fixture
def team(sample_engine: Engine) -> dict[str, User]:
    """admin; zhang (评价人员) and li (复核人员) belong to the evaluation, wang (评价人员) does not."""
    with session_scope(sample_engine) as s:
        admin = users.create_user(session=s, username="admin", password="Guanli-2024", role="管理员")
        people = {"admin": admin}
        for name, role in [("zhang", "评价人员"), ("li", "复核人员"), ("wang", "评价人员")]:
            people[name] = users.create_user(
                session=s, username=name, password=f"{name}-pw-2024", role=role, actor=admin
            )
        for name in ("zhang", "li"):
            users.add_member(session=s, actor=admin, user_id=people[name].id, evaluation_key=KEY)
    return people


def _finalise(engine: Engine, team: dict[str, User]) -> bytes:
    """zhang submits, li decides one finding and approves, the unit's stage is skipped, li finalises."""
    with session_scope(engine) as s:
        ev = repo.get_evaluation(session=s, ref=KEY)
        final = build_docx(ev, score(ev))
        transition(session=s, evaluation_key=KEY, to="已提交复核", user=team["zhang"])
        _, findings = findings_for_evaluation(session=s, ref=KEY)
        save_decision(
            session=s, subject=KEY, finding=findings[0], decision="接受", reason="与报告原文一致", user=team["li"]
        )
        transition(session=s, evaluation_key=KEY, to="已通过", user=team["li"])
        transition(session=s, evaluation_key=KEY, to="已定稿", user=team["li"], final_report=final)
    return final


def test_refused_before_final_unless_a_draft(sample_engine: Engine, team: dict[str, User], tmp_path: Path) -> None:
    with session_scope(sample_engine) as s, pytest.raises(ArchiveRefused, match="处于“草稿”状态，尚未定稿"):
        build_archive(session=s, evaluation_key=KEY, user=team["zhang"], with_pdf=False)
    with session_scope(sample_engine) as s:
        draft = build_archive(
            session=s, evaluation_key=KEY, user=team["zhang"], draft=True, with_pdf=False, attachments_root=tmp_path
        )
    manifest = read_manifest(draft)
    assert manifest["state"] == "草稿" and manifest["created_by"] == "zhang" and verify_archive(draft) == []
    with session_scope(sample_engine) as s, pytest.raises(WorkflowError, match="定稿后才能保存归档"):
        store_archive(session=s, evaluation_key=KEY, content=draft, user=team["li"])
    with session_scope(sample_engine) as s, pytest.raises(PermissionDenied):
        build_archive(session=s, evaluation_key=KEY, user=team["wang"], draft=True, with_pdf=False)


def test_the_final_archive_holds_the_kept_report_decisions_and_history(
    sample_engine: Engine, team: dict[str, User], tmp_path: Path
) -> None:
    final = _finalise(sample_engine, team)
    with session_scope(sample_engine) as s:
        data = build_archive(session=s, evaluation_key=KEY, user=team["li"], with_pdf=False, attachments_root=tmp_path)
        notes = decision_notes(session=s, evaluation_key=KEY)
        history = history_notes(session=s, evaluation_key=KEY)
    assert len(notes) == 1 and notes[0].decision == "接受" and notes[0].reason == "与报告原文一致"
    assert [h.change for h in history if h.action == "状态变更"] == [
        "草稿 → 已提交复核",
        "已提交复核 → 已通过",
        "已通过 → 已定稿",
    ]
    z = zipfile.ZipFile(io.BytesIO(data))
    assert z.read("01-评价报告/评价报告.docx") == final  # the very file kept at 定稿
    manifest = read_manifest(data)
    assert (manifest["state"], manifest["evaluation"]["id"], manifest["created_by"]) == ("已定稿", KEY, "li")
    csv_text = z.read("06-修改历史/修改历史.csv").decode("utf-8-sig")
    assert "已通过 → 已定稿" in csv_text and "复核处理" in csv_text
    with session_scope(sample_engine) as s:
        kept = store_archive(session=s, evaluation_key=KEY, content=data, user=team["li"])
    assert kept.size == len(data) and kept.file_name == f"{KEY}-归档.zip" and kept.state == "已定稿"
    with session_scope(sample_engine) as s:
        back = stored_archive(session=s, evaluation_key=KEY, user=team["zhang"])
        trail = audit.history(session=s, evaluation_key=KEY, target="归档")
    assert back is not None and back.content == data and back.sha256 == kept.sha256 and back.created_by == "li"
    assert trail[-1].action == "归档" and trail[-1].new["SHA-256"] == kept.sha256
    with session_scope(sample_engine) as s, pytest.raises(PermissionDenied):
        stored_archive(session=s, evaluation_key=KEY, user=team["wang"])


def test_a_tampered_or_foreign_archive_is_not_kept(sample_engine: Engine, team: dict[str, User]) -> None:
    _finalise(sample_engine, team)
    with session_scope(sample_engine) as s:
        data = build_archive(session=s, evaluation_key=KEY, user=SYSTEM, with_pdf=False)
        other = build_archive(
            session=s, evaluation_key="hengkou-2024-zsj-01-renyuan", user=SYSTEM, draft=True, with_pdf=False
        )
        assert stored_archive(session=s, evaluation_key=KEY, user=SYSTEM) is None
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            content = src.read(info.filename)
            z.writestr(info.filename, b"forged" if info.filename.endswith("评价报告.docx") else content)
    with session_scope(sample_engine) as s, pytest.raises(ArchiveRefused, match="归档后已被改动"):
        store_archive(session=s, evaluation_key=KEY, content=out.getvalue(), user=team["li"])
    with (
        session_scope(sample_engine) as s,
        pytest.raises(ArchiveRefused, match="不是评价“panzhihua-2023-zhaoshang”定稿时的归档"),
    ):
        store_archive(session=s, evaluation_key=KEY, content=other, user=team["li"])
    with session_scope(sample_engine) as s, pytest.raises(PermissionDenied):
        store_archive(session=s, evaluation_key=KEY, content=data, user=team["zhang"])  # not a reviewer
    with session_scope(sample_engine) as s:
        assert stored_archive(session=s, evaluation_key=KEY, user=SYSTEM) is None


def test_changes_in_words() -> None:
    assert change_text("草稿", "已提交复核") == "草稿 → 已提交复核"
    assert change_text({"score": "3"}, {"score": "4", "reason": "复核"}) == "score：3 → 4；reason：（空） → 复核"
    many = {f"f{i}": i for i in range(10)}
    assert change_text(None, many).endswith(" 等 10 处")
    assert change_text(None, {"text": "长" * 80}) == "text：（空） → " + "长" * 59 + "…"


def test_finalising_keeps_the_report_and_its_archive_together_or_neither(
    sample_engine: Engine, team: dict[str, User], tmp_path: Path
) -> None:
    from evaluation.model import UnitResponse
    from evaluation.storage.archives import finalise
    from evaluation.storage.documents import load_document, save_document
    from evaluation.storage.workflow import state_of

    with session_scope(sample_engine) as s:
        transition(session=s, evaluation_key=KEY, to="已提交复核", user=team["zhang"])
        transition(session=s, evaluation_key=KEY, to="已通过", user=team["li"])
        transition(session=s, evaluation_key=KEY, to="征求意见中", user=team["zhang"])
        ev, version = load_document(session=s, key=KEY)
        objection = UnitResponse(stance="有异议", statement="目标已细化", by="unit")
        problems = [p.model_copy(update={"response": objection}) if i == 0 else p for i, p in enumerate(ev.problems)]
        save_document(
            session=s, evaluation=ev.model_copy(update={"problems": problems}), expected_version=version, user=SYSTEM
        )
    built: list[int] = []

    def report() -> bytes:
        built.append(1)
        with session_scope(sample_engine) as s2:
            stored = repo.get_evaluation(session=s2, ref=KEY)
        return build_docx(stored, score(stored))

    # an objection still unanswered: refused, no state change, no report, no archive
    with session_scope(sample_engine) as s, pytest.raises(WorkflowError, match="异议还有 1 条未答复"):
        finalise(session=s, evaluation_key=KEY, user=team["li"], build_report=report, file_name="报告.docx")
    with session_scope(sample_engine) as s:
        assert state_of(session=s, evaluation_key=KEY).state == "征求意见中"
        assert stored_archive(session=s, evaluation_key=KEY, user=team["li"]) is None
    assert built == []
    # answered: one call moves to 已定稿 and keeps the archive of that state, with the kept report inside
    from evaluation.model import AgencyReply

    with session_scope(sample_engine) as s:
        ev, version = load_document(session=s, key=KEY)
        reply = AgencyReply(decision="不采纳", text="目标值未在批复文件中量化", by="zhang")
        problems = [p.model_copy(update={"reply": reply}) if i == 0 else p for i, p in enumerate(ev.problems)]
        save_document(
            session=s, evaluation=ev.model_copy(update={"problems": problems}), expected_version=version, user=SYSTEM
        )
    with session_scope(sample_engine) as s:
        kept = finalise(
            session=s,
            evaluation_key=KEY,
            user=team["li"],
            build_report=report,
            file_name="报告.docx",
            with_pdf=False,
            attachments_root=tmp_path,
        )
    with session_scope(sample_engine) as s:
        assert state_of(session=s, evaluation_key=KEY).state == "已定稿"
        back = stored_archive(session=s, evaluation_key=KEY, user=team["zhang"])
    assert back is not None and back.sha256 == kept.sha256 and verify_archive(back.content) == []
    manifest = read_manifest(back.content)
    assert manifest["state"] == "已定稿" and manifest["created_by"] == "li"
    consultation = zipfile.ZipFile(io.BytesIO(back.content)).namelist()
    assert any("征求意见" in name for name in consultation)
