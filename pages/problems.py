"""问题与建议: every recorded finding grouped by indicator — mark which go into the report and why;
then the report's 存在问题 and 相关建议, each suggestion answering problems, in the chosen order."""

from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from evaluation.formatting import number
from evaluation.model import ReportProblem, Suggestion
from evaluation.report.problems import apply_marks, draft_problems, finding_rows, lost_without_findings, renumber
from ui.access import readonly
from ui.feedback import FieldError, show_error
from ui.guard import page_setup
from ui.saving import save, widget_key
from ui.state import UNSAVED_NOTE, choose_evaluation, show_flash


def text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()


def seq(v: Any, what: str, row: int) -> Decimal:
    try:
        d = Decimal(text(v))
    except InvalidOperation:
        raise FieldError(what, f"第 {row} 行序号“{text(v)}”不是数字") from None
    return d


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
        df = pd.DataFrame(
            [
                {
                    "指标分组": r.group,
                    "指标": r.indicator,
                    "问题": r.text,
                    "扣分": number(r.points) if r.points is not None else "—",
                    "写入报告": r.in_report,
                    "原因分析": r.cause,
                    "_code": r.code,
                    "_i": r.index,
                }
                for r in rows
            ]
        )
        edited = st.data_editor(
            df,
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
        )
        marks_saved = st.form_submit_button("保存标记与原因", type="primary", disabled=readonly())
    if marks_saved:
        marks = {
            (r["_code"], int(r["_i"])): (bool(r["写入报告"]), text(r["原因分析"])) for r in edited.to_dict("records")
        }
        save(eng, loaded, apply_marks(ev, marks), "已保存问题标记与原因分析。", form="marks", sync_assessments=True)
missing = lost_without_findings(ev, result)
if missing:
    st.caption(
        "以下指标扣了分但没有记录具体问题，可直接写入下方的存在问题："
        + "；".join(f"{name}（{code}）扣 {number(lost)} 分" for code, name, lost in missing)
    )

st.subheader("报告的存在问题与相关建议")
marked = sum(1 for r in rows if r.in_report)
if st.button(
    f"由标记的问题生成草稿（{marked} 个问题已标记）",
    disabled=not marked or readonly(),
    help="为尚无对应“存在问题”的指标各生成一条问题和一条建议，已有内容不变",
):
    save(eng, loaded, draft_problems(ev), "已生成存在问题与建议的草稿，请修改文字。", form="report")

with st.form("report_problems"):
    st.markdown("**存在问题**（按序号排序；可增删行，改序号即可调整顺序）")
    problems_df = pd.DataFrame(
        [
            {
                "序号": i,
                "问题标题": p.title,
                "具体情况": p.text,
                "原因分析": p.cause,
                "相关指标": "、".join(p.indicators),
                "_orig": i,
            }
            for i, p in enumerate(ev.problems, 1)
        ],
        columns=["序号", "问题标题", "具体情况", "原因分析", "相关指标", "_orig"],
    )
    p_edit = st.data_editor(
        problems_df,
        num_rows="dynamic",
        width="stretch",
        hide_index=True,
        key=widget_key(loaded, "report.problems"),
        column_config={
            "具体情况": st.column_config.TextColumn(width="large"),
            "序号": st.column_config.NumberColumn(step=1),
            "_orig": None,
        },
    )
    st.markdown("**相关建议**（“回应问题”填存在问题的序号，多个用顿号或逗号分隔；已有问题按本次载入时的序号）")
    sugg_df = pd.DataFrame(
        [
            {"序号": i, "建议标题": s.title, "建议内容": s.text, "回应问题": "、".join(str(n) for n in s.answers)}
            for i, s in enumerate(ev.suggestions, 1)
        ],
        columns=["序号", "建议标题", "建议内容", "回应问题"],
    )
    s_edit = st.data_editor(
        sugg_df,
        num_rows="dynamic",
        width="stretch",
        hide_index=True,
        key=widget_key(loaded, "report.suggestions"),
        column_config={
            "建议内容": st.column_config.TextColumn(width="large"),
            "序号": st.column_config.NumberColumn(step=1),
        },
    )
    report_saved = st.form_submit_button("保存存在问题与建议", type="primary", disabled=readonly())
if report_saved:
    try:
        codes = {ind.code for _, _, ind in ev.system.indicators()} | {p.code for p in ev.system.penalty_items()}
        problems: list[tuple[Decimal, int | None, ReportProblem]] = []
        for n, r in enumerate(p_edit.to_dict("records"), 1):
            if not any(text(v) for v in r.values()):
                continue
            if not text(r["问题标题"]):
                raise FieldError("存在问题", f"第 {n} 行缺少问题标题")
            inds = [c for c in text(r["相关指标"]).replace(",", "、").replace("，", "、").split("、") if c.strip()]
            unknown = [c for c in inds if c.strip() not in codes]
            if unknown:
                raise FieldError("相关指标", f"第 {n} 行的指标编码 {'、'.join(unknown)} 不在本评价的指标体系中")
            seq_no = seq(r["序号"], "存在问题", n) if text(r["序号"]) else Decimal(10_000 + n)
            orig = r.get("_orig")
            problems.append(
                (
                    seq_no,
                    None if orig is None or orig != orig else int(orig),
                    ReportProblem(
                        title=text(r["问题标题"]),
                        text=text(r["具体情况"]),
                        cause=text(r["原因分析"]),
                        indicators=[c.strip() for c in inds],
                    ),
                )
            )
        suggestions: list[tuple[Decimal, Suggestion, list[Decimal]]] = []
        for n, r in enumerate(s_edit.to_dict("records"), 1):
            if not any(text(v) for v in r.values()):
                continue
            if not text(r["建议标题"]):
                raise FieldError("相关建议", f"第 {n} 行缺少建议标题")
            answers = [
                seq(a, "回应问题", n)
                for a in text(r["回应问题"]).replace(",", "、").replace("，", "、").split("、")
                if a.strip()
            ]
            seq_no = seq(r["序号"], "相关建议", n) if text(r["序号"]) else Decimal(10_000 + n)
            suggestions.append((seq_no, Suggestion(title=text(r["建议标题"]), text=text(r["建议内容"])), answers))
        ordered_p, ordered_s, errors = renumber(problems, suggestions)
        if errors:
            raise FieldError("存在问题与建议", "；".join(errors))
        new = ev.model_copy(update={"problems": ordered_p, "suggestions": ordered_s})
    except (FieldError, ValidationError) as e:
        show_error(e)
    else:
        save(eng, loaded, new, f"已保存存在问题 {len(ordered_p)} 条、建议 {len(ordered_s)} 条。", form="report")
