"""Excel export of 表3-1 得分情况表 and 附件1 指标体系 (openpyxl), numbers as the report shows them."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from evaluation.model import Evaluation
from evaluation.outline import appendix_table, score_table
from evaluation.scoring import score

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _sheet(wb: Workbook, title: str, caption: str, rows: list[list[str]], widths: list[int], first: bool) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append([caption])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    for row in rows:
        ws.append(row)
    for r in range(2, len(rows) + 2):
        for c in range(1, len(rows[0]) + 1):
            cell = ws.cell(r, c)
            cell.border = _BORDER
            cell.alignment = Alignment(
                wrap_text=True, vertical="center", horizontal="left" if widths[c - 1] > 20 else "center"
            )
            if r == 2 or cell.value in ("合计", "扣分项"):
                cell.font = Font(bold=True)
    _merge_groups(ws, rows)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"


def _merge_groups(ws: Any, rows: list[list[str]]) -> None:
    """Merge runs of equal 一级/二级 labels, as the report's tables do (row 0 is the header)."""
    for col in (0, 1):
        i = 1
        while i < len(rows):
            j = i
            label = rows[i][col]
            while (
                label
                and label != "合计"
                and j + 1 < len(rows)
                and rows[j + 1][col] == label
                and rows[j + 1][0] == rows[i][0]
            ):
                j += 1
            if j > i:
                ws.merge_cells(start_row=i + 2, start_column=col + 1, end_row=j + 2, end_column=col + 1)
            i = j + 1


def export_xlsx(ev: Evaluation) -> bytes:
    """A workbook with two sheets: 表3-1 得分情况表 and 附件1 指标体系."""
    result = score(ev)
    wb = Workbook()
    _sheet(
        wb, "表3-1", f"表3-1 {ev.project.name}得分情况表", score_table(ev, result), [14, 14, 18, 9, 9, 9, 10, 50], True
    )
    _sheet(
        wb,
        "附件1",
        f"附件1 {ev.project.name}绩效评价指标体系",
        appendix_table(ev, result),
        [12, 12, 16, 8, 12, 30, 14, 40, 50, 8],
        False,
    )
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
