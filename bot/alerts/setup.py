"""Build an alerts runner from the settings: the one place spend, alerts and Slack are put together."""

import datetime as dt
import functools
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient

from bot.alerts.rules import AlertRules, alert_rules
from bot.alerts.runner import AlertRunner
from bot.alerts.scheduler import AlertScheduler
from bot.alerts.sender import AlertSender
from bot.alerts.store import AlertStore
from bot.database import Database
from bot.secrets import Scrubber
from bot.settings import Settings
from bot.slack.poster import ChannelPacer, Poster
from bot.spend.errors import SpendError
from bot.spend.ledger import SpendLedger
from bot.spend.pollers import configured_pollers
from bot.spend.sources import poll_providers, sync_advisor_usage
from bot.stats import StatsStore
from knowledge.tables import tables


class AlertSetupError(SpendError):
    """A setting the alerts cannot run with (the message names it)."""


def alert_timezone(settings: Settings) -> ZoneInfo:
    """ADVISOR_ALERT_TIMEZONE as a zone.

    Raises:
        AlertSetupError: not an IANA zone name.
    """
    try:
        return ZoneInfo(settings.advisor_alert_timezone.strip() or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise AlertSetupError(
            f"ADVISOR_ALERT_TIMEZONE={settings.advisor_alert_timezone!r} is not a timezone: use a name like "
            "Europe/London or UTC"
        ) from None


def refresh_spend(settings: Settings, database: Database, now: dt.datetime) -> list[str]:
    """Bring the advisor's own usage and any polled provider costs into the ledger; returns problems."""
    ledger = SpendLedger(database)
    sync_advisor_usage(ledger, StatsStore(database).records(), alert_timezone(settings))
    return poll_providers(ledger, configured_pollers(settings), now.date())


def build_runner(
    settings: Settings,
    database: Database,
    client: WebClient,
    *,
    rules: AlertRules | None = None,
    pacer: ChannelPacer | None = None,
) -> AlertRunner:
    """The alerts runner over `database`, posting with `client` through the one `Poster`."""
    rules = rules or alert_rules()
    store = AlertStore(database)
    poster = Poster(client, Scrubber(settings.secret_values()), pacer)
    return AlertRunner(
        ledger=SpendLedger(database),
        store=store,
        sender=AlertSender(
            poster, store, post_attempts=rules.post_attempts, give_up_after=rules.give_up_after_attempts
        ),
        tables=tables(),
        rules=rules,
        timezone=alert_timezone(settings),
        refresh=functools.partial(refresh_spend, settings, database),
    )


def start_scheduler(settings: Settings, database: Database, client: WebClient) -> AlertScheduler | None:
    """Run the alert rules every `check_every_minutes` in a daemon thread (unless ADVISOR_ALERTS_IN_SERVE is off).

    A process stopped mid-post loses nothing: the next run reads the channel back (see bot/alerts/sender.py).
    """
    if not settings.advisor_alerts_in_serve:
        return None
    runner = build_runner(settings, database, client)
    scheduler = AlertScheduler(runner.run, every=dt.timedelta(minutes=alert_rules().check_every_minutes))
    scheduler.start()
    return scheduler
