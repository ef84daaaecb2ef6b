"""复核: review checks that put what a document STATES beside what the workbench COMPUTES.

``check(evaluation)`` returns every inconsistency of one evaluation (third-party report or
自评表) as :class:`CheckFinding` objects: a severity (错误 / 警告 / 提示), a stable code, the place to fix
it and a Chinese message with the numbers. ``check_department`` does the same for a department's
自评报告 against the self-evaluation records it summarises.

Rounding follows the template: a stated 执行率 or 得分率 is compared at the precision it is written
with, using the system's rounding mode; the 预算执行 score uses the budget indicator's own rule (the
自评表 truncate 执行率 × 10 to one decimal, so 96.48 % → 9.6 is right). A value that only the other
rounding convention gives is reported as a 提示 (a 警告 in a department report, which rounds its
other rates half-up), never as an error.

Pure domain code: no streamlit, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

from evaluation.formatting import number, percent, rate
from evaluation.indicators.rules import AnyRule, BandsRule, CompositeRule, RatioRule
from evaluation.indicators.system import Indicator, IndicatorSystem, Rounding, default_grades
from evaluation.indicators.values import DateValue, Empty, Qualitative, Quantity, parse_value
from evaluation.model import Assessment, DepartmentProject, DepartmentSummary, Evaluation, StatedRow
from evaluation.scoring.engine import EvaluationResult, IndicatorResult, score

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


# --------------------------------------------------------------------------- numbers


def _exact(value: Decimal) -> str:
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


def _number(text: str | None) -> Decimal | None:
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
    quantum = Decimal(1).scaleb(-digits)
    half = exact.quantize(quantum, rounding=ROUND_HALF_UP)
    down = exact.quantize(quantum, rounding=ROUND_DOWN)
    expected, alternative = (half, down) if mode == "half_up" else (down, half)
    if stated == expected:
        return RateCheck(True, False, expected, alternative)
    return RateCheck(False, stated == alternative, expected, alternative)


def _rounding_words(mode: str) -> str:
    return "四舍五入" if mode == "half_up" else "截断"


# --------------------------------------------------------------------------- the checks


class _Collector:
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


def _table_name(ev: Evaluation) -> str:
    return "自评表" if ev.kind == "self_evaluation" else "得分表"


def check(evaluation: Evaluation, department: DepartmentSummary | None = None) -> list[CheckFinding]:
    """Every inconsistency of one evaluation; with ``department``, also its line in the 自评报告."""
    ev = evaluation
    result = score(ev)
    out = _Collector()
    _check_rows(ev, result, out)
    _check_totals(ev, result, out)
    _check_group_labels(ev, out)
    _check_budget_rows(ev, out)
    _check_funds(ev, out)
    _check_targets(ev, out)
    _check_completeness(ev, result, out)
    if department is not None:
        for line in department.projects:
            if line.evaluation_id == ev.id:
                _check_department_line(line, ev, result, out)
    return sort_findings(out.items)


# ..................................................................... indicator rows


def _weight(ind: Indicator, stated: StatedRow | None) -> Decimal:
    return stated.weight if stated is not None and stated.weight is not None else ind.weight


def _check_rows(ev: Evaluation, result: EvaluationResult, out: _Collector) -> None:
    table = _table_name(ev)
    mode = ev.system.rounding.mode
    for _, _, ind in ev.system.indicators():
        a = ev.assessment(ind.code)
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
        _check_narrative(ev, ind, a, s, r, out)
        w = _weight(ind, s)
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
                    f"“{ind.name}”得分率写 {s.rate}，得分 {number(s.score)} ÷ 分值 {number(w)} = {_exact(exact)}，"
                    f"按{_rounding_words(mode)}应为 {rc.expected}%"
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
                f"“{ind.name}”表中得分 {number(s.score)}，按记录的证据和评分规则应为 {number(r.score)}"
                f"（{r.explanation.rstrip('。')}）。",
                s.score,
                r.score,
            )


_SCORE_TEXT = re.compile(r"评价得分\s*(\d+(?:\.\d+)?)\s*分")
_WEIGHT_TEXT = re.compile(r"指标分值\s*(\d+(?:\.\d+)?)\s*分")
_COUNT_TEXT = re.compile(r"设置(?:了)?\s*(\d+)\s*个[^。；;]*?完成\s*(\d+)\s*个")


def _texts(a: Assessment, s: StatedRow) -> list[str]:
    return [t for t in (a.narrative, s.note) if t]


def _check_narrative(
    ev: Evaluation, ind: Indicator, a: Assessment, s: StatedRow, r: IndicatorResult, out: _Collector
) -> None:
    table = _table_name(ev)
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
            if w != _weight(ind, s):
                out.add(
                    ERROR,
                    "NARRATIVE_SCORE",
                    Location("绩效分析", ind.name, "指标分值", ind.code),
                    f"“{ind.name}”正文称指标分值 {number(w)} 分，指标体系为 {number(_weight(ind, s))} 分。",
                    w,
                    _weight(ind, s),
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


def _check_counts(ev: Evaluation, ind: Indicator, a: Assessment, s: StatedRow, out: _Collector) -> None:
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
                against.append(f"{_table_name(ev)}得分率为 {s.rate}")
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


def _check_band_measure(ind: Indicator, a: Assessment, s: StatedRow, out: _Collector) -> None:
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


# ..................................................................... totals and grade


def _stated_rows_sum(ev: Evaluation) -> tuple[Decimal, Decimal, Decimal, bool, Decimal | None]:
    """(Σ stated row scores, Σ row weights, Σ stated penalty points, any stated rows, Σ stated 扣分 column)."""
    total = ZERO
    weights = ZERO
    any_stated = False
    deductions: Decimal | None = ZERO
    for _, _, ind in ev.system.indicators():
        a = ev.assessment(ind.code)
        s = a.stated if a is not None else None
        weights += _weight(ind, s)
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
        a = ev.assessment(item.code)
        if a is not None and a.stated is not None:
            penalties += a.stated.deduction or a.stated.score or ZERO
    return total, weights, penalties, any_stated, deductions


def _check_totals(ev: Evaluation, result: EvaluationResult, out: _Collector) -> None:
    st = ev.stated
    if st is None:
        return
    table = _table_name(ev)
    rows, weights, penalties, any_stated, deductions = _stated_rows_sum(ev)
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
            f"（工作台按证据计算为 {number(result.total)} 分）。",
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
                f"{_exact(exact)}，应为 {rc.expected}%"
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
            f"{table}{label} {number(st.total)} 分，按记录的证据和评分规则计算为 {number(result.total)} 分"
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
                f"按证据计算的 {number(result.total)} 分对应“{result.grade}”。",
                implied,
                result.grade,
            )


# ..................................................................... group labels


def _group_weights(ev: Evaluation) -> dict[str, tuple[str, Decimal, str]]:
    """code → (name, Σ row weights as the table shows them, parent code)."""
    found: dict[str, tuple[str, Decimal, str]] = {}
    for l1 in ev.system.groups:
        l1_total = ZERO
        for g in l1.groups:
            w = ZERO
            for ind in g.indicators:
                a = ev.assessment(ind.code)
                w += _weight(ind, a.stated if a is not None else None)
            found[g.code] = (g.name, w, l1.code)
            l1_total += w
        found[l1.code] = (l1.name, l1_total if l1.groups else (l1.weight or ZERO), "")
    return found


def _check_group_labels(ev: Evaluation, out: _Collector) -> None:
    if ev.stated is None or not ev.stated.group_labels:
        return
    table = _table_name(ev)
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


# ..................................................................... budget execution (自评表)


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


def _check_budget_rows(ev: Evaluation, out: _Collector) -> None:
    se = ev.self_evaluation
    if se is None or not se.budget_rows:
        return
    table = "预算执行情况"
    mode = ev.system.rounding.mode
    ind = budget_indicator(ev.system)
    weight = ind.weight if ind is not None else Decimal(10)
    rounding = ev.system.rounding_for(ind) if ind is not None else Rounding(digits=1, mode="down")
    code = ind.code if ind is not None else ""
    for i, row in enumerate(se.budget_rows):
        if row.annual is None or row.executed is None or row.annual == 0:
            continue
        exact = row.executed / row.annual * HUNDRED
        parsed = parse_percent(row.rate)
        if parsed is not None:
            rc = rate_check(parsed[0], parsed[1], exact, mode)
            if not rc.ok:
                out.add(
                    INFO if rc.other_convention else ERROR,
                    "BUDGET_RATE",
                    Location(table, row.name, "执行率", code),
                    f"“{row.name}”执行率写 {row.rate}，"
                    f"全年执行数 {number(row.executed)} ÷ 全年预算数 {number(row.annual)} = "
                    f"{_exact(exact)}，按{_rounding_words(mode)}应为 {rc.expected}%"
                    + ("（所写数值为另一种取舍方式的结果）" if rc.other_convention else "")
                    + "。",
                    row.rate,
                    f"{rc.expected}%",
                )
        stated_score = _number(row.score)
        if stated_score is not None:
            expected = budget_score(row.executed, row.annual, weight, rounding)
            if stated_score != expected:
                out.add(
                    ERROR,
                    "BUDGET_SCORE",
                    Location(table, row.name, "得分", code),
                    f"“{row.name}”得分写 {number(stated_score)}，执行率 {_exact(exact)} × {number(weight)} "
                    f"按{rounding.describe()}应为 {number(expected)}。",
                    stated_score,
                    expected,
                )
            a = ev.assessment(ind.code) if i == 0 and ind is not None else None
            table_score = a.stated.score if a is not None and a.stated is not None else None
            if ind is not None and table_score is not None and table_score != stated_score:
                out.add(
                    ERROR,
                    "BUDGET_SCORE",
                    Location("自评表", ind.name, "得分", code),
                    f"预算执行情况得分写 {number(stated_score)}，绩效指标“{ind.name}”得分写 {number(table_score)}。",
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
                Location(table, first.name, label, code),
                f"“{first.name}”{label} {number(whole)} 万元，不等于其中各项之和 {number(sum(parts, ZERO))} 万元。",
                whole,
                sum(parts, ZERO),
            )


# ..................................................................... funds (第三方报告)

_SHARE_TEXT = re.compile(r"([\u4e00-\u9fff]+?)\s*(\d+(?:\.\d+)?)\s*万元\s*[（(]\s*(\d+(?:\.\d+)?)\s*[%％]\s*[）)]")
_ARRIVAL_RATE = re.compile(r"到位率\s*(?:为|达)?\s*(\d+(?:\.\d+)?)\s*[%％]")
_EXEC_RATE = re.compile(r"执行率\s*(?:为|达)?\s*(\d+(?:\.\d+)?)\s*[%％]")


def _digits(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _check_funds(ev: Evaluation, out: _Collector) -> None:
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
        texts: list[tuple[str, str]] = [("资金使用情况", funds.usage)]
        texts += [(a.code, a.narrative) for a in ev.assessments]
        for where, text in texts:
            for m in _SHARE_TEXT.finditer(text or ""):
                category = next((c for c in amounts if m.group(1).endswith(c)), None)
                if category is None:
                    continue
                amount, share = Decimal(m.group(2)), Decimal(m.group(3))
                indicator = where if where != "资金使用情况" else ""
                if amount != amounts[category]:
                    out.add(
                        ERROR,
                        "SHARE",
                        Location("支出明细表", category, "金额", indicator),
                        f"正文写{category} {number(amount)} 万元，支出明细表为 {number(amounts[category])} 万元。",
                        amount,
                        amounts[category],
                    )
                exact = amounts[category] / breakdown_total * HUNDRED
                rc = rate_check(share, _digits(m.group(3)), exact)
                if not rc.ok:
                    out.add(
                        INFO if rc.other_convention else ERROR,
                        "SHARE",
                        Location("支出明细表", category, "占比", indicator),
                        f"{category}占比写 {number(share)}%，{number(amounts[category])} ÷ {number(breakdown_total)} = "
                        f"{_exact(exact)}，应为 {rc.expected}%。",
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
                    f"{num_name} {number(num)} ÷ {den_name} {number(den)} = {_exact(exact)}。",
                    f"{number(said)}%",
                    f"{rc.expected}%",
                )


# ..................................................................... target quality (规划论证)


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


def band_points(rule: BandsRule, value: Decimal) -> Decimal:
    for band in rule.bands:
        if band.limit is None:
            return band.points
        if (rule.compare == "at_most" and value <= band.limit) or (rule.compare == "at_least" and value >= band.limit):
            return band.points
    return ZERO


def _check_targets(ev: Evaluation, out: _Collector) -> None:
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


# ..................................................................... completeness (第三方报告)

_REPORT_FIELDS: tuple[tuple[str, str], ...] = (
    ("project.commissioner", "委托单位"),
    ("project.agency", "评价机构"),
    ("project.implementing_unit", "实施单位"),
    ("project.report_month", "报告年月"),
    ("facts.background", "项目背景"),
    ("facts.overall_goal", "总体目标"),
    ("facts.annual_goal", "年度绩效目标"),
)


def _check_completeness(ev: Evaluation, result: EvaluationResult, out: _Collector) -> None:
    table = _table_name(ev)
    for r in result.indicators:
        if r.status == "未评":
            out.add(WARNING, "MISSING_ASSESSMENT", Location(table, r.name, "得分", r.code), f"“{r.name}”尚未评分。")
    if ev.kind != "third_party":
        return
    for _, _, ind in ev.system.indicators():
        a = ev.assessment(ind.code)
        if a is None:
            continue
        if not a.evidence and not a.narrative.strip():
            out.add(
                WARNING,
                "MISSING_EVIDENCE",
                Location("评分过程", ind.name, "证据", ind.code),
                f"“{ind.name}”既没有证据出处也没有评分过程。",
            )
        for j, f in enumerate(a.inputs.findings, 1):
            if not f.evidence:
                out.add(
                    INFO,
                    "FINDING_NO_EVIDENCE",
                    Location("评分过程", ind.name, f"问题{j}", ind.code),
                    f"“{ind.name}”的问题“{f.text[:30]}”没有注明证据出处。",
                )
    answered = {n for s in ev.suggestions for n in s.answers}
    for i, p in enumerate(ev.problems, 1):
        if i not in answered:
            out.add(
                WARNING,
                "PROBLEM_NO_SUGGESTION",
                Location("存在问题", f"{i}. {p.title}", "建议"),
                f"存在问题“{p.title}”没有对应的建议。",
            )
    for path, label in _REPORT_FIELDS:
        obj: Any = ev
        for part in path.split("."):
            obj = getattr(obj, part)
        if not obj:
            out.add(INFO, "REPORT_FIELD", Location("报告", label, path), f"报告缺少“{label}”。")


# ..................................................................... department report


def department_for(summaries: Iterable[DepartmentSummary], evaluation_id: str) -> DepartmentSummary | None:
    """The department report that lists the evaluation, if any."""
    return next((s for s in summaries if any(p.evaluation_id == evaluation_id for p in s.projects)), None)


def _line_row(line: DepartmentProject) -> str:
    return f"{line.name}（{line.doc_no}）" if line.doc_no else line.name


def _check_department_line(
    line: DepartmentProject,
    ev: Evaluation,
    result: EvaluationResult,
    out: _Collector,
) -> None:
    table = "部门自评报告"
    row = _line_row(line)
    first = ev.self_evaluation.budget_rows[0] if ev.self_evaluation and ev.self_evaluation.budget_rows else None
    if first is not None:
        for attr, label in (("budget", "预算资金"), ("spent", "全年支出")):
            said = getattr(line, attr)
            table_value = first.annual if attr == "budget" else first.executed
            if said is not None and table_value is not None and said != table_value:
                out.add(
                    ERROR,
                    "DEPT_AMOUNT",
                    Location(table, row, label),
                    f"部门报告“{line.name}”{label}写 {number(said)} 万元，自评表为 {number(table_value)} 万元。",
                    said,
                    table_value,
                )
    parsed = parse_percent(line.rate)
    if parsed is not None and line.budget and line.spent is not None:
        exact = line.spent / line.budget * HUNDRED
        rc = rate_check(parsed[0], parsed[1], exact, ev.system.rounding.mode)
        table_rate = first.rate if first is not None else None
        if not rc.ok:
            also = f"；自评表写 {table_rate}" if table_rate and table_rate != line.rate else ""
            conv = (
                f"所写 {line.rate} 是截断的结果，与四舍五入不一致"
                if rc.other_convention
                else f"所写 {line.rate} 两种取舍方式都得不出"
            )
            out.add(
                WARNING if rc.other_convention else ERROR,
                "DEPT_RATE",
                Location(table, row, "执行率"),
                f"部门报告“{line.name}”执行率写 {line.rate}："
                f"{number(line.spent)} ÷ {number(line.budget)} = {_exact(exact)}，"
                f"四舍五入为 {percent(exact, parsed[1])}，{conv}{also}。",
                line.rate,
                f"{rc.expected}%",
            )
    st = ev.stated
    if line.score is not None and st is not None and st.total is not None:
        rows, _, penalties, any_stated, _ = _stated_rows_sum(ev)
        rows_total = max(ZERO, rows - penalties)
        if line.score != st.total:
            sums = f"；该表各行得分之和为 {number(rows_total)}" if any_stated else ""
            out.add(
                ERROR,
                "DEPT_SCORE",
                Location(table, row, "自评得分"),
                f"部门报告“{line.name}”自评得分写 {number(line.score)}，自评表总分为 {number(st.total)}{sums}"
                f"（工作台按证据计算为 {number(result.total)}）。",
                line.score,
                st.total,
            )
        elif any_stated and rows_total != st.total:
            out.add(
                WARNING,
                "DEPT_SCORE",
                Location(table, row, "自评得分"),
                f"部门报告“{line.name}”沿用自评表总分 {number(st.total)}，但该表各行得分之和为 {number(rows_total)}"
                f"（工作台按证据计算为 {number(result.total)}）。",
                line.score,
                rows_total,
            )
    if line.score is not None and line.grade:
        implied = ev.system.grade_for(line.score)
        if implied != line.grade:
            out.add(
                ERROR,
                "GRADE",
                Location(table, row, "评价等级"),
                f"部门报告“{line.name}”得分 {number(line.score)} 对应等级“{implied}”，报告写“{line.grade}”。",
                line.grade,
                implied,
            )


def _grade_for(score_: Decimal) -> str:
    for g in default_grades():
        if score_ >= g.min:
            return g.name
    return default_grades()[-1].name  # pragma: no cover - the last threshold is 0


def is_department_overall(ev: Evaluation, summary: DepartmentSummary) -> bool:
    """The department's 部门整体 self-evaluation table for the report's year."""
    return (
        ev.self_evaluation is not None
        and ev.self_evaluation.scope == "部门整体"
        and ev.project.department == summary.department
        and ev.project.year == summary.year
    )


def check_department(summary: DepartmentSummary, evaluations: Iterable[Evaluation]) -> list[CheckFinding]:
    """The 自评报告 against itself (sums, counts, rates) and against the records it summarises."""
    out = _Collector()
    by_id = {ev.id: ev for ev in evaluations}
    table = "部门自评报告"
    lines = summary.projects
    st = summary.stated
    for line in lines:
        ev = by_id.get(line.evaluation_id)
        if ev is None:
            out.add(
                INFO,
                "DEPT_RECORD",
                Location(table, _line_row(line), "自评记录"),
                f"部门报告所列项目“{line.name}”没有找到对应的自评记录（{line.evaluation_id or '未注明编号'}）。",
            )
            continue
        _check_department_line(line, ev, score(ev), out)

    def amount(label: str, said: Decimal | None, items: list[DepartmentProject], attr: str) -> None:
        values = [getattr(x, attr) for x in items]
        if said is None or not items or any(v is None for v in values):
            return
        total = sum(values, ZERO)
        if total != said:
            out.add(
                ERROR,
                "DEPT_SUM",
                Location(table, "汇总", label),
                f"部门报告{label}写 {number(said)} 万元，所列 {len(items)} 个项目相加为 {number(total)} 万元。",
                said,
                total,
            )

    def count(label: str, said: int | None, actual: int) -> None:
        if said is not None and said != actual:
            out.add(
                ERROR,
                "DEPT_SUM",
                Location(table, "汇总", label),
                f"部门报告{label}写 {said} 个，所列项目为 {actual} 个。",
                str(said),
                str(actual),
            )

    def rate(label: str, said: str | None, num: Decimal | None, den: Decimal | None) -> None:
        parsed = parse_percent(said)
        if parsed is None or num is None or not den:
            return
        exact = num / den * HUNDRED
        rc = rate_check(parsed[0], parsed[1], exact)
        if not rc.ok:
            out.add(
                WARNING if rc.other_convention else ERROR,
                "DEPT_RATE",
                Location(table, "汇总", label),
                f"部门报告{label}写 {said}，{number(num)} ÷ {number(den)} = {_exact(exact)}，"
                f"四舍五入应为 {rc.expected}%" + ("（所写数值为截断的结果）" if rc.other_convention else "") + "。",
                said,
                f"{rc.expected}%",
            )

    initial = [x for x in lines if x.budget_source == "年初预算"]
    added = [x for x in lines if x.budget_source == "年中追加"]
    count("项目个数", st.project_count, len(lines))
    count("年初预算项目个数", st.initial_count, len(initial))
    count("年中追加项目个数", st.added_count, len(added))
    amount("预算资金合计", st.total_budget, lines, "budget")
    amount("全年支出合计", st.spent, lines, "spent")
    amount("年初预算资金", st.initial_budget, initial, "budget")
    amount("年初预算支出", st.initial_spent, initial, "spent")
    amount("年中追加资金", st.added_budget, added, "budget")
    amount("年中追加支出", st.added_spent, added, "spent")
    rate("执行率", st.rate, st.spent, st.total_budget)
    rate("年初预算执行率", st.initial_rate, st.initial_spent, st.initial_budget)
    rate("年中追加执行率", st.added_rate, st.added_spent, st.added_budget)
    rate("部门整体执行率", st.overall_rate, st.overall_spent, st.overall_budget)
    if st.evaluated_count is not None and st.project_count:
        rate("自评覆盖率", st.coverage, Decimal(st.evaluated_count), Decimal(st.project_count))
    if st.grade_counts:
        actual: dict[str, int] = {}
        for x in lines:
            if x.score is not None:
                g = _grade_for(x.score)
                actual[g] = actual.get(g, 0) + 1
        for grade, said in st.grade_counts.items():
            if actual.get(grade, 0) != said:
                out.add(
                    ERROR,
                    "DEPT_SUM",
                    Location(table, "汇总", f"{grade}等项目数"),
                    f"部门报告称评为“{grade}”的项目 {said} 个，按所列得分为 {actual.get(grade, 0)} 个。",
                    str(said),
                    str(actual.get(grade, 0)),
                )
    overall = next((ev for ev in by_id.values() if is_department_overall(ev, summary)), None)
    if overall is not None:
        rows_ = overall.self_evaluation.budget_rows if overall.self_evaluation is not None else []
        first = rows_[0] if rows_ else None
        checks: list[tuple[str, Decimal | None, Decimal | None]] = [
            ("部门整体预算", st.overall_budget, first.annual if first else None),
            ("部门整体支出", st.overall_spent, first.executed if first else None),
            ("部门整体自评得分", st.overall_score, overall.stated.total if overall.stated else None),
        ]
        for label, value, table_value in checks:
            if value is not None and table_value is not None and value != table_value:
                out.add(
                    ERROR,
                    "DEPT_SUM",
                    Location(table, "部门整体", label),
                    f"部门报告{label}写 {number(value)}，部门整体自评表为 {number(table_value)}。",
                    value,
                    table_value,
                )
    return sort_findings(out.items)


# --------------------------------------------------------------------------- text output


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
