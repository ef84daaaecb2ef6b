"""项目支出绩效自评表 files read: .xlsx and .docx in the layout of the seed's tables (or close to it).

Reading is label-driven, not position-driven: the cells 项目名称, 主管部门, 年初预算数 …, 三级指标,
年度指标值 … are found wherever they are, merged cells are followed, blank rows skipped, numbers
accepted as text or with units ("10分"), and a row whose values slid one column to the right is put
back under its headers (with a note). What cannot be read is reported with the file, sheet, row and
column; a file with such problems yields no evaluation at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from evaluation.errors import Problem, ValueParseError
from evaluation.files.data import problems_from_validation
from evaluation.files.grids import (
    DOCX_UNREADABLE,
    XLSX_UNREADABLE,
    TooLarge,
    column_letter,
    docx_grids,
    xlsx_grids,
)
from evaluation.model import Evaluation
from evaluation.selfeval.table import (
    BUDGET_ROWS,
    BudgetLine,
    SelfEvalTable,
    TableRow,
    evaluation_from_table,
    norm,
    number,
)

Grid = list[list[str]]
# What a table's content can make evaluation_from_table raise: a 得分 that is no number (ValueError),
# the record failing validation (pydantic's ValidationError, a ValueError too), a target and actual in
# units that cannot be compared (ValueParseError).
_UNBUILDABLE: tuple[type[Exception], ...] = (ValueError, ValidationError, ValueParseError)


@dataclass
class ReadResult:
    """One file read: the tables found and the problems met (problems mean nothing is imported)."""

    file: str
    tables: list[tuple[str, SelfEvalTable]] = field(default_factory=list)  # (sheet or table name, table)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.tables) and not self.problems


def _where(sheet: str, row: int, col: int | None = None) -> str:
    place = f"工作表“{sheet}”第 {row + 1} 行"
    return place + (f" {column_letter(col)} 列" if col is not None else "")


# --------------------------------------------------------------------------- grids from files


def grids_from_xlsx(data: bytes) -> list[tuple[str, Grid]]:
    return [(g.name, g.rows) for g in xlsx_grids(data)]


def grids_from_docx(data: bytes) -> list[tuple[str, Grid]]:
    """Each Word table, a caption naming a 自评表 kept as its first row (it holds the project's name)."""
    return [(g.name, [[g.title], *g.rows] if "自评表" in g.title else g.rows) for g in docx_grids(data)]


# --------------------------------------------------------------------------- parsing a grid


def _find(grid: Grid, label: str, start: int = 0) -> tuple[int, int] | None:
    target = norm(label)
    for r in range(start, len(grid)):
        for c, text in enumerate(grid[r]):
            if norm(text) == target:
                return r, c
    return None


def _find_prefix(grid: Grid, prefix: str, start: int = 0) -> tuple[int, int] | None:
    for r in range(start, len(grid)):
        for c, text in enumerate(grid[r]):
            if norm(text).startswith(prefix):
                return r, c
    return None


def _right_of(grid: Grid, r: int, c: int, stop: Sequence[str] = ()) -> str:
    for text in grid[r][c + 1 :]:
        if norm(text) in stop:
            return ""
        if text.strip():
            return text.strip()
    return ""


def _header_columns(row: list[str], names: dict[str, str]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for c, text in enumerate(row):
        t = norm(text)
        for key, label in names.items():
            if key not in cols and t.startswith(label):
                cols[key] = c
    return cols


BUDGET_HEADERS = {
    "initial": "年初预算数",
    "annual": "全年预算数",
    "executed": "全年执行数",
    "weight": "分值",
    "rate": "执行率",
    "score": "得分",
}
INDICATOR_HEADERS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "name": "三级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值",
    "score": "得分",
    "note": "偏差原因",
}


@dataclass
class _Sheet:
    """A grid being read, with the problems met so far, each located in the sheet."""

    grid: Grid
    name: str
    file: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, message: str, r: int, c: int | None = None) -> None:
        self.problems.append(Problem(message, self.file, None, _where(self.name, r, c)))

    def number(self, text: str, label: str, r: int, c: int) -> Decimal | None:
        """The number in a cell, or None with a problem when the cell holds no number."""
        try:
            return number(text)
        except ValueError as e:
            self.problem(f"{label}：{e}", r, c)
            return None


def _rectangular(grid: Grid) -> Grid:
    width = max((len(r) for r in grid), default=0)
    return [r + [""] * (width - len(r)) for r in grid]


