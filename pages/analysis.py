"""对比分析: the portfolio on charts — filters, a reading under every chart, the same numbers as a table."""

import hashlib

import streamlit as st

from evaluation.dashboard.charts import all_charts
from evaluation.dashboard.portfolio import (
    Filters,
    Frames,
    completed,
    filter_frames,
    filter_options,
    frames_from_summaries,
    tables_to_xlsx,
)
from evaluation.storage.db import session_scope
from evaluation.storage.reading import readable_summaries
from ui.auth import require_user
from ui.guard import page_setup

eng = page_setup()
st.title("对比分析")

with session_scope(eng) as session:
    summaries = readable_summaries(session=session, user=require_user())
if not summaries:
    st.info("还没有任何评价。")
    st.stop()


@st.cache_data(show_spinner="正在整理数据…", max_entries=4)
def _frames(signature: str, _summaries: list[dict[str, object]]) -> Frames:
    return frames_from_summaries(_summaries)


signature = hashlib.sha1(
    repr(
        [(s["id"], s["total"], s["grade"], s["scored"], s["review_total"], len(s["indicators"])) for s in summaries]
    ).encode()
).hexdigest()
frames = _frames(signature, summaries)
options = filter_options(frames)

with st.sidebar:
    st.header("筛选")
    chosen = {
        column: st.multiselect(column, options[column], key=f"analysis_{column}", placeholder="全部")
        for column in ("年度", "主管部门", "项目类别", "评价类型", "等级", "评价机构")
    }
filtered = filter_frames(
    frames,
    Filters(
        years=[int(str(y)) for y in chosen["年度"]],
        departments=[str(x) for x in chosen["主管部门"]],
        categories=[str(x) for x in chosen["项目类别"]],
        kinds=[str(x) for x in chosen["评价类型"]],
        grades=[str(x) for x in chosen["等级"]],
        agencies=[str(x) for x in chosen["评价机构"]],
    ),
)
if len(filtered) == 0:
    st.warning("没有符合筛选条件的评价，请放宽筛选条件。")
    st.stop()
filtered, unfinished = completed(filtered)
st.caption(
    f"当前范围：{len(filtered)} 个评价（共 {len(frames)} 个）。"
    + (f"另有 {len(unfinished)} 个未完成评分的评价不计入平均、等级和图表。" if len(unfinished) else "")
    + "自评记录的得分为部门自评得分（表中各行得分之和），规则复核的得分见数据表“复核得分”列。图表右上角可下载 PNG。"
)
if len(unfinished):
    with st.expander(f"未完成的评价（{len(unfinished)} 个）"):
        st.dataframe(
            unfinished.projects[["项目名称", "主管部门", "评价类型", "年度", "已评指标"]],
            hide_index=True,
            width="stretch",
        )
if len(filtered) == 0:
    st.info("当前范围内的评价都还没有评完分。")
    st.stop()

labels = dict(
    zip(
        filtered.projects["评价编号"],
        filtered.projects["项目名称"]
        + "（"
        + filtered.projects["评价类型"]
        + "，"
        + filtered.projects["年度"].astype(str)
        + "）",
        strict=True,
    )
)
lowest = list(filtered.projects.sort_values("得分")["评价编号"].head(5))
c1, c2 = st.columns([3, 1])
compare = c1.multiselect(
    "一级指标对比的项目", list(labels), default=lowest, format_func=lambda k: labels[k], placeholder="选择项目"
)
yoy_by = c2.radio("历年变化按", ["项目名称", "主管部门"], horizontal=True)

charts = all_charts(filtered, compare=compare or lowest, yoy_by=yoy_by)
for chart in charts:
    st.plotly_chart(
        chart.figure,
        key=f"chart_{chart.key}",
        config={"toImageButtonOptions": {"format": "png", "filename": chart.title, "scale": 2}, "displaylogo": False},
    )
    st.caption(chart.reading)
    with st.expander(f"{chart.title}：数据表"):
        st.dataframe(chart.table, hide_index=True, width="stretch")
        if not chart.table.empty:
            st.download_button(
                "下载 Excel",
                data=tables_to_xlsx({chart.title: chart.table}),
                file_name=f"{chart.title}.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key=f"xlsx_{chart.key}",
                on_click="ignore",
            )
st.download_button(
    "下载全部数据表（Excel）",
    data=tables_to_xlsx({c.title: c.table for c in charts if not c.table.empty}),
    file_name="对比分析.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="xlsx_all",
    on_click="ignore",
)
