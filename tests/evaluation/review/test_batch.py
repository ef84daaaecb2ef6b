"""Batch review of the 恒口 自评表: from files in the seed's layout to the 复核报告 and 复核表."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from evaluation.files.data import load_model
from evaluation.files.evaluations import load_evaluation
from evaluation.model import DepartmentSummary
from evaluation.report.review_files import review_docx, review_xlsx
from evaluation.review.batch import review_batch
from evaluation.selfeval.write import export_self_evaluation
from tests.conftest import SAMPLES

HENGKOU = SAMPLES / "hengkou"
TABLES = sorted(HENGKOU.glob("hengkou-*.yaml"))


def _review():  # type: ignore[no-untyped-def]
    summary = load_model(DepartmentSummary, HENGKOU / "department-2024.yaml")
    return review_batch([load_evaluation(p) for p in TABLES], summary)


def test_department_summary_computed_from_the_tables_matches_the_report() -> None:
    review = _review()
    computed = review.computed_summary()
    # the department report: 11 projects, 649.78 万元 allocated, 627.8 spent, 96.62 %, all 优
    assert computed["项目个数"] == "11"
    assert computed["全年预算合计（万元）"] == "649.78" and computed["全年执行合计（万元）"] == "627.80"
    assert computed["预算执行率"] == "96.62%"
    assert computed["等级分布（按表中总分）"] == "优 11 个，良 0 个，中 0 个，差 0 个"
    stated = review.stated_summary()
    assert stated["全年预算合计（万元）"] == "649.78" and stated["预算执行率"] == "96.62%"


def test_the_reports_own_slips_are_listed_with_their_numbers() -> None:
    review = _review()
    messages = [f.message for f in review.department_findings]
    assert any("95.9" in m and "93.8" in m for m in messages)  # 红星: report says 95.9, table 93.8
    assert any("89.33%" in m and "89.34%" in m for m in messages)  # 185 万: rate truncated in the report
    by_name = {p.evaluation.id: p for p in review.projects}
    tijian = by_name["hengkou-2024-zsj-10-tijian"]
    assert tijian.stated_total == 99 and tijian.result.total == 94
    assert any(f.severity == "错误" and "89" in f.message for f in tijian.findings)  # rows add up to 89
    differing = {line.name: (line.stated, line.suggested) for line in tijian.lines if line.differs}
    assert differing["职工干部体检率"] == (Decimal(10), Decimal(15))  # 100 % of 100 % scored 10 of 15


def test_word_and_excel_outputs() -> None:
    review = _review()
    doc = Document(io.BytesIO(review_docx(review)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "招商局2024年度项目支出绩效自评复核报告" in text
    assert "（10）2024年干部体检财政补贴资金" in text
    assert "表中总分 99 分（优），按规则重算 94 分（优）" in text
    summary_table = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert ["预算执行率", "96.62%", "96.62%"] in summary_table
    wb = load_workbook(io.BytesIO(review_xlsx(review)))
    assert wb.sheetnames == ["汇总", "问题清单", "建议得分"]
    rows = list(wb["汇总"].iter_rows(values_only=True))
    assert rows[10][:5] == ("2024年干部体检财政补贴资金", "99", "94", "优", "优")
    problems = list(wb["问题清单"].iter_rows(values_only=True))
    assert len(problems) - 1 == len(review.all_findings())


def test_cli_review_from_files_in_the_seed_layout(tmp_path: Path) -> None:
    folder = tmp_path / "报送"
    folder.mkdir()
    for i, path in enumerate(TABLES):
        fmt = "xlsx" if i % 2 else "docx"
        (folder / f"{path.stem}.{fmt}").write_bytes(export_self_evaluation(load_evaluation(path), fmt))
    shutil.copy(HENGKOU / "department-2024.yaml", folder / "部门自评报告.yaml")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "evaluation.cli",
            "selfeval",
            "review",
            str(folder),
            "-o",
            str(tmp_path / "out"),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["computed"]["预算执行率"] == "96.62%" and data["year"] == 2024
    projects = {p["project"]: p for p in data["projects"]}
    assert len(data["projects"]) == 12
    hongxing = projects["红星美凯龙星和宅配恒口物流园区租赁费用"]
    assert hongxing["stated_total"] == "93.8"
    assert any(f["severity"] == "错误" for f in hongxing["findings"])
    assert (tmp_path / "out" / "自评复核报告.docx").stat().st_size > 5000
    assert (tmp_path / "out" / "自评复核表.xlsx").exists()


def test_each_line_of_the_department_report_is_reported_once() -> None:
    review = _review()
    listed = [f.key for _, f in review.all_findings() if f.location.table == "部门自评报告"]
    assert listed and len(listed) == len(set(listed))
    # 红星's line (report 95.9, table 93.8) is one of the department report's problems, listed there once
    hongxing = [(where, f) for where, f in review.all_findings() if f.code == "DEPT_SCORE" and "红星" in f.location.row]
    assert [where for where, _ in hongxing] == ["部门汇总"]
    by_id = {p.evaluation.id: p for p in review.projects}
    assert not [f for f in by_id["hengkou-2024-zsj-07-hongxing"].findings if f.location.table == "部门自评报告"]
