"""资料清单: the documents the evaluated unit is asked for, built from the indicator system and kept with what
has been recorded, and written as .xlsx (for the unit to fill in) and .docx (in the report's typography).

The list is one item per document an indicator names (``Indicator.documents``), after a few general items
every evaluation needs. Rebuilding it after the system changed keeps every recorded item — status, dates,
note and files — under its indicator; an item whose indicator left the system is kept as a general item
when anything was recorded for it (with a note saying so), and dropped when nothing was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import get_args

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.worksheet.datavalidation import DataValidation

from evaluation.engagement.sheets import column_widths, label_rows, title_row, to_bytes, write_table
from evaluation.formatting import day
from evaluation.model import ChecklistItem, DocumentStatus, Evaluation
from evaluation.report.context import Block, Cover, Heading, Paragraph, ReportContext, Table, TableCell, load_defaults
from evaluation.report.docx import render_working_document

GENERAL_DOCUMENTS: tuple[str, ...] = (
    "项目基本情况说明",
    "预算批复文件",
    "资金支出明细账",
    "项目绩效目标申报表",
    "项目年度工作总结",
)
GENERAL_LABEL = "通用资料"
STATUSES: tuple[DocumentStatus, ...] = get_args(DocumentStatus)
COLUMNS = ("序号", "资料名称", "对应指标", "提供情况", "提供日期", "说明")
DEFAULT_DEADLINE = "收到本清单后10个工作日内"


@dataclass(frozen=True)
class ChecklistMerge:
    """The list built from the system and the recorded items: the items in order, and what changed (labels
    "资料名称（编码）") — new from the system, moved to the general items, dropped (nothing recorded)."""

    items: list[ChecklistItem]
    added: tuple[str, ...]
    moved: tuple[str, ...]
    dropped: tuple[str, ...]


def _recorded_anything(item: ChecklistItem) -> bool:
    return bool(item.status != "未提供" or item.files or item.note.strip() or item.received_on)


def _label(item: ChecklistItem) -> str:
    return f"{item.document}（{item.code}）" if item.code else item.document


def merge_checklist(
    ev: Evaluation, *, requested_on: date | None = None, general: Sequence[str] = GENERAL_DOCUMENTS
) -> ChecklistMerge:
    """The evaluation's 资料清单: the general items, then each indicator's documents in the system's order, each
    the recorded item when there is one (matched by indicator code and document name), else a new 未提供 item
    requested on ``requested_on``; items recorded by hand follow their indicator's documents."""
    sections: list[tuple[str, list[str]]] = [("", list(general))]
    sections += [(ind.code, list(ind.documents)) for _, _, ind in ev.system.indicators()]
    sections += [(p.code, []) for p in ev.system.penalty_items()]
    known = {code for code, _ in sections}
    recorded = list(ev.checklist)
    moved: list[str] = []
    dropped: list[str] = []
    for i, item in enumerate(recorded):
        if item.code in known:
            continue
        if _recorded_anything(item):
            note = f"原对应指标（{item.code}）已不在本评价的指标体系中。{item.note}".strip()
            recorded[i] = item.model_copy(update={"code": "", "note": note})
            moved.append(_label(item))
        else:
            dropped.append(_label(item))
    kept = [item for item in recorded if item.code in known]
    by_key: dict[tuple[str, str], list[int]] = {}
    for i, item in enumerate(kept):
        by_key.setdefault((item.code, item.document), []).append(i)
    used: set[int] = set()
    items: list[ChecklistItem] = []
    added: list[str] = []
    for code, documents in sections:
        for document in dict.fromkeys(documents):
            match = next((i for i in by_key.get((code, document), []) if i not in used), None)
            if match is None:
                new = ChecklistItem(code=code, document=document, requested_on=requested_on)
                items.append(new)
                added.append(_label(new))
            else:
                items.append(kept[match])
                used.add(match)
        extra = [i for i, item in enumerate(kept) if item.code == code and i not in used]
        items += [kept[i] for i in extra]
        used.update(extra)
    return ChecklistMerge(items, tuple(added), tuple(moved), tuple(dropped))


