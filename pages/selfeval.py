"""自评表: import a department's 项目支出绩效自评表 files, export any record, and feed a survey into an indicator."""

import streamlit as st

from evaluation.errors import ValidationFailed, WorkbenchError
from evaluation.formatting import number
from evaluation.model import Assessment
from evaluation.report.review_files import review_docx, review_xlsx
from evaluation.review.base import count_by_severity
from evaluation.review.batch import review_batch
from evaluation.selfeval.importing import prepare_import
from evaluation.selfeval.surveys import read_survey, satisfaction
from evaluation.selfeval.write import export_self_evaluation
from evaluation.storage.db import session_scope
from evaluation.storage.imports import store_file_imports
from evaluation.storage.repo import (
    get_assessment_version,
    get_evaluation,
    list_department_summaries,
    list_evaluations,
    save_assessment,
)
from ui.auth import require_user
from ui.guard import page_setup

eng = page_setup()
st.title("自评表")
tab_import, tab_review, tab_export, tab_survey = st.tabs(["导入自评表", "批量复核", "导出自评表", "满意度问卷"])

with tab_import:
    st.write(
        "上传按自评表格式填写的 .xlsx 或 .docx 文件（可多选）。每个文件单独检查：有问题的文件不写入，其他文件照常导入。"
    )
    with st.form("selfeval_import"):
        files = st.file_uploader("自评表文件", type=["xlsx", "docx"], accept_multiple_files=True, max_upload_size=20)
        year = st.number_input("预算年度（0 表示从项目名称或表名识别）", min_value=0, max_value=2100, value=0, step=1)
        replace = st.checkbox("覆盖已导入过的同一张表")
        submitted = st.form_submit_button("导入", type="primary")
    if submitted and files:
        prepared = prepare_import([(f.name, f.getvalue()) for f in files], year=int(year) or None)
        store_file_imports(eng, prepared, replace=replace, user=require_user())
        for item in prepared:
            if item.problems:
                st.error(f"{item.file}：未导入\n\n" + "\n".join(f"- {p}" for p in item.problems))
            for rec in item.records():
                st.success(
                    f"{item.file}：已导入“{rec['project']}”（{rec['year']} 年度，{rec['rows']} 项指标，"
                    f"表中总分 {rec['stated_total']}）"
                )

with session_scope(eng) as session:
    records = [e for e in list_evaluations(session=session)]
self_records = {e.key: f"{e.project_name}（{e.department}，{e.year}）" for e in records if e.kind == "self_evaluation"}

with tab_review:
    with session_scope(eng) as session:
        all_summaries = list_department_summaries(session=session)
    self_keys = [e for e in records if e.kind == "self_evaluation"]
    covered = {p.evaluation_id for d in all_summaries for p in d.projects}
    options: list[tuple[str, str, int]] = [("summary", d.id, d.year) for d in all_summaries]
    options += sorted({("group", e.department, e.year) for e in self_keys if e.key not in covered})
    names = {d.id: f"{d.department}{d.year}年度（按部门自评报告所列项目）" for d in all_summaries}
    if not options:
        st.info("还没有绩效自评记录，请先导入自评表。")
    else:
        kind, ident, year = st.selectbox(
            "复核范围",
            options,
            key="review_group",
            format_func=lambda o: names[o[1]] if o[0] == "summary" else f"{o[1]}（{o[2]} 年度，未关联部门自评报告）",
        )
        summary = next((d for d in all_summaries if d.id == ident), None) if kind == "summary" else None
        if summary is not None:
            wanted = {p.evaluation_id for p in summary.projects}
            chosen_keys = [
                e.key
                for e in self_keys
                if e.key in wanted or (e.year == year and e.key not in covered and e.department == summary.department)
            ]
        else:
            chosen_keys = [
                e.key for e in self_keys if e.department == ident and e.year == year and e.key not in covered
            ]
        with session_scope(eng) as session:
            batch = [get_evaluation(session=session, ref=k) for k in chosen_keys]
        department = summary.department if summary else ident
        review = review_batch(batch, summary)
        stated = review.stated_summary()
        st.subheader("部门汇总")
        st.dataframe(
            [
                {"项目": k, "据各表计算": v, "部门报告所载": stated.get(k, "（无部门报告）")}
                for k, v in review.computed_summary().items()
            ],
            hide_index=True,
            width="stretch",
        )
        for f in review.department_findings:
            (st.error if f.severity == "错误" else st.warning if f.severity == "警告" else st.info)(f.message)
        st.subheader("各表复核结果")
        st.dataframe(
            [
                {
                    "项目": p.evaluation.project.name,
                    "表中总分": str(p.stated_total),
                    "规则重算": number(p.result.total),
                    **{k: v for k, v in count_by_severity(p.findings).items()},
                }
                for p in review.projects
            ],
            hide_index=True,
            width="stretch",
        )
        for p in review.projects:
            with st.expander(f"{p.evaluation.project.name}：{len(p.findings)} 条"):
                for f in p.findings:
                    st.write(f"【{f.severity}】{f.location.describe()}：{f.message}")
        c1, c2 = st.columns(2)
        c1.download_button(
            "下载复核报告（Word）",
            data=review_docx(review),
            file_name=f"{department}{year}年度自评复核报告.docx",
            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            on_click="ignore",
        )
        c2.download_button(
            "下载复核表（Excel）",
            data=review_xlsx(review),
            file_name=f"{department}{year}年度自评复核表.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            on_click="ignore",
        )

