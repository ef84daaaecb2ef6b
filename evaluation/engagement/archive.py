"""The evaluation's archive (归档): one .zip kept with the final state — the report (.docx, and .pdf when it could
be made), the 评价方案, the 工作底稿, the 资料清单 with the files uploaded for it and the evidence attachments,
the 征求意见 records, the audit extract, the evaluation record itself and ``manifest.json``, which lists every
file with its SHA-256 and size.

:func:`assemble_archive` builds the archive from plain data (:class:`ArchiveSource`); the database side
(``evaluation.storage.archives``) gathers that data. :func:`verify_archive` checks an archive against its
manifest: a file changed, added or removed after the archive was made is reported.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment

from evaluation.engagement.checklist import build_checklist, checklist_docx, checklist_xlsx
from evaluation.engagement.sheets import column_widths, title_row, to_bytes, write_table
from evaluation.engagement.workpapers import (
    DecisionNote,
    HistoryNote,
    build_workpapers,
    workpapers_docx,
    workpapers_xlsx,
)
from evaluation.files.attachments import AttachmentError, Where, content_hash, read_attachment
from evaluation.files.evaluations import dump_evaluation
from evaluation.formatting import as_utc, beijing, number
from evaluation.model import Evaluation, EvidenceRef
from evaluation.report import build_plan_docx
from evaluation.report.context import Table, TableCell
from evaluation.scoring.engine import EvaluationResult

FORMAT = "pingjia-workbench-archive-1"
MANIFEST = "manifest.json"
REPORT_DOCX = "01-评价报告/评价报告.docx"
REPORT_PDF = "01-评价报告/评价报告.pdf"
PLAN = "02-评价方案/评价方案.docx"
WORKPAPERS = ("03-工作底稿/工作底稿.xlsx", "03-工作底稿/工作底稿.docx")
CHECKLIST = ("04-资料清单/资料清单.xlsx", "04-资料清单/资料清单.docx")
CHECKLIST_FILES = "04-资料清单/文件"
EVIDENCE_FILES = "03-工作底稿/证据附件"
CONSULTATION = "05-征求意见/征求意见记录.xlsx"
AUDIT = "06-修改历史/修改历史.csv"
RECORD = "07-评价数据/评价数据.yaml"


@dataclass(frozen=True)
class ArchiveSource:
    """Everything the archive holds, as plain data. ``report_docx`` is the final report (the one kept at 定稿);
    ``report_pdf`` its PDF when LibreOffice made one; ``attachments_root`` the attachment store (or folder) the
    evidence references' keys point into."""

    evaluation: Evaluation
    result: EvaluationResult
    state: str
    created_by: str
    created_at: datetime
    report_docx: bytes
    report_pdf: bytes | None = None
    decisions: Sequence[DecisionNote] = ()
    history: Sequence[HistoryNote] = ()
    attachments_root: Where | None = None
    checklist_deadline: date | None = None


@dataclass
class _Writer:
    z: zipfile.ZipFile
    files: list[dict[str, Any]] = field(default_factory=list)
    attachment_problems: list[dict[str, str]] = field(default_factory=list)

    def add(self, path: str, data: bytes, what: str) -> None:
        self.z.writestr(path, data)
        self.files.append({"path": path, "sha256": content_hash(data), "size": len(data), "what": what})


def consultation_xlsx(ev: Evaluation) -> bytes:
    """征求意见记录: every problem of the report with the unit's stance and statement (with its files, who and when)
    and the agency's decision and reply."""
    columns = [
        "序号",
        "问题",
        "相关指标",
        "单位意见",
        "意见与理由",
        "随附文件",
        "反馈人及时间",
        "处理决定",
        "答复",
        "答复人及时间",
    ]
    rows: list[list[TableCell | None]] = []
    for i, prob in enumerate(ev.problems, 1):
        response, reply = prob.response, prob.reply
        stance = response.stance if response is not None else "未反馈"
        files = "、".join(_file_name(f) for f in response.files) if response is not None else ""
        by = " ".join(x for x in (response.by, response.at) if x) if response is not None else ""
        decision = reply.decision if reply is not None else ("待答复" if stance == "有异议" else "—")
        replied_by = " ".join(x for x in (reply.by, reply.at) if x) if reply is not None else ""
        cells = [
            str(i),
            prob.title,
            "、".join(ev.system.label(code) for code in prob.indicators),
            stance,
            response.statement if response is not None else "",
            files,
            by,
            decision,
            reply.text if reply is not None else "",
            replied_by,
        ]
        rows.append([TableCell(c, align="left" if j in (1, 2, 4, 8) else "center") for j, c in enumerate(cells)])
    table = Table("", "", columns, [1.0] * len(columns), [[TableCell(c, bold=True) for c in columns]], rows)
    wb = Workbook()
    ws = wb.active
    ws.title = "征求意见记录"
    title_row(ws, f"{ev.project.name}绩效评价报告征求意见记录", len(columns))
    write_table(ws, table, 3)
    column_widths(ws, [6, 28, 20, 10, 40, 20, 20, 10, 40, 20])
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal=cell.alignment.horizontal)
    ws.freeze_panes = "A4"
    return to_bytes(wb)


