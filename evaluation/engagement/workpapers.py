"""工作底稿: for every indicator, everything behind its score in one place — the indicator and its rule, the
recorded inputs, the evidence and attached files (name and SHA-256), the engine's computation, the score and
any adjustment with its reason, the 评分过程, the reviewers' decisions and the history of changes.

The decisions and the history come in as plain data (:class:`DecisionNote`, :class:`HistoryNote`): the
database side (``evaluation.storage.archives``) reads them; an evaluation file has none. Written as .xlsx
(a summary sheet, one sheet per first-level group, 扣分项 and the evaluation-wide records) and as .docx in
the report's typography.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from evaluation.engagement.sheets import (
    BORDER,
    HEADER_FILL,
    column_widths,
    label_rows,
    sheet_title,
    title_row,
    to_bytes,
    write_table,
)
from evaluation.formatting import beijing, day, number, rate, score_text
from evaluation.indicators.rules import (
    AnyRule,
    BandsRule,
    ChecklistRule,
    CompositeRatioRule,
    CompositeRule,
    DeductionRule,
    ManualRule,
    PenaltyRule,
    QualitativeRule,
    RatioRule,
    TimelinessRule,
)
from evaluation.indicators.system import Indicator, PenaltyItem
from evaluation.model import Assessment, Evaluation, EvidenceRef, Finding, Inputs
from evaluation.report.context import Block, Cover, Doc, ReportContext, Table, TableCell, load_defaults
from evaluation.report.docx import render_working_document
from evaluation.scoring.engine import EvaluationResult
from evaluation.scoring.narrative import report_process

# --------------------------------------------------------------------------- plain data in


@dataclass(frozen=True)
class DecisionNote:
    """A reviewer's decision on a check finding: which indicator ("" for the evaluation as a whole), the
    finding's message, the decision (已修正 / 接受), the reason and who decided, when."""

    indicator: str
    message: str
    decision: str
    reason: str
    reviewer: str
    at: datetime | None = None

    def text(self) -> str:
        reason = f"，理由：{self.reason}" if self.reason.strip() else ""
        who = f"（{self.reviewer}{'，' + beijing(self.at) if self.at else ''}）" if self.reviewer or self.at else ""
        return f"{self.message}：{self.decision}{reason}{who}"


@dataclass(frozen=True)
class HistoryNote:
    """One entry of the audit trail: when, who, what (新建 / 修改 / 状态变更 …), on what (an indicator code or a
    part of the evaluation), and the change in words."""

    at: datetime
    actor: str
    action: str
    target: str
    change: str = ""

    def text(self) -> str:
        change = f"：{self.change}" if self.change else ""
        return f"{beijing(self.at)} {self.actor} {self.action}{change}"


@dataclass(frozen=True)
class FileNote:
    name: str
    sha256: str
    source: str  # 评分证据 / 问题证据 / 资料清单：资料名称

    def text(self) -> str:
        return f"{self.name}（{self.source}）SHA-256：{self.sha256 or '上传时未记录'}"


# --------------------------------------------------------------------------- the working paper of one indicator


@dataclass(frozen=True)
class Workpaper:
    code: str
    name: str
    group: str  # "通用指标 — 项目决策", or 扣分项
    weight: str  # "6", or "最多扣10分" for a 扣分项
    target: str
    explanation: str
    method: str
    rule_text: str
    rule_words: str
    inputs: tuple[str, ...]
    evidence: tuple[str, ...]
    files: tuple[FileNote, ...]
    computation: str
    computed: str
    adjustment: str
    score: str
    status: str
    narrative: str
    decisions: tuple[DecisionNote, ...]
    history: tuple[HistoryNote, ...]

    def fields(self) -> list[tuple[str, str]]:
        """The working paper as label and text, in the order both files show it."""
        none = "（无）"
        return [
            ("指标", f"{self.name}（{self.code}）"),
            ("所属指标", self.group),
            ("指标分值", self.weight),
            ("目标值", self.target or "—"),
            ("指标解释", self.explanation or "—"),
            ("评分方法", self.method),
            ("评分说明", self.rule_text or "—"),
            ("评分规则", self.rule_words),
            ("评分输入", "\n".join(self.inputs) or "（未录入）"),
            ("证据出处", "\n".join(self.evidence) or none),
            ("附件", "\n".join(f.text() for f in self.files) or none),
            ("计算过程", self.computation or "—"),
            ("按证据计算得分", self.computed),
            ("调整得分及理由", self.adjustment or none),
            ("得分", f"{self.score}（{self.status}）"),
            ("评分过程", self.narrative or "—"),
            ("复核处理", "\n".join(d.text() for d in self.decisions) or none),
            ("修改历史", "\n".join(h.text() for h in self.history) or none),
        ]


