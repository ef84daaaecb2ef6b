"""Review checks (复核): each check fires on a minimal case and stays silent on a near miss; on both
seeds' samples the checks find the documents' real inconsistencies (numbers worked out by hand from
the seed texts) and raise no 错误 on rows that are right; a random consistent evaluation has no 错误."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.files.data import read_data, validate_model
from evaluation.files.evaluations import load_evaluation
from evaluation.model import DepartmentSummary, Evaluation
from evaluation.review.base import (
    ERROR,
    INFO,
    WARNING,
    CheckFinding,
    count_by_severity,
    parse_percent,
    rate_check,
    render_findings,
)
from evaluation.review.department import check_department
from evaluation.scoring.engine import EvaluationResult, score
from tests.conftest import SAMPLES
from tests.factories import checked, evaluation, indicator, system

HENGKOU = SAMPLES / "hengkou"
PANZHIHUA = SAMPLES / "panzhihua-2023-zhaoshang.yaml"
D = Decimal


def codes(findings: list[CheckFinding], severity: str | None = None) -> set[str]:
    return {f.code for f in findings if severity is None or f.severity == severity}


def find(findings: list[CheckFinding], code: str, **where: str) -> CheckFinding:
    hits = [f for f in findings if f.code == code and all(getattr(f.location, k) == v for k, v in where.items())]
    assert len(hits) == 1, (code, where, [(f.code, f.location) for f in findings])
    return hits[0]


def errors(findings: list[CheckFinding]) -> list[CheckFinding]:
    return [f for f in findings if f.severity == ERROR]


# --------------------------------------------------------------------------- builders

DEDUCT = {"method": "deduction", "points_per_finding": 1}
RATIO = {"method": "ratio"}


def third_party(*assessments: dict[str, Any], inds: list[dict[str, Any]] | None = None, **extra: Any) -> Evaluation:
    sys_ = system(*(inds or [indicator("A.1.01", 6, DEDUCT), indicator("A.1.02", 4, DEDUCT)]))
    return evaluation(sys_, *assessments, **extra)


def row(code: str, score_: str | None, **stated: Any) -> dict[str, Any]:
    """An assessment with evidence and a stated row (score, and whatever else is given)."""
    return {
        "code": code,
        "narrative": stated.pop("narrative", "核查了资料。"),
        "evidence": [{"document": "资料"}],
        "inputs": stated.pop("inputs", {}),
        "stated": {"score": None if score_ is None else D(score_), **stated},
    }


def self_eval(
    budget_rows: list[dict[str, Any]], inds: list[dict[str, Any]], *assessments: dict[str, Any], **extra: Any
) -> Evaluation:
    data = {
        "id": "self-test",
        "kind": "self_evaluation",
        "project": {"name": "自评测试", "department": "测试局", "year": 2024},
        "system": {
            "id": "self",
            "name": "自评表",
            "groups": [
                {
                    "code": "YS",
                    "name": "预算执行",
                    "groups": [
                        {
                            "code": "YS.1",
                            "name": "预算执行情况",
                            "indicators": [
                                indicator("YS.1.01", 10, RATIO, "100%", rounding={"digits": 1, "mode": "down"})
                            ],
                        }
                    ],
                },
                {
                    "code": "CC",
                    "name": "产出指标",
                    "groups": [{"code": "CC.1", "name": "数量指标", "indicators": inds}],
                },
            ],
        },
        "assessments": list(assessments),
        "self_evaluation": {"budget_rows": budget_rows},
        **extra,
    }
    total = D(10) + sum((D(str(i["weight"])) for i in inds), D(0))
    data["system"]["total"] = total
    return Evaluation.model_validate(data)


# --------------------------------------------------------------------------- helpers


def test_rate_check_knows_both_rounding_conventions() -> None:
    exact = D("165.27") / D("185") * 100  # 89.3351…
    assert rate_check(D("89.34"), 2, exact).ok
    truncated = rate_check(D("89.33"), 2, exact)
    assert not truncated.ok and truncated.other_convention and truncated.expected == D("89.34")
    assert not rate_check(D("89.30"), 2, exact).other_convention
    assert rate_check(D("89.33"), 2, exact, mode="down").ok
    assert parse_percent("96.48%") == (D("96.48"), 2)
    assert parse_percent("100%") == (D(100), 0)
    assert parse_percent("良好") is None


# --------------------------------------------------------------------------- arithmetic


def test_arith_total_fires_when_the_stated_total_is_not_the_sum_of_rows() -> None:
    ok = third_party(row("A.1.01", "6"), row("A.1.02", "4"), stated={"total": D(10), "weight_total": D(10)})
    assert not errors(checked(ok))
    bad = third_party(row("A.1.01", "6"), row("A.1.02", "4"), stated={"total": D(11), "weight_total": D(12)})
    f = find(checked(bad), "ARITH_TOTAL", field="得分")
    assert (f.severity, f.stated, f.computed) == (ERROR, "11", "10")
    w = find(checked(bad), "ARITH_TOTAL", field="分值")
    assert (w.stated, w.computed) == ("12", "10")


def test_arith_total_deduction_and_rate_of_the_total_row() -> None:
    ok = third_party(row("A.1.01", "5"), row("A.1.02", "4"), stated={"total": D(9), "deduction": D(1), "rate": "90%"})
    assert not errors(checked(ok))
    bad = third_party(row("A.1.01", "5"), row("A.1.02", "4"), stated={"total": D(9), "deduction": D(2), "rate": "80%"})
    found = checked(bad)
    assert (find(found, "ARITH_TOTAL", field="扣分").computed, find(found, "ARITH_RATE", row="合计").computed) == (
        "1",
        "90%",
    )


def test_arith_deduction_fires_when_deduction_is_not_weight_minus_score() -> None:
    assert "ARITH_DEDUCTION" not in codes(checked(third_party(row("A.1.01", "5", deduction=D(1)))))
    f = find(checked(third_party(row("A.1.01", "5", deduction=D(2)))), "ARITH_DEDUCTION")
    assert (f.severity, f.stated, f.computed, f.location.indicator) == (ERROR, "2", "1", "A.1.01")


def test_arith_rate_at_the_stated_precision_and_other_convention_as_hint() -> None:
    for fine in ("83.33%", "83.3%", "83%"):
        assert "ARITH_RATE" not in codes(checked(third_party(row("A.1.01", "5", rate=fine)))), fine
    f = find(checked(third_party(row("A.1.01", "5", rate="80%"))), "ARITH_RATE")
    assert (f.severity, f.computed) == (ERROR, "83%")
    # 2 of 3 = 66.666…%: 66.67% is half-up, 66.66% only truncation gives
    inds = [indicator("A.1.01", 3, DEDUCT)]
    assert "ARITH_RATE" not in codes(checked(third_party(row("A.1.01", "2", rate="66.67%"), inds=inds)))
    hint = find(checked(third_party(row("A.1.01", "2", rate="66.66%"), inds=inds)), "ARITH_RATE")
    assert hint.severity == INFO


def test_score_range() -> None:
    assert "SCORE_RANGE" not in codes(checked(third_party(row("A.1.01", "6"))))
    f = find(checked(third_party(row("A.1.01", "7"))), "SCORE_RANGE")
    assert (f.severity, f.stated, f.computed) == (ERROR, "7", "6")


def test_group_label_against_rows_and_parent() -> None:
    ok = third_party(row("A.1.01", "6"), stated={"group_labels": {"A": D(10), "A.1": D(10)}})
    assert "GROUP_LABEL" not in codes(checked(ok))
    bad = third_party(row("A.1.01", "6"), stated={"group_labels": {"A": D(10), "A.1": D(12)}})
    found = checked(bad)
    f = find(found, "GROUP_LABEL", indicator="A.1", field="分值标注")
    assert (f.severity, f.stated, f.computed) == (ERROR, "12", "10")
    assert find(found, "GROUP_LABEL", field="下级标注之和").computed == "12"


def test_grade_that_does_not_follow_from_the_total() -> None:
    # grades are on the absolute score (优 ≥ 90 …); this small system's total of 10 is 差
    ok = third_party(row("A.1.01", "6"), row("A.1.02", "4"), stated={"total": D(10), "grade": "差"})
    assert "GRADE" not in codes(checked(ok))
    bad = third_party(row("A.1.01", "6"), row("A.1.02", "4"), stated={"total": D(10), "grade": "优"})
    f = find(checked(bad), "GRADE", field="等级")
    assert (f.severity, f.stated, f.computed) == (ERROR, "优", "差")


# --------------------------------------------------------------------------- budget execution (自评表)

QTY = [indicator("CC.1.01", 10, RATIO, "5次以上")]
QTY_ROW = row("CC.1.01", "10", inputs={"actual": "6次"})


def budget(annual: str, executed: str, rate: str, score_: str) -> list[dict[str, Any]]:
    return [{"name": "年度资金总额", "annual": D(annual), "executed": D(executed), "rate": rate, "score": score_}]


def test_budget_rate_and_score_follow_the_truncation_rule() -> None:
    # 55.15 / 57.16 = 96.48…%: × 10 = 9.648, truncated to one decimal = 9.6 (the template's rule)
    ok = self_eval(budget("57.16", "55.15", "96.48%", "9.6"), QTY, QTY_ROW)
    assert not {"BUDGET_RATE", "BUDGET_SCORE"} & codes(checked(ok))
    # 4.98 / 5 = 99.6 %: truncation gives 9.9, half-up would give 10
    ok2 = self_eval(budget("5", "4.98", "99.60%", "9.9"), QTY, QTY_ROW)
    assert not {"BUDGET_RATE", "BUDGET_SCORE"} & codes(checked(ok2))
    bad = checked(self_eval(budget("5", "4.98", "99.50%", "10"), QTY, QTY_ROW))
    assert (
        find(bad, "BUDGET_RATE").computed,
        find(bad, "BUDGET_SCORE", field="得分", table="预算执行情况").computed,
    ) == (
        "99.60%",
        "9.9",
    )


def test_budget_sum_of_sub_rows() -> None:
    rows = [*budget("50", "50", "100%", "10"), {"name": "其中：当年财政拨款", "annual": D(50), "executed": D(50)}]
    assert "BUDGET_SUM" not in codes(checked(self_eval(rows, QTY, QTY_ROW)))
    rows[1]["annual"] = D(40)
    f = find(checked(self_eval(rows, QTY, QTY_ROW)), "BUDGET_SUM")
    assert (f.stated, f.computed) == ("50", "40")


# --------------------------------------------------------------------------- funds (shares)


def funds(usage: str, spent: str = "10") -> dict[str, Any]:
    return {
        "funds": {
            "spent": D(spent),
            "adjusted_budget": D(10),
            "breakdown": [{"category": "办公费", "amount": D("2.12")}, {"category": "劳务费", "amount": D("7.88")}],
            "usage": usage,
        }
    }


def test_share_of_expenditure_in_the_text() -> None:
    ok = third_party(
        row("A.1.01", "6"), facts=funds("办公费 2.12 万元（21.20%），劳务费 7.88 万元（78.80%），执行率100%")
    )
    assert not {"SHARE", "FUNDS_SUM", "FUNDS_RATE"} & codes(checked(ok))
    bad = checked(third_party(row("A.1.01", "6"), facts=funds("办公费 2.12 万元（21.00%），执行率95%")))
    assert find(bad, "SHARE", row="办公费", field="占比").computed == "21.20%"
    assert find(bad, "FUNDS_RATE").computed == "100%"  # at the precision written: 95% against 100%


def test_breakdown_total_against_spent() -> None:
    f = find(checked(third_party(row("A.1.01", "6"), facts=funds("", spent="11"))), "FUNDS_SUM")
    assert (f.stated, f.computed) == ("10", "11")


# --------------------------------------------------------------------------- stated vs computed


def test_stated_score_against_the_rule() -> None:
    inds = [indicator("A.1.01", 10, {"method": "ratio", "direction": "auto"}, "≥90%")]
    ok = third_party(row("A.1.01", "10", inputs={"actual": "100%"}), inds=inds)
    assert "STATED_VS_COMPUTED" not in codes(checked(ok))
    f = find(checked(third_party(row("A.1.01", "8", inputs={"actual": "100%"}), inds=inds)), "STATED_VS_COMPUTED")
    assert (f.severity, f.stated, f.computed) == (WARNING, "8", "10")


def test_override_the_evidence_does_not_support() -> None:
    override = {"score": D(3), "reason": "报告所载得分"}
    bad = third_party({**row("A.1.01", "3", inputs={"findings": [{"text": "一处问题"}]}), "override": override})
    f = find(checked(bad), "OVERRIDE_UNSUPPORTED")
    assert (f.severity, f.stated, f.computed) == (WARNING, "3", "5")
    same = {"score": D(5), "reason": "与规则一致"}
    ok = third_party({**row("A.1.01", "5", inputs={"findings": [{"text": "一处问题"}]}), "override": same})
    assert "OVERRIDE_UNSUPPORTED" not in codes(checked(ok))


def test_input_error_is_an_error() -> None:
    inds = [indicator("A.1.01", 10, RATIO, "良好")]
    f = find(checked(third_party(row("A.1.01", "10", inputs={"actual": "好"}), inds=inds)), "INPUT_ERROR")
    assert f.severity == ERROR


# --------------------------------------------------------------------------- narrative vs table


def test_narrative_score() -> None:
    assert "NARRATIVE_SCORE" not in codes(checked(third_party(row("A.1.01", "5", narrative_score=D(5)))))
    f = find(checked(third_party(row("A.1.01", "5", narrative_score=D(6)))), "NARRATIVE_SCORE")
    assert (f.stated, f.computed) == ("6", "5")
    text = "指标分值 6 分，评价得分 6 分。"
    found = checked(third_party(row("A.1.01", "5", narrative=text)))
    assert find(found, "NARRATIVE_SCORE", field="评价得分").stated == "6"
    assert "NARRATIVE_SCORE" not in codes(
        checked(third_party(row("A.1.01", "5", narrative="指标分值 6 分，评价得分 5 分。")))
    )
    wrong_weight = checked(third_party(row("A.1.01", "5", narrative="指标分值 8 分，评价得分 5 分。")))
    assert find(wrong_weight, "NARRATIVE_SCORE", field="指标分值").computed == "6"


def test_narrative_counts_against_the_table() -> None:
    inds = [indicator("A.1.01", 6, RATIO, "100%")]
    inputs = {"actual": "5个", "target": "6个"}
    ok = third_party(
        row("A.1.01", "5", rate="83.33%", inputs=inputs, narrative="共设置 6 个绩效目标，实际完成 5 个。"), inds=inds
    )
    assert "NARRATIVE_COUNT" not in codes(checked(ok))
    bad = third_party(
        row("A.1.01", "5", rate="83.33%", inputs=inputs, narrative="共设置 3 个绩效目标，完成 2 个。"), inds=inds
    )
    f = find(checked(bad), "NARRATIVE_COUNT")
    assert (f.severity, f.stated, f.computed) == (ERROR, "2/3", "5/6")


BANDS = {
    "method": "bands",
    "measure": "偏离度",
    "bands": [{"limit": 15, "points": 2}, {"limit": 30, "points": 1}, {"points": 0}],
}


def test_band_measure_stated_against_its_counts() -> None:
    inds = [indicator("A.1.01", 2, BANDS)]
    inputs = {"count": 4, "of": 12}
    ok = third_party(row("A.1.01", "0", inputs=inputs, note="偏离度为33.33%"), inds=inds)
    assert "BAND_MEASURE" not in codes(checked(ok))
    f = find(checked(third_party(row("A.1.01", "0", inputs=inputs, note="偏离度为25%"), inds=inds)), "BAND_MEASURE")
    assert (f.stated, f.computed) == ("25%", "33.33%")
    assert "得 1 分" in f.message and "得 0 分" in f.message


# --------------------------------------------------------------------------- target quality


def test_targets_not_quantified_or_implausible() -> None:
    inds = [
        indicator("CC.1.01", 10, {"method": "manual"}, "良好"),
        indicator("CC.1.02", 10, {"method": "manual"}, "1900年1月", name="资金及时拨付率"),
        indicator("CC.1.03", 10, {"method": "manual"}, "1", name="合同执行率"),
        indicator("CC.1.04", 10, {"method": "manual"}, "2024年12月", name="完成时限"),
        indicator("CC.1.05", 10, {"method": "manual"}, "100%", name="资金拨付率"),
    ]
    manual = [{"code": i["code"], "inputs": {"score": D(10), "justification": "按表"}} for i in inds]
    found = checked(self_eval(budget("5", "5", "100%", "10"), inds, *manual))
    assert find(found, "TARGET_QUALITATIVE").location.indicator == "CC.1.01"
    implausible = {f.location.indicator for f in found if f.code == "TARGET_IMPLAUSIBLE"}
    assert implausible == {"CC.1.02", "CC.1.03"}
    assert all(f.severity == WARNING for f in found if f.code == "TARGET_IMPLAUSIBLE")
    share = find(found, "TARGET_SHARE")
    assert share.computed == "60.00%"  # 3 of 5 declared targets


def test_target_share_offers_the_planning_band_rule() -> None:
    inds = [indicator("A.1.01", 2, BANDS)]
    targets = [{"name": f"目标{i}", "value": v} for i, v in enumerate(["≥90%", "良好", "10个以上", "有效提升"])]
    ev = third_party(row("A.1.01", "2", inputs={"count": 0, "of": 4}), inds=inds, facts={"annual_targets": targets})
    share = find(checked(ev), "TARGET_SHARE")
    assert share.computed == "50.00%" and "得 0 分" in share.message
    quantified = third_party(
        row("A.1.01", "2", inputs={"count": 0, "of": 1}), inds=inds, facts={"annual_targets": targets[:1]}
    )
    assert not {"TARGET_SHARE", "TARGET_QUALITATIVE"} & codes(checked(quantified))


# --------------------------------------------------------------------------- completeness


def test_missing_evidence_and_unanswered_problems() -> None:
    bare = {"code": "A.1.01", "stated": {"score": D(6)}}
    found = checked(third_party(bare, problems=[{"title": "问题一"}]))
    assert find(found, "MISSING_EVIDENCE").location.indicator == "A.1.01"
    assert find(found, "MISSING_ASSESSMENT").location.indicator == "A.1.02"
    assert "PROBLEM_NO_SUGGESTION" in codes(found)
    answered = third_party(
        row("A.1.01", "6"),
        row("A.1.02", "4"),
        problems=[{"title": "问题一"}],
        suggestions=[{"title": "建议一", "answers": [1]}],
    )
    assert not {"MISSING_EVIDENCE", "MISSING_ASSESSMENT", "PROBLEM_NO_SUGGESTION"} & codes(checked(answered))


# --------------------------------------------------------------------------- department report


def dept(projects: list[dict[str, Any]], **stated: Any) -> DepartmentSummary:
    return DepartmentSummary.model_validate(
        {"id": "d", "department": "测试局", "year": 2024, "stated": stated, "projects": projects}
    )


def test_department_sums_counts_and_rates() -> None:
    lines = [
        {
            "name": "甲",
            "budget_source": "年初预算",
            "budget": D("15"),
            "spent": D("14.98"),
            "score": D(92),
            "grade": "优",
        },
        {
            "name": "乙",
            "budget_source": "年中追加",
            "budget": D("185"),
            "spent": D("165.27"),
            "score": D(85),
            "grade": "良",
        },
    ]
    # 180.25 / 200 = 90.125 %: half-up 90.13 %, truncation 90.12 %
    right = dept(
        lines, project_count=2, total_budget=D(200), spent=D("180.25"), rate="90.13%", grade_counts={"优": 1, "良": 1}
    )
    assert not errors(check_department(right, [], {}))
    assert {f.code for f in check_department(right, [], {})} == {"DEPT_RECORD"}
    wrong = dept(lines, project_count=3, total_budget=D(201), spent=D("180.25"), rate="90.12%", grade_counts={"优": 2})
    found = check_department(wrong, [], {})
    assert find(found, "DEPT_SUM", field="项目个数").computed == "2"
    assert find(found, "DEPT_SUM", field="预算资金合计").computed == "200"
    truncated = dept(lines, total_budget=D(200), spent=D("180.25"), rate="90.12%")
    rate = find(check_department(truncated, [], {}), "DEPT_RATE", field="执行率")
    assert (rate.severity, rate.computed) == (WARNING, "90.13%")  # truncation, not the template's half-up
    off = dept(lines, total_budget=D(200), spent=D("180.25"), rate="90.2%")
    assert find(check_department(off, [], {}), "DEPT_RATE").severity == ERROR
    assert find(found, "DEPT_SUM", field="优等项目数").computed == "1"


# --------------------------------------------------------------------------- the seeds' samples


@pytest.fixture(scope="module")
def samples() -> dict[str, Evaluation]:
    evs = [load_evaluation(p) for p in sorted(SAMPLES.rglob("*.yaml")) if "department" not in p.name]
    return {ev.id: ev for ev in evs}


@pytest.fixture(scope="module")
def results(samples: dict[str, Evaluation]) -> dict[str, EvaluationResult]:
    return {key: score(ev) for key, ev in samples.items()}


@pytest.fixture(scope="module")
def department() -> DepartmentSummary:
    path = HENGKOU / "department-2024.yaml"
    return validate_model(DepartmentSummary, read_data(path), str(path))


def test_panzhihua_table_3_1(samples: dict[str, Evaluation]) -> None:
    found = checked(samples["panzhihua-2023-zhaoshang"])
    # 表3-1: 6+3+6+2+10+6+6+3+5+3+10+10+10+0+8 = 88, but 合计 says 89, 扣分 11, 得分率 89%
    total = find(found, "ARITH_TOTAL", field="得分")
    assert (total.stated, total.computed) == ("89", "88")
    ded = find(found, "ARITH_TOTAL", field="扣分")
    assert (ded.stated, ded.computed) == ("11", "12")
    assert "20" in ded.message  # the 扣分 column itself adds up to 20 (招商引资规模 states 8)
    rate = find(found, "ARITH_RATE", row="合计")
    assert (rate.stated, rate.computed) == ("89%", "88%")
    # 招商引资规模: 得分 8 of 8 but 扣分 8
    d = find(found, "ARITH_DEDUCTION", indicator="GX.JJ.02")
    assert (d.stated, d.computed) == ("8", "0")


def test_panzhihua_narrative_and_planning(samples: dict[str, Evaluation]) -> None:
    found = checked(samples["panzhihua-2023-zhaoshang"])
    narrative = find(found, "NARRATIVE_SCORE", indicator="TY.JG.01")
    assert (narrative.stated, narrative.computed) == ("6", "5")
    counts = find(found, "NARRATIVE_COUNT", indicator="TY.JG.01")
    assert (counts.stated, counts.computed) == ("2/3", "5/6")
    # 规划论证: the report says 偏离度 25 % while 4 of 12 targets is 33.33 %
    band = find(found, "BAND_MEASURE", indicator="TY.JC.02")
    assert (band.stated, band.computed) == ("25%", "33.33%")
    override = find(found, "OVERRIDE_UNSUPPORTED", indicator="TY.JC.02")
    assert (override.stated, override.computed) == ("3", "4")  # checklist 1 + 3, band 0 for 33.33 %


def test_panzhihua_raises_nothing_else(samples: dict[str, Evaluation]) -> None:
    found = checked(samples["panzhihua-2023-zhaoshang"])
    assert {(f.code, f.location.indicator, f.location.field) for f in errors(found)} == {
        ("ARITH_TOTAL", "", "得分"),
        ("ARITH_TOTAL", "", "扣分"),
        ("ARITH_RATE", "", "得分率"),
        ("ARITH_DEDUCTION", "GX.JJ.02", "扣分"),
        ("NARRATIVE_SCORE", "TY.JG.01", "评价得分"),
        ("NARRATIVE_COUNT", "TY.JG.01", "设置3个完成2个"),
        ("BAND_MEASURE", "TY.JC.02", "偏离度"),
    }
    # the expenditure shares (0.96 %, 5.90 %, … of 220 万元), the group labels and the grade are right
    assert not {"SHARE", "FUNDS_SUM", "FUNDS_RATE", "GROUP_LABEL", "GRADE", "TARGET_QUALITATIVE"} & codes(found)
    assert codes(found, WARNING) == {"OVERRIDE_UNSUPPORTED"}


# 自评表 总分 against the sum of its rows (checked by hand against the seed's tables)
WRONG_TOTALS = {
    "hengkou-2024-zsj-07-hongxing": ("93.8", "95.9"),  # 10+20+20+10+9.9+8+8+10
    "hengkou-2024-zsj-10-tijian": ("99", "89"),  # 10+15+10+10+15+14+15
    "hengkou-2024-zsj-11-yusuan-zhuijia": ("97", "96.7"),  # 9.7+15+15+15+14+9+9+10
}
# 产出（50）/ 效益（30）/ 满意度（10） labels over rows worth other weights
WRONG_LABELS = {
    "hengkou-2024-wl-04-longteng": {"CC": "60", "XY": "20"},
    "hengkou-2024-wl-05-richang": {"CC": "60", "XY": "20"},
    "hengkou-2024-zsj-01-renyuan": {"CC": "60", "XY": "20"},
    "hengkou-2024-zsj-06-anbeisi": {"CC": "40", "XY": "40"},
    "hengkou-2024-zsj-07-hongxing": {"CC": "60", "XY": "20"},
    "hengkou-2024-zsj-09-kaohejiang": {"CC": "60", "XY": "20"},
    "hengkou-2024-zsj-10-tijian": {"CC": "60", "XY": "15", "MY": "15"},
    "hengkou-2024-zsj-11-yusuan-zhuijia": {"CC": "60", "XY": "20"},
    "hengkou-2024-zsj-dept-overall": {"CC": "60", "XY": "20"},
    "hengkou-2024-zsj-02-zhaoshang-15": {},
    "hengkou-2024-zsj-03-zhaoshang-185": {},
    "hengkou-2024-zsj-08-ningbo": {},
}
LABELS = {"CC": "50", "XY": "30", "MY": "10"}


@pytest.mark.parametrize("key", sorted(WRONG_LABELS))
def test_hengkou_errors_are_exactly_the_wrong_totals_and_labels(samples: dict[str, Evaluation], key: str) -> None:
    found = checked(samples[key])
    expected = {("GROUP_LABEL", code) for code in WRONG_LABELS[key]}
    if key in WRONG_TOTALS:
        expected.add(("ARITH_TOTAL", ""))
    assert {(f.code, f.location.indicator) for f in errors(found)} == expected
    for code, rows in WRONG_LABELS[key].items():
        f = find(found, "GROUP_LABEL", indicator=code)
        assert (f.stated, f.computed) == (LABELS[code], rows)
    if key in WRONG_TOTALS:
        f = find(found, "ARITH_TOTAL")
        assert (f.stated, f.computed) == WRONG_TOTALS[key]
    # the budget execution rows are right: 9.6 / 9.9 / 8.9 / 9.7 follow the truncation rule
    assert not {"BUDGET_RATE", "BUDGET_SCORE", "BUDGET_SUM"} & codes(found)


def test_hongxing_targets(samples: dict[str, Evaluation]) -> None:
    found = checked(samples["hengkou-2024-zsj-07-hongxing"])
    date = find(found, "TARGET_IMPLAUSIBLE", indicator="CC.SX.01")
    assert date.stated == "1900年1月" and "1900" in date.message
    ratio = find(found, "TARGET_IMPLAUSIBLE", indicator="CC.ZL.01")
    assert ratio.stated == "1"
    qualitative = {f.stated for f in found if f.code == "TARGET_QUALITATIVE"}
    assert qualitative == {"有效提升", "有效保障"}
    assert find(found, "ROW_EMPTY", indicator="XY.JJ.01").severity == WARNING


# stated row scores the rules do not give (stated, computed), worked out from each row's target and actual
STATED_VS_RULE = {
    ("hengkou-2024-wl-04-longteng", "MY.FW.01"): ("8", "10"),  # 95% against ≥90%
    ("hengkou-2024-zsj-01-renyuan", "MY.FW.01"): ("8", "10"),  # 100% against ≥90%
    ("hengkou-2024-zsj-01-renyuan", "CC.CB.01"): ("14", "15"),  # 497533.4 元 spent of 497904
    ("hengkou-2024-zsj-01-renyuan", "CC.CB.02"): ("12", "15"),  # 53966.92 spent of 73655.92 元
    ("hengkou-2024-zsj-10-tijian", "CC.ZL.01"): ("10", "15"),  # 体检率 100% against 100%
    ("hengkou-2024-zsj-11-yusuan-zhuijia", "CC.CB.01"): ("14", "15"),  # 6.14 万元 against ≤6.4 万元
    ("hengkou-2024-zsj-03-zhaoshang-185", "CC.CB.01"): ("8.9", "10"),  # 165.27 against ≤185 万元
    ("hengkou-2024-zsj-02-zhaoshang-15", "XY.JJ.01"): ("8", "10"),  # 50.5 亿元 against 2 亿元以上
}


@pytest.mark.parametrize(("key", "code"), sorted(STATED_VS_RULE))
def test_hengkou_stated_scores_against_the_rules(samples: dict[str, Evaluation], key: str, code: str) -> None:
    f = find(checked(samples[key]), "STATED_VS_COMPUTED", indicator=code)
    assert (f.severity, f.stated, f.computed) == (WARNING, *STATED_VS_RULE[(key, code)])


def test_rows_that_agree_with_the_rules_are_not_flagged(samples: dict[str, Evaluation]) -> None:
    # 宁波商会: every row's stated score is what its rule gives, and 总分 92 is the sum of rows
    found = checked(samples["hengkou-2024-zsj-08-ningbo"])
    assert not errors(found)
    assert "STATED_VS_COMPUTED" not in codes(found)
    for ev in samples.values():
        for f in checked(ev):
            if f.code == "STATED_VS_COMPUTED" and f.location.indicator:
                r = score(ev).indicator(f.location.indicator)
                a = ev.assessment(f.location.indicator)
                assert a is not None and a.stated is not None and a.stated.score != r.score


def test_department_report_against_the_records(
    samples: dict[str, Evaluation], department: DepartmentSummary, results: dict[str, EvaluationResult]
) -> None:
    found = check_department(department, list(samples.values()), results)
    # 红星: the report says 95.9, the table's 总分 says 93.8 (its rows do add up to 95.9)
    hongxing = find(found, "DEPT_SCORE", row="红星美凯龙星和宅配恒口物流园区租赁费用（安恒财预〔2024〕154号）")
    assert (hongxing.severity, hongxing.stated, hongxing.computed) == (ERROR, "95.9", "93.8")
    # 体检 and 预算调整追加: the report repeats the tables' wrong totals
    assert find(found, "DEPT_SCORE", row="2024年干部体检财政补贴资金（安恒财预〔2024〕512号）").computed == "89"
    assert find(found, "DEPT_SCORE", row="2024年部门预算调整追加（安恒财预〔2024〕497号）").computed == "96.7"
    # 165.27 / 185 = 89.3351…%: half-up 89.34 % (the table), truncation 89.33 % (the report)
    rate = find(found, "DEPT_RATE", row="招商工作经费（安恒财预〔2024〕202号）")
    assert (rate.severity, rate.stated, rate.computed) == (WARNING, "89.33%", "89.34%")
    assert "89.3351" in rate.message and "截断" in rate.message
    # 649.78 / 627.8 / 96.62 %, 617.16 / 595.36 / 96.47 %, 32.62 / 32.44 / 99.45 %, 11 优 are right
    assert "DEPT_SUM" not in codes(found)
    assert [f.location.field for f in found if f.code == "DEPT_RATE"] == ["执行率"]
    assert len(errors(found)) == 1


def test_a_record_checked_with_its_department_line(
    samples: dict[str, Evaluation], department: DepartmentSummary
) -> None:
    found = checked(samples["hengkou-2024-zsj-07-hongxing"], department)
    assert find(found, "DEPT_SCORE").stated == "95.9"
    assert "DEPT_SCORE" not in codes(checked(samples["hengkou-2024-zsj-08-ningbo"], department))


def test_findings_have_stable_keys_and_render(samples: dict[str, Evaluation]) -> None:
    ev = samples["panzhihua-2023-zhaoshang"]
    first, again = checked(ev), checked(ev)
    assert [f.key for f in first] == [f.key for f in again]
    assert len({f.key for f in first}) == len(first)
    assert [f.severity for f in first] == sorted((f.severity for f in first), key=[ERROR, WARNING, INFO].index)
    text = render_findings("复核", first)
    assert "错误 7 项" in text and "ARITH_DEDUCTION" in text
    assert count_by_severity(first)[ERROR] == 7


# --------------------------------------------------------------------------- property: consistent → no 错误


@st.composite
def consistent(draw: st.DrawFn) -> Evaluation:
    inds = []
    assessments = []
    for i in range(draw(st.integers(1, 6))):
        code = f"A.1.{i:02d}"
        weight = draw(st.integers(1, 20))
        kind = draw(st.sampled_from(["deduction", "checklist", "ratio"]))
        if kind == "deduction":
            rule: dict[str, Any] = {"method": "deduction", "points_per_finding": draw(st.integers(1, 3))}
            inputs: dict[str, Any] = {"findings": [{"text": f"问题{j}"} for j in range(draw(st.integers(0, 4)))]}
        elif kind == "checklist":
            rule = {"method": "checklist", "items": [{"key": "a", "text": "是否", "points": weight}]}
            inputs = {"answers": {"a": draw(st.booleans())}}
        else:
            rule = {"method": "ratio"}
            inputs = {"actual": f"{draw(st.integers(0, 300))}个", "target": f"{draw(st.integers(1, 300))}个"}
        inds.append(indicator(code, weight, rule, name=f"指标{i}"))
        assessments.append(
            {"code": code, "inputs": inputs, "narrative": "核查资料。", "evidence": [{"document": "资料"}]}
        )
    ev = evaluation(system(*inds), *assessments)
    result = score(ev)
    rows = []
    for a, r in zip(ev.assessments, result.indicators, strict=True):
        assert r.score is not None and r.rate is not None
        stated = {"score": r.score, "deduction": r.weight - r.score, "rate": f"{r.rate}%", "narrative_score": r.score}
        rows.append(a.model_dump(mode="python") | {"stated": stated})
    labels = {"A": result.weight_total, "A.1": result.weight_total}
    data = ev.model_dump(mode="python") | {
        "assessments": rows,
        "stated": {
            "total": result.total,
            "weight_total": result.weight_total,
            "deduction": result.weight_total - result.total,
            "rate": f"{(result.total / result.weight_total * 100).quantize(D('0.01'))}%",
            "grade": result.grade,
            "group_labels": labels,
        },
    }
    return Evaluation.model_validate(data)


@settings(max_examples=60, deadline=None)
@given(consistent())
def test_a_consistent_evaluation_has_no_errors(ev: Evaluation) -> None:
    assert not errors(checked(ev)), [f.message for f in errors(checked(ev))]


# --------------------------------------------------------------------------- command line


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "evaluation.cli", "check", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_check_json_on_panzhihua() -> None:
    out = run(str(PANZHIHUA), "--json")
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    assert {"severity", "code", "location", "message", "stated", "computed"} <= set(data[0])
    total = next(f for f in data if f["code"] == "ARITH_TOTAL" and f["location"]["field"] == "得分")
    assert (total["stated"], total["computed"]) == ("89", "88")


def test_cli_check_text_and_exit_code_zero_without_errors(tmp_path: Path) -> None:
    out = run(str(HENGKOU / "hengkou-2024-zsj-08-ningbo.yaml"))
    assert out.returncode == 0, out.stderr
    assert "错误 0 项" in out.stdout and "TARGET_QUALITATIVE" in out.stdout


def test_cli_check_a_record_beside_its_department_report() -> None:
    out = run(str(HENGKOU / "hengkou-2024-zsj-07-hongxing.yaml"), "--json")
    assert out.returncode == 1
    assert any(f["code"] == "DEPT_SCORE" for f in json.loads(out.stdout))


def test_cli_check_department_summary() -> None:
    out = run(str(HENGKOU / "department-2024.yaml"), "--json")
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    assert [f["code"] for f in data if f["severity"] == ERROR] == ["DEPT_SCORE"]
    assert any(f["code"] == "DEPT_RATE" and f["stated"] == "89.33%" for f in data)


@pytest.mark.parametrize(
    "neighbour",
    [
        "id: stray\nproject: 1\n",  # valid YAML, no evaluation
        "kind: department_summary\nprojects: 7\n",  # a summary whose projects are no list
        "kind: department_summary\nprojects: [1, {evaluation_id: [1]}]\n",
        "a: [\n",  # no YAML at all
    ],
)
def test_cli_check_is_not_stopped_by_an_unrelated_bad_file_in_the_folder(tmp_path: Path, neighbour: str) -> None:
    shutil.copytree(HENGKOU, tmp_path / "hengkou")
    (tmp_path / "hengkou" / "zz-stray.yaml").write_text(neighbour, encoding="utf-8")
    record = run(str(tmp_path / "hengkou" / "hengkou-2024-zsj-07-hongxing.yaml"), "--json")
    assert record.returncode == 1 and "Traceback" not in record.stderr, record.stderr
    assert any(f["code"] == "DEPT_SCORE" for f in json.loads(record.stdout))
    summary = run(str(tmp_path / "hengkou" / "department-2024.yaml"), "--json")
    assert summary.returncode == 1 and "Traceback" not in summary.stderr, summary.stderr
    assert [f["code"] for f in json.loads(summary.stdout) if f["severity"] == ERROR] == ["DEPT_SCORE"]


def test_cli_check_names_a_bad_record_the_summary_lists(tmp_path: Path) -> None:
    shutil.copytree(HENGKOU, tmp_path / "hengkou")
    listed = tmp_path / "hengkou" / "hengkou-2024-zsj-07-hongxing.yaml"
    listed.write_text(listed.read_text(encoding="utf-8").replace("  year: 2024\n", "  year: 1999\n", 1), "utf-8")
    out = run(str(tmp_path / "hengkou" / "department-2024.yaml"))
    assert out.returncode == 1 and "hongxing.yaml" in out.stderr and "应不小于 2000" in out.stderr


def test_cli_check_missing_file() -> None:
    out = run("nope.yaml")
    assert out.returncode == 1 and "不存在" in out.stderr


def test_department_overall_figures_against_the_overall_table(
    samples: dict[str, Evaluation], department: DepartmentSummary, results: dict[str, EvaluationResult]
) -> None:
    # 部门整体: 57.16 万元, 55.15 万元, 96.48 %, 90.6 agree with the 部门整体 table
    found = check_department(department, list(samples.values()), results)
    assert not [f for f in found if f.location.row == "部门整体"]
    changed = department.model_copy(
        update={"stated": department.stated.model_copy(update={"overall_score": D("91.6")})}
    )
    f = find(check_department(changed, list(samples.values()), results), "DEPT_SUM", row="部门整体")
    assert (f.location.field, f.stated, f.computed) == ("部门整体自评得分", "91.6", "90.6")


def test_cli_check_on_the_database(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'wb.db'}", "WORKBENCH_DATA_DIR": str(tmp_path)}

    def run_db(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "evaluation.cli", *args],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, **env},
        )

    assert run_db("init").returncode == 0
    out = run_db("check", "hengkou-2024-zsj-07-hongxing", "--json")
    assert out.returncode == 1, out.stderr
    found = {(f["code"], f["location"]["indicator"]) for f in json.loads(out.stdout) if f["severity"] == ERROR}
    assert found == {("ARITH_TOTAL", ""), ("GROUP_LABEL", "CC"), ("GROUP_LABEL", "XY"), ("DEPT_SCORE", "")}
    dept_out = run_db("check", "hengkou-2024-zsj-department")
    assert dept_out.returncode == 1 and "DEPT_RATE" in dept_out.stdout and "错误 1 项" in dept_out.stdout
    assert run_db("check", "no-such-evaluation").returncode == 1


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 10_000_000), st.data())
def test_budget_rows_written_the_template_way_have_no_errors(annual_cents: int, data: st.DataObject) -> None:
    executed_cents = data.draw(st.integers(0, annual_cents))
    annual, executed = D(annual_cents) / 100, D(executed_cents) / 100
    # the 自评表 convention, computed here with integers: 执行率 to two decimals half-up, 得分 = 执行率 × 10 cut
    # to one decimal
    rate = (D(executed_cents * 10000) / annual_cents).quantize(D(1), rounding=ROUND_HALF_UP) / 100
    cut = D(executed_cents * 100 // annual_cents) / 10
    rows = budget(str(annual), str(executed), f"{rate:.2f}%", str(cut))
    found = checked(self_eval(rows, QTY, QTY_ROW))
    assert not {"BUDGET_RATE", "BUDGET_SCORE"} & codes(found), [f.message for f in found]


def test_findings_without_evidence_and_missing_report_fields(samples: dict[str, Evaluation]) -> None:
    with_ref = {"text": "一处问题", "evidence": [{"document": "凭证"}]}
    ok = third_party(row("A.1.01", "5", inputs={"findings": [with_ref]}))
    assert "FINDING_NO_EVIDENCE" not in codes(checked(ok))
    bare = third_party(row("A.1.01", "5", inputs={"findings": [{"text": "一处问题"}]}))
    assert find(checked(bare), "FINDING_NO_EVIDENCE").severity == INFO
    # the factory's project has no 委托单位; the Panzhihua sample has every report field
    assert find(checked(bare), "REPORT_FIELD", row="委托单位").severity == INFO
    assert count_by_severity(checked(samples["panzhihua-2023-zhaoshang"]))[INFO] == 0


def test_department_amounts_against_the_table(
    samples: dict[str, Evaluation], department: DepartmentSummary, results: dict[str, EvaluationResult]
) -> None:
    lines = [
        line.model_copy(update={"budget": D("186")}) if line.evaluation_id.endswith("185") else line
        for line in department.projects
    ]
    changed = department.model_copy(update={"projects": lines})
    f = find(check_department(changed, list(samples.values()), results), "DEPT_AMOUNT")
    assert (f.severity, f.stated, f.computed) == (ERROR, "186", "185")


def test_cli_check_ignores_an_unreadable_neighbour(tmp_path: Path) -> None:
    record = tmp_path / "record.yaml"
    record.write_text((HENGKOU / "hengkou-2024-zsj-08-ningbo.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("id: [unclosed", encoding="utf-8")
    out = run(str(record))
    assert out.returncode == 0, out.stderr
    broken = run(str(tmp_path / "broken.yaml"))
    assert broken.returncode == 1 and "broken.yaml" in broken.stderr
