"""系统管理 (administrators): accounts and roles, evaluation members, the audit trail, backups."""

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from evaluation.auth import ROLES, User
from evaluation.formatting import BEIJING, as_utc, beijing
from evaluation.storage import audit
from evaluation.storage.backup import create_backup
from evaluation.storage.blobs import attachment_store
from evaluation.storage.db import session_scope
from evaluation.storage.users import add_members, create_user, list_accounts, members, remove_member, update_user
from ui.auth import require_user
from ui.downloads import download_button
from ui.guard import page_setup
from ui.saving import action, commit, fresh, submit
from ui.state import show_flash, summaries

eng = page_setup()
# forms drawn empty again after each save (ui.saving.fresh)
NEW_USER, EDIT_USER, ADD_MEMBER = "admin_new_user", "admin_edit_user", "admin_add_member"
admin = require_user()
st.title("系统管理")
show_flash()


def when(at: datetime | None) -> str:
    if at is None:
        return "—"
    return beijing(at)


users_tab, members_tab, audit_tab, backup_tab = st.tabs(["用户", "评价成员", "审计日志", "备份"])

with users_tab:
    with session_scope(eng) as session:
        accounts = list_accounts(session=session, actor=admin)
    now = datetime.now(UTC)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "用户名": a.user.username,
                    "姓名": a.user.display_name,
                    "角色": a.user.role,
                    "状态": "启用" if a.active else "停用",
                    "最近登录": when(a.last_login),
                    "锁定至": when(a.locked_until) if a.locked_until and as_utc(a.locked_until) > now else "",
                }
                for a in accounts
            ]
        ),
        hide_index=True,
        width="stretch",
        placeholder="",
    )
    c1, c2 = st.columns(2)
    with c1, st.form(NEW_USER):
        st.markdown("**新建账户**")
        username = st.text_input("用户名", key=fresh("admin_new.username", form=NEW_USER))
        display_name = st.text_input("姓名", key=fresh("admin_new.display_name", form=NEW_USER))
        role = st.selectbox("角色", ROLES, index=1, key=fresh("admin_new.role", form=NEW_USER))
        password = st.text_input(
            "初始密码（至少 8 个字符）", type="password", key=fresh("admin_new.password", form=NEW_USER)
        )
        if submit("新建账户", form=NEW_USER, guard_repeat=True, type="primary"):
            commit(
                eng,
                lambda session: create_user(
                    session=session,
                    username=username,
                    password=password,
                    role=role,
                    display_name=display_name,
                    actor=admin,
                ),
                f"已新建账户“{username.strip()}”（{role}）。",
                form=NEW_USER,
            )
    with c2:
        st.markdown("**修改账户**")
        by_id = {a.user.id: a for a in accounts}
        # outside the form: choosing another account redraws the fields with that account's values. Named by what
        # a save here does not change (the picker keeps its choice by the name shown: with the role in it, saving a
        # new role would switch the picker to the first account)
        picked = st.selectbox(
            "账户",
            list(by_id),
            format_func=lambda i: f"{by_id[i].user.username}（{by_id[i].user.display_name or by_id[i].user.username}）",
            key="admin_pick_user",
        )
        current = by_id[picked]
    with c2, st.form(EDIT_USER):
        new_role = st.selectbox(
            "角色", ROLES, index=ROLES.index(current.user.role), key=fresh(f"admin_edit.role@{picked}", form=EDIT_USER)
        )
        enabled = st.checkbox("启用", value=current.active, key=fresh(f"admin_edit.active@{picked}", form=EDIT_USER))
        new_password = st.text_input(
            "重设密码（留空不改）", type="password", key=fresh(f"admin_edit.password@{picked}", form=EDIT_USER)
        )
        if submit("保存修改", form=EDIT_USER, type="primary"):
            commit(
                eng,
                lambda session: update_user(
                    session=session,
                    actor=admin,
                    user_id=picked,
                    role=new_role,
                    active=enabled,
                    password=new_password or None,
                ),
                f"已保存账户“{current.user.username}”。",
                form=EDIT_USER,
            )

with members_tab:
    st.caption("评价人员只能编辑、复核人员只能复核所属的评价；评价人员新建的评价自动以其为成员。")
    items = summaries(eng)
    if not items:
        st.info("还没有评价。")
    else:
        labels = {i.key: f"{i.project_name}（{i.year}，{i.key}）" for i in items}
        key = st.selectbox("评价", list(labels), format_func=lambda k: labels[k], key="admin_members.evaluation")
        with session_scope(eng) as session:
            current_members = members(session=session, evaluation_key=key)
            accounts = list_accounts(session=session, actor=admin)
        if current_members:
            leaving = None
            for m in current_members:
                c1, c2 = st.columns([4, 1])
                c1.write(m.label)
                # one form for every row: after a removal the next row moves up under the pointer
                if action("移出", form=f"admin_remove.{key}", name=str(m.id), where=c2):
                    leaving = m
            if leaving is not None:
                who = leaving
                commit(
                    eng,
                    lambda session: remove_member(session=session, actor=admin, user_id=who.id, evaluation_key=key),
                    f"已将 {who.label} 移出该评价。",
                    form=f"admin_remove.{key}",
                )
        else:
            st.caption("该评价还没有成员。")
        candidates = {
            a.user.id: a.user.label
            for a in accounts
            if a.active and a.user.role in ("评价人员", "复核人员") and a.user.id not in {m.id for m in current_members}
        }
        with st.form(ADD_MEMBER):
            chosen = st.multiselect(
                "加入成员",
                list(candidates),
                format_func=lambda i: candidates[i],
                key=fresh("admin_members.add", form=ADD_MEMBER),
            )
            joined = submit("加入", form=ADD_MEMBER, guard_repeat=True, type="primary", disabled=not candidates)
        if joined:
            commit(
                eng,
                lambda session: add_members(session=session, actor=admin, user_ids=chosen, evaluation_key=key),
                f"已加入 {len(chosen)} 名成员。",
                form=ADD_MEMBER,
            )

with audit_tab:
    st.write("全部修改记录（谁、何时、改了什么、原值与新值），CSV 文件可用 Excel 打开。")

    def audit_csv(user: User) -> bytes:
        with session_scope(eng) as session:
            return audit.export_csv(session=session, actor=user)

    download_button(
        "导出审计日志（CSV）",
        audit_csv,
        action="manage_users",
        file_name=f"审计日志-{datetime.now(BEIJING):%Y%m%d-%H%M}.csv",
        mime="text/csv",
        icon=":material/download:",
    )

with backup_tab:
    st.write("备份包含整个数据库（评价、评分记录、账户、审计日志、定稿报告）和全部附件，打包为一个 .zip 文件。")
    st.caption("恢复：在新服务器上对空数据库运行 `workbench restore 备份文件.zip`（见 README“团队部署”）。")
    download_button(
        "下载备份",
        lambda user: create_backup(eng, user=user, attachments=attachment_store(eng)),
        action="backup",
        file_name=f"评价工作台备份-{datetime.now(BEIJING):%Y%m%d-%H%M}.zip",
        mime="application/zip",
        icon=":material/backup:",
        type="primary",
    )
