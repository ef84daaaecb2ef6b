"""Batch review (批量复核) of a department's 项目支出绩效自评表.

Every table is checked with the 复核 checks; the score the rules give is put beside each stated
score; the department summary — projects, budgets, spending, execution rate, scores, grade counts —
is computed from the tables and compared with what the department's report states. The result is
plain data, rendered to a Word 复核报告 and an Excel 复核表.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from evaluation.formatting import amount, number, share
from evaluation.model import DepartmentSummary, Evaluation
from evaluation.review.base import CheckFinding, sort_findings
from evaluation.review.checks import check
from evaluation.review.department import check_department
from evaluation.scoring.engine import EvaluationResult, score


@dataclass(frozen=True)
class ScoreLine:
    code: str
    name: str
    weight: Decimal
    stated: Decimal | None
    suggested: Decimal | None
    basis: str

    @property
    def differs(self) -> bool:
        return self.stated is not None and self.suggested is not None and self.stated != self.suggested


@dataclass(frozen=True)
class ProjectReview:
    evaluation: Evaluation
    result: EvaluationResult
    findings: list[CheckFinding]
    lines: list[ScoreLine]

    @property
    def stated_total(self) -> Decimal | None:
        return self.evaluation.stated.total if self.evaluation.stated else None

    @property
    def stated_grade(self) -> str | None:
        t = self.stated_total
        return None if t is None else self.evaluation.system.grade_for(t)

    @property
    def budget(self) -> tuple[Decimal | None, Decimal | None]:
        se = self.evaluation.self_evaluation
        if se is None or not se.budget_rows:
            return None, None
        return se.budget_rows[0].annual, se.budget_rows[0].executed


@dataclass
class BatchReview:
    department: str
    year: int | None
    projects: list[ProjectReview]
    summary: DepartmentSummary | None
    department_findings: list[CheckFinding] = field(default_factory=list)

    @property
    def project_reviews(self) -> list[ProjectReview]:
        """The project tables (a 部门整体 table is reviewed but not counted as a project)."""
        return [
            p
            for p in self.projects
            if not (p.evaluation.self_evaluation and p.evaluation.self_evaluation.scope == "部门整体")
        ]

    def computed_summary(self) -> dict[str, str]:
        projects = self.project_reviews
        budget = sum((p.budget[0] or Decimal(0) for p in projects), Decimal(0))
        spent = sum((p.budget[1] or Decimal(0) for p in projects), Decimal(0))
        stated_grades = Counter(p.stated_grade for p in projects if p.stated_grade)
        rule_grades = Counter(p.result.grade for p in projects)
        return {
            "项目个数": str(len(projects)),
            "全年预算合计（万元）": amount(budget),
            "全年执行合计（万元）": amount(spent),
            "预算执行率": share(spent, budget),
            "等级分布（按表中总分）": "，".join(f"{g} {stated_grades.get(g, 0)} 个" for g in ("优", "良", "中", "差")),
            "等级分布（按规则重算）": "，".join(f"{g} {rule_grades.get(g, 0)} 个" for g in ("优", "良", "中", "差")),
        }

    def stated_summary(self) -> dict[str, str]:
        if self.summary is None:
            return {}
        s = self.summary.stated
        return {
            "项目个数": number(Decimal(s.project_count)) if s.project_count is not None else "—",
            "全年预算合计（万元）": amount(s.total_budget),
            "全年执行合计（万元）": amount(s.spent),
            "预算执行率": s.rate or "—",
            "等级分布（按表中总分）": "，".join(f"{g} {n} 个" for g, n in s.grade_counts.items()) or "—",
            "等级分布（按规则重算）": "—",
        }

    def all_findings(self) -> list[tuple[str, CheckFinding]]:
        out = [(p.evaluation.project.name, f) for p in self.projects for f in p.findings]
        out += [("部门汇总", f) for f in self.department_findings]
        return out


def _lines(ev: Evaluation, result: EvaluationResult) -> list[ScoreLine]:
    lines = []
    by_code = ev.assessments_by_code()
    for r in result.indicators:
        a = by_code.get(r.code)
        stated = a.stated.score if a is not None and a.stated is not None else None
        suggested = r.computed if r.computed is not None else r.score
        lines.append(ScoreLine(r.code, r.name, r.weight, stated, suggested, r.explanation))
    return lines


def review_batch(evaluations: list[Evaluation], summary: DepartmentSummary | None = None) -> BatchReview:
    projects = []
    results: dict[str, EvaluationResult] = {}
    for ev in evaluations:
        result = results[ev.id] = score(ev)
        # the department report's line for each table is checked once, with the report (below)
        projects.append(ProjectReview(ev, result, sort_findings(check(ev, result)), _lines(ev, result)))
    departments = Counter(ev.project.department for ev in evaluations)
    years = Counter(ev.project.year for ev in evaluations)
    review = BatchReview(
        department=summary.department if summary else (departments.most_common(1)[0][0] if departments else ""),
        year=summary.year if summary else (years.most_common(1)[0][0] if years else None),
        projects=projects,
        summary=summary,
    )
    if summary is not None:
        review.department_findings = sort_findings(check_department(summary, evaluations, results))
    return review
