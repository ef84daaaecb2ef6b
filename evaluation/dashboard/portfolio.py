"""Portfolio data for managers: evaluations and their scores as three flat tables.

``portfolio_frames`` turns (evaluation, result) pairs into pandas DataFrames — one row per
evaluation, per first-level group and per indicator — that the chart builders and the Excel
export read. ``filter_frames`` applies the dashboard filters to all three at once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from evaluation.dashboard.summary import KIND_LABELS, result_summary
from evaluation.model import Evaluation
from evaluation.scoring.engine import EvaluationResult

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
    "复核得分",
    "已评指标",
    "完成",
]
INCOMPLETE = "未完成"
GROUP_COLUMNS = ["评价编号", "项目名称", "一级指标", "分值", "得分", "得分率（%）"]
INDICATOR_COLUMNS = ["评价编号", "项目名称", "一级指标", "二级指标", "三级指标", "分值", "得分", "扣分", "得分率（%）"]


@dataclass(frozen=True)
class Frames:
    projects: pd.DataFrame
    groups: pd.DataFrame
    indicators: pd.DataFrame
    # each group and indicator row's evaluation as a position in ``projects`` (worked out when first needed)
    owners: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.projects)

    def positions(self) -> tuple[np.ndarray, np.ndarray]:
        """(each group row's, each indicator row's) evaluation as its row number in ``projects``."""
        if self.owners is None:
            index = pd.Index(self.projects["评价编号"])
            owners = (index.get_indexer(self.groups["评价编号"]), index.get_indexer(self.indicators["评价编号"]))
            object.__setattr__(self, "owners", owners)  # a cache: the frames themselves do not change
            return owners
        return self.owners


def _num(x: str | None) -> float | None:
    return None if x is None else float(x)


def frames_from_summaries(summaries: Iterable[dict[str, Any]]) -> Frames:
    """The three frames of the summaries, in their order (built column by column)."""
    p: dict[str, list[Any]] = {c: [] for c in PROJECT_COLUMNS}
    g: dict[str, list[Any]] = {c: [] for c in GROUP_COLUMNS}
    i: dict[str, list[Any]] = {c: [] for c in INDICATOR_COLUMNS}
    for s in summaries:
        key, name = s["id"], s["name"]
        budget, spent = _num(s["budget"]), _num(s["spent"])
        complete = bool(s["complete"])
        for column, value in zip(
            PROJECT_COLUMNS,
            (
                key,
                name,
                s["department"],
                s["category"] or "未分类",
                KIND_LABELS[s["kind"]],
                s["agency"] or "（自评）",
                s["year"],
                float(s["total"]),
                s["grade"] if complete else INCOMPLETE,
                budget,
                spent,
                spent / budget * 100 if budget and spent is not None else None,
                _num(s["review_total"]),
                f"{s['scored']}/{s['count']}",
                complete,
            ),
            strict=True,
        ):
            p[column].append(value)
        rows = s["groups"]
        g["评价编号"] += [key] * len(rows)
        g["项目名称"] += [name] * len(rows)
        g["一级指标"] += [r[0] for r in rows]
        g["分值"] += [float(r[1]) for r in rows]
        g["得分"] += [float(r[2]) for r in rows]
        g["得分率（%）"] += [_num(r[3]) for r in rows]
        rows = s["indicators"]
        i["评价编号"] += [key] * len(rows)
        i["项目名称"] += [name] * len(rows)
        for column, n in (("一级指标", 0), ("二级指标", 1), ("三级指标", 2)):
            i[column] += [r[n] for r in rows]
        i["分值"] += [float(r[3]) for r in rows]
        for column, n in (("得分", 4), ("扣分", 5), ("得分率（%）", 6)):
            i[column] += [_num(r[n]) for r in rows]
    return Frames(_frame(p, PROJECT_COLUMNS), _frame(g, GROUP_COLUMNS), _frame(i, INDICATOR_COLUMNS))


_FLOATS = {"得分", "预算（万元）", "支出（万元）", "执行率（%）", "复核得分", "分值", "扣分", "得分率（%）"}


def _frame(columns: dict[str, list[Any]], names: list[str]) -> pd.DataFrame:
    """A frame of the column lists; amounts, scores and rates as floats (NaN where missing), even when empty."""
    return pd.DataFrame(
        {c: pd.Series(columns[c], dtype="float64") if c in _FLOATS else columns[c] for c in names}, columns=names
    )


def merge_frames(frames: Frames, dropped: Collection[str], added: Frames) -> Frames:
    """``frames`` without the evaluations ``dropped`` (by 评价编号) and with ``added``, every row in 评价编号
    order (an evaluation's own rows keep their order)."""
    keep = ~frames.projects["评价编号"].isin(list(dropped)).to_numpy(dtype=bool)
    kept = _subset(frames, keep)

    def joined(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
        both = pd.concat([a, b], ignore_index=True) if len(b) else a
        return both.sort_values("评价编号", kind="stable").reset_index(drop=True)

    return Frames(
        joined(kept.projects, added.projects),
        joined(kept.groups, added.groups),
        joined(kept.indicators, added.indicators),
    )


def restrict(frames: Frames, keys: Collection[str]) -> Frames:
    """The evaluations ``keys`` (评价编号) of the frames, with their group and indicator rows."""
    return _subset(frames, frames.projects["评价编号"].isin(list(keys)).to_numpy(dtype=bool))


def completed(frames: Frames) -> tuple[Frames, Frames]:
    """(the fully scored evaluations, the 未完成 ones): only the first have a score to average, count by
    grade or chart; the second are listed with their progress."""
    done = frames.projects["完成"].to_numpy(dtype=bool)
    return _subset(frames, done), _subset(frames, ~done)


def _subset(frames: Frames, keep: np.ndarray) -> Frames:
    """The evaluations whose ``keep`` is true (one flag per ``projects`` row), with their group and
    indicator rows; the frames themselves when every one is kept."""
    if keep.all():
        return frames
    group_owner, indicator_owner = frames.positions()
    new_position = np.cumsum(keep) - 1
    group_keep, indicator_keep = keep[group_owner], keep[indicator_owner]
    return Frames(
        frames.projects[keep].reset_index(drop=True),
        frames.groups[group_keep].reset_index(drop=True),
        frames.indicators[indicator_keep].reset_index(drop=True),
        (new_position[group_owner[group_keep]], new_position[indicator_owner[indicator_keep]]),
    )


def portfolio_frames(items: Iterable[tuple[Evaluation, EvaluationResult]]) -> Frames:
    return frames_from_summaries(result_summary(ev, result) for ev, result in items)


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
    return _subset(frames, mask.to_numpy(dtype=bool))


def filter_options(frames: Frames) -> dict[str, list[object]]:
    p = frames.projects
    return {
        column: sorted(p[column].dropna().unique().tolist())
        for column in ("年度", "主管部门", "项目类别", "评价类型", "等级", "评价机构")
    }


def tables_to_xlsx(tables: dict[str, pd.DataFrame]) -> bytes:
    """Several tables as sheets of one Excel workbook (sheet names cut to Excel's 31 characters)."""
    import io

    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        used: set[str] = set()
        for name, table in tables.items():
            sheet = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "表"
            n = 2
            while sheet in used:
                sheet = f"{sheet[:28]}({n})"
                n += 1
            used.add(sheet)
            table.to_excel(writer, sheet_name=sheet, index=False)
    return out.getvalue()
