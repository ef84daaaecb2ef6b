"""The archive: every part present and readable, the attachments copied, the manifest right, and an archive
changed afterwards (a file altered, added or removed, a path outside the archive) detected."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook

from evaluation.engagement.archive import (
    ArchiveSource,
    assemble_archive,
    audit_csv,
    consultation_xlsx,
    read_manifest,
    verify_archive,
)
from evaluation.engagement.workpapers import DecisionNote, HistoryNote
from evaluation.files.attachments import content_hash, store_attachment
from evaluation.files.evaluations import load_evaluation, parse_evaluation
from evaluation.model import AgencyReply, ChecklistItem, Evaluation, EvidenceRef, UnitResponse
from evaluation.report import build_docx
from evaluation.scoring.engine import score
from tests.conftest import SAMPLES

AT = datetime(2024, 10, 8, 2, 0, tzinfo=UTC)


@pytest.fixture
def engaged(tmp_path: Path) -> tuple[Evaluation, Path]:
    """The sample with a file uploaded for a 资料清单 item, an evidence attachment, one reference whose file is
    gone and one whose file changed after upload, and the unit's answers to the two problems."""
    ev = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")
    root = tmp_path / "attachments"
    minutes = b"%PDF-1.4 minutes"
    rel_minutes = store_attachment(
        root=root, evaluation_id=ev.id, code="TY.JC.01", filename="会议纪要.pdf", data=minutes
    )
    approval = b"%PDF-1.4 approval"
    rel_approval = store_attachment(
        root=root, evaluation_id=ev.id, code="TY.SS.01", filename="拨付凭证.pdf", data=approval
    )
    ledger = io.BytesIO()
    Workbook().save(ledger)  # a real workbook: attachments are checked by content
    v1 = ledger.getvalue()
    changed = store_attachment(root=root, evaluation_id=ev.id, code="TY.SS.01", filename="明细账.xlsx", data=v1)
    (root / changed).write_bytes(b"v2 changed")
    checklist = [
        ChecklistItem(
            code="TY.JC.01",
            document="集体决策会议纪要",
            status="已提供",
            files=[EvidenceRef(document="会议纪要", attachment=rel_minutes, sha256=content_hash(minutes))],
        ),
        ChecklistItem(
            code="",
            document="资金支出明细账",
            status="补充中",
            files=[
                EvidenceRef(document="明细账", attachment=changed, sha256=content_hash(v1)),
                EvidenceRef(document="旧文件", attachment=f"{ev.id}/TY.SS.01/已删除.pdf", sha256="d" * 64),
            ],
        ),
    ]
    a = ev.assessment("TY.SS.01")
    assert a is not None
    ref = EvidenceRef(document="拨付凭证", attachment=rel_approval, sha256=content_hash(approval))
    assessments = [
        x.model_copy(update={"evidence": [*x.evidence, ref]}) if x.code == "TY.SS.01" else x for x in ev.assessments
    ]
    first, second = ev.problems
    problems = [
        first.model_copy(update={"response": UnitResponse(stance="同意", by="unit", at="2024-10-05T10:00:00")}),
        second.model_copy(
            update={
                "response": UnitResponse(stance="有异议", statement="任务口径不同", by="unit"),
                "reply": AgencyReply(decision="不采纳", text="按批复口径核对", by="wang"),
            }
        ),
    ]
    update = {"checklist": checklist, "assessments": assessments, "problems": problems}
    return ev.model_copy(update=update), root


def source(ev: Evaluation, root: Path | None, pdf: bytes | None = None) -> ArchiveSource:
    return ArchiveSource(
        evaluation=ev,
        result=score(ev),
        state="已定稿",
        created_by="wang",
        created_at=AT,
        report_docx=build_docx(ev, score(ev)),
        report_pdf=pdf,
        decisions=[DecisionNote("TY.JC.02", "调整得分与证据算出的得分不同", "接受", "按报告记录", "王复核", AT)],
        history=[
            HistoryNote(AT, "li", "修改", "TY.JC.02", "narrative：（空） → 项目立项……"),
            HistoryNote(AT, "wang", "状态变更", "流程", "征求意见中 → 已定稿"),
        ],
        attachments_root=root,
    )


