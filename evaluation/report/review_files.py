"""The review's files: the batch review of a department's 自评表 as a Word 复核报告 and an Excel 复核表,
and one evaluation's 复核表 (every finding with its decision) as Excel."""

from __future__ import annotations

import io
from io import BytesIO

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from evaluation.formatting import number
from evaluation.review.base import CODES, ERROR, SEVERITIES, count_by_severity
from evaluation.review.batch import BatchReview
from evaluation.review.decisions import ReviewItem


def review_xlsx(review: BatchReview) -> bytes:

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append(["项目", "表中总分", "规则重算总分", "表中等级", "重算等级", "错误", "警告", "提示"])
    for p in review.projects:
        counts = count_by_severity(p.findings)
        ws.append(
            [
                p.evaluation.project.name,
                number(p.stated_total),
                number(p.result.total),
                p.stated_grade or "—",
                p.result.grade,
                counts["错误"],
                counts["警告"],
                counts["提示"],
            ]
        )
    ws.append([])
    ws.append(["部门汇总", "据各表计算", "部门报告所载"])
    stated = review.stated_summary()
    for k, v in review.computed_summary().items():
        ws.append([k, v, stated.get(k, "—")])
    found = wb.create_sheet("问题清单")
    found.append(["项目", "严重程度", "代码", "位置", "说明", "所载值", "计算值"])
    for project, f in review.all_findings():
        found.append([project, f.severity, f.code, f.location.describe(), f.message, f.stated or "", f.computed or ""])
    scores = wb.create_sheet("建议得分")
    scores.append(["项目", "指标编码", "三级指标", "分值", "表中得分", "规则建议得分", "是否不同", "计算依据"])
    for p in review.projects:
        for line in p.lines:
            scores.append(
                [
                    p.evaluation.project.name,
                    line.code,
                    line.name,
                    number(line.weight),
                    number(line.stated),
                    number(line.suggested),
                    "是" if line.differs else "",
                    line.basis,
                ]
            )
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows():
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for col, width in zip("ABCDEFGH", [30, 10, 14, 30, 60, 14, 14, 60], strict=False):
            sheet.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def review_docx(review: BatchReview) -> bytes:

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋_GB2312")
    for name in ("Title", "Heading 1", "Heading 2"):
        doc.styles[name].element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "黑体")
    year = f"{review.year}年度" if review.year else ""
    doc.add_paragraph(f"{review.department}{year}项目支出绩效自评复核报告", style="Title")
    projects = review.project_reviews
    errors = (
        sum(count_by_severity(p.findings)["错误"] for p in review.projects)
        + count_by_severity(review.department_findings)["错误"]
    )
    differs = sum(1 for p in review.projects for line in p.lines if line.differs)
    doc.add_paragraph(
        f"本次复核{review.department}报送的自评表 {len(review.projects)} 张（其中项目 {len(projects)} 个），"
        f"逐表核对了得分、合计、执行率和绩效目标，并按自评表计分规则重新计算。共发现错误 {errors} 处，"
        f"表中得分与规则计算不一致的指标 {differs} 项。"
    )
    doc.add_heading("一、部门汇总", level=1)
    table = doc.add_table(rows=1, cols=3)
    table.style = doc.styles["Table Grid"]
    for cell, text in zip(table.rows[0].cells, ["项目", "据各表计算", "部门报告所载"], strict=True):
        cell.text = text
    stated = review.stated_summary()
    for k, v in review.computed_summary().items():
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text = k, v, stated.get(k, "—")
    if review.department_findings:
        doc.add_paragraph("部门报告中的问题：")
        for f in review.department_findings:
            doc.add_paragraph(f"【{f.severity}】{f.location.describe()}：{f.message}", style="List Bullet")
    doc.add_heading("二、各项目复核情况", level=1)
    for i, p in enumerate(review.projects, 1):
        doc.add_heading(f"（{i}）{p.evaluation.project.name}", level=2)
        doc.add_paragraph(
            f"表中总分 {number(p.stated_total)} 分（{p.stated_grade or '—'}），按规则重算 {number(p.result.total)} 分"
            f"（{p.result.grade}）。"
        )
        if p.findings:
            for f in p.findings:
                doc.add_paragraph(f"【{f.severity}】{f.location.describe()}：{f.message}", style="List Bullet")
        else:
            doc.add_paragraph("未发现问题。")
        diff = [line for line in p.lines if line.differs]
        if diff:
            t = doc.add_table(rows=1, cols=4)
            t.style = doc.styles["Table Grid"]
            for cell, text in zip(t.rows[0].cells, ["三级指标", "分值", "表中得分", "规则建议得分"], strict=True):
                cell.text = text
            for line in diff:
                cells = t.add_row().cells
                cells[0].text, cells[1].text = line.name, number(line.weight)
                cells[2].text, cells[3].text = number(line.stated), number(line.suggested)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


SHEET_COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6),
    ("严重程度", 9),
    ("代码", 22),
    ("检查项", 24),
    ("表", 14),
    ("行", 24),
    ("栏", 12),
    ("指标编码", 12),
    ("说明", 70),
    ("所列", 12),
    ("核算", 12),
    ("处理", 10),
    ("理由", 40),
    ("复核人", 10),
    ("处理时间", 20),
)


def sheet_rows(items: list[ReviewItem]) -> list[list[str]]:
    rows = []
    ordered = sorted(items, key=lambda i: SEVERITIES.index(i.severity) if i.severity in SEVERITIES else 9)
    for n, item in enumerate(ordered, 1):
        data = item.finding.to_dict() if item.finding is not None else (item.decision.finding if item.decision else {})
        loc = data.get("location", {})
        d = item.decision
        rows.append(
            [
                str(n),
                item.severity,
                str(data.get("code", "")),
                CODES.get(str(data.get("code", "")), ""),
                str(loc.get("table", "")),
                str(loc.get("row", "")),
                str(loc.get("field", "")),
                str(loc.get("indicator", "")),
                str(data.get("message", "")),
                str(data.get("stated") or ""),
                str(data.get("computed") or ""),
                item.status,
                d.reason if d else "",
                d.reviewer if d else "",
                d.decided_at.strftime("%Y-%m-%d %H:%M") if d and d.decided_at else "",
            ]
        )
    return rows


def review_sheet_xlsx(title: str, items: list[ReviewItem]) -> bytes:
    """The review sheet (复核表) as an Excel workbook: one row per finding with its resolution."""
    wb = Workbook()
    ws = wb.active
    ws.title = "复核表"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    counts = {s: sum(1 for i in items if i.severity == s and i.finding is not None) for s in SEVERITIES}
    open_errors = sum(1 for i in items if i.open and i.severity == ERROR)
    ws.append(["  ".join(f"{s} {counts[s]} 项" for s in SEVERITIES) + f"  未处理的错误 {open_errors} 项"])
    ws.append([name for name, _ in SHEET_COLUMNS])
    header = ws.max_row
    for cell in ws[header]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in sheet_rows(items):
        ws.append(row)
    for i, (_, width) in enumerate(SHEET_COLUMNS, 1):
        ws.column_dimensions[ws.cell(row=header, column=i).column_letter].width = width
    for row_cells in ws.iter_rows(min_row=header + 1):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = ws.cell(row=header + 1, column=1)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
