"""Completeness of a third-party evaluation: unscored indicators, indicators without evidence or
narrative, findings without a source, problems without a suggestion, required report fields.

Pure domain code: no streamlit, no database.
"""

from __future__ import annotations

from typing import Any

from evaluation.model import Evaluation
from evaluation.review.base import INFO, WARNING, Collector, Location, table_name
from evaluation.scoring.engine import EvaluationResult

_REPORT_FIELDS: tuple[tuple[str, str], ...] = (
    ("project.commissioner", "委托单位"),
    ("project.agency", "评价机构"),
    ("project.implementing_unit", "实施单位"),
    ("project.report_month", "报告年月"),
    ("facts.background", "项目背景"),
    ("facts.overall_goal", "总体目标"),
    ("facts.annual_goal", "年度绩效目标"),
)


def check_completeness(ev: Evaluation, result: EvaluationResult, out: Collector) -> None:
    table = table_name(ev)
    for r in result.indicators:
        if r.status == "未评":
            out.add(WARNING, "MISSING_ASSESSMENT", Location(table, r.name, "得分", r.code), f"“{r.name}”尚未评分。")
    if ev.kind != "third_party":
        return
    by_code = ev.assessments_by_code()
    for _, _, ind in ev.system.indicators():
        a = by_code.get(ind.code)
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
