"""What the report page previews before the report is built: the outline (Panzhihua structure),
表3-1 and 附件1 as rows, and the items still missing for a complete report (what, and where to fill
it in)."""

from __future__ import annotations

from dataclasses import dataclass

from evaluation.formatting import two
from evaluation.model import Evaluation
from evaluation.report.context import appendix_table_1, score_table_3_1
from evaluation.scoring.engine import EvaluationResult


@dataclass(frozen=True)
class Missing:
    what: str
    where: str  # page › section
    blocking: bool  # the report cannot be built without it


def outline(ev: Evaluation, result: EvaluationResult) -> list[tuple[int, str]]:
    """(level, heading) of the report body; level 1 = 一、, 2 = （一）, 3 = 1."""
    items: list[tuple[int, str]] = [
        (1, "一、评价项目情况"),
        (2, "（一）项目背景"),
        (2, "（二）项目绩效目标"),
        (3, "1. 总体目标"),
        (3, "2. 年度绩效目标"),
        (2, "（三）项目资金情况"),
        (3, "1. 资金到位情况"),
        (3, "2. 资金使用情况（表1-1 支出明细表）"),
        (3, "3. 资金管理情况"),
        (2, "（四）项目管理情况"),
        (3, "1. 组织架构及实施流程"),
        (3, "2. 项目实施情况"),
        (1, "二、评价工作开展情况"),
        (2, "（一）评价目的"),
        (2, "（二）评价对象与选点"),
        (2, "（三）评价流程"),
        (2, "（四）评价方法"),
        (2, "（五）评价指标"),
        (1, "三、评价结论"),
        (3, f"总分 {two(result.total)} 分，等级“{result.grade}”（表3-1 得分情况表）"),
        (1, "四、绩效分析"),
    ]
    cn = "一二三四五六七八九十"
    for i, l1 in enumerate(ev.system.groups):
        items.append((2, f"（{cn[i] if i < 10 else i + 1}）{l1.name}"))
        for j, g in enumerate(l1.groups, 1):
            items.append((3, f"{j}. {g.name}：" + "、".join(ind.name for ind in g.indicators)))
    items.append((1, "五、存在问题及原因分析"))
    items += [(3, f"{i}. {p.title}") for i, p in enumerate(ev.problems, 1)]
    items.append((1, "六、相关建议"))
    items += [(3, f"{i}. {s.title}") for i, s in enumerate(ev.suggestions, 1)]
    items.append((1, "附件1 项目支出绩效评价指标体系"))
    return items


def score_table(ev: Evaluation, result: EvaluationResult) -> list[list[str]]:
    """表3-1 得分情况表 as text rows (column names first), exactly as the Word report prints it."""
    return score_table_3_1(ev, result).texts()


def appendix_table(ev: Evaluation, result: EvaluationResult) -> list[list[str]]:
    """附件1 指标体系 as text rows (column names first), exactly as the Word report prints it."""
    return appendix_table_1(ev, result).texts()


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
    return out
