"""表3-1 and 附件1 have one builder: the 报告 page preview, the Excel export and the Word report show
the same cell texts (and the same merges) for every sample evaluation."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from evaluation.files.evaluations import load_evaluation
from evaluation.formatting import number
from evaluation.model import Evaluation
from evaluation.report.context import Table, build_report_context
from evaluation.report.docx import render_docx
from evaluation.report.xlsx import export_xlsx
from evaluation.scoring.engine import score
from tests.conftest import SAMPLES

ALL = sorted(p for p in SAMPLES.rglob("*.yaml") if "department" not in p.name)


@pytest.fixture(scope="module", params=ALL, ids=lambda p: p.stem)
def ev(request: pytest.FixtureRequest) -> Evaluation:
    path: Path = request.param
    return load_evaluation(path)


def _word_tables(ev: Evaluation) -> tuple[Table, Table]:
    tables = build_report_context(ev, score(ev)).tables()
    t31 = next(t for t in tables if t.caption.startswith("表3-1"))
    appendix = tables[-1]
    assert appendix.landscape and appendix.columns[-1] == "得分"
    return t31, appendix


def _rows(t: Table) -> list[list[str]]:
    """Column names, then the body cells' texts ("" where a merge covers the cell)."""
    return [list(t.columns)] + [[c.text if c is not None else "" for c in row] for row in t.rows]


def _merges(t: Table) -> set[tuple[int, int, int, int]]:
    """(first row, first column, last row, last column) of every merge, in body coordinates."""
    return {
        (i, j, i + c.merge_down, j + c.merge_right)
        for i, row in enumerate(t.rows)
        for j, c in enumerate(row)
        if c is not None and (c.merge_down or c.merge_right)
    }


def test_preview_word_and_excel_show_the_same_cells(ev: Evaluation) -> None:
    result = score(ev)
    t31, appendix = _word_tables(ev)
    ctx = build_report_context(ev, result)  # what the 报告 page previews
    preview_31, preview_appendix = ctx.table("3-1").texts(), ctx.table("附件1").texts()
    assert preview_31 == _rows(t31)
    assert preview_appendix == _rows(appendix)

    wb = load_workbook(io.BytesIO(export_xlsx(ev, score(ev))))
    assert wb.sheetnames == ["表3-1", "附件1"]
    for name, preview, table in (("表3-1", preview_31, t31), ("附件1", preview_appendix, appendix)):
        ws = wb[name]
        cells = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(min_row=2, values_only=True)]
        assert cells == preview, name
        # the group cells, 扣分项 and 合计 are merged as in the Word table (row 1: caption, row 2: header)
        merged = {
            (r.min_row - 3, r.min_col - 1, r.max_row - 3, r.max_col - 1)
            for r in ws.merged_cells.ranges
            if r.min_row > 1
        }
        assert merged == _merges(table), name


def test_the_docx_tables_carry_the_context_texts(ev: Evaluation) -> None:
    t31, appendix = _word_tables(ev)
    doc = Document(io.BytesIO(render_docx(build_report_context(ev, score(ev)))))
    for table, word in (
        (t31, next(t for t in doc.tables if t.rows[0].cells[0].text == "绩效评价指标")),
        (appendix, doc.tables[-1]),
    ):
        body = word.rows[len(table.header_rows) :]
        assert len(body) == len(table.rows)
        for spec_row, row in zip(table.rows, body, strict=True):
            cells = row.cells
            for j, spec in enumerate(spec_row):
                if spec is not None:
                    assert cells[j].text == spec.text


def test_total_row_score_is_the_engine_total(ev: Evaluation) -> None:
    result = score(ev)
    ctx = build_report_context(ev, result)
    rows31, rows_appendix = ctx.table("3-1").texts(), ctx.table("附件1").texts()
    total31, total_appendix = rows31[-1], rows_appendix[-1]
    assert total31[0] == "合计" and total_appendix[0] == "合计"
    assert total31[rows31[0].index("得分")] == number(result.total) == total_appendix[-1]
    assert Decimal(total31[4]) == result.total
    assert total31[3] == number(result.weight_total)
    wb = load_workbook(io.BytesIO(export_xlsx(ev, score(ev))))
    assert [c.value for c in wb["表3-1"][wb["表3-1"].max_row]][4] == number(result.total)
