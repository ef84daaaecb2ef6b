"""Money: the 自评表's 预算执行情况 rows (执行率, the truncated 预算执行 score, totals of their parts) and
the third-party report's funds (表1-1 shares, 合计 against 实际支出, 到位率 and 执行率 in the texts).

Pure domain code: no streamlit, no database.
"""

from __future__ import annotations

import re
from decimal import Decimal

from evaluation.formatting import number
from evaluation.indicators.system import Indicator, IndicatorSystem, Rounding
from evaluation.model import Evaluation
from evaluation.review.base import (
    ERROR,
    HUNDRED,
    INFO,
    ZERO,
    Collector,
    Location,
    decimal_or_none,
    exact_percent,
    indicator_names,
    parse_percent,
    rate_check,
    rounding_words,
)


def budget_indicator(system: IndicatorSystem) -> Indicator | None:
    """The 预算执行 indicator of a 自评表 (the first indicator under a first level named 预算执行)."""
    for l1 in system.groups:
        if "预算执行" in l1.name:
            for g in l1.groups:
                for ind in g.indicators:
                    return ind
    return None


def budget_score(executed: Decimal, annual: Decimal, weight: Decimal, rounding: Rounding) -> Decimal:
    """预算执行 score the template's way: weight × min(执行数 ÷ 预算数, 1), then its rounding rule."""
    rate = min(executed / annual, Decimal(1))
    return rounding.apply(weight * rate)


def check_budget_rows(ev: Evaluation, out: Collector) -> None:
    se = ev.self_evaluation
    if se is None or not se.budget_rows:
        return
    table = "预算执行情况"
    mode = ev.system.rounding.mode
    ind = budget_indicator(ev.system)
    weight = ind.weight if ind is not None else Decimal(10)
    rounding = ev.system.rounding_for(ind) if ind is not None else Rounding(digits=1, mode="down")
    for i, row in enumerate(se.budget_rows):
        if row.annual is None or row.executed is None or row.annual == 0:
            continue
        # the first row (年度资金总额) is what the 预算执行 indicator is computed from: its findings belong to
        # that indicator and call it by its name; the rows below it belong to the table only
        own = ind if i == 0 else None
        subject = f"“{own.name}”：{row.name}一行" if own is not None else f"“{row.name}”"
        name, code = (own.name, own.code) if own is not None else (row.name, "")
        exact = row.executed / row.annual * HUNDRED
        parsed = parse_percent(row.rate)
        if parsed is not None:
            rc = rate_check(parsed[0], parsed[1], exact, mode)
            if not rc.ok:
                out.add(
                    INFO if rc.other_convention else ERROR,
                    "BUDGET_RATE",
                    Location(table, name, "执行率", code),
                    f"{subject}执行率写 {row.rate}，"
                    f"全年执行数 {number(row.executed)} ÷ 全年预算数 {number(row.annual)} = "
                    f"{exact_percent(exact)}，按{rounding_words(mode)}应为 {rc.expected}%"
                    + ("（所写数值为另一种取舍方式的结果）" if rc.other_convention else "")
                    + "。",
                    row.rate,
                    f"{rc.expected}%",
                )
        stated_score = decimal_or_none(row.score)
        if stated_score is not None:
            expected = budget_score(row.executed, row.annual, weight, rounding)
            if stated_score != expected:
                out.add(
                    ERROR,
                    "BUDGET_SCORE",
                    Location(table, name, "得分", code),
                    f"{subject}得分写 {number(stated_score)}，执行率 {exact_percent(exact)} × {number(weight)} "
                    f"按{rounding.describe()}应为 {number(expected)}。",
                    stated_score,
                    expected,
                )
            a = ev.assessment(own.code) if own is not None else None
            table_score = a.stated.score if a is not None and a.stated is not None else None
            if own is not None and table_score is not None and table_score != stated_score:
                out.add(
                    ERROR,
                    "BUDGET_SCORE",
                    Location("自评表", own.name, "得分", own.code),
                    f"“{own.name}”：预算执行情况得分写 {number(stated_score)}，"
                    f"绩效指标表得分写 {number(table_score)}。",
                    table_score,
                    stated_score,
                )
    first, rest = se.budget_rows[0], se.budget_rows[1:]
    for attr, label in (("annual", "全年预算数"), ("executed", "全年执行数")):
        whole = getattr(first, attr)
        parts = [getattr(r, attr) for r in rest if getattr(r, attr) is not None]
        if whole is not None and parts and sum(parts, ZERO) != whole:
            out.add(
                ERROR,
                "BUDGET_SUM",
                Location(table, first.name, label),
                f"“{first.name}”{label} {number(whole)} 万元，不等于其中各项之和 {number(sum(parts, ZERO))} 万元。",
                whole,
                sum(parts, ZERO),
            )


