"""The Slack app: builds the Bolt `App` over the engine and registers the listeners. Nothing else."""

import logging
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.engine import Engine
from bot.settings import Settings
from bot.slack.answering import Answering
from bot.slack.listeners import actions, commands, events, spend
from bot.slack.poster import Poster
from bot.slack.workers import AcksFirst

WORKERS = 10
"""Answers worked on at once when the caller brings no executor (Bolt's own default)."""
WEB_API_TIMEOUT = 10
"""Seconds for one Web API call; slack_sdk retries connection errors and 429s (after Retry-After)."""


def slack_client(settings: Settings) -> WebClient:
    """The Web API client at SLACK_API_URL with the bot token, retrying 429s and dropped connections."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token is not None else None
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=WEB_API_TIMEOUT,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
        ],
        logger=logging.getLogger("bot.slack.web"),
    )


def build_app(
    settings: Settings, engine: Engine, *, client: WebClient, executor: Executor | None = None
) -> App:
    """The Bolt app: verifies signatures, acks at once and answers on `executor`.

    Calls Slack's `auth.test` once (Bolt does, to learn the bot's own ids), so a wrong token fails here.
    """
    bolt_logger = logging.getLogger("bot.slack.bolt")
    if not any(isinstance(item, _SameTokenTwice) for item in bolt_logger.filters):
        bolt_logger.addFilter(_SameTokenTwice())
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    workers = AcksFirst(
        executor or ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="slack-worker")
    )
    app = App(
        client=client,
        signing_secret=secret or "",
        request_verification_enabled=bool(secret),
        # Acks run on the request's own thread and all work runs lazily on `executor`: with False,
        # Bolt queues even a command's ack on `executor`, behind every answer in progress.
        process_before_response=True,
        listener_executor=workers,
        logger=bolt_logger,
    )
    poster = Poster(client, engine.scrubber)
    events.register(app, engine, Answering(engine, poster), workers)
    commands.register(app, engine, poster)
    actions.register(app, engine, poster)
    spend.register(app, engine, poster)
    return app


class _SameTokenTwice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that the client's token wins: they are the same token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()
