"""Fuzzing the table importers with real files: 自评表 .xlsx/.docx, client indicator tables .xlsx/.docx and
survey .csv/.xlsx. Each case starts from a real table (a 自评表 exported from a sample, the Panzhihua
evaluation's indicator system as a client table) whose cells are changed, rows and columns removed, inserted or
slid, or from the file's bytes or XML spliced; every case gives records (or a system, a rate) or located Chinese
problems, never anything else, and takes under 5 s. ``CASES`` (1 000) cases per importer, derandomized."""

from __future__ import annotations

from typing import Any

from hypothesis import event, given
from hypothesis import strategies as st

from evaluation.errors import ValidationFailed
from evaluation.files.evaluations import dump_evaluation, load_evaluation
from evaluation.files.grids import xlsx_grids
from evaluation.indicators.client_table import read_client_table, system_to_xlsx
from evaluation.scoring.engine import score
from evaluation.selfeval.read import evaluations_from_file, grids_from_xlsx
from evaluation.selfeval.surveys import read_survey, satisfaction
from evaluation.selfeval.write import export_self_evaluation
from tests.conftest import SAMPLES
from tests.evaluation.support import FUZZ, cell, docx, grids, located, rezip, splice, xlsx

SELF_RECORD = load_evaluation(SAMPLES / "hengkou" / "hengkou-2024-zsj-01-renyuan.yaml")
SELF_XLSX = export_self_evaluation(SELF_RECORD, "xlsx")
SELF_DOCX = export_self_evaluation(SELF_RECORD, "docx")
SELF_GRID = grids_from_xlsx(SELF_XLSX)[0][1]
CLIENT_XLSX = system_to_xlsx(load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml").system)
CLIENT_GRID = xlsx_grids(CLIENT_XLSX)[0].rows
SURVEY_GRID = [["编号", "服务态度", "办事效率"]] + [[str(i), "满意", "5"] for i in range(1, 31)]

# one change to a table: set a cell, drop or add a row or column, slide a row one cell right, copy a row
edits = st.lists(
    st.tuples(
        st.sampled_from(["set", "drop-row", "add-row", "drop-col", "slide", "copy-row"]),
        st.integers(0, 60),
        st.integers(0, 12),
        cell,
    ),
    max_size=6,
)


def edited(grid: list[list[str]], changes: list[tuple[str, int, int, str]]) -> list[list[str]]:
    rows = [list(r) for r in grid]
    for what, r, c, text in changes:
        if not rows:
            rows = [[text]]
            continue
        r %= len(rows)
        if what == "set":
            row = rows[r]
            row += [""] * (c + 1 - len(row))
            row[c] = text
        elif what == "drop-row":
            del rows[r]
        elif what == "add-row":
            rows.insert(r, [text] * (c % 4 + 1))
        elif what == "drop-col":
            rows = [row[:c] + row[c + 1 :] for row in rows]
        elif what == "slide":
            rows[r] = [*rows[r][:c], "", *rows[r][c:]]
        else:
            rows.insert(r, list(rows[(r + c) % len(rows)]))
    return rows


bytes_splice = st.tuples(st.integers(0, 10**6), st.integers(0, 64), st.binary(max_size=16))
xml_splice = st.tuples(
    st.integers(0, 10**6),
    st.integers(0, 64),
    st.sampled_from(
        [
            *[b"", b"<", b">", b"</row>", b"<row>", b"<c r='ZZZ9'><v>1</v></c>", b"<c t='s'><v>99</v></c>", b"&#0;"],
            *[b"<w:tc>", b"</w:tr>", b"<w:vMerge/>", b'<w:gridSpan w:val="40"/>', b"\x00", b"]]>", b"&bogus;"],
        ]
    ),
)


def _file_case(kind: str, source: str, changes: Any, damage: Any) -> tuple[str, bytes]:
    """A 自评表 or client table file: a real one with its cells edited (as a freshly written file), or the
    exported file with its bytes or its main XML part spliced."""
    grid = SELF_GRID if source == "self" else CLIENT_GRID
    if damage is None:
        table = edited(grid, changes)
        return (f"表.{kind}", xlsx(table) if kind == "xlsx" else docx(table, "项目支出绩效自评表"))
    real = (SELF_XLSX if source == "self" else CLIENT_XLSX) if kind == "xlsx" else SELF_DOCX
    at, length, insert = damage
    if insert == b"" or insert.startswith((b"<", b"&", b"\x00", b"]")):  # an XML snippet: into the main part
        part = "xl/worksheets/sheet1.xml" if kind == "xlsx" else "word/document.xml"
        return f"表.{kind}", rezip(real, part, lambda xml: splice(xml, at, length, insert))
    return f"表.{kind}", splice(real, at, length, insert)


damages = st.none() | st.none() | bytes_splice | xml_splice


def _self_evaluation(name: str, data: bytes) -> None:
    evaluations, read = evaluations_from_file(name, data, year=2024)
    if read.problems:
        event("自评表 refused")
        located(read.problems, name)
        assert evaluations == []
        return
    event("自评表 imported")
    assert evaluations
    for ev in evaluations:
        score(ev)
        dump_evaluation(ev).encode("utf-8")


@FUZZ
@given(edits, damages)
def test_self_evaluation_xlsx_files(changes: Any, damage: Any) -> None:
    _self_evaluation(*_file_case("xlsx", "self", changes, damage))


@FUZZ
@given(edits, damages)
def test_self_evaluation_docx_files(changes: Any, damage: Any) -> None:
    _self_evaluation(*_file_case("docx", "self", changes, damage))


@FUZZ
@given(grids, st.sampled_from(["xlsx", "docx"]))
def test_random_tables_as_self_evaluation_files(grid: list[list[str]], kind: str) -> None:
    data = xlsx(grid) if kind == "xlsx" else docx(grid, "项目支出绩效自评表", merges=[(1, 0), (2, 0)])
    _self_evaluation(f"表.{kind}", data)


def _client_table(name: str, data: bytes) -> None:
    read = read_client_table(name, data)
    if read.problems:
        event("client table refused")
        located(read.problems, name)
        return
    event("client table read")
    assert read.system is not None and read.rows


@FUZZ
@given(edits, damages)
def test_client_indicator_tables_xlsx(changes: Any, damage: Any) -> None:
    _client_table(*_file_case("xlsx", "client", changes, damage))


@FUZZ
@given(edits, st.none() | bytes_splice)
def test_client_indicator_tables_docx(changes: Any, damage: Any) -> None:
    _client_table(*_file_case("docx", "client", changes, damage))


# --------------------------------------------------------------------------- surveys

answers = st.sampled_from(
    ["满意", "非常满意", "基本满意", "不满意", "1", "3", "5", "6", "", "x", " 满 意 ", "\x00", "名" * 50]
)


def _survey(name: str, data: bytes, questions: list[str], weighted: bool) -> None:
    try:
        survey = read_survey(name, data)
    except ValidationFailed as e:
        event("survey refused")
        located(e.problems, name)
        return
    try:
        result = satisfaction(survey, questions, "weighted" if weighted else "share")
    except ValidationFailed as e:
        event("rate refused")
        located(e.problems, name)
        return
    event("rate computed")
    assert 0 <= result.rate <= 100 and result.narrative()


def _csv_text(rows: list[list[str]], line_end: str, quote: bool) -> str:
    def field(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if quote else text

    return line_end.join(",".join(field(c) for c in row) for row in rows)


@FUZZ
@given(
    edits,
    st.lists(st.lists(answers, min_size=3, max_size=3), max_size=20),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from(["utf-8", "utf-8", "gbk", "utf-16"]),
    st.booleans(),
    st.none() | bytes_splice,
    st.lists(st.sampled_from(["服务态度", "办事效率", "服务态度", "编号", "没有的问题"]), min_size=1, max_size=2),
    st.booleans(),
)
def test_survey_csv_files(
    changes: Any,
    more: list[list[str]],
    line_end: str,
    encoding: str,
    quote: bool,
    damage: Any,
    questions: list[str],
    weighted: bool,
) -> None:
    text = _csv_text(edited(SURVEY_GRID, changes) + more, line_end, quote)
    data = text.encode(encoding, "replace")
    if damage is not None:
        data = splice(data, *damage)
    _survey("问卷.csv", data, questions, weighted)


@FUZZ
@given(
    edits,
    st.lists(st.lists(answers, min_size=3, max_size=3), max_size=20),
    st.none() | bytes_splice | xml_splice,
    st.lists(st.sampled_from(["服务态度", "办事效率", "编号"]), min_size=1, max_size=2),
    st.booleans(),
)
def test_survey_xlsx_files(
    changes: Any, more: list[list[str]], damage: Any, questions: list[str], weighted: bool
) -> None:
    data = xlsx(edited(SURVEY_GRID, changes) + more)
    if damage is not None:
        at, length, insert = damage
        data = (
            rezip(data, "xl/worksheets/sheet1.xml", lambda xml: splice(xml, at, length, insert))
            if insert.startswith((b"<", b"&"))
            else splice(data, at, length, insert)
        )
    _survey("问卷.xlsx", data, questions, weighted)
