"""评价项目: every stored evaluation with its score, grade and progress; one evaluation's score table."""

import pandas as pd
import streamlit as st

from evaluation.scoring import score
from evaluation.storage.db import session_scope
from evaluation.storage.repo import get_evaluation, list_department_summaries, list_evaluations
from ui.guard import page_setup

eng = page_setup()
st.title("评价项目")

with session_scope(eng) as session:
    items = list_evaluations(session=session)
    departments = list_department_summaries(session=session)

if not items:
    st.info("数据库中还没有评价。可用命令 `workbench import 文件` 导入评价文件。")
    st.stop()

table = pd.DataFrame(
    [
        {
            "评价编号": i.key,
            "类型": i.kind_label,
            "年度": i.year,
            "主管部门": i.department,
            "项目名称": i.project_name,
            "评价机构": i.agency or "—",
            "得分": float(i.total_score) if i.total_score is not None else None,
            "等级": i.grade,
            "进度": f"{i.scored}/{i.indicator_count}",
        }
        for i in items
    ]
)
third = sum(1 for i in items if i.kind == "third_party")
st.caption(f"共 {len(items)} 个评价：第三方评价 {third} 个，绩效自评 {len(items) - third} 个。")
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={"得分": st.column_config.NumberColumn(format="%.2f")},
)

choice = st.selectbox(
    "查看得分情况",
    [i.key for i in items],
    format_func=lambda k: next(f"{i.project_name}（{i.kind_label}，{i.year}）" for i in items if i.key == k),
)
with session_scope(eng) as session:
    ev = get_evaluation(session=session, ref=choice)
result = score(ev)
c1, c2, c3 = st.columns(3)
c1.metric("评价得分", f"{result.total:.2f}")
c2.metric("等级", result.grade)
c3.metric("已评指标", f"{result.scored}/{result.count}")
if ev.stated is not None and ev.stated.total is not None and ev.stated.total != result.total:
    st.warning(f"文件所载总分为 {ev.stated.total}，按证据计算为 {result.total:.2f}，请复核。")
rows = [
    {
        "一级指标": r.level1,
        "二级指标": r.level2,
        "三级指标": r.name,
        "分值": f"{r.weight:g}",
        "得分": "未评" if r.score is None else f"{r.score:.2f}",
        "扣分": "" if r.deduction is None else f"{r.deduction:.2f}",
        "得分率": "" if r.rate is None else f"{r.rate}%",
        "评分方法": r.method,
        "计算过程": r.explanation,
    }
    for r in result.indicators
]
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

if departments:
    st.subheader("部门自评报告")
    for d in departments:
        s = d.stated
        st.write(
            f"**{d.title or d.department}**：报告所载项目 {s.project_count} 个，"
            f"资金 {s.total_budget} 万元，支出 {s.spent} 万元，执行率 {s.rate}。"
        )
