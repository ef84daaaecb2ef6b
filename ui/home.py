"""The 评价项目 page's filter row and its 新建评价 form."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from evaluation.errors import WorkbenchError
from evaluation.formatting import number, rate, score_text
from evaluation.indicators.editing import blank_system
from evaluation.indicators.library import Library
from evaluation.indicators.system import IndicatorSystem
from evaluation.lifecycle import new_evaluation, new_evaluation_id, slots
from evaluation.model import DepartmentSummary, Evaluation, Project
from evaluation.review.base import workbench_total
from evaluation.scoring.engine import EvaluationResult
from evaluation.scoring.stated import REVIEW_LABEL, SELF_LABEL, figure_label, record_result, stated_result
from evaluation.storage.db import session_scope
from evaluation.storage.repo import EvaluationSummary, create_evaluation
from evaluation.storage.templates import list_templates
from evaluation.storage.workflow import STATES
from ui.auth import require_user
from ui.feedback import show_error
from ui.kept import derived
from ui.saving import commit, fresh, submit
from ui.state import from_list, set_current

COLUMNS = ("评价编号", "类型", "年度", "主管部门", "项目名称", "评价机构", "得分", "复核得分", "等级", "进度", "状态")


@dataclass(frozen=True)
class Listing:
    shown: list[EvaluationSummary]  # the evaluations the filters keep
    table: pd.DataFrame  # their rows on the 评价项目 page (shared between runs: not to be changed)


def evaluation_listing(items: list[EvaluationSummary], *, states: dict[str, str]) -> Listing:
    """The filter row (search, 年度, 主管部门, 类型, 状态, 评价机构), what it keeps and the table of it.

    The choices and the table are derived from the evaluation list and kept with it (see ``ui.kept``): a run
    that changed neither the list, the states nor the filters draws the kept table again."""
    c1, c2, c3, c4, c5, c6 = st.columns([2, 1, 2, 1, 1, 2])
    options = from_list(items, "listing-options", lambda: _options(items), lambda i: (i.year, i.department, i.agency))
    query = c1.text_input("搜索", placeholder="项目名称、主管部门或评价编号")
    filters = (
        query,
        tuple(c2.multiselect("年度", options[0], placeholder="全部")),
        tuple(c3.multiselect("主管部门", options[1], placeholder="全部")),
        tuple(c4.multiselect("类型", ["第三方评价", "绩效自评"], placeholder="全部")),
        tuple(c5.multiselect("状态", list(STATES), placeholder="全部")),
        tuple(c6.multiselect("评价机构", options[2], placeholder="全部")),
    )
    frozen = tuple(sorted(states.items()))
    return derived(items, f"listing{filters!r}{hash(frozen)}", lambda: _listing(items, states, *filters))


def _options(items: list[EvaluationSummary]) -> tuple[list[int], list[str], list[str]]:
    return (
        sorted({i.year for i in items}, reverse=True),
        sorted({i.department for i in items}),
        sorted({i.agency for i in items if i.agency}),
    )


def _listing(
    items: list[EvaluationSummary],
    states: dict[str, str],
    query: str,
    years: tuple[int, ...],
    depts: tuple[str, ...],
    kinds: tuple[str, ...],
    wanted_states: tuple[str, ...],
    agencies: tuple[str, ...],
) -> Listing:
    shown = [
        i
        for i in items
        if (not query or any(query in t for t in (i.project_name, i.department, i.key)))
        and (not years or i.year in years)
        and (not depts or i.department in depts)
        and (not kinds or i.kind_label in kinds)
        and (not agencies or i.agency in agencies)
        and (not wanted_states or states.get(i.key, STATES[0]) in wanted_states)
    ]
    columns: list[list[Any]] = [
        [i.key for i in shown],
        [i.kind_label for i in shown],
        [i.year for i in shown],
        [i.department for i in shown],
        [i.project_name for i in shown],
        [i.agency or "—" for i in shown],
        [float(i.total_score) if i.total_score is not None else None for i in shown],
        [float(i.review_score) if i.review_score is not None else None for i in shown],
        [i.grade or "未完成" for i in shown],
        [f"{i.scored}/{i.indicator_count}" for i in shown],
        [states.get(i.key, STATES[0]) for i in shown],
    ]
    table = pd.DataFrame(dict(zip(COLUMNS, columns, strict=True)), columns=list(COLUMNS))
    table["得分"] = table["得分"].astype("float64")
    table["复核得分"] = table["复核得分"].astype("float64")
    return Listing(shown, table)


def score_rows(ev: Evaluation, result: EvaluationResult) -> pd.DataFrame:
    """The 查看得分情况 table: every indicator's weight, score (a 自评 record's own beside the rules'), deduction,
    rate, method and computation."""
    own = stated_result(ev) if ev.kind == "self_evaluation" else None
    return pd.DataFrame(
        [
            {
                "一级指标": r.level1,
                "二级指标": r.level2,
                "三级指标": r.name,
                "分值": number(r.weight),
                **({SELF_LABEL: score_text(own.indicator(r.code).score)} if own is not None else {}),
                ("得分" if own is None else REVIEW_LABEL): score_text(r.score),
                "扣分": number(r.deduction, none=""),
                "得分率": rate(r.rate, none=""),
                "评分方法": r.method,
                "计算过程": r.explanation,
            }
            for r in result.indicators
        ]
    )


DEPARTMENT_COLUMNS = [
    "报告",
    "主管部门",
    "年度",
    "所载项目（个）",
    "资金（万元）",
    "支出（万元）",
    "执行率",
    "所列自评记录",
]


def department_table(departments: list[DepartmentSummary]) -> pd.DataFrame:
    """The 部门自评报告 table: each report's own figures as it states them (a 财政局 holds hundreds of them, one line
    each, sortable), newest year first."""
    return pd.DataFrame(
        [
            {
                "报告": d.title or f"{d.year}年度{d.department}自评报告",
                "主管部门": d.department,
                "年度": d.year,
                "所载项目（个）": d.stated.project_count,
                "资金（万元）": number(d.stated.total_budget, none=""),
                "支出（万元）": number(d.stated.spent, none=""),
                "执行率": d.stated.rate or "",
                "所列自评记录": sum(1 for p in d.projects if p.evaluation_id),
            }
            for d in sorted(departments, key=lambda d: (-d.year, d.department, d.id))
        ],
        columns=DEPARTMENT_COLUMNS,
    )


BLANK = "__blank__"
OPEN = "wb_new_open"  # the 新建评价 switch: the template choice reruns the page, the section stays open
NEW = "new_evaluation"  # the 新建评价 form: its fields are drawn empty again after each evaluation it creates


def template_choices(eng: Engine, lib: Library) -> dict[str, tuple[str, IndicatorSystem]]:
    """The systems a new evaluation can start from: the shipped library, the agency's own templates, and
    空白体系 — key → (label, system)."""
    with session_scope(eng) as session:
        own = list_templates(session=session)
    choices = {k: (f"{s.name}（指标库）", s) for k, s in lib.systems.items()}
    choices |= {t.key: (f"{t.system.name}（机构模板）", t.system) for t in own}
    choices[BLANK] = ("空白体系（从零搭建，或在“指标体系”页导入客户的指标表）", blank_system())
    return choices


def new_evaluation_form(eng: Engine, lib: Library, used_keys: Callable[[], set[str]], *, expanded: bool) -> None:
    """新建评价: the template first (its slots decide what else is asked), then project name, department and
    the like, a 专用指标包 when the template has a 专用 slot and 个性 examples when it has a 个性 slot; on
    success the new evaluation becomes the current one and the form is emptied. ``used_keys`` gives the keys a new
    evaluation may not take (asked only when one is created)."""
    if not st.toggle("新建评价", value=expanded, key=OPEN):
        return
    with st.container(border=True):
        choices = template_choices(eng, lib)
        keys = list(choices)
        template_id = (
            st.selectbox(
                "指标体系模板 *",
                keys,
                index=keys.index("panzhihua-2024") if "panzhihua-2024" in keys else 0,
                format_func=lambda k: choices[k][0],
                key="new.template",
            )
            or keys[0]
        )
        template = choices[template_id][1]
        has = slots(template)
        with st.form(NEW):
            c1, c2 = st.columns(2)
            name = c1.text_input("项目名称 *", key=fresh("new.name", form=NEW))
            dept = c2.text_input("主管部门 *", key=fresh("new.department", form=NEW))
            unit = c1.text_input("实施单位", key=fresh("new.unit", form=NEW))
            commissioner = c2.text_input("委托单位", key=fresh("new.commissioner", form=NEW))
            agency = c1.text_input("评价机构", key=fresh("new.agency", form=NEW))
            year = c2.number_input(
                "预算年度 *", min_value=2000, max_value=2100, value=2024, step=1, key=fresh("new.year", form=NEW)
            )
            pack_id = category = None
            if "pack" in has:
                pack_id = c1.selectbox(
                    "专用指标包（按项目类别）*",
                    list(lib.packs),
                    index=None,
                    format_func=lambda k: f"{lib.packs[k].category}：{lib.packs[k].name}",
                    placeholder="本体系的“专用指标”由所选指标包填充",
                    key=fresh("new.pack", form=NEW),
                )
            else:
                category = c1.text_input("项目类别", key=fresh("new.category", form=NEW))
            personal_ids: list[str] = []
            if "personal" in has:
                personal_ids = c2.multiselect(
                    "个性指标示例（可选，之后可在“指标体系”页修改）",
                    list(lib.personal),
                    format_func=lambda k: lib.personal[k].name,
                    key=fresh("new.personal", form=NEW),
                    placeholder="不选则先放一个待设置的个性指标",
                )
            if not submit("新建", form=NEW, guard_repeat=True, type="primary"):
                return
        try:
            project = Project(
                name=name,
                department=dept,
                implementing_unit=unit,
                commissioner=commissioner,
                agency=agency,
                year=int(year),
                category=lib.packs[pack_id].category if pack_id else (category or "").strip(),
            )
            ev = new_evaluation(
                id=new_evaluation_id(project.year, used_keys()),
                project=project,
                template=template,
                pack=lib.packs[pack_id] if pack_id else None,
                personal=[g for pid in personal_ids for g in lib.personal[pid].groups],
            )
        except (WorkbenchError, ValidationError) as e:
            show_error(e)
            return
        commit(
            eng,
            lambda session: create_evaluation(session=session, evaluation=ev, user=require_user()),
            f"已新建评价“{name}”（编号 {ev.id}），可在“项目信息”页填写项目情况。",
            form=NEW,
            then=lambda: set_current(ev.id),
        )


def show_figures(ev: Evaluation, result: EvaluationResult) -> None:
    """The chosen evaluation's figures: the figure of record with its grade (or 未完成 and the progress) and,
    for a 自评 record, the rules' 复核得分 beside the department's own and the stated total checked."""
    own = record_result(ev, result)
    cols = st.columns(4 if own is not result else 3)
    cols[0].metric(figure_label(ev), number(own.total) if own.scored else "未评")
    cols[1].metric("等级", own.grade if own.complete else "未完成")
    cols[2].metric("已评指标", f"{own.scored}/{own.count}")
    if own is not result:
        cols[3].metric(
            REVIEW_LABEL, number(result.total) if result.scored else "未评", help="按评分规则从记录的证据计算"
        )
        st.caption(
            f"{SELF_LABEL}是部门在自评表中各行所填得分之和；{REVIEW_LABEL}是按指标评分规则复核计算的结果，供复核参考。"
        )
    warning = stated_warning(ev, result, own)
    if warning:
        st.warning(warning)


def stated_warning(ev: Evaluation, result: EvaluationResult, own: EvaluationResult) -> str | None:
    """What to check when the total the file (or the 自评表) states differs from the figure of record ``own``
    (``record_result(ev, result)``), once that figure is complete; None when they agree or nothing is stated."""
    stated = ev.stated.total if ev.stated is not None else None
    if stated is None or not own.complete or stated == own.total:
        return None
    if own is not result:
        return f"自评表所填总分为 {number(stated)}，但各行得分之和为 {number(own.total)}，请复核。"
    return f"文件所载总分为 {number(stated)}，{workbench_total(result)}，请复核。"
