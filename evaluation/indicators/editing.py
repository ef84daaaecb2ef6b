"""Editing an evaluation's indicator system (its snapshot, never the library) as tables and forms produce it.

The 指标体系 page edits a working copy: the structure as one table of third-level indicators (groups named in
their columns, order by 序号, a new 评分标准 derives its rule, the 资料清单 separated by "；"), the declared group
weights, the 扣分项, rounding and grades, and one indicator's machine rule. Each function takes the working copy
and the edited rows and returns a new system with every problem of the rows, located by row; the sums and
codes of the result are checked by :func:`problems` (the same checks a template file gets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from evaluation.errors import Problem
from evaluation.files.data import problems_from_validation
from evaluation.files.grids import cell_text as text
from evaluation.indicators.client_table import split_documents
from evaluation.indicators.derive import derive_rule
from evaluation.indicators.rules import METHOD_NAMES, AnyRule, ManualRule, PenaltyRule
from evaluation.indicators.system import (
    GradeLevel,
    Group,
    Indicator,
    IndicatorSystem,
    Level1,
    PenaltyItem,
    Rounding,
    system_problems,
)

STRUCTURE = (
    "序号",
    "一级指标",
    "二级指标",
    "编码",
    "三级指标",
    "分值",
    "目标值",
    "指标解释",
    "评分标准",
    "评分方法",
    "资料清单",
)
GROUPS = ("层级", "一级指标", "二级指标", "声明分值", "下级合计")
PENALTIES = ("编码", "扣分项", "说明", "每个问题扣分", "本项上限", "评分说明")
GRADES = ("等级", "最低分")
_CODE = re.compile(r"^[A-Za-z0-9_.\-]+$")


@dataclass(frozen=True)
class SystemEdit:
    """The system an edit gives (None when the rows cannot make one), the rows' problems, and one note per
    row whose rule was derived from its 评分标准 (the rule in words, or why it is 直接评分)."""

    system: IndicatorSystem | None
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.system is not None and not self.problems


def decimal(value: Any) -> Decimal | None:
    """A cell as a number (None when empty); raises ValueError with the text when it is not one."""
    said = text(value)
    t = re.sub(r"\s*分$", "", said)
    if not t:
        return None
    try:
        d = Decimal(t)
    except InvalidOperation:
        raise ValueError(f"“{said}”不是数字") from None
    if not d.is_finite() or abs(d) >= Decimal("1e9"):
        raise ValueError(f"“{said}”不是合理的数字")
    return d


def blank_system(system_id: str = "blank", name: str = "空白体系") -> IndicatorSystem:
    """A starting point with one indicator of 100 points, to rename and split on the 指标体系 page."""
    ind = Indicator(
        code="1.1.1",
        name="指标1",
        weight=Decimal(100),
        explanation="在“指标体系”页按项目的绩效目标设置指标",
        rule=ManualRule(method="manual"),
    )
    group = Group(code="1.1", name="二级指标", indicators=[ind])
    return IndicatorSystem(
        id=system_id, name=name, groups=[Level1(code="1", name="一级指标", groups=[group])], source="空白体系"
    )


def method_label(ind: Indicator) -> str:
    return ind.method_name or METHOD_NAMES[ind.rule.method]


def problems(system: IndicatorSystem) -> list[Problem]:
    """Every structural problem of the working copy (sums, codes, rule points), each naming its place."""
    names = {l1.code: f"一级指标“{l1.name}”" for l1 in system.groups}
    for l1 in system.groups:
        names |= {g.code: f"二级指标“{g.name}”" for g in l1.groups}
    names |= {ind.code: f"三级指标“{ind.name}”" for _, _, ind in system.indicators()}
    names |= {p.code: f"扣分项“{p.name}”" for p in system.penalty_items()}
    located = []
    for p in system_problems(system, require_filled=True):
        where = names.get(p.code or "", "指标体系")
        located.append(Problem(p.message, None, None, None if where in p.message else where))
    return located


# --------------------------------------------------------------------------- structure


def structure_rows(system: IndicatorSystem) -> list[dict[str, Any]]:
    """One row per third-level indicator, in order, with its groups' names (the table the page edits)."""
    return [
        {
            "序号": n,
            "一级指标": l1.name,
            "二级指标": g.name,
            "编码": ind.code,
            "三级指标": ind.name,
            "分值": float(ind.weight),
            "目标值": ind.target,
            "指标解释": ind.explanation,
            "评分标准": ind.rule_text,
            "评分方法": method_label(ind),
            "资料清单": "；".join(ind.documents),
        }
        for n, (l1, g, ind) in enumerate(system.indicators(), 1)
    ]


