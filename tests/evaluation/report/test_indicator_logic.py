"""（五）评价指标 (and the 评价方案's 评价指标体系): the logic follows the evaluation's own first-level groups with
their points, unless the user wrote their own text; the groups are not listed twice."""

from __future__ import annotations

from evaluation.files.evaluations import load_evaluation
from evaluation.indicators.library import Library
from evaluation.model import Evaluation
from evaluation.report.context import ReportContext, build_report_context
from evaluation.report.plan import build_plan_context
from evaluation.scoring.engine import score
from tests.conftest import SAMPLES
from tests.factories import evaluation

PANZHIHUA = SAMPLES / "panzhihua-2023-zhaoshang.yaml"
ANBEISI = SAMPLES / "hengkou" / "hengkou-2024-zsj-06-anbeisi.yaml"
FIXED_CHAIN = "决策—管理—实施—结果—效果"


def section(ctx: ReportContext, heading: str, count: int = 2) -> list[str]:
    texts = [b.text for b in ctx.blocks if hasattr(b, "text") and isinstance(b.text, str)]
    start = texts.index(heading)
    return texts[start + 1 : start + 1 + count]


def report_section(ev: Evaluation) -> list[str]:
    return section(build_report_context(ev, score(ev)), "（五）评价指标")


def test_the_national_framework_reads_decision_process_output_benefit(library: Library) -> None:
    ev = evaluation(library.system("gongxing-2020"))
    logic, summary = report_section(ev)
    assert "按照“决策—过程—产出—效益”的逻辑" in logic and FIXED_CHAIN not in logic
    assert "决策（20分）方面关注项目立项、绩效目标、资金投入" in logic
    assert "产出（30分）" in logic and "效益（30分）" in logic
    # the points are said once: the summary after it gives the total only
    assert summary.startswith("指标体系总分100分。") and "一级指标为" not in summary


def test_a_self_evaluation_table_follows_its_own_groups() -> None:
    logic, _ = report_section(load_evaluation(ANBEISI))
    assert "按照“预算执行—产出指标—效益指标—满意度指标”的逻辑" in logic
    assert "产出指标（40分）方面关注数量指标、质量指标、时效指标、成本指标" in logic
    assert FIXED_CHAIN not in logic


def test_the_text_the_user_wrote_is_kept() -> None:
    ev = load_evaluation(PANZHIHUA)
    logic, summary = report_section(ev)
    assert logic == ev.report.indicator_logic
    # the user's text does not give the points: the summary lists the groups
    assert "一级指标为通用指标（54分）、专用指标（30分）、个性指标（16分）" in summary
    cleared = ev.model_copy(update={"report": ev.report.model_copy(update={"indicator_logic": ""})})
    logic, _ = report_section(cleared)
    assert "按照“通用指标—专用指标—个性指标”的逻辑" in logic
    assert "通用指标（54分）方面关注项目决策、项目管理、项目实施、项目结果" in logic


def test_the_plan_says_the_same(library: Library) -> None:
    ev = evaluation(library.system("gongxing-2020"))
    logic, summary = section(build_plan_context(ev), "五、评价指标体系")
    assert logic == report_section(ev)[0]
    assert summary == "指标体系总分100分，具体见表5-1。"
