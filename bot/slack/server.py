"""The Slack app over HTTP: `POST /slack/events` through Bolt, `GET /healthz` for load balancers.

Events, slash commands and interactivity all arrive at `/slack/events`; Bolt checks the signature
and the timestamp (forged, unsigned or stale requests get 401 and reach no listener) and answers
Slack's `url_verification` handshake. The server binds before the engine loads, so `/healthz` can
say 503 while the model and the index load, then 200.
"""

import json
import logging
import threading
from collections.abc import Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import App, BoltRequest, BoltResponse

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 1_000_000
"""Slack's payloads are a few kilobytes; a modal's submitted state stays far below this."""


class SlackHttpServer(ThreadingHTTPServer):
    """A threaded HTTP server for one Bolt app; `server_close()` waits for requests in flight."""

    daemon_threads = False
    block_on_close = True
    request_queue_size = 128
    """Slack delivers in bursts; the default backlog of 5 drops connections under 50 at once."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), SlackRequestHandler)
        self._app: App | None = None
        self._health: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        """The bound address, e.g. http://127.0.0.1:3000 (the real port when 0 was asked for)."""
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def app(self) -> App | None:
        """The Bolt app once the engine is loaded; None while it loads."""
        with self._lock:
            return self._app

    @property
    def health(self) -> dict[str, Any]:
        """What `/healthz` reports once ready."""
        with self._lock:
            return dict(self._health)

    def serve_app(self, app: App, health: dict[str, Any] | None = None) -> None:
        """Start passing Slack's requests to `app`; `/healthz` says 200 from now on."""
        with self._lock:
            self._app = app
            self._health = {"status": "ok", **(health or {})}


class SlackRequestHandler(BaseHTTPRequestHandler):
    """One request: Slack's to `/slack/events`, a health check, or a 404."""

    server: SlackHttpServer
    server_version = "ai-infra-advisor"
    timeout = 15
    """Seconds a client may take to send its request before the connection is dropped."""

    def do_GET(self) -> None:
        """`/healthz`: 503 while the engine loads, then 200 with a small JSON."""
        if urlsplit(self.path).path != HEALTH_PATH:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not found"})
        elif self.server.app is None:
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "loading"}, {"Retry-After": "1"})
        else:
            self._reply(HTTPStatus.OK, self.server.health)

    def do_POST(self) -> None:
        """`/slack/events`: the raw body and headers go to `App.dispatch`, its response comes back."""
        url = urlsplit(self.path)
        if url.path != EVENTS_PATH:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not found"})
            return
        body = self._read_body()
        if body is None:
            return
        app = self.server.app
        if app is None:
            # Slack retries a delivery that fails; by then the engine is usually loaded.
            self._reply(HTTPStatus.SERVICE_UNAVAILABLE, {"status": "loading"}, {"Retry-After": "1"})
            return
        headers: dict[str, str | Sequence[str]] = {
            name: self.headers.get_all(name) or [] for name in set(self.headers.keys())
        }
        try:
            response = app.dispatch(BoltRequest(body=body, query=url.query, headers=headers))
        except Exception:
            logger.exception("Bolt failed on a request to %s", EVENTS_PATH)
            self._reply(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal error"})
            return
        self._send(response)

    def _read_body(self) -> str | None:
        """The request body as text, or None after answering 411, 413 or 400."""
        length_header = self.headers.get("Content-Length")
        if length_header is None or not length_header.strip().isdigit():
            self._reply(HTTPStatus.LENGTH_REQUIRED, {"error": "Content-Length required"})
            return None
        length = int(length_header)
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": f"body over {MAX_BODY_BYTES} bytes"})
            return None
        try:
            return self.rfile.read(length).decode("utf-8")
        except UnicodeDecodeError:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "body is not UTF-8"})
            return None

    def _send(self, response: BoltResponse) -> None:
        """Write Bolt's response as it is: status, headers (each value of each), body."""
        payload = response.body.encode("utf-8")
        self.send_response(response.status)
        for name, values in response.headers.items():
            if name != "content-length":
                for value in values:
                    self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _reply(self, status: HTTPStatus, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        """A small JSON response of the server's own."""
        payload = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Access lines go to the debug log, not to standard error line by line."""
        logger.debug("%s " + format, self.address_string(), *args)
