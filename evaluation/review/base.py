"""What every review check shares: the finding with its place and severity, the codes and what they
mean, and reading and comparing stated percentages at the precision they are written with.

Pure domain code: no streamlit, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

from evaluation.formatting import number, quantize, rate
from evaluation.indicators.rules import BandsRule
from evaluation.indicators.system import IndicatorSystem
from evaluation.model import Evaluation
from evaluation.scoring.engine import EvaluationResult

Severity = Literal["错误", "警告", "提示"]


ERROR: Severity = "错误"


WARNING: Severity = "警告"


INFO: Severity = "提示"


SEVERITIES: tuple[Severity, ...] = (ERROR, WARNING, INFO)


ZERO = Decimal(0)


HUNDRED = Decimal(100)


# what each code means, for the page, the CLI and the review sheet
CODES: dict[str, str] = {
    "ARITH_TOTAL": "合计不等于各行之和",
    "ARITH_DEDUCTION": "扣分不等于分值减得分",
    "ARITH_RATE": "得分率不等于得分除以分值",
    "SCORE_RANGE": "得分超出 0 至分值的范围",
    "GROUP_LABEL": "分组标注的分值与其下各行不符",
    "BUDGET_RATE": "执行率与预算数、执行数不符",
    "BUDGET_SCORE": "预算执行得分不符合取舍规则",
    "BUDGET_SUM": "资金总额不等于其中各项之和",
    "SHARE": "支出占比与金额不符",
    "FUNDS_SUM": "支出明细合计与实际支出不符",
    "FUNDS_RATE": "到位率或执行率与金额不符",
    "DEPT_SUM": "部门报告汇总数与各项目不符",
    "DEPT_RATE": "部门报告执行率与金额不符",
    "DEPT_SCORE": "部门报告所列得分与自评表不符",
    "DEPT_AMOUNT": "部门报告所列金额与自评表不符",
    "DEPT_RECORD": "部门报告所列项目没有对应的自评记录",
    "GRADE": "等级与得分不符",
    "STATED_VS_COMPUTED": "所列得分与按证据计算的得分不同",
    "OVERRIDE_UNSUPPORTED": "调整得分与证据算出的得分不同",
    "INPUT_ERROR": "证据无法按规则计算",
    "NARRATIVE_SCORE": "正文所述得分与表不符",
    "NARRATIVE_COUNT": "正文所述个数与表不符",
    "BAND_MEASURE": "所述度量值与个数不符",
    "ROW_EMPTY": "表中该行未填得分",
    "TARGET_QUALITATIVE": "绩效目标未量化",
    "TARGET_IMPLAUSIBLE": "绩效目标值不合理",
    "TARGET_MISSING": "绩效目标值为空",
    "TARGET_SHARE": "未量化或不合理目标的占比（偏离度）",
    "MISSING_ASSESSMENT": "指标尚未评分",
    "MISSING_EVIDENCE": "指标没有证据也没有评分过程",
    "FINDING_NO_EVIDENCE": "问题没有证据出处",
    "PROBLEM_NO_SUGGESTION": "存在问题没有对应建议",
    "REPORT_FIELD": "报告必填内容缺失",
}


@dataclass(frozen=True)
class Location:
    """Where a finding belongs: the table (or part of the document), its row, the field, the indicator."""

    table: str
    row: str = ""
    field: str = ""
    indicator: str = ""

    @property
    def key(self) -> str:
        return "|".join((self.indicator, self.table, self.row, self.field))

    def describe(self) -> str:
        parts = [self.table]
        if self.row:
            parts.append(self.row)
        if self.field:
            parts.append(self.field)
        where = " · ".join(parts)
        return f"{where}（{self.indicator}）" if self.indicator else where


@dataclass(frozen=True)
class CheckFinding:
    severity: Severity
    code: str
    location: Location
    message: str
    stated: str | None = None
    computed: str | None = None

    @property
    def key(self) -> str:
        """Stable identity (code + location): a reviewer's decision survives re-checking."""
        return f"{self.code}@{self.location.key}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "location": {
                "table": self.location.table,
                "row": self.location.row,
                "field": self.location.field,
                "indicator": self.location.indicator,
            },
            "message": self.message,
            "stated": self.stated,
            "computed": self.computed,
            "key": self.key,
        }


def count_by_severity(findings: Iterable[CheckFinding]) -> dict[Severity, int]:
    counts: dict[Severity, int] = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts


def sort_findings(findings: Iterable[CheckFinding]) -> list[CheckFinding]:
    """Errors first, then warnings, then hints; document order inside each severity."""
    items = list(findings)
    return sorted(items, key=lambda f: SEVERITIES.index(f.severity))


