"""Tables in .xlsx and .docx files as grids of cell texts, the form every table reader starts from.

Each sheet (or Word table) becomes a :class:`Grid`: rows of stripped cell texts, a merged cell's text in
its top-left cell only (the others empty, as a reader of "same as above" cells expects), percentages as
the cell shows them, and for a Word table the paragraph just above it as its title.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from evaluation.files.office import DOCX_ERRORS, XLSX_ERRORS

COLUMNS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# what opening a damaged or mislabelled file raises: the user's input, reported as such (never a bug);
# a percent-formatted number too large for a float raises OverflowError in xlsx_grids
XLSX_UNREADABLE: tuple[type[Exception], ...] = (*XLSX_ERRORS, InvalidFileException, OverflowError)
DOCX_UNREADABLE: tuple[type[Exception], ...] = (*DOCX_ERRORS, PackageNotFoundError)
UNREADABLE: tuple[type[Exception], ...] = (*XLSX_UNREADABLE, *DOCX_UNREADABLE)


@dataclass(frozen=True)
class Grid:
    name: str  # the sheet's name, or "表格N" for the N-th table of a Word file
    rows: list[list[str]]
    title: str = ""  # a Word table's caption (the paragraph above it)

    def where(self, row: int, col: int | None = None) -> str:
        """A place in Chinese: 工作表“Sheet1”第 5 行 D 列 (0-based row and column)."""
        kind = "工作表" if not self.name.startswith("表格") else ""
        place = f"{kind}“{self.name}”第 {row + 1} 行" if kind else f"{self.name}第 {row + 1} 行"
        return place + (f" {column_letter(col)} 列" if col is not None else "")


def column_letter(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = COLUMNS[rem] + letters
    return letters


def cell_text(value: Any) -> str:
    """A cell as text: "" for an empty one (None, or NaN in a pandas number column), a whole float
    without its ".0", line breaks as "\\n", stripped."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).replace("\r\n", "\n").strip()


def xlsx_grids(data: bytes) -> list[Grid]:
    wb = load_workbook(io.BytesIO(data), data_only=True)
    grids = []
    for ws in wb.worksheets:
        rows: list[list[str]] = []
        for row in ws.iter_rows():
            cells = []
            for cell in row:
                value = cell.value
                if isinstance(value, int | float) and "%" in (cell.number_format or ""):
                    decimals = len(cell.number_format.split(".")[1].rstrip("%")) if "." in cell.number_format else 0
                    value = f"{Decimal(repr(float(value))) * 100:.{decimals}f}%"
                cells.append(cell_text(value))
            rows.append(cells)
        grids.append(Grid(ws.title, rows))
    return grids


def docx_grids(data: bytes) -> list[Grid]:
    doc = Document(io.BytesIO(data))
    grids: list[Grid] = []
    caption = ""
    for child in doc.element.body.iterchildren():
        if not isinstance(child.tag, str):
            continue  # an XML comment or processing instruction
        tag = child.tag.split("}")[-1]
        if tag == "p":
            text = DocxParagraph(child, doc).text.strip()
            if text:
                caption = text
            continue
        if tag != "tbl":
            continue
        table = DocxTable(child, doc)
        rows: list[list[str]] = []
        above: list[Any] = []
        for row in table.rows:
            cells = row.cells
            out = []
            seen_in_row: set[int] = set()
            for c_index, cell in enumerate(cells):
                tc = cell._tc
                merged_left = id(tc) in seen_in_row
                merged_up = c_index < len(above) and above[c_index] is tc
                seen_in_row.add(id(tc))
                out.append("" if merged_left or merged_up else cell.text.strip())
            above = [c._tc for c in cells]
            rows.append(out)
        grids.append(Grid(f"表格{len(grids) + 1}", rows, caption))
        caption = ""
    return grids
