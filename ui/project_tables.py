"""The project's tables as the user edits them (年度绩效目标表, 支出明细表, 评价流程): the frame an editor
starts from and the reader that turns the edited rows back into model objects, refusing a row that
lacks what it needs with the table and row named. Shared by every page that fills these tables."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from evaluation.files.data import pydantic_message
from evaluation.formatting import amount, percent, quantize
from evaluation.funds import Breakdown, breakdown
from evaluation.model import ExpenseItem, PerformanceTarget, Stage, TeamMember
from ui.tables import read_table

TARGET_COLUMNS = ["一级指标", "二级指标", "指标名称", "目标值"]
BREAKDOWN_COLUMNS = ["支出类别", "金额（万元）"]
STAGE_COLUMNS = ["阶段", "开始年月", "结束年月", "工作内容"]
DEFAULT_STAGES = ("前期准备", "组织实施", "分析评价")


def targets_frame(targets: list[PerformanceTarget]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"一级指标": t.level1, "二级指标": t.level2, "指标名称": t.name, "目标值": t.value} for t in targets],
        columns=TARGET_COLUMNS,
    )


def read_targets(edited: pd.DataFrame) -> list[PerformanceTarget]:
    """年度绩效目标表: every filled row needs 指标名称."""
    return [
        PerformanceTarget(
            name=row.required("指标名称"), value=row["目标值"], level1=row["一级指标"], level2=row["二级指标"]
        )
        for row in read_table(edited, "年度绩效目标表")
    ]


def breakdown_frame(items: list[ExpenseItem]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"支出类别": e.category, "金额（万元）": float(e.amount)} for e in items], columns=BREAKDOWN_COLUMNS
    )


def read_breakdown(edited: pd.DataFrame) -> tuple[list[ExpenseItem], list[str]]:
    """支出明细表: the complete rows, and a problem for each incomplete one (the totals are shown as the
    table is edited, so an incomplete row is reported, not raised)."""
    items: list[ExpenseItem] = []
    problems: list[str] = []
    for row in read_table(edited, "支出明细表"):
        category, value = row["支出类别"], row["金额（万元）"]
        if not category:
            problems.append(f"支出明细第 {row.number} 行缺少支出类别")
        elif not value:
            problems.append(f"支出明细第 {row.number} 行“{category}”缺少金额")
        elif Decimal(value) < 0:
            problems.append(f"支出明细第 {row.number} 行“{category}”金额不能为负数")
        else:
            try:
                items.append(ExpenseItem(category=category, amount=quantize(Decimal(value), 6).normalize()))
            except ValidationError as e:  # an amount beyond what 万元 figures may hold, said in Chinese
                said = pydantic_message(e.errors()[0])
                problems.append(f"支出明细第 {row.number} 行“{category[:40]}”：{said}")
    return items, problems


def totals_frame(b: Breakdown) -> pd.DataFrame:
    """支出明细 as shown under the editor: each row's 金额 and 占比, then 合计."""
    return pd.DataFrame(
        [{"支出类别": r.category, "金额（万元）": amount(r.amount), "占比": percent(r.share)} for r in b.rows]
        + [{"支出类别": "合计", "金额（万元）": amount(b.total), "占比": "100.00%" if b.total else "—"}]
    )


def show_breakdown(items: list[ExpenseItem], problems: list[str], spent: Decimal | None) -> None:
    """合计 and 占比 of the rows read, the incomplete rows, and a warning when 合计 differs from 实际支出."""
    b = breakdown(items, spent)
    st.dataframe(totals_frame(b), hide_index=True, width="stretch", placeholder="")
    if problems:
        st.error("；".join(problems))
    if b.mismatch:
        st.warning(b.mismatch)


def stages_frame(stages: list[Stage]) -> pd.DataFrame:
    """The stored stages, or the three usual ones to fill in."""
    if not stages:
        return pd.DataFrame([{"阶段": n, "开始年月": "", "结束年月": "", "工作内容": ""} for n in DEFAULT_STAGES])
    return pd.DataFrame(
        [{"阶段": s.name, "开始年月": s.start, "结束年月": s.end or "", "工作内容": s.description} for s in stages],
        columns=STAGE_COLUMNS,
    )


def read_stages(edited: pd.DataFrame) -> list[Stage]:
    """评价流程: a row with only a stage name is skipped; a row with dates or work needs 开始年月."""
    stages: list[Stage] = []
    for row in read_table(edited, "评价流程", filled_by=("开始年月", "结束年月", "工作内容")):
        if not row["开始年月"]:
            raise row.error(f"“{row['阶段']}”缺少开始年月")
        stages.append(
            Stage(name=row["阶段"], start=row["开始年月"], end=row["结束年月"] or None, description=row["工作内容"])
        )
    return stages


TEAM_COLUMNS = ["姓名", "职务或角色", "分工"]


def team_frame(team: list[TeamMember]) -> pd.DataFrame:
    return pd.DataFrame([{"姓名": m.name, "职务或角色": m.role, "分工": m.duty} for m in team], columns=TEAM_COLUMNS)


def read_team(edited: pd.DataFrame) -> list[TeamMember]:
    """人员分工 (for the 评价方案): a row needs a name."""
    return [
        TeamMember(name=row.required("姓名"), role=row["职务或角色"], duty=row["分工"])
        for row in read_table(edited, "人员分工")
    ]
