"""项目信息: cover fields, project facts, funds with the expenditure breakdown, evaluation work."""

from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from evaluation.formatting import amount, percent
from evaluation.funds import breakdown, execution_rate
from evaluation.model import ExpenseItem, Funds, PerformanceTarget, Stage
from ui.access import readonly
from ui.feedback import FieldError, parse_amount, show_error
from ui.guard import page_setup
from ui.saving import save, widget_key
from ui.state import UNSAVED_NOTE, choose_evaluation, show_flash
from ui.unsaved import has_edits, tables_unsaved

METHODS = ["文献研究法", "现场核查法", "访谈法", "问卷调查法", "比较法", "因素分析法", "公众评判法", "标杆管理法"]


def text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()


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
    cover_saved = st.form_submit_button("保存", type="primary", disabled=readonly())
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
            new = ev.model_validate({**ev.model_dump(), "project": project.model_dump()})
        except ValidationError as e:
            show_error(e)
        else:
            save(eng, loaded, new, "已保存封面与基本信息。", form="cover")

with facts_tab, st.form("facts"):
    background = st.text_area("项目背景", f.background, height=120, key=k("facts.background"))
    overall = st.text_area("总体目标", f.overall_goal, key=k("facts.overall"))
    annual = st.text_area("年度绩效目标（概述）", f.annual_goal, key=k("facts.annual"))
    st.markdown("**年度绩效目标表**（可增删行）")
    targets_df = pd.DataFrame(
        [{"一级指标": t.level1, "二级指标": t.level2, "指标名称": t.name, "目标值": t.value} for t in f.annual_targets],
        columns=["一级指标", "二级指标", "指标名称", "目标值"],
    )
    targets = st.data_editor(targets_df, num_rows="dynamic", width="stretch", key=k("facts.targets"))
    organization = st.text_area("组织架构及实施流程", f.organization, height=120, key=k("facts.organization"))
    implementation = st.text_area("项目实施情况", f.implementation, height=120, key=k("facts.implementation"))
    facts_saved = st.form_submit_button("保存", type="primary", disabled=readonly())
if facts_saved:
    with facts_tab:
        try:
            rows = []
            for i, r in enumerate(targets.to_dict("records"), 1):
                if not any(text(v) for v in r.values()):
                    continue
                if not text(r["指标名称"]):
                    raise FieldError("年度绩效目标表", f"第 {i} 行缺少指标名称")
                rows.append(
                    PerformanceTarget(
                        name=text(r["指标名称"]),
                        value=text(r["目标值"]),
                        level1=text(r["一级指标"]),
                        level2=text(r["二级指标"]),
                    )
                )
            facts = f.model_copy(
                update={
                    "background": background,
                    "overall_goal": overall,
                    "annual_goal": annual,
                    "annual_targets": rows,
                    "organization": organization,
                    "implementation": implementation,
                }
            )
            new = ev.model_validate({**ev.model_dump(), "facts": facts.model_dump()})
        except (FieldError, ValidationError) as e:
            show_error(e)
        else:
            save(eng, loaded, new, "已保存项目情况与绩效目标。", form="facts")

