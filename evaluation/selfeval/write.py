"""项目支出绩效自评表 files written in the layout of the seed's tables (.xlsx and .docx), from a
self-evaluation record: the export that the reader (``evaluation.selfeval.read``) reads back."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from evaluation.files.grids import column_letter
from evaluation.model import Evaluation
from evaluation.selfeval.table import BUDGET_ROWS, BudgetLine, SelfEvalTable, number, table_from_evaluation

NOTE_LINES = [
    "备注：1. 全年预算数指年初预算经调整后的数额，全年执行数指资金使用单位当年实际支出数。",
    "2. 定量指标：年度指标值为“≥X”的正向指标按 实际完成值 ÷ 年度指标值 × 分值 计分，"
    "为“≤X”的反向指标按 年度指标值 ÷ 实际完成值 × 分值 计分，得分不超过分值。",
    "3. 定性指标：按达成、部分达成、未达成三档，分别在分值的 100%–80%（含）、80%–60%（含）、60%–0% 区间内给分。",
]


def _layout_rows(t: SelfEvalTable) -> tuple[list[list[Any]], list[tuple[int, int, int, int]], dict[str, int]]:
    """Cell values (9 columns) and merges (r1, c1, r2, c2; 0-based inclusive) in the seed's layout."""
    rows: list[list[Any]] = []
    merges: list[tuple[int, int, int, int]] = []
    marks: dict[str, int] = {}

    def add(values: list[Any]) -> int:
        rows.append(values + [None] * (9 - len(values)))
        return len(rows) - 1

    r = add([t.title])
    merges.append((r, 0, r, 8))
    r = add(["项目名称", None, t.name])
    merges += [(r, 0, r, 1), (r, 2, r, 8)]
    r = add(["主管部门", None, t.department, None, None, "实施单位", t.unit])
    merges += [(r, 0, r, 1), (r, 2, r, 4), (r, 6, r, 8)]
    ys_label = t.group_labels.get("预算执行")
    head = add(
        [
            f"预算执行情况（万元）（{format(ys_label, 'f')}分）" if ys_label is not None else "预算执行情况（万元）",
            None,
            "年初预算数",
            "全年预算数",
            "全年执行数",
            "分值",
            "执行率",
            "得分",
        ]
    )
    lines = t.budget or [BudgetLine(n) for n in BUDGET_ROWS]
    for b in lines:
        add([None, b.name, b.initial, b.annual, b.executed, b.weight, b.rate, b.score])
    merges.append((head, 0, head + len(lines), 0))
    g = add(["年度总体目标", "预期目标", None, None, None, "实际完成情况"])
    add([None, t.expected, None, None, None, t.outcome])
    merges += [(g, 0, g + 1, 0), (g, 1, g, 4), (g, 5, g, 8), (g + 1, 1, g + 1, 4), (g + 1, 5, g + 1, 8)]
    h = add(
        [
            "绩效指标",
            "一级指标",
            "二级指标",
            "三级指标",
            "年度指标值",
            "实际完成值",
            "分值",
            "得分",
            "偏差原因分析及改进措施",
        ]
    )
    marks["header"] = h
    start = h + 1
    for row in t.rows:
        add([None, row.level1, row.level2, row.name, row.target, row.actual, row.weight, row.score, row.note])
    end = len(rows) - 1
    merges.append((h, 0, end, 0))
    # merge equal consecutive 一级 and 二级 labels
    for col, key in ((1, "level1"), (2, "level2")):
        run_start = start
        for i in range(start, end + 2):
            same = (
                i <= end
                and getattr(t.rows[i - start], key) == getattr(t.rows[run_start - start], key)
                and (col == 1 or t.rows[i - start].level1 == t.rows[run_start - start].level1)
            )
            if not same:
                if i - 1 > run_start:
                    merges.append((run_start, col, i - 1, col))
                    for k in range(run_start + 1, i):
                        rows[k][col] = None
                run_start = i
    weight_total = sum((row.weight or Decimal(0) for row in t.rows), Decimal(0)) + (
        number(t.budget[0].weight) or Decimal(0) if t.budget else Decimal(0)
    )
    tr = add(["总分", None, None, None, None, None, weight_total, t.total])
    merges.append((tr, 0, tr, 5))
    marks["total"] = tr
    d = add(["偏差大或目标未完成原因分析", t.deviation])
    merges.append((d, 1, d, 8))
    m = add(["改进措施及结果应用方案", t.improvement])
    merges.append((m, 1, m, 8))
    return rows, merges, marks


def table_to_xlsx(tables: Sequence[SelfEvalTable]) -> bytes:

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    used: set[str] = set()
    for t in tables:
        title = re.sub(r"[\\/*?:\[\]]", "", t.name)[:28] or "自评表"
        base, n = title, 2
        while title in used:
            title = f"{base[:25]}({n})"
            n += 1
        used.add(title)
        ws = wb.create_sheet(title)
        rows, merges, marks = _layout_rows(t)
        for r, values in enumerate(rows, 1):
            for c, v in enumerate(values, 1):
                cell = ws.cell(row=r, column=c)
                if v is not None:
                    cell.value = float(v) if isinstance(v, Decimal) else v
                    if isinstance(v, Decimal):
                        cell.number_format = "0.00" if v != v.to_integral() else "0"
                        if v.as_tuple().exponent < -2:  # type: ignore[operator]
                            cell.number_format = "0.0000"
                cell.border = border
                cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
                cell.font = Font(name="宋体", size=10, bold=r - 1 in (0, marks["header"]))
        for r1, c1, r2, c2 in merges:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
        ws.cell(row=1, column=1).font = Font(name="黑体", size=14, bold=True)
        for i, w in enumerate([12, 14, 14, 26, 14, 22, 8, 8, 18], 1):
            ws.column_dimensions[column_letter(i - 1)].width = w
        r = len(rows) + 2
        for line in NOTE_LINES:
            ws.cell(row=r, column=1, value=line).font = Font(name="宋体", size=9)
            r += 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def table_to_docx(tables: Sequence[SelfEvalTable]) -> bytes:

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(1.8)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    for i, t in enumerate(tables):
        if i:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        title = doc.add_paragraph(t.title)
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.runs[0].bold = True
        title.runs[0].font.size = Pt(14)
        rows, merges, _ = _layout_rows(t)
        table = doc.add_table(rows=len(rows) - 1, cols=9)
        table.style = doc.styles["Table Grid"]
        for r, values in enumerate(rows[1:]):
            cells = table.rows[r].cells
            for c, v in enumerate(values):
                if v is not None:
                    cells[c].text = format(v, "f") if isinstance(v, Decimal) else str(v)
        for r1, c1, r2, c2 in merges:
            if r1 == 0:
                continue  # the title is a paragraph above the table
            a, b = table.cell(r1 - 1, c1), table.cell(r2 - 1, c2)
            text = a.text
            merged = a.merge(b)
            merged.text = text
        for line in NOTE_LINES:
            doc.add_paragraph(line).runs[0].font.size = Pt(9)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def export_self_evaluation(ev: Evaluation, fmt: str) -> bytes:
    table = table_from_evaluation(ev)
    if fmt == "xlsx":
        return table_to_xlsx([table])
    if fmt == "docx":
        return table_to_docx([table])
    raise ValueError("导出格式应为 xlsx 或 docx")
