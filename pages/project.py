"""项目信息: cover fields, project facts, funds with the expenditure breakdown, evaluation work."""

import streamlit as st
from pydantic import ValidationError

from evaluation.formatting import percent
from evaluation.funds import breakdown, execution_rate
from evaluation.model import Funds
from ui.access import readonly
from ui.feedback import FieldError, parse_amount, show_error, typed, typed_amount
from ui.guard import page_setup
from ui.project_tables import (
    breakdown_frame,
    read_breakdown,
    read_stages,
    read_targets,
    read_team,
    show_breakdown,
    stages_frame,
    targets_frame,
    team_frame,
)
from ui.saving import replaced, save, submit, widget_key
from ui.state import UNSAVED_NOTE, choose_evaluation, show_flash
from ui.unsaved import has_edits, tables_unsaved

METHODS = ["文献研究法", "现场核查法", "访谈法", "问卷调查法", "比较法", "因素分析法", "公众评判法", "标杆管理法"]


eng = page_setup()
st.title("项目信息")
show_flash()
loaded = choose_evaluation(eng)
if loaded is None:
    st.stop()
ev = loaded.evaluation
p, f = ev.project, ev.facts
keys_from = loaded


def k(name: str) -> str:
    return widget_key(keys_from, name)


st.caption(UNSAVED_NOTE, help="Streamlit 在离开页面时丢弃未提交的表单内容")
cover, facts_tab, funds_tab, work_tab = st.tabs(
    ["封面与基本信息", "项目情况与绩效目标", "资金情况", "评价工作"], key="project_tab"
)

with cover, st.form("cover"):
    c1, c2 = st.columns(2)
    name = c1.text_input("项目名称 *", p.name, key=k("cover.name"))
    department = c2.text_input("主管部门 *", p.department, key=k("cover.department"))
    unit = c1.text_input("实施单位", p.implementing_unit, key=k("cover.unit"))
    short = c2.text_input("主管部门简称（如“区经合局”）", p.department_short, key=k("cover.short"))
    commissioner = c1.text_input("委托单位", p.commissioner, key=k("cover.commissioner"))
    agency = c2.text_input("评价机构", p.agency, key=k("cover.agency"))
    year = c1.number_input("预算年度 *", 2000, 2100, p.year, key=k("cover.year"))
    category = c2.text_input("项目类别", p.category, key=k("cover.category"))
    doc_no = c1.text_input("预算资金文号", p.doc_no, key=k("cover.doc_no"))
    report_month = c2.text_input("报告年月（如 2024-10）", p.report_month or "", key=k("cover.report_month"))
    notice = st.text_input("委托依据（通知名称）", p.notice, key=k("cover.notice"))
    cover_saved = submit("保存", form="cover", type="primary", disabled=readonly())
if cover_saved:
    with cover:
        try:
            project = p.model_copy(
                update={
                    "name": name,
                    "department": department,
                    "implementing_unit": unit,
                    "department_short": short,
                    "commissioner": commissioner,
                    "agency": agency,
                    "year": int(year),
                    "category": category,
                    "doc_no": doc_no,
                    "report_month": report_month.strip() or None,
                    "notice": notice,
                }
            )
            new = replaced(ev, project=project)
        except ValidationError as e:
            show_error(e)
        else:
            save(eng, loaded, new, "已保存封面与基本信息。", form="cover")

with facts_tab, st.form("facts"):
    background = st.text_area("项目背景", f.background, height=120, key=k("facts.background"))
    overall = st.text_area("总体目标", f.overall_goal, key=k("facts.overall"))
    annual = st.text_area("年度绩效目标（概述）", f.annual_goal, key=k("facts.annual"))
    st.markdown("**年度绩效目标表**（可增删行）")
    targets = st.data_editor(
        targets_frame(f.annual_targets), num_rows="dynamic", width="stretch", key=k("facts.targets"), placeholder=""
    )
    organization = st.text_area("组织架构及实施流程", f.organization, height=120, key=k("facts.organization"))
    implementation = st.text_area("项目实施情况", f.implementation, height=120, key=k("facts.implementation"))
    facts_saved = submit("保存", form="facts", type="primary", disabled=readonly())
if facts_saved:
    with facts_tab:
        try:
            facts = f.model_copy(
                update={
                    "background": background,
                    "overall_goal": overall,
                    "annual_goal": annual,
                    "annual_targets": read_targets(targets),
                    "organization": organization,
                    "implementation": implementation,
                }
            )
            new = replaced(ev, facts=facts)
        except (FieldError, ValidationError) as e:
            show_error(e)
        else:
            save(eng, loaded, new, "已保存项目情况与绩效目标。", form="facts")

