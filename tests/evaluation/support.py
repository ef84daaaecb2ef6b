"""What the fuzz suites share: deterministic settings, quick writers of real .xlsx/.docx files from grids of
cell texts, mutations of bytes, text and data, and the check every rejection must pass (the workbench's own
error, located, said in Chinese)."""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from evaluation.errors import Problem

# every importer and parser gets at least this many cases; derandomized, so CI sees the same cases each run
CASES = 1_000
FUZZ = settings(
    max_examples=CASES,
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=5),  # each case under 5 s
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def located(problems: Iterable[Problem], file: str | None = None) -> None:
    """Every problem is said in Chinese and names its place: the file (when one was read) or a field/code."""
    problems = list(problems)
    assert problems
    for p in problems:
        assert chinese(p.message), p
        if file is not None:
            assert p.file == file, p
        else:
            assert p.file or p.field or p.code, p


# --------------------------------------------------------------------------- mutations


def mutate_data(data: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    data = copy.deepcopy(data)
    node = data
    for key in path[:-1]:
        node = node[key]
    if delete and isinstance(node, dict):
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*prefix, i))
    return out


def splice(data: bytes, at: int, length: int, insert: bytes) -> bytes:
    at %= max(len(data), 1)
    return data[:at] + insert + data[at + length :]


# values a field may receive: junk of every kind, the edges of the limits, text that breaks parsers
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.sampled_from([10**30, -(10**40), 2**63, "1" + "0" * 40, "1e400", "NaN", "-Infinity", "0.000000000000000000001"]),
    st.text(max_size=12),
    st.sampled_from(["", "-1", "\x00", "\ud800", "\u202e", "名" * 201, "字" * 100_001, "2024-13-45", "≥90%", "—"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)

# cell texts of a table: the labels the readers look for, numbers of every shape, junk
cell = st.one_of(
    st.just(""),
    st.text(max_size=8),
    st.sampled_from(
        [
            "项目名称",
            "主管部门",
            "实施单位",
            "全年预算数",
            "年初预算数",
            "全年执行数",
            "年度资金总额",
            "预算执行情况（万元）(10分)",
            "一级指标",
            "二级指标",
            "三级指标",
            "指标名称",
            "年度指标值",
            "实际完成值",
            "指标值",
            "分值",
            "权重",
            "得分",
            "评分标准",
            "指标解释",
            "总分",
            "合计",
            "扣分项",
            "产出指标（50分）",
            "10分",
            "≥90%",
            "≤100万元",
            "每发现一处扣1分",
            "得分＝实际值÷目标值×分值",
            "最多扣5分",
            "良好",
            "—",
            "-5",
            "1e9",
            "1" + "0" * 40,
            "2024年12月",
            "非常满意",
            "满意",
            "5",
            "\x0b",
            "名" * 300,
        ]
    ),
)
grids = st.lists(st.lists(cell, max_size=10), max_size=30)


# --------------------------------------------------------------------------- real files, written quickly

_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="自评" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def _column(c: int) -> str:
    letters = ""
    n = c + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _xml_text(text: str) -> str:
    """Text as XML character data; characters XML cannot hold are left in: the reader must refuse them."""
    return escape(text)


def xlsx(grid: list[list[str]], sheet_xml: str | None = None) -> bytes:
    """A real .xlsx workbook (one sheet, 自评) holding ``grid``: numbers as numbers, the rest as inline text."""
    if sheet_xml is None:
        rows = []
        for r, row in enumerate(grid, 1):
            cells = []
            for c, text in enumerate(row):
                ref = f"{_column(c)}{r}"
                try:
                    float(text)
                    numeric = text.strip() != "" and text.strip().lower() not in ("nan", "inf", "-inf", "infinity")
                except ValueError:
                    numeric = False
                if numeric:
                    cells.append(f'<c r="{ref}"><v>{_xml_text(text.strip())}</v></c>')
                elif text:
                    cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{_xml_text(text)}</t></is></c>')
            rows.append(f'<row r="{r}">{"".join(cells)}</row>')
        sheet_xml = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
        )
    return _zip({**_XLSX_PARTS, "xl/worksheets/sheet1.xml": sheet_xml})


_DOCX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    ),
}
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx(grid: list[list[str]], caption: str = "", merges: Iterable[tuple[int, int]] = ()) -> bytes:
    """A real .docx file: ``caption`` as a paragraph, then ``grid`` as a table; ``merges`` (row, column) continue
    the cell above (a vertical merge)."""
    merged = set(merges)
    width = max((len(r) for r in grid), default=0)
    rows = []
    for r, row in enumerate(grid):
        cells = []
        for c in range(width):
            text = row[c] if c < len(row) else ""
            vmerge = (
                "<w:vMerge/>"
                if (r, c) in merged and r > 0
                else ('<w:vMerge w:val="restart"/>' if (r + 1, c) in merged else "")
            )
            cells.append(f"<w:tc><w:tcPr>{vmerge}</w:tcPr><w:p><w:r><w:t>{_xml_text(text)}</w:t></w:r></w:p></w:tc>")
        rows.append(f"<w:tr>{''.join(cells)}</w:tr>")
    grid_cols = "".join('<w:gridCol w:w="1000"/>' for _ in range(width))
    table = f"<w:tbl><w:tblGrid>{grid_cols}</w:tblGrid>{''.join(rows)}</w:tbl>" if grid else ""
    body = (f"<w:p><w:r><w:t>{_xml_text(caption)}</w:t></w:r></w:p>" if caption else "") + table
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}">'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )
    return _zip({**_DOCX_PARTS, "word/document.xml": document})


def _zip(parts: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name, text in parts.items():
            z.writestr(name, text.encode("utf-8", "surrogatepass"))
    return out.getvalue()


def rezip(data: bytes, part: str, change: Any) -> bytes:
    """``data`` (a zip) with one part's bytes passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == part else content)
    return out.getvalue()
