"""The drafted 评分过程: an override is stated once, as an adjustment with its reason."""

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


def test_points_lost_keep_the_calculation() -> None:
    text = draft(load_evaluation(PANZHIHUA), "TY.JG.01")
    assert "按评分标准计算：实际 5个 / 目标 6个 = 83.33%" in text and text.endswith("该指标得 5 分。")
