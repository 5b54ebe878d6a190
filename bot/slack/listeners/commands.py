"""`/breakeven`, `/aicost`, `/aiphase`: acknowledged at once, answered ephemerally with a share button."""

import functools
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.engine import Engine
from bot.slack.arguments import ArgumentError
from bot.slack.commands import COMMANDS, CommandResult, run_command
from bot.slack.poster import Poster
from bot.slack.views.commands import breakeven_modal, calculation_blocks
from bot.slack.views.help import command_help_blocks, command_help_text

logger = logging.getLogger(__name__)


def register(app: App, engine: Engine, poster: Poster) -> None:
    """Each command acks at once; the calculation, the chart and the upload run after."""
    for command in COMMANDS:
        app.command(command)(ack=_ack, lazy=[functools.partial(_answer, engine=engine, poster=poster)])


def _ack(ack: Ack) -> None:
    ack()


def _answer(
    body: dict[str, Any], respond: Respond, client: WebClient, *, engine: Engine, poster: Poster
) -> None:
    command, text = str(body["command"]), str(body.get("text") or "").strip()
    try:
        if text.lower() in {"help", "?", "-h", "--help"}:
            poster.respond(respond, command_help_text(command), command_help_blocks(command))
            return
        if command == "/breakeven" and not text:
            client.views_open(trigger_id=body["trigger_id"], view=breakeven_modal(str(body["channel_id"])))
            return
        try:
            result = run_command(command, text, engine.tables)
        except ArgumentError as error:
            poster.respond(
                respond, command_help_text(command, str(error)), command_help_blocks(command, str(error))
            )
            return
        reply_privately(
            result, command=command, text=text, poster=poster, respond=respond, user=str(body["user_id"])
        )
    except Exception:
        logger.exception("%s failed", command)
        poster.respond(respond, f"Sorry, `{command}` failed on my side. Please try again in a minute.")


def reply_privately(
    result: CommandResult,
    *,
    command: str,
    text: str,
    poster: Poster,
    respond: Respond | None = None,
    channel: str | None = None,
    user: str,
) -> None:
    """The result only `user` sees: through `respond`, or as an ephemeral message in `channel`.

    The chart is uploaded privately and shown in the message; if the upload or the message with it
    fails, the chart goes to the user's DM and the reply says so.
    """
    calculation = result.calculation
    chart_id = _private_upload(poster, result, calculation.summary) if result.chart_png else None
    blocks = calculation_blocks(calculation, command=command, text=text, chart_file_id=chart_id)
    try:
        _send(poster, calculation.summary, blocks, respond=respond, channel=channel, user=user)
    except SlackApiError as error:
        if chart_id is None:
            raise
        logger.warning("the reply with its chart was refused (%s); the chart goes to the DM", _error(error))
        blocks = calculation_blocks(calculation, command=command, text=text)
        note = chart_to_dm(poster, result, user)
        _send(
            poster,
            f"{calculation.summary} {note}",
            [*blocks[:-1], _note(note), blocks[-1]],
            respond=respond,
            channel=channel,
            user=user,
        )


def chart_to_dm(poster: Poster, result: CommandResult, user: str) -> str:
    """Send the chart to the user's DM; returns the line that tells them where it went."""
    assert result.chart_png is not None
    try:
        dm = poster.dm_channel(user)
        poster.upload_png(
            result.chart_png,
            filename="breakeven.png",
            title="Break-even chart",
            channel=dm,
            initial_comment=result.calculation.summary,
        )
    except SlackApiError as error:
        logger.warning("could not send the chart to the DM either: %s", _error(error))
        return "I couldn't post the chart anywhere you can see it."
    return "The chart is in your DM with me."


def _private_upload(poster: Poster, result: CommandResult, title: str) -> str | None:
    assert result.chart_png is not None
    try:
        return poster.upload_png(result.chart_png, filename="breakeven.png", title=title[:200])
    except SlackApiError as error:
        logger.warning("chart upload failed: %s", _error(error))
        return None


def _send(
    poster: Poster,
    text: str,
    blocks: list[dict[str, Any]],
    *,
    respond: Respond | None,
    channel: str | None,
    user: str,
) -> None:
    if respond is not None:
        poster.respond(respond, text, blocks)
    else:
        assert channel is not None
        poster.ephemeral(channel, user, text, blocks)


def _note(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _error(error: SlackApiError) -> str:
    return str(error.response.get("error", "")) if error.response is not None else "no response"
