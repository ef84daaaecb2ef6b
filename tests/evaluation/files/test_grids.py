"""Reading .xlsx and .docx tables within bounds: a file past a limit is refused at once, naming the place,
by both readers built on the grids (自评表 and client indicator tables)."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable

import pytest
from docx import Document
from openpyxl import Workbook

from evaluation.files.grids import Limits, TooLarge, docx_grids, xlsx_grids
from evaluation.indicators.client_table import read_client_table
from evaluation.limits import CELL_CHARS, TABLE_COLUMNS, TABLE_ROWS
from evaluation.selfeval.read import read_file


def workbook(rows: list[list[object]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("表")
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def word(rows: int, columns: int = 2) -> bytes:
    doc = Document()
    table = doc.add_table(rows=rows, cols=columns)
    table.cell(0, 0).text = "三级指标"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def rewritten(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == part else content)
    return out.getvalue()


def refused_by_both(name: str, data: bytes) -> list[str]:
    """What the 自评表 reader and the client-table reader say of one file (each a single located problem)."""
    said = []
    for problems in (read_file(name, data).problems, read_client_table(name, data).problems):
        assert len(problems) == 1, problems
        said.append(str(problems[0]))
    return said


def test_a_sheet_with_more_rows_than_the_limit_is_refused_with_its_name() -> None:
    data = workbook([["项目名称", "x"]] + [["行"]] * TABLE_ROWS)
    started = time.perf_counter()
    for said in refused_by_both("表.xlsx", data):
        assert f"工作表“表”：工作表超过 {TABLE_ROWS} 行" in said
    assert time.perf_counter() - started < 5


def test_a_word_table_with_more_rows_than_the_limit_is_refused_before_it_is_read() -> None:
    for said in refused_by_both("表.docx", word(TABLE_ROWS + 1)):
        assert f"表格1：表格有 {TABLE_ROWS + 1} 行，超过上限 {TABLE_ROWS} 行" in said


def test_content_beyond_the_last_column_read_is_refused_with_its_cell() -> None:
    data = workbook([["项目名称"], [None] * TABLE_COLUMNS + ["远处"]])
    letters = "CW"  # column 101
    for said in refused_by_both("表.xlsx", data):
        assert f"工作表“表”第 2 行 {letters} 列：超出可读取的范围（最多 {TABLE_COLUMNS} 列）" in said
    assert "最多 100 列" in refused_by_both("表.docx", word(2, TABLE_COLUMNS + 1))[0]


def test_a_cell_with_more_text_than_excel_allows_is_refused_with_its_cell() -> None:
    long = b"x" * (CELL_CHARS + 1)  # openpyxl cuts what it writes at Excel's limit; the XML itself has none
    data = rewritten(
        workbook([["项目名称", "长文字"]]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"&#38271;&#25991;&#23383;", long),
    )
    for said in refused_by_both("表.xlsx", data):
        assert f"第 1 行 B 列：单元格文字有 {CELL_CHARS + 1} 个字符" in said


def test_styled_empty_cells_far_right_are_no_content() -> None:
    data = rewritten(
        workbook([["项目名称", "甲"]]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"</row>", b'<c r="XFD1" s="0"/></row>', 1),
    )
    assert xlsx_grids(data)[0].rows == [["项目名称", "甲"]]


def test_a_far_off_dimension_costs_nothing() -> None:
    data = rewritten(
        workbook([["项目名称", "甲"]]),
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb"<dimension ref=\"[^\"]*\"/>", b'<dimension ref="A1:XFD1048576"/>', xml),
    )
    started = time.perf_counter()
    assert xlsx_grids(data)[0].rows == [["项目名称", "甲"]]
    assert time.perf_counter() - started < 1


def test_a_row_numbered_far_below_counts_the_rows_between() -> None:
    data = rewritten(
        workbook([["项目名称", "甲"]]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(
            b"</sheetData>", b'<row r="1000000"><c r="A1000000" t="n"><v>1</v></c></row></sheetData>'
        ),
    )
    with pytest.raises(TooLarge, match=f"超过 {TABLE_ROWS} 行"):
        xlsx_grids(data)


def test_the_cells_of_all_sheets_together_are_bounded() -> None:
    data = workbook([["a"] * 50] * 30)
    with pytest.raises(TooLarge, match="单元格超过 1000 个"):
        xlsx_grids(data, Limits(cells=1_000))
    assert len(xlsx_grids(data, Limits(cells=1_500))[0].rows) == 30
    with pytest.raises(TooLarge, match="单元格超过 10 个"):
        docx_grids(word(6), Limits(cells=10))


def test_a_file_that_unpacks_to_too_much_is_refused_unopened() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/huge.xml", b"\0" * (201 * 1024 * 1024))
    for said in refused_by_both("表.xlsx", out.getvalue()):
        assert "解压后" in said and "超过上限 200 MB" in said


def test_a_hundred_thousand_rows_are_refused_before_openpyxl_reads_the_sheet() -> None:
    # a sheet without a stated size was read through once just to size it: 41 s for 100,000 rows
    data = workbook([[f"项目{i}", "主管部门", i] for i in range(100_000)])
    started = time.perf_counter()
    with pytest.raises(TooLarge) as e:
        xlsx_grids(data)
    assert (e.value.where, e.value.message) == ("工作表“表”", f"工作表超过 {TABLE_ROWS} 行（空白的格式行也计算在内）")
    assert time.perf_counter() - started < 1
