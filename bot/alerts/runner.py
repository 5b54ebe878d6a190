"""One alerts run: bring spend up to date, find the alerts due, record them, post them exactly once."""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.alerts.evaluate import DueAlert, due_alerts
from bot.alerts.rules import AlertRules
from bot.alerts.sender import AlertSender, Outcome
from bot.alerts.store import AlertStore
from bot.calculations.breakeven import BreakEvenRequest, run_breakeven
from bot.slack.views.alerts import AlertMessage, alert_message, as_json
from bot.spend.ledger import SpendLedger
from bot.spend.summary import summarise
from calculators.errors import CalculatorError
from knowledge.tables import Tables

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunReport:
    """What one run did."""

    at: dt.datetime
    recorded: list[str] = field(default_factory=list)
    """Keys of alerts that became due in this run."""
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Spend sources that could not be read (pollers)."""


class AlertRunner:
    """Everything a run needs; `run(now)` is what the scheduler and `advisor alerts run` call."""

    def __init__(
        self,
        *,
        ledger: SpendLedger,
        store: AlertStore,
        sender: AlertSender,
        tables: Tables,
        rules: AlertRules,
        timezone: ZoneInfo,
        refresh: Callable[[dt.datetime], list[str]] | None = None,
    ) -> None:
        """`refresh(now)` brings spend up to date (usage records, pollers) and returns its problems."""
        self._ledger = ledger
        self._store = store
        self._sender = sender
        self._tables = tables
        self._rules = rules
        self.timezone = timezone
        self._refresh = refresh

    def run(self, now: dt.datetime) -> RunReport:
        """Record every alert due at `now`, then post every pending alert (new ones and earlier failures)."""
        local = now.astimezone(self.timezone)
        report = RunReport(at=local)
        if self._refresh is not None:
            report.problems.extend(self._refresh(local))
        summary = summarise(self._ledger.entries(), local.date())
        due = due_alerts(
            local, summary, self._rules, self._tables.phases.bands(), self._store.subscriptions()
        )
        for alert in due:
            message = self.message(alert)
            if self._store.intend(alert, as_json(message)):
                report.recorded.append(alert.key)
                logger.info("alert due: %s", alert.key)
        report.outcomes.extend(self._sender.deliver_pending())
        return report

    def message(self, alert: DueAlert) -> AlertMessage:
        """The Block Kit message for a due alert, with the guide's section and the break-even snapshot."""
        section = next(row.section for row in self._tables.phases.phases if row.number == alert.phase.number)
        return alert_message(
            alert,
            section_title=section,
            breakeven=self._breakeven(alert.spend.tokens),
            source=f"{self._tables.phases.source} (as of {self._tables.phases.as_of})",
        )

    def _breakeven(self, tokens: int | None) -> str | None:
        if not tokens:
            return None
        try:
            return run_breakeven(BreakEvenRequest(tokens=Decimal(tokens)), self._tables).summary
        except CalculatorError as error:
            logger.warning("no break-even snapshot at %s tokens: %s", tokens, error)
            return None