@dataclass(frozen=True)
class Workpapers:
    """All working papers of an evaluation, by first-level group, with the records that concern no indicator."""

    evaluation: Evaluation
    result: EvaluationResult
    groups: list[tuple[str, list[Workpaper]]]  # (first-level group name, its indicators' papers)
    penalties: list[Workpaper]
    decisions: tuple[DecisionNote, ...]  # about the evaluation as a whole
    history: tuple[HistoryNote, ...]


def _ref(e: EvidenceRef) -> str:
    extra = [x for x in (e.doc_no, f"凭证号{e.voucher}" if e.voucher else "", f"第{e.page}页" if e.page else "") if x]
    note = f"：{e.note}" if e.note else ""
    return f"《{e.document.strip('《》')}》" + (f"（{'，'.join(extra)}）" if extra else "") + note


def _finding_lines(findings: Sequence[Finding], prefix: str = "") -> list[str]:
    lines = []
    for i, f in enumerate(findings, 1):
        points = f"（扣{number(f.points)}分）" if f.points is not None else ""
        cause = f"；原因：{f.cause}" if f.cause.strip() else ""
        report = "；写入报告" if f.in_report else ""
        lines.append(f"{prefix}问题{i}：{f.text}{points}{cause}{report}")
    return lines


def _ratio_lines(rule: RatioRule, inputs: Inputs) -> list[str]:
    lines = [f"实际值：{inputs.actual}"] if inputs.actual is not None else []
    return lines + ([f"目标值（本次录入）：{inputs.target}"] if inputs.target is not None else [])


def _composite_ratio_lines(rule: CompositeRatioRule, inputs: Inputs) -> list[str]:
    lines = []
    for part in rule.parts:
        got = inputs.ratios.get(part.key)
        if got is not None:
            said = "不适用" if got.not_applicable else f"实际 {got.actual or '—'}，目标 {got.target or '—'}"
            lines.append(f"{part.name}：{said}")
    return lines


def _timeliness_lines(rule: TimelinessRule, inputs: Inputs) -> list[str]:
    lines = []
    if inputs.planned_duration is not None or inputs.actual_duration is not None:
        planned, actual = number(inputs.planned_duration), number(inputs.actual_duration)
        lines.append(f"计划用时 {planned}{rule.unit}，实际用时 {actual}{rule.unit}")
    dates = [("开始", inputs.start_date), ("计划完成", inputs.planned_end), ("实际完成", inputs.actual_end)]
    said = "，".join(f"{label} {day(d)}" for label, d in dates if d is not None)
    return lines + ([said] if said else [])


def _checklist_lines(rule: ChecklistRule, inputs: Inputs) -> list[str]:
    return [
        f"{item.text}（{number(item.points)}分）：{'是' if inputs.answers[item.key] else '否'}"
        for item in rule.items
        if item.key in inputs.answers
    ]


def _bands_lines(rule: BandsRule, inputs: Inputs) -> list[str]:
    lines = [f"{rule.measure}：{inputs.value}"] if inputs.value is not None else []
    if inputs.count is not None or inputs.of is not None:
        lines.append(f"符合条件 {number(_dec(inputs.count))} 个，共 {number(_dec(inputs.of))} 个")
    return lines


def _scored_by_hand_lines(rule: QualitativeRule | ManualRule, inputs: Inputs) -> list[str]:
    lines = [f"档次：{inputs.band}"] if isinstance(rule, QualitativeRule) and inputs.band else []
    if inputs.score is not None:
        lines.append(f"录入得分：{number(inputs.score)}")
    if inputs.justification.strip():
        lines.append(f"评分理由：{inputs.justification}")
    return lines


def _composite_lines(rule: CompositeRule, inputs: Inputs) -> list[str]:
    lines = []
    for part in rule.parts:
        mine = [f for f in inputs.findings if f.part == part.key]
        lines += [f"【{part.name}】{line}" for line in _rule_lines(part.rule, inputs.parts.get(part.key) or Inputs())]
        lines += _finding_lines(mine, f"【{part.name}】")
    return lines


