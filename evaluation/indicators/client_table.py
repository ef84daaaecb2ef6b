"""A client's indicator system as they hand it over — an Excel or Word table — read into a template, and a
system written back as such a table.

Reading follows the labels, not fixed positions: the header row (or two header rows) is found wherever it
is, with the usual wordings (评分标准 / 评分细则 / 评分方法, 指标解释 / 指标说明, optional 指标值 / 目标值,
optional 资料清单 / 佐证资料 with one document a line); merged 一级/二级 cells carry down; "3分", "（10分）"
and full-width digits are read as numbers; a 合计 row gives the stated total, an 扣分项 row (a negative
weight, "最多扣N分" or an 扣分 label) a penalty item. Each indicator's rule is derived from its 评分标准
(``evaluation.indicators.derive``); every row is reported with the rule in words and what could not be
derived. Problems name file, sheet or table, row and column.

A table written by :func:`system_to_xlsx` carries a second sheet, 机器可读, with each row's code and machine
rule: reading it back gives the same system; a row whose 评分标准 was reworded meanwhile is derived anew.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from pydantic import TypeAdapter, ValidationError

from evaluation.errors import Problem
from evaluation.files.data import problems_from_validation
from evaluation.files.grids import UNREADABLE, Grid, TooLarge, docx_grids, xlsx_grids
from evaluation.formatting import number
from evaluation.indicators.derive import Derived, derive_rule
from evaluation.indicators.rules import METHOD_NAMES, PenaltyRule, Rule, describe_rule
from evaluation.indicators.system import (
    Group,
    Indicator,
    IndicatorSystem,
    Level1,
    system_problems,
)

MACHINE_SHEET = "机器可读"
_RULE: TypeAdapter[Any] = TypeAdapter(Rule)
_PENALTY_RULE: TypeAdapter[PenaltyRule] = TypeAdapter(PenaltyRule)

# column → header wordings, most specific first ("三级指标" before the bare "指标")
HEADERS: dict[str, tuple[str, ...]] = {
    "level1": ("一级指标", "一级"),
    "level2": ("二级指标", "二级"),
    "name": ("三级指标", "三级", "指标名称", "具体指标", "评价指标", "指标"),
    "weight": ("指标分值", "分值", "权重", "标准分", "满分", "分数"),
    "target": ("年度指标值", "绩效目标值", "指标值", "目标值", "标准值"),
    "explanation": ("指标解释", "指标说明", "指标内涵", "考核内容", "指标定义", "考核要点"),
    "method": ("评分方法", "计分方法"),
    "rule": ("评分标准", "评分细则", "评分说明", "评分规则", "评分办法", "评分依据", "计分标准"),
    "documents": ("资料清单", "佐证资料", "佐证材料", "证明材料", "所需资料", "印证资料"),
}
_IGNORED = ("评分过程", "得分", "扣分原因", "备注", "序号")
_TOTAL = re.compile(r"^(合计|总计|总分|小计合计)")
_PENALTY_LABEL = re.compile(r"扣分")
_LABEL = re.compile(r"^(.*?)\s*[(（]\s*(-?\d+(?:\.\d+)?)\s*分?\s*[)）]\s*$")
_NUMBER = re.compile(r"^\s*([-−]?\d+(?:\.\d+)?)\s*分?\s*$")
_AT_MOST = re.compile(r"最多扣\s*(\d+(?:\.\d+)?)\s*分|扣分上限\s*(\d+(?:\.\d+)?)")
_DOCUMENT_SPLIT = re.compile(r"[\n；;]+")
_DOCUMENT_NUMBER = re.compile(r"^\s*(?:\d+\s*[.、．)）]|[（(]\s*\d+\s*[)）]|[①-⑳])\s*")


@dataclass(frozen=True)
class ImportedRow:
    """One row of the client's table as read: its place, groups, name, weight and the rule derived."""

    where: str
    level1: str
    level2: str
    name: str
    weight: Decimal | None
    method: str
    words: str
    notes: tuple[str, ...] = ()
    penalty: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "weight": number(self.weight) if self.weight is not None else None,
            "method": self.method,
            "level1": self.level1,
            "level2": self.level2,
            "penalty": self.penalty,
            "rule": self.words,
            "notes": list(self.notes),
            "where": self.where,
        }


