"""Slash-command replies and the /breakeven form: a calculation as blocks with a "Share in channel" button."""

import json
from typing import Any

from bot.calculations.record import Calculation
from bot.slack.views.blocks import Block, context, escape, fit, section, table

SHARE_ACTION = "share_in_channel"
BREAKEVEN_MODAL = "breakeven_form"
_FIELDS = (
    ("tokens", "Monthly tokens", "500M", True),
    ("model", "API model (or leave empty for the guide's $0.015/1K)", "gpt-4o", False),
    ("gpu", "GPU offer", "h100, aws, lambda, runpod-secure", False),
    ("gpu_hourly", "GPU price per hour (USD)", "3.99", False),
)
BREAKEVEN_FIELDS = tuple(field for field, *_ in _FIELDS)
"""The form's fields in order; each is both the block id and the action id."""


def calculation_blocks(
    calculation: Calculation,
    *,
    command: str,
    text: str,
    shared_by: str | None = None,
    chart_file_id: str | None = None,
) -> list[Block]:
    """A calculator result: summary, figures table, assumptions, caveats; a share button unless shared.

    Args:
        calculation: The result.
        command: The slash command that asked ("/breakeven"), so sharing can run it again.
        text: What followed the command.
        shared_by: The user who shared it to the channel (then no share button).
        chart_file_id: A private PNG upload to show in the message.
    """
    blocks: list[Block] = [section(f"*{escape(calculation.summary)}*")]
    if calculation.figures:
        blocks.append(table([(figure.label, figure.value) for figure in calculation.figures]))
    if chart_file_id is not None:
        blocks.append(
            {
                "type": "image",
                "slack_file": {"id": chart_file_id},
                "alt_text": "Monthly cost against monthly tokens: API and self-hosted, break-even marked",
            }
        )
    actions = calculation.result.get("actions") if calculation.tool == "phase" else None
    if actions:
        blocks.append(
            section("*What the guide recommends now*\n" + "\n".join(f"• {escape(str(a))}" for a in actions))
        )
    if calculation.assumptions:
        lines = "; ".join(f"{item.name}: {item.value} ({item.origin})" for item in calculation.assumptions)
        blocks.append(context([f"*Assumptions:* {escape(lines)}"]))
    blocks += [context([f":information_source: {escape(caveat)}"]) for caveat in calculation.caveats]
    tail: list[Block] = []
    if shared_by is not None:
        tail.append(context([f"Shared by <@{shared_by}> from `{escape(command)} {escape(text)}`"]))
    else:
        tail.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": SHARE_ACTION,
                        "text": {"type": "plain_text", "text": "Share in channel"},
                        "value": json.dumps({"command": command, "text": text})[:2000],
                    }
                ],
            }
        )
    return fit(blocks, tail)


def share_request(value: str) -> tuple[str, str] | None:
    """The command and text a share button carries; None if the value is not one of ours."""
    try:
        data = json.loads(value)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("command"), str):
        return None
    return data["command"], str(data.get("text", ""))


def breakeven_modal(channel_id: str, error: str | None = None) -> dict[str, Any]:
    """The /breakeven form: volume, model, GPU and its hourly price; the channel rides in private metadata."""
    blocks: list[Block] = []
    if error:
        blocks.append(section(f":warning: {escape(error)}"))
    for field, label, placeholder, required in _FIELDS:
        blocks.append(
            {
                "type": "input",
                "block_id": field,
                "optional": not required,
                "label": {"type": "plain_text", "text": label},
                "element": {
                    "type": "plain_text_input",
                    "action_id": field,
                    "placeholder": {"type": "plain_text", "text": placeholder},
                },
            }
        )
    return {
        "type": "modal",
        "callback_id": BREAKEVEN_MODAL,
        "private_metadata": json.dumps({"channel": channel_id}),
        "title": {"type": "plain_text", "text": "Break-even"},
        "submit": {"type": "plain_text", "text": "Calculate"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def modal_text(values: dict[str, dict[str, dict[str, Any]]]) -> str:
    """The form's answers as /breakeven arguments ("500M --model gpt-4o --gpu-hourly 3.99")."""
    parts: list[str] = []
    flags = {"tokens": "", "model": "--model ", "gpu": "--gpu ", "gpu_hourly": "--gpu-hourly "}
    for field, flag in flags.items():
        value = (values.get(field, {}).get(field, {}).get("value") or "").strip()
        if flag in ("--model ", "--gpu "):
            value = "-".join(value.split())  # an option takes one word: "claude sonnet 4.6" as a name
        if value:
            parts.append(f"{flag}{value}")
    return " ".join(parts)
