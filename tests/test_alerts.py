"""Phase alerts: the rules, a month of daily spend through the scheduler, and Slack refusing to post."""

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from pydantic import SecretStr
from slack_server import FakeSlack

from bot.alerts.evaluate import Subscription, due_alerts
from bot.alerts.rules import RULES_FILE, alert_rules, load_rules
from bot.alerts.runner import AlertRunner
from bot.alerts.scheduler import AlertScheduler
from bot.alerts.sender import AlertSender
from bot.alerts.store import AlertStore
from bot.cli import main
from bot.database import Database
from bot.secrets import Scrubber
from bot.settings import Settings
from bot.slack.app import slack_client
from bot.slack.poster import ChannelPacer, Poster
from bot.spend.ledger import SpendEntry, SpendLedger, SpendRow
from bot.spend.summary import summarise
from knowledge.errors import DataTableError
from knowledge.tables import tables

UTC = dt.UTC
TOKEN = "xoxb-alerts-test-0000-token"


class FakeClock:
    """A timezone-aware clock a test moves by hand."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def seconds(self) -> float:
        return self.now.timestamp()


@dataclass
class Alerts:
    """A runner over a fresh database, posting to the fake Slack, everything on one fake clock."""

    runner: AlertRunner
    ledger: SpendLedger
    store: AlertStore
    clock: FakeClock
    sleeps: list[float]


@pytest.fixture
def alerts(fake_slack: FakeSlack, tmp_path: Path) -> Iterator[Alerts]:
    clock = FakeClock(dt.datetime(2026, 10, 31, 12, tzinfo=UTC))
    database = Database(f"sqlite:///{tmp_path}/alerts.sqlite3", clock=clock.seconds)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        advisor_data_dir=tmp_path,
        slack_bot_token=SecretStr(TOKEN),
        slack_api_url=fake_slack.base_url,
    )
    store, ledger, sleeps = (
        AlertStore(database, clock=clock.seconds),
        SpendLedger(database, clock=clock.seconds),
        [],
    )
    poster = Poster(slack_client(settings), Scrubber([TOKEN]), ChannelPacer(0))
    sender = AlertSender(poster, store, post_attempts=3, give_up_after=4, sleep=sleeps.append)
    runner = AlertRunner(
        ledger=ledger,
        store=store,
        sender=sender,
        tables=tables(),
        rules=alert_rules(),
        timezone=ZoneInfo("UTC"),
    )
    yield Alerts(runner, ledger, store, clock, sleeps)
    database.close()


def _posted(fake: FakeSlack, channel: str) -> list[tuple[str, str]]:
    """(alert key, the ledger's posted time) for each alert message in `channel`, oldest first."""
    return [
        (m["metadata"]["event_payload"]["key"], m["text"].split(".")[0])
        for m in fake.messages(channel)
        if (m.get("metadata") or {}).get("event_type") == "advisor_alert"
    ]


def test_a_month_of_daily_spend_posts_exactly_these_alerts_where_and_when(
    alerts: Alerts, fake_slack: FakeSlack
) -> None:
    """$400 a day then $1,000 a day in November: approaching on the 13th, crossed on the 17th, digests on the 1sts."""
    alerts.store.subscribe("C0COSTS")
    alerts.store.subscribe("C0DIGEST", ("monthly-digest",))
    alerts.ledger.add(Decimal(8000), "openai", "2026-10")  # October closed below the $10K line
    scheduler = AlertScheduler(alerts.runner.run, every=dt.timedelta(minutes=60), clock=alerts.clock)
    alerts.clock.now = dt.datetime(2026, 11, 1, tzinfo=UTC)
    end = dt.datetime(2026, 12, 1, 12, tzinfo=UTC)
    runs = 0
    while alerts.clock.now <= end:
        now = alerts.clock.now
        if now.hour == 23 and now.minute == 30 and now.month == 11:  # the day's spend arrives late evening
            daily = Decimal(400) if now.day <= 10 else Decimal(1000)
            alerts.ledger.upsert([SpendRow("openai", "2026-11", now.date(), daily)], source="openai")
        runs += scheduler.run_pending()
        alerts.clock.now += dt.timedelta(minutes=30)
    assert runs == 30 * 24 + 13

    when = {d.key: dt.datetime.fromtimestamp(d.posted_at or 0, UTC) for d in alerts.store.deliveries()}
    assert when == {
        "C0COSTS|monthly-digest|-|2026-10": dt.datetime(2026, 11, 1, 9, tzinfo=UTC),
        "C0DIGEST|monthly-digest|-|2026-10": dt.datetime(2026, 11, 1, 9, tzinfo=UTC),
        "C0COSTS|phase-approaching|10000|2026-11": dt.datetime(2026, 11, 13, 0, tzinfo=UTC),
        "C0COSTS|phase-crossed|10000|2026-11": dt.datetime(2026, 11, 17, 0, tzinfo=UTC),
        "C0COSTS|monthly-digest|-|2026-11": dt.datetime(2026, 12, 1, 9, tzinfo=UTC),
        "C0DIGEST|monthly-digest|-|2026-11": dt.datetime(2026, 12, 1, 9, tzinfo=UTC),
    }
    assert [key for key, _ in _posted(fake_slack, "C0COSTS")] == [
        "C0COSTS|monthly-digest|-|2026-10",
        "C0COSTS|phase-approaching|10000|2026-11",
        "C0COSTS|phase-crossed|10000|2026-11",
        "C0COSTS|monthly-digest|-|2026-11",
    ]
    assert [key for key, _ in _posted(fake_slack, "C0DIGEST")] == [
        "C0DIGEST|monthly-digest|-|2026-10",
        "C0DIGEST|monthly-digest|-|2026-11",
    ]
    crossed = next(m for m in fake_slack.messages("C0COSTS") if "reached" in m["text"])
    assert crossed["text"] == (
        "Phase 2 reached: Hybrid. AI spend for November 2026 is $10,000 so far, past the $10,000 line into "
        "Phase 2, Hybrid. Last month: $8,000. At the current run-rate the month ends near $18,750."
    )
    assert crossed["blocks"][0]["text"]["text"] == "Phase 2 reached: Hybrid"
    assert "Hybrid Infrastructure: 10-50K Monthly Spend" in crossed["blocks"][2]["text"]["text"]
    assert "Self-host embedding models first" in crossed["blocks"][2]["text"]["text"]
    assert fake_slack.refusals == []


@pytest.mark.parametrize(
    ("previous", "month_to_date", "expected"),
    [
        (Decimal(8000), Decimal(9999), []),
        (Decimal(8000), Decimal(10000), ["phase-crossed|10000"]),
        (Decimal(12000), Decimal(10000), []),  # last month was Phase 2 already: nothing new
        (Decimal(8000), Decimal(50000), ["phase-crossed|10000"]),  # $50K itself is still Phase 2
        (Decimal(8000), Decimal("50000.01"), ["phase-crossed|50000"]),  # past both lines: one alert
        (Decimal(60000), Decimal(60000), []),
    ],
)
def test_crossing_alerts_only_a_phase_last_month_did_not_reach(
    previous: Decimal, month_to_date: Decimal, expected: list[str]
) -> None:
    """Only the highest newly reached threshold alerts, on both sides of each line."""
    entries = [_entry(1, "2026-10", previous), _entry(2, "2026-11", month_to_date)]
    now = dt.datetime(2026, 11, 20, 10, tzinfo=UTC)
    rules = alert_rules().model_copy(update={"rules": (alert_rules().rules[0],)})
    due = due_alerts(
        now, summarise(entries, now.date()), rules, tables().phases.bands(), [Subscription("C1")]
    )
    assert ["|".join(alert.key.split("|")[1:3]) for alert in due] == expected


def test_digest_waits_for_subscribers_who_came_after_it_was_due() -> None:
    """A channel that subscribes after the 1st's digest time gets no digest for the month before."""
    now = dt.datetime(2026, 11, 20, 10, tzinfo=UTC)
    early = Subscription("C1", subscribed_at=dt.datetime(2026, 10, 1, tzinfo=UTC).timestamp())
    late = Subscription("C2", subscribed_at=dt.datetime(2026, 11, 5, tzinfo=UTC).timestamp())
    summary = summarise([_entry(1, "2026-10", Decimal(5))], now.date())
    due = due_alerts(now, summary, alert_rules(), tables().phases.bands(), [early, late])
    assert [alert.key for alert in due] == ["C1|monthly-digest|-|2026-10"]


def test_rules_file_refuses_unknown_fields_and_missing_settings(tmp_path: Path) -> None:
    """A typo in alert_rules.yml stops the advisor with the field named."""
    document = yaml.safe_load(RULES_FILE.read_text())
    document["rules"][1].pop("within_days")
    broken = tmp_path / "alert_rules.yml"
    broken.write_text(yaml.safe_dump(document))
    with pytest.raises(DataTableError, match="within_days"):
        load_rules(broken)
    document = yaml.safe_load(RULES_FILE.read_text()) | {"colour": "red"}
    broken.write_text(yaml.safe_dump(document))
    with pytest.raises(DataTableError, match="colour"):
        load_rules(broken)


@pytest.mark.parametrize(
    ("fault", "state", "error"),
    [
        (lambda fake: fake.archive("C0COSTS"), "pending", "is_archived"),
        (lambda fake: fake.deny_channel("C0COSTS"), "pending", "not_in_channel"),
        (lambda fake: fake.fail("chat.postMessage", 500, times=10), "pending", "internal_error (HTTP 500)"),
        (
            lambda fake: fake.rate_limit("chat.postMessage", retry_after=0, times=40),
            "pending",
            "ratelimited (HTTP 429)",
        ),
    ],
    ids=["archived", "bot-removed", "5xx", "429"],
)
def test_slack_refusals_are_recorded_and_listed_never_swallowed(
    alerts: Alerts,
    fake_slack: FakeSlack,
    fault: Any,
    state: str,
    error: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """An alert Slack refuses stays pending with Slack's error, shown by `advisor alerts list`, and goes out later."""
    alerts.store.subscribe("C0COSTS", ("phase-crossed",))
    alerts.ledger.add(Decimal(12000), "openai", "2026-11")
    fault(fake_slack)
    report = alerts.runner.run(dt.datetime(2026, 11, 20, 10, tzinfo=UTC))
    [outcome] = report.outcomes
    assert (outcome.state, outcome.error) == (state, error)
    [delivery] = alerts.store.deliveries()
    assert delivery.last_error == error
    monkeypatch.setenv("ADVISOR_DATABASE_URL", f"sqlite:///{tmp_path}/alerts.sqlite3")
    assert main(["alerts", "list"]) == 0
    assert (
        f"C0COSTS|phase-crossed|10000|2026-11  pending after {delivery.attempts} tries: {error}"
        in capsys.readouterr().out
    )

    fake_slack.reset()  # the channel is back, the bot re-invited, Slack healthy again
    alerts.runner.run(dt.datetime(2026, 11, 20, 11, tzinfo=UTC))
    assert [key for key, _ in _posted(fake_slack, "C0COSTS")] == ["C0COSTS|phase-crossed|10000|2026-11"]
    assert alerts.store.deliveries()[0].state == "posted"


def test_an_alert_that_keeps_failing_is_given_up_and_says_why(alerts: Alerts, fake_slack: FakeSlack) -> None:
    """After give_up_after_attempts tries an alert is marked failed with Slack's error, not retried forever."""
    alerts.store.subscribe("C0COSTS", ("phase-crossed",))
    alerts.ledger.add(Decimal(12000), "openai", "2026-11")
    fake_slack.archive("C0COSTS")
    for hour in range(6):
        alerts.runner.run(dt.datetime(2026, 11, 20, hour, tzinfo=UTC))
    [delivery] = alerts.store.deliveries()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("failed", 4, "is_archived")
    # Each later try first read the channel back (the alert was not there), then tried again.
    assert len(fake_slack.calls_to("chat.postMessage")) == 4
    assert len(fake_slack.calls_to("conversations.history")) == 3


def _entry(entry_id: int, month: str, amount: Decimal) -> SpendEntry:
    return SpendEntry(entry_id, "openai", month, None, amount, None, "manual", None, 0.0)


def test_home_tab_shows_phase_spend_against_thresholds_and_subscriptions() -> None:
    """The Home tab shows this month's phase, a bar against the thresholds, the run-rate and the channels."""
    from slack_limits import MAX_VIEW_BLOCKS, block_errors

    from bot.slack.views.home import home_view

    entries = [_entry(1, "2026-11", Decimal(12000))]
    view = home_view(
        tables(), spend=summarise(entries, dt.date(2026, 11, 20)), subscriptions=[Subscription("C0COSTS")]
    )
    text = json.dumps(view["blocks"])
    assert "November 2026 to date: $12,000*, Phase 2 (Hybrid)" in text
    assert "<#C0COSTS>: every rule" in text
    assert block_errors(view["blocks"], max_blocks=MAX_VIEW_BLOCKS) == []