with tab_export:
    if not self_records:
        st.info("还没有绩效自评记录。")
    else:
        key = st.selectbox(
            "自评记录", list(self_records), format_func=lambda k: self_records[k], key="selfeval_export_key"
        )
        with session_scope(eng) as session:
            chosen = get_evaluation(session=session, ref=key)
        c1, c2 = st.columns(2)
        c1.download_button(
            "下载 Excel（.xlsx）",
            data=export_self_evaluation(chosen, "xlsx"),
            file_name=f"{chosen.project.name}自评表.xlsx",
            on_click="ignore",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        c2.download_button(
            "下载 Word（.docx）",
            data=export_self_evaluation(chosen, "docx"),
            file_name=f"{chosen.project.name}自评表.docx",
            on_click="ignore",
            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )

with tab_survey:
    st.write("上传问卷结果（.csv 或 .xlsx：每行一位受访者，每列一个问题，答案为满意度选项或 1–5 分）。")
    upload = st.file_uploader("问卷文件", type=["csv", "xlsx"], key="survey_file", max_upload_size=20)
    if upload is not None:
        try:
            survey = read_survey(upload.name, upload.getvalue())
        except ValidationFailed as e:
            st.error("\n".join(str(p) for p in e.problems))
            st.stop()
        questions = st.multiselect("满意度问题", survey.questions, key="survey_questions", placeholder="选择问题")
        method = st.radio(
            "计算方法",
            ["share", "weighted"],
            horizontal=True,
            key="survey_method",
            format_func=lambda m: "满意人次占比" if m == "share" else "五级量表加权平均",
        )
        if questions:
            try:
                survey_result = satisfaction(survey, questions, "weighted" if method == "weighted" else "share")
            except ValidationFailed as e:
                st.error("\n".join(str(p) for p in e.problems))
                st.stop()
            c1, c2, c3 = st.columns(3)
            c1.metric("满意度", f"{survey_result.rate}%")
            c2.metric("问卷份数", survey_result.respondents)
            c3.metric("有效回答", survey_result.valid)
            for w in survey_result.warnings:
                st.warning(w.strip("（）"))
            st.caption(survey_result.narrative())
            everything = {e.key: f"{e.project_name}（{e.kind_label}，{e.year}）" for e in records}
            target_key = st.selectbox(
                "计入哪个评价", list(everything), format_func=lambda k: everything[k], key="survey_eval"
            )
            with session_scope(eng) as session:
                target = get_evaluation(session=session, ref=target_key)
            ratio_codes = {
                ind.code: f"{ind.code} {ind.name}（目标 {ind.target}）"
                for _, _, ind in target.system.indicators()
                if ind.rule.method == "ratio"
            }
            if not ratio_codes:
                st.info("该评价没有比率类指标可以接收满意度。")
            else:
                code = st.selectbox(
                    "满意度指标", list(ratio_codes), format_func=lambda c: ratio_codes[c], key="survey_indicator"
                )
                if st.button("写入该指标（实际值与评分过程）", type="primary"):
                    old = target.assessment(code)
                    base = old or Assessment(code=code)
                    new = base.model_copy(
                        update={
                            "inputs": base.inputs.model_copy(update={"actual": survey_result.actual}),
                            "narrative": (base.narrative + "\n" if base.narrative else "") + survey_result.narrative(),
                        }
                    )
                    try:
                        with session_scope(eng) as session:
                            version = get_assessment_version(session=session, ref=target_key, code=code)
                            save_assessment(
                                session=session,
                                ref=target_key,
                                assessment=new,
                                expected_version=version,
                                user=require_user(),
                            )
                        st.success(f"已将满意度 {survey_result.actual} 写入 {ratio_codes[code]}。")
                    except WorkbenchError as e:
                        st.error(str(e))
