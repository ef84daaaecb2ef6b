"""What-if: margins to the grade thresholds, alternative readings of the evidence that cross one, and
re-scoring under another reverse-ratio variant or rounding rule, indicator by indicator."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from evaluation.files.evaluations import load_evaluation
from evaluation.indicators.rules import ReverseVariant
from evaluation.indicators.system import Rounding
from evaluation.model import Evaluation
from evaluation.scoring.engine import EvaluationResult, score
from evaluation.scoring.whatif import grade_sensitivity, rescore
from tests.conftest import SAMPLES
from tests.factories import evaluation, indicator, system

D = Decimal


def test_margins_to_each_threshold() -> None:
    # a single deduction indicator worth 100 with 12 findings of 1 point: 100 − 12 = 88
    sys_ = system(indicator("A.1.01", 100, {"method": "deduction", "points_per_finding": 1}))
    ev = evaluation(sys_, {"code": "A.1.01", "inputs": {"findings": [{"text": f"问题{i}"} for i in range(12)]}})
    s = grade_sensitivity(ev, score(ev))
    assert (s.total, s.grade) == (D(88), "良")
    assert {t.grade: t.margin for t in s.thresholds} == {"优": D(-2), "良": D(8), "中": D(28)}
    assert "还差 2 分" in s.margin_text()
    moves = {a.description: (a.alternative, a.total, a.crosses) for a in s.alternatives}
    assert moves["再发现一处问题"] == (D(87), D(87), False)
    assert moves["不认定问题“问题11”"] == (D(89), D(89), False)


def test_a_move_across_a_threshold_is_reported() -> None:
    sys_ = system(
        indicator("A.1.01", 90, {"method": "deduction", "points_per_finding": 1}),
        indicator("A.1.02", 10, {"method": "qualitative"}),
    )
    ev = evaluation(
        sys_,
        {"code": "A.1.01", "inputs": {"findings": [{"text": "问题"}]}},
        {"code": "A.1.02", "inputs": {"band": "达成", "score": D(9)}},
    )
    s = grade_sensitivity(ev, score(ev))
    assert (s.total, s.grade) == (D(98), "优")
    crossing = s.crossing
    # 部分达成 is the neighbouring band: its middle is 7 of 10 → 96, still 优; nothing crosses 90
    assert not crossing
    qual = [a for a in s.alternatives if a.code == "A.1.02"]
    assert [(a.description, a.alternative) for a in qual] == [("改评“部分达成”档（取档中 7 分）", D(7))]

    tight = evaluation(
        sys_,
        {"code": "A.1.01", "inputs": {"findings": [{"text": f"问题{i}"} for i in range(9)]}},
        {"code": "A.1.02", "inputs": {"band": "达成", "score": D(9)}},
    )
    s2 = grade_sensitivity(tight, score(tight))
    assert s2.total == D(90)
    assert {(a.code, a.grade) for a in s2.crossing} == {("A.1.01", "良"), ("A.1.02", "良")}


def test_panzhihua_planning_override_is_what_keeps_it_below_90() -> None:
    ev = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")
    s = grade_sensitivity(ev, score(ev))
    assert (s.total, s.grade) == (D(88), "良")
    # without the override and with the report's own 偏离度 (3 of 12 = 25 % → band 1): 4 + 1 = 5, total 90
    crossing = [(a.code, a.alternative, a.total, a.grade) for a in s.crossing]
    assert ("TY.JC.02", D(5), D(90), "优") in crossing
    plain = next(a for a in s.alternatives if a.description == "不作调整，按证据和规则计分")
    assert (plain.score, plain.alternative, plain.total) == (D(3), D(4), D(89))


def test_rescore_with_another_rounding_rule(tmp_path: Path) -> None:
    ev = load_evaluation(SAMPLES / "hengkou" / "hengkou-2024-zsj-01-renyuan.yaml")
    r = rescore(ev, score(ev), rounding=Rounding(digits=2, mode="half_up"))
    # 55.15 / 57.16 × 10 = 9.648…: truncated to one decimal 9.6, half-up to two 9.65
    assert [(d.code, d.base, d.alternative, d.delta) for d in r.changed] == [
        ("YS.1.01", D("9.6"), D("9.65"), D("0.05"))
    ]
    assert r.total - r.base_total == D("0.05")
    assert "四舍五入" in r.description


def test_rescore_with_the_other_reverse_variant() -> None:
    rule = {"method": "ratio", "direction": "reverse"}
    sys_ = system(indicator("A.1.01", 10, rule, "≤100万元"))
    ev = evaluation(sys_, {"code": "A.1.01", "inputs": {"actual": "125万元"}})
    assert score(ev).total == D(8)  # 10 × 100 / 125
    r = rescore(ev, score(ev), reverse_variant=ReverseVariant.overrun_linear)
    assert [(d.base, d.alternative) for d in r.changed] == [(D(8), D("7.5"))]  # 10 × (1 − 25 %)
    assert r.base_grade == r.grade == "差"
    same = rescore(ev, score(ev), reverse_variant=ReverseVariant.target_over_actual)
    assert not same.changed


def test_penalty_items_one_problem_more_or_less() -> None:
    ev = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")
    s = grade_sensitivity(ev, score(ev))
    more = [a for a in s.alternatives if a.code == "KF.01"]
    # no problem found so far: only "one more" is possible, and it costs a point (88 → 87)
    assert [(a.description, a.alternative, a.total) for a in more] == [("扣分项再认定一个问题", D(1), D(87))]


# --------------------------------------------------------------------------- the total by evidence and after overrides


def _ratio_with_override(override: Decimal | None) -> tuple[Evaluation, EvaluationResult]:
    """One ratio indicator worth 100: 97.22 of a target of 100 gives 97.22; an override may set another score."""
    sys_ = system(indicator("A.1.01", 100, {"method": "ratio", "direction": "positive"}, "100个"))
    a: dict[str, object] = {"code": "A.1.01", "inputs": {"actual": "97.22个"}}
    if override is not None:
        a["override"] = {"score": override, "reason": "评价组综合考虑后调整"}
    ev = evaluation(sys_, a)
    return ev, score(ev)


def test_the_total_by_evidence_leaves_the_overrides_out() -> None:
    ev, result = _ratio_with_override(D("98.00"))
    assert result.total == D("98.00")
    s = grade_sensitivity(ev, result)
    assert (s.evidence_total, s.total) == (D("97.22"), D("98.00"))
    text = s.total_text()
    assert "按证据 97.22 分，调整后 98 分" in text
    assert "98.00" not in text and "按证据计算 98" not in text


def test_without_overrides_the_text_gives_one_total_without_trailing_zeros() -> None:
    ev, result = _ratio_with_override(None)
    s = grade_sensitivity(ev, result)
    assert s.evidence_total == s.total == D("97.22")
    assert s.total_text() == "按证据计算 97.22 分，等级“优”"
    whole = evaluation(
        system(indicator("A.1.01", 100, {"method": "deduction", "points_per_finding": 1})),
        {"code": "A.1.01", "inputs": {"findings": [{"text": "问题"}]}},
    )
    assert score(whole).total == D("99.00")  # rounded to the template's two decimals
    assert grade_sensitivity(whole, score(whole)).total_text() == "按证据计算 99 分，等级“优”"


def test_an_override_that_changes_the_grade_says_both_grades() -> None:
    ev, result = _ratio_with_override(D("88"))
    text = grade_sensitivity(ev, result).total_text()
    assert "按证据 97.22 分（优），调整后 88 分（良）" in text


def test_the_panzhihua_override_in_the_sensitivity_text() -> None:
    ev = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")
    s = grade_sensitivity(ev, score(ev))
    # 规划论证 is adjusted from the 4 its evidence gives to the report's 3
    assert (s.evidence_total, s.total) == (D(89), D(88))
    assert s.total_text().startswith("按证据 89 分，调整后 88 分，等级“良”")


def test_an_override_the_evidence_cannot_score_is_said() -> None:
    sys_ = system(
        indicator("A.1.01", 90, {"method": "deduction", "points_per_finding": 1}),
        indicator("A.1.02", 10, {"method": "ratio"}, "良好"),
    )
    ev = evaluation(
        sys_,
        {"code": "A.1.01", "inputs": {}},
        {"code": "A.1.02", "inputs": {"actual": "好"}, "override": {"score": D(8), "reason": "按访谈"}},
    )
    result = score(ev)
    s = grade_sensitivity(ev, result)
    assert (s.evidence_total, s.total) == (D(90), D(98))
    assert "1 项调整的证据无法按规则计算，未计入" in s.total_text()
