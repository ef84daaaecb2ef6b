"""The machine rule of one indicator as form widgets, one small form per rule kind (composite parts use
the same forms). Each renderer draws its widgets inside the caller's ``st.form`` and returns a builder
that, on submit, turns the widget values into the rule's data (validated by the rule models)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from evaluation.files.grids import cell_text as text
from evaluation.indicators.editing import decimal
from evaluation.indicators.rules import (
    AnyRule,
    Band,
    BandsRule,
    ChecklistRule,
    CompositeRatioRule,
    CompositeRule,
    DeductionRule,
    ManualRule,
    QualitativeRule,
    RatioDirection,
    RatioRule,
    ReverseVariant,
    TimelinessRule,
)
from ui.feedback import FieldError

Builder = Callable[[], dict[str, Any]]
Key = Callable[[str], str]  # a widget's name → its session key (the page decides the form and evaluation parts)

KINDS: dict[str, str] = {
    "deduction": "缺（错）项扣分法：每发现一处问题扣分",
    "ratio": "比率分值法：实际值与目标值之比",
    "composite_ratio": "组合比率：几个比率各乘其分值",
    "timeliness": "完成时效：按延期程度扣分",
    "checklist": "是否评分法：逐项判断，各项有分",
    "bands": "区间分档：度量值落在哪一档得几分",
    "qualitative": "定性分档：评价人员选档并在档内给分",
    "composite": "组合评分：由几部分组成，各部分一种方法",
    "manual": "直接评分：评价人员给分并写明理由",
}
PART_KINDS = {k: v for k, v in KINDS.items() if k != "composite"}
DIRECTIONS = {
    "positive": "正向：实际 ÷ 目标",
    "reverse": "反向：目标 ÷ 实际（成本类）",
    "equal": "等值：相等才得分",
    "auto": "按目标值的比较符（≥ 正向，≤ 反向）",
}
VARIANTS = {"target_over_actual": "得分 = 分值 × 目标 ÷ 实际", "overrun_linear": "不超目标得满分，超出部分线性扣减"}


def default_rule(kind: str, weight: Decimal) -> AnyRule:
    """A rule of ``kind`` that fits ``weight``, to start editing from."""
    rules: dict[str, AnyRule] = {
        "deduction": DeductionRule(method="deduction", points_per_finding=Decimal(1)),
        "ratio": RatioRule(method="ratio"),
        "composite_ratio": CompositeRatioRule.model_validate(
            {"method": "composite_ratio", "parts": [{"key": "p1", "name": "完成率", "weight": weight}]}
        ),
        "timeliness": TimelinessRule(method="timeliness"),
        "checklist": ChecklistRule.model_validate(
            {"method": "checklist", "items": [{"key": "i1", "text": "符合要求", "points": weight}]}
        ),
        "bands": BandsRule(method="bands", measure="完成率", compare="at_least", bands=[Band(points=weight)]),
        "qualitative": QualitativeRule(method="qualitative"),
        "composite": CompositeRule.model_validate(
            {
                "method": "composite",
                "parts": [
                    {"key": "s1", "name": "第一部分", "weight": weight / 2, "rule": {"method": "manual"}},
                    {"key": "s2", "name": "第二部分", "weight": weight - weight / 2, "rule": {"method": "manual"}},
                ],
            }
        ),
        "manual": ManualRule(method="manual"),
    }
    return rules[kind]


def rule_form(kind: str, current: AnyRule, weight: Decimal, key: Key) -> Builder:
    """Widgets for a rule of ``kind`` seeded from ``current`` when it is of that kind (else the default)."""
    rule = current if current.method == kind else default_rule(kind, weight)
    return _FORMS[kind](rule, key)


def _deduction(rule: Any, key: Key) -> Builder:
    per = st.text_input("每发现一处问题扣分", text(float(rule.points_per_finding)), key=key("per"))
    return lambda: {"method": "deduction", "points_per_finding": _required(per, "每发现一处问题扣分")}


def _ratio(rule: Any, key: Key) -> Builder:
    c1, c2, c3 = st.columns(3)
    direction = c1.selectbox(
        "方向",
        list(DIRECTIONS),
        index=list(DIRECTIONS).index(rule.direction.value),
        format_func=lambda k: DIRECTIONS[k],
        key=key("dir"),
    )
    variant = c2.selectbox(
        "反向时的算法",
        list(VARIANTS),
        index=list(VARIANTS).index(rule.reverse_variant.value),
        format_func=lambda k: VARIANTS[k],
        key=key("variant"),
    )
    per = c3.text_input(
        "每差 1% 扣分（留空按比例计分）",
        "" if rule.points_per_percent is None else text(float(rule.points_per_percent)),
        key=key("per"),
        help="如“每低于目标1个百分点扣0.5分”：填 0.5",
    )

    def build() -> dict[str, Any]:
        data: dict[str, Any] = {
            "method": "ratio",
            "direction": RatioDirection(direction or "positive"),
            "reverse_variant": ReverseVariant(variant or "target_over_actual"),
        }
        value = _number(per, "每差 1% 扣分")
        if value is not None:
            data["points_per_percent"] = value
        return data

    return build


def _table(
    rows: list[dict[str, Any]], columns: list[str], key: str, config: dict[str, Any] | None = None
) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    return st.data_editor(
        frame, num_rows="dynamic", width="stretch", key=key, column_config=config or {}, placeholder=""
    )


def _records(frame: pd.DataFrame) -> list[tuple[int, dict[str, str]]]:
    out = []
    for n, raw in enumerate(frame.to_dict("records"), 1):
        cells = {k: text(v) for k, v in raw.items()}
        if any(cells.values()):
            out.append((n, cells))
    return out


def _composite_ratio(rule: Any, key: Key) -> Builder:
    st.caption("各部分：名称（如“财政资金拨付率”）与分值，分值之和须等于指标分值。")
    frame = _table([{"部分": p.name, "分值": float(p.weight)} for p in rule.parts], ["部分", "分值"], key("parts"))
    spread = st.checkbox(
        "某部分不适用时，其分值按比例分配到其他部分", rule.redistribute_not_applicable, key=key("spread")
    )

    def build() -> dict[str, Any]:
        parts = [
            {"key": f"p{i}", "name": _named(c["部分"], n, "部分"), "weight": _required(c["分值"], f"第 {n} 行分值")}
            for i, (n, c) in enumerate(_records(frame), 1)
        ]
        return {"method": "composite_ratio", "parts": parts, "redistribute_not_applicable": spread}

    return build


def _timeliness(rule: Any, key: Key) -> Builder:
    c1, c2 = st.columns(2)
    units = ["天", "月", "年"]
    unit = c1.selectbox("时间单位", units, index=units.index(rule.unit), key=key("unit"))
    per = c2.text_input(
        "每延期一个单位扣分（留空按延期比例计分）",
        "" if rule.points_per_unit is None else text(float(rule.points_per_unit)),
        key=key("per"),
    )

    def build() -> dict[str, Any]:
        data: dict[str, Any] = {"method": "timeliness", "unit": unit}
        value = _number(per, "每延期扣分")
        if value is not None:
            data["points_per_unit"] = value
        return data

    return build


def _checklist(rule: Any, key: Key) -> Builder:
    st.caption("逐项：判断内容与该项分值（满足得分，否则该项不得分）；各项分值之和须等于指标分值。")
    frame = _table([{"内容": i.text, "分值": float(i.points)} for i in rule.items], ["内容", "分值"], key("items"))

    def build() -> dict[str, Any]:
        items = [
            {"key": f"i{i}", "text": _named(c["内容"], n, "内容"), "points": _required(c["分值"], f"第 {n} 行分值")}
            for i, (n, c) in enumerate(_records(frame), 1)
        ]
        return {"method": "checklist", "items": items}

    return build


def _bands(rule: Any, key: Key) -> Builder:
    c1, c2, c3 = st.columns(3)
    measure = c1.text_input("度量（如“完成率”“偏离度”）", rule.measure, key=key("measure"))
    units = ["%", ""]
    unit = c2.selectbox("单位", units, index=units.index(rule.unit), format_func=lambda u: u or "无", key=key("unit"))
    compares = {"at_least": "≥ 阈值即落入（阈值由大到小）", "at_most": "≤ 阈值即落入（阈值由小到大）"}
    compare = c3.selectbox(
        "比较",
        list(compares),
        index=list(compares).index(rule.compare),
        format_func=lambda k: compares[k],
        key=key("compare"),
    )
    st.caption("各档：阈值（最后一档留空，表示其余情形）、得分、说明；按顺序取第一档。")
    rows = [
        {"阈值": float(b.limit) if b.limit is not None else None, "得分": float(b.points), "说明": b.label}
        for b in rule.bands
    ]
    frame = _table(rows, ["阈值", "得分", "说明"], key("bands"))

    def build() -> dict[str, Any]:
        bands = [
            {
                "limit": _number(c["阈值"], f"第 {n} 行阈值"),
                "points": _required(c["得分"], f"第 {n} 行得分"),
                "label": c["说明"],
            }
            for n, c in _records(frame)
        ]
        return {
            "method": "bands",
            "measure": measure.strip() or "完成率",
            "unit": unit,
            "compare": compare,
            "bands": bands,
        }

    return build


def _qualitative(rule: Any, key: Key) -> Builder:
    st.caption("各档：名称、下限与上限（占分值的百分比，下限含）、说明。")
    rows = [{"档次": b.name, "下限%": float(b.low), "上限%": float(b.high), "说明": b.description} for b in rule.bands]
    frame = _table(rows, ["档次", "下限%", "上限%", "说明"], key("bands"))

    def build() -> dict[str, Any]:
        bands = [
            {
                "name": _named(c["档次"], n, "档次"),
                "low": _required(c["下限%"], f"第 {n} 行下限"),
                "high": _required(c["上限%"], f"第 {n} 行上限"),
                "description": c["说明"],
            }
            for n, c in _records(frame)
        ]
        return {"method": "qualitative", "bands": bands}

    return build


def _composite(rule: Any, key: Key) -> Builder:
    st.caption("各部分：名称、分值与评分方法；部分的参数在下方“组合评分的部分”中逐个设置。")
    rows = [{"部分": p.name, "分值": float(p.weight), "评分方法": PART_KINDS[p.rule.method]} for p in rule.parts]
    config = {"评分方法": st.column_config.SelectboxColumn(options=list(PART_KINDS.values()), required=True)}
    frame = _table(rows, ["部分", "分值", "评分方法"], key("parts"), config)
    old = {p.name: p for p in rule.parts}
    by_label = {v: k for k, v in PART_KINDS.items()}

    def build() -> dict[str, Any]:
        parts = []
        for i, (n, c) in enumerate(_records(frame), 1):
            name, weight = _named(c["部分"], n, "部分"), _required(c["分值"], f"第 {n} 行分值")
            kind = by_label.get(c["评分方法"], "manual")
            before = old.get(name)
            part_rule = before.rule if before is not None and before.rule.method == kind else default_rule(kind, weight)
            parts.append({"key": f"s{i}", "name": name, "weight": weight, "rule": part_rule.model_dump(mode="python")})
        return {"method": "composite", "parts": parts}

    return build


def _manual(rule: Any, key: Key) -> Builder:
    st.caption("评分时由评价人员在 0 至分值之间给分，并须写明理由。")
    return lambda: {"method": "manual"}


_FORMS: dict[str, Callable[[Any, Key], Builder]] = {
    "deduction": _deduction,
    "ratio": _ratio,
    "composite_ratio": _composite_ratio,
    "timeliness": _timeliness,
    "checklist": _checklist,
    "bands": _bands,
    "qualitative": _qualitative,
    "composite": _composite,
    "manual": _manual,
}


def _number(value: Any, label: str) -> Decimal | None:
    try:
        return decimal(value)
    except ValueError as e:
        raise FieldError(label, str(e)) from None


def _required(value: Any, label: str) -> Decimal:
    found = _number(value, label)
    if found is None:
        raise FieldError(label, "不能为空")
    return found


def _named(value: str, n: int, label: str) -> str:
    if not value:
        raise FieldError(label, f"第 {n} 行缺少{label}")
    return value