def _read_parties(s: _Sheet, name_at: tuple[int, int]) -> tuple[str, str, str]:
    """项目名称, 主管部门 and 实施单位 (the first two must be filled in)."""
    grid = s.grid
    name = _right_of(grid, *name_at)
    if not name:
        s.problem("项目名称为空", *name_at)
    dept_at = _find(grid, "主管部门")
    unit_at = _find(grid, "实施单位")
    department = _right_of(grid, *dept_at, stop=("实施单位",)) if dept_at else ""
    unit = _right_of(grid, *unit_at) if unit_at else ""
    if not department:
        s.problem("找不到主管部门或其为空", *(dept_at or (name_at[0] + 1, None)))
    return name, department, unit


def _budget_row(grid: Grid, label: str, head: int) -> int | None:
    """The row of a 预算执行情况 line: the first of the seven rows below the header that names it."""
    key = norm(label).replace("其中：", "").replace("其中:", "")
    return next(
        (r for r in range(head + 1, min(head + 8, len(grid))) for t in grid[r] if key and key in norm(t)),
        None,
    )


def _budget_line(s: _Sheet, label: str, r: int, cols: dict[str, int]) -> BudgetLine:
    line = BudgetLine(name=label)
    for k in ("initial", "annual", "executed"):
        if k in cols:
            value = s.number(s.grid[r][cols[k]], BUDGET_HEADERS[k], r, cols[k])
            setattr(line, k, value)
            if value is not None and value < 0:
                s.problem(f"{BUDGET_HEADERS[k]}不能为负数", r, cols[k])
    for k in ("weight", "rate", "score"):
        if k in cols:
            setattr(line, k, s.grid[r][cols[k]].strip())
    return line


def _read_budget(s: _Sheet, name_at: tuple[int, int]) -> list[BudgetLine]:
    """The 预算执行情况 lines under the header row that holds 全年预算数."""
    head = _find_prefix(s.grid, "全年预算数")
    if head is None:
        s.problem("找不到预算执行情况的表头（全年预算数）", name_at[0])
        return []
    cols = _header_columns(s.grid[head[0]], BUDGET_HEADERS)
    budget: list[BudgetLine] = []
    for label in BUDGET_ROWS:
        r = _budget_row(s.grid, label, head[0])
        if r is None:
            if label == "年度资金总额":
                s.problem("找不到“年度资金总额”行", head[0] + 1)
            continue
        budget.append(_budget_line(s, label, r, cols))
    return budget


def _read_goal(grid: Grid) -> tuple[str, str]:
    """年度总体目标: the 预期目标 and the 实际完成情况 written in the first filled row below their labels."""
    goal = _find(grid, "预期目标")
    if goal is None:
        return "", ""
    r, c = goal
    width = len(grid[r])
    done = next((cc for cc, t in enumerate(grid[r]) if norm(t).startswith("实际完成情况")), None)
    below = next((rr for rr in range(r + 1, min(r + 4, len(grid))) if any(t.strip() for t in grid[rr][c:])), None)
    if below is None:
        return "", ""
    expected = next((t for t in grid[below][c : done or width] if t.strip()), "")
    outcome = next((t for t in grid[below][done:] if t.strip()), "") if done is not None else ""
    return expected, outcome


@dataclass
class _Indicators:
    """What the 绩效指标 part of a table holds, read row by row."""

    rows: list[TableRow] = field(default_factory=list)
    labels: dict[str, Decimal] = field(default_factory=dict)  # 一级指标 name → the weight its label states
    notes: list[str] = field(default_factory=list)
    total: Decimal | None = None
    end: int = 0  # the 总分 row, or the grid's length when there is none
    level1: str = ""  # the 一级指标 and 二级指标 in force (merged cells leave the following rows blank)
    level2: str = ""


def _take_groups(ind: _Indicators, cells: list[str], cols: dict[str, int]) -> None:
    """Follow the 一级指标 and 二级指标 columns; a 一级指标 label such as 产出指标（50分） states its weight."""
    if "level1" in cols and cells[cols["level1"]].strip():
        ind.level1 = cells[cols["level1"]].strip()
        m = re.search(r"[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[）)]", ind.level1)
        if m:
            ind.labels[re.sub(r"[（(].*", "", norm(ind.level1))] = Decimal(m.group(1))
    if "level2" in cols and cells[cols["level2"]].strip():
        ind.level2 = cells[cols["level2"]].strip()


def _slid_values(cells: list[str], cols: dict[str, int], values: list[str]) -> list[str] | None:
    """The four values of a row that slid one column to the right (年度指标值 blank, 得分 one past its column)."""
    after = cells[cols["target"] : cols["target"] + 5]
    if not values[0].strip() and len(after) == 5 and after[4].strip() and _is_number(after[4]):
        return after[1:5]
    return None


