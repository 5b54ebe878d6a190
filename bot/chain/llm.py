"""The LLM answerer: the only module that talks to the LLM provider.

One answer is a short tool loop over an OpenAI-compatible chat-completions API: the guide's
passages and the question go in, the model calls the calculator tools, the results go back, and
its final text comes out with the calculations it used.

The answer is bounded. One deadline covers all its requests, retries and tool rounds; each attempt
waits at most min(per-call timeout, time left). Retries (408/409/429/5xx, timeouts, connection
errors) are done here, not by the openai client, with exponential backoff and jitter, honouring a
server's Retry-After only when it fits inside the deadline. What is read back is capped in size, and
the text is scrubbed of the key and of token-shaped strings before anyone sees it. Every failure
becomes one `LlmError` so the chain can fall back to the offline answerer; no message or log line
here carries the API key.
"""

import json
import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from email.utils import parsedate_to_datetime
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import httpx2
import openai
from langchain_core.messages import ToolCall, ToolMessage, convert_to_openai_messages
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, Field, ValidationError

from bot.chain.answer import Draft, Turn
from bot.chain.compose import compose_prose
from bot.chain.prompts import build_messages
from bot.chain.quotes import PassageLike
from bot.chain.tools import ERROR_PREFIX, ToolRecorder, build_tools
from bot.secrets import Scrubber, StreamScrubber
from knowledge.errors import KnowledgeError
from knowledge.prices import find_model
from knowledge.tables import Tables

logger = logging.getLogger(__name__)

OPENAI_BASE_URL = "https://api.openai.com/v1"
"""Passed explicitly when no base URL is set, so OPENAI_BASE_URL / OPENAI_API_BASE in the
environment cannot redirect requests behind the settings' back."""

MAX_TOOL_ROUNDS = 4
"""Rounds of tool calls per answer; after them the model must answer with the results it has."""

DEFAULT_TOKEN_BUDGET = 16_000
"""Prompt plus completion tokens over all the calls of one answer. Measured request sizes: the five
tool schemas are ~7,200 characters (~1.9K tokens) on every call, the system prompt plus four
passages ~1K tokens, a breakeven result ~0.9K; so one tool round costs ~7.5K tokens, two ~12K."""

DEFAULT_DEADLINE = 15.0
"""Seconds for a whole answer: Slack users get an answer or a clear message within 20 s."""

DEFAULT_MAX_REPLY_CHARS = 65_536
"""Characters of text (and tool arguments) one reply may carry; a normal one is under 4,000."""

STREAM_HOLD_CHARS = 160
"""While tools may still be called, a round's text is held back until it is this long: a model
about to call tools writes at most a short preamble first, and that must not reach the user."""

_RETRIED = frozenset({408, 409, 429})
"""Statuses retried besides 5xx, as the openai client does (openai/_base_client.py `_should_retry`)."""

_INITIAL_BACKOFF = 0.5
_MAX_BACKOFF = 8.0


class LlmError(Exception):
    """The LLM gave no usable answer; one line, never containing the API key."""


