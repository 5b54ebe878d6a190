"""Everything the advisor sends to Slack goes through here: scrubbed, paced per channel, never an API error.

- Every text and block is scrubbed of configured secrets and token-shaped strings first.
- Messages to one channel leave at most about one a second (Slack's posting limit); a 429 is
  retried after its `Retry-After` by slack_sdk's retry handler on the client.
- Blocks that Slack refuses (`invalid_blocks`) are re-sent as plain text, so the user still gets
  the answer.
"""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.chat_stream import ChatStream

from bot.secrets import Scrubber
from bot.slack.views.blocks import Block, truncate

logger = logging.getLogger(__name__)

TEXT_LIMIT = 39_000
"""Slack refuses a message text over 40,000 characters."""


class ChannelPacer:
    """Spaces messages to one channel by at least `interval` seconds; other channels do not wait."""

    def __init__(
        self,
        interval: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, channel: str) -> float:
        """Block until `channel` may get its next message; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(channel, now))
            self._next[channel] = slot + self._interval
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay


class Poster:
    """Posts answers, replies and files for the listeners."""

    def __init__(self, client: WebClient, scrubber: Scrubber, pacer: ChannelPacer | None = None) -> None:
        self.client = client
        self._scrubber = scrubber
        self._pacer = pacer or ChannelPacer()

    def scrub(self, value: Any) -> Any:
        """Text, blocks or any JSON value with secrets replaced."""
        if isinstance(value, str):
            return self._scrubber.scrub(value)
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        if isinstance(value, dict):
            return {key: self.scrub(item) for key, item in value.items()}
        return value

    def post(
        self,
        channel: str,
        text: str,
        blocks: Sequence[Block] | None = None,
        *,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str | None:
        """Post a message (in a thread when `thread_ts`); returns its ts, or None if Slack refused it."""
        self._pacer.wait(channel)
        arguments: dict[str, Any] = {"channel": channel, "text": truncate(self.scrub(text), TEXT_LIMIT)}
        if thread_ts:
            arguments["thread_ts"] = thread_ts
        if metadata is not None:
            arguments["metadata"] = self.scrub(metadata)
        try:
            response = self.client.chat_postMessage(
                **arguments, blocks=self.scrub(list(blocks or [])) or None
            )
        except SlackApiError as error:
            if _error(error) != "invalid_blocks" or not blocks:
                raise
            logger.warning("Slack refused the blocks (invalid_blocks); posting the text alone")
            response = self.client.chat_postMessage(**arguments)
        return str(response.get("ts")) if response.get("ts") else None

    def ephemeral(self, channel: str, user: str, text: str, blocks: Sequence[Block] | None = None) -> None:
        """A message only `user` sees in `channel`."""
        arguments: dict[str, Any] = {
            "channel": channel,
            "user": user,
            "text": truncate(self.scrub(text), TEXT_LIMIT),
        }
        try:
            self.client.chat_postEphemeral(**arguments, blocks=self.scrub(list(blocks or [])) or None)
        except SlackApiError as error:
            if _error(error) != "invalid_blocks" or not blocks:
                raise
            self.client.chat_postEphemeral(**arguments)

    def respond(
        self, respond: Callable[..., Any], text: str, blocks: Sequence[Block] | None = None, **extra: Any
    ) -> None:
        """Answer through a slash command's or an action's response URL (ephemeral unless told otherwise)."""
        respond(
            text=truncate(self.scrub(text), TEXT_LIMIT),
            blocks=self.scrub(list(blocks or [])) or None,
            **extra,
        )

    def stream(self, say_stream: Callable[..., ChatStream], channel: str) -> "ScrubbedStream":
        """A chat stream (chat.startStream / appendStream / stopStream) whose text is scrubbed as it goes."""
        self._pacer.wait(channel)
        return ScrubbedStream(say_stream(), self._scrubber, self)

    def dm_channel(self, user: str) -> str:
        """The id of the bot's direct-message conversation with `user`."""
        response = self.client.conversations_open(users=user)
        return str(response["channel"]["id"])

    def upload_png(
        self,
        png: bytes,
        *,
        filename: str,
        title: str,
        channel: str | None = None,
        initial_comment: str | None = None,
        thread_ts: str | None = None,
    ) -> str:
        """Upload a PNG with the current flow (files.getUploadURLExternal, upload, completeUploadExternal).

        Without `channel` the file stays private to the bot until shared. Returns the file id.
        """
        arguments: dict[str, Any] = {"content": png, "filename": filename, "title": self.scrub(title)}
        if channel is not None:
            self._pacer.wait(channel)
            arguments["channel"] = channel
        if initial_comment:
            arguments["initial_comment"] = self.scrub(initial_comment)
        if thread_ts:
            arguments["thread_ts"] = thread_ts
        response = self.client.files_upload_v2(**arguments)
        return str(response["files"][0]["id"]) if response.get("files") else str(response["file"]["id"])


class ScrubbedStream:
    """A `ChatStream` whose appended text passes through the stream scrubber first."""

    def __init__(self, stream: ChatStream, scrubber: Scrubber, poster: Poster) -> None:
        self._stream = stream
        self._poster = poster
        self._scrubbed = scrubber.stream(self._append)
        self.appended = 0
        """Characters sent so far."""

    def _append(self, text: str) -> None:
        if text:
            self._stream.append(markdown_text=text)
            self.appended += len(text)

    def write(self, text: str) -> None:
        """Add the model's next piece of text."""
        self._scrubbed.write(text)

    def stop(self, blocks: Sequence[Block] | None = None) -> None:
        """Flush what is left and finish the message, with `blocks` (e.g. feedback buttons) under it."""
        self._scrubbed.close()
        self._stream.stop(blocks=self._poster.scrub(list(blocks or [])) or None)


def _error(error: SlackApiError) -> str:
    return str(error.response.get("error", "")) if error.response is not None else ""
