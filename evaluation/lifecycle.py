"""Pure steps of a commission's life cycle: a new evaluation from a template, next year's copy, and
carrying the recorded evidence over when the evaluation's indicator system changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from evaluation.errors import Problem, ValidationFailed
from evaluation.formatting import number
from evaluation.indicators.library import compose
from evaluation.indicators.rules import ManualRule
from evaluation.indicators.system import Group, Indicator, IndicatorSystem, Pack
from evaluation.model import Assessment, Evaluation, Funds, Inputs, Project, Rectification, ReportProblem
from evaluation.scoring.engine import EvaluationResult, score

# --------------------------------------------------------------------------- creating and duplicating


def new_evaluation_id(year: int, existing: set[str], prefix: str = "eval") -> str:
    """``eval-2025-1``, ``eval-2025-2`` …: the first free id for the year."""
    n = 1
    while f"{prefix}-{year}-{n}" in existing:
        n += 1
    return f"{prefix}-{year}-{n}"


def placeholder_personal(template: IndicatorSystem) -> list[Group]:
    """When no 个性 example is chosen: one 直接评分 indicator holding the slot's weight, to edit later."""
    slot = next((g for g in template.groups if g.slot == "personal"), None)
    if slot is None or slot.weight is None:
        return []
    ind = Indicator(
        code=f"{slot.code}.01.01",
        name="个性指标（待设置）",
        weight=slot.weight,
        explanation="在“指标体系”页按本项目的绩效目标设置个性指标",
        rule=ManualRule(method="manual"),
    )
    return [Group(code=f"{slot.code}.01", name="个性指标", weight=slot.weight, indicators=[ind])]


def slots(template: IndicatorSystem) -> set[str]:
    """Which slots a template has: "pack" (专用指标, filled by a 专用指标包) and/or "personal" (个性指标)."""
    return {l1.slot for l1 in template.groups if l1.slot is not None}


def new_evaluation(
    *,
    id: str,
    project: Project,
    template: IndicatorSystem,
    pack: Pack | None = None,
    personal: list[Group] | None = None,
) -> Evaluation:
    """A new evaluation whose snapshot is the template with its 专用 and 个性 slots filled. A pack or
    个性 examples for a template without the slot are refused, never silently left out."""
    problems = []
    if pack is not None and "pack" not in slots(template):
        problems.append(
            Problem(f"指标体系“{template.name}”没有专用指标位置，不能选用专用指标包", None, None, "专用指标包")
        )
    if personal and "personal" not in slots(template):
        problems.append(
            Problem(f"指标体系“{template.name}”没有个性指标位置，不能选用个性指标示例", None, None, "个性指标")
        )
    if problems:
        raise ValidationFailed(problems, "无法新建评价")
    groups = personal if personal else placeholder_personal(template)
    system = compose(template, pack=pack, personal=groups)
    return Evaluation(id=id, project=project, system=system)


def duplicate_for_next_year(ev: Evaluation, new_id: str) -> Evaluation:
    """Next year's evaluation of the same project: same system and descriptions, no scores or findings.

    Amounts, evaluation dates, implementation facts and everything scored are cleared; background,
    goals, organisation, targets, expenditure categories and the methods used are kept to edit. This
    year's problems become the new evaluation's ``prior_problems`` (上年问题), each with its 整改 as
    recorded (未整改 when none is) and its year, for the next report's 上年问题整改情况.
    """
    f = ev.facts
    funds = Funds(breakdown=[item.model_copy(update={"amount": Decimal(0)}) for item in f.funds.breakdown])
    facts = f.model_copy(update={"funds": funds, "implementation": ""})
    project = ev.project.model_copy(
        update={"year": ev.project.year + 1, "period_start": None, "period_end": None, "report_month": None}
    )
    report = ev.report.model_copy(update={"stages": []})
    self_eval = None
    if ev.self_evaluation is not None:
        rows = [
            r.model_copy(update={"executed": None, "rate": None, "score": None}) for r in ev.self_evaluation.budget_rows
        ]
        self_eval = ev.self_evaluation.model_copy(
            update={"budget_rows": rows, "actual_outcome": "", "deviation_analysis": "", "improvement": ""}
        )
    return Evaluation(
        id=new_id,
        kind=ev.kind,
        source=f"由 {ev.project.year} 年度评价“{ev.id}”复制",
        project=project,
        facts=facts,
        system=ev.system,
        report=report,
        self_evaluation=self_eval,
        prior_problems=carried_problems(ev),
    )


