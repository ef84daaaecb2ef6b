"""评价项目: every stored evaluation with filters, score, grade and progress; new, duplicate, delete."""

import streamlit as st

from evaluation.auth import can
from evaluation.lifecycle import duplicate_for_next_year, new_evaluation_id
from evaluation.storage import audit
from evaluation.storage.db import session_scope
from evaluation.storage.repo import create_evaluation, delete_evaluation, list_keys
from evaluation.storage.unchanged import read_unchanged
from evaluation.storage.users import sees_all
from evaluation.storage.workflow import states
from ui.access import edit_block
from ui.auth import require_user
from ui.guard import page_setup
from ui.home import department_table, evaluation_listing, new_evaluation_form, score_rows, show_figures
from ui.kept import arrow, derived
from ui.resources import library
from ui.saving import action, commit
from ui.state import (
    CURRENT,
    NOT_A_MEMBER,
    current_key,
    department_reports,
    evaluation_picker,
    from_list,
    readable,
    result_of,
    set_current,
    show_flash,
    summaries,
)

eng = page_setup()
st.title("评价项目")
show_flash()

user = require_user()
may_create = can(user.role, "edit")
items = summaries(eng)
departments = department_reports(eng)
state = read_unchanged(eng, "workflow states", lambda session: states(session=session), access_only=True)


def used_keys() -> set[str]:
    """Keys a new evaluation may not take: every stored one and every deleted one (never reused); asked when one
    is created, not on every run (the audit trail grows with the years)."""
    with session_scope(eng) as session:
        return set(list_keys(session=session)) | audit.known_keys(session=session)


if items:
    listing = evaluation_listing(items, states=state)
    shown, table = listing.shown, listing.table
    third = from_list(items, "third-party", lambda: sum(1 for i in items if i.kind == "third_party"), lambda i: i.kind)
    st.caption(
        ("您参与的" if user.role in ("评价人员", "复核人员") else "")
        + f"共 {len(items):,} 个评价：第三方评价 {third:,} 个，绩效自评 {len(items) - third:,} 个。"
        + (f" 筛选后显示 {len(shown):,} 个。" if len(shown) != len(items) else "")
    )
    st.dataframe(
        arrow(table),
        hide_index=True,
        width="stretch",
        column_config={
            "得分": st.column_config.NumberColumn(format="%g", help="绩效自评为部门自评得分（表中各行得分之和）"),
            "复核得分": st.column_config.NumberColumn(format="%g", help="绩效自评按评分规则复核计算的得分"),
            "等级": st.column_config.TextColumn(help="全部指标评完后定级；之前为“未完成”"),
        },
        placeholder="",
    )
else:
    st.info(
        "数据库中还没有评价。请在下方新建，或用命令 `workbench import 文件` 导入评价文件。"
        if sees_all(user)
        else NOT_A_MEMBER
    )

if may_create:  # 复核人员 and 管理者 read the list; creating, copying and deleting are for editors
    new_evaluation_form(eng, library(), used_keys, expanded=not items)
if not items:
    st.stop()

key = current_key(items)
assert key is not None  # there are evaluations
ev = readable(eng, evaluation_picker(st, "查看得分情况", items, "home_pick", key))
result = result_of(ev)
show_figures(ev, result)
st.dataframe(
    arrow(derived(ev, "home-rows", lambda: score_rows(ev, result))), hide_index=True, width="stretch", placeholder=""
)

if may_create:  # copy and delete: editors only (delete also needs membership and an unlocked state)
    block = edit_block(eng, user, ev.id)
    c1, c2 = st.columns(2)
    with c1.popover("复制为下一年度评价", icon=":material/content_copy:"):
        st.write(f"以“{ev.project.name}”（{ev.project.year} 年）为底稿，新建 {ev.project.year + 1} 年度评价：")
        st.caption("保留指标体系、项目背景、目标、组织架构和支出类别；清空金额、评分、问题与评价日期。")
        if action("复制", form="duplicate"):
            new_id = new_evaluation_id(ev.project.year + 1, used_keys())
            commit(
                eng,
                lambda session: create_evaluation(
                    session=session, evaluation=duplicate_for_next_year(ev, new_id), user=require_user()
                ),
                f"已复制为 {ev.project.year + 1} 年度评价（编号 {new_id}）。",
                form="duplicate",
                then=lambda: set_current(new_id),
            )
    with c2.popover("删除评价", icon=":material/delete:"):
        st.warning(
            f"将删除“{ev.project.name}”（{ev.id}）及其评分记录、成员、复核处理与定稿报告，无法在工作台中恢复"
            "（修改历史中保留被删除的全部内容）。"
        )
        typed = st.text_input("请输入评价编号以确认", key="delete_confirm")
        if action("确认删除", form="delete", type="primary", disabled=typed.strip() != ev.id or bool(block)):
            commit(
                eng,
                lambda session: delete_evaluation(session=session, ref=ev.id, user=require_user()),
                f"已删除评价“{ev.project.name}”（{ev.id}）。",
                form="delete",
                then=lambda: st.session_state.pop(CURRENT, None),
            )
    if block:
        st.caption(f"不能删除：{block}。")

if departments:
    st.subheader("部门自评报告")
    st.caption(f"共 {len(departments)} 份；表中数字为报告所载，与各自评记录的核对见“自评表 › 批量复核”。")
    table = derived(departments, "department-table", lambda: department_table(departments))
    st.dataframe(arrow(table), hide_index=True, width="stretch", placeholder="")
