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

The checks are split by subject (rows, narrative, totals, funds, targets, completeness, department);
what they share is in ``evaluation.review.base``. Pure domain code: no streamlit, no database.
"""

from __future__ import annotations

from evaluation.model import DepartmentSummary, Evaluation
from evaluation.review.base import CheckFinding, Collector, sort_findings
from evaluation.review.completeness import check_completeness
from evaluation.review.department import check_department_line
from evaluation.review.funds import check_budget_rows, check_funds
from evaluation.review.rows import check_rows
from evaluation.review.targets import check_targets
from evaluation.review.totals import check_group_labels, check_totals
from evaluation.scoring.engine import EvaluationResult


def check(
    evaluation: Evaluation, result: EvaluationResult, department: DepartmentSummary | None = None
) -> list[CheckFinding]:
    """Every inconsistency of one evaluation (``result`` is its ``score``, computed by the caller); with
    ``department``, also its line in the 自评报告."""
    ev = evaluation
    out = Collector()
    check_rows(ev, result, out)
    check_totals(ev, result, out)
    check_group_labels(ev, out)
    check_budget_rows(ev, out)
    check_funds(ev, out)
    check_targets(ev, out)
    check_completeness(ev, result, out)
    if department is not None:
        for line in department.projects:
            if line.evaluation_id == ev.id:
                check_department_line(line, ev, result, out)
    return sort_findings(out.items)