with funds_tab:
    fd = f.funds
    st.markdown("**支出明细表（表1-1）**（可增删行；合计与占比随输入即时更新，点下方“保存”写入）")
    # outside the form so that the totals below follow every edit; the source frame stays the stored
    # data (never the editor's own output), so no edit is lost between reruns
    edited = st.data_editor(
        breakdown_frame(fd.breakdown),
        num_rows="dynamic",
        width="stretch",
        key=k("funds.breakdown"),
        column_config={"金额（万元）": st.column_config.NumberColumn(min_value=0.0, format="%.2f", step=0.01)},
        placeholder="",
    )
    tables_unsaved(has_edits(k("funds.breakdown")))
    items, problems = read_breakdown(edited)
    show_breakdown(items, problems, typed_amount(k("funds.spent"), fd.spent))
    with st.form("funds"):
        st.caption("金额单位：万元")
        c1, c2, c3 = st.columns(3)
        planned = c1.text_input("计划到位资金", typed(fd.planned), key=k("funds.planned"))
        received = c2.text_input("实际到位资金", typed(fd.received), key=k("funds.received"))
        initial = c3.text_input("年初预算", typed(fd.initial_budget), key=k("funds.initial"))
        adjusted = c1.text_input("调整后预算（全年预算）", typed(fd.adjusted_budget), key=k("funds.adjusted"))
        spent = c2.text_input("实际支出", typed(fd.spent), key=k("funds.spent"))
        arrival = st.text_area("资金到位情况说明", fd.arrival, key=k("funds.arrival"))
        usage = st.text_area("资金使用情况说明", fd.usage, key=k("funds.usage"))
        management = st.text_area("资金管理情况说明", fd.management, key=k("funds.management"))
        funds_saved = submit("保存", form="funds", type="primary", disabled=readonly())
    rate = execution_rate(fd)
    if rate is not None:
        st.caption(f"预算执行率（已保存数据）：{percent(rate)}")
    if funds_saved:
        try:
            if problems:
                raise FieldError("支出明细表", "；".join(problems))
            funds = Funds(
                planned=parse_amount(planned, "计划到位资金"),
                received=parse_amount(received, "实际到位资金"),
                initial_budget=parse_amount(initial, "年初预算"),
                adjusted_budget=parse_amount(adjusted, "调整后预算"),
                spent=parse_amount(spent, "实际支出"),
                breakdown=items,
                arrival=arrival,
                usage=usage,
                management=management,
            )
            facts = f.model_copy(update={"funds": funds})
            new = replaced(ev, facts=facts)
        except (FieldError, ValidationError) as e:
            show_error(e)
        else:
            mismatch = breakdown(items, funds.spent).mismatch
            save(eng, loaded, new, "已保存资金情况。" + (f"注意：{mismatch}" if mismatch else ""), form="funds")

with work_tab, st.form("work"):
    rs = ev.report
    c1, c2 = st.columns(2)
    period_start = c1.text_input("评价工作开始年月（如 2024-08）", p.period_start or "", key=k("work.period_start"))
    period_end = c2.text_input("评价工作结束年月", p.period_end or "", key=k("work.period_end"))
    st.markdown("**评价流程（阶段与日期）**（可增删行；年月写成 2024-08）")
    stages = st.data_editor(
        stages_frame(rs.stages), num_rows="dynamic", width="stretch", key=k("work.stages"), placeholder=""
    )
    options = METHODS + [m for m in rs.methods if m not in METHODS]
    methods = st.multiselect(
        "所用评价方法",
        options,
        default=rs.methods,
        key=k("work.methods"),
        accept_new_options=True,
        placeholder="选择或输入方法",
    )
    purpose = st.text_area("评价目的（留空用机构默认文字）", rs.purpose, key=k("work.purpose"))
    basis = st.text_area("评价依据（写入评价方案；留空用机构默认文字）", rs.basis, key=k("work.basis"))
    sites = st.text_area("评价对象与选点", rs.sites, key=k("work.sites"))
    st.markdown("**评价组人员分工**（写入评价方案；可增删行）")
    team = st.data_editor(team_frame(rs.team), num_rows="dynamic", width="stretch", key=k("work.team"), placeholder="")
    work_saved = submit("保存", form="work", type="primary", disabled=readonly())
if work_saved:
    with work_tab:
        try:
            report = rs.model_copy(
                update={
                    "stages": read_stages(stages),
                    "methods": list(methods),
                    "purpose": purpose,
                    "basis": basis,
                    "sites": sites,
                    "team": read_team(team),
                }
            )
            project = p.model_copy(
                update={"period_start": period_start.strip() or None, "period_end": period_end.strip() or None}
            )
            new = replaced(ev, report=report, project=project)
        except (FieldError, ValidationError) as e:
            show_error(e)
        else:
            save(eng, loaded, new, "已保存评价工作安排。", form="work")
