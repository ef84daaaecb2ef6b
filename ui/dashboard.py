"""对比分析's data between page runs: the portfolio of the database (kept per server process, refreshed by
the evaluations saved since the last run, whoever saved them), and the filtered frames and charts of the
choices made (kept for the last few choices, shared by everyone, since they hold no one's private data)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from evaluation.auth import User
from evaluation.config import get_settings
from evaluation.dashboard.charts import Chart, all_charts
from evaluation.dashboard.portfolio import Filters, Frames, completed, filter_frames, tables_to_xlsx
from evaluation.storage.db import session_scope
from evaluation.storage.reading import readable_portfolio
from evaluation.storage.results import Portfolio, PortfolioCache, snapshot_path
from ui.auth import require_user
from ui.state import PICK_ALL, SHORT_LIST, holding


@st.cache_resource(show_spinner=False)
def _cache(url: str) -> PortfolioCache:
    """One per server process and database, starting from the snapshot the last process left in the data
    folder (see ``PortfolioCache``)."""
    return PortfolioCache(snapshot_path(get_settings().data_dir, url))


def portfolio(eng: Engine) -> Portfolio:
    """The summaries of the evaluations the signed-in user may read, as frames; one query over the evaluation
    rows when nothing was saved since the last run."""
    cache = _cache(eng.url.render_as_string(hide_password=False))
    with session_scope(eng) as session:
        return readable_portfolio(session=session, user=require_user(), cache=cache)


@dataclass(frozen=True)
class Scope:
    filtered: Frames  # the fully scored evaluations the filters keep
    unfinished: Frames  # the 未完成 ones they keep
    matched: int  # how many the filters keep, finished or not
    labels: dict[str, str]  # 评价编号 → 项目名称（评价类型，年度） of the filtered ones
    lowest: list[str]  # the five lowest scores' 评价编号


def _filters(choices: dict[str, list[object]]) -> Filters:
    return Filters(
        years=[int(str(y)) for y in choices.get("年度", [])],
        departments=[str(x) for x in choices.get("主管部门", [])],
        categories=[str(x) for x in choices.get("项目类别", [])],
        kinds=[str(x) for x in choices.get("评价类型", [])],
        grades=[str(x) for x in choices.get("等级", [])],
        agencies=[str(x) for x in choices.get("评价机构", [])],
    )


def _frozen(choices: dict[str, list[object]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((k, tuple(str(v) for v in choices[k])) for k in sorted(choices))


@st.cache_resource(max_entries=8, show_spinner=False)
def _scope(portfolio_key: str, frozen: tuple[tuple[str, tuple[str, ...]], ...], _p: Portfolio) -> Scope:
    matched = filter_frames(_p.frames, _filters({k: list(v) for k, v in frozen}))
    filtered, unfinished = completed(matched)
    p = filtered.projects
    labels = p["项目名称"] + "（" + p["评价类型"] + "，" + p["年度"].astype(str) + "）"
    lowest = list(p.sort_values("得分")["评价编号"].head(5))
    return Scope(filtered, unfinished, len(matched), dict(zip(p["评价编号"], labels, strict=True)), lowest)


def scope(p: Portfolio, choices: dict[str, list[object]]) -> Scope:
    """The evaluations the filters keep, split into finished and 未完成 (kept for the last few choices)."""
    return _scope(p.key, _frozen(choices), p)


@st.cache_resource(max_entries=8, show_spinner="正在绘制图表…")
def _charts(
    portfolio_key: str,
    frozen: tuple[tuple[str, tuple[str, ...]], ...],
    compare: tuple[str, ...],
    yoy_by: str,
    _filtered: Frames,
) -> tuple[Chart, ...]:
    return tuple(all_charts(_filtered, compare=list(compare), yoy_by=yoy_by))


def charts(p: Portfolio, choices: dict[str, list[object]], compare: list[str], yoy_by: str) -> tuple[Chart, ...]:
    """Every chart of the filtered evaluations (kept for the last few choices)."""
    return _charts(p.key, _frozen(choices), tuple(compare), yoy_by, scope(p, choices).filtered)


COMPARE = "wb_analysis_compare"  # session: (the filters they were chosen under, the projects of 一级指标对比)


def compare_options(labels: dict[str, str], chosen: list[str], query: str) -> list[str]:
    """What the 一级指标对比 picker lists when there are too many to list: the chosen projects, then the first
    (with a query: the first holding every word typed in its label or key, case aside), at most ``SHORT_LIST``
    besides the chosen."""
    held = set(chosen)
    found = holding(((k, f"{label} {k}".casefold()) for k, label in labels.items() if k not in held), query)
    return [*chosen, *islice(found, SHORT_LIST)]


def compare_picker(
    where: Any, choices: dict[str, list[object]], labels: dict[str, str], lowest: list[str]
) -> list[str]:
    """The projects to compare by 一级指标: the five lowest scores until the user chooses, again after a filter
    changes. Past ``PICK_ALL`` projects a search box narrows what the picker lists (as the evaluation pickers)."""
    frozen = _frozen(choices)
    held = st.session_state.get(COMPARE)
    chosen = [k for k in held[1] if k in labels] if held is not None and held[0] == frozen else lowest
    options = list(labels)
    if len(options) > PICK_ALL:
        query = where.text_input("查找项目", key="analysis_find", placeholder="项目名称、年度或编号").strip()
        options = compare_options(labels, chosen, query)
        where.caption(f"共 {len(labels):,} 个项目，此处列出 {len(options)} 个；输入关键词查找其余。")
    st.session_state["analysis_compare"] = chosen  # the picker shows the choice kept for these filters

    def keep() -> None:
        st.session_state[COMPARE] = (frozen, list(st.session_state["analysis_compare"]))

    where.multiselect(
        "一级指标对比的项目",
        options,
        format_func=labels.__getitem__,
        key="analysis_compare",
        on_change=keep,
        placeholder="选择项目",
    )
    return chosen


# A chart's data table on the page shows at most this many rows; the Excel download holds all of them. At 2,000
# evaluations the tables were 2.3 MiB of the page (the 指标得分率 table alone, a row per project, 1.36 MiB), sent
# again on every filter change, and no one reads 2,000 rows on a screen.
PAGE_ROWS = 300


@dataclass(frozen=True)
class PageTable:
    table: pd.DataFrame  # what the page shows
    note: str  # what was left out, "" when nothing was


def page_table(table: pd.DataFrame) -> PageTable:
    """The part of a chart's data table the page shows (its first ``PAGE_ROWS`` rows) and a note saying that the
    Excel download holds the rest."""
    if len(table) <= PAGE_ROWS:
        return PageTable(table, "")
    note = f"表格共 {len(table):,} 行，此处显示前 {PAGE_ROWS:,} 行；全部数据请下载 Excel。"
    return PageTable(table.iloc[:PAGE_ROWS], note)


def workbook(tables: dict[str, pd.DataFrame]) -> Callable[[User], bytes]:
    """The builder of the tables as one Excel file, for a download button (run when it is clicked)."""

    def build(_user: User) -> bytes:
        return tables_to_xlsx(tables)

    return build
