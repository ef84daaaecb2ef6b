"""Excel export of 表3-1 得分情况表 and 附件1 指标体系 (openpyxl): the Word report's own tables, cell for
cell and merge for merge, under a single header row of column names."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from evaluation.model import Evaluation
from evaluation.report.context import Table, TableCell, appendix_table_1, score_table_3_1
from evaluation.scoring.engine import EvaluationResult

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FIRST_BODY_ROW = 3  # row 1: caption, row 2: column names


def _sheet(wb: Workbook, title: str, caption: str, table: Table, widths: list[int], first: bool) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    rows = table.texts()
    ws.append([caption])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    for row in rows:
        ws.append(row)
    header: list[TableCell | None] = [TableCell(c, bold=True) for c in table.columns]
    for r, cells in enumerate([header, *table.rows], start=2):
        for c, spec in enumerate(cells, start=1):
            cell = ws.cell(r, c)
            cell.border = _BORDER
            cell.alignment = Alignment(
                wrap_text=True, vertical="center", horizontal=spec.align if spec is not None else "center"
            )
            if spec is not None and spec.bold:
                cell.font = Font(bold=True)
    _merge_groups(ws, table.rows)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"


def _merge_groups(ws: Any, rows: list[list[TableCell | None]]) -> None:
    """Merge what the report's table merges: 一级/二级 group cells down their rows, 合计 and 扣分项 across."""
    for i, row in enumerate(rows):
        for j, spec in enumerate(row):
            if spec is not None and (spec.merge_down or spec.merge_right):
                r, c = _FIRST_BODY_ROW + i, j + 1
                ws.merge_cells(
                    start_row=r, start_column=c, end_row=r + spec.merge_down, end_column=c + spec.merge_right
                )


def export_xlsx(ev: Evaluation, result: EvaluationResult) -> bytes:
    """A workbook with two sheets: 表3-1 得分情况表 and 附件1 指标体系 (``result`` is ``score(ev)``)."""
    wb = Workbook()
    _sheet(
        wb,
        "表3-1",
        f"表3-1 {ev.project.name}得分情况表",
        score_table_3_1(ev, result),
        [14, 14, 18, 9, 9, 9, 10, 50],
        True,
    )
    _sheet(
        wb,
        "附件1",
        f"附件1 {ev.project.name}绩效评价指标体系",
        appendix_table_1(ev, result),
        [12, 12, 16, 8, 12, 30, 14, 40, 50, 8],
        False,
    )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
