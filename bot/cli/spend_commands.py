"""`advisor spend`: month to date, the run-rate projection and history; add, fix, delete, import, poll."""

import argparse
import datetime as dt
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.cli.output import print_json
from bot.settings import Settings
from bot.spend.errors import SpendError


def register(commands: Any) -> None:
    """Add `spend` and its subcommands to the `advisor` parser."""
    spend = commands.add_parser(
        "spend",
        help="AI spend: month to date per provider, the run-rate projection and the history",
        description="Without a subcommand: this month to date per provider, the projection for the month at "
        "the current daily run-rate, and every month's total. The advisor's own LLM spend is included.",
    )
    spend.add_argument("--json", action="store_true", help="print the summary as JSON")
    spend.set_defaults(handler=_guarded(_summary))
    actions = spend.add_subparsers(dest="spend_command", metavar="ACTION", parser_class=type(spend))

    add = actions.add_parser("add", help="record an amount for a provider and month (or day)")
    add.add_argument("amount", help="US dollars, e.g. 12500 or $12,500.50")
    add.add_argument("--provider", required=True, help="e.g. openai, anthropic, azure-openai")
    when = add.add_mutually_exclusive_group(required=True)
    when.add_argument("--month", help="YYYY-MM, a whole month's figure")
    when.add_argument("--day", help="YYYY-MM-DD, one day's spend (counted in the run-rate)")
    add.add_argument("--tokens", help="tokens that spend bought, e.g. 500M (for the break-even snapshot)")
    add.set_defaults(handler=_guarded(_add))

    listing = actions.add_parser("list", help="the ledger's entries with their ids")
    listing.add_argument("--month", help="YYYY-MM; default every month")
    listing.add_argument("--json", action="store_true", help="print the entries as JSON")
    listing.set_defaults(handler=_guarded(_list))

    fix = actions.add_parser("fix", help="change an entry's amount")
    fix.add_argument("id", type=int, help="the entry id from `advisor spend list`")
    fix.add_argument("amount", help="the right amount in US dollars")
    fix.set_defaults(handler=_guarded(_fix))

    remove = actions.add_parser("delete", help="remove an entry")
    remove.add_argument("id", type=int, help="the entry id from `advisor spend list`")
    remove.set_defaults(handler=_guarded(_delete))

    load = actions.add_parser(
        "import",
        help="load a spend file: the advisor's CSV, or OpenAI's or Anthropic's cost JSON",
        description="CSV header `date,provider,amount[,tokens]`, date YYYY-MM-DD or YYYY-MM, amount in US dollars. "
        "JSON: pages from OpenAI's /v1/organization/costs or Anthropic's /v1/organizations/cost_report. A bad row "
        "stops the file with its line number and nothing is saved; importing a file again replaces its days.",
    )
    load.add_argument("file", type=Path)
    load.add_argument("--format", choices=("csv", "openai", "anthropic"), help="default: detected")
    load.set_defaults(handler=_guarded(_import))

    poll = actions.add_parser(
        "poll",
        help="fetch last month and this month from OpenAI and Anthropic (OPENAI_ADMIN_KEY, ANTHROPIC_ADMIN_KEY)",
    )
    poll.set_defaults(handler=_guarded(_poll))


