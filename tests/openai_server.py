"""A scriptable OpenAI-compatible chat-completions server on 127.0.0.1, for the LLM path's tests.

It speaks the real wire format (`POST /v1/chat/completions`, `GET /v1/models`), checks requests the
way the real API does where a client bug would show (a Bearer key; every assistant tool call
answered by a tool message), and records every request. Each request takes the next scripted
behaviour: a text reply, tool calls, an HTTP error, a hang, or a malformed body. A request with
`stream: true` gets the same behaviour as server-sent events in the chat.completions chunk format
(text and tool-call deltas, then a usage chunk when `stream_options.include_usage` is set).

    with openai_server() as server:
        server.script(ToolCalls(("breakeven", {"tokens": 500000000})), Text("It breaks even."))
        ... point the client at server.base_url ...
        assert len(server.requests) == 2
"""

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Text:
    """Answer with assistant text."""

    content: str
    prompt_tokens: int = 100
    completion_tokens: int = 20
    finish_reason: str = "stop"
    echo_authorization: bool = False
    """Append the request's Authorization header to the text, as a careless proxy or model might."""
    chunk_chars: int = 4
    """When streaming: characters per content delta (about one token)."""
    hang_after: int | None = None
    """When streaming: send this many deltas, then nothing until the server stops."""


@dataclass(frozen=True)
class ToolCalls:
    """Ask for one or more tool calls, each (name, arguments); arguments may be a raw JSON string."""

    calls: tuple[tuple[str, dict[str, Any] | str], ...]
    prompt_tokens: int = 100
    completion_tokens: int = 20
    content: str | None = None
    """Text the model writes before its tool calls ("Let me calculate that."), if any."""

    def __init__(
        self,
        *calls: tuple[str, dict[str, Any] | str],
        prompt_tokens: int = 100,
        completion_tokens: int = 20,
        content: str | None = None,
    ) -> None:
        object.__setattr__(self, "calls", calls)
        object.__setattr__(self, "prompt_tokens", prompt_tokens)
        object.__setattr__(self, "completion_tokens", completion_tokens)
        object.__setattr__(self, "content", content)


@dataclass(frozen=True)
class Status:
    """Answer with an HTTP error in OpenAI's error shape, e.g. 429 or 500."""

    code: int
    retry_after_ms: int | None = 10
    """Sent as `retry-after-ms` (the openai client honours it; a `retry-after: 0` is ignored and
    falls back to 0.5 s+ backoff). None sends no retry header, so the client's own backoff runs."""
    echo_authorization: bool = False
    """Put the request's Authorization header into the error message, as a careless proxy might."""
    retry_after: str | None = None
    """Sent as the standard `Retry-After` header (seconds, or an HTTP date) when set."""


@dataclass(frozen=True)
class Hang:
    """Send nothing for `seconds` (or until the server stops), then a text reply nobody reads."""

    seconds: float = 30.0


@dataclass(frozen=True)
class Malformed:
    """Answer 200 with `body` as it is: not JSON, or JSON that is not a chat completion."""

    body: bytes = b'{"id": "chatcmpl-broken", "choices": [{"message": '


