"""The evaluation report in the Panzhihua style: context (plain data) → .docx (python-docx) → PDF (LibreOffice)."""

from __future__ import annotations

from evaluation.model import Evaluation
from evaluation.report.context import ReportContext, build_report_context
from evaluation.report.docx import render_docx
from evaluation.scoring.engine import EvaluationResult


def build_docx(evaluation: Evaluation, result: EvaluationResult) -> bytes:
    """The Word report for an evaluation and its result (``score(evaluation)``, computed by the caller)."""
    return render_docx(build_report_context(evaluation, result))


__all__ = ["ReportContext", "build_docx", "build_report_context", "render_docx"]
