"""The report's 评分过程 (绩效分析 and 附件1): the narrative written for an indicator, or the draft; a score
adjusted by hand is stated as an adjustment with its reason, once; an indicator that kept full marks without
a written narrative gets one sentence of what was checked, not the arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation.files.evaluations import load_evaluation
from evaluation.model import Evaluation
from evaluation.report.context import Heading, Paragraph, build_report_context
from evaluation.scoring.engine import score
from tests.conftest import SAMPLES
from tests.factories import evaluation, indicator, system

PANZHIHUA = SAMPLES / "panzhihua-2023-zhaoshang.yaml"
ANBEISI = SAMPLES / "hengkou" / "hengkou-2024-zsj-06-anbeisi.yaml"
ALL = sorted(p for p in SAMPLES.rglob("*.yaml") if "department" not in p.name)
ADJUSTED = "按证据计算 4 分，调整为 3 分，理由：报告认定 12 个绩效指标中有 4 个设置不合理"


def analysis_in_order(ev: Evaluation) -> list[tuple[str, str]]:
    """(三级指标, its 评分过程) in 四、绩效分析, in the report's order (the paragraphs after the bold score line)."""
    blocks = build_report_context(ev, score(ev)).blocks
    start = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text == "四、绩效分析")
    out: list[tuple[str, str]] = []
    for b in blocks[start + 1 :]:
        if isinstance(b, Heading) and b.level == 1:
            break
        if isinstance(b, Heading) and b.level == 3:
            out.append((b.text.split(".", 1)[1], ""))
        elif isinstance(b, Paragraph) and out and not b.bold:
            out[-1] = (out[-1][0], out[-1][1] + b.text)
    return out


def analysis(ev: Evaluation) -> dict[str, str]:
    return dict(analysis_in_order(ev))


def appendix(ev: Evaluation) -> dict[str, str]:
    """三级指标 → its 评分过程 in 附件1."""
    rows = build_report_context(ev, score(ev)).table("附件1").texts()
    col = rows[0].index("评分过程")
    return {row[2]: row[col] for row in rows[1:] if row[2]}


def test_an_override_is_stated_as_an_adjustment_in_the_process_not_as_the_reason() -> None:
    ev = load_evaluation(PANZHIHUA)
    for where in (analysis(ev), appendix(ev)):
        text = where["规划论证"]
        assert text.startswith("项目立项符合东区2023年重点招商引资项目责任制的要求")  # the written narrative
        assert text.count(ADJUSTED) == 1
    t31 = build_report_context(ev, score(ev)).table("3-1").texts()
    planning = next(r for r in t31 if r[2] == "规划论证")
    assert "报告认定" not in planning[-1] and "调整" not in planning[-1]


def test_a_narrative_that_already_states_the_adjustment_is_not_repeated() -> None:
    ev = evaluation(
        system(indicator("A.1.01", 6, {"method": "deduction", "points_per_finding": 3})),
        {
            "code": "A.1.01",
            "inputs": {"findings": [{"text": "调整预算未报批"}]},
            "narrative": "调整预算未报批，按规则得 3 分；考虑到已整改，调整为 4 分。",
            "override": {"score": "4", "reason": "评价期间已完成整改"},
        },
    )
    assert analysis(ev)["指标A.1.01"] == "调整预算未报批，按规则得 3 分；考虑到已整改，调整为 4 分。"


def test_an_override_without_a_narrative_is_said_once_in_the_draft() -> None:
    ev = evaluation(
        system(indicator("A.1.01", 6, {"method": "deduction", "points_per_finding": 3})),
        {"code": "A.1.01", "inputs": {}, "override": {"score": "5", "reason": "专家组复议认为情节较重"}},
    )
    for text in (analysis(ev)["指标A.1.01"], appendix(ev)["指标A.1.01"]):
        assert text.count("专家组复议认为情节较重") == 1
        assert "按证据计算 6 分，调整为 5 分，理由：专家组复议认为情节较重。" in text


def test_full_marks_without_a_narrative_say_what_was_checked() -> None:
    ev = load_evaluation(ANBEISI)
    for where in (analysis(ev), appendix(ev)):
        assert where["奖补企业"] == "经核查，奖补企业实际完成1户，达到目标值（1户），得满分。"
        assert where["奖补资金"] == "经核查，奖补资金实际300万元，未超过目标值（300万元），得满分。"
        assert where["符合相关奖补规定"] == "经核查，符合相关奖补规定：评价为“达成”，达到目标值（符合），得满分。"


def test_written_narratives_of_full_marks_stay_as_written() -> None:
    ev = load_evaluation(PANZHIHUA)
    a = ev.assessment("TY.JC.01")
    assert a is not None and analysis(ev)["决策程序"] == a.narrative


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_every_unwritten_full_mark_process_is_one_sentence_without_arithmetic(path: Path) -> None:
    ev = load_evaluation(path)
    result = score(ev)
    texts = analysis_in_order(ev)
    assert [name for name, _ in texts] == [r.name for r in result.indicators]
    for r, (_, text) in zip(result.indicators, texts, strict=True):
        a = ev.assessment(r.code)
        if r.score == r.weight and r.weight > 0 and a is not None and not a.narrative.strip() and not r.overridden:
            assert text.startswith("经") and text.endswith("得满分。"), text
            assert text.count("。") == 1 and " / " not in text and "×" not in text, text