def build_checklist(ev: Evaluation, *, requested_on: date | None = None) -> list[ChecklistItem]:
    """The 资料清单 items for ``ev`` (see :func:`merge_checklist`), ready for ``Evaluation.checklist``."""
    return merge_checklist(ev, requested_on=requested_on).items


# --------------------------------------------------------------------------- grouping


@dataclass(frozen=True)
class IndicatorDocuments:
    label: str  # "决策程序（TY.JC.01）", or 通用资料
    items: list[ChecklistItem]


@dataclass(frozen=True)
class ChecklistGroup:
    label: str  # "通用指标 — 项目决策", 通用资料, 扣分项
    indicators: list[IndicatorDocuments]


def checklist_groups(ev: Evaluation, items: Sequence[ChecklistItem]) -> list[ChecklistGroup]:
    """The items grouped as the system groups its indicators (first- and second-level group, then indicator),
    general items first; an item whose code the system lacks stays with the general items."""
    by_code: dict[str, list[ChecklistItem]] = {}
    codes = {ind.code for _, _, ind in ev.system.indicators()} | {p.code for p in ev.system.penalty_items()}
    for item in items:
        by_code.setdefault(item.code if item.code in codes else "", []).append(item)
    groups: list[ChecklistGroup] = []
    if by_code.get(""):
        groups.append(ChecklistGroup(GENERAL_LABEL, [IndicatorDocuments(GENERAL_LABEL, by_code[""])]))
    for l1 in ev.system.groups:
        for g in l1.groups:
            found = [
                IndicatorDocuments(f"{i.name}（{i.code}）", by_code[i.code])
                for i in g.indicators
                if by_code.get(i.code)
            ]
            if found:
                groups.append(ChecklistGroup(f"{l1.name} — {g.name}", found))
    penalties = [
        IndicatorDocuments(f"{p.name}（{p.code}）", by_code[p.code])
        for p in ev.system.penalty_items()
        if by_code.get(p.code)
    ]
    if penalties:
        groups.append(ChecklistGroup("扣分项", penalties))
    return groups


def _note(item: ChecklistItem) -> str:
    files = "、".join(PurePosixPath(f.attachment).name if f.attachment else f.document for f in item.files)
    parts = [item.note.strip(), f"已上传：{files}" if files else ""]
    return "；".join(p for p in parts if p)


def checklist_table(ev: Evaluation, items: Sequence[ChecklistItem]) -> Table:
    """The 资料清单 table: a row per group (merged across), then 序号, 资料名称, 对应指标 (merged down over the
    indicator's documents), 提供情况, 提供日期 and 说明 (the note and the files uploaded for the item)."""
    rows: list[list[TableCell | None]] = []
    n = 0
    for group in checklist_groups(ev, items):
        rows.append([TableCell(group.label, merge_right=len(COLUMNS) - 1, bold=True, align="left"), *[None] * 5])
        for block in group.indicators:
            for j, item in enumerate(block.items):
                n += 1
                indicator = TableCell(block.label, merge_down=len(block.items) - 1) if j == 0 else None
                rows.append(
                    [
                        TableCell(str(n)),
                        TableCell(item.document, align="left"),
                        indicator,
                        TableCell(item.status),
                        TableCell(day(item.received_on, none="")),
                        TableCell(_note(item), align="left"),
                    ]
                )
    return Table(
        caption="",
        unit="",
        columns=list(COLUMNS),
        widths=[1.1, 4.4, 3.2, 1.9, 2.5, 2.5],
        header_rows=[[TableCell(c, bold=True) for c in COLUMNS]],
        rows=rows,
        font_size=9,
        key="资料清单",
    )


# --------------------------------------------------------------------------- files


def unit_name(ev: Evaluation) -> str:
    return ev.project.implementing_unit or ev.project.department


def header_lines(ev: Evaluation, deadline: date | None) -> list[tuple[str, str]]:
    p = ev.project
    lines = [("项目名称", p.name), ("被评价单位", unit_name(ev))]
    lines += [(label, value) for label, value in (("委托单位", p.commissioner), ("评价机构", p.agency)) if value]
    return [*lines, ("提供期限", f"{day(deadline)}前" if deadline is not None else DEFAULT_DEADLINE)]