def carried_problems(ev: Evaluation) -> list[ReportProblem]:
    """This year's report problems as next year's 上年问题: title, text, cause and indicators kept, the year set,
    the 整改 as recorded (未整改 when none is); the unit's answer and the agency's reply stay with this year."""
    return [
        p.model_copy(
            update={
                "year": ev.project.year,
                "rectification": p.rectification if p.rectification is not None else Rectification(),
                "response": None,
                "reply": None,
            }
        )
        for p in ev.problems
    ]


@dataclass(frozen=True)
class Reconciled:
    assessments: list[Assessment]
    removed: tuple[str, ...]  # codes whose assessment is dropped (indicator removed)
    reset: tuple[str, ...]  # codes whose inputs no longer fit the new rule (evidence and narrative kept)


def reconcile_assessments(old: IndicatorSystem, new: IndicatorSystem, assessments: list[Assessment]) -> Reconciled:
    """Keep every assessment that still fits; keep evidence and narrative when the rule changed."""
    new_ind = {ind.code: ind for _, _, ind in new.indicators()}
    old_ind = {ind.code: ind for _, _, ind in old.indicators()}
    penalty_codes = {p.code for p in new.penalty_items()}
    kept: list[Assessment] = []
    removed: list[str] = []
    reset: list[str] = []
    for a in assessments:
        if a.code in penalty_codes:
            kept.append(a)
            continue
        ind = new_ind.get(a.code)
        if ind is None:
            removed.append(a.code)
            continue
        before = old_ind.get(a.code)
        if before is not None and before.rule == ind.rule and before.weight == ind.weight:
            kept.append(a)
            continue
        update: dict[str, Any] = {}
        if before is None or before.rule != ind.rule:
            update["inputs"] = Inputs()
            reset.append(a.code)
        if a.override is not None and a.override.score > ind.weight:
            update["override"] = None
            if a.code not in reset:
                reset.append(a.code)
        kept.append(a.model_copy(update=update))
    return Reconciled(kept, tuple(removed), tuple(reset))


@dataclass(frozen=True)
class ScoreChange:
    """One indicator whose score or record changes when a new system is applied."""

    code: str
    name: str
    before: Decimal | None
    after: Decimal | None
    why: str


@dataclass(frozen=True)
class SystemChange:
    """The evaluation with a new system applied (assessments carried over, the draft cleared) and what that
    does to the scores, for the consultant to see before saving."""

    evaluation: Evaluation
    changes: tuple[ScoreChange, ...]
    total_before: Decimal
    total_after: Decimal
    removed: tuple[str, ...]
    reset: tuple[str, ...]

    @property
    def touches_evidence(self) -> bool:
        """Whether a recorded score changes, or evidence is dropped or its inputs cleared (the page then asks
        for confirmation)."""
        return bool(self.removed or self.reset or any(c.before is not None for c in self.changes))


def change_system(ev: Evaluation, new: IndicatorSystem, before: EvaluationResult) -> SystemChange:
    """Apply ``new`` to ``ev``: kept indicators keep their records, changed rules clear only the inputs (evidence
    and narrative stay), removed indicators lose theirs. ``before`` is ``score(ev)``; the new scores are
    computed once here."""
    rec = reconcile_assessments(ev.system, new, ev.assessments)
    changed = ev.model_copy(update={"system": new, "assessments": rec.assessments, "system_draft": None})
    after = score(changed)
    old_rows = {r.code: r for r in before.indicators}
    new_rows = {r.code: r for r in after.indicators}
    weights = {ind.code: ind.weight for _, _, ind in new.indicators()}
    rows: list[ScoreChange] = []
    for code, old in old_rows.items():
        now = new_rows.get(code)
        if now is None:
            why = "指标删除，其评分记录一并删除" if code in rec.removed else "指标删除"
            rows.append(ScoreChange(code, old.name, old.score, None, why))
        elif code in rec.reset:
            rows.append(
                ScoreChange(
                    code, now.name, old.score, now.score, "评分规则或分值改变，评分输入已清空（证据与评分过程保留）"
                )
            )
        elif old.score != now.score or old.weight != now.weight:
            why = f"分值 {number(old.weight)} → {number(now.weight)}" if old.weight != now.weight else "按新规则重算"
            rows.append(ScoreChange(code, now.name, old.score, now.score, why))
    rows += [
        ScoreChange(code, now.name, None, now.score, f"新指标（{number(weights[code])} 分）")
        for code, now in new_rows.items()
        if code not in old_rows
    ]
    return SystemChange(changed, tuple(rows), before.total, after.total, rec.removed, rec.reset)
