"""表1-2 年度绩效目标表: the annual targets entered on 项目信息 appear in the project overview after 表1-1, in
the Word file with the report's table look; without targets there is no 表1-2 and nothing is renumbered; without
表1-1 the targets table is 表1-1."""

from __future__ import annotations

import io

from docx import Document
from openpyxl import load_workbook

from evaluation.files.evaluations import load_evaluation
from evaluation.model import Evaluation, PerformanceTarget
from evaluation.report import build_docx
from evaluation.report.context import Heading, ReportContext, build_report_context
from evaluation.report.outline import outline
from evaluation.report.xlsx import export_xlsx
from evaluation.scoring.engine import score
from tests.conftest import SAMPLES

PANZHIHUA = SAMPLES / "panzhihua-2023-zhaoshang.yaml"
ANBEISI = SAMPLES / "hengkou" / "hengkou-2024-zsj-06-anbeisi.yaml"


def context(ev: Evaluation) -> ReportContext:
    return build_report_context(ev, score(ev))


def with_facts(ev: Evaluation, **update: object) -> Evaluation:
    return ev.model_copy(update={"facts": ev.facts.model_copy(update=update)})


def captions(ctx: ReportContext) -> list[str]:
    return [t.caption.split(" ", 1)[0] for t in ctx.tables() if t.caption]


def test_the_targets_are_table_1_2_after_table_1_1() -> None:
    ev = load_evaluation(PANZHIHUA)
    ctx = context(ev)
    assert captions(ctx) == ["表1-1", "表1-2", "表3-1"]
    t12 = ctx.table("1-2")
    assert t12.caption == "表1-2 招商引资工作经费年度绩效目标表"
    assert t12.texts() == [
        ["序号", "绩效指标", "目标值"],
        ["1", "招商引资项目新增实际投资", "不低于70亿元"],
        ["2", "省外引进产业项目新增实际投资", "不低于30亿元"],
        ["3", "区主要领导带队赴外招商次数", "不低于13次"],
    ]
    # in the project overview: after 表1-1, before 二、评价工作开展情况, and the text points to it
    blocks = ctx.blocks
    i11, i12 = blocks.index(ctx.table("1-1")), blocks.index(t12)
    chapter_two = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text == "二、评价工作开展情况")
    assert i11 < i12 < chapter_two
    texts = [b.text for b in blocks if hasattr(b, "text") and isinstance(b.text, str)]
    assert any("见表1-2" in t for t in texts)
    assert ctx.table("1-1").key == "1-1"


def test_targets_with_their_levels_merge_the_group_cells() -> None:
    targets = [
        PerformanceTarget(name="培训人次", value="≥300人次", level1="产出指标", level2="数量指标"),
        PerformanceTarget(name="培训场次", value="≥6场", level1="产出指标", level2="数量指标"),
        PerformanceTarget(name="合格率", value="≥95%", level1="产出指标", level2="质量指标"),
        PerformanceTarget(name="学员满意度", value="≥90%", level1="满意度指标", level2="服务对象满意度"),
    ]
    t12 = context(with_facts(load_evaluation(PANZHIHUA), annual_targets=targets)).table("1-2")
    assert t12.columns == ["一级指标", "二级指标", "三级指标", "目标值"]
    assert t12.texts()[1:] == [
        ["产出指标", "数量指标", "培训人次", "≥300人次"],
        ["", "", "培训场次", "≥6场"],
        ["", "质量指标", "合格率", "≥95%"],
        ["满意度指标", "服务对象满意度", "学员满意度", "≥90%"],
    ]
    first = t12.rows[0]
    assert first[0] is not None and first[0].merge_down == 2
    assert first[1] is not None and first[1].merge_down == 1


def test_without_targets_there_is_no_table_1_2_and_nothing_moves() -> None:
    ev = with_facts(load_evaluation(PANZHIHUA), annual_targets=[])
    ctx = context(ev)
    assert captions(ctx) == ["表1-1", "表3-1"]
    assert not any("表1-2" in getattr(b, "text", "") for b in ctx.blocks)


def test_without_an_expenditure_breakdown_the_targets_are_table_1_1() -> None:
    ev = load_evaluation(PANZHIHUA)
    bare = with_facts(ev, funds=ev.facts.funds.model_copy(update={"breakdown": []}))
    ctx = context(bare)
    assert captions(ctx) == ["表1-1", "表3-1"]
    assert ctx.table("1-1").caption == "表1-1 招商引资工作经费年度绩效目标表"
    texts = [b.text for b in ctx.blocks if hasattr(b, "text") and isinstance(b.text, str)]
    assert any("见表1-1" in t for t in texts) and not any("表1-2" in t for t in texts)


def test_the_word_file_outline_and_excel_still_hold() -> None:
    ev = load_evaluation(PANZHIHUA)
    doc = Document(io.BytesIO(build_docx(ev, score(ev))))
    paragraphs = [p.text for p in doc.paragraphs]
    assert paragraphs.index("表1-1 招商引资工作经费支出明细表") < paragraphs.index(
        "表1-2 招商引资工作经费年度绩效目标表"
    )
    t12 = doc.tables[1]
    assert [c.text for c in t12.rows[0].cells] == ["序号", "绩效指标", "目标值"]
    assert [c.text for c in t12.rows[-1].cells] == ["3", "区主要领导带队赴外招商次数", "不低于13次"]
    style = t12.rows[1].cells[1].paragraphs[0].style
    assert style is not None and style.name == doc.tables[0].rows[1].cells[0].paragraphs[0].style.name  # 表格文字
    assert doc.tables[2].rows[0].cells[0].text == "绩效评价指标"  # 表3-1 follows
    # the outline is the headings, unchanged by a table; the Excel export keeps its two sheets
    headings = outline(context(ev))
    assert (2, "（四）项目管理情况") in headings and (3, "2.项目实施情况") in headings
    assert load_workbook(io.BytesIO(export_xlsx(ev, score(ev)))).sheetnames == ["表3-1", "附件1"]


def test_a_self_evaluation_shows_the_targets_its_table_declared_and_none_without() -> None:
    ev = load_evaluation(ANBEISI)
    assert len(ev.facts.annual_targets) == 9  # the 自评表's rows with their 年度指标值
    assert any(t.caption.endswith("年度绩效目标表") for t in context(ev).tables())  # 表1-1: no 支出明细
    bare = ev.model_copy(update={"facts": ev.facts.model_copy(update={"annual_targets": []})})
    assert not any(t.caption.endswith("年度绩效目标表") for t in context(bare).tables())
