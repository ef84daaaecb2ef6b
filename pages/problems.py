"""问题与建议: every recorded finding grouped by indicator — mark which go into the report and why;
then the report's 存在问题 and 相关建议, each suggestion answering problems, in the chosen order."""

import streamlit as st
from pydantic import ValidationError

from evaluation.formatting import number
from evaluation.report.problems import apply_marks, draft_problems, finding_rows, lost_without_findings
from ui.access import readonly
from ui.feedback import FieldError, show_error
from ui.guard import page_setup
from ui.problems import (
    marks_frame,
    problems_frame,
    read_marks,
    read_problems_and_suggestions,
    suggestions_frame,
)
from ui.saving import action, save, submit, widget_key
from ui.state import UNSAVED_NOTE, choose_evaluation, show_flash

eng = page_setup()
st.title("问题与建议")
show_flash()
loaded = choose_evaluation(eng)
if loaded is None:
    st.stop()
ev, result = loaded.evaluation, loaded.result

st.caption(UNSAVED_NOTE, help="Streamlit 在离开页面时丢弃未提交的表单内容")
st.subheader("评分中发现的问题")
rows = finding_rows(ev, result)
if not rows:
    st.info("还没有记录问题。在“证据与评分”页为扣分的指标记录发现的问题后，回到这里选择写入报告的问题。")
else:
    with st.form("marks"):
        edited = st.data_editor(
            marks_frame(rows),
            width="stretch",
            hide_index=True,
            key=widget_key(loaded, "marks.table"),
            disabled=["指标分组", "指标", "问题", "扣分"],
            column_config={
                "_code": None,
                "_i": None,
                "问题": st.column_config.TextColumn(width="large"),
                "原因分析": st.column_config.TextColumn(width="large"),
            },
            placeholder="",
        )
        marks_saved = submit("保存标记与原因", form="marks", type="primary", disabled=readonly())
    if marks_saved:
        save(
            eng,
            loaded,
            apply_marks(ev, read_marks(edited)),
            "已保存问题标记与原因分析。",
            form="marks",
            sync_assessments=True,
        )
missing = lost_without_findings(ev, result)
if missing:
    st.caption(
        "以下指标扣了分但没有记录具体问题，可直接写入下方的存在问题："
        + "；".join(f"{name}（{code}）扣 {number(lost)} 分" for code, name, lost in missing)
    )

st.subheader("报告的存在问题与相关建议")
marked = sum(1 for r in rows if r.in_report)
if action(
    f"由标记的问题生成草稿（{marked} 个问题已标记）",
    form="report",
    disabled=not marked or readonly(),
    help="为尚无对应“存在问题”的指标各生成一条问题和一条建议，已有内容不变",
):
    save(eng, loaded, draft_problems(ev), "已生成存在问题与建议的草稿，请修改文字。", form="report")

with st.form("report_problems"):
    st.markdown("**存在问题**（按序号排序；可增删行，改序号即可调整顺序）")
    p_edit = st.data_editor(
        problems_frame(ev.problems, ev.system),
        num_rows="dynamic",
        width="stretch",
        hide_index=True,
        key=widget_key(loaded, "report.problems"),
        column_config={
            "具体情况": st.column_config.TextColumn(width="large"),
            "序号": st.column_config.NumberColumn(step=1),
            "_orig": None,
        },
        placeholder="",
    )
    st.markdown("**相关建议**（“回应问题”填存在问题的序号，多个用顿号或逗号分隔；已有问题按本次载入时的序号）")
    s_edit = st.data_editor(
        suggestions_frame(ev.suggestions),
        num_rows="dynamic",
        width="stretch",
        hide_index=True,
        key=widget_key(loaded, "report.suggestions"),
        column_config={
            "建议内容": st.column_config.TextColumn(width="large"),
            "序号": st.column_config.NumberColumn(step=1),
        },
        placeholder="",
    )
    report_saved = submit("保存存在问题与建议", form="report", type="primary", disabled=readonly())
if report_saved:
    try:
        ordered_p, ordered_s = read_problems_and_suggestions(p_edit, s_edit, ev.system)
        new = ev.model_copy(update={"problems": ordered_p, "suggestions": ordered_s})
    except (FieldError, ValidationError) as e:
        show_error(e)
    else:
        save(eng, loaded, new, f"已保存存在问题 {len(ordered_p)} 条、建议 {len(ordered_s)} 条。", form="report")
