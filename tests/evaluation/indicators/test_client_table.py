"""Client indicator tables as clients hand them over, made here in three layouts, read into templates.

Layout A: an .xlsx with merged 一级/二级 cells, "10分" weights, group labels with weights, a 合计 row and an
扣分项 row with a negative weight. Layout B: a .docx table under a title paragraph, header wordings
评分细则 / 指标说明 / 指标值, merged cells, "最多扣5分". Layout C: an .xlsx with a two-row header (绩效评价指标
over 一级/二级/三级), 权重 / 目标值 / 指标内涵 / 评分方法, a 备注 column, blank rows and full-width digits.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from docx import Document
from openpyxl import Workbook, load_workbook

from evaluation.files.evaluations import load_evaluation
from evaluation.indicators.client_table import MACHINE_SHEET, read_client_table, system_to_xlsx
from evaluation.indicators.library import Library
from evaluation.indicators.system import IndicatorSystem
from tests.conftest import SAMPLES

D = Decimal


def workbook(rows: list[list[Any]], merges: list[str] = (), title: str = "指标体系") -> bytes:  # type: ignore[assignment]
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for m in merges:
        ws.merge_cells(m)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def layout_a() -> bytes:
    """The 2019 project of the trial: 预算执行 10 + nine indicators of 10 points; merged group cells."""
    rows: list[list[Any]] = [
        ["某区2019年农村人居环境整治项目绩效评价指标体系"],
        ["一级指标", "二级指标", "三级指标", "分值", "指标解释", "评分标准"],
        [
            "决策（20分）",
            "项目立项（10分）",
            "立项依据充分性",
            "10分",
            "立项是否符合规划",
            "①符合规划，得5分；②经集体决策，得5分。否则不得分",
        ],
        [
            None,
            "绩效目标（10分）",
            "绩效目标合理性",
            "10",
            "目标是否量化",
            "偏离度≤15%得10分，15%-30%得5分，>30%不得分",
        ],
        ["过程（20分）", "资金管理（20分）", "预算执行率", "10分", "资金执行", "预算执行率×分值"],
        [None, None, "资金使用合规性", "10分", "有无违规", "每发现一处不合规扣2分，扣完为止"],
        ["产出（40分）", "产出数量（20分）", "整治村庄数", "10分", "完成村庄数", "实际完成数/计划数×分值"],
        [
            None,
            None,
            "改厕户数",
            "10分",
            "完成改厕户数",
            "完成率≥95%得10分；90%（含）-95%得8分；80%（含）-90%得5分；80%以下不得分",
        ],
        [None, "产出时效（10分）", "完成及时性", "10分", "按期完成", "按时完成得10分，每延期1个月扣2分，扣完为止"],
        [None, "产出成本（10分）", "成本控制", "10分", "实际成本", "实际成本不超过预算得满分，每超出1%扣1分，扣完为止"],
        [
            "效益（20分）",
            "满意度（20分）",
            "群众满意度",
            "10分",
            "问卷调查",
            "满意度≥90%得10分；80%（含）-90%得8分；80%以下不得分",
        ],
        [None, None, "村容村貌改善", "10分", "现场查看", "好（8-10分）、较好（5-7分）、差（0-4分）"],
        ["合计", None, None, "100"],
        ["扣分项", "违规违纪问题", "违规违纪问题", "-5", "审计发现的问题", "每发现一个问题扣1分，最多扣5分"],
    ]
    return workbook(rows, ["A3:A4", "A5:A6", "B5:B6", "A7:A10", "B7:B8", "A11:A12", "B11:B12", "A13:C13"])


def layout_b() -> bytes:
    """A Word table: title above it, 评分细则 / 指标说明 / 指标值, vertically merged group cells."""
    doc = Document()
    doc.add_paragraph("专项资金绩效评价指标体系表")
    header = ["一级指标", "二级指标", "三级指标", "指标值", "分值", "指标说明", "评分细则"]
    body = [
        ["决策", "资金投向", "资金投向合理性", "合理", "6", "是否聚焦重点", "①属于支持范围，得2分；②聚焦重点，得4分"],
        ["决策", "资金投向", "资金分配规范性", "规范", "4", "分配程序", "每发现一处不规范扣1分，扣完为止"],
        ["过程", "实施管理", "制度执行有效性", "有效", "10", "制度执行", "制度健全得5分；执行有效得5分"],
        ["产出", "产出质量", "验收合格率", "100%", "40", "验收情况", "验收合格率×分值"],
        ["效益", "社会效益", "受益对象满意度", "≥90%", "40", "问卷", "满意度每低于目标1个百分点扣2分"],
        ["扣分项", "其他扣分", "资料报送不及时", "", "最多扣5分", "", "每次扣1分"],
    ]
    table = doc.add_table(rows=1 + len(body), cols=len(header))
    for c, text in enumerate(header):
        table.cell(0, c).text = text
    for r, row in enumerate(body, 1):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    for first, last, col in ((1, 2, 0), (1, 2, 1)):  # 决策 / 资金投向 merged over two rows
        merged = table.cell(first, col).merge(table.cell(last, col))
        merged.text = body[first - 1][col]
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def layout_c() -> bytes:
    """Two header rows, 权重 / 目标值 / 指标内涵 / 评分方法, a 备注 column, blank rows, full-width digits."""
    rows: list[list[Any]] = [
        [None, "项目绩效评价指标"],
        [],
        [None, "绩效评价指标", None, None, "权重", "目标值", "指标内涵", "评分方法", "备注"],
        [None, "一级", "二级", "三级"],
        [
            None,
            "产出指标（６０分）",
            "数量指标",
            "培训人次",
            "３０",
            "≥500人次",
            "培训人次",
            "实际完成数/计划数×分值",
            "以签到为准",
        ],
        [],
        [
            None,
            None,
            "质量指标",
            "培训合格率",
            "３０",
            "≥95%",
            "考核合格",
            "合格率≥95%得30分；90%（含）-95%得20分；90%以下不得分",
        ],
        [
            None,
            "效益指标（４０分）",
            "满意度",
            "学员满意度",
            "４０",
            "≥90%",
            "问卷",
            "好（32-40分）、中（20-31分）、差（0-19分）",
        ],
        [None, "合计", None, None, "１００"],
    ]
    return workbook(rows, ["B3:D3", "B5:B7"], title="Sheet1")


def test_layout_a_merged_xlsx_with_total_and_penalty() -> None:
    read = read_client_table("人居环境整治指标.xlsx", layout_a())
    assert read.ok, [str(p) for p in read.problems]
    system = read.system
    assert system is not None
    assert system.name == "某区2019年农村人居环境整治项目绩效评价指标体系"
    assert [(g.name, g.weight) for g in system.groups] == [("决策", 20), ("过程", 20), ("产出", 40), ("效益", 20)]
    assert system.total == 100 and len(list(system.indicators())) == 10
    methods = {r.name: r.method for r in read.rows}
    assert methods == {
        "立项依据充分性": "是否评分法",
        "绩效目标合理性": "区间分档法",
        "预算执行率": "比率分值法",
        "资金使用合规性": "缺（错）项扣分法",
        "整治村庄数": "比率分值法",
        "改厕户数": "区间分档法",
        "完成及时性": "比率分值法（时效）",
        "成本控制": "比率分值法",
        "群众满意度": "区间分档法",
        "村容村貌改善": "定性分档法",
        "违规违纪问题": "扣分项",
    }
    rules = {ind.name: ind.rule for _, _, ind in system.indicators()}
    assert rules["完成及时性"].model_dump(exclude_defaults=True) == {
        "method": "timeliness",
        "unit": "月",
        "points_per_unit": 2,
    }
    assert rules["成本控制"].model_dump(mode="json")["points_per_percent"] == "1"
    assert system.penalties is not None and system.penalties.cap == 5
    assert system.penalty_items()[0].rule.model_dump(mode="json") == {
        "method": "penalty",
        "points_per_problem": "1",
        "cap": "5",
    }
    assert all(r.where.startswith("工作表“指标体系”第") for r in read.rows)


def test_layout_b_word_table_with_merged_cells() -> None:
    read = read_client_table("专项资金.docx", layout_b())
    assert read.ok, [str(p) for p in read.problems]
    system = read.system
    assert system is not None and system.name == "专项资金绩效评价指标体系表"
    inds = {ind.name: ind for _, _, ind in system.indicators()}
    assert inds["资金投向合理性"].target == "合理" and inds["资金投向合理性"].explanation == "是否聚焦重点"
    assert [g.name for g in system.groups[0].groups] == ["资金投向"]  # the merged rows stay one group
    assert len(system.groups[0].groups[0].indicators) == 2
    assert inds["受益对象满意度"].rule.model_dump(mode="json")["points_per_percent"] == "2"
    assert inds["验收合格率"].rule.method == "ratio" and inds["制度执行有效性"].rule.method == "checklist"
    assert system.penalties is not None and system.penalties.items[0].rule.cap == 5
    assert all(r.where.startswith("表格1第") for r in read.rows)


def test_layout_c_two_header_rows_and_full_width_digits() -> None:
    read = read_client_table("培训项目.xlsx", layout_c())
    assert read.ok, [str(p) for p in read.problems]
    system = read.system
    assert system is not None
    assert [(g.name, g.weight) for g in system.groups] == [("产出指标", 60), ("效益指标", 40)]
    inds = {ind.name: ind for _, _, ind in system.indicators()}
    assert inds["培训人次"].target == "≥500人次" and inds["培训人次"].weight == 30
    assert inds["培训合格率"].rule.method == "bands" and inds["学员满意度"].rule.method == "qualitative"
    assert [b.name for b in inds["学员满意度"].rule.bands] == ["好", "中", "差"]  # type: ignore[union-attr]


def test_errors_name_the_sheet_row_and_column_and_nothing_is_valid() -> None:
    rows: list[list[Any]] = [
        ["一级指标", "二级指标", "三级指标", "分值", "评分标准"],
        ["决策", "立项", "立项规范性", "十分", "每发现一处扣1分"],
        ["决策", "目标", "", "5", "目标合理得5分"],
        ["产出", "数量", "完成数", "50", "实际/计划×分值"],
        ["合计", None, None, "100"],
    ]
    read = read_client_table("坏表.xlsx", workbook(rows))
    assert not read.ok
    messages = [str(p) for p in read.problems]
    assert any("“立项规范性”分值“十分”不是数字" in m and "第 2 行 D 列" in m for m in messages), messages
    assert any("缺少三级指标名称" in m and "第 3 行 C 列" in m for m in messages), messages
    assert any("合计行所列总分 100 与各指标分值之和 50 不一致" in m and "第 5 行 D 列" in m for m in messages), messages
    assert all("坏表.xlsx" in m for m in messages)


def test_not_a_table_or_not_a_file() -> None:
    assert "没有找到指标体系表" in str(read_client_table("x.xlsx", workbook([["名称", "金额"], ["a", 1]])).problems[0])
    assert "已损坏" in str(read_client_table("x.xlsx", b"PK\x03\x04 not really").problems[0])
    assert "已损坏" in str(read_client_table("x.docx", b"plain text").problems[0])
    assert ".xlsx 或 .docx" in str(read_client_table("x.csv", b"a,b").problems[0])


def test_an_unrecognised_rule_is_kept_as_direct_scoring_and_reported() -> None:
    rows = [["三级指标", "分值", "评分标准"], ["工作成效", "100", "由评价组综合评定"]]
    read = read_client_table("t.xlsx", workbook(rows))
    assert read.ok
    (row,) = read.rows
    assert row.method == "直接评分" and "未能识别" in row.notes[0]
    assert read.system is not None and next(read.system.indicators())[2].rule_text == "由评价组综合评定"


def samples() -> list[IndicatorSystem]:
    return [load_evaluation(SAMPLES / "panzhihua-2023-zhaoshang.yaml").system]


@pytest.mark.parametrize("which", ["library", "sample"])
def test_export_then_import_gives_the_same_system(library: Library, which: str) -> None:
    systems = list(library.systems.values()) if which == "library" else samples()
    for system in systems:
        data = system_to_xlsx(system)
        back = read_client_table(f"{system.id}.xlsx", data)
        assert back.ok, [str(p) for p in back.problems]
        assert back.system == system, system.id


def test_the_documents_column_is_written_one_a_line_and_read_back(library: Library) -> None:
    system = library.system("gongxing-2020")
    ws = load_workbook(io.BytesIO(system_to_xlsx(system)))["指标体系"]
    assert [c.value for c in ws[2]][-1] == "资料清单"
    row = next(r for r in ws.iter_rows(min_row=3) if r[2].value == "服务对象满意度")
    assert row[8].value == "满意度调查问卷及统计表\n服务对象回访记录\n投诉及处理记录"
    rows = [
        ["一级指标", "二级指标", "三级指标", "分值", "评分标准", "佐证资料"],
        ["决策", "立项", "立项规范性", "10", "每发现一处问题扣2分", "1. 立项批复；2. 会议纪要\n（3）可行性研究报告"],
        ["产出", "数量", "完成数", "90", "实际/计划×分值", "活动通知、签到表及现场照片"],
    ]
    read = read_client_table("带资料.xlsx", workbook(rows))
    assert read.ok and read.system is not None
    docs = {ind.name: ind.documents for _, _, ind in read.system.indicators()}
    assert docs == {"立项规范性": ["立项批复", "会议纪要", "可行性研究报告"], "完成数": ["活动通知、签到表及现场照片"]}


def test_a_reworded_rule_is_derived_anew_after_export() -> None:
    system = samples()[0]
    wb = load_workbook(io.BytesIO(system_to_xlsx(system)))
    ws = wb["指标体系"]
    assert MACHINE_SHEET in wb.sheetnames and wb[MACHINE_SHEET].sheet_state == "hidden"
    row = next(r for r in ws.iter_rows(min_row=3) if r[2].value == "决策程序")
    row[7].value = "每发现一处问题扣2分，扣完为止"  # the client changed 3 points to 2
    out = io.BytesIO()
    wb.save(out)
    back = read_client_table("改过.xlsx", out.getvalue())
    assert back.ok and back.system is not None
    found = back.system.find("TY.JC.01")
    assert found is not None and found[2].rule.model_dump(mode="json") == {
        "method": "deduction",
        "points_per_finding": "2",
    }
    reworded = next(r for r in back.rows if r.name == "决策程序")
    assert reworded.notes == ("评分标准已改写，按新文字重新识别规则",)


def test_a_row_the_system_model_refuses_is_named_in_chinese_with_its_row() -> None:
    rows = [["三级指标", "分值", "评分标准"], ["工作成效" * 60, "100", "由评价组综合评定"]]  # a name of 240 characters
    read = read_client_table("t.xlsx", workbook(rows))
    messages = [str(p) for p in read.problems]
    assert messages and all("指标体系无法组成：文字过长（最多 200 个字）" in m for m in messages), messages
    assert any("工作表“指标体系”第 2 行" in m for m in messages) and not any("String should" in m for m in messages)