@dataclass
class _Row:
    order: Decimal
    position: int
    l1: str
    l2: str
    code: str
    name: str
    weight: Decimal
    cells: dict[str, str]
    documents: tuple[str, ...] | None  # None: the rows have no 资料清单 column (the indicator keeps its list)


def apply_structure(system: IndicatorSystem, rows: list[dict[str, Any]]) -> SystemEdit:
    """The system the structure table describes. Kept indicators keep their code, rule and rounding; a
    changed or new 评分标准 derives the rule; groups are made from the names (in order of appearance, a
    blank group cell meaning "the same as the row above"); group settings are kept by name."""
    found: list[Problem] = []
    parsed = _parse_rows(rows, found)
    old = {ind.code: ind for _, _, ind in system.indicators()}
    codes = _assign_codes(parsed, old, found)
    notes: list[str] = []
    level1: dict[str, dict[str, list[Indicator]]] = {}
    for row in sorted(parsed, key=lambda r: (r.order, r.position)):
        code = codes[row.position]
        indicator = _indicator(row, code, old.get(code), notes)
        if indicator is not None:
            level1.setdefault(row.l1, {}).setdefault(row.l2, []).append(indicator)
    if not level1:
        found.append(Problem("指标体系至少要有一个三级指标", None, None, "指标表"))
        return SystemEdit(None, tuple(found), tuple(notes))
    return _build(system, level1, found, notes)


def _parse_rows(rows: list[dict[str, Any]], found: list[Problem]) -> list[_Row]:
    parsed: list[_Row] = []
    l1 = l2 = ""
    for n, raw in enumerate(rows, 1):
        cells = {k: text(raw.get(k)) for k in STRUCTURE}
        if not any(v for k, v in cells.items() if k not in ("序号", "评分方法")):
            continue
        where = f"指标表第 {n} 行"
        if cells["一级指标"] and cells["一级指标"] != l1:
            l1, l2 = cells["一级指标"], ""
        l2 = cells["二级指标"] or l2
        try:
            weight = decimal(raw.get("分值"))
            order = decimal(raw.get("序号"))
        except ValueError as e:
            found.append(Problem(f"分值或序号{e}", None, None, where))
            continue
        named = (("一级指标", l1), ("二级指标", l2), ("三级指标", cells["三级指标"]))
        missing = [label for label, value in named if not value] + ([] if weight is not None else ["分值"])
        if missing or weight is None:
            found.append(Problem(f"缺少{'、'.join(missing)}", None, None, where))
            continue
        if weight <= 0:
            found.append(Problem(f"“{cells['三级指标']}”的分值须大于 0", None, None, where))
            continue
        at = order if order is not None else Decimal(n)
        documents = split_documents(cells["资料清单"]) if "资料清单" in raw else None
        parsed.append(_Row(at, len(parsed), l1, l2, cells["编码"], cells["三级指标"], weight, cells, documents))
    return parsed


def _assign_codes(parsed: list[_Row], old: dict[str, Indicator], found: list[Problem]) -> dict[int, str]:
    """Each row's code: the one typed (kept when valid and unique), else a new one."""
    codes: dict[int, str] = {}
    seen: set[str] = set()
    for row in parsed:
        code = row.code
        if code and not _CODE.match(code):
            found.append(Problem(f"编码“{code}”只能由字母、数字、点、下划线和短横线组成", None, None, row.name))
            code = ""
        if code in seen:
            found.append(Problem(f"编码“{code}”重复，已为后一行另编", None, None, row.name))
            code = ""
        if code:
            seen.add(code)
            codes[row.position] = code
    used = seen | set(old)
    n = 1
    for row in parsed:
        if row.position in codes:
            continue
        while f"N{n}" in used:
            n += 1
        codes[row.position] = f"N{n}"
        used.add(f"N{n}")
    return codes


