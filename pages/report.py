"""报告: report settings, what is still missing (and where), a preview of the outline and 表3-1,
the .docx built by the report builder, and Excel exports of 表3-1 and 附件1."""

import time

import pandas as pd
import streamlit as st

from evaluation.errors import WorkbenchError
from evaluation.formatting import number
from evaluation.report import build_plan_docx
from evaluation.report.context import ReportContext, build_report_context, defaults_version
from evaluation.report.docx import render_docx
from evaluation.report.outline import missing_items, outline
from evaluation.report.xlsx import export_xlsx
from evaluation.storage.decisions import count_open_errors
from evaluation.storage.unchanged import read_unchanged
from ui.access import readonly
from ui.downloads import DOCX, XLSX, download_button
from ui.guard import may_open, page_setup
from ui.kept import arrow, derived, model_hash
from ui.saving import save, submit, widget_key
from ui.state import choose_evaluation, kept_check, show_flash
from ui.workflow import final_report_download

BUILT = "wb_report_docx"  # (evaluation key, document version, scores) → built bytes


def table_frame(rows: list[list[str]]) -> pd.DataFrame:
    return pd.DataFrame(rows[1:], columns=rows[0])


def outline_text(context: ReportContext) -> str:
    return "\n".join(f"{'　' * (level - 1)}{text}  " for level, text in outline(context))


eng = page_setup()
st.title("报告")
show_flash()
loaded = choose_evaluation(eng, editing=False)
if loaded is None:
    st.stop()
ev, result = loaded.evaluation, loaded.result
# the report as plain data (the preview below and the Word file), built once per version of the evaluation
# and of the agency defaults (see ui.kept)
context = derived(ev, f"report-context{defaults_version()}", lambda: build_report_context(ev, result))

with st.expander("报告设置", icon=":material/settings:"):
    st.caption("评价流程的阶段与日期、所用评价方法在“项目信息 › 评价工作”中填写。")
    with st.form("report_settings"):
        rs = ev.report
        purpose = st.text_area("评价目的（留空用机构默认文字）", rs.purpose, key=widget_key(loaded, "settings.purpose"))
        sites = st.text_area("评价对象与选点", rs.sites, key=widget_key(loaded, "settings.sites"))
        logic = st.text_area(
            "评价指标思路（留空按指标体系自动说明）", rs.indicator_logic, key=widget_key(loaded, "settings.logic")
        )
        if submit("保存", form="settings", type="primary", disabled=readonly()):
            report = rs.model_copy(update={"purpose": purpose, "sites": sites, "indicator_logic": logic})
            save(eng, loaded, ev.model_copy(update={"report": report}), "已保存报告设置。", form="settings")

missing = derived(ev, "missing", lambda: missing_items(ev, result))
blocking = [m for m in missing if m.blocking]
if blocking:
    st.error("生成报告前还须补充：\n\n" + "\n".join(f"- **{m.what}** —— 在“{m.where}”填写" for m in blocking))
advisory = [m for m in missing if not m.blocking]
if advisory:
    st.warning("报告中以下内容将为空，建议补充：\n\n" + "\n".join(f"- {m.what} —— “{m.where}”" for m in advisory))

c1, c2, c3 = st.columns(3)
c1.metric("评价得分", number(result.total))
c2.metric("等级", result.grade)
c3.metric("已评指标", f"{result.scored}/{result.count}")

open_errors = read_unchanged(  # keyed by the content counted: ev may be older than the stamp read now
    eng,
    ("open-errors", ev.id, model_hash(ev)),
    lambda session: count_open_errors(session=session, evaluation=ev, result=result, checker=kept_check),
)
confirmed = True
if open_errors:
    st.warning(f"复核发现 {open_errors} 处“错误”尚未处理（修正或说明理由接受）。建议先到“复核”页处理。")
    if may_open("review"):
        st.page_link("pages/review.py", label="去复核", icon=":material/fact_check:")
    confirmed = st.checkbox(
        f"我已知悉尚有 {open_errors} 处错误未处理，仍然生成报告", key=f"confirm_open_errors.{ev.id}"
    )

st.subheader("下载")
final_report_download(eng, ev.id)
stamp = (ev.id, loaded.version, model_hash(ev))
c1, c2 = st.columns(2)
with c1:
    if st.button(
        "生成 Word 报告", type="primary", disabled=bool(blocking) or not confirmed, icon=":material/description:"
    ):
        with st.status("正在生成报告…", expanded=True) as status:
            start = time.perf_counter()
            st.write("排版章节与表格…")
            try:
                data = render_docx(context)
            except WorkbenchError as e:
                status.update(label="报告未能生成", state="error")
                st.error(f"报告未能生成：{e}")
            else:
                st.session_state[BUILT] = (stamp, data)
                status.update(
                    label=f"报告已生成（{time.perf_counter() - start:.1f} 秒）", state="complete", expanded=False
                )
    built = st.session_state.get(BUILT)
    if built is not None and built[0] == stamp:
        content = built[1]
        download_button(
            "下载 Word 报告（.docx）",
            lambda _user: content,
            file_name=f"{ev.project.name}绩效评价报告.docx",
            evaluation=ev.id,
            mime=DOCX,
            icon=":material/download:",
        )
    elif built is not None:
        st.caption("评价内容已修改，请重新生成报告。")
with c2:
    download_button(
        "下载评价方案（Word）",
        lambda _user: build_plan_docx(ev),
        file_name=f"{ev.project.name}绩效评价方案.docx",
        evaluation=ev.id,
        mime=DOCX,
        icon=":material/assignment:",
        help="评价方案：项目概况、评价目的与依据、对象与范围、方法、指标体系表、工作安排、人员分工",
    )
    download_button(
        "导出表3-1 与附件1（Excel）",
        lambda _user: export_xlsx(ev, result),
        file_name=f"{ev.project.name}得分情况表与指标体系.xlsx",
        evaluation=ev.id,
        mime=XLSX,
        icon=":material/table_view:",
    )

left, right = st.columns([1, 2])
with left:
    st.subheader("报告提纲")
    st.markdown(derived(context, "outline", lambda: outline_text(context)))
with right:
    st.subheader("表3-1 得分情况表")
    st.dataframe(
        arrow(derived(context, "table-3-1", lambda: table_frame(context.table("3-1").texts()))),
        hide_index=True,
        width="stretch",
        column_config={"扣分原因": st.column_config.TextColumn(width="large")},
        placeholder="",
    )
