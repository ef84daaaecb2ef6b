"""The engagement in the report: 附件2 征求意见采纳情况表 when the unit answered the draft's problems, and 上年问题
整改情况 in 五、存在问题及原因分析 when last year's problems are on record (context, outline and the reopened .docx)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document

from evaluation.files.evaluations import load_evaluation
from evaluation.model import AgencyReply, Evaluation, Rectification, ReportProblem, UnitResponse
from evaluation.report import build_docx, build_report_context
from evaluation.report.context import consultation_rows, rectification_summary
from evaluation.report.outline import missing_items, outline
from evaluation.scoring.engine import score
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def sample() -> Evaluation:
    return load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")


def answered(ev: Evaluation) -> Evaluation:
    """The sample's two problems answered: the first agreed to, the second objected to and not adopted; a third
    problem objected to and still waiting."""
    first, second = ev.problems
    problems = [
        first.model_copy(update={"response": UnitResponse(stance="同意", by="unit")}),
        second.model_copy(
            update={
                "response": UnitResponse(stance="有异议", statement="市级考核口径与区级不同，任务已按市级口径完成"),
                "reply": AgencyReply(decision="不采纳", text="年度绩效目标按区级批复口径设定，评价按批复口径核对"),
            }
        ),
        ReportProblem(title="资料归档不完整", response=UnitResponse(stance="有异议", statement="已补交")),
    ]
    return ev.model_copy(update={"problems": problems})


def with_prior(ev: Evaluation) -> Evaluation:
    prior = [
        ReportProblem(
            title="绩效目标未细化量化",
            year=2022,
            rectification=Rectification(
                measure="按可衡量原则重新编制绩效目标申报表",
                unit="区经合局",
                deadline=date(2023, 6, 30),
                status="已整改",
            ),
        ),
        ReportProblem(
            title="招商专员考核办法未出台",
            year=2022,
            rectification=Rectification(
                measure="制定考核办法", unit="区经合局", status="整改中", note="已形成征求意见稿"
            ),
        ),
        ReportProblem(title="接待清单填写不全", year=2022),
    ]
    return ev.model_copy(update={"prior_problems": prior})


def test_the_sample_has_neither_section(sample: Evaluation) -> None:
    texts = [h.text for h in build_report_context(sample, score(sample)).headings()]
    assert texts[-1] == "附件1 项目支出绩效评价指标体系"
    assert "上年问题整改情况" not in " ".join(texts)


def test_appendix_2_lists_every_answer_with_its_adoption(sample: Evaluation) -> None:
    ev = answered(sample)
    ctx = build_report_context(ev, score(ev))
    heads = [(h.level, h.text) for h in ctx.headings()]
    assert heads[-2:] == [(1, "附件1 项目支出绩效评价指标体系"), (1, "附件2 征求意见采纳情况表")]
    table = ctx.table("附件2")
    assert table.texts() == [
        ["序号", "问题", "单位意见", "采纳情况", "说明"],
        ["1", "绩效指标设置不够规范", "同意", "—", "被评价单位无异议"],
        [
            "2",
            "部门招商任务目标未完成",
            "有异议：市级考核口径与区级不同，任务已按市级口径完成",
            "不采纳",
            "年度绩效目标按区级批复口径设定，评价按批复口径核对",
        ],
        ["3", "资料归档不完整", "有异议：已补交", "待答复", ""],
    ]
    summary = next(b.text for b in ctx.blocks if getattr(b, "text", "").startswith("报告征求意见阶段"))  # type: ignore[attr-defined]
    assert summary == (
        "报告征求意见阶段，被评价单位对3个问题反馈了意见，其中无异议1个、有异议2个；对异议不采纳1个、待答复1个。"
        "逐项处理情况如下表。"
    )
    assert (1, "附件2 征求意见采纳情况表") in outline(ctx)
    waiting = [m for m in missing_items(ev, score(ev)) if "异议尚未答复" in m.what]
    assert len(waiting) == 1 and "资料归档不完整" in waiting[0].what and not waiting[0].blocking


def test_consultation_rows_skip_problems_without_an_answer(sample: Evaluation) -> None:
    ev = answered(sample)
    ev = ev.model_copy(update={"problems": [*ev.problems, ReportProblem(title="未反馈的问题")]})
    assert [p.title for p, *_ in consultation_rows(ev)] == [
        "绩效指标设置不够规范",
        "部门招商任务目标未完成",
        "资料归档不完整",
    ]


def test_appendix_2_in_the_docx_on_a_portrait_page_after_the_landscape_appendix(sample: Evaluation) -> None:
    ev = answered(sample)
    doc = Document(io.BytesIO(build_docx(ev, score(ev))))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[-2:] == ["附件1 项目支出绩效评价指标体系", "附件2 征求意见采纳情况表"]
    last = doc.tables[-1]
    assert [c.text for c in last.rows[0].cells] == ["序号", "问题", "单位意见", "采纳情况", "说明"]
    assert [c.text for c in last.rows[2].cells][3] == "不采纳"
    assert len(last.rows) == 4
    sections = doc.sections
    assert sections[-1].page_width < sections[-1].page_height  # portrait again
    assert sections[-2].page_width > sections[-2].page_height  # 附件1 landscape


def test_prior_problems_make_five_two_parts_with_the_rectification_table(sample: Evaluation) -> None:
    ev = with_prior(sample)
    ctx = build_report_context(ev, score(ev))
    texts = [(h.level, h.text) for h in ctx.headings()]
    start = texts.index((1, "五、存在问题及原因分析"))
    end = texts.index((1, "六、相关建议"))
    assert texts[start + 1 : end] == [
        (2, "（一）本年度评价发现的问题"),
        (3, "1.绩效指标设置不够规范"),
        (3, "2.部门招商任务目标未完成"),
        (2, "（二）上年问题整改情况"),
    ]
    assert rectification_summary(ev.prior_problems) == (
        "2022年度评价指出问题3个，截至本次评价，未整改1个、整改中1个、已整改1个。"
        "各问题的整改措施、责任单位、期限和状态见表5-1。"
    )
    table = ctx.table("5-1")
    assert table.caption == "表5-1 上年问题整改情况表"
    assert table.texts() == [
        ["序号", "问题", "整改措施", "责任单位", "整改期限", "整改状态"],
        ["1", "绩效目标未细化量化", "按可衡量原则重新编制绩效目标申报表", "区经合局", "2023年6月30日", "已整改"],
        ["2", "招商专员考核办法未出台", "制定考核办法", "区经合局", "—", "整改中（已形成征求意见稿）"],
        ["3", "接待清单填写不全", "—", "—", "—", "未整改"],
    ]
    paragraphs = [getattr(b, "text", "") for b in ctx.blocks]
    assert any(t.startswith("对尚未完成整改的2个问题") for t in paragraphs)
    # the problems are still numbered in order, and the suggestions follow
    assert texts[end + 1] == (2, "（一）强化预算绩效管理意识")


def test_all_rectified_needs_no_follow_up_sentence_and_mixed_years_are_said_so(sample: Evaluation) -> None:
    done = Rectification(status="已整改")
    prior = [
        ReportProblem(title="甲", year=2021, rectification=done),
        ReportProblem(title="乙", year=2022, rectification=done),
    ]
    ev = sample.model_copy(update={"prior_problems": prior, "problems": []})
    ctx = build_report_context(ev, score(ev))
    paragraphs = [getattr(b, "text", "") for b in ctx.blocks]
    assert not any(t.startswith("对尚未完成整改") for t in paragraphs)
    assert rectification_summary(prior).startswith("以前年度评价指出问题2个，截至本次评价，已整改2个。")
    # no curated problems: the findings marked for the report are listed under （一）
    heads = [h.text for h in ctx.headings()]
    first = heads.index("（一）本年度评价发现的问题")
    assert heads[first + 1] == "1.规划论证方面存在问题"


def test_rectification_table_in_the_docx(sample: Evaluation) -> None:
    ev = with_prior(sample)
    doc = Document(io.BytesIO(build_docx(ev, score(ev))))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "序号" and len(t.columns) == 6)
    assert [c.text for c in table.rows[1].cells] == [
        "1",
        "绩效目标未细化量化",
        "按可衡量原则重新编制绩效目标申报表",
        "区经合局",
        "2023年6月30日",
        "已整改",
    ]
    texts = [p.text for p in doc.paragraphs]
    assert "表5-1 上年问题整改情况表" in texts
    assert texts.index("（二）上年问题整改情况") < texts.index("表5-1 上年问题整改情况表") < texts.index("六、相关建议")


def test_next_years_copy_before_scoring_says_once_that_an_indicator_is_not_scored(sample: Evaluation) -> None:
    from evaluation.lifecycle import duplicate_for_next_year

    fresh = duplicate_for_next_year(sample, "panzhihua-2024-zhaoshang")
    doc = Document(io.BytesIO(build_docx(fresh, score(fresh))))
    lines = [p.text for p in doc.paragraphs]
    first = next(ind for _, _, ind in fresh.system.indicators())
    at = lines.index(f"指标分值{first.weight:g}分，尚未评分。")
    assert lines[at + 1] != "尚未评分。"  # not said twice
    assert not any("（未评）分" in line for line in lines)
