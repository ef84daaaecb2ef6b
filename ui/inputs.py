"""The input a scoring rule needs, as widgets inside the evidence page's form.

``render_inputs`` draws the widgets for one rule (recursively for composite indicators) and returns a
collector that, on submit, turns the widget values into :class:`Inputs` or raises :class:`FieldError`
naming the field. The collector reads the values from the session state, by the widgets' keys, so that it
works in the submit button's callback too (the page saves there, before the run that draws it again).
Each rule kind has its own renderer, chosen from ``RENDERERS`` by the rule's type.
Nothing here scores: the page asks the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from evaluation.formatting import number
from evaluation.indicators.rules import (
    AnyRule,
    BandsRule,
    ChecklistRule,
    CompositeRatioRule,
    CompositeRule,
    DeductionRule,
    ManualRule,
    PenaltyRule,
    QualitativeRule,
    RatioRule,
    TimelinessRule,
)
from evaluation.indicators.values import Ambiguous, DateValue, Empty, Quantity, parse_value
from evaluation.model import EvidenceRef, Finding, Inputs, RatioInput
from ui.feedback import FieldError, parse_number, typed
from ui.kept import derived
from ui.tables import edited_rows, read_table

Collector = Callable[[], Inputs]
FINDING_COLUMNS = ["问题描述", "扣分", "证据文件", "文号", "凭证号", "页码", "_i"]


def reading(text: str | None) -> str:
    """What the value parser reads from a target or actual text, in words."""
    v = parse_value(text)
    if isinstance(v, Quantity):
        unit = f"，单位 {v.unit}" if v.unit else "，无单位"
        op = f"，比较符 {v.op.value}" if v.op else ""
        return f"读作数值 {v.describe()}（数 {v.number:f}{unit}{op}）"
    if isinstance(v, DateValue):
        return f"读作日期 {v.describe()}，比率类规则不能计算"
    if isinstance(v, Ambiguous):
        return f"含多个数值（{'、'.join(v.candidates)}），请只保留用于计算的那一个"
    if isinstance(v, Empty):
        return "（空）"
    return f"“{v.text}”是定性描述，没有可计算的数值"


def _finding_table(findings: list[Finding]) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """The findings' rows, and the editor's frame of them (built once per stored findings list: see ``derived``)."""
    rows = [
        {
            "问题描述": f.text,
            "扣分": float(f.points) if f.points is not None else None,
            "证据文件": f.evidence[0].document if f.evidence else "",
            "文号": f.evidence[0].doc_no if f.evidence else "",
            "凭证号": f.evidence[0].voucher if f.evidence else "",
            "页码": f.evidence[0].page if f.evidence else "",
            "_i": i,
        }
        for i, f in enumerate(findings)
    ]
    return rows, pd.DataFrame(rows, columns=FINDING_COLUMNS)


def findings_editor(findings: list[Finding], key: str, *, with_points: bool) -> Callable[[], list[Finding]]:
    """Findings with points and one evidence reference each (further references are kept)."""
    rows, frame = derived(findings, "findings-table", lambda: _finding_table(findings))
    config: dict[str, Any] = {  # a new row's text cells start as "", not None (read back as typed)
        "_i": None,
        "问题描述": st.column_config.TextColumn(width="large", required=True, default=""),
        "扣分": st.column_config.NumberColumn(min_value=0.0, step=0.5, format="%g", help="不填时按规则的每处扣分"),
        **{c: st.column_config.TextColumn(default="") for c in ("证据文件", "文号", "凭证号", "页码")},
    }
    if not with_points:
        config["扣分"] = None
    st.data_editor(
        frame,  # kept, never changed: the editor works on a copy
        num_rows="dynamic",
        width="stretch",
        key=key,
        column_config=config,
        placeholder="",
    )

    def collect() -> list[Finding]:
        out: list[Finding] = []
        edited = edited_rows(rows, FINDING_COLUMNS, key)
        for row in read_table(edited, "发现的问题", filled_by=("问题描述", "证据文件", "扣分")):
            text = row.required("问题描述")
            i = row.raw.get("_i")
            old = findings[int(i)] if i is not None and i == i and int(i) < len(findings) else None
            refs = list(old.evidence[1:]) if old else []
            if row["证据文件"]:
                document = row["证据文件"]
                refs.insert(
                    0, EvidenceRef(document=document, doc_no=row["文号"], voucher=row["凭证号"], page=row["页码"])
                )
            elif row["文号"] or row["凭证号"] or row["页码"]:
                raise row.error("填写了文号、凭证号或页码，但缺少证据文件名称")
            points = Decimal(row["扣分"]) if row["扣分"] else None
            if points is not None and points < 0:
                raise row.error("扣分不能为负数", label="扣分")
            base = old or Finding(text=text)
            out.append(base.model_copy(update={"text": text, "points": points, "evidence": refs}))
        return out

    return collect


@dataclass(frozen=True)
class Slot:
    """Where one rule's widgets go: the points it is scored on, the indicator's target, the stored inputs
    the widgets start from, the widget-key prefix, and whether optional findings are asked for."""

    weight: Decimal
    target: str
    inputs: Inputs
    prefix: str
    with_findings: bool


Renderer = Callable[[Any, Slot], Collector]  # (rule of one kind, slot) → collector


def render_inputs(
    rule: AnyRule, weight: Decimal, target: str, inputs: Inputs, prefix: str, *, with_findings: bool = True
) -> Collector:
    """Widgets for ``rule``; the returned function builds the submitted :class:`Inputs`."""
    collect = RENDERERS[type(rule)](rule, Slot(weight, target, inputs, prefix, with_findings))
    if not with_findings or isinstance(rule, OWN_FINDINGS):
        return collect
    # every other rule: problems met while checking it, for 问题与建议 (the score does not use them)
    st.markdown("**发现的问题**（可选，供“问题与建议”使用，不影响计算）")
    get_findings = findings_editor(inputs.findings, f"{prefix}findings", with_points=False)
    return lambda: collect().model_copy(update={"findings": get_findings()})


def _findings(rule: DeductionRule | PenaltyRule, slot: Slot) -> Collector:
    st.markdown("**发现的问题**（每行一处；可填扣分与证据）")
    get = findings_editor(slot.inputs.findings, f"{slot.prefix}findings", with_points=True)
    return lambda: Inputs(findings=get())


def _ratio(rule: RatioRule, slot: Slot) -> Collector:
    inputs, prefix, target = slot.inputs, slot.prefix, slot.target
    c1, c2 = st.columns(2)
    actual = c1.text_input("实际值 *", inputs.actual or "", key=f"{prefix}actual", placeholder="如：已支出4.98万元")
    c1.caption(f"解析：{reading(actual)}" if actual.strip() else "如“开展活动36次”“已支出4.98万元”")
    tgt = c2.text_input(
        "目标值（不填取指标的目标值）", inputs.target or "", key=f"{prefix}target", placeholder=target or "如：≥90%"
    )
    c2.caption(f"解析：{reading(tgt.strip() or target)}")

    def ratio() -> Inputs:
        actual, tgt = _text(f"{prefix}actual"), _text(f"{prefix}target")
        if not actual:
            raise FieldError("实际值", "请填写实际值")
        return Inputs(actual=actual, target=tgt or None)

    return ratio


def _composite_ratio(rule: CompositeRatioRule, slot: Slot) -> Collector:
    for part in rule.parts:
        old = slot.inputs.ratios.get(part.key, RatioInput())
        k = f"{slot.prefix}{part.key}"
        st.markdown(f"**{part.name}**（{number(part.weight)} 分）")
        c1, c2, c3 = st.columns([2, 2, 1])
        a = c1.text_input("实际值", old.actual or "", key=f"{k}_a")
        t = c2.text_input("目标值", old.target or "", key=f"{k}_t")
        c3.checkbox("不适用", old.not_applicable, key=f"{k}_na")
        if a.strip() or t.strip():
            st.caption(f"实际值{reading(a)}；目标值{reading(t)}")

    def ratios() -> Inputs:
        out = {}
        for part in rule.parts:
            k = f"{slot.prefix}{part.key}"
            a, t, na = _text(f"{k}_a"), _text(f"{k}_t"), bool(st.session_state.get(f"{k}_na"))
            if not na and (not a or not t):
                raise FieldError(part.name, "请填写实际值和目标值，或勾选“不适用”")
            out[part.key] = RatioInput(actual=a or None, target=t or None, not_applicable=na)
        return Inputs(ratios=out)

    return ratios


def _timeliness(rule: TimelinessRule, slot: Slot) -> Collector:
    inputs, prefix = slot.inputs, slot.prefix
    c1, c2 = st.columns(2)
    c1.text_input(f"计划完成时间（{rule.unit}）", typed(inputs.planned_duration), key=f"{prefix}planned")
    c2.text_input(f"实际完成时间（{rule.unit}）", typed(inputs.actual_duration), key=f"{prefix}actual_d")
    st.caption("或按日期计算（三个日期都填时优先使用，以天计）：")
    c1, c2, c3 = st.columns(3)
    _date(c1, "开始日期", inputs.start_date, f"{prefix}start")
    _date(c2, "计划完成日期", inputs.planned_end, f"{prefix}pend")
    _date(c3, "实际完成日期", inputs.actual_end, f"{prefix}aend")

    def timeliness() -> Inputs:
        dates = [st.session_state.get(f"{prefix}{k}") for k in ("start", "pend", "aend")]
        dates = [d if isinstance(d, date) else None for d in dates]
        p = parse_number(_text(f"{prefix}planned"), "计划完成时间")
        a = parse_number(_text(f"{prefix}actual_d"), "实际完成时间")
        if all(dates):
            return Inputs(start_date=dates[0], planned_end=dates[1], actual_end=dates[2])
        if p is None or a is None:
            raise FieldError("完成时间", "请填写计划与实际完成时间，或三个日期")
        if p == 0:
            raise FieldError("计划完成时间", "须大于 0")
        return Inputs(planned_duration=p, actual_duration=a)

    return timeliness


def _checklist(rule: ChecklistRule, slot: Slot) -> Collector:
    for item in rule.items:
        old = slot.inputs.answers.get(item.key)
        st.radio(
            f"{item.text}（{number(item.points)} 分）",
            ["是", "否"],
            index=None if old is None else (0 if old else 1),
            horizontal=True,
            key=f"{slot.prefix}{item.key}",
        )

    def checklist() -> Inputs:
        answers = {i.key: st.session_state.get(f"{slot.prefix}{i.key}") for i in rule.items}
        missing = [i.text for i in rule.items if answers[i.key] is None]
        if missing:
            raise FieldError(missing[0], "请选择“是”或“否”")
        return Inputs(answers={k: v == "是" for k, v in answers.items()})

    return checklist


def _bands(rule: BandsRule, slot: Slot) -> Collector:
    inputs, prefix = slot.inputs, slot.prefix
    st.caption(f"填写{rule.measure}，或按个数计算（符合条件的个数 / 总个数）：两者只填一种。")
    c1, c2, c3 = st.columns(3)
    value = c1.text_input(f"{rule.measure}（如 25%）", inputs.value or "", key=f"{prefix}value")
    # text fields, not number fields: a number field that once held a count cannot be emptied again
    c2.text_input("个数", "" if inputs.count is None else str(inputs.count), key=f"{prefix}count", placeholder="如 3")
    c3.text_input("总个数", "" if inputs.of is None else str(inputs.of), key=f"{prefix}of", placeholder="如 12")
    if value.strip():
        st.caption(f"解析：{reading(value)}")

    def bands() -> Inputs:
        value = _text(f"{prefix}value")
        count, of = _whole(f"{prefix}count", "个数"), _whole(f"{prefix}of", "总个数")
        if count is not None or of is not None:
            if value:
                raise FieldError(
                    rule.measure,
                    f"{rule.measure}与个数只填一种：按{rule.measure}计算请清空个数和总个数，按个数计算请清空{rule.measure}",
                )
            if count is None or of is None:
                raise FieldError("个数", "按个数计算时须同时填写个数和总个数")
            if of == 0:
                raise FieldError("总个数", "须大于 0")
            if count > of:
                raise FieldError("个数", f"个数 {count} 大于总个数 {of}")
            return Inputs(count=count, of=of)
        if not value:
            raise FieldError(rule.measure, "请填写数值或个数")
        return Inputs(value=value)

    return bands


def _whole(key: str, label: str) -> int | None:
    """A count typed in a text field: None when empty; a whole number of zero or more, else refused by name."""
    text = _text(key)
    if not text:
        return None
    try:
        found = int(text.replace(",", "").replace("，", ""))  # int() reads full-width digits too
    except ValueError:
        raise FieldError(label, f"请填写整数（如 3），不能是“{text}”") from None
    if found < 0:
        raise FieldError(label, "不能为负数")
    return found


def _qualitative(rule: QualitativeRule, slot: Slot) -> Collector:
    inputs, prefix, weight = slot.inputs, slot.prefix, slot.weight
    names = [b.name for b in rule.bands]
    c1, c2 = st.columns(2)
    c1.selectbox(
        "档次",
        names,
        index=names.index(inputs.band) if inputs.band in names else None,
        key=f"{prefix}band",
        format_func=lambda n: next(
            f"{b.name}（{number(weight * b.low / 100)}–{number(weight * b.high / 100)} 分）"
            for b in rule.bands
            if b.name == n
        ),
        placeholder="选择档次",
    )
    c2.text_input("得分", typed(inputs.score), key=f"{prefix}qscore")

    def qualitative() -> Inputs:
        band = st.session_state.get(f"{prefix}band")
        if band not in names:
            raise FieldError("档次", "请选择档次")
        s = parse_number(_text(f"{prefix}qscore"), "得分")
        if s is None:
            raise FieldError("得分", "请填写该档区间内的得分")
        return Inputs(band=band, score=s)

    return qualitative


def _manual(rule: ManualRule, slot: Slot) -> Collector:
    inputs, prefix, weight = slot.inputs, slot.prefix, slot.weight
    st.text_input(f"得分（0–{number(weight)}）", typed(inputs.score), key=f"{prefix}mscore")
    st.text_area("评分理由 *", inputs.justification, key=f"{prefix}why")

    def manual() -> Inputs:
        why = _text(f"{prefix}why")
        s = parse_number(_text(f"{prefix}mscore"), "得分")
        if s is None:
            raise FieldError("得分", "请填写得分")
        if s > weight:
            raise FieldError("得分", f"不能超过分值 {number(weight)}")
        if not why:
            raise FieldError("评分理由", "直接评分须写明理由")
        return Inputs(score=s, justification=why)

    return manual


def _composite(rule: CompositeRule, slot: Slot) -> Collector:
    """Each part's widgets under its name (a 缺项扣分 part's findings are kept with the part's key), then
    the findings that belong to no part."""
    inputs, prefix = slot.inputs, slot.prefix
    collectors: dict[str, Collector] = {}
    for part in rule.parts:
        st.markdown(f"##### {part.name}（{number(part.weight)} 分）")
        sub = inputs.parts.get(part.key, Inputs())
        if isinstance(part.rule, DeductionRule):
            sub = Inputs(findings=[f for f in inputs.findings if f.part == part.key])
        collectors[part.key] = render_inputs(
            part.rule, part.weight, slot.target, sub, f"{prefix}{part.key}_", with_findings=False
        )
    st.markdown("**其他发现的问题**（可选，供“问题与建议”使用，不影响计算）")
    get_general = findings_editor(
        [f for f in inputs.findings if f.part is None], f"{prefix}general_findings", with_points=False
    )

    def composite() -> Inputs:
        parts: dict[str, Inputs] = {}
        findings: list[Finding] = []
        for part in rule.parts:
            got = collectors[part.key]()
            if isinstance(part.rule, DeductionRule):
                findings += [f.model_copy(update={"part": part.key}) for f in got.findings]
            else:
                parts[part.key] = got
        findings += get_general()
        return Inputs(parts=parts, findings=findings)

    return composite


RENDERERS: dict[type[AnyRule], Renderer] = {
    DeductionRule: _findings,
    PenaltyRule: _findings,
    RatioRule: _ratio,
    CompositeRatioRule: _composite_ratio,
    TimelinessRule: _timeliness,
    ChecklistRule: _checklist,
    BandsRule: _bands,
    QualitativeRule: _qualitative,
    ManualRule: _manual,
    CompositeRule: _composite,
}


def _date(box: Any, label: str, value: date | None, key: str) -> None:
    box.date_input(label, value, key=key)


def _text(key: str) -> str:
    """A text field's value as submitted, stripped ("" when the field was not drawn)."""
    value = st.session_state.get(key)
    return value.strip() if isinstance(value, str) else ""


# rules whose widgets hold the findings themselves (as the scoring input, or per part)
OWN_FINDINGS = (DeductionRule, PenaltyRule, CompositeRule)
