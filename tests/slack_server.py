"""A fake Slack Web API on 127.0.0.1 and a free port, for the Slack app's tests.

It speaks Slack's wire format to a real `slack_sdk.WebClient`: JSON, form or query parameters, a
Bearer bot token (an app-level `xapp-` token for `apps.connections.open`, whose Socket Mode URL
tests/slack_socket.py serves), `{"ok": false, "error": ...}` answers, HTTP 429 with `Retry-After`, the upload URL
of `files_upload_v2` and response URLs. What it knows and the rules it answers by are in
tests/slack_workspace.py; this module adds HTTP, records every call, and injects faults.

    with fake_slack_server() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.base_url)
        client.chat_postMessage(channel="C1", text="hi")
        assert fake.messages("C1")[0]["text"] == "hi"
"""

import contextlib
import json
import threading
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from slack_workspace import Params, Workspace

_JSON_FIELDS = frozenset({"blocks", "attachments", "metadata", "view", "files", "prompts", "chunks"})
"""Fields a form-encoded request carries as a JSON string."""

Reply = tuple[int, Any, dict[str, str]]
"""HTTP status, body (a dict is sent as JSON, anything else as text) and extra headers."""


@dataclass(frozen=True)
class Call:
    """One Web API request the fake received, refused and failed ones included."""

    method: str
    params: Params
    """Query, form and JSON fields merged; JSON strings in form fields (blocks, view, files) decoded."""
    headers: dict[str, str]
    """Lower-case header names."""


@dataclass
class _Fault:
    status: int
    error: str
    retry_after: int | None
    times: int


def _parse(query: str, content_type: str, raw: bytes) -> Params:
    """Merge the query string and a JSON or form body, as Slack does."""
    params: Params = dict(parse_qsl(query, keep_blank_values=True))
    if raw and content_type.startswith("application/json"):
        body = json.loads(raw)  # ValueError: the caller answers invalid_json
        params.update(body if isinstance(body, dict) else {})
    elif raw:
        params.update(parse_qsl(raw.decode(), keep_blank_values=True))
    for key in _JSON_FIELDS & params.keys():
        if isinstance(params[key], str) and params[key][:1] in ("[", "{"):
            with contextlib.suppress(ValueError):  # left a string, which the checks then refuse
                params[key] = json.loads(params[key])
    return params


