"""Findings across an evaluation, for 存在问题及原因分析 and 相关建议: listing them grouped by
indicator, applying the consultant's marks, drafting report problems from the marked ones, and
renumbering problems and suggestions when they are reordered."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from evaluation.indicators.rules import DeductionRule, PenaltyRule
from evaluation.model import Evaluation, Finding, ReportProblem, Suggestion
from evaluation.scoring.engine import EvaluationResult


@dataclass(frozen=True)
class FindingRow:
    group: str  # 一级指标 › 二级指标, or 扣分项
    code: str
    indicator: str
    index: int  # position in the assessment's findings
    text: str
    points: Decimal | None  # points this finding cost (None when the rule does not deduct per finding)
    cause: str
    in_report: bool


def finding_rows(ev: Evaluation, result: EvaluationResult) -> list[FindingRow]:
    """Every recorded finding, in the order of the indicator system."""
    rows: list[FindingRow] = []
    order: list[tuple[str, str, str, Decimal | None]] = []
    for l1, g, ind in ev.system.indicators():
        per = ind.rule.points_per_finding if isinstance(ind.rule, DeductionRule) else None
        order.append((f"{l1.name} › {g.name}", ind.code, ind.name, per))
    for p in ev.system.penalty_items():
        rule: PenaltyRule = p.rule
        order.append(("扣分项", p.code, p.name, rule.points_per_problem))
    by_code = ev.assessments_by_code()
    for group, code, name, per in order:
        a = by_code.get(code)
        if a is None:
            continue
        for i, f in enumerate(a.inputs.findings):
            cost = f.points if f.points is not None else per
            rows.append(FindingRow(group, code, name, i, f.text, cost, f.cause, f.in_report))
    return rows


def lost_without_findings(ev: Evaluation, result: EvaluationResult) -> list[tuple[str, str, Decimal]]:
    """Indicators that lost points but record no finding: (code, name, points lost)."""
    with_findings = {r.code for r in finding_rows(ev, result)}
    return [
        (r.code, r.name, r.deduction)
        for r in result.indicators
        if r.deduction is not None and r.deduction > 0 and r.code not in with_findings
    ]


def apply_marks(ev: Evaluation, marks: dict[tuple[str, int], tuple[bool, str]]) -> Evaluation:
    """Set 写入报告 and 原因分析 on findings, keyed by (indicator code, finding index)."""
    assessments = []
    for a in ev.assessments:
        findings: list[Finding] = []
        for i, f in enumerate(a.inputs.findings):
            mark = marks.get((a.code, i))
            findings.append(f if mark is None else f.model_copy(update={"in_report": mark[0], "cause": mark[1]}))
        if findings != a.inputs.findings:
            a = a.model_copy(update={"inputs": a.inputs.model_copy(update={"findings": findings})})
        assessments.append(a)
    return ev.model_copy(update={"assessments": assessments})


def draft_problems(ev: Evaluation) -> Evaluation:
    """Add one report problem (and a suggestion answering it) per indicator whose marked findings no
    problem covers yet. Existing problems and suggestions are kept as they are."""
    covered = {code for p in ev.problems for code in p.indicators}
    problems = list(ev.problems)
    suggestions = list(ev.suggestions)
    names = {ind.code: ind.name for _, _, ind in ev.system.indicators()}
    names.update({p.code: p.name for p in ev.system.penalty_items()})
    for a in ev.assessments:
        marked = [f for f in a.inputs.findings if f.in_report]
        if not marked or a.code in covered:
            continue
        name = names.get(a.code, a.code)
        text = "；".join(f.text.strip().rstrip("。；") for f in marked) + "。"
        causes = [f.cause.strip().rstrip("。；") for f in marked if f.cause.strip()]
        problems.append(
            ReportProblem(
                title=f"{name}方面存在不足",
                text=text,
                cause="；".join(dict.fromkeys(causes)) + ("。" if causes else ""),
                indicators=[a.code],
            )
        )
        suggestions.append(Suggestion(title=f"进一步完善{name}", text="", answers=[len(problems)]))
    return ev.model_copy(update={"problems": problems, "suggestions": suggestions})


def renumber(
    problems: list[tuple[Decimal, int | None, ReportProblem]],
    suggestions: list[tuple[Decimal, Suggestion, list[Decimal]]],
) -> tuple[list[ReportProblem], list[Suggestion], list[str]]:
    """Order problems and suggestions by their 序号, keeping each suggestion on the problems it answers.

    ``problems`` are (序号, number the problem had when the table was loaded or None for a new one,
    problem). A suggestion's answers name problems by the number they had when loaded (new problems
    by their 序号), so moving a problem does not move the suggestions' targets. Returns the ordered
    lists, answers renumbered 1…n, and the Chinese problems found."""
    errors: list[str] = []
    seqs = [s for s, _, _ in problems]
    if len(set(seqs)) != len(seqs):
        errors.append("存在问题的序号有重复")
    ordered = sorted(problems, key=lambda t: (t[0], t[1] or 0))
    position: dict[Decimal, int] = {}
    for i, (_, orig, _) in enumerate(ordered, 1):
        if orig is not None:
            position[Decimal(orig)] = i
    for i, (seq, orig, _) in enumerate(ordered, 1):
        if orig is None and seq not in position:
            position[seq] = i
    out: list[Suggestion] = []
    for _, s, answers in sorted(suggestions, key=lambda t: t[0]):
        missing = [a for a in answers if a not in position]
        if missing:
            errors.append(f"建议“{s.title}”回应的问题序号 {'、'.join(f'{m:f}' for m in missing)} 不存在")
        out.append(s.model_copy(update={"answers": sorted(position[a] for a in answers if a in position)}))
    return [p for _, _, p in ordered], out, errors
