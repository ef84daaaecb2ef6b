"""What the report page shows before the report is built: the outline (the report context's own headings)
and the items still missing for a complete report (what, and where to fill it in)."""

from __future__ import annotations

from dataclasses import dataclass

from evaluation.model import Evaluation
from evaluation.report.context import ReportContext
from evaluation.scoring.engine import EvaluationResult


@dataclass(frozen=True)
class Missing:
    what: str
    where: str  # page › section
    blocking: bool  # the report cannot be built without it


def outline(ctx: ReportContext) -> list[tuple[int, str]]:
    """(level, heading) of the report body, numbered as the report numbers them: 1 = 一、, 2 = （一）, 3 = 1."""
    return [(h.level, h.text) for h in ctx.headings() if h.level >= 1]


def missing_items(ev: Evaluation, result: EvaluationResult) -> list[Missing]:
    """Everything a complete Panzhihua-style report needs that is not filled in yet."""
    out: list[Missing] = []
    p, f, rs = ev.project, ev.facts, ev.report
    for value, what in (
        (p.commissioner, "委托单位"),
        (p.agency, "评价机构"),
        (p.implementing_unit, "实施单位"),
        (p.report_month, "报告年月"),
    ):
        if not value:
            out.append(Missing(what, "项目信息 › 封面与基本信息", True))
    for value, what in (
        (f.background, "项目背景"),
        (f.overall_goal, "总体目标"),
        (f.organization, "组织架构及实施流程"),
        (f.implementation, "项目实施情况"),
    ):
        if not value.strip():
            out.append(Missing(what, "项目信息 › 项目情况与绩效目标", False))
    if not f.annual_targets and not f.annual_goal.strip():
        out.append(Missing("年度绩效目标", "项目信息 › 项目情况与绩效目标", False))
    if f.funds.spent is None:
        out.append(Missing("实际支出", "项目信息 › 资金情况", False))
    if not f.funds.breakdown:
        out.append(Missing("支出明细表（表1-1）", "项目信息 › 资金情况", False))
    if not rs.stages:
        out.append(Missing("评价流程的阶段与日期", "项目信息 › 评价工作", False))
    if not rs.methods:
        out.append(Missing("所用评价方法", "项目信息 › 评价工作", False))
    unscored = [f"{r.name}（{r.code}）" for r in result.indicators if r.score is None]
    if unscored:
        out.append(Missing(f"{len(unscored)} 项指标未评分或输入有误：{'、'.join(unscored)}", "证据与评分", True))
    if result.total < result.weight_total and not ev.problems:
        out.append(Missing("存在问题（有指标扣分，但还没有写存在问题）", "问题与建议", False))
    if ev.problems and not ev.suggestions:
        out.append(Missing("相关建议", "问题与建议", False))
    waiting = [p.title for p in ev.problems if p.response is not None and p.response.stance == "有异议" and not p.reply]
    if waiting:
        said = f"{len(waiting)} 条被评价单位的异议尚未答复（附件2 征求意见采纳情况表）：{'、'.join(waiting)}"
        out.append(Missing(said, "问题与建议 › 征求意见", False))
    return out
