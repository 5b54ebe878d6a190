"""Block Kit for spend and alerts: the alert messages, `/aispend list`, `/aialerts list` and the Home tab's spend.

Pure functions of data; the listeners and the alert sender do the I/O.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bot.alerts.evaluate import DueAlert, Subscription
from bot.slack.views.blocks import Block, context, escape, header, section
from bot.spend.ledger import SpendEntry
from bot.spend.money import month_name
from bot.spend.summary import SpendSummary
from calculators.phase import PhaseBand
from calculators.quantities import format_usd

BAR_WIDTH = 20
"""Characters in the Home tab's spend bar."""
ADD_SPEND_HELP = (
    "`/aispend 12500 openai 2026-11` records a month (admins), `/aispend list` shows the ledger; "
    "`advisor spend import costs.csv` loads a file."
)


@dataclass(frozen=True)
class AlertMessage:
    """What a channel receives: the notification text and the blocks."""

    text: str
    blocks: list[Block]


def alert_message(alert: DueAlert, *, section_title: str, breakeven: str | None, source: str) -> AlertMessage:
    """The message for one due alert.

    Args:
        alert: the alert and its facts.
        section_title: the guide's section for the phase, cited beside its actions.
        breakeven: the break-even summary at the team's token volume, when the volume is known.
        source: where the phase thresholds come from, for the footer.
    """
    spend, phase, month = alert.spend, alert.phase, month_name(alert.month)
    above = "" if phase.includes_start else "above "
    line = f"{above}{format_usd(phase.starts_at)}"
    if alert.rule.kind == "crossed":
        title = f"Phase {phase.number} reached: {phase.name}"
        text = (
            f"AI spend for {month} is {format_usd(spend.total)} so far, past the {line} line into "
            f"Phase {phase.number}, {phase.name}. Last month: {format_usd(alert.previous.total)}."
        )
        if spend.daily_rate is not None:
            text += f" At the current run-rate the month ends near {format_usd(spend.projection)}."
    elif alert.rule.kind == "projected":
        assert alert.crossing_day is not None and spend.daily_rate is not None
        title = f"Phase {phase.number} ahead: {phase.name}"
        text = (
            f"AI spend for {month} is {format_usd(spend.total)} so far. At {format_usd(spend.daily_rate)} a day "
            f"it passes {line} (Phase {phase.number}, {phase.name}) around "
            f"{alert.crossing_day.strftime('%-d %B')} and ends the month near {format_usd(spend.projection)}."
        )
    else:
        title = f"AI spend in {month}: {format_usd(spend.total)}"
        providers = ", ".join(
            f"{name} {format_usd(amount)}" for name, amount in sorted(spend.by_provider.items())
        )
        text = (
            f"{month} closed at {format_usd(spend.total)} ({providers}): Phase {phase.number}, {phase.name}. "
            f"{month_name(alert.previous.month)}: {format_usd(alert.previous.total)}."
        )
    actions = "\n".join(f"• {escape(action)}" for action in phase.actions)
    blocks: list[Block] = [
        header(title),
        section(escape(text)),
        section(
            f"*What the guide recommends in Phase {phase.number}* (_{escape(section_title)}_):\n{actions}"
        ),
    ]
    if breakeven:
        blocks.append(section(f"*Break-even at your volume*: {escape(breakeven)}"))
    blocks.append(
        context(
            [
                (
                    f"Alert `{alert.rule.id}`: {escape(alert.rule.description)} Thresholds: {escape(source)}. "
                    "Stop with `/aialerts unsubscribe`."
                )
            ]
        )
    )
    return AlertMessage(text=f"{title}. {text}", blocks=blocks)


def spend_bar(total: Decimal, bands: Sequence[PhaseBand]) -> str:
    """A text bar of spend against the top threshold, with the phase lines marked: `▓▓▓▓░░|░░░|░`."""
    top = max(band.starts_at for band in bands) * Decimal("1.2") or Decimal(1)
    filled = min(BAR_WIDTH, int(total / top * BAR_WIDTH))
    marks = {int(band.starts_at / top * BAR_WIDTH) for band in bands[1:]}
    cells = ["▓" if index < filled else "░" for index in range(BAR_WIDTH)]
    for mark in sorted(marks, reverse=True):
        cells.insert(mark, "|")
    return "".join(cells)


