"""对比分析: the portfolio on charts — filters, a reading under every chart, the same numbers as a table."""

from functools import partial

import streamlit as st

from evaluation.dashboard.portfolio import filter_options
from ui.dashboard import charts, compare_picker, page_table, portfolio, scope, workbook
from ui.downloads import XLSX, download_button
from ui.guard import page_setup
from ui.kept import arrow, derived

FILTERS = ("年度", "主管部门", "项目类别", "评价类型", "等级", "评价机构")

eng = page_setup()
st.title("对比分析")

book = portfolio(eng)  # kept between runs; only what was saved since is read again
if not len(book):
    st.info("还没有任何评价。")
    st.stop()
frames = book.frames
options = filter_options(frames)

with st.sidebar:
    st.header("筛选")
    chosen = {
        column: st.multiselect(column, options[column], key=f"analysis_{column}", placeholder="全部")
        for column in FILTERS
    }
shown = scope(book, chosen)
if shown.matched == 0:
    st.warning("没有符合筛选条件的评价，请放宽筛选条件。")
    st.stop()
filtered, unfinished = shown.filtered, shown.unfinished
st.caption(
    f"当前范围：{len(filtered):,} 个评价（共 {len(frames):,} 个）。"
    + (f"另有 {len(unfinished):,} 个未完成评分的评价不计入平均、等级和图表。" if len(unfinished) else "")
    + "自评记录的得分为部门自评得分（表中各行得分之和），规则复核的得分见数据表“复核得分”列。图表右上角可下载 PNG。"
)
if len(unfinished):
    with st.expander(f"未完成的评价（{len(unfinished)} 个）"):
        st.dataframe(
            unfinished.projects[["项目名称", "主管部门", "评价类型", "年度", "已评指标"]],
            hide_index=True,
            width="stretch",
            placeholder="",
        )
if len(filtered) == 0:
    st.info("当前范围内的评价都还没有评完分。")
    st.stop()

labels, lowest = shown.labels, shown.lowest
c1, c2 = st.columns([3, 1])
compare = compare_picker(c1, chosen, labels, lowest)
yoy_by = c2.radio("历年变化按", ["项目名称", "主管部门"], horizontal=True)

drawn = charts(book, chosen, compare or lowest, yoy_by)
for chart in drawn:
    st.plotly_chart(
        chart.figure,
        key=f"chart_{chart.key}",
        config={"toImageButtonOptions": {"format": "png", "filename": chart.title, "scale": 2}, "displaylogo": False},
    )
    st.caption(chart.reading)
    with st.expander(f"{chart.title}：数据表"):
        part = derived(chart.table, "page-table", partial(page_table, chart.table))  # kept with the chart
        st.dataframe(arrow(part.table), hide_index=True, width="stretch", placeholder="")
        if part.note:
            st.caption(part.note)
        if not chart.table.empty:
            download_button(  # the workbook is built when the button is clicked, not on every run
                "下载 Excel",
                workbook({chart.title: chart.table}),
                file_name=f"{chart.title}.xlsx",
                mime=XLSX,
                key=f"xlsx_{chart.key}",
            )
download_button(
    "下载全部数据表（Excel）",
    workbook({c.title: c.table for c in drawn if not c.table.empty}),
    file_name="对比分析.xlsx",
    mime=XLSX,
    key="xlsx_all",
)
