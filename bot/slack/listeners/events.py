"""Mentions, direct messages (and the AI-app pane), and the Home tab."""

import datetime as dt
import functools
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.alerts.setup import alert_timezone
from bot.alerts.store import AlertStore
from bot.engine import Engine
from bot.slack.answering import Answering
from bot.slack.views.help import SUGGESTED_PROMPTS
from bot.slack.views.home import home_view
from bot.spend.ledger import SpendLedger
from bot.spend.summary import summarise

logger = logging.getLogger(__name__)


EVENTS = {"app_mention": "app_mention", "message": "message.im", "app_home_opened": "app_home_opened"}
"""Each event type listened to, and the subscription the manifest needs for it."""


def register(app: App, engine: Engine, answering: Answering, workers: Executor) -> None:
    """Each event is handed to `workers` and acked at once; the answer is worked out after the ack.

    A hand-off rather than Bolt's lazy listeners: those deep-copy every request, which under a
    burst of events costs more than the ack itself.
    """
    handlers: dict[str, Callable[[dict[str, Any], dict[str, Any], Any], None]] = {
        "app_mention": functools.partial(_mention, answering=answering),
        "message": functools.partial(_message, answering=answering),
        "app_home_opened": functools.partial(_home_opened, engine=engine),
    }
    for event in EVENTS:
        app.event(event)(_hand_off(handlers[event], workers))


def _hand_off(
    handler: Callable[[dict[str, Any], dict[str, Any], Any], None], workers: Executor
) -> Callable[[dict[str, Any], dict[str, Any], Any], None]:
    """A listener that only queues `handler` (Bolt acks events when the listener returns)."""

    def listener(body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        workers.submit(_logged, handler, body, event, context)

    return listener


def _logged(
    handler: Callable[[dict[str, Any], dict[str, Any], Any], None],
    body: dict[str, Any],
    event: dict[str, Any],
    context: Any,
) -> None:
    try:
        handler(body, event, context)
    except Exception:
        logger.exception("handling a %s event failed", event.get("type"))


def _mention(body: dict[str, Any], event: dict[str, Any], context: Any, *, answering: Answering) -> None:
    if _from_a_bot(event):
        return
    answering.answer(
        event,
        event_id=body.get("event_id"),
        reply_in_thread=True,
        say_stream=context.get("say_stream"),
        set_status=context.get("set_status"),
    )


def _message(body: dict[str, Any], event: dict[str, Any], context: Any, *, answering: Answering) -> None:
    """Direct messages only: channel messages reach the bot as mentions."""
    if (
        event.get("channel_type") != "im"
        or event.get("subtype") not in _ANSWERED_SUBTYPES
        or _from_a_bot(event)
    ):
        return
    answering.answer(
        event,
        event_id=body.get("event_id"),
        reply_in_thread=False,
        say_stream=context.get("say_stream"),
        set_status=context.get("set_status"),
        set_title=context.get("set_title") or _title_setter(context, event),
    )


def _home_opened(body: dict[str, Any], event: dict[str, Any], context: Any, *, engine: Engine) -> None:
    """The pane shows suggested prompts; the Home tab shows what the advisor does."""
    if event.get("tab") == "messages":
        prompts = context.get("set_suggested_prompts")
        if prompts is not None:
            prompts(prompts=list(SUGGESTED_PROMPTS), title="Ask the advisor")
        return
    spend = summarise(
        SpendLedger(engine.database).entries(), dt.datetime.now(alert_timezone(engine.settings)).date()
    )
    subscriptions = AlertStore(engine.database).subscriptions()
    client: WebClient = context.client
    client.views_publish(
        user_id=str(event["user"]), view=home_view(engine.tables, spend=spend, subscriptions=subscriptions)
    )


_ANSWERED_SUBTYPES = frozenset({None, "file_share"})
"""A plain message, or one with a file attached; edits, joins and bot posts are not questions."""


def _from_a_bot(event: dict[str, Any]) -> bool:
    return bool(event.get("bot_id") or event.get("subtype") == "bot_message" or event.get("bot_profile"))


def _title_setter(context: Any, event: dict[str, Any]) -> Any:
    """Bolt attaches `set_title` only to assistant-thread events; DMs in a thread get one too."""
    thread_ts = event.get("thread_ts")
    client = context.get("client")
    if thread_ts is None or client is None:
        return None

    def set_title(title: str) -> Any:
        return client.assistant_threads_setTitle(
            channel_id=event["channel"], thread_ts=thread_ts, title=title
        )

    return set_title