def spend_home_blocks(
    summary: SpendSummary | None, bands: Sequence[PhaseBand], subscriptions: Sequence[Subscription]
) -> list[Block]:
    """The Home tab's spend: phase, month to date against the thresholds, subscriptions, how to add spend."""
    blocks: list[Block] = [header("Your AI spend")]
    current = summary.current if summary is not None else None
    if current is None or not current.by_provider:
        blocks.append(section(f"No spend recorded this month yet. {ADD_SPEND_HELP}"))
    else:
        phase = _phase(current.total, bands)
        lines = [
            (
                f"*{escape(month_name(current.month))} to date: {format_usd(current.total)}*, Phase {phase.number} "
                f"({escape(phase.name)})"
            ),
            f"`{spend_bar(current.total, bands)}` "
            + ", ".join(f"{format_usd(band.starts_at)}" for band in bands[1:]),
        ]
        if current.daily_rate is not None:
            lines.append(f"Run-rate: about {format_usd(current.projection)} for the month")
        blocks.append(section("\n".join(lines)))
        blocks.append(context([ADD_SPEND_HELP]))
    if subscriptions:
        listed = "\n".join(f"• <#{s.channel}>: {_rules(s)}" for s in subscriptions)
        blocks.append(section(f"*Alert subscriptions*\n{listed}"))
    else:
        blocks.append(section("*Alerts*: none yet. An admin can type `/aialerts subscribe #channel`."))
    return blocks


def spend_list_blocks(
    summary: SpendSummary, entries: Sequence[SpendEntry], *, limit: int = 40
) -> list[Block]:
    """`/aispend list`: month to date, the projection, and this month's entries with their ids."""
    current = summary.current
    lines = [f"*{escape(month_name(current.month))} to date: {format_usd(current.total, cents=True)}*"]
    lines += [
        f"• {escape(name)}: {format_usd(amount, cents=True)}"
        for name, amount in sorted(current.by_provider.items())
    ]
    if current.daily_rate is not None:
        lines.append(f"Run-rate projection: {format_usd(current.projection)}")
    shown = [
        f"`{entry.id}` {entry.day or entry.month} {escape(entry.provider)} {format_usd(entry.amount, cents=True)}"
        f" ({entry.source})"
        for entry in list(entries)[-limit:]
    ]
    history = ", ".join(f"{spent.month} {format_usd(spent.total)}" for spent in summary.history[-6:])
    blocks = [section("\n".join(lines))]
    if shown:
        blocks.append(section("*Entries* (id, date, provider, amount):\n" + "\n".join(shown)))
    if history:
        blocks.append(context([f"By month: {history}"]))
    blocks.append(context(["Admins: `/aispend fix ID AMOUNT`, `/aispend delete ID`"]))
    return blocks


def subscriptions_blocks(subscriptions: Sequence[Subscription], problems: Sequence[str]) -> list[Block]:
    """`/aialerts list`: who gets which alerts, and alerts that could not be posted."""
    if subscriptions:
        listed = "\n".join(f"• <#{s.channel}>: {_rules(s)}" for s in subscriptions)
        blocks = [section(f"*Channels getting alerts*\n{listed}")]
    else:
        blocks = [section("No channel gets alerts yet. Admins: `/aialerts subscribe #channel [rule ...]`.")]
    if problems:
        blocks.append(section("*Not posted*\n" + "\n".join(f"• {escape(line)}" for line in problems[:20])))
    return blocks


def _rules(subscription: Subscription) -> str:
    return ", ".join(f"`{rule}`" for rule in subscription.rules) if subscription.rules else "every rule"


def _phase(total: Decimal, bands: Sequence[PhaseBand]) -> PhaseBand:
    current = bands[0]
    for band in bands[1:]:
        if band.contains_from_below(total):
            current = band
    return current


def as_json(message: AlertMessage) -> dict[str, Any]:
    """The message as stored with the alert, so a retry posts exactly what was intended."""
    return {"text": message.text, "blocks": message.blocks}
