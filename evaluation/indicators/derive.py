"""A machine rule from the 评分标准 a client wrote, where the wording is one of the standard ones.

Client indicator tables state their scoring in words. The wordings agencies meet again and again are
recognised here and turned into a rule of the closed registry (``evaluation.indicators.rules``):

- checklist: "①…得1分；②…得1分" (each item its points), and the single yes/no "…得N分；否则不得分";
- deduction: "每发现一处问题扣N分，扣完为止";
- ratio: "实际/计划×分值", "得分=完成率×分值", "分值×实际完成值÷年度指标值"; reverse: "标准/实际×分值",
  "得分=分值×(1−超出额÷预算数)"; both directions by the target's comparator when the text gives both;
  and "每低于/超出1%扣N分";
- composite ratio: "财政资金拨付率×3+单位资金使用率×3";
- bands: "≥90%得10分；80%（含）—90%得8分；…；70%以下不得分" (either direction);
- timeliness: the (1−(实际−计划)÷计划)×分值 formula and "按时完成得N分，每延期1个月扣M分"
  ("按时完成得N分，否则不得分" is a yes/no item);
- qualitative bands: "好（8-10分）、较好（5-7分）、差（0-4分）", "在分值的100%–80%之间…";
- composite: numbered sections ("1. …得1分；…得3分。2. 偏离度…") each of the kinds above;
- penalty (扣分项): "每发现一个问题扣N分，最多扣M分".

Anything else becomes 直接评分 with the text kept, and the result says so. Nothing is guessed: points that
do not add up to the weight make the indicator 直接评分, with the reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError

from evaluation.formatting import number, quantize
from evaluation.indicators.rules import (
    METHOD_NAMES,
    AnyRule,
    Band,
    BandsRule,
    ChecklistItem,
    ChecklistRule,
    CompositePart,
    CompositeRatioRule,
    CompositeRule,
    DeductionRule,
    ManualRule,
    PartRule,
    PenaltyRule,
    QualitativeBand,
    QualitativeRule,
    RatioDirection,
    RatioPart,
    RatioRule,
    ReverseVariant,
    TimelinessRule,
    describe_rule,
    rule_weight_problems,
)

NUM = r"(\d+(?:\.\d+)?)"
PCT = r"(\d+(?:\.\d+)?)\s*%?"
INF = Decimal("Infinity")
UNKNOWN = "评分标准未能识别为标准的计分方式，按直接评分处理（保留原文）"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮"
_POINTS = re.compile(r"得\s*" + NUM + r"\s*分")
_FULL = re.compile(r"得\s*满分")
_ZERO = re.compile(r"不得分|得\s*0\s*分|不计分")
_ELSE = re.compile(r"(否则|未达到|不符合|不满足|未做到|没有做到)[^;。]*?(不得分|得\s*0\s*分)")


@dataclass(frozen=True)
class Derived:
    """The rule read from a 评分标准 text: the rule, its kind as the client would name it, the rule in words,
    and what could not be derived (empty when the wording was recognised)."""

    rule: AnyRule
    method: str  # 是否评分法 / 缺（错）项扣分法 / 比率分值法 … / 直接评分
    words: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def exact(self) -> bool:
        return not self.notes and not isinstance(self.rule, ManualRule)


def normalise(text: str) -> str:
    """Full-width digits and punctuation as ASCII (NFKC), circled numbers kept, spaces squeezed."""
    kept = {c: f"\x00{i}\x00" for i, c in enumerate(_CIRCLED)}
    for c, mark in kept.items():
        text = text.replace(c, mark)
    text = unicodedata.normalize("NFKC", text)
    for c, mark in kept.items():
        text = text.replace(mark, c)
    text = text.replace("，", ",").replace("；", ";").replace("：", ":").replace("−", "-").replace("–", "-")
    return re.sub(r"[ \t\u3000]+", " ", text.replace("\r", "\n")).strip()


def _dec(text: str | None) -> Decimal | None:
    try:
        return Decimal(text) if text is not None else None
    except InvalidOperation:
        return None


def derive_rule(text: str, weight: Decimal, *, penalty: bool = False, cap: Decimal | None = None) -> Derived:
    """The rule a 评分标准 text states for an indicator of ``weight`` points (a 扣分项 when ``penalty``)."""
    t = normalise(text)
    if penalty:
        return _penalty(t, weight, cap)
    if not t:
        return _manual(weight, "评分标准为空，按直接评分处理")
    composite = _composite(t, weight)
    if composite is not None:
        return composite
    rule = _read(t, weight)
    if rule is None:
        return _manual(weight, UNKNOWN)
    return _made(rule, weight)


def _read(t: str, weight: Decimal) -> PartRule | None:
    """The first reader that recognises the text (most specific first)."""
    for reader in _READERS:
        rule = reader(t, weight)
        if rule is not None:
            return rule
    return None


def _made(rule: AnyRule, weight: Decimal, notes: tuple[str, ...] = ()) -> Derived:
    problems = rule_weight_problems(rule, weight)
    if problems:
        return _manual(weight, "；".join(problems) + "，按直接评分处理（保留原文）")
    return Derived(rule, METHOD_NAMES[rule.method], describe_rule(rule, weight), notes)


def _manual(weight: Decimal, why: str) -> Derived:
    rule = ManualRule(method="manual")
    return Derived(rule, METHOD_NAMES["manual"], describe_rule(rule, weight), (why,))


# --------------------------------------------------------------------------- 扣分项


def _penalty(t: str, weight: Decimal, cap: Decimal | None) -> Derived:
    m = re.search(r"扣\s*" + NUM + r"\s*分", t)
    limit = re.search(r"(?:最多|最高|上限|累计)[^;。,\d]{0,6}" + NUM + r"\s*分", t)
    stated = _dec(limit.group(1)) if limit else None
    if stated is None:
        stated = cap if cap is not None else (abs(weight) or None)
    notes = () if m else ("扣分项未写明每个问题扣几分，按每个问题扣 1 分处理",)
    per = _dec(m.group(1)) if m else None
    rule = PenaltyRule(method="penalty", points_per_problem=per or Decimal(1), cap=stated)
    return Derived(rule, METHOD_NAMES["penalty"], describe_rule(rule, stated or Decimal(0)), notes)


# --------------------------------------------------------------------------- readers


_PER_FINDING = re.compile(
    r"(?:每(?:发现|出现|有|存在)?[^;。]{0,80}?|(?:发现|出现|存在)?一(?:处|项|次|个|条)[^;。]{0,30}?)扣\s*"
    + NUM
    + r"\s*分"
)
_PER_CHANGE = re.compile(r"每(?:低于|少于|超出|超过|高于|减少|下降|降低|增加|延期|延迟|推迟|逾期|超期)")


def _deduction(t: str, weight: Decimal) -> PartRule | None:
    m = _PER_FINDING.search(t)
    if m is None or _PER_CHANGE.search(t):
        return None
    per = _dec(m.group(1))
    return DeductionRule(method="deduction", points_per_finding=per) if per else None


_RATIO_PART = re.compile(r"([\u4e00-\u9fff]{2,12}率)\s*(?:×\s*100%\s*)?[×x*]\s*" + NUM + r"(?!\s*%)")


def _composite_ratio(t: str, weight: Decimal) -> PartRule | None:
    parts = _RATIO_PART.findall(t)
    if len(parts) < 2 or "+" not in t:
        return None
    try:
        return CompositeRatioRule(
            method="composite_ratio",
            parts=[RatioPart(key=f"p{i}", name=name, weight=Decimal(w)) for i, (name, w) in enumerate(parts, 1)],
        )
    except ValidationError:
        return None


_PER_PERCENT = re.compile(
    r"每(低于|少于|减少|下降|降低|超出|超过|高于|增加)[\u4e00-\u9fff]{0,4}\s*(?:1|一)\s*(?:%|个百分点)"
    r"[^;。]{0,6}?扣\s*" + NUM + r"\s*分"
)


def _per_percent(t: str, weight: Decimal) -> PartRule | None:
    m = _PER_PERCENT.search(t)
    per = _dec(m.group(2)) if m else None
    if m is None or not per:
        return None
    reverse = m.group(1) in ("超出", "超过", "高于", "增加")
    return RatioRule(
        method="ratio", direction=RatioDirection.reverse if reverse else RatioDirection.positive, points_per_percent=per
    )


_TIME_FORMULA = re.compile(
    r"实际[\u4e00-\u9fff]{0,4}\s*-\s*计划[\u4e00-\u9fff]{0,4}\s*\)?\s*[/÷]\s*计划|1\s*-\s*超出时间\s*[/÷]"
)
_PER_UNIT_LATE = re.compile(
    r"每(?:延期|延迟|推迟|逾期|超期)\s*(?:1|一)\s*(?:个)?(天|日|月|年)[^;。]{0,6}?扣\s*" + NUM + r"\s*分"
)


def _timeliness(t: str, weight: Decimal) -> PartRule | None:
    if _TIME_FORMULA.search(t):
        return TimelinessRule(method="timeliness")
    late = _PER_UNIT_LATE.search(t)
    per = _dec(late.group(2)) if late else None
    if late is None or not per:
        return None  # "按时完成得N分，否则不得分" is a yes/no item: the checklist reader takes it
    unit = "天" if late.group(1) in ("天", "日") else late.group(1)
    return TimelinessRule(method="timeliness", unit=unit, points_per_unit=per)


_OVERRUN_LINEAR = re.compile(r"1\s*-\s*超(?:出|支|过)(?:额|部分|金额)?\s*[/÷]")
_REVERSE = re.compile(
    r"(标准|目标|计划|预算|定额|指标)(值|数|成本|金额|费用)?\s*[/÷]\s*实际|"
    r"(分值|权重|\d)\s*[×x*]\s*(?:年度)?(?:指标|目标|计划|标准)值?\s*[/÷]\s*实际"
)
_FORWARD = re.compile(
    r"(实际|完成)[^;。/÷]{0,12}[/÷][^;。]{0,16}(计划|目标|预期|预算|应|指标值)|"
    r"[\u4e00-\u9fff]*(率|度)\s*[×x*]\s*(分值|权重|该指标分值|\d)|"
    r"(分值|权重|\d)\s*[×x*]\s*[\u4e00-\u9fff()]{1,14}\s*([/÷]|,|;|$|最高)|"
    r"按(完成)?比例(计|得|给)分"
)
_BOTH_WAYS = re.compile(r"正向.*反向|≥\s*X.*≤\s*X", re.DOTALL)


def _ratio(t: str, weight: Decimal) -> PartRule | None:
    if _OVERRUN_LINEAR.search(t):
        return RatioRule(
            method="ratio", direction=RatioDirection.reverse, reverse_variant=ReverseVariant.overrun_linear
        )
    forward, reverse = _FORWARD.search(t), _REVERSE.search(t)
    if forward and reverse and _BOTH_WAYS.search(t):
        return RatioRule(method="ratio", direction=RatioDirection.auto)
    if reverse:
        return RatioRule(method="ratio", direction=RatioDirection.reverse)
    if forward:
        return RatioRule(method="ratio", direction=RatioDirection.positive)
    return None


# ..................................................................... bands

_RANGE = re.compile(
    r"(?<!不)(?:超过|高于|大于|>)?\s*" + PCT + r"\s*(?:\(含\))?\s*"
    r"(?:[-—~～至到]|≤?\s*[\u4e00-\u9fffA-Za-z]{0,6}\s*<|但?\s*(?:不超过|不高于|不大于|≤))\s*" + PCT
)
_ABOVE = re.compile(
    r"(?:≥|>=|>|大于等于|(?<!不)大于|不低于|不少于|达到|(?<!不)超过|(?<!不)高于)\s*"
    + PCT
    + r"|"
    + PCT
    + r"\s*(?:\(含\))?\s*(?:及)?以上"
)
_BELOW = re.compile(
    r"(?:≤|<=|<|小于等于|(?<!不)小于|不超过|不高于|(?<!不)低于|(?<!不)少于)\s*"
    + PCT
    + r"|"
    + PCT
    + r"\s*(?:\(含\))?\s*(?:及)?(?:以下|以内)"
)
_NONE_FOUND = re.compile(r"^(?:[^\d%]*?,)?\s*(?:未发现|没有发现|没有|无)[^\d%]*$")


def _clauses(t: str) -> list[str]:
    return [c.strip() for c in re.split(r"[;。\n]|,(?=[^,;。]*(?:得|不得分))", t) if c.strip()]


def _clause_points(c: str, weight: Decimal) -> Decimal | None:
    if _ZERO.search(c):
        return Decimal(0)
    if _FULL.search(c):
        return weight
    m = _POINTS.search(c)
    return _dec(m.group(1)) if m else None


def _interval(c: str) -> tuple[Decimal, Decimal] | None:
    """The measured range a clause names: (low, high), an open end as ∓Infinity; "未发现…的" is exactly 0."""
    head = re.split(r"得|不得分", c)[0]
    if _NONE_FOUND.match(head):
        return -INF, Decimal(0)
    rng = _RANGE.search(head)
    if rng:
        return Decimal(rng.group(1)), Decimal(rng.group(2))
    above, below = _ABOVE.search(head), _BELOW.search(head)
    if above and not below:
        return Decimal(above.group(1) or above.group(2)), INF
    if below and not above:
        return -INF, Decimal(below.group(1) or below.group(2))
    return None


def _bands(t: str, weight: Decimal) -> PartRule | None:
    found: list[tuple[Decimal, Decimal, Decimal]] = []  # (low, high, points) in the order written
    for c in _clauses(t):
        pts = _clause_points(c, weight)
        span = _interval(c) if pts is not None else None
        if pts is not None and span is not None:
            found.append((span[0], span[1], pts))
    if len(found) < 2 or all(lo > -INF and hi < INF for lo, hi, _ in found):
        return None
    if found[0][1] == INF:  # from the top down: ≥90 得 10；80–90 得 8；…；以下 …
        ordered = sorted(found, key=lambda x: x[0], reverse=True)
        bands = [Band(limit=None if lo == -INF else lo, points=pts) for lo, _, pts in ordered]
        compare = "at_least"
    else:  # from the bottom up: ≤15 得 2；15–30 得 1；>30 不得分
        ordered = sorted(found, key=lambda x: x[1])
        bands = [Band(limit=None if hi == INF else hi, points=pts) for _, hi, pts in ordered]
        compare = "at_most"
    if bands[-1].limit is not None:
        bands.append(Band(limit=None, points=Decimal(0)))
    try:
        return BandsRule(
            method="bands", measure=_measure(t), unit="%" if "%" in t else "", compare=compare, bands=bands
        )
    except ValidationError:
        return None


def _measure(t: str) -> str:
    m = re.search(r"([\u4e00-\u9fff]{2,10}?(?:率|度|比例|占比))", t)
    return m.group(1) if m else "完成率"


# ..................................................................... qualitative

_QUAL_POINTS = re.compile(NUM + r"\s*(?:分\s*)?[-—~～至到]\s*" + NUM + r"\s*分")
_QUAL_SHARE = re.compile(r"(\d+(?:\.\d+)?)\s*%\s*[-—~～至到]\s*(\d+(?:\.\d+)?)\s*%?")
_QUAL_BELOW = re.compile(NUM + r"\s*(%|分)\s*以下")
_THREE = ("达成", "部分达成", "未达成")


def _qualitative(t: str, weight: Decimal) -> PartRule | None:
    """Bands the evaluator chooses among, each a range of points (or of the weight's percent)."""
    if weight <= 0:
        return None
    ranges = _qualitative_ranges(_clauses(t), t, weight)
    if len(ranges) < 2:
        ranges = _qualitative_ranges(re.split(r"[、,;。]", t), t, weight)
    if len(ranges) < 2:
        return None
    ranges.sort(key=lambda r: r[2], reverse=True)
    if ranges[0][2] != 100:
        return None
    given = [n for n, _, _ in ranges]
    if all(given) and len(set(given)) == len(given):
        names = given
    else:
        names = list(_THREE) if len(ranges) == 3 else [f"第{i}档" for i in range(1, len(ranges) + 1)]
    bands = []
    for i, (_, lo, hi) in enumerate(ranges):
        upper = hi if i == 0 else ranges[i - 1][1]  # contiguous: a band reaches the next one's lower end
        bands.append(QualitativeBand(name=names[i], low=_plain(lo), high=_plain(upper)))
    try:
        return QualitativeRule(method="qualitative", bands=bands)
    except ValidationError:
        return None


def _qualitative_ranges(clauses: list[str], t: str, weight: Decimal) -> list[tuple[str, Decimal, Decimal]]:
    """(name, low %, high %) of each clause that names a range of points or of the weight's percent."""
    ranges: list[tuple[str, Decimal, Decimal]] = []
    for c in clauses:
        name = _band_name(c)
        pts, share, below = _QUAL_POINTS.search(c), _QUAL_SHARE.search(c), _QUAL_BELOW.search(c)
        if pts:
            lo, hi = sorted((Decimal(pts.group(1)), Decimal(pts.group(2))))
            ranges.append((name, lo / weight * 100, hi / weight * 100))
        elif share and ("分值" in t or "权重" in t):
            lo, hi = sorted((Decimal(share.group(1)), Decimal(share.group(2))))
            ranges.append((name, lo, hi))
        elif below and ranges:
            value = Decimal(below.group(1))
            ranges.append((name, Decimal(0), value if below.group(2) == "%" else value / weight * 100))
    return ranges


def _plain(d: Decimal) -> Decimal:
    """80.0 → 80, 83.3300 → 83.33: the value without trailing zeros (and without an exponent)."""
    return Decimal(number(quantize(d, 4)))


def _band_name(c: str) -> str:
    m = re.match(r"\s*([\u4e00-\u9fff]{1,6})\s*[(得:]", c)
    return m.group(1) if m else ""


# ..................................................................... checklist


def _checklist(t: str, weight: Decimal) -> PartRule | None:
    items: list[tuple[str, Decimal]] = []
    for piece in _items(t):
        full = _FULL.search(piece)
        m = _POINTS.search(piece)
        pts = weight if full and not m else (_dec(m.group(1)) if m else None)
        if not pts:
            continue
        text = (_POINTS.split(piece)[0] if m else _FULL.split(piece)[0]).strip(" ,;:的")
        items.append((text or f"第 {len(items) + 1} 项", pts))
    if not items:
        return None
    try:
        return ChecklistRule(
            method="checklist",
            items=[ChecklistItem(key=f"i{n}", text=text, points=pts) for n, (text, pts) in enumerate(items, 1)],
        )
    except ValidationError:
        return None


def _items(t: str) -> list[str]:
    """The clauses that each carry their points: enumerated items, else the ;-separated clauses."""
    body = _ELSE.sub("", t)
    if re.search(f"[{_CIRCLED}]|\\(\\d+\\)", body):
        pieces = re.split(f"[{_CIRCLED}]|\\(\\d+\\)", body)
    else:
        pieces = re.split(r"[;。\n]", body)
    out = []
    for p in pieces:
        p = re.sub(r"^\s*\d+[.、)](?!\d)\s*", "", p).strip()
        if p and (_POINTS.search(p) or _FULL.search(p)):
            out.append(p)
    return out


_READERS: tuple[Callable[[str, Decimal], PartRule | None], ...] = (
    _composite_ratio,
    _per_percent,
    _timeliness,
    _ratio,
    _bands,
    _qualitative,
    _deduction,
    _checklist,
)


# ..................................................................... composite

_SECTION = re.compile(r"(?:^|(?<=[。;\n]))\s*(\d+)[.、](?!\d)")
_SECTION_WEIGHT = re.compile(r"^[^;。:]{0,20}?[(（]\s*" + NUM + r"\s*分\s*[)）]")


def _composite(t: str, weight: Decimal) -> Derived | None:
    """Numbered sections of different kinds ("1. …得1分；…得3分。2. 偏离度≤15%得2分…")."""
    starts = [m.start(1) for m in _SECTION.finditer(t)]
    if len(starts) < 2:
        return None
    sections = [t[a:b].strip() for a, b in zip(starts, [*starts[1:], len(t)], strict=True)]
    parts: list[CompositePart] = []
    for i, s in enumerate(sections, 1):
        body = re.sub(r"^\d+[.、]\s*", "", s)
        rule = _read(body, weight)
        part_weight = _part_weight(body, rule)
        if rule is None or part_weight is None:
            return None
        if isinstance(rule, ChecklistRule) and all(isinstance(p.rule, ChecklistRule) for p in parts):
            pass
        parts.append(CompositePart(key=f"s{i}", name=_part_name(body, i), weight=part_weight, rule=rule))
    if all(isinstance(p.rule, ChecklistRule) for p in parts):
        return None  # plain enumerated items: one checklist
    try:
        return _made(CompositeRule(method="composite", parts=parts), weight)
    except ValidationError:
        return None


def _part_weight(body: str, rule: PartRule | None) -> Decimal | None:
    stated = _SECTION_WEIGHT.match(body)
    if stated:
        return Decimal(stated.group(1))
    if isinstance(rule, ChecklistRule):
        return sum((i.points for i in rule.items), Decimal(0))
    if isinstance(rule, BandsRule):
        return max(b.points for b in rule.bands)
    return None


def _part_name(body: str, i: int) -> str:
    m = re.match(r"([\u4e00-\u9fff]{2,12})\s*[(（:]", body)
    if m:
        return m.group(1)
    if isinstance(_bands(body, Decimal(0)), BandsRule):
        return _measure(body)
    return f"第{i}部分"
