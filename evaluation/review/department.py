"""A department's 自评报告 against the self-evaluation records it summarises: counts, amounts, rates,
scores and grade counts, line by line and in total.

Pure domain code: no streamlit, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from evaluation.formatting import number, percent
from evaluation.indicators.system import default_grades
from evaluation.model import DepartmentProject, DepartmentSummary, Evaluation
from evaluation.review.base import (
    ERROR,
    HUNDRED,
    INFO,
    WARNING,
    ZERO,
    CheckFinding,
    Collector,
    Location,
    exact_percent,
    parse_percent,
    rate_check,
    sort_findings,
    workbench_total,
)
from evaluation.review.totals import stated_rows_sum
from evaluation.scoring.engine import EvaluationResult

_TABLE = "部门自评报告"


def department_for(summaries: Iterable[DepartmentSummary], evaluation_id: str) -> DepartmentSummary | None:
    """The department report that lists the evaluation, if any."""
    return next((s for s in summaries if any(p.evaluation_id == evaluation_id for p in s.projects)), None)


def _line_row(line: DepartmentProject) -> str:
    return f"{line.name}（{line.doc_no}）" if line.doc_no else line.name


def check_department_line(
    line: DepartmentProject,
    ev: Evaluation,
    result: EvaluationResult,
    out: Collector,
) -> None:
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
                    Location(_TABLE, row, label),
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
                Location(_TABLE, row, "执行率"),
                f"部门报告“{line.name}”执行率写 {line.rate}："
                f"{number(line.spent)} ÷ {number(line.budget)} = {exact_percent(exact)}，"
                f"四舍五入为 {percent(exact, parsed[1])}，{conv}{also}。",
                line.rate,
                f"{rc.expected}%",
            )
    st = ev.stated
    if line.score is not None and st is not None and st.total is not None:
        rows, _, penalties, any_stated, _ = stated_rows_sum(ev)
        rows_total = max(ZERO, rows - penalties)
        if line.score != st.total:
            sums = f"；该表各行得分之和为 {number(rows_total)}" if any_stated else ""
            out.add(
                ERROR,
                "DEPT_SCORE",
                Location(_TABLE, row, "自评得分"),
                f"部门报告“{line.name}”自评得分写 {number(line.score)}，自评表总分为 {number(st.total)}{sums}"
                f"（工作台{workbench_total(result)}）。",
                line.score,
                st.total,
            )
        elif any_stated and rows_total != st.total:
            out.add(
                WARNING,
                "DEPT_SCORE",
                Location(_TABLE, row, "自评得分"),
                f"部门报告“{line.name}”沿用自评表总分 {number(st.total)}，但该表各行得分之和为 {number(rows_total)}"
                f"（工作台{workbench_total(result)}）。",
                line.score,
                rows_total,
            )
    if line.score is not None and line.grade:
        implied = ev.system.grade_for(line.score)
        if implied != line.grade:
            out.add(
                ERROR,
                "GRADE",
                Location(_TABLE, row, "评价等级"),
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


def _check_lines(
    summary: DepartmentSummary,
    by_id: Mapping[str, Evaluation],
    results: Mapping[str, EvaluationResult],
    out: Collector,
) -> None:
    """Each project line against its self-evaluation record (a hint when there is none)."""
    for line in summary.projects:
        ev = by_id.get(line.evaluation_id)
        if ev is None:
            out.add(
                INFO,
                "DEPT_RECORD",
                Location(_TABLE, _line_row(line), "自评记录"),
                f"部门报告所列项目“{line.name}”没有找到对应的自评记录（{line.evaluation_id or '未注明编号'}）。",
            )
            continue
        check_department_line(line, ev, results[ev.id], out)


def _check_amount(out: Collector, label: str, said: Decimal | None, items: list[DepartmentProject], attr: str) -> None:
    """A stated sum (万元) against the lines it adds up; skipped when a line lacks the amount."""
    values = [getattr(x, attr) for x in items]
    if said is None or not items or any(v is None for v in values):
        return
    total = sum(values, ZERO)
    if total != said:
        out.add(
            ERROR,
            "DEPT_SUM",
            Location(_TABLE, "汇总", label),
            f"部门报告{label}写 {number(said)} 万元，所列 {len(items)} 个项目相加为 {number(total)} 万元。",
            said,
            total,
        )


def _check_count(out: Collector, label: str, said: int | None, actual: int) -> None:
    """A stated number of projects against the lines listed."""
    if said is not None and said != actual:
        out.add(
            ERROR,
            "DEPT_SUM",
            Location(_TABLE, "汇总", label),
            f"部门报告{label}写 {said} 个，所列项目为 {actual} 个。",
            str(said),
            str(actual),
        )


def _check_rate(out: Collector, label: str, said: str | None, num: Decimal | None, den: Decimal | None) -> None:
    """A stated rate against num ÷ den (a warning when it is the truncated value)."""
    parsed = parse_percent(said)
    if parsed is None or num is None or not den:
        return
    exact = num / den * HUNDRED
    rc = rate_check(parsed[0], parsed[1], exact)
    if not rc.ok:
        out.add(
            WARNING if rc.other_convention else ERROR,
            "DEPT_RATE",
            Location(_TABLE, "汇总", label),
            f"部门报告{label}写 {said}，{number(num)} ÷ {number(den)} = {exact_percent(exact)}，"
            f"四舍五入应为 {rc.expected}%" + ("（所写数值为截断的结果）" if rc.other_convention else "") + "。",
            said,
            f"{rc.expected}%",
        )


def _check_summary_figures(summary: DepartmentSummary, out: Collector) -> None:
    """The report's counts, sums and rates against its own project lines."""
    lines = summary.projects
    st = summary.stated
    initial = [x for x in lines if x.budget_source == "年初预算"]
    added = [x for x in lines if x.budget_source == "年中追加"]
    _check_count(out, "项目个数", st.project_count, len(lines))
    _check_count(out, "年初预算项目个数", st.initial_count, len(initial))
    _check_count(out, "年中追加项目个数", st.added_count, len(added))
    _check_amount(out, "预算资金合计", st.total_budget, lines, "budget")
    _check_amount(out, "全年支出合计", st.spent, lines, "spent")
    _check_amount(out, "年初预算资金", st.initial_budget, initial, "budget")
    _check_amount(out, "年初预算支出", st.initial_spent, initial, "spent")
    _check_amount(out, "年中追加资金", st.added_budget, added, "budget")
    _check_amount(out, "年中追加支出", st.added_spent, added, "spent")
    _check_rate(out, "执行率", st.rate, st.spent, st.total_budget)
    _check_rate(out, "年初预算执行率", st.initial_rate, st.initial_spent, st.initial_budget)
    _check_rate(out, "年中追加执行率", st.added_rate, st.added_spent, st.added_budget)
    _check_rate(out, "部门整体执行率", st.overall_rate, st.overall_spent, st.overall_budget)
    if st.evaluated_count is not None and st.project_count:
        _check_rate(out, "自评覆盖率", st.coverage, Decimal(st.evaluated_count), Decimal(st.project_count))


