"""Totals, grade and group labels: the stated 合计, 扣分 and 得分率 against the rows, the stated grade
against the total, and "产出指标（50分）" labels against the rows below them.

Pure domain code: no streamlit, no database.
"""

from __future__ import annotations

from decimal import Decimal

from evaluation.formatting import number
from evaluation.model import Evaluation
from evaluation.review.base import (
    ERROR,
    HUNDRED,
    INFO,
    WARNING,
    ZERO,
    Collector,
    Location,
    exact_percent,
    parse_percent,
    rate_check,
    table_name,
    workbench_total,
)
from evaluation.review.narrative import stated_weight
from evaluation.scoring.engine import EvaluationResult


def stated_rows_sum(ev: Evaluation) -> tuple[Decimal, Decimal, Decimal, bool, Decimal | None]:
    """(Σ stated row scores, Σ row weights, Σ stated penalty points, any stated rows, Σ stated 扣分 column)."""
    total = ZERO
    weights = ZERO
    any_stated = False
    deductions: Decimal | None = ZERO
    by_code = ev.assessments_by_code()
    for _, _, ind in ev.system.indicators():
        a = by_code.get(ind.code)
        s = a.stated if a is not None else None
        weights += stated_weight(ind, s)
        if s is not None:
            any_stated = True
            total += s.score or ZERO
            if s.deduction is None:
                deductions = None
            elif deductions is not None:
                deductions += s.deduction
        else:
            deductions = None
    penalties = ZERO
    for item in ev.system.penalty_items():
        a = by_code.get(item.code)
        if a is not None and a.stated is not None:
            penalties += a.stated.deduction or a.stated.score or ZERO
    return total, weights, penalties, any_stated, deductions


def check_totals(ev: Evaluation, result: EvaluationResult, out: Collector) -> None:
    st = ev.stated
    if st is None:
        return
    table = table_name(ev)
    rows, weights, penalties, any_stated, deductions = stated_rows_sum(ev)
    expected_total = max(ZERO, rows - penalties)
    label = "总分" if ev.kind == "self_evaluation" else "合计"
    arith_total_ok = True
    if st.total is not None and any_stated and st.total != expected_total:
        arith_total_ok = False
        pen = f" − 扣分项 {number(penalties)} = {number(expected_total)}" if penalties else ""
        out.add(
            ERROR,
            "ARITH_TOTAL",
            Location(table, label, "得分"),
            f"{table}{label}写 {number(st.total)} 分，但各行得分之和为 {number(rows)}{pen} 分"
            f"（工作台{workbench_total(result)}）。",
            st.total,
            expected_total,
        )
    if st.weight_total is not None and st.weight_total != weights:
        out.add(
            ERROR,
            "ARITH_TOTAL",
            Location(table, label, "分值"),
            f"{table}{label}分值写 {number(st.weight_total)}，但各行分值之和为 {number(weights)}。",
            st.weight_total,
            weights,
        )
    if st.deduction is not None and any_stated:
        expected_ded = weights - expected_total
        if st.deduction != expected_ded:
            column = (
                f"；扣分一栏各行相加为 {number(deductions)}"
                if deductions is not None and deductions != expected_ded
                else ""
            )
            out.add(
                ERROR,
                "ARITH_TOTAL",
                Location(table, label, "扣分"),
                f"{table}{label}扣分写 {number(st.deduction)}，"
                f"但分值 {number(weights)} − 各行得分 {number(expected_total)} = "
                f"{number(expected_ded)}{column}。",
                st.deduction,
                expected_ded,
            )
    parsed = parse_percent(st.rate)
    if parsed is not None and any_stated and weights > 0:
        exact = expected_total / weights * HUNDRED
        rc = rate_check(parsed[0], parsed[1], exact, ev.system.rounding.mode)
        if not rc.ok:
            fits_total = st.total is not None and rate_check(parsed[0], parsed[1], st.total / weights * HUNDRED).ok
            out.add(
                INFO if rc.other_convention else ERROR,
                "ARITH_RATE",
                Location(table, label, "得分率"),
                f"{table}{label}得分率写 {st.rate}，但各行得分 {number(expected_total)} ÷ 分值 {number(weights)} = "
                f"{exact_percent(exact)}，应为 {rc.expected}%"
                + (
                    f"（所写得分率与所写{label} {number(st.total)} 分相符）"
                    if fits_total and st.total is not None
                    else ""
                )
                + "。",
                st.rate,
                f"{rc.expected}%",
            )
    if st.total is not None and arith_total_ok and st.total != result.total:
        out.add(
            WARNING,
            "STATED_VS_COMPUTED",
            Location(table, label, "得分"),
            f"{table}{label} {number(st.total)} 分，{workbench_total(result, '按记录的证据和评分规则计算为')}"
            f"（差 {number(result.total - st.total)} 分，逐项差异见各行）。",
            st.total,
            result.total,
        )
    if st.total is not None:
        implied = ev.system.grade_for(st.total)
        if st.grade is not None and st.grade != implied:
            out.add(
                ERROR,
                "GRADE",
                Location(table, label, "等级"),
                f"所列等级“{st.grade}”与所列{label} {number(st.total)} 分不符，按等级标准应为“{implied}”。",
                st.grade,
                implied,
            )
        if implied != result.grade:
            out.add(
                WARNING,
                "GRADE",
                Location(table, label, "等级（按证据）"),
                f"所列{label} {number(st.total)} 分对应等级“{implied}”，"
                f"工作台{workbench_total(result)}，对应“{result.grade}”"
                + (f"（按证据为“{result.evidence_grade}”）" if result.evidence_grade != result.grade else "")
                + "。",
                implied,
                result.grade,
            )