class LlmAnswerer:
    """Answers a question from the guide's passages with an OpenAI-compatible model and the calculator tools."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None,
        model: str,
        timeout: float,
        max_retries: int,
        max_tokens: int,
        tables: Tables,
        token_budget: int = DEFAULT_TOKEN_BUDGET,
        deadline: float = DEFAULT_DEADLINE,
        max_reply_chars: int = DEFAULT_MAX_REPLY_CHARS,
        scrubber: Scrubber | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        """Build the client; nothing is sent until `answer`.

        Args:
            api_key: The provider's key; kept only inside the client.
            base_url: An OpenAI-compatible API root such as http://127.0.0.1:8000/v1; None for OpenAI.
            model: The model name sent with each request, e.g. gpt-4o.
            timeout: Seconds to wait for each HTTP attempt (less when the deadline is nearer).
            max_retries: Retries of one request after the first attempt on 408/409/429, 5xx,
                timeouts and connection errors, while the deadline allows.
            max_tokens: Completion tokens allowed per call (sent as `max_completion_tokens`).
            tables: Price and framework tables the calculator tools read.
            token_budget: Prompt plus completion tokens allowed for a whole answer.
            deadline: Seconds for a whole answer: every request, retry, wait and tool round.
            max_reply_chars: Characters one reply may carry; a longer one is an `LlmError`.
            scrubber: What the reply text is scrubbed with; by default the key and token shapes.
                Pass one holding every configured secret (Slack tokens too).
            clock: Monotonic seconds; tests pass their own.
            sleep: Waits between retries; tests pass their own.
            jitter: A number in [0, 1) that shortens each backoff by up to a quarter.

        Raises:
            ValueError: an empty key or a limit that is not positive.
        """
        if not api_key:
            raise ValueError("api_key is empty: use the offline answerer when no key is set")
        if min(max_tokens, token_budget, timeout, deadline, max_reply_chars) <= 0 or max_retries < 0:
            raise ValueError(
                "max_tokens, token_budget, timeout, deadline and max_reply_chars must be positive, "
                "max_retries >= 0"
            )
        self.model = model
        """The model name requests carry, for cost accounting with `llm_cost`."""
        self._base_url = base_url or OPENAI_BASE_URL
        self._timeout = timeout
        self._max_retries = max_retries
        self._max_tokens = max_tokens
        self._token_budget = token_budget
        self._deadline = deadline
        self._max_reply_chars = max_reply_chars
        self._tables = tables
        self._scrubber = scrubber if scrubber is not None else Scrubber([api_key])
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter
        self._tool_schemas = [convert_to_openai_tool(tool) for tool in build_tools(tables)]
        # max_retries=0: the retry loop is ours, so it can keep to the answer's deadline.
        self._client = openai.OpenAI(api_key=api_key, base_url=self._base_url, max_retries=0, timeout=timeout)

    def describe(self) -> str:
        """Which model at which endpoint, e.g. "gpt-4o at http://127.0.0.1:1234/v1"; never the key."""
        return f"{self.model} at {_without_credentials(self._base_url)}"

    def __repr__(self) -> str:
        return f"LlmAnswerer({self.describe()})"

    def answer(
        self,
        question: str,
        passages: Sequence[PassageLike],
        history: Sequence[Turn] = (),
        *,
        on_text: Callable[[str], None] | None = None,
    ) -> Draft:
        """Answer `question` from `passages`, taking every number from a calculator tool.

        Args:
            question: What the user asked.
            passages: Retrieved passages of the guide, best first.
            history: Earlier turns of the conversation, oldest first.
            on_text: If given, the model is asked to stream, and the final answer's text is passed
                here in order as it arrives, scrubbed (never text of a round that calls tools).
                Joined, the pieces are the answer's text. If an `LlmError` follows some pieces, the
                pieces already passed are not a whole answer.

        Returns:
            The model's text (scrubbed), the calculations its tools made, and the tokens used;
            the same with or without `on_text`.

        Raises:
            LlmError: the deadline passed, a connection failure or HTTP error after retries, an
                unreadable or too large response, the token budget exceeded, or no text in the
                final answer.
        """
        answer = _Answer(
            deadline=self._clock() + self._deadline,
            usage=_Usage(self._token_budget),
            forwarder=_Forwarder(self._scrubber.stream(on_text) if on_text else None, self.describe()),
        )
        recorder = ToolRecorder()
        tools = {tool.name: tool for tool in build_tools(self._tables, recorder)}
        messages = convert_to_openai_messages(build_messages(question, passages, history))

        for round_number in range(MAX_TOOL_ROUNDS + 1):
            # Out of rounds: the model must answer with the results it has.
            last = round_number == MAX_TOOL_ROUNDS
            reply = self._complete(messages, answer, tool_choice="none" if last else None)
            if not reply.tool_calls:
                answer.forwarder.finish()
                return self._draft(reply, recorder, answer.usage)
            if last:
                raise LlmError(f"{self.describe()} still asked for tools after {MAX_TOOL_ROUNDS} rounds")
            messages.append(reply.as_message())
            messages.extend(_run_tools(reply.tool_calls, tools))
        raise AssertionError("unreachable: the last round returns or raises")

    def _complete(
        self, messages: list[dict[str, Any]], answer: "_Answer", tool_choice: str | None
    ) -> "_Reply":
        """One model reply, retried while the answer's deadline and `max_retries` allow."""
        where = self.describe()
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "tools": self._tool_schemas,
            "max_completion_tokens": self._max_tokens,
        }
        if tool_choice is not None:
            body["tool_choice"] = tool_choice
        attempts = 0
        while True:
            left = answer.deadline - self._clock()
            if left <= 0:
                raise LlmError(f"{where} gave no answer within the {self._deadline:g} s deadline")
            attempts += 1
            try:
                reply = self._attempt(
                    body, min(self._timeout, left), answer, tools_possible=tool_choice is None
                )
            except _RetryableError as failure:
                wait = self._wait_before_retry(failure, attempts, answer)
                self._sleep(wait)
                continue
            answer.usage.add(reply.tokens_in, reply.tokens_out)
            if reply.finish_reason == "length":
                raise LlmError(f"{where} was cut off at the per-call token limit")
            return reply

    def _wait_before_retry(self, failure: "_RetryableError", attempts: int, answer: "_Answer") -> float:
        """Seconds to wait before retrying, or the `LlmError` that ends the answer."""
        tries = f"{attempts} attempt{'s' if attempts > 1 else ''}"
        if answer.forwarder.started:
            # Part of the answer is already out: a retry would send it twice.
            raise LlmError(f"{failure.message} while streaming the answer") from None
        if attempts > self._max_retries:
            raise LlmError(f"{failure.message} ({tries})") from None
        left = answer.deadline - self._clock()
        if failure.retry_after is not None:
            if failure.retry_after >= left:
                raise LlmError(
                    f"{failure.message} asking to retry in {failure.retry_after:g} s, past the answer's "
                    f"{self._deadline:g} s deadline ({tries})"
                ) from None
            return failure.retry_after
        backoff = min(_INITIAL_BACKOFF * 2.0 ** (attempts - 1), _MAX_BACKOFF) * (1 - 0.25 * self._jitter())
        if backoff >= left:
            raise LlmError(
                f"{failure.message}; no time left for a retry within the {self._deadline:g} s deadline ({tries})"
            ) from None
        return backoff

    def _attempt(
        self, body: dict[str, Any], timeout: float, answer: "_Answer", *, tools_possible: bool
    ) -> "_Reply":
        """Send one request and read its reply within `timeout` and the deadline."""
        where = self.describe()
        streaming = answer.forwarder.streaming
        limit = _ReadLimit(
            max_bytes=self._max_reply_chars * (64 if streaming else 6) + 65_536,
            deadline=answer.deadline,
            clock=self._clock,
            where=where,
        )
        extra = {"stream": True, "stream_options": {"include_usage": True}} if streaming else {}
        # The typed overloads want TypedDict messages; these dicts have that shape already.
        create = cast(Callable[..., Any], self._client.chat.completions.with_streaming_response.create)
        answer.forwarder.begin(tools_possible=tools_possible)
        try:
            with create(**body, **extra, timeout=timeout) as response:
                pieces = limit.read(response.iter_bytes())
                events = response.headers.get("content-type", "").startswith("text/event-stream")
                if streaming and events:
                    reply = _read_stream(_sse_data(pieces), answer.forwarder, where)
                else:
                    reply = _read_completion(b"".join(pieces))
        except (openai.APITimeoutError, httpx2.TimeoutException):
            raise _RetryableError(f"{where} did not answer within {timeout:g} s") from None
        except (openai.APIConnectionError, httpx2.HTTPError):
            raise _RetryableError(f"cannot connect to {where}") from None
        except openai.APIStatusError as error:
            code = error.status_code
            if code in _RETRIED or code >= 500:
                raise _RetryableError(
                    f"{where} answered HTTP {code}", _retry_after(error.response.headers)
                ) from None
            raise LlmError(f"{where} answered HTTP {code} (not retried)") from None
        except (ValueError, ValidationError, openai.OpenAIError) as error:
            raise LlmError(f"unreadable response from {where}: {type(error).__name__}") from None
        if reply.size > self._max_reply_chars:
            raise LlmError(f"reply too large from {where}: over {self._max_reply_chars:,} characters")
        if streaming and not events:
            # A server that cannot stream answered in one piece: pass its text on whole.
            if reply.tool_calls:
                answer.forwarder.tool_calls()
            elif reply.text:
                answer.forwarder.text(reply.text)
        return reply

    def _draft(self, reply: "_Reply", recorder: ToolRecorder, usage: "_Usage") -> Draft:
        text = self._scrubber.scrub(reply.text).strip()
        if not text:
            raise LlmError(f"{self.describe()} returned an empty answer")
        logger.info(
            "LLM answer from %s: %d calls, %d tokens in, %d out, %d calculations",
            self.describe(),
            usage.calls,
            usage.tokens_in,
            usage.tokens_out,
            len(recorder.calculations),
        )
        return compose_prose(
            text, recorder.calculations, tokens_in=usage.tokens_in, tokens_out=usage.tokens_out
        )


