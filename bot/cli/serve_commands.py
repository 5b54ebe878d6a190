"""Serving Slack: `advisor serve` (Socket Mode or HTTP) and `advisor run` (Slack if configured, else chat).

Credentials are checked before the slow start-up: a missing or refused one ends the command with
one line naming the variable and what to do, exit 2, and never the token itself. SIGTERM and
SIGINT stop taking requests, let answers in flight finish for up to `FINISH_SECONDS`, and exit 0.
"""

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import SecretStr

from bot.settings import Settings

if TYPE_CHECKING:
    from slack_sdk import WebClient

FINISH_SECONDS = 10.0
"""How long a stop waits for answers already being worked on."""
OFFLINE_LISTENER_THREADS = 4
"""Bolt's listener threads when answers are offline, CPU work: more of them only make the request
threads wait for the GIL (under 50 events at once: p99 acknowledgement ~55 ms with 4, ~130 ms with 16)."""
LLM_LISTENER_THREADS = 16
"""With OPENAI_API_KEY answers mostly wait on the model, so more of them can be in flight at once."""

CONNECT_SLACK = """\
Slack is not connected. To connect it: create an app from manifest.yml (api.slack.com/apps > Create New App >
From a manifest), install it, then set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) or SLACK_BOT_TOKEN and
SLACK_SIGNING_SECRET (HTTP, `advisor serve --http`) in .env; `make run` then serves Slack (README, "Slack")."""


class SetupError(Exception):
    """A credential or address the user must fix before the app can serve; the message is one line."""


@dataclass(frozen=True)
class Credentials:
    """The secrets one way of serving needs, checked to be present."""

    bot_token: str
    signing_secret: str | None
    app_token: str | None


def register(commands: Any) -> None:
    """Add `serve` and `run` to the `advisor` parser."""
    serve = commands.add_parser(
        "serve",
        help="run the Slack app: Socket Mode with SLACK_APP_TOKEN, or HTTP with --http",
        description="Socket Mode when SLACK_APP_TOKEN is set and --http is not given (no public URL needed). "
        "With --http, serves events, slash commands and interactivity at POST /slack/events and readiness at "
        "GET /healthz. Needs SLACK_BOT_TOKEN, and SLACK_SIGNING_SECRET for HTTP. SIGTERM finishes the answers "
        "in flight, then exits 0.",
    )
    serve.add_argument("--http", action="store_true", help="serve HTTP instead of Socket Mode")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind for --http (default 127.0.0.1)")
    serve.add_argument(
        "--port", type=_port, default=3000, help="port for --http; 0 picks a free one (default 3000)"
    )
    serve.set_defaults(handler=_run_serve)

    run = commands.add_parser(
        "run",
        help="serve Slack when its credentials are set, else explain how to connect it and open the chat",
        description="With SLACK_BOT_TOKEN set: `advisor serve` (Socket Mode with SLACK_APP_TOKEN, else HTTP on "
        "127.0.0.1:3000). Without it: how to connect Slack, then `advisor chat`.",
    )
    run.set_defaults(handler=_run_run)


def _run_serve(args: argparse.Namespace) -> int:
    return _serve_or_explain(Settings(), http=args.http, host=args.host, port=args.port, command="serve")


def _run_run(args: argparse.Namespace) -> int:
    settings = Settings()
    if _secret(settings.slack_bot_token) is None:
        print(CONNECT_SLACK, flush=True)
        from bot.cli.ask_commands import run_chat

        return run_chat()
    http = _secret(settings.slack_app_token) is None
    return _serve_or_explain(settings, http=http, host="127.0.0.1", port=3000, command="run")


def _serve_or_explain(settings: Settings, *, http: bool, host: str, port: int, command: str) -> int:
    """Serve until stopped; a setup problem becomes one line on standard error and exit 2."""
    try:
        credentials = _credentials(settings, http=http)
        if http:
            return _serve_http(settings, credentials, host, port)
        return _serve_socket_mode(settings, credentials)
    except SetupError as error:
        print(f"advisor {command}: {error}", file=sys.stderr)
        return 2