def audit_csv(history: Sequence[HistoryNote]) -> bytes:
    """The evaluation's history as CSV (UTF-8 with BOM, for Excel), times in Beijing time."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["时间（北京时间）", "操作人", "操作", "对象", "变更"])
    for h in history:
        writer.writerow([beijing(h.at, "%Y-%m-%d %H:%M:%S"), h.actor, h.action, h.target, h.change])
    return out.getvalue().encode("utf-8-sig")


def _file_name(ref: EvidenceRef) -> str:
    return PurePosixPath(ref.attachment).name if ref.attachment else ref.document


def _attached(ev: Evaluation) -> list[tuple[str, EvidenceRef, str]]:
    """(archive folder, reference, what it is) of every uploaded file the evaluation refers to, each once."""
    out: list[tuple[str, EvidenceRef, str]] = []
    seen: set[str] = set()
    refs = [(CHECKLIST_FILES, f, f"资料清单：{item.document}") for item in ev.checklist for f in item.files]
    for a in ev.assessments:
        refs += [(EVIDENCE_FILES, e, f"评分证据：{a.code}") for e in a.evidence]
        refs += [(EVIDENCE_FILES, e, f"问题证据：{a.code}") for f in a.inputs.findings for e in f.evidence]
    for prob in ev.problems:
        if prob.response is not None:
            refs += [(EVIDENCE_FILES, f, f"征求意见：{prob.title}") for f in prob.response.files]
    for folder, ref, what in refs:
        if ref.attachment and ref.attachment not in seen:
            seen.add(ref.attachment)
            out.append((folder, ref, what))
    return out


def _add_attachments(w: _Writer, ev: Evaluation, root: Where | None) -> None:
    for folder, ref, what in _attached(ev):
        relative = PurePosixPath(ref.attachment)
        inside = relative.relative_to(ev.id) if relative.parts[:1] == (ev.id,) else relative
        path = f"{folder}/{inside.as_posix()}"
        try:
            if root is None:
                raise AttachmentError("未指定附件目录")
            data = read_attachment(root=root, relative=ref.attachment)
        except AttachmentError:
            w.attachment_problems.append(
                {"path": ref.attachment, "sha256": ref.sha256, "what": what, "problem": "文件不存在"}
            )
            continue
        w.add(path, data, what)
        if ref.sha256 and content_hash(data) != ref.sha256:
            w.attachment_problems.append(
                {"path": ref.attachment, "sha256": ref.sha256, "what": what, "problem": "内容与上传时不同"}
            )


def assemble_archive(source: ArchiveSource) -> bytes:
    """The archive as .zip bytes; ``manifest.json`` lists every other file with its SHA-256, size and what it is,
    the attachments referred to but not found or changed since upload (``attachment_problems``), and the
    evaluation's id, state, score, created at and by."""
    ev, result = source.evaluation, source.result
    papers = build_workpapers(ev, result, decisions=source.decisions, history=source.history)
    items = build_checklist(ev)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        w = _Writer(z)
        w.add(REPORT_DOCX, source.report_docx, "评价报告（Word）")
        if source.report_pdf is not None:
            w.add(REPORT_PDF, source.report_pdf, "评价报告（PDF）")
        w.add(PLAN, build_plan_docx(ev), "评价方案")
        w.add(WORKPAPERS[0], workpapers_xlsx(papers), "工作底稿（Excel）")
        w.add(WORKPAPERS[1], workpapers_docx(papers), "工作底稿（Word）")
        w.add(CHECKLIST[0], checklist_xlsx(ev, items, deadline=source.checklist_deadline), "资料清单（Excel）")
        w.add(CHECKLIST[1], checklist_docx(ev, items, deadline=source.checklist_deadline), "资料清单（Word）")
        _add_attachments(w, ev, source.attachments_root)
        w.add(CONSULTATION, consultation_xlsx(ev), "征求意见记录")
        w.add(AUDIT, audit_csv(source.history), "修改历史")
        w.add(RECORD, dump_evaluation(ev).encode("utf-8"), "评价数据")
        manifest = {
            "format": FORMAT,
            "evaluation": {"id": ev.id, "project": ev.project.name, "year": ev.project.year},
            "state": source.state,
            "total": number(result.total),
            "grade": result.grade,
            "created_at": as_utc(source.created_at).isoformat(),
            "created_by": source.created_by,
            "files": w.files,
            "attachment_problems": w.attachment_problems,
        }
        z.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return out.getvalue()


def read_manifest(data: bytes) -> dict[str, Any]:
    """The archive's manifest; ValueError (in Chinese) when the data is no archive of the workbench."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            manifest = json.loads(z.read(MANIFEST))
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ValueError("不是工作台的归档文件（缺少或无法读取 manifest.json）") from e
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError("不是工作台的归档文件（归档格式不符）")
    return manifest


def verify_archive(data: bytes) -> list[str]:
    """What is wrong with an archive against its manifest (empty when it is intact): a file changed (its SHA-256
    or size differs), missing, or present without being listed, or a path that leaves the archive."""
    try:
        manifest = read_manifest(data)
    except ValueError as e:
        return [str(e)]
    problems: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        present = {i.filename for i in z.infolist() if not i.is_dir()} - {MANIFEST}
        listed: set[str] = set()
        for entry in manifest.get("files", []):
            path = str(entry.get("path", ""))
            listed.add(path)
            if PurePosixPath(path).is_absolute() or ".." in PurePosixPath(path).parts:
                problems.append(f"清单中的路径“{path}”不安全")
            elif path not in present:
                problems.append(f"清单所列文件“{path}”不在归档中")
            else:
                content = z.read(path)
                if len(content) != entry.get("size") or hashlib.sha256(content).hexdigest() != entry.get("sha256"):
                    problems.append(f"文件“{path}”与清单记录的 SHA-256 或大小不符，归档后已被改动")
        problems += [f"文件“{path}”不在清单中，归档后被加入" for path in sorted(present - listed)]
    return problems
