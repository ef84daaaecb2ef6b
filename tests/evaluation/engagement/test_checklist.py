"""资料清单: built from the sample's indicator system, merged with what was recorded when the system changes, and
written as .xlsx and .docx (reopened and inspected)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from evaluation.engagement.checklist import (
    GENERAL_DOCUMENTS,
    build_checklist,
    checklist_docx,
    checklist_groups,
    checklist_xlsx,
    merge_checklist,
    status_counts,
)
from evaluation.files.evaluations import load_evaluation
from evaluation.indicators.system import IndicatorSystem
from evaluation.model import ChecklistItem, Evaluation, EvidenceRef, evaluation_problems
from tests.conftest import SAMPLES

SHA = "a" * 64


@pytest.fixture(scope="module")
def sample() -> Evaluation:
    return load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml")


def test_one_item_per_indicator_document_after_the_general_items(sample: Evaluation) -> None:
    merged = merge_checklist(sample, requested_on=date(2024, 8, 5))
    items = merged.items
    documents = [(ind.code, d) for _, _, ind in sample.system.indicators() for d in ind.documents]
    assert len(items) == len(GENERAL_DOCUMENTS) + len(documents) == 51
    assert [(i.code, i.document) for i in items] == [("", d) for d in GENERAL_DOCUMENTS] + documents
    assert items[5].document == "立项申请与批复文件" and items[5].code == "TY.JC.01"
    assert all(i.status == "未提供" and i.requested_on == date(2024, 8, 5) and not i.files for i in items)
    assert len(merged.added) == 51 and merged.moved == () and merged.dropped == ()
    assert evaluation_problems(sample.model_copy(update={"checklist": items})) == []


def _system_with(sample: Evaluation, code: str, documents: list[str]) -> IndicatorSystem:
    data: dict[str, Any] = sample.system.model_dump(mode="python")
    for l1 in data["groups"]:
        for g in l1["groups"]:
            for ind in g["indicators"]:
                if ind["code"] == code:
                    ind["documents"] = documents
    return IndicatorSystem.model_validate(data)


def test_rebuilding_after_the_system_changed_keeps_what_was_recorded(sample: Evaluation) -> None:
    items = build_checklist(sample)
    provided = items[5].model_copy(
        update={
            "status": "已提供",
            "received_on": date(2024, 8, 12),
            "note": "电子扫描件",
            "files": [
                EvidenceRef(
                    document="立项批复", attachment="panzhihua-2023-zhaoshang/TY.JC.01/立项批复.pdf", sha256=SHA
                )
            ],
        }
    )
    by_hand = ChecklistItem(code="TY.JC.01", document="党组会议记录", status="补充中")
    old_pack = ChecklistItem(code="ZY.ZSGZ.01", document="年度招商工作计划", status="已提供", note="已交")
    untouched = ChecklistItem(code="ZY.ZSGZ.02", document="招商项目跟踪台账")
    recorded = [old_pack, *items[:5], provided, by_hand, *items[6:], untouched]
    # the template now asks 决策程序 for a fourth document, and no longer for 项目调整或延续的审批文件
    system = _system_with(sample, "TY.JC.01", ["立项申请与批复文件", "集体决策会议纪要", "项目可行性研究报告"])
    changed = sample.model_copy(update={"system": system, "checklist": recorded})
    merged = merge_checklist(changed, requested_on=date(2024, 9, 1))
    jc01 = [i for i in merged.items if i.code == "TY.JC.01"]
    assert [i.document for i in jc01] == [
        "立项申请与批复文件",
        "集体决策会议纪要",
        "项目可行性研究报告",
        # no longer in the template or added by hand: kept after the template's, in the recorded order
        "党组会议记录",
        "项目调整或延续的审批文件",
    ]
    assert jc01[0] == provided and jc01[3] == by_hand
    assert jc01[2].requested_on == date(2024, 9, 1) and merged.added == ("项目可行性研究报告（TY.JC.01）",)
    general = [i for i in merged.items if i.code == ""]
    assert general[-1].document == "年度招商工作计划" and general[-1].status == "已提供"
    assert general[-1].note == "原对应指标（ZY.ZSGZ.01）已不在本评价的指标体系中。已交"
    assert merged.moved == ("年度招商工作计划（ZY.ZSGZ.01）",)
    assert merged.dropped == ("招商项目跟踪台账（ZY.ZSGZ.02）",)
    assert evaluation_problems(changed.model_copy(update={"checklist": merged.items})) == []
    # rebuilding again changes nothing
    again = merge_checklist(changed.model_copy(update={"checklist": merged.items}))
    assert again.items == merged.items and again.added == again.moved == again.dropped == ()


def test_a_system_without_documents_asks_for_the_general_items_only() -> None:
    ev = load_evaluation(SAMPLES / "hengkou" / "hengkou-2024-wl-04-longteng.yaml")
    items = build_checklist(ev)
    assert [i.document for i in items] == list(GENERAL_DOCUMENTS)
    assert [g.label for g in checklist_groups(ev, items)] == ["通用资料"]
    assert status_counts([]) == "清单暂无资料项"
    doc = Document(io.BytesIO(checklist_docx(ev, [])))
    assert [c.text for c in doc.tables[0].rows[0].cells] == [
        "序号",
        "资料名称",
        "对应指标",
        "提供情况",
        "提供日期",
        "说明",
    ]
    assert len(doc.tables[0].rows) == 1


def _recorded(sample: Evaluation) -> list[ChecklistItem]:
    items = build_checklist(sample)
    items[1] = items[1].model_copy(update={"status": "已提供", "received_on": date(2024, 8, 12)})
    items[6] = items[6].model_copy(
        update={
            "status": "不适用",
            "note": "项目为常年性项目，未召开专题会议",
            "files": [EvidenceRef(document="说明", attachment="x/TY.JC.01/情况说明.pdf", sha256=SHA)],
        }
    )
    return items


def test_the_xlsx_has_the_header_groups_merges_a_status_list_and_real_dates(sample: Evaluation) -> None:
    items = _recorded(sample)
    wb = load_workbook(io.BytesIO(checklist_xlsx(sample, items, deadline=date(2024, 8, 20))))
    ws = wb["资料清单"]
    assert ws["A1"].value == "招商引资工作经费绩效评价资料清单"
    labels = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, 7)}
    assert labels == {
        "项目名称": "招商引资工作经费",
        "被评价单位": "攀枝花市东区经济合作局",
        "委托单位": "攀枝花市东区财政局",
        "评价机构": "四川天益擎业企业管理咨询有限公司",
        "提供期限": "2024年8月20日前",
    }
    assert ws["A7"].value == "清单共51项，其中未提供49项、已提供1项、不适用1项。"
    header = 8
    assert [c.value for c in ws[header]] == ["序号", "资料名称", "对应指标", "提供情况", "提供日期", "说明"]
    assert ws.cell(header + 1, 1).value == "通用资料"
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert f"A{header + 1}:F{header + 1}" in merged  # the group row spans the table
    assert ws.cell(header + 3, 2).value == "预算批复文件" and ws.cell(header + 3, 5).value.date() == date(2024, 8, 12)
    assert ws.cell(header + 3, 5).number_format == "yyyy-mm-dd"
    assert f"C{header + 2}:C{header + 6}" in merged  # 通用资料 spans its five documents
    row = next(r for r in range(header, ws.max_row + 1) if ws.cell(r, 2).value == "集体决策会议纪要")
    assert ws.cell(row - 1, 2).value == "立项申请与批复文件" and ws.cell(row - 2, 1).value == "通用指标 — 项目决策"
    assert ws.cell(row - 1, 3).value == "决策程序（TY.JC.01）" and f"C{row - 1}:C{row + 1}" in merged
    assert (
        ws.cell(row, 4).value == "不适用"
        and ws.cell(row, 6).value == "项目为常年性项目，未召开专题会议；已上传：情况说明.pdf"
    )
    numbers = [ws.cell(r, 1).value for r in range(header + 1, ws.max_row + 1) if str(ws.cell(r, 1).value).isdigit()]
    assert numbers == [str(n) for n in range(1, 52)]
    (validation,) = ws.data_validations.dataValidation
    assert validation.formula1 == '"未提供,已提供,不适用,补充中"'
    assert f"D{header + 2}" in str(validation.sqref) and f"D{header + 1}" not in str(validation.sqref).split()


def test_the_docx_reads_like_the_report(sample: Evaluation) -> None:
    doc = Document(io.BytesIO(checklist_docx(sample, _recorded(sample))))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "招商引资工作经费绩效评价资料清单" and doc.paragraphs[0].style.name == "Title"
    assert "被评价单位：攀枝花市东区经济合作局" in texts and "提供期限：收到本清单后10个工作日内" in texts
    table = doc.tables[0]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["序号", "资料名称", "对应指标", "提供情况", "提供日期", "说明"]
    assert rows[1] == ["通用资料"] * 6  # one cell merged across
    assert rows[3] == ["2", "预算批复文件", "通用资料", "已提供", "2024年8月12日", ""]
    assert rows[-1][:3] == ["51", "上级部门统计数据", "招商引资规模（GX.JJ.02）"]
    restarts = [v for v in table._tbl.iter(qn("w:vMerge")) if v.get(qn("w:val")) == "restart"]
    assert len(restarts) == 1 + 15  # 通用资料 and each indicator's cell span their documents
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # header repeated on every page
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert doc.sections[0].page_width < doc.sections[0].page_height
