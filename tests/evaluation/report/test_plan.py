"""The 评价方案 as Word: its outline, the indicator table with merged group cells and 合计, the schedule and
team tables, the report's typography, and (with LibreOffice) its PDF pages."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from evaluation.files.evaluations import load_evaluation
from evaluation.indicators.client_table import read_client_table
from evaluation.indicators.editing import blank_system
from evaluation.model import Evaluation, TeamMember
from evaluation.report import build_plan_docx
from evaluation.report.pdf import can_convert, docx_to_pdf
from evaluation.report.plan import build_plan_context
from tests.conftest import SAMPLES, skip_or_fail
from tests.evaluation.cli.test_cli import run
from tests.evaluation.indicators.test_client_table import layout_a

PANZHIHUA = SAMPLES / "panzhihua-2023-zhaoshang.yaml"


@pytest.fixture(scope="module")
def ev() -> Evaluation:
    base = load_evaluation(PANZHIHUA)
    team = [
        TeamMember(name="张某", role="项目负责人", duty="统筹评价工作，审核评分与报告"),
        TeamMember(name="李某", role="评价人员", duty="资料核查、现场访谈与评分"),
    ]
    return base.model_copy(update={"report": base.report.model_copy(update={"team": team})})


def test_the_plan_has_the_sections_a_client_approves(ev: Evaluation) -> None:
    ctx = build_plan_context(ev)
    first = [h.text for h in ctx.headings() if h.level == 1]
    assert first == [
        "一、项目概况",
        "二、评价目的与依据",
        "三、评价对象与范围",
        "四、评价方法",
        "五、评价指标体系",
        "六、工作安排",
        "七、人员分工",
    ]
    assert ctx.title == "招商引资工作经费绩效评价方案" and ctx.cover.title == "项目支出绩效评价方案"
    assert [t.key for t in ctx.tables()] == ["5-1", "6-1", "7-1"]


def test_the_indicator_table_merges_groups_and_adds_up(ev: Evaluation) -> None:
    table = build_plan_context(ev).table("5-1")
    assert table.columns == ["一级指标", "二级指标", "三级指标", "分值", "指标解释", "评分标准"]
    indicators = list(ev.system.indicators())
    penalties = ev.system.penalty_items()
    assert len(table.rows) == len(indicators) + len(penalties) + 1
    first = table.rows[0]
    in_first_group = sum(len(g.indicators) for g in ev.system.groups[0].groups)
    assert first[0] is not None and first[0].text == "通用指标（54分）" and first[0].merge_down == in_first_group - 1
    assert table.rows[-1][0] is not None and table.rows[-1][0].text == "合计" and table.rows[-1][3].text == "100"  # type: ignore[union-attr]
    assert sum(Decimal(r[3].text) for r in table.rows[: len(indicators)] if r[3] is not None) == 100
    assert table.rows[len(indicators)][0].text == "扣分项（最多扣10分）"  # type: ignore[union-attr]


def test_the_docx_opens_with_tables_and_east_asian_fonts(ev: Evaluation) -> None:
    doc = Document(io.BytesIO(build_plan_docx(ev)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "七、人员分工" in text and "评价组共2人" in text
    team = next(t for t in doc.tables if t.rows[0].cells[0].text == "姓名")
    assert [c.text for c in team.rows[1].cells] == ["张某", "项目负责人", "统筹评价工作，审核评分与报告"]
    system = next(t for t in doc.tables if t.rows[0].cells[0].text == "一级指标")
    assert system.rows[-1].cells[0].text == "合计"
    normal = doc.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_a_plan_for_a_client_system_and_for_a_blank_one(ev: Evaluation) -> None:
    read = read_client_table("人居环境.xlsx", layout_a())
    assert read.system is not None
    client = ev.model_copy(update={"system": read.system, "assessments": []})
    table = build_plan_context(client).table("5-1")
    assert table.rows[0][0].text == "决策（20分）"  # type: ignore[union-attr]
    blank = ev.model_copy(
        update={
            "system": blank_system(),
            "assessments": [],
            "report": ev.report.model_copy(update={"team": [], "stages": []}),
        }
    )
    ctx = build_plan_context(blank)
    assert "名单在现场工作前报委托单位" in "\n".join(
        b.text for b in ctx.blocks if hasattr(b, "text") and isinstance(b.text, str)
    )


def test_workbench_plan_writes_the_file(tmp_path: pytest.TempPathFactory) -> None:
    out = tmp_path / "方案.docx"  # type: ignore[operator]
    done = run("plan", str(PANZHIHUA), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "五、评价指标体系" in "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert run("plan", str(PANZHIHUA), "-o", str(out) + ".pdf").returncode == 2


def test_the_plan_renders_to_pdf_pages_with_its_contents(ev: Evaluation, tmp_path: Path) -> None:
    if not can_convert() or shutil.which("pdftotext") is None:
        skip_or_fail("本机没有 LibreOffice（soffice 与 python3-uno）或 pdftotext，无法把评价方案转为 PDF 并读出文字")
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(docx_to_pdf(build_plan_docx(ev)))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    contents = text[text.index("目") : text.index("招商引资工作经费绩效评价方案")]
    assert re.search(r"五、评价指标体系\.*\s*\d+", contents)  # the 目录 was filled with page numbers
    assert re.search(r"表\s*5-1\s*招商引资工作经费绩效评价指标体系", text) and re.search(
        r"表\s*7-1\s*评价组人员分工", text
    )