def _indicator(row: _Row, code: str, before: Indicator | None, notes: list[str]) -> Indicator | None:
    rule_text = row.cells["评分标准"]
    rule: AnyRule
    method_name = ""
    if before is not None and (rule_text == before.rule_text or not rule_text):
        rule, method_name = before.rule, before.method_name
    elif rule_text:
        derived = derive_rule(rule_text, row.weight)
        rule = derived.rule
        why = f"（{'；'.join(derived.notes)}）" if derived.notes else ""
        notes.append(f"“{row.name}”：{derived.method}，{derived.words}{why}")
    else:
        rule = ManualRule(method="manual")
    return Indicator(
        code=code,
        name=row.name,
        weight=row.weight,
        target=row.cells["目标值"],
        explanation=row.cells["指标解释"],
        method_name=method_name,
        rule_text=rule_text,
        rule=rule,
        rounding=before.rounding if before is not None else None,
        documents=list(row.documents) if row.documents is not None else before.documents if before is not None else [],
    )


def _build(
    system: IndicatorSystem, level1: dict[str, dict[str, list[Indicator]]], found: list[Problem], notes: list[str]
) -> SystemEdit:
    old_l1 = {l1.name: l1 for l1 in system.groups}
    old_l2 = {(l1.name, g.name): g for l1 in system.groups for g in l1.groups}
    used = {ind.code for groups in level1.values() for inds in groups.values() for ind in inds}
    used |= {p.code for p in system.penalty_items()}
    groups: list[Level1] = []
    for i, (l1_name, l2s) in enumerate(level1.items(), 1):
        before = old_l1.get(l1_name)
        l1_code = before.code if before is not None else _free(f"G{i}", used)
        used.add(l1_code)
        seconds = []
        for j, (l2_name, inds) in enumerate(l2s.items(), 1):
            g_before = old_l2.get((l1_name, l2_name))
            g_code = g_before.code if g_before is not None else _free(f"{l1_code}.{j}", used)
            used.add(g_code)
            weight = g_before.weight if g_before is not None else None
            seconds.append(Group(code=g_code, name=l2_name, weight=weight, indicators=inds))
        groups.append(
            Level1(
                code=l1_code,
                name=l1_name,
                type=before.type if before is not None else "",
                weight=before.weight if before is not None else None,
                slot=before.slot if before is not None else None,
                groups=seconds,
            )
        )
    return _validated(system, {"groups": [g.model_dump(mode="python") for g in groups]}, found, notes)


def _free(code: str, used: set[str]) -> str:
    while code in used:
        code += "x"
    return code


def _validated(system: IndicatorSystem, update: dict[str, Any], found: list[Problem], notes: list[str]) -> SystemEdit:
    data = system.model_dump(mode="python") | update
    try:
        new = IndicatorSystem.model_validate(data)
    except ValidationError as e:
        found += [Problem(p.message, None, p.code, p.field) for p in problems_from_validation(e, data, None)]
        return SystemEdit(None, tuple(found), tuple(notes))
    return SystemEdit(new, tuple(found), tuple(notes))


# --------------------------------------------------------------------------- declared group weights


def group_rows(system: IndicatorSystem) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for l1 in system.groups:
        rows.append(
            {
                "层级": "一级",
                "一级指标": l1.name,
                "二级指标": "",
                "声明分值": float(l1.weight) if l1.weight is not None else None,
                "下级合计": float(l1.total_weight),
            }
        )
        for g in l1.groups:
            declared = float(g.weight) if g.weight is not None else None
            total = float(g.total_weight)
            rows.append(
                {"层级": "二级", "一级指标": l1.name, "二级指标": g.name, "声明分值": declared, "下级合计": total}
            )
    return rows


def apply_group_weights(system: IndicatorSystem, rows: list[dict[str, Any]]) -> SystemEdit:
    """Declared weights (a label such as 产出指标（50分）) by group name; blank: the sum of the group's rows."""
    found: list[Problem] = []
    declared: dict[tuple[str, str], Decimal | None] = {}
    for n, raw in enumerate(rows, 1):
        key = (text(raw.get("一级指标")), text(raw.get("二级指标")))
        try:
            value = decimal(raw.get("声明分值"))
        except ValueError as e:
            found.append(Problem(f"声明分值{e}", None, None, f"分组表第 {n} 行"))
            continue
        declared[key] = value
    data = system.model_dump(mode="python")
    for l1 in data["groups"]:
        if (l1["name"], "") in declared and l1.get("slot") is None:
            l1["weight"] = declared[(l1["name"], "")]
        for g in l1["groups"]:
            if (l1["name"], g["name"]) in declared:
                g["weight"] = declared[(l1["name"], g["name"])]
    return _validated(system, {"groups": data["groups"]}, found, [])


