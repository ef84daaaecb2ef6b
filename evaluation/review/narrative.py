"""The narrative against the table: a score, weight or count the 评分过程 states that differs from the
row, and a stated band measure (偏离度) that its own counts do not give.

Pure domain code: no streamlit, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from evaluation.formatting import number, percent
from evaluation.indicators.rules import AnyRule, BandsRule, CompositeRule, RatioRule
from evaluation.indicators.system import Indicator
from evaluation.indicators.values import Quantity, parse_value
from evaluation.model import Assessment, Evaluation, StatedRow
from evaluation.review.base import (
    ERROR,
    HUNDRED,
    Collector,
    Location,
    band_points,
    parse_percent,
    rate_check,
    table_name,
)
from evaluation.scoring.engine import IndicatorResult


def stated_weight(ind: Indicator, stated: StatedRow | None) -> Decimal:
    return stated.weight if stated is not None and stated.weight is not None else ind.weight


_SCORE_TEXT = re.compile(r"评价得分\s*(\d+(?:\.\d+)?)\s*分")


_WEIGHT_TEXT = re.compile(r"指标分值\s*(\d+(?:\.\d+)?)\s*分")


_COUNT_TEXT = re.compile(r"设置(?:了)?\s*(\d+)\s*个[^。；;]*?完成\s*(\d+)\s*个")


def _texts(a: Assessment, s: StatedRow) -> list[str]:
    return [t for t in (a.narrative, s.note) if t]


def check_narrative(
    ev: Evaluation, ind: Indicator, a: Assessment, s: StatedRow, r: IndicatorResult, out: Collector
) -> None:
    table = table_name(ev)
    said = s.narrative_score
    if said is None:
        for text in _texts(a, s):
            m = _SCORE_TEXT.search(text)
            if m:
                said = Decimal(m.group(1))
                break
    if said is not None and s.score is not None and said != s.score:
        out.add(
            ERROR,
            "NARRATIVE_SCORE",
            Location("绩效分析", ind.name, "评价得分", ind.code),
            f"“{ind.name}”正文称评价得分 {number(said)} 分，{table}为 {number(s.score)} 分。",
            said,
            s.score,
        )
    for text in _texts(a, s):
        for m in _WEIGHT_TEXT.finditer(text):
            w = Decimal(m.group(1))
            if w != stated_weight(ind, s):
                out.add(
                    ERROR,
                    "NARRATIVE_SCORE",
                    Location("绩效分析", ind.name, "指标分值", ind.code),
                    f"“{ind.name}”正文称指标分值 {number(w)} 分，指标体系为 {number(stated_weight(ind, s))} 分。",
                    w,
                    stated_weight(ind, s),
                )
    _check_counts(ev, ind, a, s, out)
    _check_band_measure(ind, a, s, out)


def _ratio_counts(ind: Indicator, a: Assessment) -> tuple[Decimal, Decimal] | None:
    """(completed, set) from a ratio rule's actual/target when both are counts of 个."""
    if not isinstance(ind.rule, RatioRule):
        return None
    actual = parse_value(a.inputs.actual)
    target = parse_value(a.inputs.target if a.inputs.target else ind.target)
    if isinstance(actual, Quantity) and isinstance(target, Quantity) and actual.unit == target.unit == "个":
        return actual.number, target.number
    return None


def _check_counts(ev: Evaluation, ind: Indicator, a: Assessment, s: StatedRow, out: Collector) -> None:
    table_counts = _ratio_counts(ind, a)
    table_rate = parse_percent(s.rate)
    for text in _texts(a, s):
        for m in _COUNT_TEXT.finditer(text):
            total, done = Decimal(m.group(1)), Decimal(m.group(2))
            if total == 0:
                continue
            rate = done / total * HUNDRED
            against: list[str] = []
            if table_counts is not None and (done, total) != table_counts:
                against.append(f"评分输入为设置 {number(table_counts[1])} 个、完成 {number(table_counts[0])} 个")
            if table_rate is not None and not rate_check(table_rate[0], table_rate[1], rate).ok:
                against.append(f"{table_name(ev)}得分率为 {s.rate}")
            if against:
                out.add(
                    ERROR,
                    "NARRATIVE_COUNT",
                    Location("绩效分析", ind.name, f"设置{number(total)}个完成{number(done)}个", ind.code),
                    f"“{ind.name}”正文称设置 {number(total)} 个、完成 {number(done)} 个（完成率 {percent(rate)}），"
                    f"而{'，'.join(against)}。",
                    f"{number(done)}/{number(total)}",
                    f"{number(table_counts[0])}/{number(table_counts[1])}" if table_counts else s.rate,
                )


def _band_parts(rule: AnyRule, a: Assessment) -> Iterator[tuple[BandsRule, int | None, int | None]]:
    if isinstance(rule, BandsRule):
        yield rule, a.inputs.count, a.inputs.of
    elif isinstance(rule, CompositeRule):
        for part in rule.parts:
            if isinstance(part.rule, BandsRule):
                sub = a.inputs.parts.get(part.key)
                if sub is not None:
                    yield part.rule, sub.count, sub.of


def _check_band_measure(ind: Indicator, a: Assessment, s: StatedRow, out: Collector) -> None:
    for rule, count, of in _band_parts(ind.rule, a):
        if count is None or not of:
            continue
        exact = Decimal(count) / Decimal(of) * HUNDRED
        pattern = re.compile(re.escape(rule.measure) + r"\s*(?:为|是|=|：|:)?\s*(\d+(?:\.\d+)?)\s*[%％]")
        for text in _texts(a, s):
            for m in pattern.finditer(text):
                said = Decimal(m.group(1))
                digits = len(m.group(1).split(".")[1]) if "." in m.group(1) else 0
                if not rate_check(said, digits, exact).ok:
                    at_said, at_exact = band_points(rule, said), band_points(rule, exact)
                    effect = (
                        f"按 {number(said)}% 该部分得 {number(at_said)} 分，"
                        f"按 {percent(exact)} 得 {number(at_exact)} 分"
                        if at_said != at_exact
                        else f"两者落在同一档（{number(at_exact)} 分）"
                    )
                    out.add(
                        ERROR,
                        "BAND_MEASURE",
                        Location("绩效分析", ind.name, rule.measure, ind.code),
                        f"“{ind.name}”称{rule.measure}为 {number(said)}%，"
                        f"但所列 {count} 个 ÷ {of} 个 = {percent(exact)}；"
                        f"{effect}。",
                        f"{number(said)}%",
                        percent(exact),
                    )
