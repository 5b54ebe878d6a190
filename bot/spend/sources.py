"""Bringing spend in from elsewhere: the advisor's own LLM usage records, and the providers' pollers."""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.spend.errors import PollError
from bot.spend.ledger import ImportResult, SpendLedger, SpendRow
from bot.spend.money import month_of, month_start, previous_month
from bot.spend.pollers import Poller
from bot.stats import AnswerRecord

logger = logging.getLogger(__name__)

ADVISOR_PROVIDER = "advisor"
"""The provider name the advisor's own LLM spend is recorded under."""


def sync_advisor_usage(
    ledger: SpendLedger, records: Iterable[AnswerRecord], timezone: ZoneInfo
) -> ImportResult:
    """Record the advisor's own LLM cost and tokens per day (in `timezone`) from its answer log."""
    cost: defaultdict[dt.date, Decimal] = defaultdict(Decimal)
    tokens: defaultdict[dt.date, int] = defaultdict(int)
    for record in records:
        if record.cost <= 0 and not (record.tokens_in or record.tokens_out):
            continue
        day = dt.datetime.fromtimestamp(record.at, timezone).date()
        cost[day] += record.cost
        tokens[day] += record.tokens_in + record.tokens_out
    rows = [
        SpendRow(ADVISOR_PROVIDER, month_of(day), day, cost[day], tokens[day] or None) for day in sorted(cost)
    ]
    return ledger.upsert(rows, source=ADVISOR_PROVIDER)


def poll_providers(ledger: SpendLedger, pollers: Sequence[Poller], today: dt.date) -> list[str]:
    """Fetch last month and this month from each poller into the ledger; returns one line per failure."""
    since = month_start(previous_month(month_of(today)))
    until = today + dt.timedelta(days=1)
    problems = []
    for poller in pollers:
        try:
            rows = poller.fetch(since, until)
        except PollError as error:
            logger.warning("spend poll failed: %s", error)
            problems.append(str(error))
            continue
        result = ledger.upsert(rows, source=f"poll-{poller.provider}")
        logger.info("%s costs: %d days added, %d updated", poller.provider, result.added, result.replaced)
    return problems
