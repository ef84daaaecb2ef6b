"""The sample evaluations reproduce their seed documents: figures below are copied from the seeds."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from evaluation.files.data import load_model
from evaluation.files.evaluations import load_evaluation
from evaluation.model import DepartmentSummary, Evaluation
from evaluation.scoring.engine import score
from tests.conftest import SAMPLES

D = Decimal
PANZHIHUA = SAMPLES / "panzhihua-2023-zhaoshang.yaml"

# 表3-1 of the Panzhihua report: 三级指标, 指标分值, 得分, 扣分 (as printed), 得分率 (as printed)
TABLE_3_1 = [
    ("决策程序", 6, "6", "0", "100%"),
    ("规划论证", 6, "3", "3", "50%"),
    ("资金投向", 6, "6", "0", "100%"),
    ("制度办法", 2, "2", "0", "100%"),
    ("分配管理", 10, "10", "0", "100%"),
    ("绩效监管", 6, "6", "0", "100%"),
    ("预算执行", 6, "6", "0", "100%"),
    ("资金使用", 3, "3", "0", "100%"),
    ("目标完成", 6, "5", "1", "83.33%"),
    ("完成时效", 3, "3", "0", "100%"),
    ("用途合规性", 10, "10", "0", "100%"),
    ("程序合规性", 10, "10", "0", "100%"),
    ("标准合规性", 10, "10", "0", "100%"),
    ("外商直接投资规模", 8, "0", "8", "0%"),
    ("招商引资规模", 8, "8", "8", "100%"),  # the report prints 扣分 8 beside 得分 8
]


@pytest.fixture(scope="module")
def panzhihua() -> Evaluation:
    return load_evaluation(PANZHIHUA)


def test_every_row_of_table_3_1_is_reproduced(panzhihua: Evaluation) -> None:
    result = score(panzhihua)
    assert [r.name for r in result.indicators] == [row[0] for row in TABLE_3_1]
    for r, (name, weight, stated_score, _stated_ded, stated_rate) in zip(result.indicators, TABLE_3_1, strict=True):
        assert r.weight == weight, name
        assert r.score == D(stated_score), name
        assert r.deduction == D(weight) - D(stated_score), name
        assert f"{r.rate.normalize():f}%" == stated_rate or f"{r.rate}%" == stated_rate, (name, r.rate)


def test_only_the_row_the_evidence_cannot_support_is_an_override(panzhihua: Evaluation) -> None:
    result = score(panzhihua)
    overridden = {r.name: r for r in result.indicators if r.overridden}
    assert set(overridden) == {"规划论证"}
    row = overridden["规划论证"]
    # the report's own evidence: 4 of 12 targets badly set = 33.33 % > 30 % → 0 of 2 band points;
    # 1 + 3 for the checklist
    assert row.computed == 4 and row.score == 3
    assert "33.33%" in row.explanation and row.override_reason


def test_total_is_the_sum_of_the_rows_and_the_stated_total_is_kept(panzhihua: Evaluation) -> None:
    result = score(panzhihua)
    assert result.total == sum((r.score for r in result.indicators if r.score is not None), D(0))
    assert result.total == 88  # the rows of 表3-1 add up to 88
    assert result.grade == "良"
    assert result.penalty_total == 0
    stated = panzhihua.stated
    assert stated is not None and (stated.total, stated.deduction, stated.rate) == (D(89), D(11), "89%")
    # the stated row values sit beside the computed ones, including the report's slips
    by_code = {a.code: a for a in panzhihua.assessments}
    assert by_code["GX.JJ.02"].stated is not None and by_code["GX.JJ.02"].stated.deduction == 8
    assert by_code["TY.JG.01"].stated is not None and by_code["TY.JG.01"].stated.narrative_score == 6


def test_group_subtotals(panzhihua: Evaluation) -> None:
    result = score(panzhihua)
    expected = {
        "TY": (54, 50),
        "TY.JC": (18, 15),
        "TY.GL": (18, 18),
        "TY.SS": (9, 9),
        "TY.JG": (9, 8),
        "ZY": (30, 30),
        "GX": (16, 8),
    }
    for code, (weight, got) in expected.items():
        g = result.group(code)
        assert (g.weight, g.score) == (weight, got), code


def test_panzhihua_facts(panzhihua: Evaluation) -> None:
    p, f = panzhihua.project, panzhihua.facts.funds
    assert (p.name, p.department, p.commissioner, p.report_month) == (
        "招商引资工作经费",
        "攀枝花市东区经济合作局",
        "攀枝花市东区财政局",
        "2024-10",
    )
    assert (f.planned, f.received, f.initial_budget, f.adjusted_budget, f.spent) == (220, 220, 200, 220, 220)
    breakdown = {e.category: e.amount for e in f.breakdown}
    assert breakdown["公务接待费"] == D("76.97") and breakdown["劳务费"] == D("81.12")
    assert sum(breakdown.values(), D(0)) == D("220.00")  # 表1-1 合计 220
    assert [s.name for s in panzhihua.report.stages] == ["前期准备阶段", "组织实施阶段", "分析评价阶段"]
    assert len(panzhihua.problems) == 2 and len(panzhihua.suggestions) == 2
    assert panzhihua.system.penalties is not None


# --------------------------------------------------------------------------- self-evaluations

SELF_EVAL = sorted(p for p in (SAMPLES / "hengkou").glob("*.yaml") if "department" not in p.name)

# from the twelve tables of the 恒口 seed: 项目名称 → (全年预算数, 全年执行数, 执行率, 预算执行得分, 总分)
TABLES = {
    "人员工资福利及办公经费": ("57.16", "55.15", "96.48%", "9.6", "90.6"),
    "2024年招商工作经费": None,  # two tables share this name; checked by budget below
    "“龙腾盛世欣 孝义进万家”文艺下乡志愿服务活动经费": ("5", "4.98", "99.60%", "9.9", "93.8"),
    "文联日常活动经费": ("5", "4.99", "99.80%", "9.9", "93.8"),
    "安贝斯毛绒玩具文化产业园项目协议奖补资金": ("300", "300", "100.00%", "10", "92"),
    "红星美凯龙星和宅配恒口物流园区租赁费用": ("50", "50", "100.00%", "10", "93.8"),
    "宁波安康商会工作经费": ("20", "20", "100.00%", "10", "92"),
    "2023年度目标考核奖": ("5.74", "5.74", "100.00%", "10", "98"),
    "2024年干部体检财政补贴资金": ("0.56", "0.56", "100.00%", "10", "99"),
    "2024年部门预算调整追加": ("6.32", "6.14", "97.15%", "9.7", "97"),
    "2024年度招商局部门整体绩效自评表": ("57.16", "55.15", "96.48%", "9.6", "90.6"),
}
ZHAOSHANG = {D("15"): ("14.97", "99.80%", "9.9", "92.8"), D("185"): ("165.27", "89.34%", "8.9", "90.8")}


def test_all_twelve_tables_are_there() -> None:
    assert len(SELF_EVAL) == 12
    names = [load_evaluation(p).project.name for p in SELF_EVAL]
    assert sorted(set(names)) == sorted(TABLES)
    assert names.count("2024年招商工作经费") == 2


@pytest.mark.parametrize("path", SELF_EVAL, ids=lambda p: p.stem)
def test_stated_values_are_preserved_and_budget_score_follows_the_truncation_rule(path: Path) -> None:
    ev = load_evaluation(path)
    assert ev.kind == "self_evaluation" and ev.self_evaluation is not None
    total_row = ev.self_evaluation.budget_rows[0]
    expected = TABLES[ev.project.name]
    if expected is None:
        executed, rate, budget_score, total = ZHAOSHANG[total_row.annual or D(0)]
        expected = (str(total_row.annual), executed, rate, budget_score, total)
    annual, executed, rate, budget_score, total = expected
    assert (total_row.annual, total_row.executed) == (D(annual), D(executed))
    assert (total_row.rate, total_row.score) == (rate, budget_score)
    assert ev.stated is not None and ev.stated.total == D(total)
    result = score(ev)
    assert result.complete, result.errors
    # 执行率 × 10 truncated to one decimal, as the tables do (99.80 % → 9.9, 89.34 % → 8.9)
    assert result.indicator("YS.1.01").score == D(budget_score)
    # every stated row score is kept exactly beside the computed one
    for a in ev.assessments:
        assert a.stated is not None and a.stated.actual is not None, a.code


def test_sums_of_the_records_match_the_department_report() -> None:
    dept = load_model(DepartmentSummary, SAMPLES / "hengkou" / "department-2024.yaml")
    s = dept.stated
    projects = [load_evaluation(p) for p in SELF_EVAL]
    projects = [e for e in projects if e.self_evaluation and e.self_evaluation.scope == "项目"]
    assert len(projects) == s.project_count == 11
    budget = sum((e.self_evaluation.budget_rows[0].annual or D(0) for e in projects if e.self_evaluation), D(0))
    spent = sum((e.self_evaluation.budget_rows[0].executed or D(0) for e in projects if e.self_evaluation), D(0))
    assert budget == s.total_budget == D("649.78")
    assert spent == s.spent == D("627.80")
    assert (spent / budget * 100).quantize(D("0.01")) == D("96.62") and s.rate == "96.62%"
    assert {p.evaluation_id for p in dept.projects} == {e.id for e in projects}
    # what the report states per project, including its slips, is kept as written
    by_name = {p.name: p for p in dept.projects}
    assert by_name["红星美凯龙星和宅配恒口物流园区租赁费用"].score == D("95.9")
    assert s.grade_counts == {"优": 11, "良": 0, "中": 0, "差": 0}
