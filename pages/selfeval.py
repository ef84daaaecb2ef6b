"""自评表: import a department's 项目支出绩效自评表 files, export any record, and feed a survey into an indicator."""

import streamlit as st

from evaluation.errors import listed
from evaluation.selfeval.importing import prepare_import
from evaluation.selfeval.write import export_self_evaluation
from evaluation.storage.imports import store_file_imports
from ui.auth import require_user
from ui.downloads import DOCX, XLSX, download_button
from ui.guard import page_setup
from ui.kept import derived
from ui.saving import acting, submit
from ui.selfeval import batch_review, survey
from ui.state import readable, show_flash, summaries

eng = page_setup()
show_flash()
st.title("自评表")
tab_import, tab_review, tab_export, tab_survey = st.tabs(["导入自评表", "批量复核", "导出自评表", "满意度问卷"])

with tab_import:
    st.write(
        "上传按自评表格式填写的 .xlsx 或 .docx 文件（可多选）。每个文件单独检查：有问题的文件不写入，其他文件照常导入。"
    )
    with st.form("selfeval_import"):
        files = st.file_uploader("自评表文件（每个不超过 20 MB）", type=["xlsx", "docx"], accept_multiple_files=True)
        year = st.number_input("预算年度（0 表示从项目名称或表名识别）", min_value=0, max_value=2100, value=0, step=1)
        replace = st.checkbox("覆盖已导入过的同一张表")
        submitted = submit("导入", form="selfeval_import", guard_repeat=True, type="primary")
    if submitted and files:
        with acting("selfeval_import") as first:  # a double click imports once
            if not first:
                st.stop()
            prepared = prepare_import([(f.name, f.getvalue()) for f in files], year=int(year) or None)
            store_file_imports(eng, prepared, replace=replace, user=require_user())
        for item in prepared:
            if item.problems:
                st.error(f"{item.file}：未导入\n\n" + "\n".join(f"- {line}" for line in listed(item.problems)))
            for rec in item.records():
                st.success(
                    f"{item.file}：已导入“{rec['project']}”（{rec['year']} 年度，{rec['rows']} 项指标，"
                    f"表中总分 {rec['stated_total']}）"
                )

records = summaries(eng)
self_records = derived(
    records,
    "self-record-labels",
    lambda: {e.key: f"{e.project_name}（{e.department}，{e.year}）" for e in records if e.kind == "self_evaluation"},
)

with tab_review:
    batch_review(eng, records)

with tab_export:
    if not self_records:
        st.info("还没有绩效自评记录。")
    else:
        key = st.selectbox(
            "自评记录", list(self_records), format_func=lambda k: self_records[k], key="selfeval_export_key"
        )
        chosen = readable(eng, key)
        c1, c2 = st.columns(2)
        download_button(
            "下载 Excel（.xlsx）",
            lambda _user: export_self_evaluation(chosen, "xlsx"),
            file_name=f"{chosen.project.name}自评表.xlsx",
            evaluation=chosen.id,
            mime=XLSX,
            where=c1,
        )
        download_button(
            "下载 Word（.docx）",
            lambda _user: export_self_evaluation(chosen, "docx"),
            file_name=f"{chosen.project.name}自评表.docx",
            evaluation=chosen.id,
            mime=DOCX,
            where=c2,
        )

with tab_survey:
    survey(eng, records)
