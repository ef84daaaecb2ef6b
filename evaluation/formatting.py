"""Numbers and times as the documents print them — the one home of these conventions.

Pages, the Word report, Excel files, the command line and the review checks all format through
here, so a figure reads the same wherever it appears (the Panzhihua report is the model):

- ``number``: an exact decimal without exponent or trailing zeros (``6``, ``5.5``, ``83.33``): weights,
  scores (already rounded by their rule, see ``Rounding``), inputs and figures in explanations; a
  missing score is ``"—"`` in tables, or ``"未评"`` (``score_text``) where a status reads better;
- ``amount``: 万元 with two decimals and no thousands separator (``2.12``, ``220.00``), as in 表1-1;
- ``percent``: a percentage already ×100 with fixed decimals (``5.90%``, ``100.00%``), for shares
  and execution rates; ``rate``: 得分率 with trailing zeros dropped (``100%``, ``83.33%``, ``0%``);
- ``day``: a calendar date as documents write it (``2024年9月30日``);
- times are stored in UTC and shown in Beijing time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from zoneinfo import ZoneInfo

DASH = "—"
UNSCORED = "未评"
HUNDRED = Decimal(100)


def quantize(value: Decimal, digits: int = 2, rounding: str = ROUND_HALF_UP) -> Decimal:
    """四舍五入 to ``digits`` decimals (never banker's rounding), or as ``rounding`` says (截断: ROUND_DOWN).

    Any finite value, however large: the precision is widened to hold all of its digits (the default
    28 digits would make ``quantize`` fail on a number such as 10^30)."""
    if not value.is_finite():
        return value
    context = Context(prec=max(28, value.adjusted() + digits + 2))
    return value.quantize(Decimal(1).scaleb(-digits), rounding=rounding, context=context)


def two(value: Decimal) -> Decimal:
    """四舍五入 to two decimals."""
    return quantize(value, 2)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def number(value: Decimal | None, none: str = DASH) -> str:
    """Exact decimal text: ``Decimal("2.50")`` → ``"2.5"``, ``Decimal("1E+1")`` → ``"10"``; None → ``none``."""
    return none if value is None else _plain(value)


def score_text(value: Decimal | None) -> str:
    """A score where a missing one is a status: ``"未评"``."""
    return number(value, none=UNSCORED)


def amount(value: Decimal | None, none: str = DASH) -> str:
    """An amount in 万元 with two decimals, no thousands separator: ``Decimal("2.1")`` → ``"2.10"``."""
    return none if value is None else f"{two(value):f}"


def percent(value: Decimal | None, digits: int = 2, none: str = DASH) -> str:
    """A percentage already ×100 with fixed decimals: ``Decimal("37.3")`` → ``"37.30%"``."""
    return none if value is None else f"{quantize(value, digits):f}%"


def rate(value: Decimal | None, digits: int = 2, none: str = DASH) -> str:
    """得分率 as the reports print it: ``100%``, ``83.33%``, ``0%`` (trailing zeros dropped)."""
    return none if value is None else _plain(quantize(value, digits)) + "%"


def share(part: Decimal, whole: Decimal, none: str = DASH) -> str:
    """``part`` as a percentage of ``whole`` with two decimals; ``none`` when ``whole`` is 0."""
    return percent(part / whole * HUNDRED) if whole else none


def day(value: date | None, none: str = DASH) -> str:
    """A calendar date as documents write it: ``date(2024, 9, 30)`` → ``"2024年9月30日"``; None → ``none``."""
    return none if value is None else f"{value.year}年{value.month}月{value.day}日"


BEIJING = ZoneInfo("Asia/Shanghai")  # times are stored in UTC and shown in Beijing time


def as_utc(at: datetime) -> datetime:
    """A stored time as an aware UTC datetime (SQLite gives naive UTC values, PostgreSQL aware ones)."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def beijing(at: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time as users read it: Beijing time."""
    return as_utc(at).astimezone(BEIJING).strftime(fmt)
