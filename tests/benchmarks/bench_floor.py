"""The floor of the page benchmarks: the workbench's pages drawn as a bare Streamlit app — the same widgets with
the same data (lists, tables, figures), computed beforehand, with no database, no sign-in check and no
scoring. ``bench_scale`` fills :data:`DATA` from the benchmark's database, runs ``bench_floor_app.py`` (which
calls the page functions here) with AppTest beside the real app, and reports each page's time as a ratio to
its floor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

DATA: dict[str, Any] = {}  # filled by ``collect``
PAGE = "floor_page"  # session key: the page the floor app draws


@dataclass
class Sidebar:
    labels: dict[str, str]  # every evaluation, for the 当前评价 picker
    score_text: str
    progress: float


@dataclass
class Floor:
    """What the pages show of one evaluation and of the whole portfolio."""

    key: str
    caption: str
    sidebar: Sidebar
    home_table: pd.DataFrame
    home_options: dict[str, list[Any]]
    home_rows: pd.DataFrame
    metrics: list[tuple[str, str]]
    indicator_list: pd.DataFrame
    indicator_labels: dict[str, str]
    header: dict[str, str]
    findings: pd.DataFrame
    evidence: pd.DataFrame
    narrative: str
    outline: str
    table31: pd.DataFrame
    project: dict[str, str]
    targets: pd.DataFrame
    history: pd.DataFrame  # the shown indicator's changes (the 本指标修改历史 table)
    departments: pd.DataFrame  # the 部门自评报告 table of 评价项目 (empty: none stored)
    texts: dict[str, Any] = field(default_factory=dict)  # the pages' texts that depend on the data (see collect)
    analysis: dict[str, Any] = field(default_factory=dict)


def _blank() -> bytes:
    return b""


def frame_html() -> None:
    """What every workbench page adds around its content: the unsaved-input script, the account box."""
    st.html(
        '<style>[data-testid="stElementContainer"]:has(#wb-unsaved){display:none}</style><span id="wb-unsaved"></span>'
    )
    box = st.sidebar.container()
    box.caption("当前用户：bench（管理员）")
    box.button("退出登录", key="wb_logout", icon=":material/logout:")


def picker(where: Any, label: str, labels: dict[str, str], key: str) -> None:
    """The evaluation picker as the workbench draws it: every label, or past ``PICK_ALL`` a search box and a
    short list."""
    from ui.state import PICK_ALL, SHORT_LIST

    options = list(labels)
    if len(options) > PICK_ALL:
        where.text_input("查找评价", key=f"{key}_find", placeholder="项目名称、主管部门、年度或编号")
        options = options[:SHORT_LIST]
        where.caption(f"共 {len(labels):,} 个评价，此处列出 {len(options)} 个（最近打开的在前）；输入关键词查找其余。")
    where.selectbox(label, options, format_func=lambda k: labels[k], key=key)


def sidebar(f: Floor) -> None:
    picker(st.sidebar, "当前评价", f.sidebar.labels, "wb_pick_evaluation")
    box = st.sidebar.container(border=True)
    box.markdown(f.sidebar.score_text)
    box.progress(f.sidebar.progress)
    st.caption(f.caption)


def home() -> None:
    f: Floor = DATA["floor"]
    frame_html()
    st.title("评价项目")
    c = st.columns([2, 1, 2, 1, 1, 2])
    c[0].text_input("搜索", placeholder="项目名称、主管部门或评价编号")
    for col, label in zip(c[1:], ("年度", "主管部门", "类型", "状态", "评价机构"), strict=True):
        col.multiselect(label, f.home_options[label], placeholder="全部")
    st.caption(f.texts["home_caption"])
    st.dataframe(f.home_table, hide_index=True, width="stretch")
    st.toggle("新建评价", key="wb_new_open")
    picker(st, "查看得分情况", f.sidebar.labels, "home_pick")
    for col, (label, value) in zip(st.columns(len(f.metrics)), f.metrics, strict=True):
        col.metric(label, value)
    if f.texts["stated_warning"]:
        st.warning(f.texts["stated_warning"])
    st.dataframe(f.home_rows, hide_index=True, width="stretch")
    c1, c2 = st.columns(2)
    with c1.popover("复制为下一年度评价"):
        st.markdown(f.texts["copy"])
        st.caption("保留指标体系、项目背景、目标、组织架构和支出类别；清空金额、评分、问题与评价日期。")
        st.button("复制", key="duplicate")
    with c2.popover("删除评价"):
        st.warning(f.texts["delete"])
        st.text_input("请输入评价编号以确认", key="delete_confirm")
        st.button("确认删除", key="delete", disabled=True)
    if not f.departments.empty:
        st.subheader("部门自评报告")
        st.caption(f"共 {len(f.departments)} 份；表中数字为报告所载，与各自评记录的核对见“自评表 › 批量复核”。")
        st.dataframe(f.departments, hide_index=True, width="stretch")


def evidence() -> None:
    f: Floor = DATA["floor"]
    frame_html()
    st.title("证据与评分")
    sidebar(f)
    with st.expander(f.texts["list_label"], icon=":material/checklist:"):
        st.dataframe(f.indicator_list, hide_index=True, width="stretch", selection_mode="single-row", on_select="rerun")
    c1, c2, c3 = st.columns([6, 1, 1], vertical_alignment="bottom")
    labels = f.indicator_labels
    c1.selectbox("指标", list(labels), format_func=lambda c: labels[c], key="floor_pick_indicator")
    c2.button("上一项", width="stretch", key="wb_prev", disabled=True)
    c3.button("下一未评", width="stretch", key="wb_next")
    st.subheader(f.header["title"])
    cols = st.columns([1, 1, 4])
    cols[0].metric("分值", f.header["weight"])
    cols[1].metric("得分", f.header["score"])
    cols[2].markdown(f.header["target"])
    st.markdown(f.header["rule_text"])
    st.caption(f.header["rule"])
    st.success(f.header["explanation"])
    tab_in, tab_ev, tab_text, tab_adj = st.tabs(["评分输入", "证据与附件", "评分过程", "调整得分"], key="evidence_tab")
    with tab_in, st.form("floor_inputs"):
        st.markdown("**发现的问题**（每行一处；可填扣分与证据）")
        st.data_editor(f.findings, num_rows="dynamic", width="stretch", key="floor_findings")
        saved = st.form_submit_button("计算并保存", type="primary")
    if saved:  # the common way of a bare app: the form's widgets dropped, the page drawn again (a second run)
        st.session_state.pop("floor_findings", None)
        st.rerun()
    with tab_ev, st.form("floor_evidence"):
        st.markdown("**证据索引**（文件名称、文号、凭证号、页码；可增删行）")
        st.data_editor(f.evidence, num_rows="dynamic", width="stretch", key="floor_refs")
        st.file_uploader(
            "上传附件（pdf、Word、Excel、图片、txt、csv；每个不超过 20 MB）",
            accept_multiple_files=True,
            key="floor_upload",
            max_upload_size=20,
        )
        st.form_submit_button("保存证据", type="primary")
    with tab_text, st.form("floor_narrative"):
        st.text_area("评分过程（写入报告“绩效分析”和附件1）", f.narrative, height=220, key="floor_text")
        st.checkbox("已复核", key="floor_reviewed")
        c1, c2 = st.columns(2)
        c1.form_submit_button("保存评分过程", type="primary")
        c2.form_submit_button("按输入和得分起草")
    with tab_adj:
        st.caption(f"规则计算得分：{f.header['computed']}。调整后以调整得分计入总分，须写明理由。")
        with st.form("floor_adjust"):
            c1, c2 = st.columns(2)
            c1.text_input(f"调整得分（0–{f.header['weight']}）", key="floor_adjust_score")
            c2.text_input("调整理由 *", key="floor_adjust_reason")
            c1, c2 = st.columns(2)
            c1.form_submit_button("保存调整", type="primary")
            c2.form_submit_button("取消调整，按规则计分")
    history = st.expander("本指标修改历史", key="floor_history", on_change="rerun")
    if history.open:  # drawn only while open, as the workbench does
        with history:
            if f.history.empty:
                st.caption("还没有修改记录。")
            else:
                st.caption(f"共 {len(f.history)} 条记录，最新的在前；时间为北京时间。")
                st.dataframe(f.history, hide_index=True, width="stretch")


def report() -> None:
    f: Floor = DATA["floor"]
    frame_html()
    st.title("报告")
    sidebar(f)
    with st.expander("报告设置"):
        st.caption("评价流程的阶段与日期、所用评价方法在“项目信息 › 评价工作”中填写。")
        with st.form("floor_report_settings"):
            for label in ("评价目的（留空用机构默认文字）", "评价对象与选点", "评价指标思路（留空按指标体系自动说明）"):
                st.text_area(label, key=f"floor_{label}")
            st.form_submit_button("保存", type="primary")
    if f.texts["blocking"]:
        st.error(f.texts["blocking"])
    if f.texts["missing"]:
        st.warning(f.texts["missing"])
    for col, (label, value) in zip(st.columns(3), f.metrics[:3], strict=True):
        col.metric(label, value)
    if f.texts["open_errors"]:
        n = f.texts["open_errors"]
        st.warning(f"复核发现 {n} 处“错误”尚未处理（修正或说明理由接受）。建议先到“复核”页处理。")
        st.page_link(NAVIGATION["review"], label="去复核", icon=":material/fact_check:")
        st.checkbox(f"我已知悉尚有 {n} 处错误未处理，仍然生成报告", key="floor_confirm_open_errors")
    st.subheader("下载")
    c1, c2 = st.columns(2)
    c1.button("生成 Word 报告", type="primary")
    c2.download_button("下载评价方案（Word）", data=_blank, file_name="方案.docx", on_click="ignore")
    c2.download_button("导出表3-1 与附件1（Excel）", data=_blank, file_name="表3-1.xlsx", on_click="ignore")
    left, right = st.columns([1, 2])
    left.subheader("报告提纲")
    left.markdown(f.outline)
    right.subheader("表3-1 得分情况表")
    right.dataframe(f.table31, hide_index=True, width="stretch")


def project() -> None:
    f: Floor = DATA["floor"]
    frame_html()
    st.title("项目信息")
    sidebar(f)
    st.caption("每个表单点“保存”后才写入数据库；离开本页或切换评价前请先保存，未保存的输入不会保留。")
    cover, facts_tab, funds_tab, work_tab = st.tabs(["封面与基本信息", "项目情况与绩效目标", "资金情况", "评价工作"])
    with cover, st.form("floor_cover"):
        c1, c2 = st.columns(2)
        fields = list(f.project.items())
        for n, (label, value) in enumerate(fields[:-1]):
            if label == "预算年度 *":
                (c1 if n % 2 == 0 else c2).number_input(label, 2000, 2100, int(value), key=f"floor_cover_{n}")
            else:
                (c1 if n % 2 == 0 else c2).text_input(label, value, key=f"floor_cover_{n}")
        st.text_input(*fields[-1], key="floor_cover_last")
        st.form_submit_button("保存", type="primary")
    with facts_tab, st.form("floor_facts"):
        for label in ("项目背景", "总体目标", "年度绩效目标（概述）"):
            st.text_area(label, key=f"floor_facts_{label}")
        st.markdown("**年度绩效目标表**（可增删行）")
        st.data_editor(f.targets, num_rows="dynamic", width="stretch", key="floor_targets")
        for label in ("组织架构及实施流程", "项目实施情况"):
            st.text_area(label, key=f"floor_facts_{label}")
        st.form_submit_button("保存", type="primary")
    with funds_tab:
        st.markdown("**支出明细表（表1-1）**（可增删行；合计与占比随输入即时更新，点下方“保存”写入）")
        st.data_editor(pd.DataFrame(columns=["支出类别", "金额（万元）"]), num_rows="dynamic", key="floor_breakdown")
        st.html(  # as the workbench: a table outside a form tells the page whether it holds unsaved edits
            '<style>[data-testid="stElementContainer"]:has(#wb-tables-false){display:none}</style>'
            '<span id="wb-tables-false"></span>'
        )
        st.dataframe(f.texts["breakdown"], hide_index=True, width="stretch")
        if f.texts["mismatch"]:
            st.warning(f.texts["mismatch"])
        with st.form("floor_funds"):
            st.caption("金额单位：万元")
            cols = st.columns(3)
            for n, label in enumerate(
                ("计划到位资金", "实际到位资金", "年初预算", "调整后预算（全年预算）", "实际支出")
            ):
                cols[n % 3].text_input(label, key=f"floor_funds_{n}")
            for label in ("资金到位情况说明", "资金使用情况说明", "资金管理情况说明"):
                st.text_area(label, key=f"floor_funds_{label}")
            st.form_submit_button("保存", type="primary")
        if f.texts["execution_rate"]:
            st.caption(f.texts["execution_rate"])
    with work_tab, st.form("floor_work"):
        c1, c2 = st.columns(2)
        c1.text_input("评价工作开始年月（如 2024-08）", key="floor_work_start")
        c2.text_input("评价工作结束年月", key="floor_work_end")
        st.markdown("**评价流程（阶段与日期）**（可增删行；年月写成 2024-08）")
        st.data_editor(
            pd.DataFrame(columns=["阶段", "开始年月", "结束年月", "工作内容"]), num_rows="dynamic", key="fw1"
        )
        st.multiselect("所用评价方法", ["文献研究法", "现场核查法", "访谈法"], key="floor_methods")
        for label in (
            "评价目的（留空用机构默认文字）",
            "评价依据（写入评价方案；留空用机构默认文字）",
            "评价对象与选点",
        ):
            st.text_area(label, key=f"floor_work_{label}")
        st.markdown("**评价组人员分工**（写入评价方案；可增删行）")
        st.data_editor(pd.DataFrame(columns=["姓名", "职务或角色", "分工"]), num_rows="dynamic", key="floor_team")
        st.form_submit_button("保存", type="primary")


def analysis() -> None:
    from ui.dashboard import page_table
    from ui.state import PICK_ALL, SHORT_LIST

    a: dict[str, Any] = DATA["floor"].analysis
    frame_html()
    st.title("对比分析")
    with st.sidebar:
        st.header("筛选")
        for column, values in a["options"].items():
            st.multiselect(column, values, key=f"analysis_{column}", placeholder="全部")
    st.caption(a["caption"])
    if len(a["unfinished"]):
        with st.expander("未完成的评价"):
            st.dataframe(a["unfinished"], hide_index=True, width="stretch")
    labels = a["labels"]
    c1, c2 = st.columns([3, 1])
    options = list(labels)
    if len(options) > PICK_ALL:  # as the workbench: a search box and the chosen with the first of the rest
        c1.text_input("查找项目", key="analysis_find", placeholder="项目名称、年度或编号")
        options = [*a["lowest"], *[k for k in options if k not in a["lowest"]][:SHORT_LIST]]
        c1.caption(f"共 {len(labels):,} 个项目，此处列出 {len(options)} 个；输入关键词查找其余。")
    c1.multiselect("一级指标对比的项目", options, default=a["lowest"], format_func=lambda k: labels[k])
    c2.radio("历年变化按", ["项目名称", "主管部门"], horizontal=True)
    for chart in a["charts"]:
        st.plotly_chart(chart.figure, key=f"chart_{chart.key}", config={"displaylogo": False})
        st.caption(chart.reading)
        with st.expander(f"{chart.title}：数据表"):
            part = page_table(chart.table)  # the workbench's own cut: at most so many rows on the page
            st.dataframe(part.table, hide_index=True, width="stretch")
            if part.note:
                st.caption(part.note)
            if not chart.table.empty:
                st.download_button(
                    "下载 Excel", data=_blank, file_name="表.xlsx", key=f"xlsx_{chart.key}", on_click="ignore"
                )
    st.download_button(
        "下载全部数据表（Excel）", data=_blank, file_name="对比分析.xlsx", key="xlsx_all", on_click="ignore"
    )


PAGES: dict[str, Callable[[], None]] = {
    "home": home,
    "evidence": evidence,
    "report": report,
    "project": project,
    "analysis": analysis,
}


NAVIGATION: dict[str, Any] = {}  # stem → this run's page (for page links)


def _other() -> None:  # a page of the navigation the benchmark does not open
    st.title("—")


def run() -> None:
    """The floor app's script: the navigation the benchmark's account (管理员) sees — the same sections, titles
    and icons (ui.guard.PAGES) — then the page chosen in the session."""
    from ui.guard import PAGES as SPECS  # the navigation's data only (no database)

    st.set_page_config(page_title="评价工作台", page_icon=":material/fact_check:", layout="wide")
    sections: dict[str, list[Any]] = {}
    for spec in SPECS:
        if "管理员" in spec.roles:
            fn = PAGES.get(spec.stem, _other)
            page = st.Page(fn, title=spec.title, icon=spec.icon, url_path=spec.stem, default=spec.stem == "home")
            sections.setdefault(spec.section, []).append(page)
            NAVIGATION[spec.stem] = page
    st.navigation(sections, expanded=True)
    PAGES[str(st.session_state.get(PAGE, "home"))]()


# --------------------------------------------------------------------------- the data, from the real database


def collect(engine: Engine, key: str) -> Floor:
    """What the real pages show for evaluation ``key`` and the whole portfolio, computed with the core."""
    from evaluation.dashboard.charts import all_charts
    from evaluation.dashboard.portfolio import Filters, completed, filter_frames, filter_options, frames_from_summaries
    from evaluation.formatting import number, percent, score_text
    from evaluation.funds import breakdown, execution_rate
    from evaluation.model import Assessment
    from evaluation.report.context import build_report_context
    from evaluation.report.outline import missing_items, outline
    from evaluation.review.checks import check
    from evaluation.scoring.engine import score
    from evaluation.scoring.stated import record_result
    from evaluation.storage import audit
    from evaluation.storage.db import session_scope
    from evaluation.storage.decisions import count_open_errors
    from evaluation.storage.repo import get_evaluation, list_department_summaries, list_evaluations
    from evaluation.storage.results import load_summaries
    from ui.evidence import EVIDENCE_COLUMNS, evidence_rows
    from ui.history import history_rows
    from ui.home import department_table, stated_warning
    from ui.project_tables import totals_frame

    with session_scope(engine) as session:
        items = list_evaluations(session=session)
        ev = get_evaluation(session=session, ref=key)
        summaries = load_summaries(session=session)
        result = score(ev)
        history = history_rows(audit.history(session=session, evaluation_key=key, target=result.indicators[0].code))
        departments = department_table(list_department_summaries(session=session))
        open_errors = count_open_errors(session=session, evaluation=ev, result=result, checker=check)
    labels = {i.key: f"{i.project_name}（{i.year}，{i.kind_label}）" for i in items}
    home_table = pd.DataFrame(
        [
            {
                "评价编号": i.key,
                "类型": i.kind_label,
                "年度": i.year,
                "主管部门": i.department,
                "项目名称": i.project_name,
                "评价机构": i.agency or "—",
                "得分": float(i.total_score) if i.total_score is not None else None,
                "复核得分": float(i.review_score) if i.review_score is not None else None,
                "等级": i.grade or "未完成",
                "进度": f"{i.scored}/{i.indicator_count}",
                "状态": "草稿",
            }
            for i in items
        ]
    )
    rows = pd.DataFrame(
        [
            {
                "一级指标": r.level1,
                "二级指标": r.level2,
                "三级指标": r.name,
                "分值": number(r.weight),
                "得分": score_text(r.score),
                "扣分": number(r.deduction, none=""),
                "评分方法": r.method,
                "计算过程": r.explanation,
            }
            for r in result.indicators
        ]
    )
    first = result.indicators[0]
    _, _, indicator = ev.system.find(first.code) or (None, None, None)
    assert indicator is not None
    stored = ev.assessment(first.code) or Assessment(code=first.code)
    context = build_report_context(ev, result)
    table = context.table("3-1").texts()
    frames = frames_from_summaries(summaries)
    filtered, unfinished = completed(filter_frames(frames, Filters()))
    lowest = list(filtered.projects.sort_values("得分")["评价编号"].head(5))
    p = filtered.projects
    third = sum(1 for i in items if i.kind == "third_party")
    missing = missing_items(ev, result)
    blocking, advisory = [m for m in missing if m.blocking], [m for m in missing if not m.blocking]
    funds = breakdown(ev.facts.funds.breakdown, ev.facts.funds.spent)
    rate = execution_rate(ev.facts.funds)
    texts = {  # what the real pages draw for this evaluation beside the widgets above (the same conditions)
        "home_caption": f"共 {len(items):,} 个评价：第三方评价 {third:,} 个，绩效自评 {len(items) - third:,} 个。",
        "stated_warning": stated_warning(ev, result, record_result(ev, result)),
        "copy": f"以“{ev.project.name}”（{ev.project.year} 年）为底稿，新建 {ev.project.year + 1} 年度评价：",
        "delete": f"将删除“{ev.project.name}”（{ev.id}）及其评分记录、成员、复核处理与定稿报告，无法在工作台中恢复"
        "（修改历史中保留被删除的全部内容）。",
        "list_label": f"指标清单：已评 {result.scored}/{result.count} 项（点一行即可切换）",
        "blocking": (
            "生成报告前还须补充：\n\n" + "\n".join(f"- **{m.what}** —— 在“{m.where}”填写" for m in blocking)
            if blocking
            else None
        ),
        "missing": (
            "报告中以下内容将为空，建议补充：\n\n" + "\n".join(f"- {m.what} —— “{m.where}”" for m in advisory)
            if advisory
            else None
        ),
        "open_errors": open_errors,
        "breakdown": totals_frame(funds),
        "mismatch": funds.mismatch,
        "execution_rate": f"预算执行率（已保存数据）：{percent(rate)}" if rate is not None else None,
    }
    return Floor(
        key=key,
        caption=f"{ev.project.name}　{ev.project.department}　{ev.project.year} 年度　{ev.kind_label}（{key}）",
        sidebar=Sidebar(labels, f"**评价得分 {number(result.total)} 分 · {result.grade}**", 1.0),
        home_table=home_table,
        home_options={
            "年度": sorted({i.year for i in items}, reverse=True),
            "主管部门": sorted({i.department for i in items}),
            "类型": ["第三方评价", "绩效自评"],
            "状态": ["草稿", "复核中", "已通过", "已定稿"],
            "评价机构": sorted({i.agency for i in items if i.agency}),
        },
        home_rows=rows,
        departments=departments,
        metrics=[
            ("评价得分", number(result.total)),
            ("等级", result.grade),
            ("已评指标", f"{result.scored}/{result.count}"),
        ],
        indicator_list=pd.DataFrame(
            [
                {"状态": r.status, "指标": f"{r.level2} › {r.name}", "得分": score_text(r.score)}
                for r in result.indicators
            ]
        ),
        indicator_labels={r.code: f"{r.level2} › {r.name}（{number(r.weight)} 分）" for r in result.indicators},
        header={
            "title": f"{indicator.name}（{indicator.code}）",
            "weight": number(indicator.weight),
            "score": score_text(first.score),
            "computed": score_text(first.computed),
            "target": f"**目标值**：{indicator.target or '—'}　　**评分方法**：{indicator.method_label}\n\n"
            f"**指标解释**：{indicator.explanation or '—'}",
            "rule_text": f"**评分说明**：{indicator.rule_text}",
            "rule": f"规则：{indicator.rule_in_words()}",
            "explanation": f"**得分 {score_text(first.score)}**　{first.explanation}",
        },
        findings=pd.DataFrame(
            [
                {"问题描述": x.text, "扣分": "", "证据文件": "", "文号": "", "凭证号": "", "页码": ""}
                for x in stored.inputs.findings
            ],
            columns=["问题描述", "扣分", "证据文件", "文号", "凭证号", "页码"],
        ),
        evidence=pd.DataFrame(evidence_rows(stored.evidence), columns=EVIDENCE_COLUMNS),
        narrative=stored.narrative,
        outline="\n".join(f"{'　' * (level - 1)}{text}  " for level, text in outline(context)),
        table31=pd.DataFrame(table[1:], columns=table[0]),
        project={
            "项目名称 *": ev.project.name,
            "主管部门 *": ev.project.department,
            "实施单位": ev.project.implementing_unit,
            "主管部门简称（如“区经合局”）": ev.project.department_short,
            "委托单位": ev.project.commissioner,
            "评价机构": ev.project.agency,
            "预算年度 *": str(ev.project.year),
            "项目类别": ev.project.category,
            "预算资金文号": ev.project.doc_no,
            "报告年月（如 2024-10）": ev.project.report_month or "",
            "委托依据（通知名称）": ev.project.notice,
        },
        targets=pd.DataFrame([t.model_dump() for t in ev.facts.annual_targets]),
        history=history,
        texts=texts,
        analysis={
            "options": filter_options(frames),
            "caption": f"当前范围：{len(filtered)} 个评价（共 {len(frames)} 个）。",
            "unfinished": unfinished.projects[["项目名称", "主管部门", "评价类型", "年度", "已评指标"]],
            "labels": dict(
                zip(
                    p["评价编号"],
                    p["项目名称"] + "（" + p["评价类型"] + "，" + p["年度"].astype(str) + "）",
                    strict=True,
                )
            ),
            "lowest": lowest,
            "charts": all_charts(filtered, compare=lowest),
        },
    )