def status_counts(items: Sequence[ChecklistItem]) -> str:
    """ "清单共28项，其中已提供20项、补充中2项、未提供6项" (the statuses with none left out)."""
    counts = [(s, sum(1 for i in items if i.status == s)) for s in STATUSES]
    said = "、".join(f"{s}{n}项" for s, n in counts if n)
    return f"清单共{len(items)}项，其中{said}" if items else "清单暂无资料项"


def checklist_context(ev: Evaluation, items: Sequence[ChecklistItem], *, deadline: date | None = None) -> ReportContext:
    """The 资料清单 document as plain data: title, header lines, what is asked, the counts and the table."""
    title = f"{ev.project.name}绩效评价资料清单"
    blocks: list[Block] = [Heading(0, title)]
    blocks += [Paragraph(f"{label}：{value}", indent=False) for label, value in header_lines(ev, deadline)]
    blocks.append(
        Paragraph(
            f"为开展{ev.project.name}项目绩效评价，请被评价单位按下表提供资料。资料可提供电子扫描件，或加盖单位公章的"
            "复印件；表中资料本单位没有或与本项目无关的，请在“说明”栏写明原因，提供情况填“不适用”。"
        )
    )
    blocks.append(Paragraph(f"{status_counts(items)}。"))
    blocks.append(checklist_table(ev, items))
    blocks.append(Paragraph("资料联系人：____________    联系电话：____________", indent=False))
    cover = Cover(title=title, fields=[], date="")
    return ReportContext(title=title, cover=cover, blocks=blocks, fonts=dict(load_defaults().get("fonts", {})))


def checklist_docx(
    ev: Evaluation, items: Sequence[ChecklistItem] | None = None, *, deadline: date | None = None
) -> bytes:
    """The 资料清单 as Word (the evaluation's recorded list merged with its system when ``items`` is None)."""
    chosen = build_checklist(ev) if items is None else items
    return render_working_document(checklist_context(ev, chosen, deadline=deadline))


def checklist_xlsx(
    ev: Evaluation, items: Sequence[ChecklistItem] | None = None, *, deadline: date | None = None
) -> bytes:
    """The 资料清单 as Excel: title and header lines, then the table with a 提供情况 drop-down and real dates in
    提供日期, ready for the unit to fill in."""
    chosen = list(build_checklist(ev) if items is None else items)
    wb = Workbook()
    ws = wb.active
    ws.title = "资料清单"
    width = len(COLUMNS)
    row = title_row(ws, f"{ev.project.name}绩效评价资料清单", width)
    row = label_rows(ws, header_lines(ev, deadline), width, row)
    ws.cell(row, 1, f"{status_counts(chosen)}。")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    table = checklist_table(ev, chosen)
    header_row = row + 1
    _, body = write_table(ws, table, header_row)
    validation = DataValidation(type="list", formula1=f'"{",".join(STATUSES)}"', allow_blank=False)
    validation.error = f"请从 {'、'.join(STATUSES)} 中选择"
    ws.add_data_validation(validation)
    item_rows = [
        r for r, spec in zip(body, table.rows, strict=True) if spec[0] is not None and spec[0].merge_right == 0
    ]
    for r, item in zip(item_rows, chosen_in_table_order(ev, chosen), strict=True):
        validation.add(f"D{r}")
        if item.received_on is not None:
            cell = ws.cell(r, 5, item.received_on)
            cell.number_format = "yyyy-mm-dd"
            cell.alignment = Alignment(horizontal="center", vertical="center")
    column_widths(ws, [7, 34, 24, 11, 13, 30])
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    return to_bytes(wb)


def chosen_in_table_order(ev: Evaluation, items: Sequence[ChecklistItem]) -> list[ChecklistItem]:
    """The items in the order the table lists them (grouped as :func:`checklist_groups` groups them)."""
    return [item for group in checklist_groups(ev, items) for block in group.indicators for item in block.items]