class _RetryableError(Exception):
    """One attempt failed in a way a retry may cure."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass
class _Reply:
    """One model reply: its text, the tool calls as the API sent them, and its usage."""

    text: str
    tool_calls: list[dict[str, Any]]
    finish_reason: str | None
    tokens_in: int = 0
    tokens_out: int = 0

    @property
    def size(self) -> int:
        """Characters the model wrote: text and tool arguments."""
        return len(self.text) + sum(len(call["function"]["arguments"]) for call in self.tool_calls)

    def as_message(self) -> dict[str, Any]:
        """The assistant message to send back with the tool results."""
        return {"role": "assistant", "content": self.text or None, "tool_calls": self.tool_calls}


class _Usage:
    """Tokens used so far by one answer, checked against its budget after every call."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.tokens_in = 0
        self.tokens_out = 0
        self.calls = 0

    def add(self, tokens_in: int, tokens_out: int) -> None:
        # A server that reports no usage counts as 0: the round limit still bounds the answer.
        self.calls += 1
        self.tokens_in += tokens_in
        self.tokens_out += tokens_out
        used = self.tokens_in + self.tokens_out
        if used > self.budget:
            raise LlmError(f"the answer used {used:,} tokens, over its budget of {self.budget:,}")


class _Forwarder:
    """Passes the final answer's text to `on_text` as it streams, and nothing from a tool round."""

    def __init__(self, stream: StreamScrubber | None, where: str) -> None:
        self._stream = stream
        self._where = where
        self.started = False
        """Whether any text has been passed on: from then on nothing may be retried."""
        self._held: list[str] = []
        self._held_chars = 0
        self._releasing = False
        self._tool_round = False
        self._started_this_round = False

    @property
    def streaming(self) -> bool:
        """Whether the model is asked to stream (someone wants the text as it arrives)."""
        return self._stream is not None

    def begin(self, *, tools_possible: bool) -> None:
        """A new request: hold its text back while it may still turn out to call tools."""
        self._held.clear()
        self._held_chars = 0
        self._releasing = not tools_possible
        self._tool_round = False
        self._started_this_round = False

    def text(self, piece: str) -> None:
        """A text delta of the current reply."""
        if self._stream is None or self._tool_round:
            return
        if not self._releasing:
            self._held.append(piece)
            self._held_chars += len(piece)
            if self._held_chars < STREAM_HOLD_CHARS:
                return
            self._releasing = True
            piece = "".join(self._held)
            self._held.clear()
        self._send(piece)

    def tool_calls(self) -> None:
        """The current reply calls tools: its text is not the answer."""
        if self._started_this_round:
            raise LlmError(f"{self._where} asked for tools after its answer had started streaming")
        self._tool_round = True
        self._held.clear()

    def finish(self) -> None:
        """The current reply is the answer: pass on the rest of it."""
        if self._stream is None:
            return
        if self._held:
            self._send("".join(self._held))
            self._held.clear()
        self._stream.close()

    def _send(self, piece: str) -> None:
        assert self._stream is not None
        self.started = self._started_this_round = True
        self._stream.write(piece)