Behaviour = Text | ToolCalls | Status | Hang | Malformed


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    """Lower-case header names."""
    body: dict[str, Any] | None
    """The JSON body, or None for a GET or a body that was not JSON."""

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages sent."""
        return list((self.body or {}).get("messages", []))

    @property
    def tool_names(self) -> list[str]:
        """Names of the tools offered to the model."""
        return [tool["function"]["name"] for tool in (self.body or {}).get("tools", [])]


@dataclass
class _State:
    script: deque[Behaviour] = field(default_factory=deque)
    otherwise: Behaviour | None = None
    requests: list[RecordedRequest] = field(default_factory=list)
    rejections: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: _State

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up is what the hang tests are about, not a failure.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # HTTP/1.0: one request per connection, so no handler thread idles on a kept-alive socket.
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._record(None)
        if self.path.rstrip("/") != "/v1/models":
            self._json(404, _error("not found", "invalid_request_error"))
            return
        self._json(200, {"object": "list", "data": [{"id": "gpt-4o", "object": "model", "owned_by": "fake"}]})

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        self._record(body if isinstance(body, dict) else None)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, _error(f"no route {self.path}", "invalid_request_error"))
            return
        if not self.headers.get("authorization", "").startswith("Bearer ") or len(
            self.headers.get("authorization", "")
        ) <= len("Bearer "):
            self._json(401, _error("missing API key", "invalid_request_error"))
            return
        problem = _check_request(body)
        if problem:
            with state.lock:
                state.rejections.append(problem)
            self._json(400, _error(problem, "invalid_request_error"))
            return
        assert isinstance(body, dict)
        with state.lock:
            behaviour = state.script.popleft() if state.script else state.otherwise
        if behaviour is None:
            with state.lock:
                state.rejections.append("no scripted reply left")
            self._json(500, _error("fake server: no scripted reply left", "server_error"))
            return
        self._behave(behaviour, body, state)

    def _behave(self, behaviour: Behaviour, body: dict[str, Any], state: _State) -> None:
        model = str(body.get("model", ""))
        stream = bool(body.get("stream"))
        usage = stream and bool((body.get("stream_options") or {}).get("include_usage"))
        message: dict[str, Any]
        match behaviour:
            case Text(content, prompt, completion, finish, echo, chunk_chars, hang_after):
                if echo:
                    content += f" (you sent Authorization: {self.headers.get('authorization')})"
                message = {"role": "assistant", "content": content, "refusal": None}
                if stream:
                    pieces = [content[i : i + chunk_chars] for i in range(0, len(content), chunk_chars)]
                    deltas = [{"content": piece} for piece in pieces]
                    self._stream(
                        state, model, deltas, finish, (prompt, completion) if usage else None, hang_after
                    )
                    return
                self._json(200, _completion(state, model, message, finish, prompt, completion))
            case ToolCalls(calls, prompt, completion, content):
                tool_calls = [
                    {
                        "id": f"call_{next(state.ids)}",
                        "type": "function",
                        "function": {
                            "name": name,
                            "arguments": args if isinstance(args, str) else json.dumps(args),
                        },
                    }
                    for name, args in calls
                ]
                message = {"role": "assistant", "content": content, "tool_calls": tool_calls, "refusal": None}
                if stream:
                    deltas = [{"content": content[i : i + 4]} for i in range(0, len(content or ""), 4)]
                    deltas += _tool_call_deltas(tool_calls)
                    self._stream(state, model, deltas, "tool_calls", (prompt, completion) if usage else None)
                    return
                self._json(200, _completion(state, model, message, "tool_calls", prompt, completion))
            case Status(code, retry_after_ms, echo, retry_after):
                text = f"fake server error {code}"
                if echo:
                    text += f" (you sent Authorization: {self.headers.get('authorization')})"
                headers = {"retry-after-ms": str(retry_after_ms)} if retry_after_ms is not None else {}
                if retry_after is not None:
                    headers["retry-after"] = retry_after
                kind = "rate_limit_exceeded" if code == 429 else "server_error"
                self._json(code, _error(text, kind), headers)
            case Hang(seconds):
                state.stopping.wait(seconds)
                message = {"role": "assistant", "content": "too late", "refusal": None}
                self._json(200, _completion(state, model, message, "stop", 1, 1))
            case Malformed(raw):
                self._send(200, raw, {})

    def _stream(
        self,
        state: _State,
        model: str,
        deltas: list[dict[str, Any]],
        finish: str,
        usage: tuple[int, int] | None,
        hang_after: int | None = None,
    ) -> None:
        """Server-sent events: a role delta, `deltas`, a finish chunk, the usage chunk if asked, [DONE]."""
        chunk_id = f"chatcmpl-{next(state.ids)}"
        created = int(time.time())

        def chunk(delta: dict[str, Any] | None, finish_reason: str | None = None) -> dict[str, Any]:
            choices = (
                []
                if delta is None
                else [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]
            )
            payload = {
                "id": chunk_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": None,
                "choices": choices,
            }
            if usage is not None:
                payload["usage"] = None
            return payload

        try:
            self.send_response(200)
            self.send_header("content-type", "text/event-stream; charset=utf-8")
            self.send_header("cache-control", "no-cache")
            self.end_headers()
            events = [chunk({"role": "assistant", "content": "", "refusal": None})]
            events += [chunk(delta) for delta in deltas]
            events.append(chunk({}, finish))
            if usage is not None:
                prompt, completion = usage
                last = chunk(None)
                last["usage"] = {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                }
                events.append(last)
            for number, event in enumerate(events):
                if hang_after is not None and number > hang_after:
                    state.stopping.wait(30)
                    return
                self.wfile.write(b"data: " + json.dumps(event).encode() + b"\n\n")
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
        except OSError:
            self.close_connection = True

    def _record(self, body: dict[str, Any] | None) -> None:
        state = self.server.state
        headers = {name.lower(): value for name, value in self.headers.items()}
        with state.lock:
            state.requests.append(RecordedRequest(self.command, self.path, headers, body))

    def _json(self, code: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        self._send(code, json.dumps(payload).encode(), headers or {})

    def _send(self, code: int, raw: bytes, headers: dict[str, str]) -> None:
        try:
            self.send_response(code)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(raw)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)
        except OSError:
            self.close_connection = True


def _check_request(body: Any) -> str | None:
    """What the real API would reject with a 400, for the mistakes a client can make."""
    if not isinstance(body, dict):
        return "request body is not a JSON object"
    if not body.get("model"):
        return "you must provide a model parameter"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "messages must be a non-empty array"
    if body.get("stream_options") is not None and not body.get("stream"):
        return "stream_options is only allowed when stream is true"
    pending: set[str] = set()
    for index, message in enumerate(messages):
        role = message.get("role")
        if role == "tool":
            if message.get("tool_call_id") not in pending:
                return f"messages[{index}]: a tool message must answer a preceding tool call"
            pending.discard(message["tool_call_id"])
            continue
        if pending:
            return f"tool calls {sorted(pending)} were not answered by tool messages"
        if role == "assistant":
            pending = {call["id"] for call in message.get("tool_calls") or []}
    if pending:
        return f"tool calls {sorted(pending)} were not answered by tool messages"
    return None


def _completion(
    state: _State, model: str, message: dict[str, Any], finish: str, prompt: int, completion: int
) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{next(state.ids)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
        "system_fingerprint": None,
    }


def _tool_call_deltas(tool_calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each tool call as the API streams it: id and name first, then the arguments in pieces."""
    deltas: list[dict[str, Any]] = []
    for index, call in enumerate(tool_calls):
        function = call["function"]
        deltas.append(
            {
                "tool_calls": [
                    {
                        "index": index,
                        "id": call["id"],
                        "type": "function",
                        "function": {"name": function["name"], "arguments": ""},
                    }
                ]
            }
        )
        arguments = function["arguments"]
        for start in range(0, len(arguments), 8):
            piece = arguments[start : start + 8]
            deltas.append({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
    return deltas


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": kind}}


class FakeOpenAIServer:
    """An OpenAI-compatible server on 127.0.0.1 and a free port, answering from a script."""

    def __init__(self) -> None:
        self._state = _State()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.state = self._state
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-openai", daemon=True
        )
        self._started = False

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """What to give the client as `base_url`: http://127.0.0.1:PORT/v1."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in order."""
        with self._state.lock:
            return list(self._state.requests)

    @property
    def completions(self) -> list[RecordedRequest]:
        """The chat-completion requests received, in order."""
        return [request for request in self.requests if request.path.startswith("/v1/chat/completions")]

    @property
    def rejections(self) -> list[str]:
        """Why requests were refused with a 400, or that the script ran out."""
        with self._state.lock:
            return list(self._state.rejections)

    def script(self, *behaviours: Behaviour) -> None:
        """Queue behaviours: each chat-completion request takes the next one."""
        with self._state.lock:
            self._state.script.extend(behaviours)

    def otherwise(self, behaviour: Behaviour | None) -> None:
        """What to do once the script is used up (by default: a 500 that records a rejection)."""
        with self._state.lock:
            self._state.otherwise = behaviour

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()
        self._started = True

    def stop(self) -> None:
        """Wake any hanging reply, stop serving and free the port."""
        self._state.stopping.set()
        if self._started:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._started = False
        self._httpd.server_close()


@contextmanager
def openai_server() -> Iterator[FakeOpenAIServer]:
    """A started `FakeOpenAIServer`, stopped on exit."""
    server = FakeOpenAIServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
