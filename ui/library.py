"""Pieces of the 指标库 page: a template as a table, its downloads (YAML, the client-table .xlsx), a client's
indicator table read in and kept as an agency template."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from evaluation.auth import can
from evaluation.errors import listed
from evaluation.formatting import number
from evaluation.indicators.client_table import read_client_table, system_to_xlsx
from evaluation.indicators.library import Library, template_yaml
from evaluation.indicators.system import Group, IndicatorSystem, Pack, PersonalSet
from evaluation.storage.templates import delete_template, save_template
from ui.auth import require_user
from ui.downloads import XLSX, download_button
from ui.saving import action, commit, fresh, submit

CLIENT_SAVE = "lib_client_save"  # a client table kept as a template: the upload box is drawn empty again


def group_rows(level1: str, groups: list[Group]) -> list[dict[str, str]]:
    return [
        {
            "一级指标": level1,
            "二级指标": f"{g.name}（{number(g.total_weight)}）",
            "三级指标": ind.name,
            "编码": ind.code,
            "分值": number(ind.weight),
            "目标值": ind.target,
            "评分方法": ind.method_label,
            "规则": ind.rule_in_words(),
            "指标解释": ind.explanation,
        }
        for g in groups
        for ind in g.indicators
    ]


def show_item(item: IndicatorSystem | Pack | PersonalSet) -> None:
    """A template, pack or example set as one table of its third-level indicators with rules in words."""
    st.subheader(item.name)
    if item.description:
        st.write(item.description)
    rows: list[dict[str, str]] = []
    if isinstance(item, IndicatorSystem):
        st.caption(
            f"总分 {number(item.total)}；等级："
            + "，".join(f"{g.name} ≥ {number(g.min)}" for g in item.grades)
            + f"；取舍：{item.rounding.describe()}"
        )
        for l1 in item.groups:
            label = f"{l1.name}（{number(l1.weight if l1.weight is not None else l1.total_weight)}）"
            if l1.slot is not None and not l1.groups:
                filler = "由专用指标包填充" if l1.slot == "pack" else "由本评价的个性指标填充"
                rows.append({"一级指标": label, "二级指标": f"（{filler}）", "三级指标": "", "编码": l1.code})
            rows += group_rows(label, l1.groups)
        for p in item.penalty_items():
            rows.append({"一级指标": "扣分项", "三级指标": p.name, "编码": p.code, "规则": p.rule_text})
    else:
        if isinstance(item, Pack):
            st.caption(f"项目类别：{item.category}；分值 {number(item.weight)}")
        rows = group_rows(item.name, item.groups)
    table = pd.DataFrame(rows).fillna("")
    st.table(table.set_index("编码") if "编码" in table else table, border="horizontal")


def downloads(eng: Engine, system: IndicatorSystem, key: str) -> None:
    """The template as YAML (for the library folder) and as the client-table .xlsx (to send to a client)."""
    c1, c2 = st.columns(2)
    download_button(
        "下载模板文件（YAML）",
        lambda _user: template_yaml(system).encode("utf-8"),
        file_name=f"{system.id}.yaml",
        mime="application/yaml",
        where=c1,
        key=f"{key}.yaml",
    )
    download_button(
        "下载指标体系表（Excel）",
        lambda _user: system_to_xlsx(system),
        file_name=f"{system.name}.xlsx",
        mime=XLSX,
        where=c2,
        key=f"{key}.xlsx",
    )


def delete_button(eng: Engine, key: str, name: str) -> None:
    if not can(require_user().role, "manage_templates"):
        return
    with st.popover("删除这个机构模板", icon=":material/delete:"):
        st.caption("已用它建立的评价不受影响（评价保存自己的指标体系）。")
        if action("确认删除", form=f"agency.delete.{key}"):
            commit(
                eng,
                lambda session: delete_template(session=session, key=key, user=require_user()),
                f"已删除机构模板“{name}”。",
                form=f"agency.delete.{key}",
            )


def client_table_import(eng: Engine, lib: Library) -> None:
    """Read a client's indicator table, show each row's derived rule, and keep it as an agency template."""
    st.caption(
        "上传客户给的指标体系表（.xlsx 或 .docx），读成指标模板：各指标的评分规则按评分标准的文字识别，"
        "逐行列出识别结果与未能识别之处；没有问题时可存入机构模板库，新建评价时即可选用。"
    )
    upload = st.file_uploader(
        "客户指标体系表（不超过 20 MB）", type=["xlsx", "docx"], key=fresh("lib_client", form=CLIENT_SAVE)
    )
    if upload is None:
        return
    read = read_client_table(upload.name, upload.getvalue())
    if read.rows:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "位置": r.where,
                        "一级指标": r.level1,
                        "二级指标": r.level2,
                        "三级指标": r.name,
                        "分值": number(r.weight),
                        "识别为": r.method,
                        "规则": r.words,
                        "说明": "；".join(r.notes),
                    }
                    for r in read.rows
                ]
            ),
            hide_index=True,
            width="stretch",
            placeholder="",
        )
    if read.problems:
        st.error(
            f"“{upload.name}”有 {len(read.problems)} 处问题，改正后重新上传"
            "（也可先读入某个评价的“指标体系”页再修改）：\n\n"
            + "\n".join(f"- {line}" for line in listed(read.problems))
        )
        return
    assert read.system is not None
    if not can(require_user().role, "manage_templates"):
        return
    with st.form(CLIENT_SAVE):
        c1, c2 = st.columns([1, 2])
        key = c1.text_input(
            "模板编号（字母、数字、点、短横线）", read.system.id, key=fresh("lib_client.id", form=CLIENT_SAVE)
        )
        name = c2.text_input("模板名称", read.system.name, key=fresh("lib_client.name", form=CLIENT_SAVE))
        replace = st.checkbox("编号已存在时覆盖", key=fresh("lib_client.replace", form=CLIENT_SAVE))
        saved = submit("存入机构模板库", form=CLIENT_SAVE, guard_repeat=True, type="primary")
    if saved:
        data = {**read.system.model_dump(), "id": key.strip(), "name": name.strip()}

        def write(session: Session) -> None:
            system = IndicatorSystem.model_validate(data)  # a bad id or name is refused like any other input
            save_template(session=session, system=system, user=require_user(), library=lib, replace=replace)

        commit(
            eng,
            write,
            f"已存入机构模板库：“{name.strip()}”（{key.strip()}）。",
            form=CLIENT_SAVE,
        )
