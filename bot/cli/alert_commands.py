"""`advisor alerts`: subscribe and unsubscribe channels, list them with undelivered alerts, and run the rules."""

import argparse
import datetime as dt
import functools
import sys
from collections.abc import Callable
from typing import Any

from bot.cli.output import print_json
from bot.settings import Settings
from bot.spend.errors import SpendError
from knowledge.errors import KnowledgeError


def register(commands: Any) -> None:
    """Add `alerts` and its subcommands to the `advisor` parser."""
    alerts = commands.add_parser(
        "alerts",
        help="phase alerts to Slack channels: subscribe, unsubscribe, list, run",
        description="Rules are in knowledge/data/alert_rules.yml. `advisor serve` runs them every hour; "
        "`advisor alerts run` runs them once (for cron).",
    )
    actions = alerts.add_subparsers(dest="alerts_command", metavar="ACTION", parser_class=type(alerts))
    actions.required = True

    subscribe = actions.add_parser("subscribe", help="post alerts to a channel")
    subscribe.add_argument("channel", help="the channel id, e.g. C0123456789")
    subscribe.add_argument("--rules", help="comma-separated rule ids; default every rule")
    subscribe.set_defaults(handler=_guarded(_subscribe))

    unsubscribe = actions.add_parser("unsubscribe", help="stop alerts to a channel")
    unsubscribe.add_argument("channel", help="the channel id")
    unsubscribe.set_defaults(handler=_guarded(_unsubscribe))

    listing = actions.add_parser("list", help="subscribed channels, the rules, and recent alerts with errors")
    listing.add_argument("--json", action="store_true", help="print as JSON")
    listing.set_defaults(handler=_guarded(_list))

    run = actions.add_parser("run", help="check the rules once and post what is due (needs SLACK_BOT_TOKEN)")
    run.add_argument(
        "--now",
        help="the time to run as, ISO-8601, e.g. 2026-11-14T09:00:00+00:00 (no zone: ADVISOR_ALERT_TIMEZONE)",
    )
    run.add_argument("--json", action="store_true", help="print what the run did as JSON")
    run.set_defaults(handler=_guarded(_run))


def _guarded(handler: Callable[[argparse.Namespace, Settings], int]) -> Callable[[argparse.Namespace], int]:
    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args, Settings())
        except (SpendError, KnowledgeError) as error:
            print(f"advisor alerts: {error}", file=sys.stderr)
            return 2

    return run


def _store(settings: Settings) -> Any:
    from bot.alerts.store import AlertStore
    from bot.wiring import open_database

    return AlertStore(open_database(settings))


def _channel(text: str) -> str:
    channel = text.strip().lstrip("#")
    if not channel[:1] in ("C", "G") or not channel.isalnum():
        raise SpendError(
            f"{text!r} is not a channel id: use the id from the channel's details, e.g. C0123456789"
        )
    return channel


def _subscribe(args: argparse.Namespace, settings: Settings) -> int:
    from bot.alerts.rules import alert_rules

    known = alert_rules().ids
    rules = tuple(part.strip() for part in (args.rules or "").split(",") if part.strip())
    unknown = [rule for rule in rules if rule not in known]
    if unknown:
        raise SpendError(f"unknown rule {', '.join(unknown)}: the rules are {', '.join(known)}")
    channel = _channel(args.channel)
    new = _store(settings).subscribe(channel, rules, by="cli")
    what = ", ".join(rules) if rules else "every rule"
    print(f"{channel} {'now gets' if new else 'now gets (updated)'} alerts: {what}.")
    return 0


def _unsubscribe(args: argparse.Namespace, settings: Settings) -> int:
    channel = _channel(args.channel)
    if not _store(settings).unsubscribe(channel):
        print(f"advisor alerts: {channel} was not subscribed", file=sys.stderr)
        return 1
    print(f"{channel} gets no more alerts.")
    return 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.alerts.rules import alert_rules

    store = _store(settings)
    subscriptions, deliveries = store.subscriptions(), store.deliveries(50)
    if args.json:
        print_json(
            {
                "rules": [rule.model_dump() for rule in alert_rules().rules],
                "subscriptions": [
                    {"channel": s.channel, "rules": list(s.rules) or "all"} for s in subscriptions
                ],
                "alerts": [
                    {
                        "key": d.key,
                        "state": d.state,
                        "attempts": d.attempts,
                        "last_error": d.last_error,
                        "posted_at": _iso(d.posted_at),
                        "ts": d.ts,
                    }
                    for d in deliveries
                ],
            }
        )
        return 0
    print("Rules: " + ", ".join(alert_rules().ids))
    print(
        "Subscriptions:" if subscriptions else "Subscriptions: none (`advisor alerts subscribe CHANNEL_ID`)"
    )
    for s in subscriptions:
        print(f"  {s.channel}  {', '.join(s.rules) or 'every rule'}")
    print("Alerts:" if deliveries else "Alerts: none yet")
    for d in deliveries:
        if d.state == "posted":
            status = f"posted {_iso(d.posted_at)} (ts {d.ts})"
        else:
            status = f"{d.state} after {d.attempts} tries" + (f": {d.last_error}" if d.last_error else "")
        print(f"  {d.key}  {status}")
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.alerts.setup import alert_timezone, build_runner
    from bot.slack.app import slack_client
    from bot.wiring import open_database

    if settings.slack_bot_token is None or not settings.slack_bot_token.get_secret_value().strip():
        raise SpendError('SLACK_BOT_TOKEN is not set: alerts are posted to Slack (README, "Slack")')
    zone = alert_timezone(settings)
    now = _now(args.now, zone)
    runner = build_runner(settings, open_database(settings), slack_client(settings))
    report = runner.run(now)
    if args.json:
        print_json(
            {
                "at": report.at.isoformat(),
                "recorded": report.recorded,
                "outcomes": [{"key": o.key, "state": o.state, "error": o.error} for o in report.outcomes],
                "problems": report.problems,
            }
        )
    else:
        print(f"Alerts run at {report.at.isoformat()}: {len(report.recorded)} new alert(s) due.")
        for outcome in report.outcomes:
            print(f"  {outcome.key}: {outcome.state}" + (f" ({outcome.error})" if outcome.error else ""))
        for problem in report.problems:
            print(f"  spend source: {problem}")
    return 1 if any(o.state in ("pending", "failed") for o in report.outcomes) else 0


def _now(text: str | None, zone: Any) -> dt.datetime:
    if not text:
        return dt.datetime.now(zone)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise SpendError(f"--now {text!r} is not ISO-8601: use e.g. 2026-11-14T09:00:00+00:00") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def _iso(seconds: float | None) -> str | None:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat(timespec="seconds") if seconds else None