@dataclass
class _Answer:
    """What the rounds of one answer share."""

    deadline: float
    usage: _Usage
    forwarder: _Forwarder = field(repr=False)


class _ReadLimit:
    """Stops reading a response past `max_bytes` or past the answer's deadline."""

    def __init__(self, *, max_bytes: int, deadline: float, clock: Callable[[], float], where: str) -> None:
        self._max_bytes = max_bytes
        self._deadline = deadline
        self._clock = clock
        self._where = where

    def read(self, pieces: Iterator[bytes]) -> Iterator[bytes]:
        """`pieces` as they come, raising `LlmError` once too many bytes came or the deadline passed."""
        received = 0
        for piece in pieces:
            received += len(piece)
            if received > self._max_bytes:
                raise LlmError(f"reply too large from {self._where}: over {self._max_bytes:,} bytes")
            if self._clock() > self._deadline:
                raise LlmError(f"{self._where} was still sending its reply at the answer's deadline")
            yield piece


def _retry_after(headers: httpx2.Headers) -> float | None:
    """Seconds the server asked to wait (`retry-after-ms`, or `Retry-After` as seconds or a date)."""
    for name, unit in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) * unit
        except ValueError:
            continue
        return seconds if seconds > 0 else None
    value = headers.get("retry-after")
    if value:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
        return seconds if seconds > 0 else None
    return None


