"""Editing the 个性 indicators of one evaluation's snapshot (never the library): the slot as table rows,
and the rows back into a validated system with every problem collected."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from evaluation.errors import Problem, ValidationFailed
from evaluation.indicators.rules import DeductionRule, ManualRule, QualitativeRule, RatioDirection, RatioRule
from evaluation.indicators.system import Group, Indicator, IndicatorSystem, Level1, system_problems
from evaluation.indicators.values import Quantity, parse_value

RULE_KINDS: dict[str, str] = {
    "ratio_positive": "比率（正向：实际 ÷ 目标）",
    "ratio_reverse": "比率（反向：目标 ÷ 实际）",
    "ratio_auto": "比率（按目标值的比较符）",
    "deduction": "缺（错）项扣分",
    "qualitative": "定性分档",
    "manual": "直接评分",
    "keep": "保持原规则",
}


KIND_BY_LABEL = {v: k for k, v in RULE_KINDS.items()}


COLUMNS = ("二级指标", "编码", "三级指标", "分值", "目标值", "指标解释", "评分方法", "每处扣分", "评分说明")


def personal_slot(system: IndicatorSystem) -> Level1 | None:
    return next((g for g in system.groups if g.slot == "personal"), None)


def rule_kind(ind: Indicator) -> str:
    rule = ind.rule
    if isinstance(rule, RatioRule) and rule.reverse_variant == "target_over_actual":
        return {"positive": "ratio_positive", "reverse": "ratio_reverse", "auto": "ratio_auto"}.get(
            rule.direction.value, "keep"
        )
    if isinstance(rule, DeductionRule):
        return "deduction"
    if isinstance(rule, QualitativeRule) and rule == QualitativeRule(method="qualitative"):
        return "qualitative"
    if isinstance(rule, ManualRule):
        return "manual"
    return "keep"


def personal_rows(system: IndicatorSystem) -> list[dict[str, Any]]:
    """The 个性 indicators as table rows (column names in Chinese, as the page shows them)."""
    slot = personal_slot(system)
    rows: list[dict[str, Any]] = []
    for g in slot.groups if slot else []:
        for ind in g.indicators:
            rows.append(
                {
                    "二级指标": g.name,
                    "编码": ind.code,
                    "三级指标": ind.name,
                    "分值": float(ind.weight),
                    "目标值": ind.target,
                    "指标解释": ind.explanation,
                    "评分方法": RULE_KINDS[rule_kind(ind)],
                    "每处扣分": float(ind.rule.points_per_finding) if isinstance(ind.rule, DeductionRule) else None,
                    "评分说明": ind.rule_text,
                }
            )
    return rows


@dataclass(frozen=True)
class PersonalEdit:
    system: IndicatorSystem
    problems: tuple[Problem, ...]
    slot_weight: Decimal
    total: Decimal  # sum of the 个性 indicators' weights


def _text(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):  # NaN from an empty table cell
        return ""
    return str(v).strip()


def _decimal(v: Any, what: str, row: int, problems: list[Problem]) -> Decimal | None:
    t = _text(v)
    if not t:
        problems.append(Problem(f"第 {row} 行：{what}不能为空", None, None, what))
        return None
    try:
        d = Decimal(t).quantize(Decimal("0.0001")).normalize()
    except InvalidOperation:
        problems.append(Problem(f"第 {row} 行：{what}“{t}”不是数字", None, None, what))
        return None
    if d <= 0:
        problems.append(Problem(f"第 {row} 行：{what}须大于 0", None, None, what))
        return None
    return d


def _rule(kind: str, per: Decimal | None, old: Indicator | None) -> Any:
    if kind == "keep":
        return old.rule if old is not None else None
    if kind.startswith("ratio_"):
        return RatioRule(method="ratio", direction=RatioDirection(kind.removeprefix("ratio_")))
    if kind == "deduction":
        return DeductionRule(method="deduction", points_per_finding=per or Decimal(1))
    if kind == "qualitative":
        return QualitativeRule(method="qualitative")
    return ManualRule(method="manual")


def apply_personal_rows(system: IndicatorSystem, rows: list[dict[str, Any]]) -> PersonalEdit:
    """Rebuild the 个性 slot from table rows; every problem is collected (sums, codes, targets, rules)."""
    slot = personal_slot(system)
    if slot is None:
        raise ValidationFailed([Problem("该指标体系没有个性指标位置")], "无法编辑个性指标")
    old = {ind.code: ind for g in slot.groups for ind in g.indicators}
    problems: list[Problem] = []
    groups: dict[str, list[Indicator]] = {}
    used = {c for c in old} | {r.get("编码") for r in rows if _text(r.get("编码"))}
    for i, r in enumerate(rows, 1):
        name = _text(r.get("三级指标"))
        group = _text(r.get("二级指标")) or "个性指标"
        if not name:
            problems.append(Problem(f"第 {i} 行：三级指标名称不能为空", None, None, "三级指标"))
            continue
        weight = _decimal(r.get("分值"), "分值", i, problems)
        label = _text(r.get("评分方法")) or RULE_KINDS["ratio_positive"]
        kind = KIND_BY_LABEL.get(label)
        if kind is None:
            problems.append(Problem(f"第 {i} 行：评分方法“{label}”不在可选范围内", None, None, "评分方法"))
            continue
        per = _decimal(r.get("每处扣分"), "每处扣分", i, problems) if kind == "deduction" else None
        code = _text(r.get("编码"))
        if not code:
            n = 1
            while f"{slot.code}.X{n}" in used:
                n += 1
            code = f"{slot.code}.X{n}"
            used.add(code)
        elif not re.match(r"^[A-Za-z0-9_.\-]+$", code):
            problems.append(Problem(f"第 {i} 行：编码“{code}”只能由字母、数字、点和短横线组成", None, None, "编码"))
            continue
        rule = _rule(kind, per, old.get(code))
        if rule is None:
            problems.append(Problem(f"第 {i} 行：新指标须选择评分方法", None, code, "评分方法"))
            continue
        target = _text(r.get("目标值"))
        if kind.startswith("ratio_"):
            parsed = parse_value(target)
            if not isinstance(parsed, Quantity):
                problems.append(
                    Problem(
                        f"第 {i} 行：比率类指标的目标值“{target}”无法读出数值，请写成如“≥90%”“不少于30人”",
                        None,
                        code,
                        "目标值",
                    )
                )
            elif parsed.number == 0 and kind != "ratio_reverse":
                problems.append(Problem(f"第 {i} 行：比率类指标的目标值不能为 0", None, code, "目标值"))
        if weight is None:
            continue
        try:
            ind = Indicator(
                code=code,
                name=name,
                weight=weight,
                target=target,
                explanation=_text(r.get("指标解释")),
                method_name=old[code].method_name if code in old and kind in ("keep", rule_kind(old[code])) else "",
                rule_text=_text(r.get("评分说明")),
                rule=rule,
            )
        except ValueError as e:
            problems.append(Problem(f"第 {i} 行：{e}", None, code))
            continue
        groups.setdefault(group, []).append(ind)
    new_groups = []
    old_group_codes = {g.name: g.code for g in slot.groups}
    for n, (gname, inds) in enumerate(groups.items(), 1):
        gcode = old_group_codes.get(gname) or f"{slot.code}.G{n}"
        new_groups.append(
            Group(code=gcode, name=gname, weight=sum((i.weight for i in inds), Decimal(0)), indicators=inds)
        )
    data = system.model_dump(mode="python")
    for l1 in data["groups"]:
        if l1["code"] == slot.code:
            l1["groups"] = [g.model_dump(mode="python") for g in new_groups]
    new = IndicatorSystem.model_validate(data)
    total = sum((i.weight for inds in groups.values() for i in inds), Decimal(0))
    slot_weight = slot.weight if slot.weight is not None else slot.total_weight
    if total != slot_weight and not problems:
        more = "超出" if total > slot_weight else "少于"
        problems.append(
            Problem(
                f"个性指标分值合计 {total.normalize():f} 分，"
                f"{more}一级指标“{slot.name}”的分值 {slot_weight.normalize():f} 分",
                None,
                slot.code,
                "分值",
            )
        )
    if not problems:
        problems += [
            p for p in system_problems(new, require_filled=True) if not p.message.startswith("各一级指标分值之和")
        ]
    return PersonalEdit(new, tuple(problems), slot_weight, total)