with funds_tab:
    fd = f.funds
    st.markdown("**支出明细表（表1-1）**（可增删行；合计与占比随输入即时更新，点下方“保存”写入）")
    breakdown_df = pd.DataFrame(
        [{"支出类别": e.category, "金额（万元）": float(e.amount)} for e in fd.breakdown],
        columns=["支出类别", "金额（万元）"],
    )
    # outside the form so that the totals below follow every edit; the source frame stays the stored
    # data (never the editor's own output), so no edit is lost between reruns
    edited = st.data_editor(
        breakdown_df,
        num_rows="dynamic",
        width="stretch",
        key=k("funds.breakdown"),
        column_config={"金额（万元）": st.column_config.NumberColumn(min_value=0.0, format="%.2f", step=0.01)},
    )
    tables_unsaved(has_edits(k("funds.breakdown")))
    items: list[ExpenseItem] = []
    problems: list[str] = []
    for i, r in enumerate(edited.to_dict("records"), 1):
        cat, value = text(r["支出类别"]), r["金额（万元）"]
        if not cat and (value is None or value != value):
            continue
        if not cat:
            problems.append(f"支出明细第 {i} 行缺少支出类别")
            continue
        if value is None or value != value:
            problems.append(f"支出明细第 {i} 行“{cat}”缺少金额")
            continue
        if value < 0:
            problems.append(f"支出明细第 {i} 行“{cat}”金额不能为负数")
            continue
        items.append(ExpenseItem(category=cat, amount=Decimal(str(value)).quantize(Decimal("0.000001")).normalize()))
    live_spent = st.session_state.get(k("funds.spent"))
    try:
        spent_value = parse_amount(live_spent, "实际支出") if isinstance(live_spent, str) else fd.spent
    except FieldError:
        spent_value = fd.spent
    b = breakdown(items, spent_value)
    st.dataframe(
        pd.DataFrame(
            [{"支出类别": r.category, "金额（万元）": amount(r.amount), "占比": percent(r.share)} for r in b.rows]
            + [{"支出类别": "合计", "金额（万元）": amount(b.total), "占比": "100.00%" if b.total else "—"}]
        ),
        hide_index=True,
        width="stretch",
    )
    if problems:
        st.error("；".join(problems))
    if b.mismatch:
        st.warning(b.mismatch)
    with st.form("funds"):
        st.caption("金额单位：万元")
        c1, c2, c3 = st.columns(3)

        def shown(d: Decimal | None) -> str:
            return "" if d is None else f"{d:f}"

        planned = c1.text_input("计划到位资金", shown(fd.planned), key=k("funds.planned"))
        received = c2.text_input("实际到位资金", shown(fd.received), key=k("funds.received"))
        initial = c3.text_input("年初预算", shown(fd.initial_budget), key=k("funds.initial"))
        adjusted = c1.text_input("调整后预算（全年预算）", shown(fd.adjusted_budget), key=k("funds.adjusted"))
        spent = c2.text_input("实际支出", shown(fd.spent), key=k("funds.spent"))
        arrival = st.text_area("资金到位情况说明", fd.arrival, key=k("funds.arrival"))
        usage = st.text_area("资金使用情况说明", fd.usage, key=k("funds.usage"))
        management = st.text_area("资金管理情况说明", fd.management, key=k("funds.management"))
        funds_saved = st.form_submit_button("保存", type="primary", disabled=readonly())
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
            new = ev.model_validate({**ev.model_dump(), "facts": facts.model_dump()})
        except (FieldError, ValidationError) as e:
            show_error(e)
        else:
            after = breakdown(items, funds.spent)
            save(
                eng,
                loaded,
                new,
                "已保存资金情况。" + (f"注意：{after.mismatch}" if after.mismatch else ""),
                form="funds",
            )

with work_tab, st.form("work"):
    rs = ev.report
    c1, c2 = st.columns(2)
    period_start = c1.text_input("评价工作开始年月（如 2024-08）", p.period_start or "", key=k("work.period_start"))
    period_end = c2.text_input("评价工作结束年月", p.period_end or "", key=k("work.period_end"))
    st.markdown("**评价流程（阶段与日期）**（可增删行；年月写成 2024-08）")
    stages_df = pd.DataFrame(
        [{"阶段": s.name, "开始年月": s.start, "结束年月": s.end or "", "工作内容": s.description} for s in rs.stages],
        columns=["阶段", "开始年月", "结束年月", "工作内容"],
    )
    if stages_df.empty:
        stages_df = pd.DataFrame(
            [{"阶段": n, "开始年月": "", "结束年月": "", "工作内容": ""} for n in ("前期准备", "组织实施", "分析评价")]
        )
    stages = st.data_editor(stages_df, num_rows="dynamic", width="stretch", key=k("work.stages"))
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
    sites = st.text_area("评价对象与选点", rs.sites, key=k("work.sites"))
    work_saved = st.form_submit_button("保存", type="primary", disabled=readonly())
if work_saved:
    with work_tab:
        try:
            stage_rows = []
            for i, r in enumerate(stages.to_dict("records"), 1):
                if not any(text(v) for v in r.values()):
                    continue
                if not text(r["开始年月"]):
                    if not text(r["结束年月"]) and not text(r["工作内容"]):
                        continue
                    raise FieldError("评价流程", f"第 {i} 行“{text(r['阶段'])}”缺少开始年月")
                stage_rows.append(
                    Stage(
                        name=text(r["阶段"]),
                        start=text(r["开始年月"]),
                        end=text(r["结束年月"]) or None,
                        description=text(r["工作内容"]),
                    )
                )
            report = rs.model_copy(
                update={"stages": stage_rows, "methods": list(methods), "purpose": purpose, "sites": sites}
            )
            project = p.model_copy(
                update={"period_start": period_start.strip() or None, "period_end": period_end.strip() or None}
            )
            new = ev.model_validate({**ev.model_dump(), "report": report.model_dump(), "project": project.model_dump()})
        except (FieldError, ValidationError) as e:
            show_error(e)
        else:
            save(eng, loaded, new, "已保存评价工作安排。", form="work")
