"""The evaluation report in the Panzhihua style: context (plain data) → .docx (python-docx) → PDF (LibreOffice)."""

from __future__ import annotations

from evaluation.model import Evaluation
from evaluation.report.context import ReportContext, build_report_context
from evaluation.report.docx import render_docx
from evaluation.report.plan import build_plan_context
from evaluation.scoring.engine import EvaluationResult


def build_docx(evaluation: Evaluation, result: EvaluationResult) -> bytes:
    """The Word report for an evaluation and its result (``score(evaluation)``, computed by the caller)."""
    return render_docx(build_report_context(evaluation, result))


def build_plan_docx(evaluation: Evaluation) -> bytes:
    """The 评价方案 as Word, with the report's typography."""
    return render_docx(build_plan_context(evaluation))


__all__ = ["ReportContext", "build_docx", "build_plan_docx", "build_report_context", "render_docx"]
