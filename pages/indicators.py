"""指标体系: this evaluation's indicator system, edited as a whole on a draft kept with the evaluation —
the indicators and their weights, group weights, each indicator's rule with a trial, 扣分项, rounding and
grades, or a client's own table read in — then applied after seeing which scores change."""

import streamlit as st

from ui.guard import page_setup
from ui.state import choose_evaluation, show_flash
from ui.system_editor import (
    apply_draft,
    checks,
    groups_tab,
    import_tab,
    overview,
    penalties_tab,
    rules_tab,
    save_as_template,
    settings_tab,
    structure_tab,
    working_copy,
)

eng = page_setup()
st.title("指标体系")
show_flash()
loaded = choose_evaluation(eng)
if loaded is None:
    st.stop()
work = working_copy(loaded)
draft = loaded.evaluation.system_draft is not None
st.caption(
    f"{work.name}"
    + ("　·　**草稿**：以下是尚未应用的修改，评分仍按原体系；检查无误后在页面底部“应用到本评价”。" if draft else "")
)
overview(work)

tabs = st.tabs(["指标与分值", "分组分值", "评分规则", "扣分项", "取舍与等级", "导入客户指标表"], key="indicators_tab")
with tabs[0]:
    structure_tab(eng, loaded, work)
with tabs[1]:
    groups_tab(eng, loaded, work)
with tabs[2]:
    rules_tab(eng, loaded, work)
with tabs[3]:
    penalties_tab(eng, loaded, work)
with tabs[4]:
    settings_tab(eng, loaded, work)
with tabs[5]:
    import_tab(eng, loaded)

st.divider()
found = checks(work)
if draft:
    apply_draft(eng, loaded, work, blocked=bool(found))
save_as_template(eng, loaded)