def _rule_lines(rule: AnyRule, inputs: Inputs) -> list[str]:
    """What the consultant recorded for this rule, in words (a deduction rule reads only its findings)."""
    if isinstance(rule, RatioRule):
        return _ratio_lines(rule, inputs)
    if isinstance(rule, CompositeRatioRule):
        return _composite_ratio_lines(rule, inputs)
    if isinstance(rule, TimelinessRule):
        return _timeliness_lines(rule, inputs)
    if isinstance(rule, ChecklistRule):
        return _checklist_lines(rule, inputs)
    if isinstance(rule, BandsRule):
        return _bands_lines(rule, inputs)
    if isinstance(rule, QualitativeRule | ManualRule):
        return _scored_by_hand_lines(rule, inputs)
    if isinstance(rule, CompositeRule):
        return _composite_lines(rule, inputs)
    return []


def _dec(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def describe_inputs(rule: AnyRule, inputs: Inputs) -> list[str]:
    """The recorded inputs of an indicator in words: the findings, then what its rule reads."""
    own = [f for f in inputs.findings if not (isinstance(rule, CompositeRule) and f.part)]
    if not own and isinstance(rule, DeductionRule | PenaltyRule):
        return ["未记录问题（核查中未发现扣分情形）"]
    return _finding_lines(own) + _rule_lines(rule, inputs)


def _evidence(a: Assessment | None) -> tuple[list[str], list[FileNote]]:
    if a is None:
        return [], []
    refs = [(e, "评分证据") for e in a.evidence]
    refs += [(e, "问题证据") for f in a.inputs.findings for e in f.evidence]
    lines: list[str] = []
    files: list[FileNote] = []
    for e, source in refs:
        text = _ref(e)
        if text not in lines:
            lines.append(text)
        if e.attachment:
            files.append(FileNote(PurePosixPath(e.attachment).name, e.sha256, source))
    return lines, files


def _checklist_files(ev: Evaluation) -> dict[str, list[FileNote]]:
    out: dict[str, list[FileNote]] = {}
    for item in ev.checklist:
        for f in item.files:
            name = PurePosixPath(f.attachment).name if f.attachment else f.document
            out.setdefault(item.code, []).append(FileNote(name, f.sha256, f"资料清单：{item.document}"))
    return out


def _unique(files: Sequence[FileNote]) -> tuple[FileNote, ...]:
    seen: set[tuple[str, str]] = set()
    out = []
    for f in files:
        if (f.name, f.sha256) not in seen:
            seen.add((f.name, f.sha256))
            out.append(f)
    return tuple(out)


@dataclass(frozen=True)
class _Records:
    assessments: dict[str, Assessment]
    files: dict[str, list[FileNote]]
    decisions: dict[str, list[DecisionNote]]
    history: dict[str, list[HistoryNote]]


def _indicator_paper(ind: Indicator, group: str, records: _Records, result: EvaluationResult) -> Workpaper:
    a = records.assessments.get(ind.code)
    row = result.indicator(ind.code)
    evidence, files = _evidence(a)
    adjustment = ""
    if a is not None and a.override is not None:
        adjustment = f"调整为 {number(a.override.score)} 分，理由：{a.override.reason}"
    return Workpaper(
        code=ind.code,
        name=ind.name,
        group=group,
        weight=number(ind.weight),
        target=ind.target,
        explanation=ind.explanation,
        method=ind.method_label,
        rule_text=ind.rule_text,
        rule_words=ind.rule_in_words(),
        inputs=tuple(describe_inputs(ind.rule, a.inputs) if a is not None else []),
        evidence=tuple(evidence),
        files=_unique(files + records.files.get(ind.code, [])),
        computation=row.error or row.explanation,
        computed=score_text(row.computed),
        adjustment=adjustment,
        score=score_text(row.score),
        status=row.status,
        narrative=report_process(ind, a, row) if a is not None else "",
        decisions=tuple(records.decisions.get(ind.code, [])),
        history=tuple(records.history.get(ind.code, [])),
    )


def _penalty_paper(item: PenaltyItem, cap: Decimal, records: _Records, result: EvaluationResult) -> Workpaper:
    a = records.assessments.get(item.code)
    pen = result.penalty(item.code)
    evidence, files = _evidence(a)
    limit = item.rule.cap if item.rule.cap is not None else cap
    return Workpaper(
        code=item.code,
        name=item.name,
        group="扣分项",
        weight=f"最多扣{number(limit)}分",
        target="",
        explanation=item.explanation,
        method=item.method_name,
        rule_text=item.rule_text,
        rule_words=f"每个问题扣{number(item.rule.points_per_problem)}分，最多扣{number(limit)}分",
        inputs=tuple(describe_inputs(item.rule, a.inputs) if a is not None else []),
        evidence=tuple(evidence),
        files=_unique(files + records.files.get(item.code, [])),
        computation=pen.error or pen.explanation,
        computed=f"-{number(pen.points)}" if pen.points else "0",
        adjustment="",
        score=f"-{number(pen.points)}" if pen.points else "0",
        status=pen.status,
        narrative=a.narrative if a is not None else "",
        decisions=tuple(records.decisions.get(item.code, [])),
        history=tuple(records.history.get(item.code, [])),
    )


def build_workpapers(
    ev: Evaluation,
    result: EvaluationResult,
    *,
    decisions: Sequence[DecisionNote] = (),
    history: Sequence[HistoryNote] = (),
) -> Workpapers:
    """Every indicator's (and 扣分项's) working paper; ``result`` is ``score(ev)``; decisions and history are
    attached to the indicator they name, the rest are kept for the evaluation as a whole."""
    codes = {ind.code for _, _, ind in ev.system.indicators()} | {p.code for p in ev.system.penalty_items()}
    by_decision: dict[str, list[DecisionNote]] = {}
    for d in decisions:
        by_decision.setdefault(d.indicator if d.indicator in codes else "", []).append(d)
    by_history: dict[str, list[HistoryNote]] = {}
    for h in history:
        by_history.setdefault(h.target if h.target in codes else "", []).append(h)
    records = _Records(ev.assessments_by_code(), _checklist_files(ev), by_decision, by_history)
    groups = [
        (
            l1.name,
            [
                _indicator_paper(ind, f"{l1.name} — {g.name}", records, result)
                for g in l1.groups
                for ind in g.indicators
            ],
        )
        for l1 in ev.system.groups
    ]
    cap = ev.system.penalties.cap if ev.system.penalties else Decimal(0)
    penalties = [_penalty_paper(p, cap, records, result) for p in ev.system.penalty_items()]
    return Workpapers(ev, result, groups, penalties, tuple(by_decision.get("", [])), tuple(by_history.get("", [])))


# --------------------------------------------------------------------------- files


def cover_lines(papers: Workpapers) -> list[tuple[str, str]]:
    ev, result = papers.evaluation, papers.result
    p = ev.project
    incomplete = "" if result.complete else f"（尚有{result.count - result.scored}项指标未评分，为暂定结果）"
    return [
        ("项目名称", p.name),
        ("评价编号", ev.id),
        ("被评价单位", p.implementing_unit or p.department),
        ("评价机构", p.agency or "—"),
        ("预算年度", str(p.year)),
        ("指标体系", ev.system.name),
        ("评价得分", f"{number(result.total)}分，等级“{result.grade}”{incomplete}"),
        ("已评指标", f"{result.scored}/{result.count}"),
    ]


def summary_table(papers: Workpapers, sheets: dict[str, str] | None = None) -> Table:
    """Per first-level group: 分值, 得分, 得分率, the number of indicators and of review decisions (and, in Excel,
    the sheet that holds the group's papers)."""
    columns = ["一级指标", "分值", "得分", "得分率", "指标数", "复核处理"] + (["底稿工作表"] if sheets else [])
    rows: list[list[TableCell | None]] = []
    for l1 in papers.evaluation.system.groups:
        g = papers.result.group(l1.code)
        count = sum(len(p.decisions) for name, ps in papers.groups if name == l1.name for p in ps)
        cells = [l1.name, number(g.weight), number(g.score), rate(g.rate), str(g.count), str(count)]
        rows.append([TableCell(c) for c in cells + ([sheets[l1.name]] if sheets else [])])
    return Table(
        caption="",
        unit="",
        columns=columns,
        widths=[4.0, 2.0, 2.0, 2.4, 2.2, 3.0],
        header_rows=[[TableCell(c, bold=True) for c in columns]],
        rows=rows,
        key="底稿汇总",
    )


def _paper_table(paper: Workpaper) -> Table:
    rows: list[list[TableCell | None]] = [
        [TableCell(label, bold=True), TableCell(text, align="left")] for label, text in paper.fields()[1:]
    ]
    return Table(
        caption="",
        unit="",
        columns=["项目", "内容"],
        widths=[3.0, 12.6],
        header_rows=[],
        rows=rows,
        font_size=9,
        key=f"底稿 {paper.code}",
    )


def _record_tables(papers: Workpapers) -> list[Table]:
    tables = []
    if papers.decisions:
        columns = ["问题", "处理", "理由", "复核人", "时间"]
        rows: list[list[TableCell | None]] = [
            [
                TableCell(d.message, align="left"),
                TableCell(d.decision),
                TableCell(d.reason, align="left"),
                TableCell(d.reviewer),
                TableCell(beijing(d.at) if d.at else ""),
            ]
            for d in papers.decisions
        ]
        header: list[list[TableCell | None]] = [[TableCell(c, bold=True) for c in columns]]
        tables.append(Table("", "", columns, [5.0, 1.6, 4.6, 2.0, 2.4], header, rows, font_size=9, key="整体复核"))
    if papers.history:
        columns = ["时间", "操作人", "操作", "对象", "变更"]
        rows = [
            [
                TableCell(beijing(h.at)),
                TableCell(h.actor),
                TableCell(h.action),
                TableCell(h.target),
                TableCell(h.change, align="left"),
            ]
            for h in papers.history
        ]
        header = [[TableCell(c, bold=True) for c in columns]]
        tables.append(Table("", "", columns, [2.6, 2.0, 1.8, 2.4, 6.8], header, rows, font_size=9, key="整体历史"))
    return tables


def workpapers_context(papers: Workpapers) -> ReportContext:
    """The working papers as a document: the cover lines and group summary, then 一、每个一级指标 （一）每个二级
    指标 1. 每个指标 with its paper as a two-column table; 扣分项; the evaluation-wide decisions and history."""
    ev = papers.evaluation
    title = f"{ev.project.name}绩效评价工作底稿"
    doc = Doc()
    doc.h(0, title, numbered=False)
    for label, value in cover_lines(papers):
        doc.p(f"{label}：{value}", indent=False)
    doc.add(summary_table(papers))
    by_code = {p.code: p for _, ps in papers.groups for p in ps}
    for l1 in ev.system.groups:
        doc.h(1, l1.name)
        for g in l1.groups:
            doc.h(2, g.name)
            for ind in g.indicators:
                doc.h(3, f"{ind.name}（{ind.code}）")
                doc.add(_paper_table(by_code[ind.code]))
    if papers.penalties:
        doc.h(1, "扣分项")
        for paper in papers.penalties:
            doc.h(2, f"{paper.name}（{paper.code}）")
            doc.add(_paper_table(paper))
    records = _record_tables(papers)
    if records:
        doc.h(1, "评价整体的复核处理与修改历史")
        for table in records:
            doc.h(2, "复核处理" if table.key == "整体复核" else "修改历史")
            doc.add(table)
    blocks: list[Block] = doc.blocks
    cover = Cover(title=title, fields=[], date="")
    return ReportContext(title=title, cover=cover, blocks=blocks, fonts=dict(load_defaults().get("fonts", {})))


def workpapers_docx(papers: Workpapers) -> bytes:
    return render_working_document(workpapers_context(papers))


def _paper_block(ws: Any, paper: Workpaper, row: int) -> int:
    ws.cell(row, 1, f"{paper.name}（{paper.code}）").font = Font(bold=True, size=12)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    for c in (1, 2):
        ws.cell(row, c).fill = HEADER_FILL
        ws.cell(row, c).border = BORDER
    row += 1
    for label, text in paper.fields()[1:]:
        ws.cell(row, 1, label).font = Font(bold=True)
        ws.cell(row, 2, text)
        for c in (1, 2):
            ws.cell(row, c).border = BORDER
            ws.cell(row, c).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    return row + 1


def workpapers_xlsx(papers: Workpapers) -> bytes:
    """A summary sheet (封面), one sheet per first-level group with each indicator's paper as a block of label and
    text rows, 扣分项, and 整体记录 for the decisions and history that concern no single indicator."""
    wb = Workbook()
    cover = wb.active
    taken = {"封面"}
    cover.title = "封面"
    sheets = {name: sheet_title(name, taken) for name, _ in papers.groups}
    row = title_row(cover, f"{papers.evaluation.project.name}绩效评价工作底稿", 7)
    row = label_rows(cover, cover_lines(papers), 7, row)
    write_table(cover, summary_table(papers, sheets), row + 1)
    column_widths(cover, [16, 10, 10, 10, 10, 10, 16])
    parts = [(sheets[name], ps) for name, ps in papers.groups]
    if papers.penalties:
        parts.append((sheet_title("扣分项", taken), papers.penalties))
    for title, group in parts:
        ws = wb.create_sheet(title)
        row = 1
        for paper in group:
            row = _paper_block(ws, paper, row)
        column_widths(ws, [16, 110])
    records = _record_tables(papers)
    if records:
        ws = wb.create_sheet(sheet_title("整体记录", taken))
        row = 1
        for table in records:
            ws.cell(row, 1, "复核处理" if table.key == "整体复核" else "修改历史").font = Font(bold=True, size=12)
            row, _ = write_table(ws, table, row + 1)
            row += 1
        column_widths(ws, [30, 12, 12, 20, 60])
    return to_bytes(wb)
