"""Slack's Socket Mode endpoint on 127.0.0.1 and a free port: the WebSocket an app without a public URL uses.

Attached to a fake Slack, it is where that fake's `apps.connections.open` sends the app. A connection
must carry a ticket the fake issued (each works once, as Slack's do); it is greeted with `hello`, and
then the test pushes envelopes down it and reads what the app sends back: acks `{"envelope_id": ...}`,
with a `payload` when the app answers in the ack. Pings are answered by the WebSocket library.

    with fake_slack_server() as fake, socket_mode_server(fake) as socket:
        ...  # start the app with SLACK_APP_TOKEN=xapp-... and SLACK_API_URL=fake.base_url
        socket.wait_connected()
        envelope = events_envelope(app_mention("at 500M tokens?"))
        socket.push(envelope)
        assert socket.wait_for_ack(envelope["envelope_id"])["envelope_id"] == envelope["envelope_id"]
"""

import json
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from slack_workspace import APP_ID, Workspace
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

_ACCEPTS_RESPONSE = frozenset({"view_submission", "block_suggestion"})
"""Interactive payloads Slack lets the app answer in the ack (a modal's errors, a select's options)."""


def _envelope(kind: str, payload: dict[str, Any], *, accepts_response: bool) -> dict[str, Any]:
    """One Socket Mode delivery: a fresh envelope id around `payload`."""
    return {
        "envelope_id": str(uuid.uuid4()),
        "payload": payload,
        "type": kind,
        "accepts_response_payload": accepts_response,
    }


def events_envelope(
    payload: dict[str, Any], *, retry_attempt: int = 0, retry_reason: str = ""
) -> dict[str, Any]:
    """An Events API delivery (`payload` as from tests/slack_requests.py); a redelivery has a new
    envelope id around the same payload and `retry_attempt` 1 to 3 (reason e.g. "timeout")."""
    return _envelope("events_api", payload, accepts_response=False) | {
        "retry_attempt": retry_attempt,
        "retry_reason": retry_reason,
    }


def command_envelope(fields: dict[str, str]) -> dict[str, Any]:
    """A slash command delivery: the form fields of `slash_command(...)` as a JSON object."""
    return _envelope("slash_commands", fields, accepts_response=True)


def interactive_envelope(payload: dict[str, Any]) -> dict[str, Any]:
    """A click, modal submission or shortcut delivery (`block_action(...)`, `view_submission(...)`)."""
    return _envelope("interactive", payload, accepts_response=payload.get("type") in _ACCEPTS_RESPONSE)