def _indicator_row(s: _Sheet, ind: _Indicators, r: int, cols: dict[str, int]) -> TableRow | None:
    """One 三级指标 row, or None for a blank row or one that cannot be read (with a problem)."""
    cells = s.grid[r]
    row_name = cells[cols["name"]].strip()
    values = [cells[cols[k]] for k in ("target", "actual", "weight", "score")]
    note = cells[cols["note"]].strip() if "note" in cols else ""
    if not row_name and not any(v.strip() for v in values):
        return None
    if not row_name:
        s.problem("该行有数值但没有三级指标名称", r, cols["name"])
        return None
    slid = _slid_values(cells, cols, values)
    if slid is not None:
        values = slid
        note = ""
        ind.notes.append(f"{row_name}：原表该行数值整体右移一列，已按表头对齐读取（{_where(s.name, r)}）")
    weight = s.number(values[2], "分值", r, cols["weight"])
    score = s.number(values[3], "得分", r, cols["score"])
    if weight is not None and weight < 0:
        s.problem("分值不能为负数", r, cols["weight"])
    if score is not None and score < 0:
        s.problem("得分不能为负数", r, cols["score"])
    return TableRow(
        level1=ind.level1,
        level2=ind.level2,
        name=row_name,
        target=values[0].strip(),
        actual=values[1].strip(),
        weight=weight,
        score=score,
        note=note,
        where=_where(s.name, r),
    )


def _indicator_rows(s: _Sheet, ind: _Indicators, head: int, cols: dict[str, int]) -> None:
    """The rows below the 绩效指标 header down to 总分 (which gives the stated total)."""
    for r in range(head + 1, len(s.grid)):
        cells = s.grid[r]
        if any(norm(t) == "总分" for t in cells):
            ind.end = r
            ind.total = s.number(cells[cols["score"]], "总分", r, cols["score"])
            break
        _take_groups(ind, cells, cols)
        row = _indicator_row(s, ind, r, cols)
        if row is not None:
            ind.rows.append(row)
    if not ind.rows:
        s.problem("没有读到任何三级指标", head)
    if ind.total is None and ind.end == len(s.grid):
        s.problem("找不到“总分”行", len(s.grid) - 1)


def _read_indicators(s: _Sheet) -> _Indicators:
    """The 绩效指标 part: the header row naming 三级指标 and 年度指标值, the rows, 总分."""
    grid = s.grid
    ind = _Indicators(end=len(grid))
    head = next((r for r in range(len(grid)) if {"三级指标", "年度指标值"} <= {norm(t) for t in grid[r]}), None)
    if head is None:
        s.problem("找不到绩效指标表头（三级指标、年度指标值）", len(grid) - 1)
        return ind
    cols = _header_columns(grid[head], INDICATOR_HEADERS)
    missing = [INDICATOR_HEADERS[k] for k in ("name", "target", "actual", "weight", "score") if k not in cols]
    if missing:
        s.problem(f"绩效指标表头缺少：{'、'.join(missing)}", head)
        return ind
    _indicator_rows(s, ind, head, cols)
    return ind


def _budget_label_weight(grid: Grid) -> Decimal | None:
    """The weight the 预算执行情况 label states, as in 预算执行情况（万元）(10分)."""
    at = _find_prefix(grid, "预算执行情况")
    if at is None:
        return None
    m = re.search(r"[（(]\s*(\d+(?:\.\d+)?)\s*分\s*[）)]", norm(grid[at[0]][at[1]]))
    return Decimal(m.group(1)) if m else None


def _read_closing(grid: Grid, end: int) -> tuple[str, str]:
    """The 偏差大的原因 and 改进措施 texts below the indicator rows."""
    dev_at = _find_prefix(grid, "偏差大", end)
    imp_at = _find_prefix(grid, "改进措施", end)
    return (_right_of(grid, *dev_at) if dev_at else "", _right_of(grid, *imp_at) if imp_at else "")


def parse_grid(grid: Grid, sheet: str, file: str) -> tuple[SelfEvalTable | None, list[Problem]]:
    """Read one 自评表 from a grid of cell texts; every problem located in the sheet."""
    grid = _rectangular(grid)
    if not any(any(c.strip() for c in r) for r in grid):
        return None, [Problem("工作表为空", file, None, f"工作表“{sheet}”")]
    title = next((c for r in grid for c in r if c.strip()), "")
    if "项目名称" in norm(title):
        title = ""
    name_at = _find(grid, "项目名称")
    if name_at is None:
        return None, [Problem("找不到“项目名称”单元格，不是项目支出绩效自评表", file, None, f"工作表“{sheet}”")]
    s = _Sheet(grid, sheet, file)
    name, department, unit = _read_parties(s, name_at)
    budget = _read_budget(s, name_at)
    expected, outcome = _read_goal(grid)
    ind = _read_indicators(s)
    budget_weight = _budget_label_weight(grid)
    if budget_weight is not None:
        ind.labels["预算执行"] = budget_weight
    deviation, improvement = _read_closing(grid, ind.end)
    if s.problems:
        return None, s.problems
    return (
        SelfEvalTable(
            title=title,
            name=name,
            department=department,
            unit=unit,
            budget=budget,
            expected=expected,
            outcome=outcome,
            rows=ind.rows,
            total=ind.total,
            group_labels=ind.labels,
            deviation=deviation,
            improvement=improvement,
            notes=ind.notes,
        ),
        [],
    )


