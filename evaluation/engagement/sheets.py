"""The Excel side of the engagement files (openpyxl): a title, label/value lines under it, and a report
``Table`` written cell for cell and merge for merge, with borders and wrapped text."""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from evaluation.report.context import Table, TableCell

_THIN = Side(style="thin")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", start_color="E7EEF7")
_FORBIDDEN = str.maketrans({c: "" for c in "[]:*?/\\"})


def sheet_title(name: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts (no []:*?/\\, at most 31 characters), unique among ``taken``."""
    base = name.translate(_FORBIDDEN).strip() or "表"
    title = base[:31]
    n = 1
    while title in taken:
        n += 1
        suffix = f"（{n}）"
        title = base[: 31 - len(suffix)] + suffix
    taken.add(title)
    return title


def title_row(ws: Any, text: str, width: int, row: int = 1) -> int:
    """A bold title merged across ``width`` columns; returns the next row."""
    ws.cell(row, 1, text).font = Font(bold=True, size=14)
    ws.cell(row, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 24
    return row + 1


def label_rows(ws: Any, pairs: Sequence[tuple[str, str]], width: int, row: int) -> int:
    """ "项目名称 | 招商引资工作经费" lines, the value merged across the remaining columns; returns the next row."""
    for label, value in pairs:
        ws.cell(row, 1, label).font = Font(bold=True)
        ws.cell(row, 2, value).alignment = Alignment(wrap_text=True, vertical="center")
        if width > 2:
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=width)
        row += 1
    return row


def write_table(ws: Any, table: Table, row: int) -> tuple[int, list[int]]:
    """The table's header rows and body rows from ``row`` on, merges as the spec says; returns the next free row
    and the sheet row of each body row (for callers that set typed values or validations afterwards)."""
    body_rows: list[int] = []
    spec_rows: list[tuple[list[TableCell | None], bool]] = [(r, True) for r in table.header_rows]
    spec_rows += [(r, False) for r in table.rows]
    for offset, (cells, header) in enumerate(spec_rows):
        r = row + offset
        if not header:
            body_rows.append(r)
        for c, spec in enumerate(cells, start=1):
            cell = ws.cell(r, c, spec.text if spec is not None and spec.text else None)
            cell.border = BORDER
            cell.alignment = Alignment(
                wrap_text=True, vertical="center", horizontal=spec.align if spec is not None else "center"
            )
            if header:
                cell.fill = HEADER_FILL
            if spec is not None and (spec.bold or header):
                cell.font = Font(bold=True)
    for offset, (cells, _) in enumerate(spec_rows):
        for c, spec in enumerate(cells, start=1):
            if spec is not None and (spec.merge_down or spec.merge_right):
                r = row + offset
                ws.merge_cells(
                    start_row=r, start_column=c, end_row=r + spec.merge_down, end_column=c + spec.merge_right
                )
    return row + len(spec_rows), body_rows


def column_widths(ws: Any, widths: Sequence[float]) -> None:
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width


def to_bytes(wb: Workbook) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
