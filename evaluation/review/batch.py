"""Batch review (批量复核) of a department's 项目支出绩效自评表.

Every table is checked with the 复核 checks; the score the rules give is put beside each stated
score; the department summary — projects, budgets, spending, execution rate, scores, grade counts —
is computed from the tables and compared with what the department's report states. The result is
plain data, rendered to a Word 复核报告 and an Excel 复核表.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from evaluation.formatting import amount, number, share
from evaluation.model import DepartmentSummary, Evaluation
from evaluation.review.checks import Finding, check, check_department, count_by_severity, sort_findings
from evaluation.scoring.engine import EvaluationResult, score


@dataclass(frozen=True)
class ScoreLine:
    code: str
    name: str
    weight: Decimal
    stated: Decimal | None
    suggested: Decimal | None
    basis: str

    @property
    def differs(self) -> bool:
        return self.stated is not None and self.suggested is not None and self.stated != self.suggested


@dataclass(frozen=True)
class ProjectReview:
    evaluation: Evaluation
    result: EvaluationResult
    findings: list[Finding]
    lines: list[ScoreLine]

    @property
    def stated_total(self) -> Decimal | None:
        return self.evaluation.stated.total if self.evaluation.stated else None

    @property
    def stated_grade(self) -> str | None:
        t = self.stated_total
        return None if t is None else self.evaluation.system.grade_for(t)

    @property
    def budget(self) -> tuple[Decimal | None, Decimal | None]:
        se = self.evaluation.self_evaluation
        if se is None or not se.budget_rows:
            return None, None
        return se.budget_rows[0].annual, se.budget_rows[0].executed


@dataclass
class BatchReview:
    department: str
    year: int | None
    projects: list[ProjectReview]
    summary: DepartmentSummary | None
    department_findings: list[Finding] = field(default_factory=list)

    @property
    def project_reviews(self) -> list[ProjectReview]:
        """The project tables (a 部门整体 table is reviewed but not counted as a project)."""
        return [
            p
            for p in self.projects
            if not (p.evaluation.self_evaluation and p.evaluation.self_evaluation.scope == "部门整体")
        ]

    def computed_summary(self) -> dict[str, str]:
        projects = self.project_reviews
        budget = sum((p.budget[0] or Decimal(0) for p in projects), Decimal(0))
        spent = sum((p.budget[1] or Decimal(0) for p in projects), Decimal(0))
        stated_grades = Counter(p.stated_grade for p in projects if p.stated_grade)
        rule_grades = Counter(p.result.grade for p in projects)
        return {
            "项目个数": str(len(projects)),
            "全年预算合计（万元）": amount(budget),
            "全年执行合计（万元）": amount(spent),
            "预算执行率": share(spent, budget),
            "等级分布（按表中总分）": "，".join(f"{g} {stated_grades.get(g, 0)} 个" for g in ("优", "良", "中", "差")),
            "等级分布（按规则重算）": "，".join(f"{g} {rule_grades.get(g, 0)} 个" for g in ("优", "良", "中", "差")),
        }

    def stated_summary(self) -> dict[str, str]:
        if self.summary is None:
            return {}
        s = self.summary.stated
        return {
            "项目个数": number(Decimal(s.project_count)) if s.project_count is not None else "—",
            "全年预算合计（万元）": amount(s.total_budget),
            "全年执行合计（万元）": amount(s.spent),
            "预算执行率": s.rate or "—",
            "等级分布（按表中总分）": "，".join(f"{g} {n} 个" for g, n in s.grade_counts.items()) or "—",
            "等级分布（按规则重算）": "—",
        }

    def all_findings(self) -> list[tuple[str, Finding]]:
        out = [(p.evaluation.project.name, f) for p in self.projects for f in p.findings]
        out += [("部门汇总", f) for f in self.department_findings]
        return out


def _lines(ev: Evaluation, result: EvaluationResult) -> list[ScoreLine]:
    lines = []
    for r in result.indicators:
        a = ev.assessment(r.code)
        stated = a.stated.score if a is not None and a.stated is not None else None
        suggested = r.computed if r.computed is not None else r.score
        lines.append(ScoreLine(r.code, r.name, r.weight, stated, suggested, r.explanation))
    return lines


def review_batch(evaluations: list[Evaluation], summary: DepartmentSummary | None = None) -> BatchReview:
    projects = []
    for ev in evaluations:
        result = score(ev)
        projects.append(ProjectReview(ev, result, sort_findings(check(ev, summary)), _lines(ev, result)))
    departments = Counter(ev.project.department for ev in evaluations)
    years = Counter(ev.project.year for ev in evaluations)
    review = BatchReview(
        department=summary.department if summary else (departments.most_common(1)[0][0] if departments else ""),
        year=summary.year if summary else (years.most_common(1)[0][0] if years else None),
        projects=projects,
        summary=summary,
    )
    if summary is not None:
        review.department_findings = sort_findings(check_department(summary, evaluations))
    return review


# --------------------------------------------------------------------------- renderings


def review_xlsx(review: BatchReview) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

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
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

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
