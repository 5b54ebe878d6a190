"""`/aispend` and `/aialerts`: acknowledged at once, answered ephemerally; writes are for admins only.

Admins are the user ids in ADVISOR_ADMIN_USERS, or, when that is empty, the workspace's admins and
owners (users.info). Everyone else may read (`list`) and is told who can write.
"""

import datetime as dt
import functools
import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.alerts.rules import alert_rules
from bot.alerts.store import AlertStore
from bot.engine import Engine
from bot.slack.poster import Poster
from bot.slack.views.alerts import spend_list_blocks, subscriptions_blocks
from bot.slack.views.blocks import escape, section
from bot.spend.errors import SpendError
from bot.spend.ledger import SpendLedger
from bot.spend.money import month_of, parse_amount, parse_month, parse_provider
from bot.spend.summary import summarise
from calculators.quantities import format_usd

logger = logging.getLogger(__name__)

COMMANDS = ("/aispend", "/aialerts")
COMMAND_HELP = {
    "/aispend": (
        "record and correct monthly AI spend (admins), or list it",
        ("/aispend 12500 openai 2026-11", "/aispend list", "/aispend fix 7 12800", "/aispend delete 7"),
    ),
    "/aialerts": (
        "phase alerts in a channel (admins subscribe), or list them",
        ("/aialerts subscribe #ai-costs", "/aialerts subscribe #ai-costs phase-crossed", "/aialerts list"),
    ),
}
_CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$|^([CG][A-Z0-9]+)$")


class NotAdminError(Exception):
    """The user may not do this; the message says who can."""


def register(app: App, engine: Engine, poster: Poster) -> None:
    """Both commands ack at once; the work runs after."""
    ledger, store = SpendLedger(engine.database), AlertStore(engine.database)
    for command in COMMANDS:
        app.command(command)(
            ack=_ack,
            lazy=[functools.partial(_answer, engine=engine, poster=poster, ledger=ledger, store=store)],
        )


def _ack(ack: Ack) -> None:
    ack()


def _answer(
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    *,
    engine: Engine,
    poster: Poster,
    ledger: SpendLedger,
    store: AlertStore,
) -> None:
    command, words = str(body["command"]), str(body.get("text") or "").split()
    user = str(body["user_id"])
    try:
        if command == "/aispend":
            text, blocks = _spend(words, user, body, client, engine, ledger)
        else:
            text, blocks = _alerts(words, user, body, client, engine, store)
        poster.respond(respond, text, blocks)
    except NotAdminError as refusal:  # our own text, with <@user> mentions left as links
        poster.respond(respond, str(refusal), [section(f":no_entry: {refusal}")])
    except SpendError as problem:
        poster.respond(respond, str(problem), [section(f":warning: {escape(str(problem))}"), _help(command)])
    except Exception:
        logger.exception("%s failed", command)
        poster.respond(respond, f"Sorry, `{command}` failed on my side. Please try again in a minute.")


def _spend(
    words: list[str], user: str, body: dict[str, Any], client: WebClient, engine: Engine, ledger: SpendLedger
) -> tuple[str, list[Any]]:
    action = words[0].lower() if words else "help"
    if action in {"help", "?"}:
        return "Try: " + ", ".join(COMMAND_HELP["/aispend"][1]), [_help("/aispend")]
    if action == "list":
        month = parse_month(words[1]) if len(words) > 1 else None
        today = dt.datetime.now(dt.UTC).date()
        summary = summarise(ledger.entries(), today)
        entries = ledger.entries(month or month_of(today))
        blocks = spend_list_blocks(summary, entries)
        return f"{summary.current.month} to date: {format_usd(summary.current.total)}", blocks
    _require_admin(user, engine, client)
    if action in {"fix", "delete"}:
        if len(words) != (3 if action == "fix" else 2) or not words[1].isdigit():
            raise SpendError(
                f"use `/aispend {action} ID{' AMOUNT' if action == 'fix' else ''}`; `/aispend list` shows ids"
            )
        if action == "fix":
            old, entry = ledger.fix(int(words[1]), parse_amount(words[2]), recorded_by=user)
            line = f"Entry {entry.id} ({entry.provider}, {entry.day or entry.month}): {format_usd(old, cents=True)} -> {format_usd(entry.amount, cents=True)}."
        else:
            entry = ledger.delete(int(words[1]))
            line = f"Deleted entry {entry.id}: {entry.provider}, {entry.day or entry.month}, {format_usd(entry.amount, cents=True)}."
        return line, [section(escape(line))]
    if len(words) != 3:
        raise SpendError("give an amount, a provider and a month: `/aispend 12500 openai 2026-11`")
    amount, provider, month = parse_amount(words[0]), parse_provider(words[1]), parse_month(words[2])
    entry = ledger.add(amount, provider, month, recorded_by=user)
    total = sum((e.amount for e in ledger.entries(month)), start=amount - amount)
    line = (
        f"Recorded {format_usd(entry.amount, cents=True)} for {provider}, {month} (entry {entry.id}). "
        f"{month} now totals {format_usd(total, cents=True)}."
    )
    return line, [section(escape(line))]