class _Function(BaseModel):
    name: str = ""
    arguments: str = ""


class _ToolCallModel(BaseModel):
    id: str = ""
    function: _Function


class _MessageModel(BaseModel):
    content: str | None = None
    tool_calls: list[_ToolCallModel] | None = None


class _Choice(BaseModel):
    message: _MessageModel
    finish_reason: str | None = None


class _UsageModel(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0


class _Completion(BaseModel):
    """The parts of a chat completion the answerer reads; the rest is ignored."""

    choices: list[_Choice] = Field(min_length=1)
    usage: _UsageModel | None = None


class _FunctionDelta(BaseModel):
    name: str | None = None
    arguments: str | None = None


class _ToolCallDelta(BaseModel):
    index: int = 0
    id: str | None = None
    function: _FunctionDelta | None = None


class _Delta(BaseModel):
    content: str | None = None
    tool_calls: list[_ToolCallDelta] | None = None


class _ChunkChoice(BaseModel):
    index: int = 0
    delta: _Delta = Field(default_factory=_Delta)
    finish_reason: str | None = None


class _Chunk(BaseModel):
    """One streamed chat.completion.chunk."""

    choices: list[_ChunkChoice] = []
    usage: _UsageModel | None = None


def _read_completion(raw: bytes) -> _Reply:
    """A non-streamed chat completion's first choice."""
    completion = _Completion.model_validate_json(raw)
    choice = completion.choices[0]
    calls = [
        _tool_call(call.id, call.function.name, call.function.arguments, number)
        for number, call in enumerate(choice.message.tool_calls or [])
    ]
    usage = completion.usage or _UsageModel()
    return _Reply(
        choice.message.content or "",
        calls,
        choice.finish_reason,
        usage.prompt_tokens,
        usage.completion_tokens,
    )


def _read_stream(events: Iterator[str], forwarder: _Forwarder, where: str) -> _Reply:
    """A streamed reply, put back together; text deltas go to `forwarder` as they arrive."""
    text: list[str] = []
    calls: dict[int, dict[str, str]] = {}
    finish: str | None = None
    usage = _UsageModel()
    for data in events:
        if data.strip() == "[DONE]":
            break
        payload = json.loads(data)
        if isinstance(payload, dict) and payload.get("error"):
            raise LlmError(f"{where} reported an error in the middle of its reply")
        chunk = _Chunk.model_validate(payload)
        usage = chunk.usage or usage
        for choice in chunk.choices:
            if choice.index != 0:
                continue
            for delta in choice.delta.tool_calls or []:
                if not calls:
                    forwarder.tool_calls()
                call = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
                call["id"] = call["id"] or (delta.id or "")
                if delta.function is not None:
                    call["name"] = call["name"] or (delta.function.name or "")
                    call["arguments"] += delta.function.arguments or ""
            if choice.delta.content:
                text.append(choice.delta.content)
                forwarder.text(choice.delta.content)
            finish = choice.finish_reason or finish
    tool_calls = [
        _tool_call(call["id"], call["name"], call["arguments"], number)
        for number, (_, call) in enumerate(sorted(calls.items()))
    ]
    return _Reply("".join(text), tool_calls, finish, usage.prompt_tokens, usage.completion_tokens)


def _tool_call(call_id: str, name: str, arguments: str, number: int) -> dict[str, Any]:
    """A tool call in the API's shape; a server that sent no id gets one, so its result can answer it."""
    return {
        "id": call_id or f"call_{number}",
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }


def _sse_data(pieces: Iterator[bytes]) -> Iterator[str]:
    """The `data` of each server-sent event in a byte stream."""
    line = bytearray()
    data: list[str] = []
    for piece in pieces:
        start = 0
        while (end := piece.find(b"\n", start)) >= 0:
            line += piece[start:end]
            start = end + 1
            text = line.rstrip(b"\r").decode("utf-8")
            line.clear()
            if not text:
                if data:
                    yield "\n".join(data)
                    data.clear()
            elif text.startswith("data:"):
                data.append(text[5:].removeprefix(" "))
        line += piece[start:]
    if line.startswith(b"data:"):
        data.append(line[5:].decode("utf-8").removeprefix(" "))
    if data:
        yield "\n".join(data)


def _run_tools(calls: list[dict[str, Any]], tools: dict[str, BaseTool]) -> list[dict[str, Any]]:
    """Run every tool call, in order; each gets a tool message, an error one if it cannot run."""
    results: list[dict[str, Any]] = []
    for call in calls:
        call_id, name = call["id"], call["function"]["name"]
        try:
            arguments = json.loads(call["function"]["arguments"] or "{}")
        except ValueError:
            arguments = None
        tool = tools.get(name)
        if not isinstance(arguments, dict):
            content = f"{ERROR_PREFIX}the arguments were not a JSON object; call {name} again with valid JSON"
        elif tool is None:
            content = f"{ERROR_PREFIX}there is no tool named {name!r}; use one of {', '.join(tools)}"
        else:
            try:
                result = tool.invoke(ToolCall(name=name, args=arguments, id=call_id, type="tool_call"))
            except Exception:
                # A calculator bug, not a bad argument (those come back as "error: ..." messages).
                logger.exception("tool %s failed on %s", name, arguments)
                raise LlmError(f"the {name} tool failed") from None
            content = result.text if isinstance(result, ToolMessage) else str(result)
        results.append({"role": "tool", "tool_call_id": call_id, "content": content})
    return results


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


def llm_cost(model: str, tokens_in: int, tokens_out: int, tables: Tables) -> Decimal:
    """What `tokens_in` prompt and `tokens_out` completion tokens cost on `model` at list prices.

    Args:
        model: The model name, looked up in the guide's table, then genai-prices.
        tokens_in: Prompt tokens.
        tokens_out: Completion tokens.
        tables: The price tables.

    Returns:
        The cost in USD; 0 when no price is known for the model.
    """
    try:
        price = find_model(model, tables).price
    except KnowledgeError:
        return Decimal(0)
    million = Decimal(1_000_000)
    return (tokens_in * price.input_per_million + tokens_out * price.output_per_million) / million
