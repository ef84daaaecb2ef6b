"""工作底稿: every indicator's paper from the sample (rule, inputs, evidence and files, computation, score and
adjustment, 评分过程, decisions, history), written as .xlsx and .docx and reopened."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook

from evaluation.engagement.sheets import sheet_title
from evaluation.engagement.workpapers import (
    DecisionNote,
    HistoryNote,
    Workpapers,
    build_workpapers,
    describe_inputs,
    workpapers_docx,
    workpapers_xlsx,
)
from evaluation.files.evaluations import load_evaluation
from evaluation.indicators.rules import BandsRule, CompositeRatioRule, TimelinessRule
from evaluation.model import ChecklistItem, Evaluation, EvidenceRef, Inputs, RatioInput
from evaluation.scoring.engine import score
from tests.conftest import SAMPLES

SHA = "b" * 64
AT = datetime(2024, 9, 2, 1, 30, tzinfo=UTC)  # 09:30 in Beijing


@pytest.fixture(scope="module")
def sample() -> Evaluation:
    ev = load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")
    a = ev.assessment("TY.JC.01")
    assert a is not None
    ref = EvidenceRef(
        document="2023年部门预算批复", doc_no="东财预〔2023〕1号", attachment=f"{ev.id}/TY.JC.01/批复.pdf", sha256=SHA
    )
    evidenced = a.model_copy(update={"evidence": [*a.evidence, ref]})
    item = ChecklistItem(
        code="TY.JC.01",
        document="集体决策会议纪要",
        status="已提供",
        files=[EvidenceRef(document="纪要", attachment=f"{ev.id}/TY.JC.01/会议纪要.pdf", sha256="c" * 64)],
    )
    assessments = [evidenced if x.code == "TY.JC.01" else x for x in ev.assessments]
    return ev.model_copy(update={"assessments": assessments, "checklist": [item]})


@pytest.fixture(scope="module")
def papers(sample: Evaluation) -> Workpapers:
    decisions = [
        DecisionNote(
            "TY.JC.02", "调整得分与证据算出的得分不同", "接受", "按报告所载得分记录，供复核比对", "王复核", AT
        ),
        DecisionNote("", "报告必填内容缺失", "已修正", "", "王复核"),
    ]
    history = [
        HistoryNote(AT, "li", "修改", "TY.JC.02", "narrative：（空） → 项目立项符合……"),
        HistoryNote(AT, "li", "状态变更", "流程", "草稿 → 已提交复核"),
    ]
    return build_workpapers(sample, score(sample), decisions=decisions, history=history)


def test_one_paper_per_indicator_grouped_by_first_level(papers: Workpapers, sample: Evaluation) -> None:
    assert [(name, len(ps)) for name, ps in papers.groups] == [("通用指标", 10), ("专用指标", 3), ("个性指标", 2)]
    assert [p.code for p in papers.penalties] == ["KF.01", "KF.02"]
    codes = [p.code for _, ps in papers.groups for p in ps]
    assert codes == [ind.code for _, _, ind in sample.system.indicators()]


def test_an_adjusted_indicator_shows_rule_inputs_computation_adjustment_and_records(papers: Workpapers) -> None:
    paper = next(p for p in papers.groups[0][1] if p.code == "TY.JC.02")
    fields = dict(paper.fields())
    assert fields["指标"] == "规划论证（TY.JC.02）" and fields["所属指标"] == "通用指标 — 项目决策"
    assert fields["指标分值"] == "6" and fields["目标值"] == "科学" and fields["评分方法"] == "缺（错）项扣分法"
    assert fields["评分规则"].startswith("1. 规划与论证（4 分）")
    assert "问题1：数量指标“督办项目履约率、开工率、到位资金率”只列出指标名称" in fields["评分输入"]
    assert "【规划与论证】项目规划与上级决策部署相符（1分）：是" in fields["评分输入"]
    assert "【绩效目标偏离度】符合条件 4 个，共 12 个" in fields["评分输入"]
    assert "偏离度 4 / 12 = 33.33%" in fields["计算过程"]
    assert fields["按证据计算得分"] == "4" and fields["得分"] == "3（已评）"
    assert fields["调整得分及理由"].startswith("调整为 3 分，理由：报告认定 12 个绩效指标中有 4 个设置不合理")
    assert fields["评分过程"].startswith("项目立项符合东区2023年重点招商引资项目责任制的要求")
    assert fields["证据出处"] == "《攀枝花东区2023年重点招商引资项目责任制》\n《招商引资工作经费项目绩效目标申报表》"
    assert (
        fields["复核处理"]
        == "调整得分与证据算出的得分不同：接受，理由：按报告所载得分记录，供复核比对（王复核，2024-09-02 09:30）"
    )
    assert fields["修改历史"] == "2024-09-02 09:30 li 修改：narrative：（空） → 项目立项符合……"


def test_files_from_the_evidence_and_the_checklist_with_their_hashes(papers: Workpapers) -> None:
    paper = papers.groups[0][1][0]
    assert paper.code == "TY.JC.01"
    fields = dict(paper.fields())
    assert fields["附件"].split("\n") == [
        f"批复.pdf（评分证据）SHA-256：{SHA}",
        f"会议纪要.pdf（资料清单：集体决策会议纪要）SHA-256：{'c' * 64}",
    ]
    assert "《2023年部门预算批复》（东财预〔2023〕1号）" in fields["证据出处"]
    assert fields["评分输入"] == "未记录问题（核查中未发现扣分情形）"
    assert fields["复核处理"] == fields["修改历史"] == "（无）"
    # records that name no indicator stay with the evaluation as a whole
    assert [d.message for d in papers.decisions] == ["报告必填内容缺失"]
    assert [h.target for h in papers.history] == ["流程"]


def test_inputs_in_words_for_each_kind_of_rule() -> None:
    ratios = CompositeRatioRule(method="composite_ratio", parts=[{"key": "a", "name": "拨付率", "weight": 3}])  # type: ignore[list-item]
    inputs = Inputs(ratios={"a": RatioInput(not_applicable=True)})
    assert describe_inputs(ratios, inputs) == ["拨付率：不适用"]
    timely = TimelinessRule(method="timeliness", unit="月")
    assert describe_inputs(timely, Inputs(planned_duration=Decimal(12), actual_duration=Decimal("13.5"))) == [
        "计划用时 12月，实际用时 13.5月"
    ]
    bands = BandsRule(method="bands", measure="偏离度", bands=[{"limit": 15, "points": 2}, {"points": 0}])  # type: ignore[list-item]
    assert describe_inputs(bands, Inputs(value="25%")) == ["偏离度：25%"]
    hengkou = load_evaluation(SAMPLES / "hengkou" / "hengkou-2024-wl-04-longteng.yaml")
    by_code = hengkou.assessments_by_code()
    found = hengkou.system.find("CC.ZL.01")
    assert found is not None
    assert describe_inputs(found[2].rule, by_code["CC.ZL.01"].inputs) == ["档次：达成", "录入得分：20"]
    manual = hengkou.system.find("CC.SL.01")
    assert manual is not None
    words = describe_inputs(manual[2].rule, by_code["CC.SL.01"].inputs)
    assert words[0] == "录入得分：20" and words[1].startswith("评分理由：实际完成值“已举办”未量化")
    assert describe_inputs(timely, Inputs(start_date=date(2023, 1, 1), actual_end=date(2023, 12, 31))) == [
        "开始 2023年1月1日，实际完成 2023年12月31日"
    ]


def test_the_xlsx_has_a_cover_a_sheet_per_first_level_group_and_the_records(papers: Workpapers) -> None:
    wb = load_workbook(io.BytesIO(workpapers_xlsx(papers)))
    assert wb.sheetnames == ["封面", "通用指标", "专用指标", "个性指标", "扣分项", "整体记录"]
    cover = wb["封面"]
    assert cover["A1"].value == "招商引资工作经费绩效评价工作底稿"
    lines = {cover.cell(r, 1).value: cover.cell(r, 2).value for r in range(2, 10)}
    assert lines["评价编号"] == "panzhihua-2023-zhaoshang" and lines["评价得分"] == "88分，等级“良”"
    summary = [[c.value for c in row] for row in cover.iter_rows(min_row=11, max_row=14)]
    assert summary == [
        ["一级指标", "分值", "得分", "得分率", "指标数", "复核处理", "底稿工作表"],
        ["通用指标", "54", "50", "92.59%", "10", "1", "通用指标"],
        ["专用指标", "30", "30", "100%", "3", "0", "专用指标"],
        ["个性指标", "16", "8", "50%", "2", "0", "个性指标"],
    ]
    ws = wb["通用指标"]
    assert ws["A1"].value == "决策程序（TY.JC.01）" and "A1:B1" in {str(m) for m in ws.merged_cells.ranges}
    values = {(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(1, ws.max_row + 1)}
    assert ("按证据计算得分", "4") in values and ("得分", "3（已评）") in values
    assert any(label == "附件" and text and SHA in text for label, text in values)
    heads = [v for v in (ws.cell(r, 1).value for r in range(1, ws.max_row + 1)) if v and v.endswith("）")]
    assert len(heads) == 10  # one block per indicator, headed 名称（编码）
    records = wb["整体记录"]
    assert records["A1"].value == "复核处理" and records["A3"].value == "报告必填内容缺失"
    assert [c.value for c in records[6]] == ["时间", "操作人", "操作", "对象", "变更"]
    assert [c.value for c in records[7]] == ["2024-09-02 09:30", "li", "状态变更", "流程", "草稿 → 已提交复核"]


def test_the_docx_has_a_heading_and_a_two_column_table_per_indicator(papers: Workpapers) -> None:
    doc = Document(io.BytesIO(workpapers_docx(papers)))
    heads = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert heads[0] == ("Title", "招商引资工作经费绩效评价工作底稿")
    assert ("Heading 1", "一、通用指标") in heads and ("Heading 2", "（一）项目决策") in heads
    assert ("Heading 3", "2.规划论证（TY.JC.02）") in heads
    assert ("Heading 1", "四、扣分项") in heads and ("Heading 1", "五、评价整体的复核处理与修改历史") in heads
    tables = doc.tables
    assert len(tables) == 1 + 15 + 2 + 2  # summary, each indicator, each 扣分项, decisions and history
    jc02 = tables[2]
    labels = [r.cells[0].text for r in jc02.rows]
    assert labels[0] == "所属指标" and labels[-1] == "修改历史" and "按证据计算得分" in labels
    assert jc02.rows[labels.index("调整得分及理由")].cells[1].text.startswith("调整为 3 分")


def test_an_evaluation_file_without_records_still_builds(sample: Evaluation) -> None:
    bare = build_workpapers(sample, score(sample))
    assert bare.decisions == () and bare.history == ()
    wb = load_workbook(io.BytesIO(workpapers_xlsx(bare)))
    assert "整体记录" not in wb.sheetnames
    assert len(Document(io.BytesIO(workpapers_docx(bare))).tables) == 1 + 15 + 2


def test_sheet_titles_are_valid_and_unique() -> None:
    taken: set[str] = set()
    assert sheet_title("产出/效益:[一]", taken) == "产出效益一"
    assert sheet_title("产出/效益:[一]", taken) == "产出效益一（2）"
    long = "很长的一级指标名称" * 5
    first, second = sheet_title(long, taken), sheet_title(long, taken)
    assert len(first) == len(second) == 31 and first != second
    assert sheet_title("***", taken) == "表"
