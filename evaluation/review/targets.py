"""Target quality (规划论证): declared performance targets that are not quantified, implausible or empty,
and the share of such targets against the system's 偏离度 band.

Pure domain code: no streamlit, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from evaluation.formatting import number, percent
from evaluation.indicators.rules import AnyRule, BandsRule, CompositeRule
from evaluation.indicators.system import IndicatorSystem
from evaluation.indicators.values import DateValue, Empty, Qualitative, Quantity, parse_value
from evaluation.model import Evaluation
from evaluation.review.base import HUNDRED, INFO, WARNING, Collector, Location, band_points
from evaluation.review.funds import budget_indicator


@dataclass(frozen=True)
class TargetIssue:
    code: str  # TARGET_QUALITATIVE / TARGET_IMPLAUSIBLE / TARGET_MISSING
    reason: str


def target_issue(name: str, value: str, year: int) -> TargetIssue | None:
    """Why a declared performance target is not a usable quantified target, or None when it is."""
    parsed = parse_value(value)
    if isinstance(parsed, Empty):
        return TargetIssue("TARGET_MISSING", "未填目标值")
    if isinstance(parsed, Qualitative):
        return TargetIssue("TARGET_QUALITATIVE", f"目标值“{value}”是定性描述，未量化")
    if isinstance(parsed, DateValue):
        if parsed.year < year - 1 or parsed.year > year + 5:
            return TargetIssue(
                "TARGET_IMPLAUSIBLE", f"目标值“{value}”是 {parsed.year} 年的日期，与项目年度 {year} 不符"
            )
        if "率" in name:
            return TargetIssue("TARGET_IMPLAUSIBLE", f"“{name}”是比率，目标值却是日期“{value}”")
        return None
    if isinstance(parsed, Quantity) and "率" in name:
        if parsed.number == 0:
            return TargetIssue("TARGET_IMPLAUSIBLE", f"比率指标的目标值为 0（“{value}”）")
        if parsed.dimension is None:
            return TargetIssue(
                "TARGET_IMPLAUSIBLE",
                f"比率指标的目标值“{value}”没有百分号，无法判断是 {value}% 还是 {number(parsed.number * HUNDRED)}%",
            )
    return None


def declared_targets(ev: Evaluation) -> list[tuple[str, str, str, str]]:
    """(table, name, value, indicator code) of the performance targets the department declared."""
    targets: list[tuple[str, str, str, str]] = []
    if ev.kind == "self_evaluation":
        skip = budget_indicator(ev.system)
        for _, _, ind in ev.system.indicators():
            if skip is not None and ind.code == skip.code:
                continue
            targets.append(("自评表", ind.name, ind.target, ind.code))
    for t in ev.facts.annual_targets:
        targets.append(("年度绩效目标", t.name, t.value, ""))
    return targets


def _deviation_rule(system: IndicatorSystem) -> BandsRule | None:
    for _, _, ind in system.indicators():
        rules: list[AnyRule] = [ind.rule]
        if isinstance(ind.rule, CompositeRule):
            rules += [p.rule for p in ind.rule.parts]
        for r in rules:
            if isinstance(r, BandsRule) and r.measure == "偏离度":
                return r
    return None


def check_targets(ev: Evaluation, out: Collector) -> None:
    targets = declared_targets(ev)
    bad = 0
    for table, name, value, code in targets:
        issue = target_issue(name, value, ev.project.year)
        if issue is None:
            continue
        bad += 1
        severity = WARNING if issue.code == "TARGET_IMPLAUSIBLE" else INFO
        out.add(
            severity,
            issue.code,
            Location(table, name, "目标值", code),
            f"“{name}”：{issue.reason}。",
            value or None,
        )
    if bad and targets:
        share = Decimal(bad) / Decimal(len(targets)) * HUNDRED
        rule = _deviation_rule(ev.system)
        points = f"，按本体系规划论证的偏离度分档得 {number(band_points(rule, share))} 分" if rule else ""
        out.add(
            INFO,
            "TARGET_SHARE",
            Location("绩效目标", "全部目标", "偏离度"),
            f"{len(targets)} 个绩效目标中有 {bad} 个未量化、为空或不合理，占 {percent(share)}"
            f"（可作为规划论证的偏离度参考值{points}）。",
            None,
            percent(share),
        )