def _is_number(text: str) -> bool:
    try:
        return number(text) is not None
    except ValueError:
        return False


def read_file(name: str, data: bytes) -> ReadResult:
    """Every 自评表 in an .xlsx or .docx file (one per sheet / table)."""
    result = ReadResult(file=name)
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".docx"):
        result.problems.append(Problem("只能导入 .xlsx 或 .docx 文件", name))
        return result
    kind, read, unreadable = (
        ("Excel", grids_from_xlsx, XLSX_UNREADABLE) if suffix == ".xlsx" else ("Word", grids_from_docx, DOCX_UNREADABLE)
    )
    try:
        grids = read(data)
    except TooLarge as e:
        result.problems.append(Problem(e.message, name, None, e.where or None))
        return result
    except unreadable as e:
        result.problems.append(
            Problem(f"无法作为 {kind} 文件打开（{type(e).__name__}），文件可能已损坏或类型不符", name)
        )
        return result
    if not grids:
        result.problems.append(Problem("文件中没有工作表或表格", name))
    for sheet, grid in grids:
        if not any(any(c.strip() for c in r) for r in grid):
            continue  # an empty extra sheet is no problem
        table, problems = parse_grid(grid, sheet, name)
        if table is not None:
            table.source = f"{Path(name).name}（{sheet}）"
            result.tables.append((sheet, table))
        result.problems += problems
    if not result.tables and not result.problems:
        result.problems.append(Problem("文件中没有内容", name))
    return result


def guess_year(table: SelfEvalTable) -> int | None:
    """The budget year a table names ("2024年…"), preferring the project name over the title."""
    for text in (table.name, table.title):
        m = re.search(r"(20\d{2})\s*年", text)
        if m:
            return int(m.group(1))
    return None


def common_year(results: Sequence[ReadResult]) -> int | None:
    """The budget year most tables of a batch name (first met wins a tie): the year for tables that name none."""
    from collections import Counter

    years = Counter(y for r in results for _, t in r.tables if (y := guess_year(t)) is not None)
    return years.most_common(1)[0][0] if years else None


def table_id(table: SelfEvalTable, year: int) -> str:
    """A stable evaluation id for an imported table: year + a digest of department, project and title."""
    import hashlib

    amounts = "|".join(f"{b.annual}|{b.executed}" for b in table.budget[:1])
    digest = hashlib.sha1(f"{table.department}|{table.name}|{table.title}|{amounts}".encode()).hexdigest()[:10]
    return f"se-{year}-{digest}"


def evaluations_from_file(
    name: str, data: bytes, *, year: int | None = None, fallback_year: int | None = None
) -> tuple[list[Evaluation], ReadResult]:
    """Read a file and build one evaluation per table; nothing at all when the file has problems.

    The budget year is ``year`` when given, else the year the project name or title names, else
    ``fallback_year`` (e.g. the year most tables of a batch name); which one was used is noted.
    """
    result = read_file(name, data)
    if result.problems:
        return [], result
    return tables_to_evaluations(result, year=year, fallback_year=fallback_year)


def tables_to_evaluations(
    result: ReadResult, *, year: int | None = None, fallback_year: int | None = None
) -> tuple[list[Evaluation], ReadResult]:
    name = result.file
    evs = []
    for sheet, table in result.tables:
        guessed = guess_year(table)
        table_year = year or guessed or fallback_year
        if year is None:
            how = "据项目名称或表名识别" if guessed else "按同批其他自评表的年度"
            table.notes.append(f"预算年度 {table_year} 为导入时{how}，如有误请指定年度重新导入")
        if table_year is None:
            result.problems.append(
                Problem("无法从项目名称或表名判断预算年度，请指定年度", name, None, f"工作表“{sheet}”")
            )
            continue
        try:
            scope = "部门整体" if "部门整体" in table.title + table.name else "项目"
            evs.append(evaluation_from_table(table, id=table_id(table, table_year), year=table_year, scope=scope))
        except ValidationError as e:  # the record's fields, named in Chinese
            for p in problems_from_validation(e, None, None):
                said = f"{p.field}：{p.message}" if p.field else p.message
                result.problems.append(Problem(f"表格内容无法组成评价记录：{said}", name, None, f"工作表“{sheet}”"))
        except _UNBUILDABLE as e:
            result.problems.append(Problem(f"表格内容无法组成评价记录：{e}", name, None, f"工作表“{sheet}”"))
    return ([] if result.problems else evs), result
