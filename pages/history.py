"""修改历史: the audit trail of the current evaluation, all of it or one indicator's."""

import streamlit as st

from ui.guard import page_setup
from ui.history import history_table
from ui.state import choose_evaluation

eng = page_setup()
st.title("修改历史")
loaded = choose_evaluation(eng, editing=False)
if loaded is None:
    st.stop()
ev = loaded.evaluation
names = {ind.code: f"{ind.code} {ind.name}" for _, _, ind in ev.system.indicators()}
names |= {p.code: f"{p.code} {p.name}（扣分项）" for p in ev.system.penalty_items()}
options = ["", *names]
target = st.selectbox(
    "指标",
    options,
    format_func=lambda c: names.get(c, "全部（项目信息、指标体系、评分、复核与流程）"),
    key=f"history_target@{ev.id}",
)
history_table(eng, ev.id, target or None)