def _group_weights(ev: Evaluation) -> dict[str, tuple[str, Decimal, str]]:
    """code → (name, Σ row weights as the table shows them, parent code)."""
    found: dict[str, tuple[str, Decimal, str]] = {}
    by_code = ev.assessments_by_code()
    for l1 in ev.system.groups:
        l1_total = ZERO
        for g in l1.groups:
            w = ZERO
            for ind in g.indicators:
                a = by_code.get(ind.code)
                w += stated_weight(ind, a.stated if a is not None else None)
            found[g.code] = (g.name, w, l1.code)
            l1_total += w
        found[l1.code] = (l1.name, l1_total if l1.groups else (l1.weight or ZERO), "")
    return found


def check_group_labels(ev: Evaluation, out: Collector) -> None:
    if ev.stated is None or not ev.stated.group_labels:
        return
    table = table_name(ev)
    groups = _group_weights(ev)
    labels = ev.stated.group_labels
    penalties = ev.system.penalties
    for code, label in labels.items():
        if code in groups:
            name, rows, _ = groups[code]
            if label != rows:
                out.add(
                    ERROR,
                    "GROUP_LABEL",
                    Location(table, name, "分值标注", code),
                    f"“{name}（{number(label)}分）”标注 {number(label)} 分，其下各行分值之和为 {number(rows)} 分。",
                    label,
                    rows,
                )
        elif penalties is not None and penalties.items and all(i.code.startswith(code + ".") for i in penalties.items):
            if label != penalties.cap:
                out.add(
                    ERROR,
                    "GROUP_LABEL",
                    Location(table, "扣分项", "分值标注", code),
                    f"扣分项标注 {number(label)} 分，指标体系规定扣分项合计最多 {number(penalties.cap)} 分。",
                    label,
                    penalties.cap,
                )
        else:
            out.add(
                INFO, "GROUP_LABEL", Location(table, code, "分值标注", code), f"分组标注的编码“{code}”不在指标体系中。"
            )
    # labels of children against the label of their parent, and level-1 labels against the total
    for l1 in ev.system.groups:
        if l1.code in labels and l1.groups and all(g.code in labels for g in l1.groups):
            children = sum((labels[g.code] for g in l1.groups), ZERO)
            if children != labels[l1.code]:
                out.add(
                    ERROR,
                    "GROUP_LABEL",
                    Location(table, l1.name, "下级标注之和", l1.code),
                    f"“{l1.name}”标注 {number(labels[l1.code])} 分，其下各二级指标标注之和为 {number(children)} 分。",
                    labels[l1.code],
                    children,
                )
    if all(l1.code in labels for l1 in ev.system.groups):
        top = sum((labels[l1.code] for l1 in ev.system.groups), ZERO)
        if top != ev.system.total:
            out.add(
                ERROR,
                "GROUP_LABEL",
                Location(table, "一级指标", "标注之和"),
                f"各一级指标标注之和为 {number(top)} 分，不等于总分 {number(ev.system.total)} 分。",
                top,
                ev.system.total,
            )