def test_the_archive_holds_every_part_and_a_manifest_of_them(engaged: tuple[Evaluation, Path]) -> None:
    ev, root = engaged
    data = assemble_archive(source(ev, root, pdf=b"%PDF-1.7 report"))
    z = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(z.namelist())
    assert names == sorted(
        [
            "01-评价报告/评价报告.docx",
            "01-评价报告/评价报告.pdf",
            "02-评价方案/评价方案.docx",
            "03-工作底稿/工作底稿.xlsx",
            "03-工作底稿/工作底稿.docx",
            "03-工作底稿/证据附件/TY.SS.01/拨付凭证.pdf",
            "04-资料清单/资料清单.xlsx",
            "04-资料清单/资料清单.docx",
            "04-资料清单/文件/TY.JC.01/会议纪要.pdf",
            "04-资料清单/文件/TY.SS.01/明细账.xlsx",
            "05-征求意见/征求意见记录.xlsx",
            "06-修改历史/修改历史.csv",
            "07-评价数据/评价数据.yaml",
            "manifest.json",
        ]
    )
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["format"] == "pingjia-workbench-archive-1"
    assert manifest["evaluation"] == {"id": ev.id, "project": "招商引资工作经费", "year": 2023}
    assert (manifest["state"], manifest["total"], manifest["grade"]) == ("已定稿", "88", "良")
    assert (manifest["created_at"], manifest["created_by"]) == ("2024-10-08T02:00:00+00:00", "wang")
    for entry in manifest["files"]:
        content = z.read(entry["path"])
        assert entry["sha256"] == hashlib.sha256(content).hexdigest() and entry["size"] == len(content)
    assert len(manifest["files"]) == len(names) - 1
    assert [(m["path"].rsplit("/", 1)[-1], m["problem"]) for m in manifest["attachment_problems"]] == [
        ("明细账.xlsx", "内容与上传时不同"),
        ("已删除.pdf", "文件不存在"),
    ]
    assert z.read("04-资料清单/文件/TY.JC.01/会议纪要.pdf") == b"%PDF-1.4 minutes"
    assert read_manifest(data) == manifest and verify_archive(data) == []


def test_the_parts_open_and_say_what_they_should(engaged: tuple[Evaluation, Path]) -> None:
    ev, root = engaged
    z = zipfile.ZipFile(io.BytesIO(assemble_archive(source(ev, root))))
    assert "01-评价报告/评价报告.pdf" not in z.namelist()  # no PDF given: none listed
    report = Document(io.BytesIO(z.read("01-评价报告/评价报告.docx")))
    assert any(p.text == "附件2 征求意见采纳情况表" for p in report.paragraphs)
    plan = Document(io.BytesIO(z.read("02-评价方案/评价方案.docx")))
    assert plan.paragraphs[0].text or plan.tables
    papers = load_workbook(io.BytesIO(z.read("03-工作底稿/工作底稿.xlsx")))
    assert papers.sheetnames[:2] == ["封面", "通用指标"]
    cells = [c.value for row in papers["通用指标"].iter_rows() for c in row if c.value]
    assert any("会议纪要.pdf（资料清单：集体决策会议纪要）" in str(v) for v in cells)
    checklist = load_workbook(io.BytesIO(z.read("04-资料清单/资料清单.xlsx")))["资料清单"]
    statuses = [row[3].value for row in checklist.iter_rows(min_row=9)]
    assert statuses.count("已提供") == 1 and statuses.count("补充中") == 1
    consultation = load_workbook(io.BytesIO(z.read("05-征求意见/征求意见记录.xlsx")))["征求意见记录"]
    rows = [[c.value for c in row] for row in consultation.iter_rows(min_row=3)]
    assert rows[0][:4] == ["序号", "问题", "相关指标", "单位意见"]
    assert rows[2][3:5] == ["有异议", "任务口径不同"] and rows[2][7:9] == ["不采纳", "按批复口径核对"]
    assert rows[1][3] == "同意" and rows[1][6] == "unit 2024-10-05T10:00:00" and rows[1][7] == "—"
    history = list(csv.reader(io.StringIO(z.read("06-修改历史/修改历史.csv").decode("utf-8-sig"))))
    assert history[0] == ["时间（北京时间）", "操作人", "操作", "对象", "变更"]
    assert history[2] == ["2024-10-08 10:00:00", "wang", "状态变更", "流程", "征求意见中 → 已定稿"]
    record = parse_evaluation(z.read("07-评价数据/评价数据.yaml").decode("utf-8"), "评价数据.yaml")
    assert record == ev


