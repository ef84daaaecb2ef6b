"""What the dashboard keeps of one evaluation: its figures, first-level groups and indicator rows as plain
JSON-ready data (stored with every save, see ``evaluation.storage.summaries``); no pandas here, so storing a
summary does not load the dashboard's frames.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from evaluation.model import Evaluation
from evaluation.scoring.engine import EvaluationResult
from evaluation.scoring.stated import record_result

KIND_LABELS = {"third_party": "第三方评价", "self_evaluation": "绩效自评"}


def budget_of(ev: Evaluation) -> tuple[Decimal | None, Decimal | None]:
    """(budget, spent) in 万元: the funds of a third-party evaluation, the 年度资金总额 row of a 自评表."""
    if ev.self_evaluation is not None and ev.self_evaluation.budget_rows:
        row = ev.self_evaluation.budget_rows[0]
        return row.annual, row.executed
    f = ev.facts.funds
    return (f.adjusted_budget if f.adjusted_budget is not None else f.initial_budget), f.spent


SUMMARY_VERSION = 2  # part of the cache stamp: a summary of an older shape is recomputed


def result_summary(ev: Evaluation, result: EvaluationResult) -> dict[str, Any]:
    """What the dashboard needs of one evaluation, as plain JSON-ready data (cached in the database): the
    figure of record (a 自评 record's own row scores, otherwise the rules'), with its groups and rows, the
    rules' 复核得分 beside a 自评 record's, and how far the scoring has got."""
    budget, spent = budget_of(ev)
    p = ev.project
    review = result if ev.kind == "self_evaluation" else None
    result = record_result(ev, result)
    return {
        "id": ev.id,
        "name": p.name,
        "department": p.department,
        "category": p.category,
        "kind": ev.kind,
        "agency": p.agency,
        "year": p.year,
        "total": str(result.total),
        "grade": result.grade,
        "review_total": None if review is None or not review.scored else str(review.total),
        "scored": result.scored,
        "count": result.count,
        "complete": result.complete,
        "budget": None if budget is None else str(budget),
        "spent": None if spent is None else str(spent),
        "groups": [
            [g.name, str(g.weight), str(g.score), None if g.rate is None else str(g.rate)]
            for g in result.groups
            if g.level == 1
        ],
        "indicators": [
            [
                r.level1,
                r.level2,
                r.name,
                str(r.weight),
                None if r.score is None else str(r.score),
                None if r.deduction is None else str(r.deduction),
                None if r.rate is None else str(r.rate),
            ]
            for r in result.indicators
        ],
    }