class FakeSlack(Workspace):
    """A Slack workspace served over HTTP; see the module docstring."""

    def __init__(self) -> None:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-slack", daemon=True
        )
        self._started = False
        self._released = threading.Event()
        super().__init__()

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._httpd.server_address[1])

    @property
    def origin(self) -> str:
        """http://127.0.0.1:PORT, where upload and response URLs point."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What to give `WebClient(base_url=...)`: http://127.0.0.1:PORT/api/."""
        return f"{self.origin}/api/"

    @property
    def calls(self) -> list[Call]:
        """Every Web API request, in order, refused and failed ones included."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Params]:
        """The parameters of every request to one method, in order."""
        return [call.params for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Params]:
        """Wait until `count` requests to `method` were answered; return the parameters of all of them."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.calls_to(method)) >= count, timeout):
                seen = [call.method for call in self._calls]
                raise AssertionError(f"expected {count} {method} call(s) within {timeout} s; calls: {seen}")
            return self.calls_to(method)

    def wait_for_response(self, count: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until `count` bodies were accepted at response URLs; return all of them."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._responses) >= count, timeout):
                got = self._responses
                raise AssertionError(f"expected {count} response(s) within {timeout} s, got {got}")
            return self.responses

    def response_url(self, channel: str | None = None) -> str:
        """A fresh response URL on this server; an `in_channel` response is shown in `channel`, if given."""
        return self.new_response_url(channel)

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` requests to `method` get HTTP 429 with `Retry-After: retry_after` (seconds)."""
        self._add_fault(method, _Fault(429, "ratelimited", retry_after, times))

    def fail(
        self, method: str, status: int | None = None, *, error: str | None = None, times: int = 1
    ) -> None:
        """The next `times` requests to `method` fail: with HTTP `status` (500 by default), or with
        HTTP 200 and `{"ok": false, "error": error}` when only `error` is given.

        `method` is a Web API method, "upload" for upload URLs or "response_url" for response URLs.
        """
        if status is None and error is None:
            status = 500
        self._add_fault(method, _Fault(status or 200, error or "internal_error", None, times))

    def hang(self, method: str, seconds: float, *, store: bool = True) -> None:
        """The next request to `method` is held for `seconds` before its answer is sent.

        With `store` (the default) Slack acts on it first (a posted message is in the history) and
        only the answer is late, so a client killed meanwhile never learns that it went out; without
        it the request is held, then refused with HTTP 500 and nothing stored, as if it never arrived.
        `stop()` releases every held request.
        """
        with self._lock:
            self._hangs[method].append((seconds, store))

    def reset(self) -> None:
        """Forget every call, message, upload, response, view, fault and setting."""
        with self._lock:
            super().reset()
            self._calls: list[Call] = []
            self._faults: defaultdict[str, deque[_Fault]] = defaultdict(deque)
            self._hangs: defaultdict[str, deque[tuple[float, bool]]] = defaultdict(deque)

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()
        self._started = True

    def stop(self) -> None:
        """Stop serving, wait for requests in flight and free the port."""
        self._released.set()
        if self._started:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._started = False
        self._httpd.server_close()

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> Reply:
        """Answer one HTTP request (called by the request handler), then wake anyone waiting.

        The lock is held throughout, so a test woken by `wait_for` finds the answer already stored.
        """
        route, _, query = path.partition("?")
        method = route.removeprefix("/api/")
        hang = None
        with self._lock:
            if route.startswith("/api/") and self._hangs[method]:
                hang = self._hangs[method].popleft()
                if not hang[1]:
                    self._calls.append(
                        Call(method, _parse(query, headers.get("content-type", ""), raw), headers)
                    )
                    self._lock.notify_all()
        if hang is not None and not hang[1]:
            self._released.wait(hang[0])
            return 500, {"ok": False, "error": "internal_error"}, {}
        with self._lock:
            if route.startswith("/api/"):
                reply = self._api(method, query, headers, raw)
            elif route.startswith("/upload/"):
                reply = self._fault("upload") or (
                    *self.receive_upload(route.removeprefix("/upload/"), raw),
                    {},
                )
            elif route.startswith("/response/"):
                key = route.removeprefix("/response/")
                reply = self._fault("response_url") or (*self.receive_response(key, raw), {})
            else:
                reply = (404, "not found", {})
            self._lock.notify_all()
        if hang is not None:
            self._released.wait(hang[0])
        return reply

    def _api(self, method: str, query: str, headers: dict[str, str], raw: bytes) -> Reply:
        try:
            params = _parse(query, headers.get("content-type", ""), raw)
        except ValueError:
            self._calls.append(Call(method, {}, headers))
            return 200, {"ok": False, "error": "invalid_json"}, {}
        self._calls.append(Call(method, params, headers))
        authorization = headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ")
        if not authorization:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if token == authorization or not token.startswith(("xoxb-", "xapp-")) or token in self.revoked_tokens:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        # The app-level token (xapp-) opens Socket Mode connections and does nothing else; the bot token the rest.
        if token.startswith("xapp-") != (method == "apps.connections.open"):
            return 200, {"ok": False, "error": "not_allowed_token_type"}, {}
        return self._fault(method) or (200, self.answer(method, params), {})

    def _fault(self, method: str) -> Reply | None:
        """The next injected fault for `method`, used up, or None."""
        faults = self._faults[method]
        if not faults:
            return None
        fault = faults[0]
        fault.times -= 1
        if fault.times <= 0:
            faults.popleft()
        extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        return fault.status, {"ok": False, "error": fault.error}, extra

    def _add_fault(self, method: str, fault: _Fault) -> None:
        with self._lock:
            self._faults[method].append(fault)


class _Server(ThreadingHTTPServer):
    # Handler threads are not daemons, so server_close() joins them: no thread outlives the fake.
    daemon_threads = False
    request_queue_size = 128  # the app posts from many threads at once (make bench-slack)
    fake: FakeSlack


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # HTTP/1.0: one request per connection, so no handler thread idles on a kept-alive socket.
    protocol_version = "HTTP/1.0"
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            status, body, extra = self.server.fake.handle(self.path, headers, raw)
        except Exception as error:  # noqa: BLE001 - a bug in the fake must reach the test, not a thread
            status, body, extra = 500, {"ok": False, "error": f"fake_slack_bug: {error!r}"}, {}
        is_json = isinstance(body, dict)
        data = json.dumps(body).encode() if is_json else str(body).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json; charset=utf-8" if is_json else "text/plain")
            self.send_header("content-length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client hung up


@contextmanager
def fake_slack_server() -> Iterator[FakeSlack]:
    """A started `FakeSlack`, stopped on exit."""
    fake = FakeSlack()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
