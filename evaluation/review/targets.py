"""Target quality (规划论证): declared performance targets that are not quantified, implausible or empty,
and the share of such targets against the system's 偏离度 band.

Pure domain code: no streamlit, no database.
"""

from __future__ import annotations

import re
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


@dataclass(frozen=True)
class DeclaredTarget:
    """One performance target as declared: its name, its value text, its indicator ("" for a table row)."""

    name: str
    value: str
    code: str = ""


@dataclass(frozen=True)
class TargetSet:
    """The targets of one place the department declares them, each once.

    ``row`` names the set (指标目标值: the 自评表's indicators; 年度绩效目标表: the project's table of
    annual targets), ``table`` is where its targets are found, ``label`` how a message names it;
    ``repeated`` counts the rows of the 年度绩效目标表 that restate an indicator's target (same name and
    value, white space aside) and are counted with the indicators, ``twice`` the rows that restate an
    earlier row of the table."""

    row: str
    table: str
    label: str
    targets: tuple[DeclaredTarget, ...]
    repeated: int = 0
    twice: int = 0


INDICATOR_TARGETS = "指标目标值"


ANNUAL_TABLE = "年度绩效目标表"


def _same(text: str) -> str:
    """Text compared without white space (tables and PDFs break lines inside words)."""
    return re.sub(r"\s+", "", text)


def target_sets(ev: Evaluation) -> list[TargetSet]:
    """The declared targets, set by set: a 自评表's indicators (not the 预算执行 row), then the rows of the
    年度绩效目标表 that are not one of those targets again (same name and value)."""
    sets: list[TargetSet] = []
    own: set[tuple[str, str]] = set()
    if ev.kind == "self_evaluation":
        skip = budget_indicator(ev.system)
        targets = tuple(
            DeclaredTarget(ind.name, ind.target, ind.code)
            for _, _, ind in ev.system.indicators()
            if skip is None or ind.code != skip.code
        )
        own = {(_same(t.name), _same(t.value)) for t in targets}
        if targets:
            sets.append(TargetSet(INDICATOR_TARGETS, "自评表", "自评表绩效指标的目标值（年度指标值）", targets))
    annual: dict[tuple[str, str], DeclaredTarget] = {}
    repeated = twice = 0
    for t in ev.facts.annual_targets:
        key = (_same(t.name), _same(t.value))
        if key in own:
            repeated += 1
        elif key in annual:
            twice += 1
        else:
            annual[key] = DeclaredTarget(t.name, t.value)
    if annual:
        sets.append(TargetSet(ANNUAL_TABLE, "年度绩效目标", ANNUAL_TABLE, tuple(annual.values()), repeated, twice))
    return sets


def _deviation_rule(system: IndicatorSystem) -> BandsRule | None:
    for _, _, ind in system.indicators():
        rules: list[AnyRule] = [ind.rule]
        if isinstance(ind.rule, CompositeRule):
            rules += [p.rule for p in ind.rule.parts]
        for r in rules:
            if isinstance(r, BandsRule) and r.measure == "偏离度":
                return r
    return None


_KINDS: tuple[tuple[str, str], ...] = (
    ("TARGET_QUALITATIVE", "未量化"),
    ("TARGET_IMPLAUSIBLE", "目标值不合理"),
    ("TARGET_MISSING", "未填目标值"),
)


def _named(issues: list[tuple[DeclaredTarget, TargetIssue]]) -> str:
    """The unusable targets by kind: 未量化 2 个：“甲”“乙”；目标值不合理 1 个：“丙”."""
    parts = []
    for code, words in _KINDS:
        names = [f"“{t.name}”" for t, issue in issues if issue.code == code]
        if names:
            parts.append(f"{words} {len(names)} 个：{''.join(names)}")
    return "；".join(parts)


def check_targets(ev: Evaluation, out: Collector) -> None:
    rule = _deviation_rule(ev.system)
    for s in target_sets(ev):
        issues: list[tuple[DeclaredTarget, TargetIssue]] = []
        for t in s.targets:
            issue = target_issue(t.name, t.value, ev.project.year)
            if issue is None:
                continue
            issues.append((t, issue))
            out.add(
                WARNING if issue.code == "TARGET_IMPLAUSIBLE" else INFO,
                issue.code,
                Location(s.table, t.name, "目标值", t.code),
                f"“{t.name}”：{issue.reason}。",
                t.value or None,
            )
        if not issues:
            continue
        share = Decimal(len(issues)) / Decimal(len(s.targets)) * HUNDRED
        points = f"，按本体系规划论证的偏离度分档得 {number(band_points(rule, share))} 分" if rule else ""
        again = [f"{s.repeated} 行与指标目标值相同，已随指标计入"] if s.repeated else []
        again += [f"{s.twice} 行与表中前面的行相同"] if s.twice else []
        repeated = f"（另有 {'，'.join(again)}，均不重复计）" if again else ""
        out.add(
            INFO,
            "TARGET_SHARE",
            Location("绩效目标", s.row, "偏离度"),
            f"按{s.label}统计：共 {len(s.targets)} 个{repeated}，其中 {len(issues)} 个未量化、为空或不合理"
            f"（{_named(issues)}），占 {percent(share)}（可作为规划论证的偏离度参考值{points}）。",
            None,
            percent(share),
        )
