"""表3-1 扣分原因: why points were lost, in words built from the recorded findings and the shortfall, for
every rule kind; empty where no points were lost; never the scoring arithmetic, never an override's reason."""

from __future__ import annotations

from typing import Any

import pytest

from evaluation.files.evaluations import load_evaluation
from evaluation.model import Evaluation
from evaluation.report.context import build_report_context
from evaluation.scoring.engine import score
from tests.conftest import SAMPLES
from tests.factories import evaluation, indicator, system

PANZHIHUA = SAMPLES / "panzhihua-2023-zhaoshang.yaml"
ALL = sorted(p for p in SAMPLES.rglob("*.yaml") if "department" not in p.name)
FORMULA_MARKS = (" / ", "×", "规则计算为", "=", "按证据计算")


def reasons(ev: Evaluation) -> dict[str, str]:
    """三级指标 → its 扣分原因 cell in 表3-1."""
    rows = build_report_context(ev, score(ev)).table("3-1").texts()
    return {row[2]: row[-1] for row in rows[1:] if row[2]}


def reason_of(rule: dict[str, Any], weight: int | str, inputs: dict[str, Any], **assessment: Any) -> str:
    """The 扣分原因 of a one-indicator evaluation."""
    ev = evaluation(
        system(indicator("A.1.01", weight, rule, **assessment.pop("ind", {}))),
        {
            "code": "A.1.01",
            "inputs": inputs,
            **assessment,
        },
    )
    return reasons(ev)["指标A.1.01"]


def test_panzhihua_reasons_say_what_fell_short() -> None:
    found = reasons(load_evaluation(PANZHIHUA))
    assert found["目标完成"] == "实际完成5个，未达到目标值（6个），完成率83.33%。"
    assert found["外商直接投资规模"] == "实际完成0万美元，未达到目标值（100万美元），完成率0%。"
    planning = found["规划论证"]
    assert planning.startswith("发现3处问题：数量指标“督办项目履约率、开工率、到位资金率”只列出指标名称")
    # the part's name and the measure run together: not "绩效目标偏离度：偏离度33.33%"
    assert "。绩效目标偏离度33.33%（12个中4个），处于“偏离度>30%”档，得0分。" in planning
    assert "报告认定" not in planning  # the override's reason belongs to the 评分过程
    # no points lost, no reason (as in the Panzhihua report)
    assert found["决策程序"] == found["完成时效"] == found["招商引资规模"] == ""


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_a_reason_exactly_where_points_were_lost_and_never_a_formula(path: Any) -> None:
    ev = load_evaluation(path)
    result = score(ev)
    found = reasons(ev)
    for r in result.indicators:
        text = found[r.name]
        if r.deduction:
            assert text.endswith("。") and len(text) > 5, r.name
            assert not any(mark in text for mark in FORMULA_MARKS), (r.name, text)
        else:
            assert text == "", r.name


def test_deduction_lists_its_findings() -> None:
    text = reason_of(
        {"method": "deduction", "points_per_finding": 2},
        10,
        {"findings": [{"text": "未履行集体决策程序。"}, {"text": "报销单据缺少审批签字"}]},
    )
    assert text == "发现2处问题：未履行集体决策程序；报销单据缺少审批签字。"


def test_ratio_positive_reverse_equal_and_per_percent() -> None:
    positive = {"method": "ratio", "direction": "positive"}
    assert (
        reason_of(positive, 6, {"actual": "5个", "target": "6个"}) == "实际完成5个，未达到目标值（6个），完成率83.33%。"
    )
    reverse = {"method": "ratio", "direction": "reverse", "reverse_variant": "overrun_linear"}
    assert reason_of(reverse, 10, {"actual": "150万元"}, ind={"target": "≤100万元"}) == (
        "实际150万元，超出目标值（≤100万元）50%。"
    )
    over = {"method": "ratio", "direction": "reverse"}
    assert reason_of(over, 10, {"actual": "125万元", "target": "100万元"}) == "实际125万元，超出目标值（100万元）25%。"
    equal = {"method": "ratio", "direction": "equal"}
    assert reason_of(equal, 5, {"actual": "3户", "target": "1户"}) == "实际3户，与目标值（1户）不符。"
    per = {"method": "ratio", "direction": "positive", "points_per_percent": "0.5"}
    assert reason_of(per, 10, {"actual": "92%", "target": "100%"}) == "实际92%，低于目标值（100%）8个百分点。"


def test_composite_ratio_names_the_part_that_fell_short() -> None:
    rule = {
        "method": "composite_ratio",
        "parts": [
            {"key": "paid", "name": "财政资金拨付率", "weight": 3},
            {"key": "used", "name": "单位资金使用率", "weight": 3},
        ],
    }
    ratios = {"paid": {"actual": "220万元", "target": "220万元"}, "used": {"actual": "198万元", "target": "220万元"}}
    assert reason_of(rule, 6, {"ratios": ratios}) == "单位资金使用率90%（实际198万元，目标220万元）。"


