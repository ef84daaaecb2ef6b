"""Numbers as the documents show them: 万元 with two decimals, percentages, scores; times in Beijing time."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

TWO = Decimal("0.01")


def two(value: Decimal) -> Decimal:
    """四舍五入 to two decimals."""
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def wan(value: Decimal | None) -> str:
    """An amount in 万元: ``Decimal("2.1")`` → ``"2.10"``; None → ``"—"``."""
    return "—" if value is None else f"{two(value):,}"


def percent(value: Decimal | None) -> str:
    """A percent value already ×100: ``Decimal("37.3")`` → ``"37.30%"``."""
    return "—" if value is None else f"{two(value)}%"


def points(value: Decimal | None) -> str:
    """A score or weight: two decimals for scores, whole numbers stay whole (``6`` → ``"6"``)."""
    if value is None:
        return "未评"
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return str(two(value))


BEIJING = ZoneInfo("Asia/Shanghai")  # times are stored in UTC and shown in Beijing time


def as_utc(at: datetime) -> datetime:
    """A stored time as an aware UTC datetime (SQLite gives naive UTC values, PostgreSQL aware ones)."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def beijing(at: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored time as users read it: Beijing time."""
    return as_utc(at).astimezone(BEIJING).strftime(fmt)