class FakeSocketMode:
    """Slack's side of Socket Mode for one app; see the module docstring. Thread-safe."""

    def __init__(self, workspace: Workspace) -> None:
        self._workspace = workspace
        self._lock = threading.Condition()
        self._open: list[ServerConnection] = []
        self._received: list[dict[str, Any]] = []
        self._sessions = 0
        self._refused = 0
        self._server: Server = serve(
            self._session,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
            compression=None,  # Slack's SDK client offers no extensions
            logger=logging.getLogger("fake-socket-mode"),
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-socket-mode", daemon=True
        )

    @property
    def url(self) -> str:
        """ws://127.0.0.1:PORT/link/, what apps.connections.open answers with (plus a ticket)."""
        return f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link/"

    @property
    def sessions(self) -> int:
        """Connections accepted and greeted so far, closed ones included."""
        with self._lock:
            return self._sessions

    @property
    def refused(self) -> int:
        """Connection attempts refused for a missing, unknown or reused ticket, or another path."""
        with self._lock:
            return self._refused

    @property
    def received(self) -> list[dict[str, Any]]:
        """Every JSON message the app sent, in order (acks and anything else)."""
        with self._lock:
            return list(self._received)

    def acks(self, envelope_id: str) -> list[dict[str, Any]]:
        """The app's acks of one envelope (Slack expects exactly one)."""
        return [message for message in self.received if message.get("envelope_id") == envelope_id]

    def wait_connected(self, sessions: int = 1, timeout: float = 10.0) -> None:
        """Wait until `sessions` connections were greeted and one is open."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._sessions >= sessions and bool(self._open), timeout):
                raise AssertionError(
                    f"expected {sessions} connection(s) within {timeout} s, got {self._sessions}"
                )

    def wait_disconnected(self, timeout: float = 10.0) -> None:
        """Wait until no connection is open (the app closed its socket)."""
        with self._lock:
            if not self._lock.wait_for(lambda: not self._open, timeout):
                raise AssertionError(f"{len(self._open)} connection(s) still open after {timeout} s")

    def push(self, envelope: dict[str, Any]) -> str:
        """Send an envelope down the newest open connection; returns its envelope id."""
        with self._lock:
            if not self._open:
                raise AssertionError("no app is connected")
            connection = self._open[-1]
        connection.send(json.dumps(envelope))
        return str(envelope.get("envelope_id", ""))

    def refresh(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, as Slack does every few hours: it must fetch a new URL and connect."""
        self.push({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}})

    def drop(self, code: int = 1001, reason: str = "server shutting down") -> None:
        """Close the newest connection from Slack's side, as when one of its socket servers goes away."""
        with self._lock:
            if not self._open:
                raise AssertionError("no app is connected")
            connection = self._open[-1]
        connection.close(code, reason)

    def wait_for_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Wait for the app's ack of `envelope_id` and return it."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._ack(envelope_id) is not None, timeout):
                raise AssertionError(f"no ack of {envelope_id} within {timeout} s; received {self._received}")
            ack = self._ack(envelope_id)
            assert ack is not None
            return ack

    def _ack(self, envelope_id: str) -> dict[str, Any] | None:
        return next((m for m in self._received if m.get("envelope_id") == envelope_id), None)

    def start(self) -> None:
        """Serve in a background thread and become the workspace's Socket Mode URL."""
        self._thread.start()
        self._workspace.socket_mode_url = self.url

    def stop(self) -> None:
        """Close every connection (1001, going away), stop listening, wait for the handlers."""
        self._workspace.socket_mode_url = None
        self._server.shutdown()
        self._thread.join(timeout=5)

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        """Refuse the opening handshake unless it is for /link/ with a ticket Slack issued and nobody used."""
        parts = urlsplit(request.path)
        tickets = parse_qs(parts.query).get("ticket", [])
        if parts.path == "/link/" and len(tickets) == 1 and self._workspace.redeem_ticket(tickets[0]):
            return None
        with self._lock:
            self._refused += 1
        if parts.path != "/link/":
            return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or used ticket\n")

    def _session(self, connection: ServerConnection) -> None:
        with self._lock:
            self._sessions += 1
            hello = {
                "type": "hello",
                "num_connections": len(self._open) + 1,
                "debug_info": {
                    "host": "applink-fake",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": APP_ID},
            }
        try:
            connection.send(json.dumps(hello))
            with self._lock:
                self._open.append(connection)
                self._lock.notify_all()
            for message in connection:
                try:
                    received = json.loads(message)
                except ValueError:
                    received = {"not_json": message}
                with self._lock:
                    self._received.append(
                        received if isinstance(received, dict) else {"not_an_object": received}
                    )
                    self._lock.notify_all()
        except ConnectionClosed:
            pass  # the app went away, with or without a close frame
        finally:
            with self._lock:
                if connection in self._open:
                    self._open.remove(connection)
                self._lock.notify_all()


@contextmanager
def socket_mode_server(workspace: Workspace) -> Iterator[FakeSocketMode]:
    """A started `FakeSocketMode` that `workspace`'s apps.connections.open points at, stopped on exit."""
    socket = FakeSocketMode(workspace)
    socket.start()
    try:
        yield socket
    finally:
        socket.stop()
