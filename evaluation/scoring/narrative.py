"""Drafting the 评分过程 narrative from the recorded inputs and the computed numbers.

The draft is a starting point for the consultant to edit: it names the evidence, restates what was
found or measured, and ends with the score, in the register of a Panzhihua-style report.
"""

from __future__ import annotations

from decimal import Decimal

from evaluation.formatting import number
from evaluation.indicators.rules import DeductionRule, PenaltyRule
from evaluation.indicators.system import Indicator
from evaluation.model import Assessment, EvidenceRef


def _ref(e: EvidenceRef) -> str:
    name = e.document if e.document.startswith("《") else f"《{e.document}》"
    extra = [x for x in (e.doc_no, f"凭证号{e.voucher}" if e.voucher else "", f"第{e.page}页" if e.page else "") if x]
    return name + (f"（{'，'.join(extra)}）" if extra else "")


def evidence_sentence(refs: list[EvidenceRef]) -> str:
    if not refs:
        return ""
    return f"评价组查阅了{'、'.join(_ref(e) for e in refs)}等资料。"


def draft_narrative(indicator: Indicator, assessment: Assessment, score: Decimal | None, explanation: str) -> str:
    """A draft 评分过程 for one indicator from its evidence, inputs and computed score."""
    refs = list(assessment.evidence)
    for f in assessment.inputs.findings:
        refs += [e for e in f.evidence if e not in refs]
    parts = [evidence_sentence(refs)]
    findings = assessment.inputs.findings
    rule = indicator.rule
    if isinstance(rule, DeductionRule | PenaltyRule):
        if findings:
            per = rule.points_per_finding if isinstance(rule, DeductionRule) else rule.points_per_problem
            items = "；".join(
                f"{i}. {f.text.strip().rstrip('。；')}（扣 {number(f.points if f.points is not None else per)} 分）"
                for i, f in enumerate(findings, 1)
            )
            parts.append(f"经核查，发现以下问题：{items}。")
        else:
            parts.append("经核查，未发现不符合要求的情况。")
    else:
        if findings:
            parts.append("评价发现：" + "；".join(f.text.strip().rstrip("。；") for f in findings) + "。")
        parts.append(f"按评分标准计算：{explanation.strip()}")
    if assessment.override is not None:
        parts.append(f"综合考虑{assessment.override.reason.strip().rstrip('。')}，调整为 {number(score)} 分。")
    parts.append(
        f"综上，该指标得 {number(score)} 分。" if score is not None else "该指标的评分输入尚不完整，暂不能得出得分。"
    )
    return "".join(p for p in parts if p)
