"""/aispend and /aialerts as Slack sends them: admins write, everyone else is told who can."""

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_requests import slash_command
from slack_server import FakeSlack

from bot.alerts.store import AlertStore
from bot.database import Database
from bot.engine import Engine
from bot.spend.ledger import SpendLedger

from .conftest import SlackBot, make_bot


@pytest.fixture
def spend_bot(
    engine: Engine, fake_slack: FakeSlack, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[SlackBot]:
    """The app over its own empty database; ADVISOR_ADMIN_USERS from an indirect parameter, if any."""
    admins = getattr(request, "param", "")
    database = Database(f"sqlite:///{tmp_path}/spend.sqlite3")
    settings = engine.settings.model_copy(update={"advisor_admin_users": admins})
    bot = make_bot(dataclasses.replace(engine, settings=settings, database=database), fake_slack)
    yield bot
    bot.settle()
    bot.executor.shutdown(wait=True)
    database.close()


def _command(bot: SlackBot, command: str, text: str, user: str, channel: str = "C0GENERAL") -> str:
    count = len(bot.fake.responses)
    bot.send(slash_command(command, text, user=user, channel=channel, response_url=bot.fake.response_url()))
    bot.settle()
    responses = bot.fake.wait_for_response(count + 1)
    return str(responses[-1]["text"])


def test_only_workspace_admins_record_spend_when_no_admin_list_is_set(spend_bot: SlackBot) -> None:
    """A member is refused in private and told who can; an admin records; anyone lists."""
    spend_bot.fake.users["U0ADMIN"] = {"is_admin": True}
    refused = _command(spend_bot, "/aispend", "12500 openai 2026-11", "U0MEMBER")
    assert refused.startswith("Only workspace admins and owners can change spend and alerts")
    assert SpendLedger(spend_bot.engine.database).entries() == []

    recorded = _command(spend_bot, "/aispend", "12500 openai 2026-11", "U0ADMIN")
    assert recorded == "Recorded $12,500.00 for openai, 2026-11 (entry 1). 2026-11 now totals $12,500.00."
    assert (
        _command(spend_bot, "/aispend", "-5 openai 2026-11", "U0ADMIN")
        == "'-5' is negative: spend is zero or more dollars"
    )
    fixed = _command(spend_bot, "/aispend", "fix 1 13000", "U0ADMIN")
    assert fixed == "Entry 1 (openai, 2026-11): $12,500.00 -> $13,000.00."
    assert [entry.amount for entry in SpendLedger(spend_bot.engine.database).entries()] == [13000]
    assert spend_bot.fake.messages("C0GENERAL") == []  # every reply was private


@pytest.mark.parametrize("spend_bot", ["U0CHOSEN"], indirect=True)
def test_the_admin_list_decides_even_over_workspace_admins(spend_bot: SlackBot) -> None:
    """With ADVISOR_ADMIN_USERS set, only those users write, and the refusal names them."""
    spend_bot.fake.users["U0ADMIN"] = {"is_admin": True, "is_owner": True}
    refused = _command(spend_bot, "/aialerts", "subscribe <#C0COSTS|ai-costs>", "U0ADMIN")
    assert (
        refused == "Only the advisor's admins can change spend and alerts: <@U0CHOSEN> (ADVISOR_ADMIN_USERS)."
    )
    done = _command(spend_bot, "/aialerts", "subscribe <#C0COSTS|ai-costs> phase-crossed", "U0CHOSEN")
    assert done.startswith("<#C0COSTS> gets alerts: phase-crossed.")
    [subscription] = AlertStore(spend_bot.engine.database).subscriptions()
    assert (subscription.channel, subscription.rules, subscription.subscribed_by) == (
        "C0COSTS",
        ("phase-crossed",),
        "U0CHOSEN",
    )
    assert _command(spend_bot, "/aialerts", "list", "U0ANYONE") == "1 channel(s) get alerts"
    assert (
        _command(spend_bot, "/aialerts", "unsubscribe <#C0COSTS|ai-costs>", "U0CHOSEN")
        == "<#C0COSTS> gets no more alerts."
    )