def _credentials(settings: Settings, *, http: bool) -> Credentials:
    """The secrets this mode needs, or a SetupError naming the first one missing."""
    bot_token = _secret(settings.slack_bot_token)
    if bot_token is None:
        raise SetupError(
            "SLACK_BOT_TOKEN is not set: create the Slack app from manifest.yml, install it to your workspace "
            "and set SLACK_BOT_TOKEN to its Bot User OAuth Token (xoxb-...) in the environment or .env"
        )
    signing_secret = _secret(settings.slack_signing_secret)
    app_token = _secret(settings.slack_app_token)
    if http and signing_secret is None:
        raise SetupError(
            "SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request with it; copy the Signing Secret "
            "from your app's Basic Information page (or set SLACK_APP_TOKEN and use Socket Mode)"
        )
    if not http and app_token is None:
        raise SetupError(
            "SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token with connections:write (Basic "
            "Information > App-Level Tokens); or run `advisor serve --http` behind a public HTTPS URL"
        )
    return Credentials(bot_token=bot_token, signing_secret=signing_secret, app_token=app_token)


def _serve_http(settings: Settings, credentials: Credentials, host: str, port: int) -> int:
    """Bind, say where, load the engine (`/healthz` 503 meanwhile), serve until a signal, then drain."""
    from bot.slack.app import slack_client
    from bot.slack.server import SlackHttpServer

    client = slack_client(settings)
    _check_bot_token(client, credentials.bot_token, settings.slack_api_url)
    configure_logging()
    try:
        server = SlackHttpServer(host, port)
    except OSError as error:
        raise SetupError(f"cannot listen on {host}:{port} ({error.strerror}): pass another --port") from None
    stop = _StopOnSignal()
    executor = _listener_executor(settings)
    serving = threading.Thread(target=server.serve_forever, name="slack-http", daemon=True)
    serving.start()
    print(f"advisor serve: listening on {server.url} (POST /slack/events, GET /healthz)", flush=True)
    try:
        with stop.abort_while_loading():
            app, loaded_in = _load_app(settings, client, executor)
        server.serve_app(app, {"mode": "http", "loaded_in_seconds": round(loaded_in, 1)})
        print(f"advisor serve: ready after {loaded_in:.1f} s", flush=True)
        stop.wait()
        print("advisor serve: stopping; finishing answers in flight", flush=True)
    except _Stopped:
        pass
    finally:
        server.shutdown()
        server.server_close()
        _finish_answers(executor)
    return 0


def _serve_socket_mode(settings: Settings, credentials: Credentials) -> int:
    """Check both tokens, load the engine, connect to Slack's socket, serve until a signal, then drain."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.slack.app import slack_client

    client = slack_client(settings)
    _check_bot_token(client, credentials.bot_token, settings.slack_api_url)
    assert credentials.app_token is not None  # _credentials requires it for Socket Mode
    _check_app_token(client, credentials.app_token, settings.slack_api_url)
    configure_logging()
    stop = _StopOnSignal()
    executor = _listener_executor(settings)
    handler = None
    try:
        with stop.abort_while_loading():
            app, loaded_in = _load_app(settings, client, executor)
        # Pinging every 5 s (slack_sdk's default is 10) halves the gap after Slack drops the socket.
        handler = SocketModeHandler(app, app_token=credentials.app_token, web_client=client, ping_interval=5)
        handler.client.connect()  # a refused or unreachable socket is logged and retried, never raised
        if handler.client.is_connected():
            print(
                f"advisor serve: connected to Slack in Socket Mode, ready after {loaded_in:.1f} s", flush=True
            )
        else:
            print(
                f"advisor serve: ready after {loaded_in:.1f} s, but could not connect to Slack's Socket Mode "
                "endpoint yet; retrying (the log says why)",
                flush=True,
            )
        stop.wait()
        print("advisor serve: stopping; finishing answers in flight", flush=True)
    except _Stopped:
        pass
    finally:
        if handler is not None:
            handler.client.close()
        _finish_answers(executor)
    return 0


def _load_app(settings: Settings, client: "WebClient", executor: ThreadPoolExecutor) -> tuple[Any, float]:
    """The engine (the slow part: model, index, database, warm caches) and the Bolt app over it."""
    from bot.engine import load_engine
    from bot.slack.app import build_app

    started = time.monotonic()
    engine = load_engine(settings)
    app = build_app(settings, engine, client=client, executor=executor)
    from bot.alerts.setup import start_scheduler

    start_scheduler(settings, engine.database, client)  # a daemon thread; alerts survive being cut short
    return app, time.monotonic() - started


def _listener_executor(settings: Settings) -> ThreadPoolExecutor:
    """Where Bolt runs listeners (the answers), sized for what an answer waits on."""
    threads = LLM_LISTENER_THREADS if _secret(settings.openai_api_key) else OFFLINE_LISTENER_THREADS
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="slack-listener")


def _check_bot_token(client: "WebClient", token: str, api_url: str) -> None:
    """auth.test, so a wrong or revoked token stops us here with one line instead of Bolt's traceback."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    try:
        client.auth_test(token=token)
    except SlackApiError as error:
        code = error.response.get("error", "refused")
        raise SetupError(
            f"Slack refused SLACK_BOT_TOKEN ({code}): copy the current Bot User OAuth Token (xoxb-...) from your "
            "app's OAuth & Permissions page, reinstalling the app if the token was revoked"
        ) from None
    except (SlackClientError, OSError) as error:
        raise SetupError(_unreachable(api_url, error)) from None