def _guarded(handler: Callable[[argparse.Namespace, Settings], int]) -> Callable[[argparse.Namespace], int]:
    """Run a handler; a spend error becomes one line on standard error and exit 2."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args, Settings())
        except SpendError as error:
            print(f"advisor spend: {error}", file=sys.stderr)
            return 2

    return run


def _ledger(settings: Settings) -> Any:
    from bot.spend.ledger import SpendLedger
    from bot.wiring import open_database

    return SpendLedger(open_database(settings))


def _summary(args: argparse.Namespace, settings: Settings) -> int:
    from bot.alerts.setup import alert_timezone
    from bot.spend.ledger import SpendLedger
    from bot.spend.sources import sync_advisor_usage
    from bot.spend.summary import summarise
    from bot.stats import StatsStore
    from bot.wiring import open_database

    database = open_database(settings)
    ledger = SpendLedger(database)
    zone = alert_timezone(settings)
    sync_advisor_usage(ledger, StatsStore(database).records(), zone)
    summary = summarise(ledger.entries(), dt.datetime.now(zone).date())
    if args.json:
        print_json(summary.to_json())
    else:
        print(summary.to_text())
    return 0


def _add(args: argparse.Namespace, settings: Settings) -> int:
    from bot.spend.money import month_of, parse_amount, parse_day, parse_month, parse_provider
    from calculators.quantities import format_usd

    amount, provider = parse_amount(args.amount), parse_provider(args.provider)
    day = parse_day(args.day) if args.day else None
    month = month_of(day) if day else parse_month(args.month)
    tokens = _tokens(args.tokens)
    entry = _ledger(settings).add(amount, provider, month, day=day, tokens=tokens, recorded_by="cli")
    print(
        f"Recorded {format_usd(entry.amount, cents=True)} for {provider}, {day or month} (entry {entry.id})."
    )
    return 0


def _tokens(text: str | None) -> int | None:
    from bot.spend.errors import InvalidSpendError
    from bot.spend.money import parse_amount

    if not text:
        return None
    value = parse_amount(text)
    if value != value.to_integral_value():
        raise InvalidSpendError(f"tokens {text!r} is not a whole number")
    return int(value)


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from bot.spend.money import parse_month
    from calculators.quantities import format_usd

    entries = _ledger(settings).entries(parse_month(args.month) if args.month else None)
    if args.json:
        print_json(
            [
                {
                    "id": e.id,
                    "provider": e.provider,
                    "month": e.month,
                    "day": e.day.isoformat() if e.day else None,
                    "amount": str(e.amount),
                    "tokens": e.tokens,
                    "source": e.source,
                }
                for e in entries
            ]
        )
        return 0
    if not entries:
        print("No spend recorded. `advisor spend add 12500 --provider openai --month 2026-11` records some.")
    for e in entries:
        print(
            f"{e.id:>6}  {e.day or e.month!s:<10}  {e.provider:<14} {format_usd(e.amount, cents=True):>14}  {e.source}"
        )
    return 0


def _fix(args: argparse.Namespace, settings: Settings) -> int:
    from bot.spend.money import parse_amount
    from calculators.quantities import format_usd

    old, entry = _ledger(settings).fix(args.id, parse_amount(args.amount), recorded_by="cli")
    print(
        f"Entry {entry.id} ({entry.provider}, {entry.day or entry.month}): "
        f"{format_usd(old, cents=True)} -> {format_usd(entry.amount, cents=True)}."
    )
    return 0


def _delete(args: argparse.Namespace, settings: Settings) -> int:
    from calculators.quantities import format_usd

    entry = _ledger(settings).delete(args.id)
    print(
        f"Deleted entry {entry.id}: {entry.provider}, {entry.day or entry.month}, {format_usd(entry.amount, cents=True)}."
    )
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.spend.imports import read_spend_file

    spend_file = read_spend_file(args.file, args.format)
    result = _ledger(settings).import_file(
        spend_file.rows,
        sha256=spend_file.sha256,
        name=spend_file.name,
        source=spend_file.format,
        recorded_by="cli",
    )
    again = " (this file was imported before)" if result.already_imported else ""
    print(
        f"Imported {spend_file.name} as {spend_file.format}{again}: {result.added} new, "
        f"{result.replaced} replaced, {result.unchanged} unchanged."
    )
    return 0


def _poll(args: argparse.Namespace, settings: Settings) -> int:
    from bot.spend.pollers import configured_pollers
    from bot.spend.sources import poll_providers

    pollers = configured_pollers(settings)
    if not pollers:
        print(
            "advisor spend: no admin key is set: set OPENAI_ADMIN_KEY and/or ANTHROPIC_ADMIN_KEY (see .env.sample)",
            file=sys.stderr,
        )
        return 2
    problems = poll_providers(_ledger(settings), pollers, dt.datetime.now(dt.UTC).date())
    for problem in problems:
        print(f"advisor spend: {problem}", file=sys.stderr)
    print(f"Polled {', '.join(p.provider for p in pollers)}: {len(pollers) - len(problems)} succeeded.")
    return 1 if problems else 0