@dataclass
class TableImport:
    """A client table read: the system built from it (None when no table was found), each row as read,
    and the problems (none: the system is a valid template)."""

    file: str
    title: str = ""
    system: IndicatorSystem | None = None
    rows: list[ImportedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.system is not None and not self.problems


# --------------------------------------------------------------------------- reading


def read_client_table(name: str, data: bytes, *, system_id: str | None = None) -> TableImport:
    """Read the indicator table in an .xlsx or .docx file (the first table that has the headers)."""
    out = TableImport(file=name)
    suffix = PurePath(name).suffix.lower()
    try:
        grids = xlsx_grids(data) if suffix == ".xlsx" else docx_grids(data) if suffix == ".docx" else None
    except TooLarge as e:
        out.problems.append(Problem(e.message, name, None, e.where or None))
        return out
    except UNREADABLE:
        out.problems.append(Problem(f"文件已损坏或不是 {suffix} 格式，无法打开", name))
        return out
    if grids is None:
        out.problems.append(Problem("指标体系表应为 .xlsx 或 .docx 文件", name))
        return out
    machine = next((g for g in grids if g.name == MACHINE_SHEET), None)
    for grid in grids:
        if grid is machine:
            continue
        header = _find_header(grid)
        if header is not None:
            return _read_grid(out, grid, header, machine, system_id or _id_from(name))
    out.problems.append(
        Problem("没有找到指标体系表：须有“三级指标”（或“指标名称”）和“分值”（或“权重”）两列的表头", name)
    )
    return out


@dataclass(frozen=True)
class _Header:
    row: int  # the last header row
    columns: dict[str, int]
    first: int  # the first header row (the one above it for a two-row header)


def _norm(text: str) -> str:
    return re.sub(r"[\s()（）]", "", unicodedata.normalize("NFKC", text))


def _columns(cells: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for c, raw in enumerate(cells):
        text = _norm(raw)
        if not text or any(text.startswith(x) for x in _IGNORED):
            continue
        for key, words in HEADERS.items():
            if key in found:
                continue
            if any(text == w or (len(w) > 2 and w in text) for w in words):
                found[key] = c
                break
    if "method" in found and "rule" not in found:  # one column only: it is the rule text
        found["rule"] = found.pop("method")
    return found


def _find_header(grid: Grid) -> _Header | None:
    rows = grid.rows
    for r in range(min(len(rows), 25)):
        single = _columns(rows[r])
        below = _columns(rows[r + 1]) if r + 1 < len(rows) else {}
        if {"name", "weight"} <= single.keys() and not below.keys() & {"level1", "level2", "name"}:
            return _Header(r, single, r)
        if r + 1 < len(rows):  # a two-row header: 绩效评价指标 over 一级/二级/三级
            width = max(len(rows[r]), len(rows[r + 1]))
            merged = [_cell(rows[r + 1], c) or _cell(rows[r], c) for c in range(width)]
            double = _columns(merged)
            if {"name", "weight"} <= double.keys() and not {"name", "weight"} <= below.keys():
                return _Header(r + 1, double, r)
    return None


def _cell(row: list[str], c: int | None) -> str:
    return row[c].strip() if c is not None and c < len(row) else ""


def _id_from(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.\-]+", "-", PurePath(name).stem).strip("-.")
    return f"client-{stem}"[:40] if stem else "client-table"


def _title(grid: Grid, header: _Header) -> str:
    """The table's title: a line of its own above the header, or a Word table's caption."""
    for row in grid.rows[: header.first]:
        texts = [t for t in row if t.strip()]
        if len(texts) == 1:
            return texts[0].strip()
    return grid.title


def _label(text: str) -> tuple[str, Decimal | None]:
    """ "产出指标（50分）" → ("产出指标", 50); "决策" → ("决策", None)."""
    m = _LABEL.match(unicodedata.normalize("NFKC", text).strip())
    if m and m.group(1).strip():
        return m.group(1).strip(), Decimal(m.group(2).replace("−", "-"))
    return text.strip(), None


@dataclass
class _Row:
    where: str
    l1: str
    l1_weight: Decimal | None
    l2: str
    l2_weight: Decimal | None
    name: str
    weight: Decimal | None
    target: str
    explanation: str
    method_name: str
    rule_text: str
    penalty: bool
    cap: Decimal | None = None
    documents: tuple[str, ...] = ()


@dataclass
class _Reading:
    rows: list[_Row] = field(default_factory=list)
    stated_total: Decimal | None = None
    total_where: str = ""
    problems: list[Problem] = field(default_factory=list)


def _read_rows(grid: Grid, header: _Header, file: str) -> _Reading:
    cols = header.columns
    reading = _Reading()
    l1 = l2 = ""
    l1_w: Decimal | None = None
    l2_w: Decimal | None = None
    for r in range(header.row + 1, len(grid.rows)):
        row = grid.rows[r]

        def get(key: str, row: list[str] = row) -> str:
            return _cell(row, cols.get(key))

        if not any(t.strip() for t in row):
            continue
        heads = " ".join(get(k) for k in ("level1", "level2", "name"))
        if _TOTAL.match(_norm(heads.strip())) or _TOTAL.match(_norm(get("level1") or get("name"))):
            reading.stated_total = _number(get("weight"))
            reading.total_where = grid.where(r, cols.get("weight"))
            continue
        if get("level1"):
            (l1, l1_w), (l2, l2_w) = _label(get("level1")), ("", None)
        if get("level2"):
            l2, l2_w = _label(get("level2"))
        name = get("name")
        weight_text = get("weight")
        penalty = bool(_PENALTY_LABEL.search(l1 + l2)) or weight_text.strip().startswith(("-", "−"))
        cap = _at_most(weight_text) if penalty else None
        weight = None if cap is not None else _number(weight_text)
        if penalty and not name:
            name = l2 or l1
        if not name:
            if weight_text or get("rule"):
                reading.problems.append(Problem("这一行缺少三级指标名称", file, None, grid.where(r, cols.get("name"))))
            continue
        if weight is None and cap is None:
            what = f"分值“{weight_text}”不是数字" if weight_text else "缺少分值"
            reading.problems.append(Problem(f"指标“{name}”{what}", file, None, grid.where(r, cols["weight"])))
            continue
        reading.rows.append(
            _Row(
                where=grid.where(r),
                l1=l1 or "指标体系",
                l1_weight=l1_w,
                l2=l2 or l1 or "指标体系",
                l2_weight=l2_w,
                name=name,
                weight=abs(weight) if weight is not None else None,
                target=get("target"),
                explanation=get("explanation"),
                method_name=get("method"),
                rule_text=get("rule"),
                penalty=penalty,
                cap=cap if cap is not None else (abs(weight) if penalty and weight is not None else None),
                documents=split_documents(get("documents")),
            )
        )
    return reading


def split_documents(text: str) -> tuple[str, ...]:
    """A 资料清单 cell → its document names: one a line (or separated by "；"), list numbers such as "1." "（2）"
    "③" dropped. A "、" stays inside a name ("通知、签到表及现场照片" is one document)."""
    names = (_DOCUMENT_NUMBER.sub("", part).strip() for part in _DOCUMENT_SPLIT.split(text))
    return tuple(dict.fromkeys(n for n in names if n))


def _number(text: str) -> Decimal | None:
    m = _NUMBER.match(unicodedata.normalize("NFKC", text))
    if m is None:
        return None
    try:
        return Decimal(m.group(1).replace("−", "-"))
    except InvalidOperation:
        return None


def _at_most(text: str) -> Decimal | None:
    m = _AT_MOST.search(unicodedata.normalize("NFKC", text))
    return Decimal(m.group(1) or m.group(2)) if m else None


def _read_grid(out: TableImport, grid: Grid, header: _Header, machine: Grid | None, system_id: str) -> TableImport:
    reading = _read_rows(grid, header, out.file)
    out.title = _title(grid, header)
    out.problems += reading.problems
    if not reading.rows:
        out.problems.append(Problem("表中没有可读的指标行", out.file, None, grid.where(header.row + 1)))
        return out
    known = _machine_rows(machine)
    builder = _Builder(out, known)
    system = builder.build(reading, system_id)
    out.system = system
    if system is None:
        return out
    for p in system_problems(system, file=out.file):
        out.problems.append(Problem(p.message, out.file, None, builder.where.get(p.code or "", p.field)))
    return out


# ..................................................................... building the system


@dataclass
class _Known:
    """A row of the 机器可读 sheet: the code, and the rule as it was when the table was written."""

    code: str
    rule_text: str
    rule: dict[str, Any] | None
    extra: dict[str, Any]


def _machine_rows(machine: Grid | None) -> dict[tuple[str, str], _Known]:
    """(level, name) → what the 机器可读 sheet says of it; empty when there is none or it cannot be read."""
    known: dict[tuple[str, str], _Known] = {}
    if machine is None:
        return known
    for row in machine.rows[1:]:
        if len(row) < 6 or not row[0]:
            continue
        try:
            rule = json.loads(row[4]) if row[4] else None
            extra = json.loads(row[5]) if row[5] else {}
        except json.JSONDecodeError:
            continue
        known.setdefault((row[0], row[1]), _Known(row[2], row[3], rule, extra))
    return known


class _Builder:
    def __init__(self, out: TableImport, known: dict[tuple[str, str], _Known]) -> None:
        self.out = out
        self.known = known
        self.where: dict[str, str] = {}  # code → row, for located problems
        self.used: set[str] = set()
        self.penalties = 0

    def code(self, level: str, name: str, fallback: str) -> str:
        k = self.known.get((level, name))
        code = k.code if k is not None and k.code and k.code not in self.used else fallback
        while code in self.used:
            code += "x"
        self.used.add(code)
        return code

    def rule_for(self, row: _Row, level: str) -> tuple[Any, Derived]:
        k = self.known.get((level, row.name))
        weight = row.cap if row.penalty else row.weight
        assert weight is not None
        derived = derive_rule(row.rule_text, weight, penalty=row.penalty, cap=row.cap)
        if k is not None and k.rule is not None and k.rule_text == row.rule_text:
            try:
                rule = (_PENALTY_RULE if row.penalty else _RULE).validate_python(k.rule)
            except ValidationError:
                return derived.rule, derived
            return rule, Derived(rule, METHOD_NAMES[rule.method], describe_rule(rule, weight))
        if k is not None and k.rule is not None:
            note = "评分标准已改写，按新文字重新识别规则"
            return derived.rule, Derived(derived.rule, derived.method, derived.words, (note, *derived.notes))
        return derived.rule, derived

    def build(self, reading: _Reading, system_id: str) -> IndicatorSystem | None:
        settings = self.known.get(("体系", ""))
        extra = settings.extra if settings is not None else {}
        level1: dict[str, dict[str, Any]] = {}
        penalties: list[dict[str, Any]] = []
        penalty_cap: Decimal | None = None
        for row in reading.rows:
            if row.penalty:
                penalties.append(self.penalty(row))
                penalty_cap = row.l1_weight if row.l1_weight is not None else penalty_cap
                continue
            l1 = level1.setdefault(row.l1, self.level1(row, len(level1) + 1))
            groups: dict[str, dict[str, Any]] = l1["_groups"]
            g = groups.setdefault(row.l2, self.group(row, l1["code"], len(groups) + 1))
            g["indicators"].append(self.indicator(row, g["code"], len(g["indicators"]) + 1))
        data: dict[str, Any] = {
            "id": extra.get("id", system_id),
            "name": extra.get("name") or self.out.title or PurePath(self.out.file).stem,
            "description": extra.get("description", ""),
            "source": extra.get("source", f"由客户指标表“{PurePath(self.out.file).name}”导入"),
            "groups": [],
        }
        for key in ("grades", "rounding"):
            if key in extra:
                data[key] = extra[key]
        for l1 in level1.values():
            l1["groups"] = [g for g in l1.pop("_groups").values()]
            data["groups"].append(l1)
        data["groups"] += [self.empty_slot(name, k) for (level, name), k in self.known.items() if level == "槽位"]
        weights = sum((Decimal(str(self.l1_weight(g))) for g in data["groups"]), Decimal(0))
        data["total"] = reading.stated_total if reading.stated_total is not None else extra.get("total", weights)
        if reading.stated_total is not None and reading.stated_total != weights:
            self.out.problems.append(
                Problem(
                    f"合计行所列总分 {number(reading.stated_total)} 与各指标分值之和 {number(weights)} 不一致",
                    self.out.file,
                    None,
                    reading.total_where,
                )
            )
        if penalties:
            cap = extra.get("penalty_cap", penalty_cap)
            total_caps = sum((Decimal(str(p["rule"].get("cap") or 0)) for p in penalties), Decimal(0))
            data["penalties"] = {"cap": cap if cap is not None else total_caps, "items": penalties}
        try:
            return IndicatorSystem.model_validate(data)
        except ValidationError as e:
            for p in problems_from_validation(e, data, self.out.file):
                where = self.where.get(p.code or "", p.field)
                self.out.problems.append(Problem(f"指标体系无法组成：{p.message}", self.out.file, None, where))
            return None

    @staticmethod
    def l1_weight(l1: dict[str, Any]) -> Any:
        if l1.get("weight") is not None:
            return l1["weight"]
        return sum(
            (
                Decimal(str(g["weight"]))
                if g.get("weight") is not None
                else sum((Decimal(str(i["weight"])) for i in g["indicators"]), Decimal(0))
                for g in l1["groups"]
            ),
            Decimal(0),
        )

    def level1(self, row: _Row, n: int) -> dict[str, Any]:
        code = self.code("一级", row.l1, str(n))
        self.where[code] = row.where
        k = self.known.get(("一级", row.l1))
        extra = k.extra if k is not None else {}
        return {"code": code, "name": row.l1, "weight": row.l1_weight, "_groups": {}} | {
            key: extra[key] for key in ("type", "slot", "weight") if key in extra
        }

    def group(self, row: _Row, parent: str, n: int) -> dict[str, Any]:
        code = self.code("二级", row.l2, f"{parent}.{n}")
        self.where[code] = row.where
        k = self.known.get(("二级", row.l2))
        declared = {"weight": k.extra["weight"]} if k is not None and "weight" in k.extra else {}
        return {"code": code, "name": row.l2, "weight": row.l2_weight, "indicators": []} | declared

    def indicator(self, row: _Row, parent: str, n: int) -> dict[str, Any]:
        code = self.code("三级", row.name, f"{parent}.{n}")
        self.where[code] = row.where
        rule, derived = self.rule_for(row, "三级")
        self.report(row, derived)
        k = self.known.get(("三级", row.name))
        extra = {key: k.extra[key] for key in ("rounding",) if k is not None and key in k.extra}
        return {
            "code": code,
            "name": row.name,
            "weight": row.weight,
            "target": row.target,
            "explanation": row.explanation,
            "method_name": row.method_name or (derived.method if not derived.notes else ""),
            "rule_text": row.rule_text,
            "rule": rule,
            "documents": list(row.documents),
        } | extra

    def penalty(self, row: _Row) -> dict[str, Any]:
        self.penalties += 1
        code = self.code("扣分项", row.name, f"K{self.penalties}")
        self.where[code] = row.where
        rule, derived = self.rule_for(row, "扣分项")
        self.report(row, derived)
        return {
            "code": code,
            "name": row.name,
            "explanation": row.explanation,
            "method_name": row.method_name or "缺（错）项扣分法",
            "rule_text": row.rule_text,
            "rule": rule.model_dump(mode="python") if hasattr(rule, "model_dump") else rule,
        }

    def empty_slot(self, name: str, k: _Known) -> dict[str, Any]:
        return {"code": k.code, "name": name, "groups": []} | {
            key: k.extra[key] for key in ("type", "slot", "weight") if key in k.extra
        }

    def report(self, row: _Row, derived: Derived) -> None:
        self.out.rows.append(
            ImportedRow(
                where=row.where,
                level1=row.l1,
                level2=row.l2,
                name=row.name,
                weight=row.cap if row.penalty else row.weight,
                method=derived.method,
                words=derived.words,
                notes=derived.notes,
                penalty=row.penalty,
            )
        )


# --------------------------------------------------------------------------- writing

COLUMNS = ["一级指标", "二级指标", "三级指标", "分值", "指标值", "指标解释", "评分方法", "评分标准", "资料清单"]
WIDTHS = [16, 16, 20, 8, 14, 36, 14, 60, 30]
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def system_to_xlsx(system: IndicatorSystem) -> bytes:
    """The system as the table layout clients use (merged group cells, 合计, 扣分项), with the 机器可读 sheet
    that makes reading it back give the same system."""
    wb = Workbook()
    ws = wb.active
    ws.title = "指标体系"
    ws.append([f"{system.name}"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.append(COLUMNS)
    machine = wb.create_sheet(MACHINE_SHEET)
    machine.append(["层级", "名称", "编码", "评分标准原文", "规则（JSON）", "其他（JSON）"])
    settings = {
        "id": system.id,
        "name": system.name,
        "description": system.description,
        "source": system.source,
        "total": number(system.total),
        "grades": [g.model_dump(mode="json") for g in system.grades],
        "rounding": system.rounding.model_dump(mode="json"),
    }
    if system.penalties is not None:
        settings["penalty_cap"] = number(system.penalties.cap)
    machine.append(["体系", "", system.id, "", "", _json(settings)])
    for l1 in system.groups:
        _write_level1(ws, machine, l1)
    _write_penalties(ws, machine, system)
    ws.append(["合计", None, None, number(system.total)])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=3)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.border = _BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for i, width in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    machine.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


def _write_level1(ws: Any, machine: Any, l1: Level1) -> None:
    weight = l1.weight if l1.weight is not None else l1.total_weight
    label1 = f"{l1.name}（{number(weight)}分）"
    extra = {k: v for k, v in (("type", l1.type), ("slot", l1.slot)) if v}
    if not l1.groups:  # an open slot of a template: one row saying what fills it
        machine.append(["槽位", l1.name, l1.code, "", "", _json(extra | {"weight": number(weight)})])
        what = "按项目类别选用专用指标包" if l1.slot == "pack" else "由每个评价设置个性指标"
        ws.append([label1, f"（{what}）"])
        return
    declared = {"weight": number(l1.weight) if l1.weight is not None else None}
    machine.append(["一级", l1.name, l1.code, "", "", _json(extra | declared)])
    first = ws.max_row + 1
    for g in l1.groups:
        _write_group(ws, machine, g, label1)
    ws.merge_cells(start_row=first, start_column=1, end_row=ws.max_row, end_column=1)


def _write_group(ws: Any, machine: Any, g: Group, label1: str) -> None:
    weight = g.weight if g.weight is not None else g.total_weight
    declared = {"weight": number(g.weight) if g.weight is not None else None}
    machine.append(["二级", g.name, g.code, "", "", _json(declared)])
    first = ws.max_row + 1
    for ind in g.indicators:
        _write_indicator(ws, machine, ind, label1, f"{g.name}（{number(weight)}分）")
    ws.merge_cells(start_row=first, start_column=2, end_row=ws.max_row, end_column=2)


def _write_indicator(ws: Any, machine: Any, ind: Indicator, label1: str, label2: str) -> None:
    text = ind.rule_text or ind.rule_in_words()
    documents = "\n".join(ind.documents)
    ws.append(
        [label1, label2, ind.name, number(ind.weight), ind.target, ind.explanation, ind.method_label, text, documents]
    )
    extra = {"rounding": ind.rounding.model_dump(mode="json")} if ind.rounding is not None else {}
    machine.append(["三级", ind.name, ind.code, text, _json(ind.rule.model_dump(mode="json")), _json(extra)])


def _write_penalties(ws: Any, machine: Any, system: IndicatorSystem) -> None:
    if system.penalties is None or not system.penalties.items:
        return
    label = f"扣分项（{number(system.penalties.cap)}分）"
    first = ws.max_row + 1
    for item in system.penalty_items():
        cap = item.rule.cap if item.rule.cap is not None else system.penalties.cap
        text = item.rule_text or describe_rule(item.rule, cap)
        ws.append([label, item.name, item.name, f"-{number(cap)}", "", item.explanation, item.method_name, text])
        machine.append(["扣分项", item.name, item.code, text, _json(item.rule.model_dump(mode="json")), ""])
    ws.merge_cells(start_row=first, start_column=1, end_row=ws.max_row, end_column=1)