def test_timeliness_says_how_late() -> None:
    proportional = {"method": "timeliness", "unit": "天"}
    assert reason_of(proportional, 3, {"planned_duration": 100, "actual_duration": 120}) == (
        "计划用时100天，实际用时120天，延期20天，超出计划时间20%。"
    )
    monthly = {"method": "timeliness", "unit": "月", "points_per_unit": 1}
    assert reason_of(monthly, 3, {"planned_end": "2023-12-31", "actual_end": "2024-02-10"}) == (
        "计划2023-12-31完成，实际2024-02-10完成，延期2个月。"
    )


def test_checklist_names_the_unmet_items() -> None:
    rule = {
        "method": "checklist",
        "items": [
            {"key": "scope", "text": "属于政府支持范围", "points": 1},
            {"key": "match", "text": "投向与总体规划相匹配", "points": 1},
            {"key": "focus", "text": "聚焦重点项目", "points": 3},
        ],
    }
    one = reason_of(rule, 5, {"answers": {"scope": True, "match": False, "focus": True}})
    assert one == "未满足“投向与总体规划相匹配”的要求。"
    two = reason_of(
        rule,
        5,
        {
            "answers": {"scope": True, "match": False, "focus": False},
            "findings": [{"text": "资金平均分配到各乡镇"}],
        },
    )
    assert two == "未满足“投向与总体规划相匹配”、“聚焦重点项目”2项要求。发现1处问题：资金平均分配到各乡镇。"


def test_bands_say_the_band_reached() -> None:
    rule = {
        "method": "bands",
        "measure": "偏离度",
        "bands": [{"limit": 15, "points": 2}, {"limit": 30, "points": 1}, {"points": 0}],
    }
    assert reason_of(rule, 2, {"value": "25%"}) == "偏离度25%，处于“偏离度≤30%”档，得1分。"
    assert reason_of(rule, 2, {"count": 4, "of": 12}) == "偏离度33.33%（12个中4个），处于“偏离度>30%”档，得0分。"


def test_qualitative_and_manual() -> None:
    assert reason_of({"method": "qualitative"}, 10, {"band": "部分达成", "score": 7}) == (
        "评价为“部分达成”档（分值的60%–80%），得7分。"
    )
    manual = reason_of({"method": "manual"}, 10, {"score": 6, "justification": "满意度调查仅回收12份问卷。"})
    assert manual == "满意度调查仅回收12份问卷。"


def test_composite_combines_its_findings_and_the_parts_that_lost_points() -> None:
    rule = {
        "method": "composite",
        "parts": [
            {
                "key": "plan",
                "name": "规划与论证",
                "weight": 4,
                "rule": {"method": "checklist", "items": [{"key": "p", "text": "论证充分", "points": 4}]},
            },
            {"key": "proc", "name": "决策程序", "weight": 2, "rule": {"method": "deduction", "points_per_finding": 1}},
        ],
    }
    text = reason_of(
        rule,
        6,
        {
            "parts": {"plan": {"answers": {"p": True}}},
            "findings": [{"text": "绩效目标未量化"}, {"text": "未经党组会议研究", "part": "proc"}],
        },
    )
    assert text == "发现1处问题：绩效目标未量化。决策程序：发现1处问题：未经党组会议研究。"


def test_an_override_is_not_the_reason() -> None:
    # the evidence loses points: the reason says why, the override's reason stays out
    lost = reason_of(
        {"method": "deduction", "points_per_finding": 3},
        6,
        {"findings": [{"text": "调整预算未报批"}]},
        override={"score": "2", "reason": "专家组复议认为情节较重"},
    )
    assert lost == "发现1处问题：调整预算未报批。"
    # the evidence gives full marks and the score was lowered by hand: the reason points to the 评分过程
    by_hand = reason_of(
        {"method": "deduction", "points_per_finding": 3},
        6,
        {},
        override={"score": "5", "reason": "专家组复议认为情节较重"},
    )
    assert "专家组复议" not in by_hand and "调整" in by_hand and "评分过程" in by_hand
    # raised by hand to full marks: nothing lost, nothing to explain
    raised = reason_of(
        {"method": "deduction", "points_per_finding": 3},
        6,
        {"findings": [{"text": "调整预算未报批"}]},
        override={"score": "6", "reason": "已于评价期间整改"},
    )
    assert raised == ""


def test_unscored_rows_have_no_reason() -> None:
    ev = evaluation(system(indicator("A.1.01", 6, {"method": "deduction", "points_per_finding": 3})))
    assert score(ev).indicators[0].deduction is None
    assert reasons(ev)["指标A.1.01"] == ""