def test_without_an_attachments_folder_every_file_is_listed_as_missing(engaged: tuple[Evaluation, Path]) -> None:
    ev, _ = engaged
    manifest = read_manifest(assemble_archive(source(ev, None)))
    assert len(manifest["attachment_problems"]) == 4 and {m["problem"] for m in manifest["attachment_problems"]} == {
        "文件不存在"
    }


def _rewrite(data: bytes, change: dict[str, bytes | None], add: dict[str, bytes] | None = None) -> bytes:
    """A copy of the archive with members replaced (None: removed) and added."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            if info.filename in change:
                replacement = change[info.filename]
                if replacement is not None:
                    z.writestr(info.filename, replacement)
            else:
                z.writestr(info.filename, src.read(info.filename))
        for name, content in (add or {}).items():
            z.writestr(name, content)
    return out.getvalue()


def test_a_tampered_archive_is_detected(engaged: tuple[Evaluation, Path]) -> None:
    ev, root = engaged
    data = assemble_archive(source(ev, root))
    altered = _rewrite(data, {"04-资料清单/文件/TY.JC.01/会议纪要.pdf": b"%PDF-1.4 forged"})
    assert verify_archive(altered) == [
        "文件“04-资料清单/文件/TY.JC.01/会议纪要.pdf”与清单记录的 SHA-256 或大小不符，归档后已被改动"
    ]
    removed = _rewrite(data, {"06-修改历史/修改历史.csv": None})
    assert verify_archive(removed) == ["清单所列文件“06-修改历史/修改历史.csv”不在归档中"]
    added = _rewrite(data, {}, {"01-评价报告/补充说明.txt": b"later"})
    assert verify_archive(added) == ["文件“01-评价报告/补充说明.txt”不在清单中，归档后被加入"]
    manifest = read_manifest(data)
    manifest["files"][0]["path"] = "../outside.docx"
    unsafe = _rewrite(data, {"manifest.json": json.dumps(manifest).encode()})
    problems = verify_archive(unsafe)
    assert problems[0] == "清单中的路径“../outside.docx”不安全"
    assert "文件“01-评价报告/评价报告.docx”不在清单中，归档后被加入" in problems


def test_something_that_is_no_archive() -> None:
    assert verify_archive(b"not a zip") == ["不是工作台的归档文件（缺少或无法读取 manifest.json）"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("manifest.json", json.dumps({"format": "pingjia-workbench-backup-1"}))
    assert verify_archive(out.getvalue()) == ["不是工作台的归档文件（归档格式不符）"]
    with pytest.raises(ValueError, match=r"manifest\.json"):
        read_manifest(b"PK\x03\x04broken")


def test_records_without_answers_and_an_empty_history() -> None:
    ev = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")
    rows = [
        [c.value for c in r]
        for r in load_workbook(io.BytesIO(consultation_xlsx(ev)))["征求意见记录"].iter_rows(min_row=4)
    ]
    assert [(r[1], r[3], r[7]) for r in rows] == [
        ("绩效指标设置不够规范", "未反馈", "—"),
        ("部门招商任务目标未完成", "未反馈", "—"),
    ]
    assert rows[0][2] == "规划论证（TY.JC.02）"
    assert audit_csv([]).decode("utf-8-sig").splitlines() == ["时间（北京时间）,操作人,操作,对象,变更"]
