"""Each machine rule on its edges. Expected figures are worked out by hand from the rule text."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from evaluation.errors import ScoringError
from evaluation.indicators.rules import Rule
from evaluation.indicators.system import Rounding
from evaluation.model import Inputs, Override
from evaluation.scoring.engine import score, score_rule
from tests.factories import evaluation, indicator, system

D = Decimal
RULE: TypeAdapter[Any] = TypeAdapter(Rule)


def run(rule: dict[str, Any], weight: str | int, target: str = "", **inputs: Any) -> Decimal:
    return score_rule(
        RULE.validate_python(rule),
        D(str(weight)),
        Inputs.model_validate(inputs),
        code="T.01",
        target_text=target,
    ).score


def explain(rule: dict[str, Any], weight: str | int, target: str = "", **inputs: Any) -> str:
    return score_rule(
        RULE.validate_python(rule),
        D(str(weight)),
        Inputs.model_validate(inputs),
        code="T.01",
        target_text=target,
    ).explanation


# --------------------------------------------------------------------------- deduction

DED3 = {"method": "deduction", "points_per_finding": 3}


def test_deduction_without_findings_is_full_marks() -> None:
    assert run(DED3, 6) == 6


def test_deduction_subtracts_per_finding() -> None:
    assert run(DED3, 6, findings=[{"text": "未履行集体决策"}]) == 3


def test_deduction_floors_at_zero() -> None:
    assert run(DED3, 6, findings=[{"text": "a"}, {"text": "b"}, {"text": "c"}]) == 0
    assert "扣完为止" in explain(DED3, 6, findings=[{"text": "a"}, {"text": "b"}, {"text": "c"}])


def test_finding_may_carry_its_own_points() -> None:
    assert run(DED3, 6, findings=[{"text": "轻微问题", "points": "0.5"}]) == D("5.5")


def test_negative_finding_points_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Inputs.model_validate({"findings": [{"text": "x", "points": "-1"}]})


# --------------------------------------------------------------------------- ratio

POS = {"method": "ratio", "direction": "positive"}


def test_ratio_five_of_six_targets() -> None:
    # 表3-1 目标完成: 6 个目标完成 5 个, 6 × 83.33% = 5
    assert run(POS, 6, actual="5个", target="6个") == 5
    assert "83.33%" in explain(POS, 6, actual="5个", target="6个")


def test_ratio_uses_the_indicator_target_when_no_target_is_entered() -> None:
    assert run(POS, 8, target="≥7", actual="7个") == 8


def test_ratio_over_achievement_is_capped() -> None:
    assert run(POS, 10, target="5次以上", actual="开展小分队招商活动36次") == 10


def test_ratio_zero_target_is_an_error_not_a_division() -> None:
    with pytest.raises(ScoringError, match="目标值“0个”为 0"):
        run(POS, 10, target="0个", actual="3个")


def test_ratio_negative_values_are_rejected() -> None:
    with pytest.raises(ScoringError, match="负数"):
        run(POS, 10, target="10个", actual="-3个")


def test_ratio_qualitative_actual_is_an_error_naming_indicator_and_text() -> None:
    with pytest.raises(ScoringError) as e:
        run(POS, 10, target="7人", actual="保障")
    assert e.value.code == "T.01" and "“保障”" in str(e.value)


def test_reverse_target_over_actual() -> None:
    rule = {"method": "ratio", "direction": "reverse", "reverse_variant": "target_over_actual"}
    assert run(rule, 15, target="497904", actual="600000元") == D(15) * D(497904) / D(600000)
    assert run(rule, 10, target="≤15万元", actual="已支付14.97万元") == 10  # under budget: capped


def test_reverse_zero_actual_is_full_marks() -> None:
    rule = {"method": "ratio", "direction": "reverse"}
    assert run(rule, 10, target="≤5万元", actual="0元") == 10


def test_reverse_overrun_linear() -> None:
    rule = {"method": "ratio", "direction": "reverse", "reverse_variant": "overrun_linear"}
    assert run(rule, 10, target="≤100万元", actual="100万元") == 10
    assert run(rule, 10, target="≤100万元", actual="150万元") == 5
    assert run(rule, 10, target="≤100万元", actual="200万元") == 0
    assert run(rule, 10, target="≤100万元", actual="250万元") == 0


def test_points_per_percent_of_shortfall() -> None:
    # 完成率 92 %: 8 points short, 0.5 points each → 10 − 4 = 6
    rule = {"method": "ratio", "direction": "positive", "points_per_percent": "0.5"}
    assert run(rule, 10, "100%", actual="92%") == 6
    assert run(rule, 10, "100%", actual="100%") == 10 and run(rule, 10, "100%", actual="130%") == 10
    assert run(rule, 10, "100%", actual="50%") == 0  # 25 points of loss, floored at 0
    assert "每 1% 扣 0.5 分，共扣 4 分" in explain(rule, 10, "100%", actual="92%")


def test_points_per_percent_of_overrun() -> None:
    # cost 10.5 万元 against ≤10 万元: 5 % over, 1 point each → 8 − 5 = 3
    rule = {"method": "ratio", "direction": "reverse", "points_per_percent": 1}
    assert run(rule, 8, "≤10万元", actual="10.5万元") == 3
    assert run(rule, 8, "≤10万元", actual="9万元") == 8
    auto = {"method": "ratio", "direction": "auto", "points_per_percent": 1}
    assert run(auto, 8, "≤10万元", actual="10.5万元") == 3 and run(auto, 8, "≥20个", actual="19个") == 3


def test_points_per_percent_needs_a_direction_and_a_target() -> None:
    with pytest.raises(ValidationError, match="不能用于等值"):
        RULE.validate_python({"method": "ratio", "direction": "equal", "points_per_percent": 1})
    with pytest.raises(ScoringError, match="为 0"):
        run({"method": "ratio", "points_per_percent": 1}, 10, "0", actual="5")


def test_equal_direction() -> None:
    rule = {"method": "ratio", "direction": "equal"}
    assert run(rule, 10, target="1户", actual="1户") == 10
    assert run(rule, 10, target="1户", actual="2户") == 0


def test_auto_direction_follows_the_target_comparator() -> None:
    rule = {"method": "ratio", "direction": "auto"}
    assert run(rule, 10, target="≤15万元", actual="20万元") == D("7.5")  # reverse: 15/20
    assert run(rule, 10, target="≥90%", actual="45%") == 5  # positive: 45/90


# --------------------------------------------------------------------------- composite ratio

BUDGET = {
    "method": "composite_ratio",
    "parts": [
        {"key": "disbursed", "name": "财政资金拨付率", "weight": 3},
        {"key": "used", "name": "单位资金使用率", "weight": 3},
    ],
}


def test_budget_execution_full() -> None:
    ratios = {
        "disbursed": {"actual": "220万元", "target": "220万元"},
        "used": {"actual": "220万元", "target": "220万元"},
    }
    assert run(BUDGET, 6, ratios=ratios) == 6


def test_budget_execution_partial() -> None:
    ratios = {
        "disbursed": {"actual": "200万元", "target": "200万元"},
        "used": {"actual": "150万元", "target": "200万元"},
    }
    assert run(BUDGET, 6, ratios=ratios) == D("5.25")  # 3 + 3 × 75%


def test_not_applicable_part_is_redistributed() -> None:
    ratios = {"disbursed": {"not_applicable": True}, "used": {"actual": "150万元", "target": "200万元"}}
    assert run(BUDGET, 6, ratios=ratios) == D("4.5")  # 6 × 75%


def test_composite_ratio_parts_must_add_up_to_the_weight() -> None:
    from evaluation.indicators.system import system_problems

    problems = system_problems(system(indicator("B", 5, BUDGET)))
    assert [p.code for p in problems] == ["B"]
    assert "之和 6 不等于指标分值 5" in problems[0].message


# --------------------------------------------------------------------------- timeliness

TIME = {"method": "timeliness", "unit": "天"}


def test_on_time_and_early_are_full_marks() -> None:
    assert run(TIME, 3, planned_duration=100, actual_duration=100) == 3
    assert run(TIME, 3, planned_duration=100, actual_duration=80) == 3


def test_late_by_half() -> None:
    assert run(TIME, 3, planned_duration=100, actual_duration=150) == D("1.5")


def test_late_by_exactly_and_more_than_100_percent_is_zero() -> None:
    assert run(TIME, 3, planned_duration=100, actual_duration=200) == 0
    assert run(TIME, 3, planned_duration=100, actual_duration=350) == 0


def test_timeliness_from_dates() -> None:
    # planned 2024-01-01 → 2024-01-31 (30 days), finished 2024-02-15 (45 days): late 50 %
    assert run(TIME, 4, start_date="2024-01-01", planned_end="2024-01-31", actual_end="2024-02-15") == 2


def test_timeliness_points_per_unit_late() -> None:
    rule = {"method": "timeliness", "unit": "月", "points_per_unit": 1}
    assert run(rule, 3, planned_duration=6, actual_duration=8) == 1  # two months late
    assert run(rule, 3, planned_duration=6, actual_duration=5) == 3
    assert run(rule, 3, planned_duration=6, actual_duration=12) == 0  # six points lost, floored
    # dates: a started month counts whole (2024-12-31 → 2025-02-03 is one month and three days: two months)
    assert run(rule, 5, planned_end="2024-12-31", actual_end="2025-02-03") == 3
    assert "延期 2 月" in explain(rule, 5, planned_end="2024-12-31", actual_end="2025-02-03")
    days = {"method": "timeliness", "unit": "天", "points_per_unit": "0.5"}
    assert run(days, 3, planned_end="2024-12-01", actual_end="2024-12-03") == 2


def test_timeliness_zero_plan_is_an_error() -> None:
    with pytest.raises(ScoringError, match="须大于 0"):
        run(TIME, 3, planned_duration=0, actual_duration=5)


# --------------------------------------------------------------------------- checklist

FUNDS = {
    "method": "checklist",
    "items": [
        {"key": "a", "text": "属于政府支持范围", "points": 1},
        {"key": "b", "text": "与规划相匹配", "points": 1},
        {"key": "c", "text": "聚焦重点", "points": 3},
        {"key": "d", "text": "无交叉重复", "points": 1},
    ],
}


def test_checklist_sums_the_yes_items() -> None:
    assert run(FUNDS, 6, answers={"a": True, "b": True, "c": True, "d": True}) == 6
    assert run(FUNDS, 6, answers={"a": True, "b": False, "c": False, "d": True}) == 2


def test_checklist_unanswered_item_is_an_error() -> None:
    with pytest.raises(ScoringError, match="聚焦重点"):
        run(FUNDS, 6, answers={"a": True, "b": True, "d": True})


def test_empty_checklist_is_rejected() -> None:
    with pytest.raises(ValidationError):
        RULE.validate_python({"method": "checklist", "items": []})


# --------------------------------------------------------------------------- bands

DEVIATION = {
    "method": "bands",
    "measure": "偏离度",
    "unit": "%",
    "compare": "at_most",
    "bands": [{"limit": 15, "points": 2}, {"limit": 30, "points": 1}, {"points": 0}],
}


@pytest.mark.parametrize(
    ("value", "points"),
    [("0%", 2), ("15%", 2), ("15.01%", 1), ("25%", 1), ("30%", 1), ("30.01%", 0), ("100%", 0)],
)
def test_band_boundaries(value: str, points: int) -> None:
    assert run(DEVIATION, 2, value=value) == points


def test_band_from_counts() -> None:
    assert run(DEVIATION, 2, count=3, of=12) == 1  # 25 %
    assert run(DEVIATION, 2, count=4, of=12) == 0  # 33.33 %


def test_band_zero_total_is_an_error() -> None:
    with pytest.raises(ScoringError, match="总数为 0"):
        run(DEVIATION, 2, count=0, of=0)


def test_band_thresholds_out_of_order_are_rejected() -> None:
    bad = dict(DEVIATION, bands=[{"limit": 30, "points": 1}, {"limit": 15, "points": 2}, {"points": 0}])
    with pytest.raises(ValidationError, match="由小到大"):
        RULE.validate_python(bad)


# --------------------------------------------------------------------------- qualitative

QUAL = {"method": "qualitative"}


@pytest.mark.parametrize(
    ("band", "score_"),
    [
        ("达成", "10"),
        ("达成", "8"),
        ("部分达成", "6"),
        ("部分达成", "7.9"),
        ("未达成", "0"),
        ("未达成", "5.9"),
    ],
)
def test_qualitative_score_inside_its_band(band: str, score_: str) -> None:
    assert run(QUAL, 10, band=band, score=score_) == D(score_)


@pytest.mark.parametrize(
    ("band", "score_"),
    [("部分达成", "8"), ("部分达成", "5.9"), ("达成", "7.9"), ("未达成", "6"), ("达成", "10.5")],
)
def test_qualitative_score_outside_its_band_is_rejected(band: str, score_: str) -> None:
    with pytest.raises(ScoringError, match="不在"):
        run(QUAL, 10, band=band, score=score_)


def test_qualitative_unknown_band() -> None:
    with pytest.raises(ScoringError, match="可选"):
        run(QUAL, 10, band="优秀", score="9")


# --------------------------------------------------------------------------- composite, manual

PLANNING = {
    "method": "composite",
    "parts": [
        {
            "key": "plan",
            "name": "规划与论证",
            "weight": 4,
            "rule": {
                "method": "checklist",
                "items": [
                    {"key": "policy", "text": "符合决策部署", "points": 1},
                    {"key": "feasibility", "text": "论证充分", "points": 3},
                ],
            },
        },
        {"key": "targets", "name": "偏离度", "weight": 2, "rule": DEVIATION},
    ],
}


def test_composite_adds_its_parts() -> None:
    parts = {"plan": {"answers": {"policy": True, "feasibility": False}}, "targets": {"value": "25%"}}
    assert run(PLANNING, 6, parts=parts) == 2  # 1 + 0 + 1


def test_composite_part_without_input_is_an_error() -> None:
    with pytest.raises(ScoringError, match="偏离度"):
        run(PLANNING, 6, parts={"plan": {"answers": {"policy": True, "feasibility": True}}})


def test_manual_needs_justification_and_stays_within_weight() -> None:
    assert run({"method": "manual"}, 10, score="7", justification="专家评议") == 7
    with pytest.raises(ScoringError, match="理由"):
        run({"method": "manual"}, 10, score="7")
    with pytest.raises(ScoringError, match="超过指标分值"):
        run({"method": "manual"}, 10, score="11", justification="x")


def test_unknown_method_is_rejected() -> None:
    with pytest.raises(ValidationError):
        RULE.validate_python({"method": "formula", "expr": "1+1"})


# --------------------------------------------------------------------------- rounding, overrides, penalties


def test_rounding_modes() -> None:
    assert Rounding(digits=1, mode="down").apply(D("9.648")) == D("9.6")  # 自评表: 96.48% × 10 → 9.6
    assert Rounding(digits=2, mode="half_up").apply(D("2.675")) == D("2.68")  # not banker's rounding
    assert Rounding(digits=1, mode="half_up").apply(D("8.95")) == D("9.0")


def test_indicator_rounding_applies_before_summing() -> None:
    rule = {"method": "ratio", "direction": "positive"}
    sys = system(
        indicator("A.1.01", 10, rule, "100%", rounding={"digits": 1, "mode": "down"}),
        indicator("A.1.02", 10, rule, "100%", rounding={"digits": 1, "mode": "down"}),
    )
    ev = evaluation(
        sys,
        {"code": "A.1.01", "inputs": {"actual": "55.15万元", "target": "57.16万元"}},
        {"code": "A.1.02", "inputs": {"actual": "14.97万元", "target": "15万元"}},
    )
    result = score(ev)
    assert [r.score for r in result.indicators] == [D("9.6"), D("9.9")]
    assert result.total == D("19.5")


def test_override_needs_a_reason_and_wins_over_the_rule() -> None:
    with pytest.raises(ValidationError):
        Override.model_validate({"score": "3", "reason": "  "})
    sys = system(indicator("A.1.01", 6, DED3))
    ev = evaluation(sys, {"code": "A.1.01", "override": {"score": "3", "reason": "专家组复议后调整"}})
    r = score(ev).indicators[0]
    assert (r.score, r.computed, r.overridden) == (D(3), D(6), True)
    assert "专家组复议后调整" in r.explanation


def test_the_total_by_evidence_leaves_every_override_out() -> None:
    sys = system(
        indicator("A.1.01", 90, DED3),
        indicator("A.1.02", 10, {"method": "ratio"}, "良好"),
        penalties={"cap": 5, "items": [{"code": "KF.01", "name": "问题", "rule": {"method": "penalty"}}]},
    )
    plain = evaluation(sys, {"code": "A.1.01"}, {"code": "A.1.02", "override": {"score": "9", "reason": "访谈"}})
    # A.1.02's evidence cannot be scored (a qualitative target): only its override counts, and only after it
    result = score(plain)
    assert (result.total, result.evidence_total) == (D(99), D(90))
    assert result.unscorable_adjustments == 1 and [r.code for r in result.adjusted] == ["A.1.02"]
    adjusted = evaluation(
        sys,
        {"code": "A.1.01", "override": {"score": "80", "reason": "复议"}},
        {"code": "A.1.02", "override": {"score": "9", "reason": "访谈"}},
        {"code": "KF.01", "inputs": {"findings": [{"text": "迟交资料"}]}},
    )
    result = score(adjusted)
    assert (result.total, result.grade) == (D(88), "良")  # 80 + 9 − 1
    assert (result.evidence_total, result.evidence_grade) == (D(89), "良")  # 90 − 1, the penalty still counts
    none = score(evaluation(sys, {"code": "A.1.01", "inputs": {"findings": [{"text": "一处"}]}}))
    assert (none.evidence_total, none.evidence_grade, none.adjusted) == (none.total, none.grade, ())


def test_penalties_are_capped_and_subtracted() -> None:
    sys = system(
        indicator("A.1.01", 100, {"method": "manual"}),
        penalties={
            "cap": 10,
            "items": [
                {
                    "code": "KF.01",
                    "name": "问题",
                    "rule": {"method": "penalty", "points_per_problem": 1, "cap": 10},
                },
                {
                    "code": "KF.02",
                    "name": "配合",
                    "rule": {"method": "penalty", "points_per_problem": 4, "cap": 10},
                },
            ],
        },
    )
    ev = evaluation(
        sys,
        {"code": "A.1.01", "inputs": {"score": "95", "justification": "测试"}},
        {"code": "KF.01", "inputs": {"findings": [{"text": f"问题{i}"} for i in range(7)]}},
        {"code": "KF.02", "inputs": {"findings": [{"text": "迟交资料"}]}},
    )
    result = score(ev)
    assert result.penalty_total == 10  # 7 + 4 = 11, capped at 10
    assert result.total == 85
    assert result.grade == "良"


def test_unscored_indicators_are_reported_not_zero() -> None:
    sys = system(indicator("A.1.01", 50, DED3), indicator("A.1.02", 50, DED3))
    result = score(evaluation(sys, {"code": "A.1.01"}))
    assert result.indicators[1].status == "未评" and result.indicators[1].score is None
    assert (result.scored, result.count, result.complete) == (1, 2, False)


def test_grade_thresholds_are_inclusive() -> None:
    sys = system(indicator("A.1.01", 100, {"method": "manual"}))
    for s, grade in [("90", "优"), ("89.99", "良"), ("80", "良"), ("60", "中"), ("59.99", "差")]:
        ev = evaluation(sys, {"code": "A.1.01", "inputs": {"score": s, "justification": "测试"}})
        assert score(ev).grade == grade, s


@pytest.mark.parametrize("actual", ["1" + "0" * 30, "1" + "0" * 30 + "个"])
def test_an_actual_of_ten_to_the_thirty_is_refused_with_a_message(actual: str) -> None:
    with pytest.raises(ScoringError, match="数值过大"):
        run({"method": "ratio"}, 6, "≥6个", actual=actual)


def test_a_tiny_target_gives_a_huge_rate_that_is_still_shown() -> None:
    rule = RULE.validate_python({"method": "ratio"})
    out = score_rule(rule, D(5), Inputs(actual="5"), code="T.01", target_text="0.000000000000000000001")
    assert out.score == 5 and "按 100% 计" in out.explanation
    reverse = RULE.validate_python({"method": "ratio", "direction": "reverse", "reverse_variant": "overrun_linear"})
    out = score_rule(reverse, D(5), Inputs(actual="5"), code="T.01", target_text="0.000000000000000000001")
    assert out.score == 0


def test_an_evaluation_with_a_huge_actual_is_scored_with_an_input_error() -> None:
    sys = system(indicator("A.1.01", 6, {"method": "ratio"}, "≥6个"))
    result = score(evaluation(sys, {"code": "A.1.01", "inputs": {"actual": "1" + "0" * 30 + "个"}}))
    assert result.indicator("A.1.01").status == "输入有误" and "数值过大" in result.indicator("A.1.01").error
