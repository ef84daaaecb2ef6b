"""The expenditure breakdown (表1-1 支出明细表): totals, shares and the check against 实际支出."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from evaluation.formatting import two
from evaluation.model import ExpenseItem, Funds

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class BreakdownRow:
    category: str
    amount: Decimal
    share: Decimal | None  # percent of the total, two decimals


@dataclass(frozen=True)
class Breakdown:
    rows: tuple[BreakdownRow, ...]
    total: Decimal
    spent: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        """合计 − 实际支出 (None when 实际支出 is not given)."""
        return None if self.spent is None else self.total - self.spent

    @property
    def mismatch(self) -> str:
        """A Chinese warning when 合计 ≠ 实际支出, else ""."""
        diff = self.difference
        if diff is None or diff == 0:
            return ""
        return (
            f"支出明细合计 {two(self.total)} 万元与实际支出 {two(self.spent or Decimal(0))} 万元不一致"
            f"（相差 {two(abs(diff))} 万元），请核对。"
        )


def breakdown(items: list[ExpenseItem], spent: Decimal | None) -> Breakdown:
    """Each category's amount and share (占比) of the breakdown's total."""
    total = sum((i.amount for i in items), Decimal(0))
    rows = tuple(BreakdownRow(i.category, i.amount, two(i.amount / total * HUNDRED) if total else None) for i in items)
    return Breakdown(rows, total, spent)


def execution_rate(funds: Funds) -> Decimal | None:
    """预算执行率 = 实际支出 ÷ 调整后预算（没有时用年初预算）, percent with two decimals."""
    budget = funds.adjusted_budget if funds.adjusted_budget is not None else funds.initial_budget
    if funds.spent is None or not budget:
        return None
    return two(funds.spent / budget * HUNDRED)
