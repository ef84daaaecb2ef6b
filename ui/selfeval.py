"""The 自评表 page's larger tabs: a department's batch review, and a satisfaction survey written into an
indicator."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from evaluation.errors import ValidationFailed, listed
from evaluation.formatting import number
from evaluation.model import Assessment, Evaluation
from evaluation.report.review_files import review_docx, review_xlsx
from evaluation.review.base import count_by_severity
from evaluation.review.batch import BatchReview, review_batch
from evaluation.selfeval.surveys import SurveyResult, read_survey, satisfaction
from evaluation.storage.db import session_scope
from evaluation.storage.reading import read_evaluation, read_with_versions
from evaluation.storage.repo import EvaluationSummary
from evaluation.storage.unchanged import read_unchanged
from ui.auth import require_user
from ui.downloads import DOCX, XLSX, download_button
from ui.kept import derived, model_hash
from ui.saving import action, save_assessment
from ui.state import department_reports


def batch_review(eng: Engine, records: list[EvaluationSummary]) -> None:
    """Choose a department (by its 部门自评报告, or a department and year without one), review its tables
    together: the department summary against the report, each table's findings, and the downloads."""
    user = require_user()  # the reads below ask the database again only after something was written
    all_summaries = department_reports(eng)
    self_keys = [e for e in records if e.kind == "self_evaluation"]
    covered = {p.evaluation_id for d in all_summaries for p in d.projects}
    options: list[tuple[str, str, int]] = [("summary", d.id, d.year) for d in all_summaries]
    options += sorted({("group", e.department, e.year) for e in self_keys if e.key not in covered})
    names = {d.id: f"{d.department}{d.year}年度（按部门自评报告所列项目）" for d in all_summaries}
    if not options:
        st.info("还没有绩效自评记录，请先导入自评表。")
        return
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
        chosen_keys = [e.key for e in self_keys if e.department == ident and e.year == year and e.key not in covered]
    batch = read_unchanged(
        eng,
        ("self-evaluation batch", tuple(chosen_keys), user),
        lambda session: [read_evaluation(session=session, ref=k, user=user) for k in chosen_keys],
    )
    # once per batch object (the same while nothing was written) and content of the report it is checked against
    # (read before the batch, it may be older)
    report = model_hash(summary) if summary else None
    review = derived(batch, f"batch-review-{report}", lambda: review_batch(batch, summary))
    _review_results(review)
    department = summary.department if summary else ident
    c1, c2 = st.columns(2)
    download_button(
        "下载复核报告（Word）",
        lambda _user: review_docx(review),
        file_name=f"{department}{year}年度自评复核报告.docx",
        mime=DOCX,
        where=c1,
    )
    download_button(
        "下载复核表（Excel）",
        lambda _user: review_xlsx(review),
        file_name=f"{department}{year}年度自评复核表.xlsx",
        mime=XLSX,
        where=c2,
    )


def _review_results(review: BatchReview) -> None:
    stated = review.stated_summary()
    st.subheader("部门汇总")
    st.dataframe(
        [
            {"项目": k, "据各表计算": v, "部门报告所载": stated.get(k, "（无部门报告）")}
            for k, v in review.computed_summary().items()
        ],
        hide_index=True,
        width="stretch",
        placeholder="",
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
        placeholder="",
    )
    for p in review.projects:
        with st.expander(f"{p.evaluation.project.name}：{len(p.findings)} 条"):
            for f in p.findings:
                st.write(f"【{f.severity}】{f.location.describe()}：{f.message}")


def survey(eng: Engine, records: list[EvaluationSummary]) -> None:
    """Upload the answers, choose the questions and the method, see the rate; then write it into a ratio
    indicator of any evaluation (its actual value, and a sentence added to its 评分过程)."""
    st.write("上传问卷结果（.csv 或 .xlsx：每行一位受访者，每列一个问题，答案为满意度选项或 1–5 分）。")
    upload = st.file_uploader("问卷文件（不超过 20 MB）", type=["csv", "xlsx"], key="survey_file")
    if upload is None:
        return
    try:
        answers = read_survey(upload.name, upload.getvalue())
    except ValidationFailed as e:
        st.error("\n\n".join(listed(e.problems)))
        return
    questions = st.multiselect("满意度问题", answers.questions, key="survey_questions", placeholder="选择问题")
    method = st.radio(
        "计算方法",
        ["share", "weighted"],
        horizontal=True,
        key="survey_method",
        format_func=lambda m: "满意人次占比" if m == "share" else "五级量表加权平均",
    )
    if not questions:
        return
    try:
        result = satisfaction(answers, questions, "weighted" if method == "weighted" else "share")
    except ValidationFailed as e:
        st.error("\n\n".join(listed(e.problems)))
        return
    c1, c2, c3 = st.columns(3)
    c1.metric("满意度", f"{result.rate}%")
    c2.metric("问卷份数", result.respondents)
    c3.metric("有效回答", result.valid)
    for w in result.warnings:
        st.warning(w.strip("（）"))
    st.caption(result.narrative())
    _write_into_indicator(eng, records, result)


def _write_into_indicator(eng: Engine, records: list[EvaluationSummary], result: SurveyResult) -> None:
    everything = {e.key: f"{e.project_name}（{e.kind_label}，{e.year}）" for e in records}
    target_key = st.selectbox("计入哪个评价", list(everything), format_func=lambda k: everything[k], key="survey_eval")
    with session_scope(eng) as session:  # the content and the versions it is saved against, read together
        target, _, versions = read_with_versions(session=session, key=target_key, user=require_user())
    ratio_codes = {
        ind.code: f"{ind.code} {ind.name}（目标 {ind.target}）"
        for _, _, ind in target.system.indicators()
        if ind.rule.method == "ratio"
    }
    if not ratio_codes:
        st.info("该评价没有比率类指标可以接收满意度。")
        return
    code = st.selectbox("满意度指标", list(ratio_codes), format_func=lambda c: ratio_codes[c], key="survey_indicator")
    form = f"survey@{target_key}/{code}"  # a double click adds the survey's sentence once
    if action("写入该指标（实际值与评分过程）", form=form, type="primary"):
        save_assessment(
            eng,
            target_key,
            _with_survey(target, code, result),
            f"已将满意度 {result.actual} 写入 {ratio_codes[code]}。",
            expected_version=versions.get(code),
            form=form,
        )


def _with_survey(target: Evaluation, code: str, result: SurveyResult) -> Assessment:
    """The indicator's assessment with the survey's rate as its actual value and its sentence added."""
    base = target.assessment(code) or Assessment(code=code)
    return base.model_copy(
        update={
            "inputs": base.inputs.model_copy(update={"actual": result.actual}),
            "narrative": (base.narrative + "\n" if base.narrative else "") + result.narrative(),
        }
    )
