"""指标体系: the evaluation's tree with weights, targets and rules in words; the 个性 indicators edited
on this evaluation's snapshot (never the library), with their sums checked before anything is saved."""

import pandas as pd
import streamlit as st

from evaluation.formatting import number
from evaluation.indicators.editing import COLUMNS, RULE_KINDS, apply_personal_rows, personal_rows, personal_slot
from evaluation.lifecycle import reconcile_assessments
from ui.access import readonly
from ui.guard import page_setup
from ui.saving import save, widget_key
from ui.state import UNSAVED_NOTE, choose_evaluation, show_flash
from ui.unsaved import has_edits, tables_unsaved

eng = page_setup()
st.title("指标体系")
show_flash()
loaded = choose_evaluation(eng)
if loaded is None:
    st.stop()
ev, result = loaded.evaluation, loaded.result
system = ev.system
st.caption(UNSAVED_NOTE, help="Streamlit 在离开页面时丢弃未提交的表单内容")
st.caption(f"{system.name}　{system.description}")

cols = st.columns(len(system.groups) + 1)
for box, l1 in zip(cols, system.groups, strict=False):
    declared = l1.weight if l1.weight is not None else l1.total_weight
    ok = declared == l1.total_weight
    box.metric(
        l1.name, f"{number(l1.total_weight)} 分", None if ok else f"应为 {number(declared)} 分", delta_color="inverse"
    )
cols[-1].metric("合计", f"{number(result.weight_total)} / {number(system.total)} 分")
if system.penalties:
    st.caption(
        f"扣分项：{'、'.join(p.name for p in system.penalty_items())}，合计最多扣 {number(system.penalties.cap)} 分。"
    )

tree = pd.DataFrame(
    [
        {
            "一级指标": f"{l1.name}（{number(l1.total_weight)}）",
            "二级指标": f"{g.name}（{number(g.total_weight)}）",
            "三级指标": ind.name,
            "编码": ind.code,
            "分值": number(ind.weight),
            "目标值": ind.target,
            "评分方法": ind.method_label,
            "规则": ind.rule_in_words(),
            "状态": result.indicator(ind.code).status,
        }
        for l1, g, ind in system.indicators()
    ]
)
st.table(tree.set_index("编码"), border="horizontal")  # a static table wraps the rules in words instead of cutting them

slot = personal_slot(system)
if slot is None:
    st.info("本指标体系没有个性指标位置。")
    st.stop()

st.subheader(f"个性指标（{slot.name}，共 {number(slot.weight or slot.total_weight)} 分）")
st.caption(
    "在本评价的指标体系快照中增删改个性指标，不会改动指标库。编码留空时自动生成；"
    "比率类指标的目标值须写出数值（如“≥90%”“不少于30人”）。分值合计须等于一级指标分值。"
)
scored = {a.code for a in ev.assessments if system.find(a.code) is not None}
df = pd.DataFrame(personal_rows(system), columns=list(COLUMNS))
# outside the form so that the sums and problems below follow every edit; the source frame is the
# stored snapshot (never the editor's own output), so no edit is lost between reruns
edited = st.data_editor(
    df,
    num_rows="dynamic",
    width="stretch",
    key=widget_key(loaded, "personal.table"),
    column_config={
        "分值": st.column_config.NumberColumn(min_value=0.0, step=0.5, required=True),
        "评分方法": st.column_config.SelectboxColumn(options=list(RULE_KINDS.values()), required=True),
        "每处扣分": st.column_config.NumberColumn(min_value=0.0, step=0.5, help="仅“缺（错）项扣分”使用"),
        "指标解释": st.column_config.TextColumn(width="medium"),
        "评分说明": st.column_config.TextColumn(width="medium"),
    },
)
tables_unsaved(has_edits(widget_key(loaded, "personal.table")))
edit = apply_personal_rows(system, edited.to_dict("records"))
c1, c2 = st.columns(2)
c1.metric(
    "个性指标分值合计",
    f"{number(edit.total)} 分",
    f"{number(edit.total - edit.slot_weight)}" if edit.total != edit.slot_weight else None,
)
c2.metric("应等于", f"{number(edit.slot_weight)} 分")
if edit.problems:
    st.error("个性指标尚不能保存：\n\n" + "\n".join(f"- {p.message}" for p in edit.problems))
else:
    new_slot = personal_slot(edit.system)
    with st.expander("预览：各个性指标的评分规则", expanded=False):
        for g in new_slot.groups if new_slot else []:
            for ind in g.indicators:
                st.markdown(
                    f"- **{ind.name}**（{number(ind.weight)} 分，目标 {ind.target or '—'}）：{ind.rule_in_words()}"
                )

with st.form("personal"):
    confirm = False
    if scored:
        confirm = st.checkbox(
            f"本评价已开始评分（{len(scored)} 项已有记录）。我确认修改：删除指标会删除其评分记录；"
            "改变评分方法会清空该项的评分输入，证据、附件与评分过程保留。"
        )
    submitted = st.form_submit_button("保存个性指标", type="primary", disabled=readonly())

if submitted and not edit.problems:
    rec = reconcile_assessments(system, edit.system, ev.assessments)
    if scored and not confirm:
        st.error("未保存：本评价已开始评分，请勾选确认后再保存。")
    else:
        new = ev.model_copy(update={"system": edit.system, "assessments": rec.assessments})
        note = ""
        if rec.removed:
            note += f" 已删除 {len(rec.removed)} 项的评分记录（{'、'.join(rec.removed)}）。"
        if rec.reset:
            note += f" {len(rec.reset)} 项评分方法或分值改变，评分输入已清空（{'、'.join(rec.reset)}），证据保留。"
        save(eng, loaded, new, "已保存个性指标。" + note, form="personal", sync_assessments=True)
