"""Figure builders for the managers' dashboard: pure functions from portfolio frames to plotly figures.

Each builder returns a :class:`Chart` — the figure, a one-line reading in Chinese, and the table of
the same numbers (for the page and the Excel export). No streamlit here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from evaluation.dashboard.portfolio import Frames
from evaluation.indicators.system import GradeLevel, default_grades

GRADE_COLORS = {"优": "#2e7d32", "良": "#1565c0", "中": "#ef6c00", "差": "#c62828"}
FONT = "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, SimHei, sans-serif"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    figure: go.Figure
    reading: str
    table: pd.DataFrame


def _layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 50, "r": 20, "t": 60, "b": 60},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.2},
    )
    fig.update_xaxes(showgrid=False)
    fig.update_yaxes(gridcolor="#eeeeee")
    return fig


def _empty(key: str, title: str) -> Chart:
    fig = _layout(go.Figure(), title)
    fig.add_annotation(text="没有符合筛选条件的数据", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    return Chart(key, title, fig, "没有符合筛选条件的数据。", pd.DataFrame())


def _label(p: pd.DataFrame) -> pd.Series:
    """Project labels that stay unique when two evaluations share a project name."""
    label = p["项目名称"] + "（" + p["年度"].astype(str) + "）"
    label = label.where(~label.duplicated(keep=False), label + "·" + p["评价类型"])
    return label.where(~label.duplicated(keep=False), label + "·" + p["评价编号"])


def scores_by_project(frames: Frames, grades: Sequence[GradeLevel] | None = None, max_rows: int = 60) -> Chart:
    """Horizontal bars, lowest score at the top, coloured by grade, with the grade thresholds drawn."""
    title = "各项目评价得分"
    p = frames.projects
    if p.empty:
        return _empty("scores", title)
    grades = list(grades or default_grades())
    # a 自评 record's 得分 is the department's own; the rules' 复核得分 stands beside it in the table
    columns = ["项目", "主管部门", "评价类型", "得分", "等级"] + (["复核得分"] if "复核得分" in p else [])
    table = p.assign(项目=_label(p)).sort_values("得分")[columns]
    shown = table.head(max_rows)
    fig = go.Figure()
    for grade, color in GRADE_COLORS.items():
        part = shown[shown["等级"] == grade]
        if not part.empty:
            fig.add_bar(
                x=part["得分"],
                y=part["项目"],
                name=grade,
                marker_color=color,
                orientation="h",
                hovertemplate="%{y}<br>得分 %{x:.2f}<extra>" + grade + "</extra>",
            )
    for g in grades[:-1]:
        fig.add_vline(
            x=float(g.min),
            line_dash="dash",
            line_color=GRADE_COLORS.get(g.name, "#888"),
            annotation_text=f"{g.name} ≥{float(g.min):g}",
            annotation_position="top",
        )
    fig.update_yaxes(categoryorder="array", categoryarray=list(shown["项目"])[::-1], automargin=True)
    fig.update_xaxes(range=[0, 100], title="得分")
    low = table.iloc[0]
    more = f"（图中显示得分最低的 {max_rows} 个）" if len(table) > max_rows else ""
    reading = (
        f"共 {len(table)} 个评价，平均 {table['得分'].mean():.2f} 分；最低为{low['项目']}（{low['得分']:.2f} 分），"
        f"低于 60 分的 {int((table['得分'] < 60).sum())} 个{more}。"
    )
    height = max(360, 26 * len(shown) + 140)
    return Chart("scores", title, _layout(fig, title, height), reading, table.reset_index(drop=True))


def comparable(groups: pd.DataFrame, keys: Sequence[str]) -> tuple[list[str], list[str]]:
    """(keys drawn, keys left out): first-level rates compare only between evaluations whose systems have the
    same first-level groups — the set most of ``keys`` share (on a tie, the first key's). Overlaying
    different systems would leave each project on half the axes."""
    sets = {k: tuple(groups.loc[groups["评价编号"] == k, "一级指标"]) for k in keys}
    sets = {k: v for k, v in sets.items() if v}
    if not sets:
        return [], []
    counts: dict[tuple[str, ...], int] = {}
    for v in sets.values():
        counts[v] = counts.get(v, 0) + 1
    best = max(counts.values())
    chosen = next(v for v in sets.values() if counts[v] == best)
    return [k for k, v in sets.items() if v == chosen], [k for k, v in sets.items() if v != chosen]


def group_rates(frames: Frames, keys: Sequence[str] | None = None, radar: bool = False) -> Chart:
    title = "各一级指标得分率" + ("（雷达图）" if radar else "")
    g = frames.groups
    drawn, left_out = comparable(g, list(keys) if keys else list(dict.fromkeys(g["评价编号"])))
    g = g[g["评价编号"].isin(drawn)]
    if g.empty:
        return _empty("groups_radar" if radar else "groups", title)
    labels = dict(zip(frames.projects["评价编号"], _label(frames.projects), strict=True))
    table = g.assign(项目=g["评价编号"].map(labels)).pivot_table(
        index="项目", columns="一级指标", values="得分率（%）", aggfunc="mean", sort=False
    )
    fig = go.Figure()
    for project, row in table.iterrows():
        if radar:
            cats = [*list(row.index), row.index[0]]
            fig.add_scatterpolar(
                r=[*list(row.values), row.values[0]], theta=cats, name=str(project), fill="toself", opacity=0.6
            )
        else:
            fig.add_bar(x=list(row.index), y=list(row.values), name=str(project))
    if radar:
        fig.update_layout(polar={"radialaxis": {"range": [0, 100]}})
    else:
        fig.update_layout(barmode="group")
        fig.update_yaxes(range=[0, 105], title="得分率（%）")
    means = table.mean(axis=0)
    weakest = means.idxmin()
    reading = f"{len(table)} 个项目中，平均得分率最低的一级指标是“{weakest}”（{means.min():.2f}%）。"
    if left_out:
        names = "、".join(labels.get(k, k) for k in left_out[:5]) + ("等" if len(left_out) > 5 else "")
        reading += f"另有 {len(left_out)} 个项目的一级指标与之不同（指标体系不同），不在同一图中比较：{names}。"
    return Chart(
        "groups_radar" if radar else "groups", title, _layout(fig, title), reading, table.round(2).reset_index()
    )


def heatmap(frames: Frames, max_projects: int = 60, max_indicators: int = 60) -> Chart:
    """Rate of every indicator of every project; past ``max_projects`` rows or ``max_indicators`` columns the
    figure shows the lowest average rates (the table keeps them all)."""
    title = "项目 × 指标得分率热力图"
    i = frames.indicators
    if i.empty:
        return _empty("heatmap", title)
    labels = dict(zip(frames.projects["评价编号"], _label(frames.projects), strict=True))
    data = i.assign(项目=i["评价编号"].map(labels))
    table = data.pivot_table(index="项目", columns="三级指标", values="得分率（%）", aggfunc="mean", sort=False)
    shown = table
    notes = []
    if len(table) > max_projects:
        order = table.mean(axis=1).sort_values().index[:max_projects]
        shown = table.loc[order]
        notes.append(f"项目较多，仅显示平均得分率最低的 {max_projects} 个")
    col_means = table.mean(axis=0)
    if len(table.columns) > max_indicators:
        lowest = set(col_means.sort_values().index[:max_indicators])
        shown = shown[[c for c in shown.columns if c in lowest]]
        notes.append(f"指标较多，仅显示平均得分率最低的 {max_indicators} 项")
    note = f"（{'；'.join(notes)}）" if notes else ""
    fig = go.Figure(
        go.Heatmap(
            z=shown.values,
            x=list(shown.columns),
            y=list(shown.index),
            colorscale="RdYlGn",
            zmin=0,
            zmax=100,
            colorbar={"title": "得分率%"},
            hovertemplate="%{y}<br>%{x}：%{z:.2f}%<extra></extra>",
        )
    )
    reading = f"全部项目中平均得分率最低的指标是“{col_means.idxmin()}”（{col_means.min():.2f}%）{note}。"
    height = max(420, 22 * len(shown) + 160)
    return Chart("heatmap", title, _layout(fig, title, height), reading, table.round(2).reset_index())


def pareto(frames: Frames, top: int = 20) -> Chart:
    title = "失分分布（帕累托图）"
    i = frames.indicators
    lost = i.groupby("三级指标", sort=False)["扣分"].sum()
    lost = lost[lost > 0].sort_values(ascending=False)
    if lost.empty:
        return _empty("pareto", title)
    total = lost.sum()
    table = pd.DataFrame({"三级指标": lost.index, "扣分合计": lost.values})
    table["累计占比（%）"] = (table["扣分合计"].cumsum() / total * 100).round(2)
    shown = table.head(top)
    fig = go.Figure()
    fig.add_bar(x=shown["三级指标"], y=shown["扣分合计"], name="扣分合计", marker_color="#c62828")
    fig.add_scatter(
        x=shown["三级指标"],
        y=shown["累计占比（%）"],
        name="累计占比",
        yaxis="y2",
        mode="lines+markers",
        line_color="#37474f",
    )
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "range": [0, 105], "title": "累计占比（%）"})
    fig.update_yaxes(title="扣分合计")
    n80 = int((table["累计占比（%）"] < 80).sum()) + 1
    reading = (
        f"共失分 {total:.2f} 分；“{table.iloc[0]['三级指标']}”失分最多（{table.iloc[0]['扣分合计']:.2f} 分），"
        f"前 {min(n80, len(table))} 项指标占失分的 80%。"
    )
    return Chart("pareto", title, _layout(fig, title), reading, table)


def budget_execution(frames: Frames, max_projects: int = 60) -> Chart:
    """Budget and spending bars with the execution rate, largest budgets first; past ``max_projects`` the
    figure shows the largest budgets (the table and the reading keep them all)."""
    title = "预算与执行率"
    p = frames.projects.dropna(subset=["预算（万元）"])
    if p.empty:
        return _empty("budget", title)
    table = p.assign(项目=_label(p))[["项目", "预算（万元）", "支出（万元）", "执行率（%）"]].sort_values(
        "预算（万元）", ascending=False
    )
    shown = table.head(max_projects)
    fig = go.Figure()
    fig.add_bar(x=shown["项目"], y=shown["预算（万元）"], name="预算（万元）", marker_color="#90a4ae")
    fig.add_bar(x=shown["项目"], y=shown["支出（万元）"], name="支出（万元）", marker_color="#1565c0")
    fig.add_scatter(
        x=shown["项目"],
        y=shown["执行率（%）"],
        name="执行率（%）",
        yaxis="y2",
        mode="markers",
        marker={"size": 9, "color": "#ef6c00"},
    )
    fig.update_layout(
        barmode="group", yaxis2={"overlaying": "y", "side": "right", "range": [0, 110], "title": "执行率（%）"}
    )
    fig.update_yaxes(title="万元")
    budget, spent = table["预算（万元）"].sum(), table["支出（万元）"].sum()
    low = table.dropna(subset=["执行率（%）"]).sort_values("执行率（%）")
    worst = f"，执行率最低为{low.iloc[0]['项目']}（{low.iloc[0]['执行率（%）']:.2f}%）" if not low.empty else ""
    more = f"（图中显示预算最大的 {max_projects} 个）" if len(table) > max_projects else ""
    reading = (
        f"合计预算 {budget:.2f} 万元，支出 {spent:.2f} 万元，总体执行率 {spent / budget * 100:.2f}%{worst}{more}。"
    )
    return Chart("budget", title, _layout(fig, title), reading, table.round(2).reset_index(drop=True))


def grade_distribution(frames: Frames) -> Chart:
    title = "等级分布"
    p = frames.projects
    if p.empty:
        return _empty("grades", title)
    order = [g for g in GRADE_COLORS if g in set(p["等级"])] + sorted(set(p["等级"]) - set(GRADE_COLORS))
    counts = p["等级"].value_counts().reindex(order, fill_value=0)
    table = pd.DataFrame({"等级": counts.index, "评价个数": counts.values})
    table["占比（%）"] = (table["评价个数"] / table["评价个数"].sum() * 100).round(2)
    fig = go.Figure(
        go.Bar(
            x=table["等级"],
            y=table["评价个数"],
            marker_color=[GRADE_COLORS.get(g, "#888") for g in table["等级"]],
            text=table["评价个数"],
            textposition="outside",
        )
    )
    fig.update_yaxes(title="评价个数")
    parts = "，".join(f"{g} {n} 个" for g, n in zip(table["等级"], table["评价个数"], strict=True))
    return Chart("grades", title, _layout(fig, title), f"共 {len(p)} 个评价：{parts}。", table)


def year_over_year(frames: Frames, by: str = "项目名称", max_lines: int = 12) -> Chart:
    """Average score per year for each project (or department, with ``by="主管部门"``)."""
    title = "历年得分变化" + ("（按主管部门）" if by == "主管部门" else "（按项目）")
    p = frames.projects
    if p.empty:
        return _empty("yoy", title)
    table = p.groupby([by, "年度"], as_index=False)["得分"].mean().sort_values([by, "年度"])
    groups = table.groupby(by, sort=False)["得分"]
    last_two = groups.apply(lambda s: s.iloc[-1] - s.iloc[-2] if len(s) >= 2 else None).dropna()
    # one line per object with several years; beyond max_lines, the largest moves (the table keeps all)
    shown = (
        last_two.abs().sort_values(ascending=False).index[:max_lines]
        if len(last_two)
        else table[by].unique()[:max_lines]
    )
    fig = go.Figure()
    for name in shown:
        part = table[table[by] == name]
        fig.add_scatter(x=part["年度"].astype(str), y=part["得分"], name=str(name), mode="lines+markers")
    fig.update_yaxes(range=[0, 100], title="得分")
    fig.update_xaxes(type="category", title="年度")
    if len(last_two):
        who = last_two.idxmin()
        delta = last_two.min()
        more = f"（图中显示变化最大的 {len(shown)} 个）" if len(last_two) > len(shown) else ""
        reading = (
            f"有多年数据的 {len(last_two)} 个中，{who}最近一年下降最多，为 {delta:+.2f} 分{more}。"
            if delta < 0
            else f"有多年数据的 {len(last_two)} 个对象最近一年均未下降{more}。"
        )
    else:
        reading = "当前筛选范围内没有同一对象的多年数据，无法比较年度变化。"
    return Chart("yoy", title, _layout(fig, title), reading, table.round(2))


def self_vs_third(frames: Frames, max_labels: int = 60) -> Chart:
    """Self-evaluation score against the third-party score of the same project and year (the project names
    written beside the points up to ``max_labels`` points, shown on hover past that)."""
    title = "自评得分与第三方评价得分"
    p = frames.projects
    own = p[p["评价类型"] == "绩效自评"][["项目名称", "年度", "得分"]].rename(columns={"得分": "自评得分"})
    third = p[p["评价类型"] == "第三方评价"][["项目名称", "年度", "得分"]].rename(columns={"得分": "第三方得分"})
    table = own.merge(third, on=["项目名称", "年度"])
    if table.empty:
        chart = _empty("self_vs_third", title)
        return Chart(
            chart.key,
            title,
            chart.figure,
            "当前筛选范围内没有同一项目同一年度既有自评又有第三方评价的情况。",
            chart.table,
        )
    table["差值"] = (table["自评得分"] - table["第三方得分"]).round(2)
    fig = go.Figure()
    fig.add_scatter(
        x=table["第三方得分"],
        y=table["自评得分"],
        mode="markers+text" if len(table) <= max_labels else "markers",
        text=table["项目名称"],
        textposition="top center",
        marker={"size": 10, "color": "#1565c0"},
        name="项目",
    )
    fig.add_scatter(x=[0, 100], y=[0, 100], mode="lines", line={"dash": "dot", "color": "#999"}, name="自评 = 第三方")
    fig.update_xaxes(range=[0, 100], title="第三方评价得分")
    fig.update_yaxes(range=[0, 100], title="自评得分")
    higher = int((table["差值"] > 0).sum())
    reading = (
        f"{len(table)} 个项目同时有自评和第三方评价，其中 {higher} 个自评高于第三方，"
        f"平均高出 {table['差值'].mean():.2f} 分。"
    )
    return Chart("self_vs_third", title, _layout(fig, title), reading, table)


def all_charts(
    frames: Frames,
    grades: Sequence[GradeLevel] | None = None,
    compare: Sequence[str] | None = None,
    yoy_by: str = "项目名称",
) -> list[Chart]:
    """Every dashboard chart for the filtered frames (``compare``: evaluations for the group charts)."""
    keys = list(compare) if compare else list(frames.projects.sort_values("得分")["评价编号"].head(8))
    return [
        scores_by_project(frames, grades),
        group_rates(frames, keys),
        group_rates(frames, keys, radar=True),
        heatmap(frames),
        pareto(frames),
        budget_execution(frames),
        grade_distribution(frames),
        year_over_year(frames, yoy_by),
        self_vs_third(frames),
    ]
