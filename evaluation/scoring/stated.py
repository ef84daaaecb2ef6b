"""The figure of record: a department's 自评 scored by its own rows, a third-party evaluation by the rules.

A 绩效自评 record carries two figures. **自评得分** is what the department wrote: each row's 得分 as
stated, and their sum as the total (the total the table states is kept beside it, and 复核 flags it when
the rows do not add up to it). **复核得分** is what the indicator rules give from the recorded evidence
(:func:`evaluation.scoring.engine.score`) — the reviewer's opinion beside the department's figure, never in
its place. A third-party evaluation has one figure, the rule-based 评价得分.

``stated_result`` builds the department's figures as an ordinary :class:`EvaluationResult` (rows, groups,
total, grade), so lists, charts and exports read either kind the same way; ``record_result`` picks the
figure of record.
"""

from __future__ import annotations

from decimal import Decimal

from evaluation.formatting import number
from evaluation.indicators.system import Indicator
from evaluation.model import Evaluation, StatedRow
from evaluation.scoring.engine import EvaluationResult, IndicatorResult, PenaltyResult, assemble, rate_of

ZERO = Decimal(0)

SELF_LABEL = "自评得分"
REVIEW_LABEL = "复核得分"
THIRD_PARTY_LABEL = "评价得分"


def figure_label(ev: Evaluation) -> str:
    """What the figure of record is called: 自评得分 for a 自评 record, 评价得分 otherwise."""
    return SELF_LABEL if ev.kind == "self_evaluation" else THIRD_PARTY_LABEL


def stated_score(ind: Indicator, stated: StatedRow | None) -> tuple[Decimal, Decimal | None]:
    """(weight, score) of one row as the document states them: the row's own 分值 where it differs from
    the system, its 得分 (or 分值 − 扣分 where only the 扣分 is written). A row left blank has no score,
    except one worth 0 points, which scores 0."""
    weight = stated.weight if stated is not None and stated.weight is not None else ind.weight
    if stated is not None and stated.score is not None:
        return weight, stated.score
    if stated is not None and stated.deduction is not None:
        return weight, weight - stated.deduction
    return weight, (ZERO if weight == 0 else None)


def stated_result(ev: Evaluation) -> EvaluationResult:
    """The department's own figures for every row, as a result (rows it left blank are unscored)."""
    rows: list[IndicatorResult] = []
    by_code = ev.assessments_by_code()
    for l1, g, ind in ev.system.indicators():
        a = by_code.get(ind.code)
        weight, value = stated_score(ind, a.stated if a is not None else None)
        rows.append(
            IndicatorResult(
                code=ind.code,
                level1_code=l1.code,
                level1=l1.name,
                level2_code=g.code,
                level2=g.name,
                name=ind.name,
                weight=weight,
                status="未评" if value is None else "已评",
                score=value,
                computed=value,
                deduction=None if value is None else weight - value,
                rate=None if value is None else rate_of(value, weight),
                method=ind.method_label,
                rule=ind.rule_in_words(),
                explanation="表中未填得分。" if value is None else f"部门自评得分 {number(value)} 分（表中所列）。",
            )
        )
    penalties: list[PenaltyResult] = []
    for item in ev.system.penalty_items():
        a = by_code.get(item.code)
        s = a.stated if a is not None else None
        points = (s.deduction or s.score or ZERO) if s is not None else ZERO
        penalties.append(PenaltyResult(item.code, item.name, points, "已评", f"表中所列扣 {number(points)} 分。"))
    return assemble(ev.system, rows, tuple(penalties), ev.id)


def record_result(ev: Evaluation, result: EvaluationResult) -> EvaluationResult:
    """The figure of record: the department's own for a 自评 record, ``result`` (the rules') otherwise."""
    return stated_result(ev) if ev.kind == "self_evaluation" else result