def exact_percent(value: Decimal) -> str:
    """A computed percentage to four decimals without trailing zeros: 89.3351%, 88%."""
    return rate(value, 4)


_PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[%％]\s*$")


def parse_percent(text: str | None) -> tuple[Decimal, int] | None:
    """ "89.34%" → (89.34, 2 decimals); anything else → None."""
    if text is None:
        return None
    m = _PERCENT.match(text)
    if not m:
        return None
    number = m.group(1)
    digits = len(number.split(".")[1]) if "." in number else 0
    return Decimal(number), digits


def decimal_or_none(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return None


@dataclass(frozen=True)
class RateCheck:
    """A stated percentage against the exact value, at the precision it is written with."""

    ok: bool
    other_convention: bool  # wrong under the template's rounding, right under the other one
    expected: Decimal  # the exact value rounded the template's way at the stated precision
    alternative: Decimal  # the same under the other convention


def rate_check(stated: Decimal, digits: int, exact: Decimal, mode: str = "half_up") -> RateCheck:
    half = quantize(exact, digits, ROUND_HALF_UP)
    down = quantize(exact, digits, ROUND_DOWN)
    expected, alternative = (half, down) if mode == "half_up" else (down, half)
    if stated == expected:
        return RateCheck(True, False, expected, alternative)
    return RateCheck(False, stated == alternative, expected, alternative)


def rounding_words(mode: str) -> str:
    return "四舍五入" if mode == "half_up" else "截断"


class Collector:
    def __init__(self) -> None:
        self.items: list[CheckFinding] = []
        self._keys: set[str] = set()

    def add(
        self,
        severity: Severity,
        code: str,
        location: Location,
        message: str,
        stated: Decimal | str | None = None,
        computed: Decimal | str | None = None,
    ) -> None:
        f = CheckFinding(
            severity,
            code,
            location,
            message,
            number(stated) if isinstance(stated, Decimal) else stated,
            number(computed) if isinstance(computed, Decimal) else computed,
        )
        if f.key not in self._keys:  # one finding per identity
            self._keys.add(f.key)
            self.items.append(f)


def workbench_total(result: EvaluationResult, how: str = "按证据计算为") -> str:
    """The workbench's total as a message states it: "按证据计算为 89 分", and when scores were adjusted
    the total after the adjustments beside it, "按证据计算为 89 分，调整后为 88 分"."""
    said = f"{how} {number(result.evidence_total)} 分"
    return f"{said}，调整后为 {number(result.total)} 分" if result.adjusted else said


def table_name(ev: Evaluation) -> str:
    return "自评表" if ev.kind == "self_evaluation" else "得分表"


def indicator_names(system: IndicatorSystem) -> dict[str, str]:
    """Code → name of every group, indicator and 扣分项 of the system: the one name review calls them by."""
    names: dict[str, str] = {}
    for l1 in system.groups:
        names[l1.code] = l1.name
        for g in l1.groups:
            names[g.code] = g.name
            for ind in g.indicators:
                names[ind.code] = ind.name
    for item in system.penalty_items():
        names[item.code] = item.name
    return names


def place_label(finding: CheckFinding, names: Mapping[str, str]) -> str:
    """The heading a finding is listed under: its indicator as the system names it, else its table and row."""
    loc = finding.location
    if loc.indicator in names:
        return f"{names[loc.indicator]}（{loc.indicator}）"
    if loc.indicator:
        return f"{loc.row}（{loc.indicator}）"
    return f"{loc.table} · {loc.row}"


def band_points(rule: BandsRule, value: Decimal) -> Decimal:
    for band in rule.bands:
        if band.limit is None:
            return band.points
        if (rule.compare == "at_most" and value <= band.limit) or (rule.compare == "at_least" and value >= band.limit):
            return band.points
    return ZERO


def render_findings(title: str, findings: list[CheckFinding]) -> str:
    """Plain text for the command line: counts, then the findings grouped by severity."""
    counts = count_by_severity(findings)
    lines = [title, "  ".join(f"{s} {counts[s]} 项" for s in SEVERITIES)]
    if not findings:
        lines.append("未发现问题。")
    for severity in SEVERITIES:
        group = [f for f in findings if f.severity == severity]
        if not group:
            continue
        lines += ["", f"{severity}："]
        for f in group:
            numbers = ""
            if f.stated is not None or f.computed is not None:
                numbers = f"（所列 {f.stated or '—'}，核算 {f.computed or '—'}）"
            lines.append(f"  [{f.code}] {f.location.describe()}：{f.message}{numbers}")
    return "\n".join(lines)
