"""Tables in .xlsx and .docx files as grids of cell texts, the form every table reader starts from.

Each sheet (or Word table) becomes a :class:`Grid`: rows of stripped cell texts, a merged cell's text in
its top-left cell only (the others empty, as a reader of "same as above" cells expects), percentages as
the cell shows them, and for a Word table the paragraph just above it as its title.

What is read is bounded (:class:`Limits`, from ``evaluation.limits``): the file's size packed and
unpacked, rows and columns of a sheet or table, cells of the whole file, characters of a cell. A file
beyond them raises :class:`TooLarge` naming the place, before the work it would cost. Sheets are read
streaming (openpyxl's read-only mode), row by row, and the size a sheet declares (its ``dimension``) is
not trusted: a sheet claiming to reach cell XFD1048576 costs nothing.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from evaluation.errors import WorkbenchError
from evaluation.files.office import DOCX_ERRORS, XLSX_ERRORS, XML_ERRORS, ZIP_ERRORS
from evaluation.limits import (
    CELL_CHARS,
    TABLE_CELLS,
    TABLE_COLUMNS,
    TABLE_FILE_BYTES,
    TABLE_ROWS,
    TABLE_UNPACKED_BYTES,
    megabytes,
)

COLUMNS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# what opening a damaged or mislabelled file raises: the user's input, reported as such (never a bug);
# a percent-formatted number too large for a float raises OverflowError in xlsx_grids
XLSX_UNREADABLE: tuple[type[Exception], ...] = (*XLSX_ERRORS, InvalidFileException, OverflowError)
DOCX_UNREADABLE: tuple[type[Exception], ...] = (*DOCX_ERRORS, PackageNotFoundError)
UNREADABLE: tuple[type[Exception], ...] = (*XLSX_UNREADABLE, *DOCX_UNREADABLE)


@dataclass(frozen=True)
class Limits:
    """How much one file may hold: rows and columns of each sheet or table, cells in all, characters a cell."""

    rows: int = TABLE_ROWS
    columns: int = TABLE_COLUMNS
    cells: int = TABLE_CELLS
    cell_chars: int = CELL_CHARS


class TooLarge(WorkbenchError):
    """A file beyond a limit: what (``message``) and where (``where``: 工作表“Sheet1”第 5 行, or "")."""

    def __init__(self, message: str, where: str = "") -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}：{message}" if where else message)


def check_size(data: bytes) -> None:
    """Refuse a file over :data:`TABLE_FILE_BYTES`, and a zip container (.xlsx, .docx) that unpacks to more
    than :data:`TABLE_UNPACKED_BYTES`; what is no zip at all is left to the reader, which says so."""
    if len(data) > TABLE_FILE_BYTES:
        raise TooLarge(f"文件大小 {megabytes(len(data))} MB，超过上限 {megabytes(TABLE_FILE_BYTES)} MB")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(max(info.file_size, 0) for info in archive.infolist())
    except (zipfile.BadZipFile, EOFError, ValueError):
        return
    if unpacked > TABLE_UNPACKED_BYTES:
        raise TooLarge(f"文件解压后 {megabytes(unpacked)} MB，超过上限 {megabytes(TABLE_UNPACKED_BYTES)} MB")


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


def sheet_place(name: str, row: int, col: int | None = None) -> str:
    """:meth:`Grid.where` before the grid exists."""
    return Grid(name, []).where(row, col)


def _percent_text(value: Any, number_format: str) -> str:
    decimals = len(number_format.split(".")[1].rstrip("%")) if "." in number_format else 0
    return f"{Decimal(repr(float(value))) * 100:.{decimals}f}%"


class _Budget:
    """The cells read so far from one file, against :attr:`Limits.cells`."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cells = 0

    def take(self, count: int, where: str) -> None:
        self.cells += count
        if self.cells > self.limits.cells:
            raise TooLarge(f"文件中的单元格超过 {self.limits.cells} 个", where)

    def text(self, value: Any, where: str) -> str:
        text = cell_text(value)
        if len(text) > self.limits.cell_chars:
            raise TooLarge(f"单元格文字有 {len(text)} 个字符，超过上限 {self.limits.cell_chars} 个", where)
        return text


def _xlsx_row(row: tuple[Any, ...], name: str, r: int, budget: _Budget) -> list[str]:
    budget.take(len(row), sheet_place(name, r))
    cells: list[str] = []
    for c, cell in enumerate(row):
        value = cell.value
        if value is None:
            cells.append("")
            continue
        if c >= budget.limits.columns:
            raise TooLarge(f"超出可读取的范围（最多 {budget.limits.columns} 列）", sheet_place(name, r, c))
        if isinstance(value, int | float) and "%" in (cell.number_format or ""):
            value = _percent_text(value, cell.number_format)
        cells.append(budget.text(value, sheet_place(name, r, c)))
    while cells and not cells[-1]:
        cells.pop()
    return cells


