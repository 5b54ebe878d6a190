"""Answering a question asked in Slack: once per event, in the right thread, with its context.

Runs after the request was acknowledged (on Bolt's listener executor), so nothing here delays the
ack. A Slack retry or a duplicate delivery of the same `event_id` is answered once, even across a
restart (the claim is stored in the database). Every question gets an answer or a clear message.
"""

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_sdk.web.chat_stream import ChatStream

from bot.chain.answer import Answer, first_sentence
from bot.engine import Engine
from bot.slack.poster import Poster, ScrubbedStream
from bot.slack.views.answer import answer_blocks, answer_notification
from bot.slack.views.blocks import truncate
from bot.slack.views.help import QUESTION_EXAMPLES, question_help_blocks

logger = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
LOADING_MESSAGES = (
    "Reading the guide…",
    "Running the calculators…",
    "Checking where the guide disagrees with itself…",
)
SORRY = (
    "Sorry, I couldn't answer that just now: something went wrong on my side. Please ask again in a minute."
)


def question_text(text: str) -> str:
    """The question without mentions of the bot (or anyone) and surrounding whitespace."""
    return " ".join(_MENTION.sub(" ", text or "").split())


class Answering:
    """Answers questions from mentions and direct messages."""

    def __init__(self, engine: Engine, poster: Poster) -> None:
        self._engine = engine
        self._poster = poster

    def answer(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None,
        reply_in_thread: bool,
        say_stream: Callable[..., ChatStream] | None = None,
        set_status: Callable[..., Any] | None = None,
        set_title: Callable[[str], Any] | None = None,
    ) -> None:
        """Answer one message event (a mention or a DM), at most once per `event_id`.

        Args:
            event: Slack's event: channel, ts, thread_ts, text, user.
            event_id: The envelope's event id; None when Slack gave none (then no dedupe).
            reply_in_thread: Channel mentions always reply in a thread; DMs only inside one.
            say_stream, set_status, set_title: Bolt's helpers for this conversation, when it has them.
        """
        if event_id is not None and not self._engine.dedupe.claim(f"event:{event_id}"):
            logger.info("event %s already answered (a retry or a duplicate delivery); skipping", event_id)
            return
        channel = str(event["channel"])
        thread_ts = event.get("thread_ts") or (event.get("ts") if reply_in_thread else None)
        question = question_text(str(event.get("text", "")))
        if not question or question.lower() in {"help", "?", "hi", "hello", "hey"}:
            self._poster.post(
                channel, "Ask me about AI infrastructure costs.", question_help_blocks(), thread_ts=thread_ts
            )
            return
        conversation = f"slack:{channel}:{thread_ts or 'dm'}"
        _call_quietly(set_status, "is thinking…", loading_messages=list(LOADING_MESSAGES))
        if set_title is not None and not self._engine.chain.history(conversation):
            # The title goes to Slack around the poster, so it is scrubbed here (before it is cut).
            _call_quietly(set_title, truncate(first_sentence(self._poster.scrub(question)), 80))
        try:
            self._answer(question, conversation, channel, thread_ts, say_stream)
        except Exception:
            logger.exception("answering a Slack question failed")
            try:
                self._poster.post(channel, SORRY, thread_ts=thread_ts)
            except Exception:
                logger.exception("could not tell the user that answering failed")

    def _answer(
        self,
        question: str,
        conversation: str,
        channel: str,
        thread_ts: str | None,
        say_stream: Callable[..., ChatStream] | None,
    ) -> None:
        chain = self._engine.chain
        stream: ScrubbedStream | None = None

        def on_text(text: str) -> None:
            nonlocal stream
            if stream is None:
                assert say_stream is not None
                stream = self._poster.stream(say_stream, channel)
            stream.write(text)

        streaming = chain.streams and say_stream is not None and thread_ts is not None
        answer = chain.ask(question, conversation, on_text=on_text if streaming else None)
        if stream is None:
            self._post(channel, thread_ts, answer)
            return
        if answer.mode == "llm":
            stream.stop(blocks=answer_blocks(answer, prose=False))
            return
        # The LLM failed after it began streaming: close what it said and post the offline answer.
        stream.stop()
        self._post(channel, thread_ts, answer)

    def _post(self, channel: str, thread_ts: str | None, answer: Answer) -> None:
        self._poster.post(channel, answer_notification(answer), answer_blocks(answer), thread_ts=thread_ts)


def _call_quietly(helper: Callable[..., Any] | None, *args: Any, **kwargs: Any) -> None:
    """Status and titles are niceties: where Slack refuses them (outside AI-app threads), carry on."""
    if helper is None:
        return
    try:
        helper(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - any Slack error here must not stop the answer
        logger.debug("Slack refused %s: %s", type(helper).__name__, error)


__all__ = ["QUESTION_EXAMPLES", "Answering", "question_text"]
