"""Dashboard data and figure builders: known inputs in, traces and values out."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from evaluation.dashboard.charts import (
    all_charts,
    budget_execution,
    grade_distribution,
    group_rates,
    heatmap,
    pareto,
    scores_by_project,
    self_vs_third,
    year_over_year,
)
from evaluation.dashboard.portfolio import (
    Filters,
    Frames,
    completed,
    filter_frames,
    filter_options,
    portfolio_frames,
)
from evaluation.files.evaluations import load_evaluation
from evaluation.indicators.library import Library
from evaluation.lifecycle import new_evaluation
from evaluation.model import Project
from evaluation.scoring.engine import score
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def samples() -> Frames:
    evs = [load_evaluation(p) for p in sorted(SAMPLES.rglob("*.yaml")) if "department" not in p.name]
    return portfolio_frames((e, score(e)) for e in evs)


def frames(
    rows: list[dict[str, object]],
    indicators: list[dict[str, object]] | None = None,
    groups: list[dict[str, object]] | None = None,
) -> Frames:
    base = {
        "主管部门": "甲局",
        "项目类别": "行政运转",
        "评价类型": "第三方评价",
        "评价机构": "某机构",
        "年度": 2024,
        "预算（万元）": 100.0,
        "支出（万元）": 90.0,
        "执行率（%）": 90.0,
        "复核得分": None,
        "已评指标": "1/1",
        "完成": True,
    }
    projects = pd.DataFrame([{**base, **r} for r in rows])
    return Frames(
        projects,
        pd.DataFrame(groups or [], columns=["评价编号", "项目名称", "一级指标", "分值", "得分", "得分率（%）"]),
        pd.DataFrame(
            indicators or [],
            columns=["评价编号", "项目名称", "一级指标", "二级指标", "三级指标", "分值", "得分", "扣分", "得分率（%）"],
        ),
    )


def test_portfolio_frames_from_the_samples(samples: Frames) -> None:
    p = samples.projects
    assert len(p) == 13
    pzh = p[p["评价编号"] == "panzhihua-2023-zhaoshang"].iloc[0]
    assert (pzh["得分"], pzh["等级"], pzh["预算（万元）"], pzh["支出（万元）"], pzh["执行率（%）"]) == (
        88.0,
        "良",
        220.0,
        220.0,
        100.0,
    )
    tijian = p[p["评价编号"] == "hengkou-2024-zsj-10-tijian"].iloc[0]
    assert (tijian["预算（万元）"], tijian["评价类型"]) == (0.56, "绩效自评")
    groups = samples.groups[samples.groups["评价编号"] == "panzhihua-2023-zhaoshang"]
    assert dict(zip(groups["一级指标"], groups["得分"], strict=True)) == {
        "通用指标": 50.0,
        "专用指标": 30.0,
        "个性指标": 8.0,
    }
    assert len(samples.indicators[samples.indicators["评价编号"] == "panzhihua-2023-zhaoshang"]) == 15


def test_a_self_record_shows_the_departments_figure_with_the_rules_beside(samples: Frames) -> None:
    p = samples.projects.set_index("评价编号")
    # 人员工资福利及办公经费: the department's rows give 90.6, the rules recompute 96.6
    assert (p.loc["hengkou-2024-zsj-01-renyuan", "得分"], p.loc["hengkou-2024-zsj-01-renyuan", "复核得分"]) == (
        90.6,
        96.6,
    )
    # 干部体检: the rows give 89 (the table's 总分 99 is an arithmetic error), graded 良 on that
    assert (p.loc["hengkou-2024-zsj-10-tijian", "得分"], p.loc["hengkou-2024-zsj-10-tijian", "等级"]) == (89.0, "良")
    assert pd.isna(p.loc["panzhihua-2023-zhaoshang", "复核得分"])
    renyuan = samples.indicators[samples.indicators["评价编号"] == "hengkou-2024-zsj-01-renyuan"]
    assert renyuan["得分"].sum() == pytest.approx(90.6)
    table = scores_by_project(samples).table  # the chart's data table (and its Excel) names both
    row = table[table["项目"].str.startswith("人员工资福利及办公经费")].iloc[0]
    assert (row["评价类型"], row["得分"], row["复核得分"]) == ("绩效自评", 90.6, 96.6)


def test_unscored_evaluations_are_unfinished_not_failed(library: Library) -> None:
    empty = new_evaluation(
        id="eval-2024-9",
        project=Project(name="新项目", department="某局", year=2024),
        template=library.systems["gongxing-2020"],
    )
    pzh = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")
    f = portfolio_frames((e, score(e)) for e in (empty, pzh))
    row = f.projects.set_index("评价编号").loc["eval-2024-9"]
    assert (row["等级"], row["已评指标"], bool(row["完成"])) == ("未完成", f"0/{score(empty).count}", False)
    done, unfinished = completed(f)
    assert list(done.projects["评价编号"]) == ["panzhihua-2023-zhaoshang"]
    assert list(unfinished.projects["评价编号"]) == ["eval-2024-9"]
    assert set(done.groups["评价编号"]) == {"panzhihua-2023-zhaoshang"}
    assert "共 1 个评价" in scores_by_project(done).reading and "低于 60 分的 0 个" in scores_by_project(done).reading
    assert list(grade_distribution(done).table["评价个数"]) == [1]


def test_filters(samples: Frames) -> None:
    only = filter_frames(samples, Filters(kinds=["第三方评价"]))
    assert list(only.projects["评价编号"]) == ["panzhihua-2023-zhaoshang"]
    assert set(only.indicators["评价编号"]) == {"panzhihua-2023-zhaoshang"}
    wl = filter_frames(samples, Filters(departments=["文联"], years=[2024]))
    assert set(wl.projects["主管部门"]) == {"文联"} and len(wl) == 3
    assert filter_options(samples)["等级"] == ["优", "良"]
    assert len(filter_frames(samples, Filters(grades=["差"]))) == 0


def test_scores_by_project_colours_by_grade_and_draws_thresholds() -> None:
    f = frames(
        [
            {"评价编号": "a", "项目名称": "甲", "得分": 95.0, "等级": "优"},
            {"评价编号": "b", "项目名称": "乙", "得分": 55.0, "等级": "差"},
            {"评价编号": "c", "项目名称": "丙", "得分": 82.0, "等级": "良"},
        ]
    )
    chart = scores_by_project(f)
    traces = {t.name: list(t.x) for t in chart.figure.data}
    assert traces == {"优": [95.0], "良": [82.0], "差": [55.0]}
    assert sorted(s.x0 for s in chart.figure.layout.shapes) == [60.0, 80.0, 90.0]
    assert "最低为乙（2024）（55.00 分）" in chart.reading and "低于 60 分的 1 个" in chart.reading
    assert list(chart.table["得分"]) == [55.0, 82.0, 95.0]


def test_group_rates_bars_and_radar() -> None:
    groups = [
        {"评价编号": "a", "项目名称": "甲", "一级指标": g, "分值": 50.0, "得分": s, "得分率（%）": s * 2}
        for g, s in (("决策", 40.0), ("效益", 20.0))
    ]
    groups += [
        {"评价编号": "b", "项目名称": "乙", "一级指标": g, "分值": 50.0, "得分": s, "得分率（%）": s * 2}
        for g, s in (("决策", 50.0), ("效益", 30.0))
    ]
    f = frames(
        [
            {"评价编号": "a", "项目名称": "甲", "得分": 60.0, "等级": "中"},
            {"评价编号": "b", "项目名称": "乙", "得分": 80.0, "等级": "良"},
        ],
        groups=groups,
    )
    bars = group_rates(f)
    assert [(t.name, list(t.y)) for t in bars.figure.data] == [
        ("甲（2024）", [80.0, 40.0]),
        ("乙（2024）", [100.0, 60.0]),
    ]
    assert "“效益”（50.00%）" in bars.reading
    radar = group_rates(f, ["b"], radar=True)
    assert len(radar.figure.data) == 1 and list(radar.figure.data[0].r) == [100.0, 60.0, 100.0]


def test_group_rates_compare_only_projects_on_the_same_groups() -> None:
    def rows(key: str, names: tuple[str, ...]) -> list[dict[str, object]]:
        return [
            {"评价编号": key, "项目名称": key, "一级指标": g, "分值": 25.0, "得分": 20.0, "得分率（%）": 80.0}
            for g in names
        ]

    four = ("决策", "过程", "产出", "效益")
    f = frames(
        [{"评价编号": k, "项目名称": k, "得分": 80.0, "等级": "良"} for k in ("a", "b", "c")],
        groups=rows("a", four) + rows("b", ("通用指标", "专用指标", "个性指标")) + rows("c", four),
    )
    radar = group_rates(f, ["a", "b", "c"], radar=True)
    assert [t.name for t in radar.figure.data] == ["a（2024）", "c（2024）"]
    assert all(list(t.theta)[:-1] == list(four) for t in radar.figure.data)
    assert "另有 1 个项目的一级指标与之不同" in radar.reading and "b（2024）" in radar.reading


def _ind(key: str, name: str, weight: float, got: float) -> dict[str, object]:
    return {
        "评价编号": key,
        "项目名称": key,
        "一级指标": "产出",
        "二级指标": "数量",
        "三级指标": name,
        "分值": weight,
        "得分": got,
        "扣分": weight - got,
        "得分率（%）": got / weight * 100,
    }


def test_heatmap_and_pareto() -> None:
    inds = [
        _ind("a", "完成率", 10, 5),
        _ind("a", "满意度", 10, 10),
        _ind("b", "完成率", 10, 7),
        _ind("b", "满意度", 10, 9),
    ]
    f = frames(
        [
            {"评价编号": "a", "项目名称": "a", "得分": 15.0, "等级": "差"},
            {"评价编号": "b", "项目名称": "b", "得分": 16.0, "等级": "差"},
        ],
        indicators=inds,
    )
    hm = heatmap(f)
    z = hm.figure.data[0].z
    assert list(hm.figure.data[0].x) == ["完成率", "满意度"] and [list(r) for r in z] == [[50.0, 100.0], [70.0, 90.0]]
    assert "“完成率”（60.00%）" in hm.reading
    pa = pareto(f)
    assert list(pa.table["三级指标"]) == ["完成率", "满意度"] and list(pa.table["扣分合计"]) == [8.0, 1.0]
    assert list(pa.table["累计占比（%）"]) == [88.89, 100.0]
    assert "共失分 9.00 分" in pa.reading


def test_budget_grades_year_over_year_and_self_vs_third() -> None:
    f = frames(
        [
            {"评价编号": "a", "项目名称": "甲", "得分": 92.0, "等级": "优", "年度": 2023},
            {
                "评价编号": "b",
                "项目名称": "甲",
                "得分": 85.0,
                "等级": "良",
                "年度": 2024,
                "执行率（%）": 70.0,
                "支出（万元）": 70.0,
            },
            {"评价编号": "c", "项目名称": "甲", "得分": 95.0, "等级": "优", "年度": 2024, "评价类型": "绩效自评"},
        ]
    )
    b = budget_execution(f)
    assert "合计预算 300.00 万元，支出 250.00 万元，总体执行率 83.33%" in b.reading
    g = grade_distribution(f)
    assert list(zip(g.table["等级"], g.table["评价个数"], strict=True)) == [("优", 2), ("良", 1)]
    y = year_over_year(filter_frames(f, Filters(kinds=["第三方评价"])))
    assert list(y.table["得分"]) == [92.0, 85.0] and "-7.00" in y.reading
    s = self_vs_third(f)
    assert s.table.to_dict("records") == [
        {"项目名称": "甲", "年度": 2024, "自评得分": 95.0, "第三方得分": 85.0, "差值": 10.0}
    ]
    assert "1 个自评高于第三方" in s.reading


def test_every_chart_on_the_samples_and_on_an_empty_filter(samples: Frames) -> None:
    charts = all_charts(samples)
    assert [c.key for c in charts] == [
        "scores",
        "groups",
        "groups_radar",
        "heatmap",
        "pareto",
        "budget",
        "grades",
        "yoy",
        "self_vs_third",
    ]
    for c in charts:
        assert c.reading.endswith("。") and c.figure.layout.title.text == c.title
    heat = charts[3]
    assert len(heat.figure.data[0].y) == 13  # two tables share a project name; labels stay distinct
    empty = filter_frames(samples, Filters(grades=["差"]))
    assert all(c.table.empty and "没有" in c.reading for c in all_charts(empty))
    assert Decimal(str(charts[0].table["得分"].min())) == 88


def test_figures_stay_readable_past_their_caps() -> None:
    rows: list[dict[str, object]] = [
        {"评价编号": f"k{i}", "项目名称": f"项目{i}", "得分": 80.0, "等级": "良", "预算（万元）": float(i + 1)}
        for i in range(100)
    ]
    b = budget_execution(frames(rows), max_projects=60)
    assert [len(trace.x) for trace in b.figure.data] == [60, 60, 60] and len(b.table) == 100
    assert b.figure.data[0].x[0] == "项目99（2024）" and "图中显示预算最大的 60 个" in b.reading
    assert "合计预算 5050.00 万元" in b.reading  # the reading still adds up every project
    small = budget_execution(frames(rows[:3]), max_projects=60)
    assert len(small.figure.data[0].x) == 3 and "图中显示" not in small.reading

    inds = [_ind(k, name, 10, got) for k in ("a", "b") for name, got in (("甲", 9), ("乙", 3), ("丙", 6), ("丁", 8))]
    two = [{"评价编号": k, "项目名称": k, "得分": 26.0, "等级": "差"} for k in ("a", "b")]
    hm = heatmap(frames(two, indicators=inds), max_indicators=2)
    assert list(hm.figure.data[0].x) == ["乙", "丙"] and list(hm.table.columns) == ["项目", "甲", "乙", "丙", "丁"]
    assert "仅显示平均得分率最低的 2 项" in hm.reading

    pairs: list[dict[str, object]] = []
    for i in range(70):
        pairs.append({"评价编号": f"s{i}", "项目名称": f"项目{i}", "得分": 90.0, "等级": "优", "评价类型": "绩效自评"})
        pairs.append({"评价编号": f"t{i}", "项目名称": f"项目{i}", "得分": 85.0, "等级": "良"})
    svt = self_vs_third(frames(pairs), max_labels=60)
    assert svt.figure.data[0].mode == "markers" and len(svt.table) == 70
    assert self_vs_third(frames(pairs[:20]), max_labels=60).figure.data[0].mode == "markers+text"
