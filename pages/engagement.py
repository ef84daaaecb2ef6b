"""资料与征求意见: the engagement around the scores — the 资料清单 sent to the evaluated unit and what it
supplied, its 基础数据表, the answers to its objections to the draft, 整改, and the 工作底稿 and archive."""

import streamlit as st

from ui.archive import archive_tab
from ui.engagement import checklist_tab, consultation_tab, rectification_tab, unit_data_tab
from ui.guard import page_setup
from ui.state import UNSAVED_NOTE, choose_evaluation, show_flash

eng = page_setup()
st.title("资料与征求意见")
show_flash()
loaded = choose_evaluation(eng)
if loaded is None:
    st.stop()
st.caption(UNSAVED_NOTE, help="Streamlit 在离开页面时丢弃未提交的表单内容")
materials, data, consultation, rectification, archive = st.tabs(
    ["资料清单", "基础数据表", "征求意见", "整改", "底稿与归档"], key="engagement_tab"
)
with materials:
    checklist_tab(eng, loaded)
with data:
    unit_data_tab(eng, loaded)
with consultation:
    consultation_tab(eng, loaded)
with rectification:
    rectification_tab(eng, loaded)
with archive:
    archive_tab(eng, loaded)
