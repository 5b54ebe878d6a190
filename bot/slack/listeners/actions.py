"""Buttons and the form: feedback on answers, "Share in channel", and the /breakeven form."""

import functools
import json
import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk.errors import SlackApiError

from bot.engine import Engine
from bot.slack.arguments import ArgumentError
from bot.slack.commands import run_command
from bot.slack.listeners.commands import chart_to_dm, reply_privately
from bot.slack.poster import Poster
from bot.slack.views.answer import FEEDBACK_ACTION, parse_feedback
from bot.slack.views.commands import (
    BREAKEVEN_FIELDS,
    BREAKEVEN_MODAL,
    SHARE_ACTION,
    calculation_blocks,
    modal_text,
    share_request,
)

logger = logging.getLogger(__name__)

_CANNOT_POST = frozenset({"not_in_channel", "channel_not_found", "is_archived", "restricted_action"})


def register(app: App, engine: Engine, poster: Poster) -> None:
    """Feedback buttons, the share button and the /breakeven form."""
    app.action(FEEDBACK_ACTION)(ack=_ack, lazy=[functools.partial(_feedback, engine=engine, poster=poster)])
    app.action(SHARE_ACTION)(ack=_ack, lazy=[functools.partial(_share, engine=engine, poster=poster)])
    app.view(BREAKEVEN_MODAL)(
        ack=functools.partial(_check_form, engine=engine),
        lazy=[functools.partial(_submit_form, engine=engine, poster=poster)],
    )


def _ack(ack: Ack) -> None:
    ack()


def _feedback(body: dict[str, Any], respond: Respond, *, engine: Engine, poster: Poster) -> None:
    action = body["actions"][0]
    parsed = parse_feedback(str(action.get("value", "")))
    if parsed is None:
        logger.warning("feedback with a value that is not ours")
        return
    answer_id, helpful = parsed
    engine.feedback.record(answer_id, str(body["user"]["id"]), helpful)
    if body.get("response_url"):
        poster.respond(
            respond,
            "Thanks, noted." if helpful else "Thanks, noted. Tell me what was missing and I'll try again.",
            response_type="ephemeral",
            replace_original=False,
        )


def _share(body: dict[str, Any], respond: Respond, *, engine: Engine, poster: Poster) -> None:
    request = share_request(str(body["actions"][0].get("value", "")))
    user = str(body["user"]["id"])
    channel = str((body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id") or "")
    if request is None or not channel:
        poster.respond(
            respond, "I couldn't tell what to share; run the command again.", replace_original=False
        )
        return
    command, text = request
    try:
        result = run_command(command, text, engine.tables)
    except ArgumentError as error:
        poster.respond(respond, f"I couldn't run that again: {error}", replace_original=False)
        return
    blocks = calculation_blocks(result.calculation, command=command, text=text, shared_by=user)
    try:
        ts = poster.post(channel, result.calculation.summary, blocks)
        if result.chart_png is not None:
            poster.upload_png(
                result.chart_png,
                filename="breakeven.png",
                title="Break-even chart",
                channel=channel,
                thread_ts=ts,
            )
    except SlackApiError as error:
        reason = str(error.response.get("error", "")) if error.response is not None else ""
        if reason not in _CANNOT_POST:
            raise
        note = chart_to_dm(poster, result, user) if result.chart_png is not None else ""
        poster.respond(
            respond,
            "I can't post in this channel (invite me with `/invite @AI Infra Advisor`). " + note,
            replace_original=False,
        )
        return
    poster.respond(respond, "Shared in the channel.", replace_original=True)


def _check_form(ack: Ack, view: dict[str, Any], *, engine: Engine) -> None:
    """Refuse a form the calculator cannot read, next to the field, before the modal closes."""
    values = view["state"]["values"]
    try:
        run_command("/breakeven", modal_text(values), engine.tables, with_chart=False)
    except ArgumentError as error:
        ack(response_action="errors", errors={_bad_field(values, engine): str(error)[:150]})
        return
    ack()


def _bad_field(values: dict[str, dict[str, dict[str, Any]]], engine: Engine) -> str:
    """The first field (in the form's order) whose value makes the form unreadable."""
    for count, field in enumerate(BREAKEVEN_FIELDS, start=1):
        try:
            text = modal_text({name: values.get(name, {}) for name in BREAKEVEN_FIELDS[:count]})
            run_command("/breakeven", text, engine.tables, with_chart=False)
        except ArgumentError:
            return field
    return BREAKEVEN_FIELDS[0]


def _submit_form(body: dict[str, Any], view: dict[str, Any], *, engine: Engine, poster: Poster) -> None:
    text = modal_text(view["state"]["values"])
    user = str(body["user"]["id"])
    channel = str(json.loads(view.get("private_metadata") or "{}").get("channel") or "")
    try:
        result = run_command("/breakeven", text, engine.tables)
    except ArgumentError:
        return  # Bolt starts this even when the check refused the form; the modal shows why
    try:
        reply_privately(result, command="/breakeven", text=text, poster=poster, channel=channel, user=user)
    except SlackApiError as error:
        logger.warning(
            "could not reply in the channel (%s); sending the result to the DM", error.response.get("error")
        )
        dm = poster.dm_channel(user)
        poster.post(
            dm,
            result.calculation.summary,
            calculation_blocks(result.calculation, command="/breakeven", text=text),
        )
        chart_to_dm(poster, result, user)
