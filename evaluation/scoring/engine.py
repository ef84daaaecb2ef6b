"""The scoring engine: pure functions from recorded evidence to scores that explain themselves.

Arithmetic is Decimal throughout. Each rule computes an exact score clamped to [0, 分值]; the
template's rounding rule (or the indicator's own) is then applied once per indicator. Group
subtotals and the total are exact sums of the rounded indicator scores, so the total always
equals the sum of the rows a report shows. 扣分项 are subtracted after that, up to their cap.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from evaluation.errors import ScoringError, ValueParseError
from evaluation.formatting import number, percent, two
from evaluation.formatting import rate as rate_text
from evaluation.indicators.rules import (
    AnyRule,
    BandsRule,
    ChecklistRule,
    CompositeRatioRule,
    CompositeRule,
    DeductionRule,
    ManualRule,
    PenaltyRule,
    QualitativeRule,
    RatioDirection,
    RatioRule,
    ReverseVariant,
    TimelinessRule,
)
from evaluation.indicators.system import Indicator, IndicatorSystem, PenaltyItem, Rounding
from evaluation.indicators.values import Op, comparable, require_quantity
from evaluation.model import Assessment, Evaluation, Finding, Inputs, Override

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Outcome:
    """What a rule gives before rounding: an exact score in [0, weight], its reasoning (the arithmetic) and
    the result in words without arithmetic: why points were lost ("实际完成5个，未达到目标值（6个），完成率
    83.33%"), or what was met when none were ("实际完成7个，达到目标值（≥7）")."""

    score: Decimal
    explanation: str
    words: str = ""


@dataclass(frozen=True)
class IndicatorResult:
    code: str
    level1_code: str
    level1: str
    level2_code: str
    level2: str
    name: str
    weight: Decimal
    status: str  # 未评 / 已评 / 已复核 / 输入有误
    score: Decimal | None
    computed: Decimal | None
    deduction: Decimal | None
    rate: Decimal | None  # percent, 2 decimals
    method: str
    rule: str
    explanation: str
    overridden: bool = False
    override_reason: str = ""
    error: str = ""
    findings: tuple[str, ...] = ()
    words: str = ""  # the rule's result in words (``Outcome.words``), before any override


@dataclass(frozen=True)
class GroupResult:
    level: int
    code: str
    name: str
    parent: str
    weight: Decimal
    score: Decimal
    deduction: Decimal
    rate: Decimal | None
    scored: int
    count: int


@dataclass(frozen=True)
class PenaltyResult:
    code: str
    name: str
    points: Decimal
    status: str
    explanation: str
    findings: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class EvaluationResult:
    evaluation_id: str
    indicators: tuple[IndicatorResult, ...]
    groups: tuple[GroupResult, ...]
    penalties: tuple[PenaltyResult, ...]
    weight_total: Decimal
    subtotal: Decimal
    penalty_total: Decimal
    total: Decimal
    grade: str
    scored: int
    count: int
    errors: tuple[str, ...] = field(default_factory=tuple)
    # the total and grade the evidence gives by the rules, every override left out (equal to total and
    # grade when nothing is overridden); an overridden indicator whose evidence cannot be scored adds nothing
    evidence_total: Decimal = ZERO
    evidence_grade: str = ""
    # lookups by code in O(1): consumers walk the system tree and fetch each row
    _indicators: dict[str, IndicatorResult] = field(init=False, repr=False, compare=False)
    _groups: dict[str, GroupResult] = field(init=False, repr=False, compare=False)
    _penalties: dict[str, PenaltyResult] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_indicators", {r.code: r for r in self.indicators})
        object.__setattr__(self, "_groups", {g.code: g for g in self.groups})
        object.__setattr__(self, "_penalties", {p.code: p for p in self.penalties})

    @property
    def complete(self) -> bool:
        return self.scored == self.count and not self.errors

    @property
    def adjusted(self) -> tuple[IndicatorResult, ...]:
        """The indicators whose score is an override rather than what the rules give."""
        return tuple(r for r in self.indicators if r.overridden)

    @property
    def unscorable_adjustments(self) -> int:
        """Overridden indicators whose evidence the rules cannot score (absent from ``evidence_total``)."""
        return sum(1 for r in self.adjusted if r.computed is None)

    def indicator(self, code: str) -> IndicatorResult:
        return self._indicators[code]

    def group(self, code: str) -> GroupResult:
        return self._groups[code]

    def penalty(self, code: str) -> PenaltyResult:
        return self._penalties[code]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: Decimals as strings, so no float noise creeps in."""
        data: dict[str, Any] = _jsonable(
            {
                "evaluation_id": self.evaluation_id,
                "total": self.total,
                "grade": self.grade,
                "complete": self.complete,
                "scored": self.scored,
                "count": self.count,
                "weight_total": self.weight_total,
                "subtotal": self.subtotal,
                "penalty_total": self.penalty_total,
                "indicators": [asdict(r) for r in self.indicators],
                "groups": [asdict(g) for g in self.groups],
                "penalties": [asdict(p) for p in self.penalties],
                "errors": list(self.errors),
            }
        )
        return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


# --------------------------------------------------------------------------- helpers


def pct(ratio: Decimal) -> str:
    """A ratio as percent text with two decimals: 0.8333… → "83.33%"."""
    return percent(ratio * HUNDRED)


def clamp(value: Decimal, weight: Decimal) -> Decimal:
    return max(ZERO, min(value, weight))


def _finding_points(f: Finding, default: Decimal) -> Decimal:
    return f.points if f.points is not None else default


def _findings_text(findings: list[Finding], default: Decimal) -> str:
    items = [f"{f.text.strip()[:40]}（扣 {number(_finding_points(f, default))} 分）" for f in findings]
    return "；".join(items)


def findings_words(texts: Sequence[str]) -> str:
    """Recorded problems in words: "发现2处问题：未履行集体决策；资料不全" ("" when there are none)."""
    items = [t.strip().rstrip("。；;，,") for t in texts if t.strip()]
    return f"发现{len(items)}处问题：{'；'.join(items)}" if items else ""


def _target_words(text: str) -> str:
    return f"目标值（{text.strip()}）"


# --------------------------------------------------------------------------- rules


def score_deduction(rule: DeductionRule, weight: Decimal, inputs: Inputs, code: str) -> Outcome:
    findings = inputs.findings
    if not findings:
        return Outcome(weight, f"未发现问题，得满分 {number(weight)} 分。", "未发现不符合要求的情况")
    lost = sum((_finding_points(f, rule.points_per_finding) for f in findings), ZERO)
    score = clamp(weight - lost, weight)
    floor = "，扣完为止" if weight - lost < 0 else ""
    return Outcome(
        score,
        f"发现 {len(findings)} 处问题：{_findings_text(findings, rule.points_per_finding)}；"
        f"共扣 {number(lost)} 分{floor}，得分 {number(weight)} − {number(min(lost, weight))} = {number(score)}。",
        findings_words([f.text for f in findings]),
    )


def _direction(rule: RatioRule, target_op: Op | None) -> RatioDirection:
    if rule.direction != RatioDirection.auto:
        return rule.direction
    if target_op in (Op.LE, Op.LT):
        return RatioDirection.reverse
    return RatioDirection.positive


def score_ratio(rule: RatioRule, weight: Decimal, inputs: Inputs, code: str, target_text: str) -> Outcome:
    target_raw = inputs.target if inputs.target not in (None, "") else target_text
    try:
        actual_q = require_quantity(inputs.actual, what="实际值", code=code)
        target_q = require_quantity(target_raw, what="目标值", code=code)
        pair = comparable(actual_q, target_q, code=code)
    except ValueParseError as e:
        raise ScoringError(code, str(e).split("：", 1)[-1]) from e
    a, t = pair.actual, pair.target
    if a < 0 or t < 0:
        raise ScoringError(code, f"实际值“{actual_q.text}”或目标值“{target_q.text}”为负数，比率类规则不接受负值")
    a_txt, t_txt = actual_q.describe().lstrip("≥≤<>="), target_q.describe().lstrip("≥≤<>=")
    target_said = _target_words(target_q.text)
    direction = _direction(rule, target_q.op)
    if rule.points_per_percent is not None:
        points_of_percent = actual_q.dimension == target_q.dimension == "百分比"
        return _per_percent(
            rule.points_per_percent, direction, weight, (a, t, a_txt, t_txt), code, target_q.text, points_of_percent
        )
    if direction == RatioDirection.equal:
        ok = a == t
        return Outcome(
            weight if ok else ZERO,
            f"实际 {a_txt}，目标 {t_txt}，{'相等' if ok else '不相等'}，得 {number(weight if ok else ZERO)} 分。",
            f"实际{a_txt}，{'与' + target_said + '一致' if ok else '与' + target_said + '不符'}",
        )
    if direction == RatioDirection.positive:
        if t == 0:
            raise ScoringError(code, f"目标值“{target_q.text}”为 0，无法计算完成率，请改用其他规则或直接评分")
        rate = a / t
        capped = min(rate, ONE)
        cap_note = "（超过 100% 按 100% 计）" if rate > ONE else ""
        score = weight * capped
        said = (
            f"实际完成{a_txt}，达到{target_said}"
            if rate >= ONE
            else f"实际完成{a_txt}，未达到{target_said}，完成率{rate_text(rate * HUNDRED)}"
        )
        return Outcome(
            score,
            f"实际 {a_txt} / 目标 {t_txt} = {pct(rate)}{cap_note}，{number(weight)} × {pct(capped)} = {_q(score)!s}。",
            said,
        )
    # reverse
    within = f"实际{a_txt}，未超过{target_said}"
    if rule.reverse_variant == ReverseVariant.target_over_actual:
        if a == 0:
            return Outcome(weight, f"反向指标：实际 {a_txt}，未超过目标 {t_txt}，得满分 {number(weight)} 分。", within)
        rate = t / a
        capped = min(rate, ONE)
        cap_note = "（超过 100% 按 100% 计）" if rate > ONE else ""
        score = weight * capped
        over_said = f"实际{a_txt}，超出{target_said}{rate_text((a - t) / t * HUNDRED) if t else ''}"
        return Outcome(
            score,
            f"反向指标：目标 {t_txt} / 实际 {a_txt} = {pct(rate)}{cap_note}，"
            f"{number(weight)} × {pct(capped)} = {_q(score)!s}。",
            within if a <= t else over_said,
        )
    if a <= t:
        return Outcome(weight, f"反向指标：实际 {a_txt} 未超过目标 {t_txt}，得满分 {number(weight)} 分。", within)
    if t == 0:
        raise ScoringError(code, f"目标值“{target_q.text}”为 0，超出比例无法计算，请改用其他规则或直接评分")
    over = (a - t) / t
    score = clamp(weight * (ONE - over), weight)
    return Outcome(
        score,
        f"反向指标：实际 {a_txt} 超出目标 {t_txt} {pct(over)}，{number(weight)} × (1 − {pct(over)}) = {_q(score)!s}。",
        f"实际{a_txt}，超出{target_said}{rate_text(over * HUNDRED)}",
    )


def _per_percent(
    per: Decimal,
    direction: RatioDirection,
    weight: Decimal,
    values: tuple[Decimal, Decimal, str, str],
    code: str,
    target_text: str,
    points_of_percent: bool,
) -> Outcome:
    """Full marks at the target; ``per`` points off for each 1 % of shortfall (positive) or overrun (reverse).

    When actual and target are both percentages (完成率 92% against 100%), the gap is counted in percentage
    points (8 个百分点), as such tables mean it; otherwise relative to the target (10.5 万元 is 5 % over 10)."""
    a, t, a_txt, t_txt = values
    if t == 0 and not points_of_percent:
        raise ScoringError(code, f"目标值“{target_text}”为 0，无法计算差额比例，请改用其他规则或直接评分")
    diff = t - a if direction == RatioDirection.positive else a - t
    if diff <= 0:
        reached = "达到" if direction == RatioDirection.positive else "未超过"
        return Outcome(
            weight,
            f"实际 {a_txt}，{reached}目标 {t_txt}，得满分 {number(weight)} 分。",
            f"实际{a_txt}，{reached}{_target_words(target_text)}",
        )
    gap = diff * HUNDRED if points_of_percent else diff / t * HUNDRED
    lost = per * gap
    score = clamp(weight - lost, weight)
    side = "低于" if direction == RatioDirection.positive else "超出"
    how = f"{number(_q(gap))} 个百分点" if points_of_percent else f"{number(_q(gap))}%"
    floor = "，扣完为止" if weight - lost < 0 else ""
    return Outcome(
        score,
        f"实际 {a_txt}{side}目标 {t_txt} {how}，每 1% 扣 {number(per)} 分，共扣 {number(_q(lost))} 分{floor}，"
        f"得 {number(_q(score))} 分。",
        f"实际{a_txt}，{side}{_target_words(target_text)}{how.replace(' ', '')}",
    )


def score_composite_ratio(rule: CompositeRatioRule, weight: Decimal, inputs: Inputs, code: str) -> Outcome:
    applicable = [p for p in rule.parts if not (inputs.ratios.get(p.key) and inputs.ratios[p.key].not_applicable)]
    if not applicable:
        raise ScoringError(code, "组合比率的各部分均标为不适用，无法评分")
    missing = [p.name for p in applicable if p.key not in inputs.ratios]
    if missing:
        raise ScoringError(code, f"缺少以下部分的实际值与目标值：{'、'.join(missing)}")
    if len(applicable) < len(rule.parts) and not rule.redistribute_not_applicable:
        raise ScoringError(code, "有部分标为不适用，但本规则不允许把其分值分配给其他部分")
    scale = weight / sum((p.weight for p in applicable), ZERO)
    total = ZERO
    texts = []
    short: list[str] = []
    for p in applicable:
        r = inputs.ratios[p.key]
        try:
            actual_q = require_quantity(r.actual, what=f"{p.name}的实际值", code=code)
            target_q = require_quantity(r.target, what=f"{p.name}的目标值", code=code)
            pair = comparable(actual_q, target_q, code=code)
        except ValueParseError as e:
            raise ScoringError(code, str(e).split("：", 1)[-1]) from e
        if pair.actual < 0 or pair.target < 0:
            raise ScoringError(code, f"{p.name}的实际值或目标值为负数")
        if pair.target == 0:
            raise ScoringError(code, f"{p.name}的目标值为 0，无法计算比率")
        rate = min(pair.actual / pair.target, ONE)
        part_weight = p.weight * scale
        total += part_weight * rate
        if rate < ONE:
            a_txt, t_txt = actual_q.describe().lstrip("≥≤<>="), target_q.describe().lstrip("≥≤<>=")
            short.append(f"{p.name}{rate_text(rate * HUNDRED)}（实际{a_txt}，目标{t_txt}）")
        texts.append(
            f"{p.name} {actual_q.describe()} / {target_q.describe()} = {pct(pair.actual / pair.target)}，"
            f"{number(_q(part_weight))} × {pct(rate)} = {number(_q(part_weight * rate))}"
        )
    skipped = [p.name for p in rule.parts if p not in applicable]
    note = f"（{'、'.join(skipped)}不适用，其分值按比例分配至其他部分）" if skipped else ""
    score = clamp(total, weight)
    said = "；".join(short) if short else f"{'、'.join(p.name for p in applicable)}均达到100%"
    return Outcome(score, "；".join(texts) + f"{note}；合计 {_q(score)!s}。", said)


def score_timeliness(rule: TimelinessRule, weight: Decimal, inputs: Inputs, code: str) -> Outcome:
    if rule.points_per_unit is not None:
        return _timeliness_per_unit(rule, rule.points_per_unit, weight, inputs, code)
    planned, actual = inputs.planned_duration, inputs.actual_duration
    unit = rule.unit
    when = ""
    if inputs.start_date and inputs.planned_end and inputs.actual_end:
        planned = Decimal((inputs.planned_end - inputs.start_date).days)
        actual = Decimal((inputs.actual_end - inputs.start_date).days)
        unit = "天"
        when = f"计划{inputs.planned_end.isoformat()}完成，实际{inputs.actual_end.isoformat()}完成"
    if planned is None or actual is None:
        raise ScoringError(code, "需要计划完成时间和实际完成时间（或开始日期、计划完成日期、实际完成日期）")
    if planned <= 0:
        raise ScoringError(code, f"计划完成时间为 {number(planned)}{unit}，须大于 0")
    when = when or f"计划用时{_units(planned, unit)}，实际用时{_units(actual, unit)}"
    late = actual - planned
    if late <= 0:
        return Outcome(
            weight,
            f"计划 {number(planned)}{unit}，实际 {number(actual)}{unit}，按时完成，得满分 {number(weight)} 分。",
            f"按时完成（{when}）",
        )
    ratio = late / planned
    score = clamp(weight * (ONE - ratio), weight)
    tail = "超时一倍及以上，得 0 分" if ratio >= 1 else f"{number(weight)} × (1 − {pct(ratio)}) = {_q(score)!s}"
    return Outcome(
        score,
        f"计划 {number(planned)}{unit}，实际 {number(actual)}{unit}，"
        f"超时 {number(late)}{unit}（{pct(ratio)}），{tail}。",
        f"{when}，延期{_units(late, unit)}，超出计划时间{rate_text(ratio * HUNDRED)}",
    )


def _units(n: Decimal, unit: str) -> str:
    """A count of 天/月/年 in words: "35天", "2个月", "1年"."""
    return f"{number(n)}{'个月' if unit == '月' else unit}"


def _late_units(rule: TimelinessRule, inputs: Inputs, code: str) -> tuple[Decimal, str, str]:
    """How late, in the rule's unit, how it was counted, and the two times in words. With dates, a started
    month or year counts whole."""
    if inputs.planned_end and inputs.actual_end:
        p, a = inputs.planned_end, inputs.actual_end
        when = f"计划{p.isoformat()}完成，实际{a.isoformat()}完成"
        if rule.unit == "天":
            return Decimal((a - p).days), f"计划 {p.isoformat()} 完成，实际 {a.isoformat()} 完成", when
        months = (a.year - p.year) * 12 + a.month - p.month + (1 if a.day > p.day else 0)
        late = months if rule.unit == "月" else (months + 11) // 12 if months > 0 else 0
        said = f"计划 {p.isoformat()} 完成，实际 {a.isoformat()} 完成（不足一{rule.unit}按一{rule.unit}计）"
        return Decimal(late), said, when
    if inputs.planned_duration is None or inputs.actual_duration is None:
        raise ScoringError(code, "需要计划完成时间和实际完成时间（或计划完成日期和实际完成日期）")
    unit = rule.unit
    planned, actual = inputs.planned_duration, inputs.actual_duration
    said = f"计划 {number(planned)}{unit}，实际 {number(actual)}{unit}"
    return actual - planned, said, f"计划用时{_units(planned, unit)}，实际用时{_units(actual, unit)}"


def _timeliness_per_unit(rule: TimelinessRule, per: Decimal, weight: Decimal, inputs: Inputs, code: str) -> Outcome:
    late, said, when = _late_units(rule, inputs, code)
    if late <= 0:
        return Outcome(weight, f"{said}，按时完成，得满分 {number(weight)} 分。", f"按时完成（{when}）")
    lost = per * late
    score = clamp(weight - lost, weight)
    floor = "，扣完为止" if weight - lost < 0 else ""
    return Outcome(
        score,
        f"{said}，延期 {number(late)} {rule.unit}，每{rule.unit}扣 {number(per)} 分，共扣 {number(lost)} 分{floor}，"
        f"得 {number(score)} 分。",
        f"{when}，延期{_units(late, rule.unit)}",
    )


def score_checklist(rule: ChecklistRule, weight: Decimal, inputs: Inputs, code: str) -> Outcome:
    missing = [i.text for i in rule.items if i.key not in inputs.answers]
    if missing:
        raise ScoringError(code, f"以下各项尚未判断“是/否”：{'；'.join(missing)}")
    got = ZERO
    parts = []
    for item in rule.items:
        yes = inputs.answers[item.key]
        got += item.points if yes else ZERO
        parts.append(f"{item.text}：{'是' if yes else '否'}，{'得' if yes else '不得'} {number(item.points)} 分")
    unmet = [i.text for i in rule.items if not inputs.answers[i.key]]
    said = (
        sentences(_requirements("未满足", unmet), findings_words([f.text for f in inputs.findings]))
        if unmet
        else _requirements("符合", [i.text for i in rule.items])
    )
    return Outcome(clamp(got, weight), "；".join(parts) + f"；合计 {number(got)} 分。", said)


def _requirements(verb: str, texts: list[str]) -> str:
    """ "符合“甲”的要求", "未满足“甲”、“乙”2项要求"."""
    quoted = "、".join(f"“{t.strip().rstrip('。；')}”" for t in texts)
    return f"{verb}{quoted}的要求" if len(texts) == 1 else f"{verb}{quoted}{len(texts)}项要求"


def sentences(*parts: str) -> str:
    """Clauses of words joined as sentences ("甲。乙"), the empty ones left out, no closing full stop."""
    return "。".join(p.strip().rstrip("。") for p in parts if p.strip())


def _measured(rule: BandsRule, inputs: Inputs, code: str) -> tuple[Decimal, str]:
    if inputs.count is not None or inputs.of is not None:
        if inputs.count is None or inputs.of is None:
            raise ScoringError(code, "按个数计算时须同时填写个数（count）与总数（of）")
        if inputs.of == 0:
            raise ScoringError(code, "总数为 0，无法计算比例")
        if inputs.count > inputs.of:
            raise ScoringError(code, f"个数 {inputs.count} 大于总数 {inputs.of}")
        value = Decimal(inputs.count) / Decimal(inputs.of) * HUNDRED
        return value, f"{inputs.count} / {inputs.of} = {rate_text(value)}"
    try:
        q = require_quantity(inputs.value, what=rule.measure, code=code)
    except ValueParseError as e:
        raise ScoringError(code, str(e).split("：", 1)[-1]) from e
    if q.number < 0:
        raise ScoringError(code, f"{rule.measure}“{q.text}”为负数")
    if rule.unit == "%":
        if q.dimension not in (None, "百分比"):
            raise ScoringError(code, f"{rule.measure}应为百分比，收到“{q.text}”")
        value = q.base * HUNDRED if q.dimension == "百分比" else q.number
        return value, f"{number(value)}%"
    return q.base, number(q.base)


def score_bands(rule: BandsRule, weight: Decimal, inputs: Inputs, code: str) -> Outcome:
    value, shown = _measured(rule, inputs, code)
    sym = "≤" if rule.compare == "at_most" else "≥"
    measured = f"{rule.measure}{rate_text(value) if rule.unit == '%' else number(value)}"
    if inputs.count is not None and inputs.of is not None:
        measured += f"（{inputs.of}个中{inputs.count}个）"
    for i, band in enumerate(rule.bands):
        if band.limit is None:
            hit = True
            why = "不在前述各档"
        elif rule.compare == "at_most":
            hit = value <= band.limit
            why = f"{sym} {number(band.limit)}{rule.unit}"
        else:
            hit = value >= band.limit
            why = f"{sym} {number(band.limit)}{rule.unit}"
        if hit:
            pts = clamp(band.points, weight)
            said = f"{measured}，处于“{_band_label(rule, i)}”档" + (f"，得{number(pts)}分" if pts < weight else "")
            return Outcome(pts, f"{rule.measure} {shown}，{why}，得 {number(pts)} 分。", said)
    return Outcome(ZERO, f"{rule.measure} {shown}，不在任何一档，得 0 分。", f"{measured}，不在任何一档")


def _band_label(rule: BandsRule, index: int) -> str:
    """A band as the rule names it ("偏离度≤15%"), or as its threshold reads when it has no label."""
    band = rule.bands[index]
    if band.label.strip():
        return band.label.strip()
    if band.limit is not None:
        return f"{rule.measure}{'≤' if rule.compare == 'at_most' else '≥'}{number(band.limit)}{rule.unit}"
    previous = rule.bands[index - 1].limit if index else None
    if previous is None:
        return "其他情形"
    return f"{rule.measure}{'>' if rule.compare == 'at_most' else '<'}{number(previous)}{rule.unit}"


def score_qualitative(rule: QualitativeRule, weight: Decimal, inputs: Inputs, code: str) -> Outcome:
    if inputs.band is None or inputs.score is None:
        raise ScoringError(code, "定性指标须选择档次并填写该档区间内的得分")
    band = next((b for b in rule.bands if b.name == inputs.band), None)
    if band is None:
        raise ScoringError(code, f"档次“{inputs.band}”不存在，可选：{'、'.join(b.name for b in rule.bands)}")
    low = weight * band.low / HUNDRED
    high = weight * band.high / HUNDRED
    top = band.high == max(b.high for b in rule.bands)
    s = inputs.score
    inside = low <= s and (s <= high if top else s < high)
    if not inside:
        upper = f"{number(_q(high))}]" if top else f"{number(_q(high))})"
        raise ScoringError(
            code, f"得分 {number(s)} 不在“{band.name}”档的区间 [{number(_q(low))}, {upper} 内（分值 {number(weight)}）"
        )
    said = f"评价为“{band.name}”" + (
        f"档（分值的{number(band.low)}%–{number(band.high)}%），得{number(s)}分" if s < weight else ""
    )
    return Outcome(s, f"评价为“{band.name}”（{number(band.low)}%–{number(band.high)}%），得 {number(s)} 分。", said)


def score_manual(rule: ManualRule, weight: Decimal, inputs: Inputs, code: str) -> Outcome:
    if inputs.score is None:
        raise ScoringError(code, "直接评分须填写得分")
    if not inputs.justification.strip():
        raise ScoringError(code, "直接评分须写明理由")
    if inputs.score > weight:
        raise ScoringError(code, f"得分 {number(inputs.score)} 超过指标分值 {number(weight)}")
    reason = inputs.justification.strip()
    return Outcome(inputs.score, f"直接评分 {number(inputs.score)} 分，理由：{reason}", reason.rstrip("。；"))


def score_composite(rule: CompositeRule, weight: Decimal, inputs: Inputs, code: str, target_text: str) -> Outcome:
    total = ZERO
    texts = []
    met: list[str] = []
    short: list[str] = []
    for part in rule.parts:
        sub = inputs.parts.get(part.key, Inputs())
        routed = [f for f in inputs.findings if f.part == part.key]
        if routed:
            sub = sub.model_copy(update={"findings": list(sub.findings) + routed})
        if part.key not in inputs.parts and not routed and not isinstance(part.rule, DeductionRule):
            raise ScoringError(code, f"组合指标的部分“{part.name}”尚无评分输入")
        out = score_rule(part.rule, part.weight, sub, code=code, target_text=target_text)
        total += out.score
        texts.append(f"{part.name}（{number(part.weight)} 分）：{out.explanation}")
        (short if out.score < part.weight else met).append(_part_words(part.name, out.words))
    score = clamp(total, weight)
    if score < weight:
        # the findings no part was named for describe the indicator as a whole: they come first
        unrouted = findings_words([f.text for f in inputs.findings if f.part is None])
        said = sentences(unrouted, *short)
    else:
        said = "；".join(met)
    return Outcome(score, " ".join(texts) + f" 合计 {_q(score)!s} 分。", said)


def _part_words(name: str, words: str) -> str:
    """A composite part's words under its name: "规划与论证：未满足……", or, when the words begin with what the
    name ends with, run together: "绩效目标偏离度" + "偏离度33.33%……" → "绩效目标偏离度33.33%……"."""
    for k in range(min(len(name), len(words)), 1, -1):
        if name.endswith(words[:k]):
            return name + words[k:]
    return f"{name}：{words}"


def score_rule(rule: AnyRule, weight: Decimal, inputs: Inputs, *, code: str, target_text: str = "") -> Outcome:
    """Score one rule. Raises :class:`ScoringError` with a Chinese message when inputs are unusable."""
    if isinstance(rule, DeductionRule):
        return score_deduction(rule, weight, inputs, code)
    if isinstance(rule, RatioRule):
        return score_ratio(rule, weight, inputs, code, target_text)
    if isinstance(rule, CompositeRatioRule):
        return score_composite_ratio(rule, weight, inputs, code)
    if isinstance(rule, TimelinessRule):
        return score_timeliness(rule, weight, inputs, code)
    if isinstance(rule, ChecklistRule):
        return score_checklist(rule, weight, inputs, code)
    if isinstance(rule, BandsRule):
        return score_bands(rule, weight, inputs, code)
    if isinstance(rule, QualitativeRule):
        return score_qualitative(rule, weight, inputs, code)
    if isinstance(rule, CompositeRule):
        return score_composite(rule, weight, inputs, code, target_text)
    if isinstance(rule, ManualRule):
        return score_manual(rule, weight, inputs, code)
    raise ScoringError(code, f"扣分项规则不能用于三级指标（{rule.method}）")


def _q(d: Decimal) -> Decimal:
    """Display quantum for intermediate numbers in explanations (the score itself is rounded by the template)."""
    return two(d)


# --------------------------------------------------------------------------- indicators


@dataclass(frozen=True)
class Scored:
    """One indicator scored: the final score (an override's when there is one), the rule's own score, the
    status, the explanation (the arithmetic, then any adjustment), the input error, the result in words."""

    score: Decimal | None
    computed: Decimal | None
    status: str
    explanation: str
    error: str = ""
    words: str = ""


def adjustment_note(computed: Decimal | None, override: Override) -> str:
    """What the explanation appends for a score set by hand: "规则计算为 4 分，调整为 3 分，理由：……"."""
    before = f"规则计算为 {number(computed)} 分，" if computed is not None else ""
    return f"{before}调整为 {number(override.score)} 分，理由：{override.reason.strip()}"


def split_adjustment(explanation: str, override: Override | None) -> tuple[str, Decimal | None]:
    """The rule's own explanation (``explanation`` without the :func:`adjustment_note` the engine appended)
    and the score the rule computed (None when it could not, or when nothing was adjusted)."""
    if override is None:
        return explanation, None
    adjusted = re.escape(f"调整为 {number(override.score)} 分，理由：{override.reason.strip()}")
    found = re.search(rf"\s*(?:规则计算为 (\S+) 分，)?{adjusted}$", explanation)
    if found is None:
        return explanation, None
    computed = Decimal(found.group(1)) if found.group(1) else None
    return explanation[: found.start()], computed


def score_indicator(indicator: Indicator, assessment: Assessment | None, rounding: Rounding) -> Scored:
    """One indicator's final and computed scores, status, explanation, input error and result in words."""
    if assessment is None:
        return Scored(None, None, "未评", "尚未评分。")
    computed: Decimal | None = None
    error = ""
    words = ""
    try:
        out = score_rule(
            indicator.rule,
            indicator.weight,
            assessment.inputs,
            code=indicator.code,
            target_text=indicator.target,
        )
        computed = min(rounding.apply(clamp(out.score, indicator.weight)), indicator.weight)
        explanation = out.explanation
        words = out.words
        if computed != out.score:
            explanation += f"（按{rounding.describe()}记 {number(computed)} 分）"
    except ScoringError as e:
        error = e.detail
        explanation = f"无法按规则计算：{e.detail}"
    if assessment.override is not None:
        o = assessment.override
        explanation += " " + adjustment_note(computed, o)
        return Scored(o.score, computed, assessment.status, explanation, error, words)
    if computed is None:
        return Scored(None, None, "输入有误", explanation, error)
    return Scored(computed, computed, assessment.status, explanation, "", words)


def score_penalty(item: PenaltyItem, assessment: Assessment | None) -> PenaltyResult:
    rule: PenaltyRule = item.rule
    if assessment is None:
        return PenaltyResult(item.code, item.name, ZERO, "未评", "尚未核查。")
    findings = assessment.inputs.findings
    texts = tuple(f.text for f in findings)
    if not findings:
        return PenaltyResult(item.code, item.name, ZERO, assessment.status, "未发现问题，不扣分。", texts)
    raw = sum((_finding_points(f, rule.points_per_problem) for f in findings), ZERO)
    pts = min(raw, rule.cap) if rule.cap is not None else raw
    cap = f"，超过本项上限按 {number(pts)} 分计" if pts < raw else ""
    return PenaltyResult(
        item.code,
        item.name,
        pts,
        assessment.status,
        f"发现 {len(findings)} 个问题：{_findings_text(findings, rule.points_per_problem)}；"
        f"共扣 {number(raw)} 分{cap}。",
        texts,
    )


def rate_of(score: Decimal, weight: Decimal) -> Decimal | None:
    if weight == 0:
        return None
    return two(score / weight * HUNDRED)


def score_system(system: IndicatorSystem, assessments: list[Assessment], evaluation_id: str = "") -> EvaluationResult:
    by_code = {a.code: a for a in assessments}
    rows: list[IndicatorResult] = []
    errors: list[str] = []
    for l1, g, ind in system.indicators():
        a = by_code.get(ind.code)
        scored = score_indicator(ind, a, system.rounding_for(ind))
        final, computed, error = scored.score, scored.computed, scored.error
        if error and final is None:
            errors.append(f"指标 {ind.code}（{ind.name}）：{error}")
        rows.append(
            IndicatorResult(
                code=ind.code,
                level1_code=l1.code,
                level1=l1.name,
                level2_code=g.code,
                level2=g.name,
                name=ind.name,
                weight=ind.weight,
                status=scored.status,
                score=final,
                computed=computed,
                deduction=None if final is None else ind.weight - final,
                rate=None if final is None else rate_of(final, ind.weight),
                method=ind.method_label,
                rule=ind.rule_in_words(),
                explanation=scored.explanation,
                overridden=a is not None and a.override is not None,
                override_reason=a.override.reason if a is not None and a.override is not None else "",
                error=error,
                findings=tuple(f.text for f in a.inputs.findings) if a is not None else (),
                words=scored.words,
            )
        )
    penalties = tuple(score_penalty(item, by_code.get(item.code)) for item in system.penalty_items())
    return assemble(system, rows, penalties, evaluation_id, errors)


def assemble(
    system: IndicatorSystem,
    rows: list[IndicatorResult],
    penalties: tuple[PenaltyResult, ...],
    evaluation_id: str = "",
    errors: list[str] | None = None,
) -> EvaluationResult:
    """The result of scored rows: group subtotals at both levels, the 扣分项 (capped), total and grade."""
    by_level1: dict[str, list[IndicatorResult]] = {}
    by_level2: dict[str, list[IndicatorResult]] = {}
    for r in rows:
        by_level1.setdefault(r.level1_code, []).append(r)
        by_level2.setdefault(r.level2_code, []).append(r)
    groups: list[GroupResult] = []
    for l1 in system.groups:
        groups.append(_group(1, l1.code, l1.name, "", by_level1.get(l1.code, [])))
        for g in l1.groups:
            groups.append(_group(2, g.code, g.name, l1.code, by_level2.get(g.code, [])))
    raw_pen = sum((p.points for p in penalties), ZERO)
    cap = system.penalties.cap if system.penalties else ZERO
    penalty_total = min(raw_pen, cap)
    subtotal = sum((r.score for r in rows if r.score is not None), ZERO)
    total = max(ZERO, subtotal - penalty_total)
    by_evidence = sum((_evidence_score(r) for r in rows), ZERO)
    evidence_total = max(ZERO, by_evidence - penalty_total)
    return EvaluationResult(
        evaluation_id=evaluation_id,
        indicators=tuple(rows),
        groups=tuple(groups),
        penalties=penalties,
        weight_total=sum((r.weight for r in rows), ZERO),
        subtotal=subtotal,
        penalty_total=penalty_total,
        total=total,
        grade=system.grade_for(total),
        scored=sum(1 for r in rows if r.score is not None),
        count=len(rows),
        errors=tuple(errors or ()),
        evidence_total=evidence_total,
        evidence_grade=system.grade_for(evidence_total),
    )


def _evidence_score(r: IndicatorResult) -> Decimal:
    """What an indicator adds to the total by evidence: the rules' score, never an override."""
    value = r.computed if r.overridden else r.score
    return value if value is not None else ZERO


def _group(level: int, code: str, name: str, parent: str, rows: list[IndicatorResult]) -> GroupResult:
    weight = sum((r.weight for r in rows), ZERO)
    scored = [r for r in rows if r.score is not None]
    score = sum((r.score for r in scored if r.score is not None), ZERO)
    scored_weight = sum((r.weight for r in scored), ZERO)
    return GroupResult(
        level=level,
        code=code,
        name=name,
        parent=parent,
        weight=weight,
        score=score,
        deduction=scored_weight - score,
        rate=rate_of(score, scored_weight) if scored else None,
        scored=len(scored),
        count=len(rows),
    )


def score(evaluation: Evaluation) -> EvaluationResult:
    """Score an evaluation from its recorded evidence."""
    return score_system(evaluation.system, evaluation.assessments, evaluation.id)