def _check_grade_counts(summary: DepartmentSummary, out: Collector) -> None:
    """The number of projects the report says each grade has, against the grades of the scores it lists."""
    if not summary.stated.grade_counts:
        return
    actual: dict[str, int] = {}
    for x in summary.projects:
        if x.score is not None:
            g = _grade_for(x.score)
            actual[g] = actual.get(g, 0) + 1
    for grade, said in summary.stated.grade_counts.items():
        if actual.get(grade, 0) != said:
            out.add(
                ERROR,
                "DEPT_SUM",
                Location(_TABLE, "汇总", f"{grade}等项目数"),
                f"部门报告称评为“{grade}”的项目 {said} 个，按所列得分为 {actual.get(grade, 0)} 个。",
                str(said),
                str(actual.get(grade, 0)),
            )


def _check_overall(summary: DepartmentSummary, evaluations: Iterable[Evaluation], out: Collector) -> None:
    """The 部门整体 budget, spending and score against the department's 部门整体 table, when there is one."""
    overall = next((ev for ev in evaluations if is_department_overall(ev, summary)), None)
    if overall is None:
        return
    st = summary.stated
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
                Location(_TABLE, "部门整体", label),
                f"部门报告{label}写 {number(value)}，部门整体自评表为 {number(table_value)}。",
                value,
                table_value,
            )


def check_department(
    summary: DepartmentSummary, evaluations: Iterable[Evaluation], results: Mapping[str, EvaluationResult]
) -> list[CheckFinding]:
    """The 自评报告 against itself (sums, counts, rates) and against the records it summarises
    (``results``: each record's score by evaluation id, computed by the caller)."""
    out = Collector()
    by_id = {ev.id: ev for ev in evaluations}
    _check_lines(summary, by_id, results, out)
    _check_summary_figures(summary, out)
    _check_grade_counts(summary, out)
    _check_overall(summary, by_id.values(), out)
    return sort_findings(out.items)
