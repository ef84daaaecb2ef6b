"""What-if analysis for the review and the 征求意见 round.

* :func:`grade_sensitivity`: the margin of the total to each grade threshold, and which indicators,
  re-scored within what the evidence could support (one finding more or less, a yes/no item read the
  other way, the neighbouring band, the other qualitative band, the rule's own result instead of an
  override), would move the total across a threshold.
* :func:`rescore`: the same evaluation under another rule variant (the reverse-ratio variants) or
  another rounding rule, with the differences indicator by indicator.

Every alternative is scored by the real engine on a modified copy of the evaluation; nothing is
estimated. Pure domain code.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from evaluation.formatting import number, two
from evaluation.indicators.rules import (
    AnyRule,
    BandsRule,
    ChecklistRule,
    CompositeRule,
    DeductionRule,
    QualitativeRule,
    ReverseVariant,
)
from evaluation.indicators.system import IndicatorSystem, Rounding
from evaluation.model import Assessment, Evaluation, Finding, Inputs
from evaluation.scoring.engine import EvaluationResult, score

ZERO = Decimal(0)
HUNDRED = Decimal(100)
_HYPOTHETICAL = "（假设）再发现一处问题"


@dataclass(frozen=True)
class Threshold:
    grade: str
    min: Decimal
    margin: Decimal  # total − threshold: ≥ 0 means the total reaches it


@dataclass(frozen=True)
class Alternative:
    code: str
    name: str
    description: str
    score: Decimal | None  # the indicator's score now
    alternative: Decimal  # its score under the alternative reading
    delta: Decimal  # change of the total
    total: Decimal
    grade: str
    crosses: bool  # the grade changes


@dataclass(frozen=True)
class Sensitivity:
    total: Decimal  # the total as scored, overrides included: the margins are measured from it
    grade: str
    thresholds: tuple[Threshold, ...]
    alternatives: tuple[Alternative, ...]
    evidence_total: Decimal  # the total the evidence gives by the rules, overrides left out
    evidence_grade: str
    adjusted: int = 0  # indicators with an override
    unscorable: int = 0  # of those, the ones whose evidence the rules cannot score

    @property
    def crossing(self) -> list[Alternative]:
        return [a for a in self.alternatives if a.crosses]

    def total_text(self) -> str:
        """The total by evidence and, when scores were adjusted, the total after the adjustments:
        "按证据计算 97.22 分，等级“优”" or "按证据 97.22 分，调整后 98 分，等级“优”"."""
        if not self.adjusted:
            return f"按证据计算 {number(self.total)} 分，等级“{self.grade}”"
        left_out = f"（{self.unscorable} 项调整的证据无法按规则计算，未计入）" if self.unscorable else ""
        if self.evidence_grade != self.grade:
            return (
                f"按证据 {number(self.evidence_total)} 分{left_out}（{self.evidence_grade}），"
                f"调整后 {number(self.total)} 分（{self.grade}）"
            )
        return f"按证据 {number(self.evidence_total)} 分{left_out}，调整后 {number(self.total)} 分，等级“{self.grade}”"

    def margin_text(self) -> str:
        parts = []
        for t in self.thresholds:
            if t.margin >= 0:
                parts.append(f"高出“{t.grade}”线（{number(t.min)} 分）{number(t.margin)} 分")
            else:
                parts.append(f"距“{t.grade}”线（{number(t.min)} 分）还差 {number(-t.margin)} 分")
        return "；".join(parts)


# --------------------------------------------------------------------------- input variants


def _deduction_variants(findings: list[Finding], part: str | None = None) -> Iterator[tuple[str, list[Finding]]]:
    yield "再发现一处问题", [*findings, Finding(text=_HYPOTHETICAL, part=part)]
    own = [i for i, f in enumerate(findings) if f.part == part]
    if own:
        drop = own[-1]
        text = findings[drop].text.strip()[:20]
        yield f"不认定问题“{text}”", [f for i, f in enumerate(findings) if i != drop]


def _band_variants(rule: BandsRule, inputs: Inputs) -> Iterator[tuple[str, Inputs]]:
    if inputs.count is not None and inputs.of:
        for step in (-1, 1):
            count = inputs.count + step
            if 0 <= count <= inputs.of:
                yield (
                    f"{rule.measure}按 {count}/{inputs.of} 计",
                    inputs.model_copy(update={"count": count}),
                )


def _qualitative_variants(rule: QualitativeRule, weight: Decimal, inputs: Inputs) -> Iterator[tuple[str, Inputs]]:
    names = [b.name for b in rule.bands]
    if inputs.band not in names:
        return
    at = names.index(inputs.band)
    for band in rule.bands:
        if abs(names.index(band.name) - at) != 1:  # the neighbouring bands only
            continue
        mid = two(weight * (band.low + band.high) / 2 / HUNDRED)
        yield (
            f"改评“{band.name}”档（取档中 {number(mid)} 分）",
            inputs.model_copy(update={"band": band.name, "score": mid}),
        )


def input_variants(rule: AnyRule, weight: Decimal, inputs: Inputs) -> Iterator[tuple[str, Inputs]]:
    """Other readings of the recorded evidence that a reviewer could argue for."""
    if isinstance(rule, DeductionRule):
        for text, findings in _deduction_variants(inputs.findings):
            yield text, inputs.model_copy(update={"findings": findings})
    elif isinstance(rule, ChecklistRule):
        for item in rule.items:
            if item.key in inputs.answers:
                flipped = {**inputs.answers, item.key: not inputs.answers[item.key]}
                yield (
                    f"“{item.text}”改判为{'否' if inputs.answers[item.key] else '是'}",
                    inputs.model_copy(update={"answers": flipped}),
                )
    elif isinstance(rule, BandsRule):
        yield from _band_variants(rule, inputs)
    elif isinstance(rule, QualitativeRule):
        yield from _qualitative_variants(rule, weight, inputs)
    elif isinstance(rule, CompositeRule):
        for part in rule.parts:
            if isinstance(part.rule, DeductionRule):
                for text, findings in _deduction_variants(inputs.findings, part.key):
                    yield f"{part.name}：{text}", inputs.model_copy(update={"findings": findings})
                continue
            sub = inputs.parts.get(part.key)
            if sub is None:
                continue
            for text, changed in input_variants(part.rule, part.weight, sub):
                yield f"{part.name}：{text}", inputs.model_copy(update={"parts": {**inputs.parts, part.key: changed}})


def _replace(ev: Evaluation, assessment: Assessment) -> Evaluation:
    others = [a if a.code != assessment.code else assessment for a in ev.assessments]
    return ev.model_copy(update={"assessments": others})


def _alternatives(ev: Evaluation) -> Iterator[tuple[str, str, Evaluation]]:
    """(indicator code, description, modified evaluation) for each alternative reading."""
    by_code = ev.assessments_by_code()
    for _, _, ind in ev.system.indicators():
        a = by_code.get(ind.code)
        if a is None:
            continue
        prefix = ""
        if a.override is not None:
            yield ind.code, "不作调整，按证据和规则计分", _replace(ev, a.model_copy(update={"override": None}))
            prefix = "不作调整且"
        for text, inputs in input_variants(ind.rule, ind.weight, a.inputs):
            yield ind.code, prefix + text, _replace(ev, a.model_copy(update={"inputs": inputs, "override": None}))
    for item in ev.system.penalty_items():
        a = by_code.get(item.code)
        if a is None:
            continue
        more = [*a.inputs.findings, Finding(text=_HYPOTHETICAL)]
        yield item.code, "扣分项再认定一个问题", _replace(ev, a.model_copy(update={"inputs": Inputs(findings=more)}))
        if a.inputs.findings:
            fewer = a.inputs.findings[:-1]
            yield (
                item.code,
                "扣分项少认定一个问题",
                _replace(ev, a.model_copy(update={"inputs": Inputs(findings=fewer)})),
            )


def _score_of(result: EvaluationResult, code: str) -> Decimal | None:
    for r in result.indicators:
        if r.code == code:
            return r.score
    for p in result.penalties:
        if p.code == code:
            return p.points
    return None


def _name_of(ev: Evaluation, code: str) -> str:
    found = ev.system.find(code)
    if found is not None:
        return found[2].name
    return next((p.name for p in ev.system.penalty_items() if p.code == code), code)


def grade_sensitivity(evaluation: Evaluation, base: EvaluationResult) -> Sensitivity:
    """Which single change of one indicator's input would cross a grade line (``base`` is ``score(evaluation)``)."""
    thresholds = tuple(Threshold(g.name, g.min, base.total - g.min) for g in evaluation.system.grades if g.min > 0)
    found: list[Alternative] = []
    for code, text, changed in _alternatives(evaluation):
        result = score(changed)
        alt = _score_of(result, code)
        if alt is None or (result.errors and len(result.errors) > len(base.errors)):
            continue
        delta = result.total - base.total
        if delta == 0:
            continue
        found.append(
            Alternative(
                code=code,
                name=_name_of(evaluation, code),
                description=text,
                score=_score_of(base, code),
                alternative=alt,
                delta=delta,
                total=result.total,
                grade=result.grade,
                crosses=result.grade != base.grade,
            )
        )
    found.sort(key=lambda a: (not a.crosses, -abs(a.delta)))
    return Sensitivity(
        base.total,
        base.grade,
        thresholds,
        tuple(found),
        base.evidence_total,
        base.evidence_grade,
        len(base.adjusted),
        base.unscorable_adjustments,
    )


