"""Drafting the 评分过程 narrative from the recorded inputs and the computed numbers.

The draft is a starting point for the consultant to edit: it names the evidence, restates what was
found or measured, and ends with the score, in the register of a Panzhihua-style report. An indicator
that kept full marks gets one sentence of what was checked and met; a score set by hand is stated once,
as an adjustment with its reason. The report's 评分过程 is the narrative written for an indicator, or
this draft when none is, and always states an adjustment.
"""

from __future__ import annotations

import re
from decimal import Decimal

from evaluation.errors import ScoringError
from evaluation.formatting import number
from evaluation.indicators.rules import (
    BandsRule,
    ChecklistRule,
    CompositeRule,
    DeductionRule,
    PenaltyRule,
    QualitativeRule,
)
from evaluation.indicators.system import Indicator
from evaluation.model import Assessment, EvidenceRef, Override
from evaluation.scoring.engine import IndicatorResult, score_rule, split_adjustment

# rules whose words do not restate the target: the sentence of what was checked adds it
_TARGET_NOT_IN_WORDS = (DeductionRule, ChecklistRule, BandsRule, QualitativeRule, CompositeRule)
# an 指标解释 that starts with what the evaluator did ("比较…") is said as is: "经比较…"
_CHECKING_VERBS = ("比较", "对比", "核对", "核查", "检查", "查看", "对照")
_ASKING_VERBS = ("考察", "考核", "评价", "衡量", "反映")


def _ref(e: EvidenceRef) -> str:
    name = e.document if e.document.startswith("《") else f"《{e.document}》"
    extra = [x for x in (e.doc_no, f"凭证号{e.voucher}" if e.voucher else "", f"第{e.page}页" if e.page else "") if x]
    return name + (f"（{'，'.join(extra)}）" if extra else "")


def evidence_sentence(refs: list[EvidenceRef]) -> str:
    if not refs:
        return ""
    return f"评价组查阅了{'、'.join(_ref(e) for e in refs)}等资料。"


def _all_refs(assessment: Assessment) -> list[EvidenceRef]:
    refs = list(assessment.evidence)
    for f in assessment.inputs.findings:
        refs += [e for e in f.evidence if e not in refs]
    return refs


def adjustment_sentence(computed: Decimal | None, override: Override) -> str:
    """A score set by hand, said once: "按证据计算 4 分，调整为 3 分，理由：……。"."""
    before = f"按证据计算 {number(computed)} 分，" if computed is not None else "按证据无法计算得分，"
    return f"{before}调整为 {number(override.score)} 分，理由：{override.reason.strip().rstrip('。')}。"


def states_adjustment(text: str, override: Override) -> bool:
    """Whether a written 评分过程 already says the score was adjusted (to this score, or for this reason)."""
    to_score = re.search(rf"调整为\s*{re.escape(number(override.score))}\s*分", text)
    return to_score is not None or override.reason.strip() in text


def _checked(indicator: Indicator, refs: list[EvidenceRef]) -> tuple[str, bool]:
    """The opening of the full-marks sentence: what was checked, in which documents; and whether it names
    the indicator's subject (from its 指标解释), so the name need not be repeated."""
    docs = f"查阅{'、'.join(_ref(e) for e in refs)}等资料" if refs else ""
    about = _subject(indicator.explanation)
    if not about:
        return (f"经{docs}核查" if docs else "经核查"), False
    said = about if about.startswith(_CHECKING_VERBS) else f"核查{about}"
    return (f"经{docs}，{said}" if docs else f"经{said}"), True


def _subject(explanation: str) -> str:
    """What an 指标解释 asks, as the object of 核查: "考察资金使用是否合规，用以反映……" → "资金使用是否合规";
    a template's placeholder ("示例：……，应按项目申报的……替换") says nothing of this project: ""."""
    about = explanation.strip().rstrip("。；")
    if about.startswith("示例"):
        return ""
    for tail in ("，用以", "，以反映", "，反映"):
        about = about.split(tail, 1)[0]
    for verb in _ASKING_VERBS:
        about = about.removeprefix(verb)
    return about.strip()


def full_mark_sentence(indicator: Indicator, refs: list[EvidenceRef], words: str) -> str:
    """One sentence for an indicator that kept full marks: what was checked and what was met.

    "经核查，奖补企业实际完成1户，达到目标值（1户），得满分。"
    "经查阅《……》等资料，核查资金是否按规定的用途使用，未发现不符合要求的情况，达到目标值（合规），得满分。"
    """
    lead, names_subject = _checked(indicator, refs)
    name = indicator.name.strip().rstrip("。；，")
    said = words.strip().rstrip("。")
    if not names_subject:  # "奖补企业实际完成1户", "制度办法：符合……的要求"
        said = f"{name}{said}" if said.startswith("实际") else f"{name}：{said}"
    target = indicator.target.strip()
    if target and isinstance(indicator.rule, _TARGET_NOT_IN_WORDS) and "目标值" not in said:
        said += f"，达到目标值（{target}）"
    return f"{lead}，{said}，得满分。"


def _words(indicator: Indicator, assessment: Assessment) -> str:
    """The rule's result in words for these inputs ("" when the inputs cannot be scored)."""
    try:
        out = score_rule(
            indicator.rule, indicator.weight, assessment.inputs, code=indicator.code, target_text=indicator.target
        )
    except ScoringError:
        return ""
    return out.words


def draft_narrative(indicator: Indicator, assessment: Assessment, score: Decimal | None, explanation: str) -> str:
    """A draft 评分过程 for one indicator from its evidence, inputs, computed score and the engine's explanation."""
    refs = _all_refs(assessment)
    override = assessment.override
    if override is None and score is not None and score >= indicator.weight:
        words = _words(indicator, assessment)
        if words:
            return full_mark_sentence(indicator, refs, words)
    rule_explanation, computed = split_adjustment(explanation, override)
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
        calculation = rule_explanation.strip()
        parts.append(f"按评分标准计算：{calculation}{'' if calculation.endswith('。') else '。'}")
    if override is not None:
        parts.append(adjustment_sentence(computed, override))
    parts.append(
        f"综上，该指标得 {number(score)} 分。" if score is not None else "该指标的评分输入尚不完整，暂不能得出得分。"
    )
    return "".join(p for p in parts if p)


def report_process(indicator: Indicator, assessment: Assessment | None, row: IndicatorResult) -> str:
    """The report's 评分过程 for an indicator (绩效分析 and 附件1): the narrative written for it, or the draft
    when none is; a score set by hand is always stated, once, with its reason."""
    if assessment is None:
        return row.explanation
    written = assessment.narrative.strip()
    if not written:
        return draft_narrative(indicator, assessment, row.score, row.explanation)
    override = assessment.override
    if override is None or states_adjustment(written, override):
        return written
    stop = "" if written.endswith(("。", "！", "？")) else "。"
    return f"{written}{stop}{adjustment_sentence(row.computed, override)}"