# --------------------------------------------------------------------------- 扣分项, settings, one rule


def penalty_rows(system: IndicatorSystem) -> list[dict[str, Any]]:
    return [
        {
            "编码": p.code,
            "扣分项": p.name,
            "说明": p.explanation,
            "每个问题扣分": float(p.rule.points_per_problem),
            "本项上限": float(p.rule.cap) if p.rule.cap is not None else None,
            "评分说明": p.rule_text,
        }
        for p in system.penalty_items()
    ]


def apply_penalties(system: IndicatorSystem, rows: list[dict[str, Any]], cap: Any) -> SystemEdit:
    """The 扣分项 table and their overall cap (no rows: no 扣分项)."""
    found: list[Problem] = []
    items: list[PenaltyItem] = []
    used = {ind.code for _, _, ind in system.indicators()}
    for n, raw in enumerate(rows, 1):
        name = text(raw.get("扣分项"))
        if not name and not any(text(raw.get(k)) for k in PENALTIES):
            continue
        where = f"扣分项表第 {n} 行"
        try:
            per, item_cap = decimal(raw.get("每个问题扣分")), decimal(raw.get("本项上限"))
        except ValueError as e:
            found.append(Problem(f"扣分{e}", None, None, where))
            continue
        if not name:
            found.append(Problem("缺少扣分项名称", None, None, where))
            continue
        code = text(raw.get("编码")) or _free(f"K{n}", used)
        used.add(code)
        try:
            items.append(
                PenaltyItem(
                    code=code,
                    name=name,
                    explanation=text(raw.get("说明")),
                    rule_text=text(raw.get("评分说明")),
                    rule=PenaltyRule(method="penalty", points_per_problem=per or Decimal(1), cap=item_cap),
                )
            )
        except ValidationError as e:
            found += [Problem(p.message, None, None, where) for p in problems_from_validation(e, raw, None)]
    try:
        total_cap = decimal(cap)
    except ValueError as e:
        found.append(Problem(f"扣分项合计上限{e}", None, None, "扣分项合计上限"))
        total_cap = None
    if items and total_cap is None:
        found.append(Problem("有扣分项时须写明扣分项合计最多扣几分", None, None, "扣分项合计上限"))
    penalties = {"cap": total_cap, "items": [i.model_dump(mode="python") for i in items]} if items else None
    return _validated(system, {"penalties": penalties}, found, [])


def apply_settings(
    system: IndicatorSystem, *, name: str, total: Any, digits: int, mode: str, grades: list[dict[str, Any]]
) -> SystemEdit:
    """Name, total, the rounding of every score (digits, 四舍五入 or 截断) and the grade thresholds."""
    found: list[Problem] = []
    levels = []
    for n, raw in enumerate(grades, 1):
        label = text(raw.get("等级"))
        if not label and not text(raw.get("最低分")):
            continue
        try:
            low = decimal(raw.get("最低分"))
        except ValueError as e:
            found.append(Problem(f"最低分{e}", None, None, f"等级表第 {n} 行"))
            continue
        if not label or low is None:
            found.append(Problem("等级和最低分都须填写", None, None, f"等级表第 {n} 行"))
            continue
        levels.append(GradeLevel(name=label, min=low))
    levels.sort(key=lambda g: g.min, reverse=True)
    try:
        total_value = decimal(total)
    except ValueError as e:
        found.append(Problem(f"总分{e}", None, None, "总分"))
        total_value = None
    update: dict[str, Any] = {
        "name": name.strip() or system.name,
        "total": total_value if total_value is not None else system.total,
        "rounding": Rounding(digits=digits, mode="down" if mode == "down" else "half_up"),
        "grades": [g.model_dump(mode="python") for g in levels] or system.model_dump(mode="python")["grades"],
    }
    return _validated(system, update, found, [])


def set_rule(system: IndicatorSystem, code: str, rule: AnyRule, *, method_name: str = "") -> IndicatorSystem:
    """The system with one indicator's machine rule replaced (its 评分方法 name follows the rule)."""
    data = system.model_dump(mode="python")
    for l1 in data["groups"]:
        for g in l1["groups"]:
            for ind in g["indicators"]:
                if ind["code"] == code:
                    ind["rule"] = rule.model_dump(mode="python")
                    ind["method_name"] = method_name
    return IndicatorSystem.model_validate(data)