# --------------------------------------------------------------------------- re-scoring


@dataclass(frozen=True)
class IndicatorDiff:
    code: str
    name: str
    base: Decimal | None
    alternative: Decimal | None

    @property
    def delta(self) -> Decimal | None:
        if self.base is None or self.alternative is None:
            return None
        return self.alternative - self.base


@dataclass(frozen=True)
class Rescore:
    description: str
    base_total: Decimal
    total: Decimal
    base_grade: str
    grade: str
    rows: tuple[IndicatorDiff, ...]

    @property
    def changed(self) -> list[IndicatorDiff]:
        return [r for r in self.rows if r.base != r.alternative]


def _walk_rules(rule: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield rule
    for part in rule.get("parts") or []:
        inner = part.get("rule") if isinstance(part, dict) else None
        if isinstance(inner, dict):
            yield from _walk_rules(inner)


def variant_system(
    system: IndicatorSystem, *, reverse_variant: ReverseVariant | None = None, rounding: Rounding | None = None
) -> IndicatorSystem:
    """The system with every reverse ratio rule on ``reverse_variant`` and/or one rounding rule throughout."""
    data = system.model_dump(mode="python")
    if rounding is not None:
        data["rounding"] = rounding.model_dump(mode="python")
    for l1 in data["groups"]:
        for g in l1["groups"]:
            for ind in g["indicators"]:
                if rounding is not None:
                    ind["rounding"] = None
                if reverse_variant is not None:
                    for r in _walk_rules(ind["rule"]):
                        if r.get("method") == "ratio" and str(r.get("direction")) in ("reverse", "auto"):
                            r["reverse_variant"] = reverse_variant
    return IndicatorSystem.model_validate(data)


def rescore(
    evaluation: Evaluation,
    base: EvaluationResult,
    *,
    reverse_variant: ReverseVariant | None = None,
    rounding: Rounding | None = None,
) -> Rescore:
    """Score again under another rule variant or rounding rule; differences indicator by indicator
    (``base`` is ``score(evaluation)``)."""
    changed = evaluation.model_copy(
        update={"system": variant_system(evaluation.system, reverse_variant=reverse_variant, rounding=rounding)}
    )
    alt = score(changed)
    words = []
    if reverse_variant is not None:
        words.append(
            "反向指标按“目标 ÷ 实际”计分"
            if reverse_variant == ReverseVariant.target_over_actual
            else "反向指标按“超出部分线性扣减”计分"
        )
    if rounding is not None:
        words.append(f"全部得分{rounding.describe()}")
    rows = tuple(
        IndicatorDiff(b.code, b.name, b.score, a.score) for b, a in zip(base.indicators, alt.indicators, strict=True)
    )
    return Rescore("；".join(words) or "原规则", base.total, alt.total, base.grade, alt.grade, rows)


RESCORE_OPTIONS: dict[str, tuple[ReverseVariant | None, Rounding | None]] = {
    "反向指标：超出部分线性扣减": (ReverseVariant.overrun_linear, None),
    "反向指标：目标值 ÷ 实际值": (ReverseVariant.target_over_actual, None),
    "全部得分四舍五入，保留 2 位": (None, Rounding(digits=2, mode="half_up")),
    "全部得分四舍五入，保留 1 位": (None, Rounding(digits=1, mode="half_up")),
    "全部得分截断，保留 1 位": (None, Rounding(digits=1, mode="down")),
}