def _check_app_token(client: "WebClient", app_token: str, api_url: str) -> None:
    """apps.connections.open, the call Socket Mode starts with, so a wrong app token fails in one line."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    try:
        client.apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        code = error.response.get("error", "refused")
        raise SetupError(
            f"Slack refused SLACK_APP_TOKEN ({code}): create an app-level token with the connections:write "
            "scope (Basic Information > App-Level Tokens) and enable Socket Mode for the app"
        ) from None
    except (SlackClientError, OSError) as error:
        raise SetupError(_unreachable(api_url, error)) from None


def _unreachable(api_url: str, error: Exception) -> str:
    """Which address failed and why, without anything a URL may carry besides host and path."""
    parts = urlsplit(api_url)
    where = f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"
    reason = getattr(error, "reason", None) or type(error).__name__
    return f"cannot reach Slack's Web API at {where} ({reason}): check the network or SLACK_API_URL"


def _finish_answers(executor: ThreadPoolExecutor) -> None:
    """Wait up to FINISH_SECONDS for answers in flight; past that, exit without them."""
    finishing = threading.Thread(target=executor.shutdown, kwargs={"wait": True}, daemon=True)
    finishing.start()
    finishing.join(FINISH_SECONDS)
    if finishing.is_alive():
        print(
            f"advisor serve: answers still running after {FINISH_SECONDS:.0f} s were abandoned",
            file=sys.stderr,
            flush=True,
        )
        sys.stdout.flush()
        # The executor's threads would keep the interpreter alive at exit; the bound is the point.
        os._exit(0)


class _Stopped(BaseException):
    """A stop signal arrived before the app was ready (not an Exception, so no `except Exception` eats it)."""


class _StopOnSignal:
    """SIGTERM and SIGINT ask the process to stop; while the engine loads they stop it at once."""

    def __init__(self) -> None:
        self._requested = threading.Event()
        self._loading = False
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self._requested.set()
        if self._loading:
            raise _Stopped

    @contextmanager
    def abort_while_loading(self) -> Iterator[None]:
        """A signal inside this block raises _Stopped instead of waiting for the slow load to end."""
        if self._requested.is_set():
            raise _Stopped
        self._loading = True
        try:
            yield
        finally:
            self._loading = False

    def wait(self) -> None:
        """Block until a stop is requested (in short waits, so signals are handled promptly)."""
        while not self._requested.wait(0.5):
            pass


def _secret(value: SecretStr | None) -> str | None:
    """A configured secret's value, or None when it is unset or empty (`SLACK_BOT_TOKEN=` in .env)."""
    if value is None:
        return None
    return value.get_secret_value().strip() or None


def _port(text: str) -> int:
    """A TCP port, 0 to 65535 (0 picks a free one)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be a number from 0 to 65535, not {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be from 0 to 65535, not {port}")
    return port


def configure_logging() -> None:
    """Timestamped INFO lines on standard error for the long-running server."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
