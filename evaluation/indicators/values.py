"""Parsing of target (目标值) and actual (实际值) texts.

Texts such as "≥90%", "不少于30人", "已支出4.98万元", "签约金额2亿元以上" or "2024年12月" are read into
an operator, a number with its unit (converted to a base unit) or a date. Texts without a
number ("良好", "有效提升") are qualitative. Nothing is guessed: a text with several numbers is
reported as ambiguous and a quantitative rule refuses it with a message naming the text.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import lru_cache

from evaluation.errors import ValueParseError
from evaluation.formatting import number
from evaluation.limits import NUMBER_DIGITS


class Op(StrEnum):
    """Comparison a target or actual text states."""

    GE = "≥"
    GT = ">"
    LE = "≤"
    LT = "<"
    EQ = "="

    @property
    def label(self) -> str:
        return self.value


@dataclass(frozen=True)
class Unit:
    """A unit: its text, the dimension it measures and the factor to the base unit."""

    text: str
    dimension: str
    factor: Decimal


def _u(text: str, dimension: str, factor: str = "1") -> Unit:
    return Unit(text, dimension, Decimal(factor))


# Longest texts first, so that 万元 wins over 元 and 平方米 over 米.
_UNITS: tuple[Unit, ...] = tuple(
    sorted(
        [
            _u("亿元", "人民币", "100000000"),
            _u("万元", "人民币", "10000"),
            _u("千元", "人民币", "1000"),
            _u("元", "人民币"),
            _u("万美元", "美元", "10000"),
            _u("亿美元", "美元", "100000000"),
            _u("美元", "美元"),
            _u("%", "百分比", "0.01"),
            _u("％", "百分比", "0.01"),
            _u("‰", "百分比", "0.001"),
            _u("平方米", "面积"),
            _u("平米", "面积"),
            _u("㎡", "面积"),
            _u("万平方米", "面积", "10000"),
            _u("平方公里", "面积", "1000000"),
            _u("亩", "面积（亩）"),
            _u("公里", "长度", "1000"),
            _u("千米", "长度", "1000"),
            _u("米", "长度"),
            _u("吨", "重量"),
            _u("人次", "人次"),
            _u("批次", "批次"),
            _u("人", "人"),
            _u("次", "次"),
            _u("个", "个"),
            _u("户", "户"),
            _u("家", "家"),
            _u("项", "项"),
            _u("场", "场"),
            _u("期", "期"),
            _u("篇", "篇"),
            _u("幅", "幅"),
            _u("件", "件"),
            _u("份", "份"),
            _u("所", "所"),
            _u("台", "台"),
            _u("套", "套"),
            _u("册", "册"),
            _u("批", "批"),
            _u("条", "条"),
            _u("座", "座"),
            _u("处", "处"),
            _u("名", "人"),
            _u("天", "天"),
            _u("日", "天"),
            _u("个月", "月"),
            _u("月", "月"),
            _u("年", "年"),
            _u("小时", "小时"),
        ],
        key=lambda u: -len(u.text),
    )
)

# Bare magnitudes ("20亿以上", "3万人"): multiply and leave the unit to what follows.
_MAGNITUDES = {"亿": Decimal("100000000"), "万": Decimal("10000"), "千": Decimal("1000")}

_PREFIX_OPS: tuple[tuple[str, Op], ...] = (
    ("大于等于", Op.GE),
    ("大于或等于", Op.GE),
    ("不少于", Op.GE),
    ("不低于", Op.GE),
    ("不小于", Op.GE),
    ("至少", Op.GE),
    ("≥", Op.GE),
    (">=", Op.GE),
    ("＞＝", Op.GE),
    ("≧", Op.GE),
    ("小于等于", Op.LE),
    ("小于或等于", Op.LE),
    ("不超过", Op.LE),
    ("不高于", Op.LE),
    ("不多于", Op.LE),
    ("不大于", Op.LE),
    ("控制在", Op.LE),
    ("≤", Op.LE),
    ("<=", Op.LE),
    ("＜＝", Op.LE),
    ("≦", Op.LE),
    ("大于", Op.GT),
    ("高于", Op.GT),
    ("超过", Op.GT),
    (">", Op.GT),
    ("＞", Op.GT),
    ("小于", Op.LT),
    ("低于", Op.LT),
    ("<", Op.LT),
    ("＜", Op.LT),
    ("等于", Op.EQ),
    ("=", Op.EQ),
    ("＝", Op.EQ),
)

_SUFFIX_OPS: tuple[tuple[str, Op], ...] = (
    ("及以上", Op.GE),
    ("以上", Op.GE),
    ("及以下", Op.LE),
    ("以下", Op.LE),
    ("以内", Op.LE),
    ("之内", Op.LE),
    ("底前", Op.LE),
    ("前", Op.LE),
)

_NUMBER = re.compile(r"(?<![\d.])-?\d+(?:,\d{3})*(?:\.\d+)?")
_DATE_CN = re.compile(
    r"(?<!\d)(?P<y>(?:19|20|21)\d{2})\s*年\s*(?:(?P<m>1[0-2]|0?[1-9])\s*月份?\s*(?:(?P<d>3[01]|[12]\d|0?[1-9])\s*日)?)?"
)
_DATE_ISO = re.compile(
    r"(?<![\d.])(?P<y>(?:19|20|21)\d{2})[-/](?P<m>1[0-2]|0?[1-9])(?:[-/](?P<d>3[01]|[12]\d|0?[1-9]))?(?![\d.])"
)


@dataclass(frozen=True)
class Quantity:
    """A number with an optional unit, as written and converted to the base unit."""

    text: str
    op: Op | None
    number: Decimal
    unit: str | None
    dimension: str | None
    base: Decimal
    magnitude: Decimal = Decimal(1)

    kind = "quantity"

    def describe(self) -> str:
        op = self.op.label if self.op else ""
        if self.dimension == "百分比":
            return f"{op}{number(self.number)}%"
        return f"{op}{number(self.number)}{self.unit or ''}"


@dataclass(frozen=True)
class DateValue:
    """A date target or actual such as "2024年12月" (month precision) or "2024-12-31"."""

    text: str
    op: Op | None
    year: int
    month: int | None
    day: int | None

    kind = "date"

    @property
    def last_day(self) -> date:
        """The latest day the text covers: "2024年12月" means by 2024-12-31."""
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return date(self.year, month, day)

    def describe(self) -> str:
        parts = f"{self.year}年"
        if self.month:
            parts += f"{self.month}月"
        if self.day:
            parts += f"{self.day}日"
        return (self.op.label if self.op else "") + parts


@dataclass(frozen=True)
class Qualitative:
    """A text without a number: "良好", "有效提升", "符合"."""

    text: str

    kind = "qualitative"

    def describe(self) -> str:
        return self.text


@dataclass(frozen=True)
class Ambiguous:
    """A text with several numbers; a rule cannot know which one is meant."""

    text: str
    candidates: tuple[str, ...]

    kind = "ambiguous"

    def describe(self) -> str:
        return f"{self.text}（含多个数值：{'、'.join(self.candidates)}）"


@dataclass(frozen=True)
class Empty:
    text: str = ""

    kind = "empty"

    def describe(self) -> str:
        return "（空）"


ParsedValue = Quantity | DateValue | Qualitative | Ambiguous | Empty


def _clean(text: str) -> str:
    t = text.strip()
    # full-width digits and punctuation to ASCII
    t = t.translate(str.maketrans("０１２３４５６７８９．，－", "0123456789.,-"))
    return t


def _find_op(text: str, start: int, end: int) -> Op | None:
    before = text[:start]
    after = text[end:]
    for word, op in _PREFIX_OPS:
        if before.rstrip().endswith(word):
            return op
    stripped_after = after.lstrip()
    for word, op in _SUFFIX_OPS:
        # allow a unit between the number and the suffix, e.g. "2亿元以上", "5次以上"
        idx = stripped_after.find(word)
        if idx != -1 and idx <= 4 and not any(ch.isdigit() for ch in stripped_after[:idx]):
            return op
    return None


def _read_unit(after: str) -> tuple[Decimal, Unit | None]:
    s = after.lstrip()
    magnitude = Decimal(1)
    for m_text, m_val in _MAGNITUDES.items():
        if s.startswith(m_text) and not any(s.startswith(u.text) for u in _UNITS):
            magnitude = m_val
            s = s[len(m_text) :].lstrip()
            break
    for unit in _UNITS:
        if s.startswith(unit.text):
            return magnitude, unit
    return magnitude, None


def parse_value(text: str | int | Decimal | None) -> ParsedValue:
    """Read a target or actual text. Never raises: unusable texts come back as such."""
    if text is None:
        return Empty()
    if isinstance(text, int | Decimal):
        d = Decimal(text)
        return Quantity(str(text), None, d, None, None, d)
    raw = str(text)
    return _parse_short(raw) if len(raw) <= KEPT_TEXT else _parse_text(raw)


KEPT_TEXT = 200  # characters: the parses of texts up to this long are kept (at most 4,096 of them: a few MB)


@lru_cache(maxsize=4096)
def _parse_short(raw: str) -> ParsedValue:
    """:func:`_parse_text`, once per text: every save scores every indicator of its evaluation, and the targets and
    actuals mostly repeat from one save to the next. What it returns is immutable."""
    return _parse_text(raw)


def _parse_text(raw: str) -> ParsedValue:
    t = _clean(raw)
    if not t or t in {"—", "-", "/", "无"}:
        return Empty(raw)
    date_match = _DATE_CN.search(t) or _DATE_ISO.search(t)
    numbers = list(_NUMBER.finditer(t))
    if date_match:
        # a date only when every number of the text belongs to it
        inside = [n for n in numbers if date_match.start() <= n.start() < date_match.end()]
        if len(inside) == len(numbers):
            return DateValue(
                raw,
                _find_op(t, date_match.start(), date_match.end()),
                int(date_match.group("y")),
                int(date_match.group("m")) if date_match.group("m") else None,
                int(date_match.group("d")) if date_match.group("d") else None,
            )
    if not numbers:
        return Qualitative(raw.strip())
    if len(numbers) > 1:
        return Ambiguous(raw, tuple(n.group(0) for n in numbers))
    m = numbers[0]
    try:
        number = Decimal(m.group(0).replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex only admits valid numbers
        return Qualitative(raw)
    magnitude, unit = _read_unit(t[m.end() :])
    if unit is None and "百分之" in t[: m.start()]:
        unit = _u("%", "百分比", "0.01")
    base = number * magnitude * (unit.factor if unit else Decimal(1))
    unit_text = unit.text if unit else None
    if magnitude != 1:
        mag_text = next(k for k, v in _MAGNITUDES.items() if v == magnitude)
        unit_text = mag_text + (unit_text or "")
    return Quantity(
        text=raw,
        op=_find_op(t, m.start(), m.end()),
        number=number,
        unit=unit_text,
        dimension=unit.dimension if unit else None,
        base=base,
        magnitude=magnitude,
    )


@dataclass(frozen=True)
class ComparablePair:
    """Actual and target read into the same unit, ready for a ratio."""

    actual: Decimal
    target: Decimal
    unit: str | None
    actual_value: Quantity
    target_value: Quantity


def require_quantity(text: str | Decimal | int | None, *, what: str, code: str) -> Quantity:
    """The quantity a quantitative rule needs, or a Chinese error naming the text."""
    value = parse_value(text)
    shown = "" if text is None else _clip(str(text))
    if isinstance(value, Quantity):
        if all(d.is_finite() and d.adjusted() < NUMBER_DIGITS for d in (value.number, value.base)):
            return value
        raise ValueParseError(f"指标 {code}：{what}“{shown}”数值过大（整数部分最多 {NUMBER_DIGITS} 位）")
    if isinstance(value, Empty):
        raise ValueParseError(f"指标 {code}：{what}为空，比率类规则需要一个数值")
    if isinstance(value, Qualitative):
        raise ValueParseError(f"指标 {code}：{what}“{shown}”是定性描述，没有可计算的数值")
    if isinstance(value, Ambiguous):
        numbers = _clip("、".join(value.candidates))
        raise ValueParseError(f"指标 {code}：{what}“{shown}”包含多个数值（{numbers}），请只填写用于计算的那一个")
    raise ValueParseError(f"指标 {code}：{what}“{shown}”是日期，不能按数量计算")


def _clip(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:40]}…"


def comparable(actual: Quantity, target: Quantity, *, code: str) -> ComparablePair:
    """Bring actual and target to one unit; a unitless side takes the other side's unit."""
    a_dim, t_dim = actual.dimension, target.dimension
    if a_dim and t_dim and a_dim != t_dim:
        raise ValueParseError(
            f"指标 {code}：实际值“{actual.text}”（{a_dim}）与目标值“{target.text}”（{t_dim}）单位不一致，无法比较"
        )
    a_base, t_base = actual.base, target.base
    unit = target.unit or actual.unit
    if a_dim is None and t_dim is not None:
        # "已支出497533.4" against "≤497904元": read the bare number in the target's unit
        a_base = actual.base * _bare_factor(actual, target)
    elif t_dim is None and a_dim is not None:
        t_base = target.base * _bare_factor(target, actual)
    return ComparablePair(a_base, t_base, unit, actual, target)


def _bare_factor(bare: Quantity, other: Quantity) -> Decimal:
    """Factor that puts a number without unit into the other side's unit.

    A plain number ("15" against "14.97万元") is read in the other side's unit; a number with
    only a magnitude ("20亿" against "50.5亿元") already counts base units.
    """
    if bare.magnitude != 1 or other.number == 0:
        return Decimal(1)
    return other.base / other.number