def _alerts(
    words: list[str], user: str, body: dict[str, Any], client: WebClient, engine: Engine, store: AlertStore
) -> tuple[str, list[Any]]:
    action = words[0].lower() if words else "help"
    if action in {"help", "?"}:
        return "Try: " + ", ".join(COMMAND_HELP["/aialerts"][1]), [_help("/aialerts")]
    if action == "list":
        problems = [
            f"{d.key}: {d.state} after {d.attempts} tries: {d.last_error}"
            for d in store.deliveries(50)
            if d.state != "posted" and d.last_error
        ]
        subscriptions = store.subscriptions()
        return f"{len(subscriptions)} channel(s) get alerts", subscriptions_blocks(subscriptions, problems)
    if action not in {"subscribe", "unsubscribe"}:
        raise SpendError(f"unknown action {words[0]!r}: use subscribe, unsubscribe or list")
    _require_admin(user, engine, client)
    channel = _channel(words[1]) if len(words) > 1 else str(body.get("channel_id") or "")
    if not channel.startswith(("C", "G")):
        raise SpendError("name a channel: `/aialerts subscribe #ai-costs`")
    if action == "unsubscribe":
        gone = store.unsubscribe(channel)
        line = f"<#{channel}> gets no more alerts." if gone else f"<#{channel}> was not subscribed."
        return line, [section(line)]
    known = alert_rules().ids
    rules = tuple(words[2:])
    unknown = [rule for rule in rules if rule not in known]
    if unknown:
        raise SpendError(f"unknown rule {', '.join(unknown)}: the rules are {', '.join(known)}")
    store.subscribe(channel, rules, by=user)
    line = (
        f"<#{channel}> gets alerts: {', '.join(rules) or 'every rule'}. Invite me there if I'm not in it yet."
    )
    return line, [section(escape(line).replace("&lt;#", "<#").replace("&gt;", ">"))]


def _channel(word: str) -> str:
    found = _CHANNEL.match(word.strip())
    if found is None:
        raise SpendError(f"{word!r} is not a channel: pick one with #, e.g. `/aialerts subscribe #ai-costs`")
    return found[1] or found[2]


def is_admin(user: str, engine: Engine, client: WebClient) -> bool:
    """True for ADVISOR_ADMIN_USERS, or (when that is empty) a workspace admin or owner."""
    admins = engine.settings.admin_users
    if admins:
        return user in admins
    try:
        profile = client.users_info(user=user)["user"]
    except SlackApiError as error:
        logger.warning("users.info for the admin check failed: %s", error.response.get("error"))
        return False
    return bool(profile.get("is_admin") or profile.get("is_owner") or profile.get("is_primary_owner"))


def _require_admin(user: str, engine: Engine, client: WebClient) -> None:
    if is_admin(user, engine, client):
        return
    admins = engine.settings.admin_users
    if admins:
        who = ", ".join(f"<@{admin}>" for admin in sorted(admins))
        raise NotAdminError(
            f"Only the advisor's admins can change spend and alerts: {who} (ADVISOR_ADMIN_USERS)."
        )
    raise NotAdminError(
        "Only workspace admins and owners can change spend and alerts (or the users in ADVISOR_ADMIN_USERS, "
        "when it is set). Anyone can use `list`."
    )


def _help(command: str) -> Any:
    purpose, examples = COMMAND_HELP[command]
    listed = "\n".join(f"• `{escape(example)}`" for example in examples)
    return section(f"*{command}*: {escape(purpose)}. Try:\n{listed}")
