"""The advisor's Home tab: what it does, how to ask, the guide's phase thresholds and your spend."""

from collections.abc import Sequence
from typing import Any

from bot.alerts.evaluate import Subscription
from bot.slack.views.alerts import spend_home_blocks
from bot.slack.views.blocks import Block, context, escape, header, section
from bot.slack.views.help import COMMAND_HELP, QUESTION_EXAMPLES
from bot.spend.summary import SpendSummary
from knowledge.tables import Tables


def home_view(
    tables: Tables, *, spend: SpendSummary | None = None, subscriptions: Sequence[Subscription] = ()
) -> dict[str, Any]:
    """The Home tab for any user: with `spend`, this month's phase, spend against the thresholds and alerts."""
    phases = "\n".join(
        f"• *Phase {band.number}, {escape(band.name)}*: from {'above ' if not band.includes_start else ''}"
        f"${band.starts_at:,} a month"
        for band in tables.phases.bands()
    )
    commands = "\n".join(
        f"• `{escape(examples[0])}`: {escape(purpose)}" for purpose, examples in COMMAND_HELP.values()
    )
    asks = "\n".join(f"• {escape(example)}" for example in QUESTION_EXAMPLES)
    blocks: list[Block] = [
        header("AI Infra Advisor"),
        section(
            "Answers *should we self-host yet?*, *what will it cost?* and *which phase are we in?* "
            "from your AI-infrastructure guide, with exact calculators for every number."
        ),
        section(f"*Ask me* in a DM, or mention me in a channel:\n{asks}"),
        section(f"*Slash commands*\n{commands}"),
        section(f"*The guide's phases by monthly AI spend*\n{phases}"),
        context([f"Phase thresholds: {escape(tables.phases.source)} (as of {tables.phases.as_of})"]),
    ]
    if spend is not None:
        blocks += spend_home_blocks(spend, tables.phases.bands(), subscriptions)
    return {"type": "home", "blocks": blocks}
