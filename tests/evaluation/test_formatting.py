"""The documents' number conventions, decided once (the Panzhihua report prints 2.12 万元, 5.90%, 100%, 83.33%)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from evaluation.formatting import amount, beijing, day, number, percent, quantize, rate, score_text, share


def test_number_is_exact_without_trailing_zeros_or_exponent() -> None:
    assert number(Decimal("6.00")) == "6"
    assert number(Decimal("5.50")) == "5.5"
    assert number(Decimal("83.333")) == "83.333"  # a score is shown as its rule rounded it, never rounded again
    assert number(Decimal("1E+1")) == "10" and number(Decimal("0E-2")) == "0" and number(Decimal("-0.00")) == "0"
    assert number(None) == "—" and number(None, none="") == ""


def test_a_missing_score_reads_as_a_status() -> None:
    assert score_text(None) == "未评" and score_text(Decimal("9.90")) == "9.9"


def test_amounts_in_wan_have_two_decimals_and_no_thousands_separator() -> None:
    assert amount(Decimal("2.125")) == "2.13"  # half-up, not banker's
    assert amount(Decimal("2.115")) == "2.12"
    assert amount(Decimal(1234)) == "1234.00"
    assert amount(Decimal("220")) == "220.00" and amount(None) == "—"


def test_percentages_keep_fixed_decimals_and_rates_drop_trailing_zeros() -> None:
    assert percent(Decimal("5.9")) == "5.90%" and percent(Decimal("100")) == "100.00%"
    assert percent(Decimal("36.4545")) == "36.45%" and percent(Decimal("96.625"), 1) == "96.6%"
    assert rate(Decimal("100.00")) == "100%" and rate(Decimal("83.3333")) == "83.33%" and rate(Decimal(0)) == "0%"
    assert rate(Decimal("89.33505"), 4) == "89.3351%"
    assert share(Decimal("2.12"), Decimal("220")) == "0.96%" and share(Decimal(1), Decimal(0)) == "—"


def test_half_up_rounding_at_any_precision() -> None:
    assert quantize(Decimal("2.675")) == Decimal("2.68")
    assert quantize(Decimal("0.5"), 0) == Decimal(1) and quantize(Decimal("1.25"), 1) == Decimal("1.3")


def test_stored_times_are_shown_in_beijing_time() -> None:
    assert beijing(datetime(2024, 1, 1, 16, 30)) == "2024-01-02 00:30"  # naive values are UTC (SQLite)
    assert beijing(datetime(2024, 1, 1, 16, 30, tzinfo=UTC), "%H:%M") == "00:30"


def test_any_finite_number_can_be_rounded_and_shown() -> None:
    # the default 28-digit precision made quantize fail on 10^30 (an 实际值 typed as 1 followed by 30 zeros)
    huge = "1" + "0" * 30
    assert quantize(Decimal(huge)) == Decimal(huge) and percent(Decimal(huge)) == f"{huge}.00%"
    assert rate(Decimal(huge + "00")) == f"{huge}00%"
    assert amount(Decimal("1E+40")) == "1" + "0" * 40 + ".00"
    assert quantize(Decimal("0.5E-30")) == 0 and quantize(Decimal("12.345"), 2, "ROUND_DOWN") == Decimal("12.34")


def test_dates_read_as_documents_write_them() -> None:
    assert day(date(2024, 9, 30)) == "2024年9月30日"
    assert day(date(2025, 1, 5)) == "2025年1月5日"
    assert day(None) == "—" and day(None, none="") == ""
