"""Month-to-date spend, the run-rate projection and the history by month: pure arithmetic on entries.

The projection extrapolates only daily figures: month-to-date daily spend divided by the days it
covers (up to the latest day with a figure) times the days in the month. Whole-month figures
(a typed invoice total) are added as they are, never multiplied.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.spend.ledger import SpendEntry
from bot.spend.money import days_in, month_name, month_of
from calculators.quantities import format_usd

ZERO = Decimal(0)


@dataclass(frozen=True)
class MonthSpend:
    """One month's spend as far as the ledger knows it."""

    month: str
    by_provider: dict[str, Decimal] = field(default_factory=dict)
    dated_total: Decimal = ZERO
    """Spend recorded by day."""
    undated_total: Decimal = ZERO
    """Whole-month figures."""
    days_covered: int = 0
    """Day of the month of the latest daily figure (0 when there is none)."""
    dated_tokens: int = 0
    undated_tokens: int = 0
    complete: bool = False
    """The month is over, so its total is final and nothing is extrapolated."""

    @property
    def total(self) -> Decimal:
        """Everything recorded for the month."""
        return self.dated_total + self.undated_total

    @property
    def daily_rate(self) -> Decimal | None:
        """Daily spend so far, or None without daily figures."""
        return self.dated_total / self.days_covered if self.days_covered else None

    @property
    def projection(self) -> Decimal:
        """Where the month ends at the current run-rate (the total itself for a finished month)."""
        if self.complete or not self.days_covered:
            return self.total
        return (self.dated_total / self.days_covered * days_in(self.month) + self.undated_total).quantize(
            Decimal("0.01")
        )

    @property
    def tokens(self) -> int | None:
        """The month's token volume at the run-rate, when any entry carries tokens."""
        if not self.dated_tokens and not self.undated_tokens:
            return None
        if self.complete or not self.days_covered:
            return self.dated_tokens + self.undated_tokens
        return self.dated_tokens * days_in(self.month) // self.days_covered + self.undated_tokens

    def to_json(self) -> dict[str, Any]:
        """The month as JSON; money as decimal strings so no cent is lost."""
        return {
            "month": self.month,
            "total": str(self.total),
            "by_provider": {name: str(amount) for name, amount in sorted(self.by_provider.items())},
            "projection": str(self.projection),
            "daily_rate": str(self.daily_rate.quantize(Decimal("0.01"))) if self.daily_rate else None,
            "days_covered": self.days_covered,
            "complete": self.complete,
            "tokens": self.tokens,
        }


@dataclass(frozen=True)
class SpendSummary:
    """The current month to date and every month with spend, oldest first."""

    today: dt.date
    current: MonthSpend
    history: tuple[MonthSpend, ...]

    def month(self, month: str) -> MonthSpend:
        """One month's spend (empty when nothing was recorded)."""
        return next((spent for spent in self.history if spent.month == month), MonthSpend(month))

    def to_json(self) -> dict[str, Any]:
        """Month to date, the projection and the history, as `advisor spend --json` prints it."""
        return {"today": self.today.isoformat(), "current": self.current.to_json()} | {
            "history": [spent.to_json() for spent in self.history]
        }

    def to_text(self) -> str:
        """A short report for people."""
        current = self.current
        lines = [f"{month_name(current.month)} to date: {format_usd(current.total, cents=True)}"]
        for provider, amount in sorted(current.by_provider.items()):
            lines.append(f"  {provider:<14} {format_usd(amount, cents=True)}")
        if current.daily_rate is not None:
            lines.append(
                f"Run-rate: {format_usd(current.daily_rate, cents=True)} a day over {current.days_covered} "
                f"day(s), so about {format_usd(current.projection)} for the month"
            )
        else:
            lines.append("Run-rate: no daily figures this month, so no projection")
        lines.append("History:")
        if not self.history:
            lines.append(
                "  nothing recorded yet: `advisor spend add 12500 --provider openai --month 2026-11`"
            )
        for spent in self.history:
            providers = ", ".join(
                f"{name} {format_usd(amount)}" for name, amount in sorted(spent.by_provider.items())
            )
            lines.append(f"  {spent.month}  {format_usd(spent.total, cents=True):>16}  ({providers})")
        return "\n".join(lines)


def summarise(entries: Iterable[SpendEntry], today: dt.date) -> SpendSummary:
    """Group entries by month; months before `today`'s are complete, later ones are left out."""
    current = month_of(today)
    grouped: defaultdict[str, list[SpendEntry]] = defaultdict(list)
    for entry in entries:
        if entry.month <= current:
            grouped[entry.month].append(entry)
    history = tuple(_month(month, grouped[month], complete=month < current) for month in sorted(grouped))
    this_month = next((spent for spent in history if spent.month == current), MonthSpend(current))
    return SpendSummary(today=today, current=this_month, history=history)


def _month(month: str, entries: list[SpendEntry], *, complete: bool) -> MonthSpend:
    by_provider: defaultdict[str, Decimal] = defaultdict(Decimal)
    dated = undated = ZERO
    dated_tokens = undated_tokens = 0
    latest = 0
    for entry in entries:
        by_provider[entry.provider] += entry.amount
        if entry.day is not None:
            dated += entry.amount
            dated_tokens += entry.tokens or 0
            latest = max(latest, entry.day.day)
        else:
            undated += entry.amount
            undated_tokens += entry.tokens or 0
    return MonthSpend(
        month=month,
        by_provider=dict(by_provider),
        dated_total=dated,
        undated_total=undated,
        days_covered=latest,
        dated_tokens=dated_tokens,
        undated_tokens=undated_tokens,
        complete=complete,
    )
