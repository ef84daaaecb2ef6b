"""资料与反馈: the evaluated unit's page — its 资料清单 and uploads, the 基础数据表, and its answers to the
draft report's problems (征求意见), and after 定稿 the 整改 of each problem. No scores before the draft."""

import streamlit as st

from ui.guard import page_setup
from ui.state import show_flash
from ui.unit import checklist_tab, consultation_tab, pick_evaluation, rectification_tab, unit_data_tab

eng = page_setup()
st.title("资料与反馈")
show_flash()
view = pick_evaluation(eng)
if view is None:
    st.stop()
st.caption(f"{view.project.name}　{view.project.department}　{view.project.year} 年度　流程状态：{view.state}")
materials, data, consultation, rectification = st.tabs(["资料清单", "基础数据表", "征求意见", "整改"], key="unit_tab")
with materials:
    checklist_tab(eng, view)
with data:
    unit_data_tab(eng, view)
with consultation:
    consultation_tab(eng, view)
with rectification:
    rectification_tab(eng, view)