_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def _sheet_names(z: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → the sheet's name, as far as the workbook says (nothing for a damaged one)."""
    try:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    except (*ZIP_ERRORS, *XML_ERRORS):
        return {}
    targets = {r.get("Id"): str(r.get("Target", "")).lstrip("/") for r in rels.findall("p:Relationship", _NS)}
    names = {}
    for sheet in book.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        names[target if target.startswith("xl/") else f"xl/{target}"] = str(sheet.get("name", ""))
    return names


def _count(z: zipfile.ZipFile, part: str, limits: Limits) -> tuple[int, int]:
    """The rows and cells a worksheet part holds, counted in its XML as it streams by."""
    rows = cells = 0
    tail = b""
    with z.open(part) as stream:
        while chunk := stream.read(1 << 20):
            text = tail + chunk
            cut = len(text) - 8  # a tag split between two chunks is counted in the next one
            rows += sum(1 for m in _ROW.finditer(text) if m.start() < cut)
            cells += sum(1 for m in _CELL.finditer(text) if m.start() < cut)
            tail = text[cut:]
            if rows > limits.rows or cells > limits.cells:
                break
    rows += len(_ROW.findall(tail))
    cells += len(_CELL.findall(tail))
    return rows, cells


def _xlsx_sizes(data: bytes, limits: Limits) -> None:
    """Count every worksheet's rows and cells in its XML before openpyxl reads a sheet: a sheet without a
    stated size is otherwise read through once just to size it."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS:
        return  # not a zip: the reader says so
    with z:
        names = _sheet_names(z)
        cells = 0
        for part in sorted(n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            where = f"工作表“{names[part]}”" if part in names else f"工作表（{part}）"
            try:
                rows, in_sheet = _count(z, part, limits)
            except ZIP_ERRORS:
                return  # a damaged part: the reader says so
            if rows > limits.rows:
                raise TooLarge(f"工作表超过 {limits.rows} 行（空白的格式行也计算在内）", where)
            cells += in_sheet
            if cells > limits.cells:
                raise TooLarge(f"文件中的单元格超过 {limits.cells} 个（空白的格式单元格也计算在内）", where)


def xlsx_grids(data: bytes, limits: Limits | None = None, *, first_only: bool = False) -> list[Grid]:
    """Every worksheet (only the first with ``first_only``) as a grid; :class:`TooLarge` past the limits."""
    limits = limits or Limits()
    check_size(data)
    _xlsx_sizes(data, limits)
    budget = _Budget(limits)
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        grids = []
        for ws in wb.worksheets[:1] if first_only else wb.worksheets:
            ws.reset_dimensions()  # the size a sheet states is not trusted: rows are read as they come
            rows: list[list[str]] = []
            for r, row in enumerate(ws.iter_rows()):
                if r >= limits.rows:
                    raise TooLarge(f"工作表超过 {limits.rows} 行（空白的格式行也计算在内）", f"工作表“{ws.title}”")
                rows.append(_xlsx_row(row, ws.title, r, budget))
            width = max((len(r) for r in rows), default=0)
            grids.append(Grid(ws.title, [r + [""] * (width - len(r)) for r in rows]))
        return grids
    finally:
        wb.close()


def _docx_sizes(body: Any, limits: Limits) -> None:
    """Count the Word tables' rows and cells in the XML before python-docx builds a single row."""
    cells = 0
    for n, tbl in enumerate(body.iterchildren(qn("w:tbl")), 1):
        rows = tbl.findall(qn("w:tr"))
        if len(rows) > limits.rows:
            raise TooLarge(f"表格有 {len(rows)} 行，超过上限 {limits.rows} 行", f"表格{n}")
        for r, tr in enumerate(rows):
            width = len(tr.findall(qn("w:tc")))
            if width > limits.columns:
                raise TooLarge(f"超出可读取的范围（最多 {limits.columns} 列）", f"表格{n}第 {r + 1} 行")
            cells += width
            if cells > limits.cells:
                raise TooLarge(f"文件中的单元格超过 {limits.cells} 个", f"表格{n}第 {r + 1} 行")


def docx_grids(data: bytes, limits: Limits | None = None) -> list[Grid]:
    limits = limits or Limits()
    check_size(data)
    budget = _Budget(limits)
    doc = Document(io.BytesIO(data))
    _docx_sizes(doc.element.body, limits)
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
        name = f"表格{len(grids) + 1}"
        table = DocxTable(child, doc)
        rows: list[list[str]] = []
        above: list[Any] = []
        for r, row in enumerate(table.rows):
            cells = row.cells
            out = []
            seen_in_row: set[int] = set()
            for c_index, cell in enumerate(cells):
                tc = cell._tc
                merged_left = id(tc) in seen_in_row
                merged_up = c_index < len(above) and above[c_index] is tc
                seen_in_row.add(id(tc))
                out.append("" if merged_left or merged_up else budget.text(cell.text, sheet_place(name, r, c_index)))
            above = [c._tc for c in cells]
            rows.append(out)
        grids.append(Grid(name, rows, caption))
        caption = ""
    return grids
