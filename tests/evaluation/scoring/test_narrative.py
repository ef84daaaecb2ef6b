"""The drafted 评分过程: an override is stated once, as an adjustment with its reason; an indicator that kept
full marks gets one sentence of what was checked and met, not the arithmetic."""

from __future__ import annotations

from typing import Any

from evaluation.files.evaluations import load_evaluation
from evaluation.model import Evaluation
from evaluation.scoring.engine import score
from evaluation.scoring.narrative import draft_narrative
from tests.conftest import SAMPLES
from tests.factories import evaluation, indicator, system

PANZHIHUA = SAMPLES / "panzhihua-2023-zhaoshang.yaml"
DED = {"method": "deduction", "points_per_finding": 3}


def draft(ev: Evaluation, code: str) -> str:
    found = ev.system.find(code)
    a = ev.assessment(code)
    assert found is not None and a is not None
    r = score(ev).indicator(code)
    return draft_narrative(found[2], a, r.score, r.explanation)


def one(rule: dict[str, Any], weight: int, assessment: dict[str, Any], **ind: Any) -> Evaluation:
    return evaluation(system(indicator("A.1.01", weight, rule, **ind)), {"code": "A.1.01", **assessment})


def test_an_override_reason_is_said_once() -> None:
    text = draft(load_evaluation(PANZHIHUA), "TY.JC.02")
    assert text.count("报告认定 12 个绩效指标中有 4 个设置不合理") == 1
    assert "按证据计算 4 分，调整为 3 分，理由：报告认定" in text
    assert "规则计算为" not in text and text.count("调整为 3 分") == 1
    assert text.endswith("综上，该指标得 3 分。")


def test_an_override_of_inputs_that_cannot_be_scored_is_said_once() -> None:
    ev = one(
        {"method": "ratio"},
        10,
        {"inputs": {"actual": "保障", "target": "7人"}, "override": {"score": "8", "reason": "按访谈核实的人数给分"}},
    )
    text = draft(ev, "A.1.01")
    assert text.count("按访谈核实的人数给分") == 1
    assert "按证据无法计算得分，调整为 8 分，理由：按访谈核实的人数给分。" in text


def test_full_marks_are_one_sentence_of_what_was_checked() -> None:
    ev = one(
        DED,
        6,
        {"inputs": {}, "evidence": [{"document": "2023年会计凭证", "voucher": "12月记125号"}]},
        explanation="考察资金使用是否符合财务制度",
        target="合规",
    )
    assert draft(ev, "A.1.01") == (
        "经查阅《2023年会计凭证》（凭证号12月记125号）等资料，核查资金使用是否符合财务制度，"
        "未发现不符合要求的情况，达到目标值（合规），得满分。"
    )
    ratio = one({"method": "ratio"}, 10, {"inputs": {"actual": "100%"}}, target="100%")
    assert draft(ratio, "A.1.01") == "经核查，指标A.1.01实际完成100%，达到目标值（100%），得满分。"
    timely = draft(load_evaluation(PANZHIHUA), "TY.JG.02")
    assert timely == (
        "经查阅《区经合局2023年招商工作台账》等资料，比较项目实际完成时间与计划完成时间，"
        "按时完成（计划2023-12-31完成，实际2023-12-31完成），得满分。"
    )


def test_full_marks_without_an_explanation_name_the_indicator() -> None:
    qualitative = one({"method": "qualitative"}, 10, {"inputs": {"band": "达成", "score": 10}})
    assert draft(qualitative, "A.1.01") == "经核查，指标A.1.01：评价为“达成”，得满分。"
    checklist = one(
        {"method": "checklist", "items": [{"key": "a", "text": "制度健全有效", "points": 2}]},
        2,
        {"inputs": {"answers": {"a": True}}},
        target="健全",
    )
    assert draft(checklist, "A.1.01") == "经核查，指标A.1.01：符合“制度健全有效”的要求，达到目标值（健全），得满分。"


def test_the_explanation_gives_what_was_checked_without_its_purpose_or_a_placeholder() -> None:
    rule = {"method": "checklist", "items": [{"key": "a", "text": "制度健全", "points": 2}]}
    purpose = one(rule, 2, {"inputs": {"answers": {"a": True}}}, explanation="考察制度是否健全，用以反映制度保障")
    assert draft(purpose, "A.1.01") == "经核查制度是否健全，符合“制度健全”的要求，得满分。"
    example = one(
        {"method": "ratio"},
        10,
        {"inputs": {"actual": "12次", "target": "10次"}},
        explanation="示例：年度内完成的活动数量，应按项目申报的数量指标替换",
    )
    assert draft(example, "A.1.01") == "经核查，指标A.1.01实际完成12次，达到目标值（10次），得满分。"


def test_points_lost_keep_the_calculation() -> None:
    text = draft(load_evaluation(PANZHIHUA), "TY.JG.01")
    assert "按评分标准计算：实际 5个 / 目标 6个 = 83.33%" in text and text.endswith("该指标得 5 分。")
    # a calculation that ends with its rounding note still ends its sentence
    rounded = draft(load_evaluation(SAMPLES / "hengkou" / "hengkou-2024-wl-05-richang.yaml"), "YS.1.01")
    assert rounded.endswith("（按保留 1 位小数，截断（舍去）记 9.9 分）。综上，该指标得 9.9 分。")
