"""Indicator rows (得分表 / 自评表): a stated row's score, deduction and 得分率 against its weight, an
override against the evidence, and the stated score against the score the evidence gives.

Pure domain code: no streamlit, no database.
"""

from __future__ import annotations

from evaluation.formatting import number
from evaluation.model import Evaluation
from evaluation.review.base import (
    ERROR,
    HUNDRED,
    INFO,
    WARNING,
    Collector,
    Location,
    exact_percent,
    parse_percent,
    rate_check,
    rounding_words,
    table_name,
)
from evaluation.review.narrative import check_narrative, stated_weight
from evaluation.scoring.engine import EvaluationResult, IndicatorResult


def check_rows(ev: Evaluation, result: EvaluationResult, out: Collector) -> None:
    table = table_name(ev)
    mode = ev.system.rounding.mode
    by_code = ev.assessments_by_code()
    for _, _, ind in ev.system.indicators():
        a = by_code.get(ind.code)
        r = result.indicator(ind.code)
        if a is None:
            continue
        loc = Location(table, ind.name, "", ind.code)
        if r.error and a.override is None:
            out.add(ERROR, "INPUT_ERROR", loc, f"指标“{ind.name}”的证据无法按规则计算：{r.error}")
        if a.override is not None and r.computed is not None and a.override.score != r.computed:
            out.add(
                WARNING,
                "OVERRIDE_UNSUPPORTED",
                Location(table, ind.name, "调整得分", ind.code),
                f"指标“{ind.name}”调整为 {number(a.override.score)} 分，但按记录的证据和评分规则计算为 "
                f"{number(r.computed)} 分（{r.explanation.split(' 规则计算为')[0].rstrip('。')}）。"
                f"调整理由：{a.override.reason.strip()}",
                a.override.score,
                r.computed,
            )
        s = a.stated
        if s is None:
            continue
        check_narrative(ev, ind, a, s, r, out)
        w = stated_weight(ind, s)
        if s.score is None:
            if ev.kind == "self_evaluation":
                out.add(
                    WARNING,
                    "ROW_EMPTY",
                    Location(table, ind.name, "得分", ind.code),
                    f"“{ind.name}”一行未填得分（分值 {number(w)}），合计无法核对该行。",
                )
            continue
        if s.score < 0 or s.score > w:
            out.add(
                ERROR,
                "SCORE_RANGE",
                Location(table, ind.name, "得分", ind.code),
                f"“{ind.name}”得分 {number(s.score)} 超出 0 至分值 {number(w)} 的范围。",
                s.score,
                w,
            )
        if s.deduction is not None and s.deduction != w - s.score:
            out.add(
                ERROR,
                "ARITH_DEDUCTION",
                Location(table, ind.name, "扣分", ind.code),
                f"“{ind.name}”扣分写 {number(s.deduction)}，"
                f"但分值 {number(w)} − 得分 {number(s.score)} = {number(w - s.score)}。",
                s.deduction,
                w - s.score,
            )
        parsed = parse_percent(s.rate)
        if parsed is not None and w > 0:
            exact = s.score / w * HUNDRED
            rc = rate_check(parsed[0], parsed[1], exact, mode)
            if not rc.ok:
                out.add(
                    INFO if rc.other_convention else ERROR,
                    "ARITH_RATE",
                    Location(table, ind.name, "得分率", ind.code),
                    f"“{ind.name}”得分率写 {s.rate}，"
                    f"得分 {number(s.score)} ÷ 分值 {number(w)} = {exact_percent(exact)}，"
                    f"按{rounding_words(mode)}应为 {rc.expected}%"
                    + ("（所写数值为另一种取舍方式的结果）" if rc.other_convention else "")
                    + "。",
                    s.rate,
                    f"{rc.expected}%",
                )
        if r.score is not None and s.score != r.score:
            out.add(
                WARNING,
                "STATED_VS_COMPUTED",
                Location(table, ind.name, "得分", ind.code),
                f"“{ind.name}”表中得分 {number(s.score)}，{_workbench_score(r)}。",
                s.score,
                r.score,
            )


def _workbench_score(r: IndicatorResult) -> str:
    """The row's score as the workbench has it: what the evidence gives by the rule, or, when the score
    was adjusted, the adjusted score with what the evidence gives beside it."""
    if not r.overridden:
        return f"按记录的证据和评分规则应为 {number(r.score)}（{r.explanation.rstrip('。')}）"
    evidence = f"{number(r.computed)} 分" if r.computed is not None else f"无法计算（{r.error}）"
    return (
        f"调整后为 {number(r.score)} 分（按记录的证据和评分规则为 {evidence}；调整理由：{r.override_reason.strip()}）"
    )
