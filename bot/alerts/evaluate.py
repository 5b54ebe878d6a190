"""Which alerts are due now: pure functions of the time, the spend summary, the rules and the phases.

- crossed: this month's spend so far has reached a phase threshold that last month's total did
  not reach (only the highest such threshold alerts, so a jump past two lines posts once).
- projected: at this month's daily run-rate, spend reaches the next phase's threshold (one last
  month did not reach) within the rule's `within_days` of today.
- digest: from the rule's day and hour on, last month's totals (once a month, for channels that
  subscribed before that moment, and only when last month has any spend).

Each alert's key is (channel, rule, threshold, month): the same key is never posted twice.
"""

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from bot.alerts.rules import AlertRule, AlertRules
from bot.spend.money import month_of, month_start, previous_month
from bot.spend.summary import MonthSpend, SpendSummary
from calculators.phase import PhaseBand, phase_for_spend


@dataclass(frozen=True)
class Subscription:
    """A channel that wants alerts: every rule, or the ones listed."""

    channel: str
    rules: tuple[str, ...] = ()
    """Rule ids; empty means all."""
    subscribed_by: str | None = None
    subscribed_at: float = 0.0
    """Seconds since the epoch."""

    def wants(self, rule_id: str) -> bool:
        """True when this channel asked for the rule."""
        return not self.rules or rule_id in self.rules


@dataclass(frozen=True)
class DueAlert:
    """One alert for one channel, with the facts its message states."""

    channel: str
    rule: AlertRule
    month: str
    """The month the alert is about (for a digest, the month just ended)."""
    threshold: Decimal | None
    """The phase threshold crossed or coming; None for a digest."""
    phase: PhaseBand
    """The phase reached, coming, or (digest) the month ended in."""
    spend: MonthSpend
    previous: MonthSpend
    """The month before `month`."""
    crossing_day: dt.date | None = None
    """projected: the day the run-rate reaches the threshold."""

    @property
    def key(self) -> str:
        """`C123|phase-crossed|10000|2026-11`: what makes this alert the same alert after a restart."""
        threshold = f"{self.threshold.normalize():f}" if self.threshold is not None else "-"
        return f"{self.channel}|{self.rule.id}|{threshold}|{self.month}"


def due_alerts(
    now: dt.datetime,
    summary: SpendSummary,
    rules: AlertRules,
    bands: tuple[PhaseBand, ...],
    subscriptions: list[Subscription],
) -> list[DueAlert]:
    """Every alert due at `now` (timezone-aware) for every subscription, in rule then channel order."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    due: list[DueAlert] = []
    for rule in rules.rules:
        facts = _facts(rule, now, summary, bands)
        if facts is None:
            continue
        for subscription in subscriptions:
            if not subscription.wants(rule.id):
                continue
            if rule.kind == "digest" and subscription.subscribed_at > _digest_time(rule, now).timestamp():
                continue
            due.append(
                DueAlert(
                    subscription.channel,
                    rule,
                    facts.month,
                    facts.threshold,
                    facts.phase,
                    facts.spend,
                    facts.previous,
                    facts.crossing_day,
                )
            )
    return due


@dataclass(frozen=True)
class _Facts:
    month: str
    threshold: Decimal | None
    phase: PhaseBand
    spend: MonthSpend
    previous: MonthSpend
    crossing_day: dt.date | None = None


def _facts(
    rule: AlertRule, now: dt.datetime, summary: SpendSummary, bands: tuple[PhaseBand, ...]
) -> _Facts | None:
    month = month_of(now.date())
    if rule.kind == "digest":
        if now < _digest_time(rule, now):
            return None
        ended = previous_month(month)
        spend = summary.month(ended)
        if not spend.by_provider:
            return None
        phase = phase_for_spend(spend.total, bands).phase
        return _Facts(ended, None, phase, spend, summary.month(previous_month(ended)))
    spend, previous = summary.month(month), summary.month(previous_month(month))
    new_bands = [band for band in bands[1:] if not band.contains_from_below(previous.total)]
    if rule.kind == "crossed":
        reached = [band for band in new_bands if band.contains_from_below(spend.total)]
        if not reached:
            return None
        return _Facts(month, reached[-1].starts_at, reached[-1], spend, previous)
    coming = [band for band in new_bands if not band.contains_from_below(spend.total)]
    rate = spend.daily_rate
    if not coming or not rate:
        return None
    band = coming[0]
    needed = band.starts_at - spend.undated_total
    day_number = max(1, math.ceil(needed / rate)) if band.includes_start else math.floor(needed / rate) + 1
    crossing = month_start(month) + dt.timedelta(days=day_number - 1)
    if month_of(crossing) != month or (crossing - now.date()).days > (rule.within_days or 0):
        return None
    return _Facts(month, band.starts_at, band, spend, previous, crossing)


def _digest_time(rule: AlertRule, now: dt.datetime) -> dt.datetime:
    """When this month's digest is due, in `now`'s timezone."""
    return now.replace(day=rule.day_of_month or 1, hour=rule.hour or 0, minute=0, second=0, microsecond=0)
