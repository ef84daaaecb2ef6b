"""The 评价方案: the agency's first deliverable, presenting the evaluation to the client before field work —
the project, purpose and basis, object and scope, methods, the indicator system as a table, the work
schedule and the team. Plain data like the report (``ReportContext``), rendered by the same Word renderer,
so it has the report's typography."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from evaluation.formatting import amount, number
from evaluation.model import Evaluation
from evaluation.report.context import (
    Cover,
    Doc,
    ReportContext,
    Table,
    TableCell,
    cn_number,
    fill,
    indicator_logic,
    indicator_rows,
    load_defaults,
    month_text,
    names_every_group,
    system_summary,
)


def build_plan_context(ev: Evaluation, defaults: dict[str, Any] | None = None) -> ReportContext:
    """Everything the 评价方案 says, as plain data (no scores: it is written before scoring starts)."""
    d = defaults or load_defaults()
    p = ev.project
    title = f"{p.name}绩效评价方案"
    doc = Doc()
    doc.h(0, title, numbered=False)
    doc.p(
        fill(
            d["plan_intro"],
            project=f"{p.name}项目",
            agency=p.agency or "评价机构",
            commissioner=p.commissioner or "委托单位",
        )
    )
    _overview(doc, ev)
    doc.h(1, "评价目的与依据")
    doc.h(2, "评价目的")
    doc.p(ev.report.purpose or d["purpose"])
    doc.h(2, "评价依据")
    doc.p(ev.report.basis or fill(d["basis"], commissioner=p.commissioner or "委托单位"))
    doc.h(1, "评价对象与范围")
    doc.p(ev.report.sites or fill(d["sites"], department=p.department_short or p.department, project=p.name))
    doc.p(f"评价范围为{p.year}年度该项目的预算安排、资金使用、项目管理和绩效目标实现情况。")
    _methods(doc, ev, d)
    _indicators(doc, ev, d)
    _schedule(doc, ev, d)
    _team(doc, ev)
    cover = Cover(
        title="项目支出绩效评价方案",
        fields=[
            ("项目名称", p.name),
            ("主管部门", p.department),
            ("实施单位", p.implementing_unit or p.department),
            ("委托单位", p.commissioner or "—"),
            ("评价机构", p.agency or "—"),
        ],
        date=month_text(p.period_start) or f"{p.year + 1}年",
    )
    return ReportContext(title=title, cover=cover, blocks=doc.blocks, fonts=dict(d.get("fonts", {})))


def _overview(doc: Doc, ev: Evaluation) -> None:
    p, facts, funds = ev.project, ev.facts, ev.facts.funds
    doc.h(1, "项目概况")
    doc.h(2, "项目基本情况")
    doc.p(facts.background or f"{p.name}为{p.department}{p.year}年度预算项目。")
    doc.h(2, "项目绩效目标")
    doc.p(facts.overall_goal or facts.annual_goal or "项目绩效目标以批复的绩效目标申报表为准。")
    budget = funds.adjusted_budget if funds.adjusted_budget is not None else funds.initial_budget
    if budget is not None:
        doc.h(2, "项目资金")
        doc.p(f"该项目{p.year}年度预算资金{amount(budget)}万元。")


def _methods(doc: Doc, ev: Evaluation, d: dict[str, Any]) -> None:
    doc.h(1, "评价方法")
    methods = ev.report.methods
    if not methods:
        doc.p("评价方法在现场工作前与委托单位商定。")
        return
    doc.p(fill(d["method_intro"], methods="、".join(methods)))
    for i, m in enumerate(methods, 1):
        doc.p(f"{i}. {m}。{d['methods'].get(m, '')}")


def _indicators(doc: Doc, ev: Evaluation, d: dict[str, Any]) -> None:
    system = ev.system
    doc.h(1, "评价指标体系")
    logic = indicator_logic(ev, d)
    doc.p(logic)
    doc.p(f"{system_summary(system, groups=not names_every_group(logic, system))}，具体见表5-1。")
    doc.add(indicator_table(ev))
    grades = system.grades
    levels = "；".join(
        f"{number(g.min)}分及以上为{g.name}" if i < len(grades) - 1 else f"{number(grades[i - 1].min)}分以下为{g.name}"
        for i, g in enumerate(grades)
    )
    doc.p(f"评价结果分为{cn_number(len(grades))}个等级：{levels}。各指标得分{system.rounding.describe()}。")


def indicator_table(ev: Evaluation) -> Table:
    """表5-1 指标体系: 一级/二级/三级指标, 分值, 指标解释, 评分标准 (merged group cells, 扣分项, 合计)."""
    system = ev.system
    columns = ["一级指标", "二级指标", "三级指标", "分值", "指标解释", "评分标准"]
    rows: list[list[TableCell | None]] = []
    for groups, ind in indicator_rows(system):
        rows.append(
            [
                *groups,
                TableCell(ind.name),
                TableCell(number(ind.weight)),
                TableCell(ind.explanation, align="left"),
                TableCell(ind.rule_text or ind.rule_in_words(), align="left"),
            ]
        )
    items = system.penalty_items()
    cap = system.penalties.cap if system.penalties else Decimal(0)
    for i, item in enumerate(items):
        rows.append(
            [
                TableCell(f"扣分项（最多扣{number(cap)}分）", merge_down=len(items) - 1) if i == 0 else None,
                TableCell(item.name, merge_right=1),
                None,
                TableCell("—"),
                TableCell(item.explanation, align="left"),
                TableCell(item.rule_text or item.rule.method, align="left"),
            ]
        )
    weight = sum((ind.weight for _, _, ind in system.indicators()), Decimal(0))
    rows.append(
        [
            TableCell("合计", merge_right=2, bold=True),
            None,
            None,
            TableCell(number(weight), bold=True),
            TableCell(""),
            TableCell(""),
        ]
    )
    return Table(
        caption=f"表5-1 {ev.project.name}绩效评价指标体系",
        unit="",
        columns=columns,
        widths=[1.9, 2.0, 2.3, 1.2, 3.6, 4.8],
        header_rows=[[TableCell(c, bold=True) for c in columns]],
        rows=rows,
        font_size=9,
        key="5-1",
    )


def _schedule(doc: Doc, ev: Evaluation, d: dict[str, Any]) -> None:
    doc.h(1, "工作安排")
    stages = ev.report.stages
    if not stages:
        doc.p("评价分前期准备、组织实施和分析评价三个阶段进行，各阶段时间与委托单位商定后另行通知。")
        return
    doc.p("评价工作分以下阶段进行，见表6-1。")
    rows: list[list[TableCell | None]] = []
    for s in stages:
        when = month_text(s.start) + (f"至{month_text(s.end)}" if s.end and s.end != s.start else "")
        text = s.description or d["stages"].get(s.name, "")
        rows.append([TableCell(s.name), TableCell(when), TableCell(text, align="left")])
    doc.add(
        Table(
            caption="表6-1 评价工作安排",
            unit="",
            columns=["阶段", "时间", "工作内容"],
            widths=[3.0, 3.6, 9.2],
            header_rows=[[TableCell(c, bold=True) for c in ("阶段", "时间", "工作内容")]],
            rows=rows,
            key="6-1",
        )
    )


def _team(doc: Doc, ev: Evaluation) -> None:
    doc.h(1, "人员分工")
    team = ev.report.team
    if not team:
        doc.p("评价组由评价机构委派的项目负责人和评价人员组成，必要时邀请行业专家参加，名单在现场工作前报委托单位。")
        return
    doc.p(f"评价组共{len(team)}人，分工见表7-1。")
    rows: list[list[TableCell | None]] = [
        [TableCell(m.name), TableCell(m.role), TableCell(m.duty, align="left")] for m in team
    ]
    doc.add(
        Table(
            caption="表7-1 评价组人员分工",
            unit="",
            columns=["姓名", "职务或角色", "分工"],
            widths=[3.0, 3.6, 9.2],
            header_rows=[[TableCell(c, bold=True) for c in ("姓名", "职务或角色", "分工")]],
            rows=rows,
            key="7-1",
        )
    )
