"""Posting alerts exactly once, whatever stops the process and whatever Slack answers.

1. The alert and its message are recorded (`pending`) before anything is posted.
2. A try claims the row (attempts + 1), then posts through the `Poster` with message metadata
   `{"event_type": "advisor_alert", "event_payload": {"key": ...}}`, then marks it `posted`.
3. A row that was tried before and is still pending may be in the channel already (killed after
   posting, or a 5xx or timeout that Slack had in fact accepted): the channel is read back with
   `conversations.history(include_all_metadata=True)` and the alert is posted only if its key is
   not there. If the channel cannot be read, nothing is posted and the error is recorded.

Every Slack error is logged and recorded on the row (`advisor alerts list`, `/aialerts list`);
429s are retried by slack_sdk after Retry-After, and 429s and 5xx that remain are tried again in
this run (after reading back) up to `post_attempts`, then in later runs.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.alerts.store import AlertStore, Delivery, this_runner
from bot.slack.poster import Poster

logger = logging.getLogger(__name__)

EVENT_TYPE = "advisor_alert"
"""The message metadata event type on every alert."""
HISTORY_PAGES = 10
"""Pages of 200 messages read back at most when looking for an alert already posted."""
RETRYABLE = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


@dataclass(frozen=True)
class Outcome:
    """What happened to one alert in one run."""

    key: str
    state: str
    """posted, found (already in the channel), pending (will be tried again), failed or skipped."""
    error: str | None = None


class AlertSender:
    """Delivers pending alerts through the one `Poster`."""

    def __init__(
        self,
        poster: Poster,
        store: AlertStore,
        *,
        post_attempts: int = 3,
        give_up_after: int = 12,
        sleep: Callable[[float], None] = time.sleep,
        runner: str | None = None,
    ) -> None:
        self._poster = poster
        self._store = store
        self._post_attempts = post_attempts
        self._give_up_after = give_up_after
        self._sleep = sleep
        self._runner = runner or this_runner()

    def deliver_pending(self) -> list[Outcome]:
        """Try every pending alert once (with in-run retries for 429 and 5xx)."""
        return [self.deliver(delivery.key) for delivery in self._store.pending()]

    def deliver(self, key: str) -> Outcome:
        """Post one pending alert unless it is already in its channel."""
        outcome = Outcome(key, "skipped")
        for attempt in range(self._post_attempts):
            delivery = self._store.claim(key, self._runner)
            if delivery is None:
                return outcome
            outcome = self._try(delivery)
            if outcome.state != "pending" or not _retryable(outcome.error):
                return outcome
            self._sleep(min(2.0**attempt, 30.0))
        return outcome

    def _try(self, delivery: Delivery) -> Outcome:
        channel, key = delivery.channel, delivery.key
        if delivery.attempts > 1:
            try:
                found = self._find(channel, key)
            except (SlackApiError, SlackClientError, OSError) as error:
                return self._failed(
                    delivery, f"could not read the channel back to check for it: {_describe(error)}"
                )
            if found is not None:
                self._store.mark_posted(key, found)
                logger.info("alert %s was already in the channel (ts %s)", key, found)
                return Outcome(key, "found")
        message = delivery.message
        metadata = {"event_type": EVENT_TYPE, "event_payload": {"key": key, "rule": delivery.rule}}
        try:
            ts = self._poster.post(channel, message["text"], message["blocks"], metadata=metadata)
        except (SlackApiError, SlackClientError, OSError) as error:
            return self._failed(delivery, _describe(error))
        if ts is None:
            return self._failed(delivery, "Slack accepted the message without a ts")
        self._store.mark_posted(key, ts)
        logger.info("alert %s posted to %s (ts %s)", key, channel, ts)
        return Outcome(key, "posted")

    def _failed(self, delivery: Delivery, error: str) -> Outcome:
        give_up = delivery.attempts >= self._give_up_after
        self._store.record_failure(delivery.key, error, give_up=give_up)
        logger.warning(
            "alert %s to %s not posted (try %d%s): %s",
            delivery.key,
            delivery.channel,
            delivery.attempts,
            ", giving up" if give_up else "",
            error,
        )
        return Outcome(delivery.key, "failed" if give_up else "pending", error)

    def _find(self, channel: str, key: str) -> str | None:
        """The ts of the message in `channel` whose metadata carries `key`, if there is one."""
        cursor = None
        for _ in range(HISTORY_PAGES):
            response = self._poster.client.conversations_history(
                channel=channel, include_all_metadata=True, limit=200, cursor=cursor
            )
            for message in response.get("messages") or []:
                metadata = message.get("metadata") or {}
                if (
                    metadata.get("event_type") == EVENT_TYPE
                    and (metadata.get("event_payload") or {}).get("key") == key
                ):
                    return str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                return None
        return None


def _describe(error: Exception) -> str:
    """One line naming Slack's error (and the HTTP status when it is not 200), never a token."""
    if isinstance(error, SlackApiError) and error.response is not None:
        code = str(error.response.get("error") or "error")
        status = error.response.status_code
        return code if status == 200 else f"{code} (HTTP {status})"
    return f"cannot reach Slack ({type(error).__name__})"


def _retryable(error: str | None) -> bool:
    if error is None:
        return False
    return error.split(" ")[0] in RETRYABLE or "(HTTP 5" in error or error.startswith("cannot reach Slack")
