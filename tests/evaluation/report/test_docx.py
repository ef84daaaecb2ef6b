"""The Word report: context as plain data, the reopened .docx, and (with LibreOffice) the PDF pages."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from evaluation.errors import WorkbenchError
from evaluation.files.evaluations import load_evaluation
from evaluation.limits import NAME_MAX
from evaluation.model import Evaluation
from evaluation.report import build_docx, build_report_context
from evaluation.report.context import Heading, Table
from evaluation.report.docx import render_docx
from evaluation.report.pdf import can_convert, docx_to_pdf
from evaluation.scoring.engine import score
from tests.conftest import SAMPLES, skip_or_fail

PANZHIHUA = SAMPLES / "panzhihua-2023-zhaoshang.yaml"

OUTLINE = [
    (1, "一、评价项目情况"),
    (2, "（一）项目背景"),
    (2, "（二）项目绩效目标"),
    (3, "1.总体目标"),
    (3, "2.年度绩效目标"),
    (2, "（三）项目资金情况"),
    (3, "1.资金到位情况"),
    (3, "2.资金使用情况"),
    (3, "3.资金管理情况"),
    (2, "（四）项目管理情况"),
    (3, "1.组织架构及实施流程"),
    (3, "2.项目实施情况"),
    (1, "二、评价工作开展情况"),
    (2, "（一）评价目的"),
    (2, "（二）评价对象与选点"),
    (2, "（三）评价流程"),
    (3, "1.前期准备阶段"),
    (3, "2.组织实施阶段"),
    (3, "3.分析评价阶段"),
    (2, "（四）评价方法"),
    (2, "（五）评价指标"),
    (1, "三、评价结论"),
    (1, "四、绩效分析"),
]


@pytest.fixture(scope="module")
def ev() -> Evaluation:
    return load_evaluation(PANZHIHUA)


@pytest.fixture(scope="module")
def docx_bytes(ev: Evaluation) -> bytes:
    return build_docx(ev, score(ev))


def test_context_outline_follows_the_panzhihua_report(ev: Evaluation) -> None:
    ctx = build_report_context(ev, score(ev))
    headings = [(h.level, h.text) for h in ctx.headings()]
    assert headings[0] == (0, "招商引资工作经费项目支出绩效评价报告")
    assert headings[1 : 1 + len(OUTLINE)] == OUTLINE
    rest = [t for _, t in headings[1 + len(OUTLINE) :]]
    # 四、绩效分析: one subsection per second-level group, one item per indicator
    assert rest[:4] == ["（一）项目决策", "1.决策程序", "2.规划论证", "3.资金投向"]
    assert "（五）行政运转" in rest and "（六）经济效益" in rest
    assert rest[-7:] == [
        "五、存在问题及原因分析",
        "（一）绩效指标设置不够规范",
        "（二）部门招商任务目标未完成",
        "六、相关建议",
        "（一）强化预算绩效管理意识",
        "（二）拓展招商引资方式方法",
        "附件1 项目支出绩效评价指标体系",
    ]
    assert ctx.cover.fields[3] == ("委托单位", "攀枝花市东区财政局") and ctx.cover.date == "2024年10月"


def test_context_every_number_from_the_engine(ev: Evaluation) -> None:
    ctx = build_report_context(ev, score(ev))
    result = score(ev)
    t31 = next(t for t in ctx.tables() if t.caption.startswith("表3-1"))
    body = t31.rows
    assert len(body) == result.count + 1  # one row per indicator + 合计
    for row, r in zip(body, result.indicators, strict=False):
        assert row[2] is not None and row[2].text == r.name
        assert row[4] is not None and Decimal(row[4].text) == r.score
    total_row = body[-1]
    assert total_row[0] is not None and total_row[0].text == "合计"
    assert total_row[4] is not None and Decimal(total_row[4].text) == result.total == 88
    # group cells carry their weight and span their rows
    assert body[0][0] is not None and body[0][0].text == "通用指标（54分）" and body[0][0].merge_down == 9
    assert body[0][1] is not None and body[0][1].text == "项目决策（18分）" and body[0][1].merge_down == 2
    paragraphs = " ".join(b.text for b in ctx.blocks if not isinstance(b, Heading | Table) and hasattr(b, "text"))
    assert "评价得分为88分，评价等级为“良”" in paragraphs
    assert "指标分值6分，评价得分5分。" in paragraphs  # 目标完成


def test_expenditure_table_1_1(docx_bytes: bytes) -> None:
    doc = Document(io.BytesIO(docx_bytes))
    t11 = doc.tables[0]
    assert [c.text for c in t11.rows[0].cells] == ["类别", "金额（万元）", "占比"]
    rows = [[c.text for c in r.cells] for r in t11.rows[1:]]
    assert rows[0] == ["办公费", "2.12", "0.96%"]
    assert ["会议费", "4.10", "1.86%"] in rows
    assert rows[-1] == ["合计", "220.00", "100.00%"]
    shares = sum(Decimal(r[2].rstrip("%")) for r in rows[:-1])
    assert abs(shares - 100) <= Decimal("0.05")  # rounded shares add up to 100 % within rounding
    texts = [p.text for p in doc.paragraphs]
    assert "表1-1 招商引资工作经费支出明细表" in texts and "单位：万元" in texts


def test_headings_in_order_in_the_docx(docx_bytes: bytes) -> None:
    doc = Document(io.BytesIO(docx_bytes))
    found = [(int(p.style.name[-1]), p.text) for p in doc.paragraphs if p.style.name.startswith("Heading ")]
    assert found[: len(OUTLINE)] == OUTLINE
    assert found[-1] == (1, "附件1 项目支出绩效评价指标体系")


def _merged_starts(table: object) -> int:
    tbl = table._tbl  # type: ignore[attr-defined]
    return len([v for v in tbl.iter(qn("w:vMerge")) if v.get(qn("w:val")) == "restart"])


def test_score_table_3_1_in_the_docx(docx_bytes: bytes, ev: Evaluation) -> None:
    doc = Document(io.BytesIO(docx_bytes))
    t31 = doc.tables[2]  # after 表1-1 支出明细表 and 表1-2 年度绩效目标表
    assert t31.rows[0].cells[0].text == "绩效评价指标"
    result = score(ev)
    assert [c.text for c in t31.rows[1].cells][:3] == ["一级指标", "二级指标", "三级指标"]
    header = [c.text for c in t31.rows[0].cells]
    assert header[0] == "绩效评价指标" and header[3:] == ["指标分值", "得分", "扣分", "得分率", "扣分原因"]
    assert len(t31.rows) == 2 + result.count + 1
    last = [c.text for c in t31.rows[-1].cells]
    assert last[0] == "合计" and last[3:7] == ["100", "88", "12", "88%"]
    planning = [c.text for c in t31.rows[3].cells]
    assert planning[2:7] == ["规划论证", "6", "3", "3", "50%"] and "未量化" in planning[7]
    assert _merged_starts(t31) >= 3 + 5  # 一级 groups and 二级 groups span their rows
    assert all(r._tr.trPr is not None and r._tr.trPr.find(qn("w:tblHeader")) is not None for r in t31.rows[:2])


def test_appendix_is_landscape_with_repeated_header(docx_bytes: bytes, ev: Evaluation) -> None:
    doc = Document(io.BytesIO(docx_bytes))
    appendix = doc.tables[-1]
    assert [c.text for c in appendix.rows[0].cells] == [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标分值",
        "目标值",
        "指标解释",
        "评分方法",
        "评分说明",
        "评分过程",
        "得分",
    ]
    assert appendix.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    result = score(ev)
    assert len(appendix.rows) == 1 + result.count + 2 + 1  # indicators, two 扣分项, 合计
    names = [r.cells[1].text for r in appendix.rows]
    assert "绩效管理存在问题" in names and "被评价部门配合度" in names
    assert appendix.rows[-1].cells[-1].text == "88"
    last = doc.sections[-1]
    assert last.orientation == WD_ORIENT.LANDSCAPE and last.page_width > last.page_height
    assert doc.sections[2].orientation == WD_ORIENT.PORTRAIT


def test_toc_field_page_numbers_and_update_on_open(docx_bytes: bytes) -> None:
    doc = Document(io.BytesIO(docx_bytes))
    instr = [el.text for el in doc.element.body.iter(qn("w:instrText"))]
    assert any(i and i.strip().startswith("TOC \\o") for i in instr)
    assert doc.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    cover, toc, body = doc.sections[0], doc.sections[1], doc.sections[2]

    def footer_fields(section: object) -> list[str]:
        return [el.text.strip() for el in section.footer._element.iter(qn("w:instrText"))]  # type: ignore[attr-defined]

    assert footer_fields(cover) == [] and footer_fields(toc) == []
    assert footer_fields(body) == ["PAGE"]
    assert body._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"


def test_east_asian_fonts_on_styles_and_body_runs(docx_bytes: bytes) -> None:
    doc = Document(io.BytesIO(docx_bytes))
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Title", "表格文字"):
        rfonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert rfonts.get(qn("w:eastAsia")), name
        assert rfonts.get(qn("w:eastAsiaTheme")) is None, name
    body_runs = [r for p in doc.paragraphs if p.style.name == "Normal" for r in p.runs if r.text.strip()]
    assert len(body_runs) > 50
    missing = [
        r.text[:10]
        for r in body_runs
        if r._r.rPr is None or r._r.rPr.rFonts is None or not r._r.rPr.rFonts.get(qn("w:eastAsia"))
    ]
    assert missing == []
    assert doc.styles["Normal"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_control_characters_never_break_the_build(ev: Evaluation) -> None:
    data = ev.model_dump(mode="python")
    data["assessments"][0]["narrative"] = "第一行\x0b第二行\x01结尾"
    data["system"]["groups"][0]["groups"][0]["indicators"][0]["explanation"] = "含控制字符\x02的解释"
    bad = Evaluation.model_validate(data)
    doc = Document(io.BytesIO(build_docx(bad, score(bad))))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "第一行" in text and "第二行" in text and "\x01" not in text
    cells = "".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "含控制字符的解释" in cells


@pytest.mark.parametrize("path", sorted((SAMPLES / "hengkou").glob("*-1*.yaml"))[:2], ids=lambda p: p.stem)
def test_self_evaluation_records_also_build(path: Path) -> None:
    ev = load_evaluation(path)
    doc = Document(io.BytesIO(build_docx(ev, score(ev))))
    assert any(ev.project.name in p.text for p in doc.paragraphs)
    assert doc.tables[-1].rows[-1].cells[-1].text == f"{score(ev).total.normalize():f}"


def test_pdf_has_a_populated_table_of_contents(docx_bytes: bytes, tmp_path: Path) -> None:
    if not can_convert() or shutil.which("pdftotext") is None:
        skip_or_fail("本机没有 LibreOffice（soffice 与 python3-uno）或 poppler-utils，无法生成并检查 PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(docx_to_pdf(docx_bytes))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    toc = text[text.index("目") : text.index("招商引资工作经费项目支出绩效评价报告")]
    entries = re.findall(r"(三、评价结论|四、绩效分析|六、相关建议)\s*\.+\s*(\d+)", toc)
    assert len(entries) == 3, toc[:500]
    pages = [int(p) for _, p in entries]
    assert pages == sorted(pages) and pages[0] >= 1
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert 12 <= count <= 40
    assert "表 3-1" in text or "表3-1" in text


def test_without_a_problem_list_the_findings_marked_for_the_report_are_used(ev: Evaluation) -> None:
    bare = ev.model_copy(update={"problems": [], "suggestions": []})
    ctx = build_report_context(bare, score(bare))
    texts = [b.text for b in ctx.blocks if hasattr(b, "text")]
    start = texts.index("五、存在问题及原因分析")
    section = texts[start : texts.index("六、相关建议")]
    marked = [f.text for a in ev.assessments for f in a.inputs.findings if f.in_report]
    assert len(marked) == 3
    for text in marked:
        assert text in section
    assert "（一）规划论证方面存在问题" in section


def test_a_project_name_at_its_limit_makes_a_report_and_any_title_fits_the_properties(ev: Evaluation) -> None:
    # python-docx refuses a document title over 255 characters ("exceeded 255 char limit for property")
    long = ev.model_copy(update={"project": ev.project.model_copy(update={"name": "名" * NAME_MAX})})
    doc = Document(io.BytesIO(build_docx(long, score(long))))
    assert doc.core_properties.title == "名" * NAME_MAX + "项目支出绩效评价报告"
    ctx = build_report_context(ev, score(ev))
    ctx.title = "题" * 300
    assert Document(io.BytesIO(render_docx(ctx))).core_properties.title == "题" * 255


def test_agency_defaults_are_read_again_when_their_file_changes(tmp_path: Path) -> None:
    import os

    from evaluation.report.context import load_defaults

    shipped = load_defaults(tmp_path)
    key = next(k for k, v in shipped.items() if isinstance(v, str))
    override = tmp_path / "agency_defaults.yaml"
    override.write_text(f"{key}: 第一版\n", encoding="utf-8")
    assert load_defaults(tmp_path)[key] == "第一版"
    override.write_text(f"{key}: 第二版\n", encoding="utf-8")
    os.utime(override, ns=(1, 1))  # another modification time, whatever the clock's resolution
    changed = load_defaults(tmp_path)
    assert changed[key] == "第二版"
    changed[key] = "页面里改的"  # what a caller changes is its own copy
    assert load_defaults(tmp_path)[key] == "第二版" and load_defaults()[key] == shipped[key]


def test_a_conversion_that_never_finishes_is_tried_twice_then_reported(docx_bytes: bytes) -> None:
    if not can_convert():
        skip_or_fail("本机没有 LibreOffice（soffice 与 python3-uno），无法检查转换失败时的提示")
    folders = Path(tempfile.gettempdir())
    before = set(folders.glob("wb_pdf_*"))
    with pytest.raises(WorkbenchError) as failure:
        docx_to_pdf(docx_bytes, timeout=0.05)
    message = str(failure.value)
    assert "已重试一次" in message
    assert message.count("未完成") == 2, message
    # the stopped soffice took the processes it had started with it: none writes its profile back afterwards
    time.sleep(3)
    assert set(folders.glob("wb_pdf_*")) - before == set()
