"""The value parser: every example a consultant meets in targets and actuals, and properties."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation.errors import ValueParseError
from evaluation.indicators.values import (
    Ambiguous,
    DateValue,
    Empty,
    Op,
    Qualitative,
    Quantity,
    comparable,
    parse_value,
    require_quantity,
)

D = Decimal


@pytest.mark.parametrize(
    ("text", "op", "number", "unit", "base"),
    [
        ("≥90%", Op.GE, D("90"), "%", D("0.90")),
        ("≤15万元", Op.LE, D("15"), "万元", D("150000")),
        ("不少于30人", Op.GE, D("30"), "人", D("30")),
        ("5次以上", Op.GE, D("5"), "次", D("5")),
        ("2个以上", Op.GE, D("2"), "个", D("2")),
        ("10个以上", Op.GE, D("10"), "个", D("10")),
        ("100%", None, D("100"), "%", D("1.00")),
        ("1户", None, D("1"), "户", D("1")),
        ("20920平方米", None, D("20920"), "平方米", D("20920")),
        ("已支出4.98万元", None, D("4.98"), "万元", D("49800")),
        ("签约金额2亿元以上", Op.GE, D("2"), "亿元", D("200000000")),
        ("开展小分队招商活动36次", None, D("36"), "次", D("36")),
        ("≤9180元", Op.LE, D("9180"), "元", D("9180")),
        ("95%以上", Op.GE, D("95"), "%", D("0.95")),
        ("不超过6.4万元", Op.LE, D("6.4"), "万元", D("64000")),
        ("100万美元", None, D("100"), "万美元", D("1000000")),
        ("１５万元", None, D("15"), "万元", D("150000")),
        ("497904", None, D("497904"), None, D("497904")),
        ("1,200元", None, D("1200"), "元", D("1200")),
    ],
)
def test_quantities(text: str, op: Op | None, number: Decimal, unit: str | None, base: Decimal) -> None:
    v = parse_value(text)
    assert isinstance(v, Quantity), v
    assert (v.op, v.number, v.unit, v.base) == (op, number, unit, base)


@pytest.mark.parametrize(
    ("text", "year", "month", "day", "op"),
    [
        ("2024年12月", 2024, 12, None, None),
        ("2024年12月月底前", 2024, 12, None, Op.LE),
        ("1900年1月", 1900, 1, None, None),
        ("2024-12-31", 2024, 12, 31, None),
        ("2024年3月5日", 2024, 3, 5, None),
    ],
)
def test_dates(text: str, year: int, month: int, day: int | None, op: Op | None) -> None:
    v = parse_value(text)
    assert isinstance(v, DateValue)
    assert (v.year, v.month, v.day, v.op) == (year, month, day, op)


def test_month_target_means_last_day_of_month() -> None:
    v = parse_value("2024年2月")
    assert isinstance(v, DateValue)
    assert v.last_day.isoformat() == "2024-02-29"


@pytest.mark.parametrize("text", ["良好", "有效提升", "符合", "有所提升", "圆满完成", "保障", "已拨付", "时限要求内"])
def test_qualitative(text: str) -> None:
    assert parse_value(text) == Qualitative(text)


def test_several_numbers_are_ambiguous_not_guessed() -> None:
    v = parse_value("新签约项目28个，签约总投资50.5亿元")
    assert isinstance(v, Ambiguous)
    assert v.candidates == ("28", "50.5")


@pytest.mark.parametrize("text", ["", "  ", "—", None])
def test_empty(text: str | None) -> None:
    assert isinstance(parse_value(text), Empty)


def test_quantitative_rule_refuses_qualitative_text_naming_indicator_and_text() -> None:
    with pytest.raises(ValueParseError) as e:
        require_quantity("良好", what="实际值", code="CC.SL.01")
    assert "CC.SL.01" in str(e.value) and "“良好”" in str(e.value) and "定性" in str(e.value)


def test_quantitative_rule_refuses_ambiguous_text() -> None:
    with pytest.raises(ValueParseError, match="多个数值"):
        require_quantity("新签约项目28个，签约总投资50.5亿元", what="实际值", code="X")


def test_comparable_converts_currency_units() -> None:
    pair = comparable(
        require_quantity("已支出14.97万元", what="a", code="X"),
        require_quantity("≤150000元", what="t", code="X"),
        code="X",
    )
    assert (pair.actual, pair.target) == (D("149700"), D("150000"))


def test_bare_number_takes_the_other_sides_unit() -> None:
    pair = comparable(
        require_quantity("已支出 497533.4元", what="a", code="X"),
        require_quantity("497904", what="t", code="X"),
        code="X",
    )
    assert (pair.actual, pair.target) == (D("497533.4"), D("497904"))
    pair = comparable(
        require_quantity("50.5亿元", what="a", code="X"),
        require_quantity("签约金额20 亿以上", what="t", code="X"),
        code="X",
    )
    assert (pair.actual, pair.target) == (D("5050000000"), D("2000000000"))


def test_incompatible_units_are_refused() -> None:
    with pytest.raises(ValueParseError, match="单位不一致"):
        comparable(
            require_quantity("30人", what="a", code="X"),
            require_quantity("30万元", what="t", code="X"),
            code="X",
        )


# --------------------------------------------------------------------------- properties

OPS = [("≥", Op.GE), ("不少于", Op.GE), ("不低于", Op.GE), ("≤", Op.LE), ("不超过", Op.LE), ("", None)]
SUFFIXES = [("以上", Op.GE), ("以内", Op.LE), ("", None)]
UNITS = [
    ("万元", D("10000")),
    ("元", D(1)),
    ("亿元", D("100000000")),
    ("%", D("0.01")),
    ("人", D(1)),
    ("次", D(1)),
    ("", D(1)),
]
numbers = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(numbers, st.sampled_from(OPS), st.sampled_from(UNITS))
def test_prefix_operator_number_unit_round_trip(
    n: Decimal, op: tuple[str, Op | None], unit: tuple[str, Decimal]
) -> None:
    text = f"{op[0]}{n}{unit[0]}"
    v = parse_value(text)
    assert isinstance(v, Quantity), text
    assert v.op == op[1]
    assert v.number == n
    assert v.base == n * unit[1]


@given(
    numbers,
    st.sampled_from(SUFFIXES),
    st.sampled_from(UNITS),
    st.sampled_from(["已支出", "开展活动", "实际", ""]),
)
def test_words_around_one_number_do_not_change_it(
    n: Decimal, suffix: tuple[str, Op | None], unit: tuple[str, Decimal], lead: str
) -> None:
    v = parse_value(f"{lead}{n}{unit[0]}{suffix[0]}")
    assert isinstance(v, Quantity)
    assert v.number == n and v.op == suffix[1]


@given(st.text(max_size=40))
def test_parser_never_raises_on_any_text(text: str) -> None:
    v = parse_value(text)
    assert v.kind in {"quantity", "date", "qualitative", "ambiguous", "empty"}
    assert isinstance(v.describe(), str)


@given(st.text(alphabet=st.characters(categories=["Lo"]), min_size=1, max_size=12))
def test_text_without_digits_is_qualitative(text: str) -> None:
    assert isinstance(parse_value(text), Qualitative | Empty)


@pytest.mark.parametrize("text", ["1" + "0" * 30, "1" + "0" * 30 + "%", "9" * 18 + "亿元"])
def test_a_number_too_large_to_compute_with_is_refused_by_name(text: str) -> None:
    with pytest.raises(ValueParseError, match="数值过大（整数部分最多 18 位）"):
        require_quantity(text, what="实际值", code="X.01")
    assert require_quantity("9" * 18, what="实际值", code="X.01").number == Decimal("9" * 18)


def test_a_long_text_is_shown_cut_short() -> None:
    with pytest.raises(ValueParseError) as e:
        require_quantity("很" * 5_000, what="实际值", code="X.01")
    assert len(str(e.value)) < 100