_SHARE_TEXT = re.compile(r"([\u4e00-\u9fff]+?)\s*(\d+(?:\.\d+)?)\s*万元\s*[（(]\s*(\d+(?:\.\d+)?)\s*[%％]\s*[）)]")


_ARRIVAL_RATE = re.compile(r"到位率\s*(?:为|达)?\s*(\d+(?:\.\d+)?)\s*[%％]")


_EXEC_RATE = re.compile(r"执行率\s*(?:为|达)?\s*(\d+(?:\.\d+)?)\s*[%％]")


def _digits(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _share_place(code: str, name: str, category: str, field: str) -> Location:
    """Where a quoted expenditure figure is: an indicator's 评分过程 (under the indicator's own name), else
    the 资金使用情况 text, filed under the 支出明细表 row it quotes."""
    if code:
        return Location("评分过程", name, f"{category}{field}", code)
    return Location("支出明细表", category, field)


def check_funds(ev: Evaluation, out: Collector) -> None:
    funds = ev.facts.funds
    breakdown_total = sum((x.amount for x in funds.breakdown), ZERO)
    if funds.breakdown and funds.spent is not None and breakdown_total != funds.spent:
        out.add(
            ERROR,
            "FUNDS_SUM",
            Location("支出明细表", "合计", "金额"),
            f"支出明细各项之和为 {number(breakdown_total)} 万元，实际支出为 {number(funds.spent)} 万元。",
            breakdown_total,
            funds.spent,
        )
    amounts = {x.category: x.amount for x in funds.breakdown}
    if amounts and breakdown_total > 0:
        names = indicator_names(ev.system)
        texts: list[tuple[str, str]] = [("", funds.usage)]
        texts += [(a.code, a.narrative) for a in ev.assessments]
        for code, text in texts:
            for m in _SHARE_TEXT.finditer(text or ""):
                category = next((c for c in amounts if m.group(1).endswith(c)), None)
                if category is None:
                    continue
                amount, share = Decimal(m.group(2)), Decimal(m.group(3))
                name = names.get(code, code)
                where = f"“{name}”的评分过程写" if code else "正文写"
                if amount != amounts[category]:
                    out.add(
                        ERROR,
                        "SHARE",
                        _share_place(code, name, category, "金额"),
                        f"{where}{category} {number(amount)} 万元，支出明细表为 {number(amounts[category])} 万元。",
                        amount,
                        amounts[category],
                    )
                exact = amounts[category] / breakdown_total * HUNDRED
                rc = rate_check(share, _digits(m.group(3)), exact)
                if not rc.ok:
                    out.add(
                        INFO if rc.other_convention else ERROR,
                        "SHARE",
                        _share_place(code, name, category, "占比"),
                        f"{where}{category}占比 {number(share)}%，"
                        f"{number(amounts[category])} ÷ {number(breakdown_total)} = {exact_percent(exact)}，"
                        f"应为 {rc.expected}%。",
                        f"{number(share)}%",
                        f"{rc.expected}%",
                    )
    pairs = (
        (_ARRIVAL_RATE, funds.arrival, funds.received, funds.planned, "到位率", "实际到位", "计划到位"),
        (_EXEC_RATE, funds.usage, funds.spent, funds.adjusted_budget, "执行率", "实际支出", "调整后预算"),
    )
    for pattern, text, num, den, label, num_name, den_name in pairs:
        if num is None or not den:
            continue
        exact = num / den * HUNDRED
        for m in pattern.finditer(text or ""):
            said = Decimal(m.group(1))
            rc = rate_check(said, _digits(m.group(1)), exact)
            if not rc.ok:
                out.add(
                    INFO if rc.other_convention else ERROR,
                    "FUNDS_RATE",
                    Location("资金情况", label, "比率"),
                    f"正文写{label} {number(said)}%，"
                    f"{num_name} {number(num)} ÷ {den_name} {number(den)} = {exact_percent(exact)}。",
                    f"{number(said)}%",
                    f"{rc.expected}%",
                )
