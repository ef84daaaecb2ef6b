"""Portfolio data for managers: evaluations and their scores as three flat tables.

``portfolio_frames`` turns (evaluation, result) pairs into pandas DataFrames — one row per
evaluation, per first-level group and per indicator — that the chart builders and the Excel
export read. ``filter_frames`` applies the dashboard filters to all three at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from evaluation.model import Evaluation
from evaluation.scoring import EvaluationResult

KIND_LABELS = {"third_party": "第三方评价", "self_evaluation": "绩效自评"}
PROJECT_COLUMNS = [
    "评价编号",
    "项目名称",
    "主管部门",
    "项目类别",
    "评价类型",
    "评价机构",
    "年度",
    "得分",
    "等级",
    "预算（万元）",
    "支出（万元）",
    "执行率（%）",
]
GROUP_COLUMNS = ["评价编号", "项目名称", "一级指标", "分值", "得分", "得分率（%）"]
INDICATOR_COLUMNS = ["评价编号", "项目名称", "一级指标", "二级指标", "三级指标", "分值", "得分", "扣分", "得分率（%）"]


@dataclass(frozen=True)
class Frames:
    projects: pd.DataFrame
    groups: pd.DataFrame
    indicators: pd.DataFrame

    def __len__(self) -> int:
        return len(self.projects)


def _f(d: Decimal | None) -> float | None:
    return None if d is None else float(d)


def budget_of(ev: Evaluation) -> tuple[Decimal | None, Decimal | None]:
    """(budget, spent) in 万元: the funds of a third-party evaluation, the 年度资金总额 row of a 自评表."""
    if ev.self_evaluation is not None and ev.self_evaluation.budget_rows:
        row = ev.self_evaluation.budget_rows[0]
        return row.annual, row.executed
    f = ev.facts.funds
    return (f.adjusted_budget if f.adjusted_budget is not None else f.initial_budget), f.spent


def portfolio_frames(items: Iterable[tuple[Evaluation, EvaluationResult]]) -> Frames:
    projects: list[dict[str, object]] = []
    groups: list[dict[str, object]] = []
    indicators: list[dict[str, object]] = []
    for ev, result in items:
        budget, spent = budget_of(ev)
        rate = float(spent / budget * 100) if budget and spent is not None else None
        p = ev.project
        projects.append(
            {
                "评价编号": ev.id,
                "项目名称": p.name,
                "主管部门": p.department,
                "项目类别": p.category or "未分类",
                "评价类型": KIND_LABELS[ev.kind],
                "评价机构": p.agency or "（自评）",
                "年度": p.year,
                "得分": float(result.total),
                "等级": result.grade,
                "预算（万元）": _f(budget),
                "支出（万元）": _f(spent),
                "执行率（%）": rate,
            }
        )
        for g in result.groups:
            if g.level == 1:
                groups.append(
                    {
                        "评价编号": ev.id,
                        "项目名称": p.name,
                        "一级指标": g.name,
                        "分值": float(g.weight),
                        "得分": float(g.score),
                        "得分率（%）": _f(g.rate),
                    }
                )
        for r in result.indicators:
            indicators.append(
                {
                    "评价编号": ev.id,
                    "项目名称": p.name,
                    "一级指标": r.level1,
                    "二级指标": r.level2,
                    "三级指标": r.name,
                    "分值": float(r.weight),
                    "得分": _f(r.score),
                    "扣分": _f(r.deduction),
                    "得分率（%）": _f(r.rate),
                }
            )
    return Frames(
        pd.DataFrame(projects, columns=PROJECT_COLUMNS),
        pd.DataFrame(groups, columns=GROUP_COLUMNS),
        pd.DataFrame(indicators, columns=INDICATOR_COLUMNS),
    )


@dataclass(frozen=True)
class Filters:
    years: Sequence[int] = ()
    departments: Sequence[str] = ()
    categories: Sequence[str] = ()
    kinds: Sequence[str] = ()
    grades: Sequence[str] = ()
    agencies: Sequence[str] = ()


def filter_frames(frames: Frames, f: Filters) -> Frames:
    """Keep the evaluations matching every non-empty filter, and their group and indicator rows."""
    p = frames.projects
    mask = pd.Series(True, index=p.index)
    for column, values in (
        ("年度", f.years),
        ("主管部门", f.departments),
        ("项目类别", f.categories),
        ("评价类型", f.kinds),
        ("等级", f.grades),
        ("评价机构", f.agencies),
    ):
        if values:
            mask &= p[column].isin(list(values))
    kept = p[mask]
    keys = set(kept["评价编号"])
    return Frames(
        kept.reset_index(drop=True),
        frames.groups[frames.groups["评价编号"].isin(keys)].reset_index(drop=True),
        frames.indicators[frames.indicators["评价编号"].isin(keys)].reset_index(drop=True),
    )


def filter_options(frames: Frames) -> dict[str, list[object]]:
    p = frames.projects
    return {
        column: sorted(p[column].dropna().unique().tolist())
        for column in ("年度", "主管部门", "项目类别", "评价类型", "等级", "评价机构")
    }
