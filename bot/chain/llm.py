"""The LLM answerer: the only module that talks to the LLM provider.

One answer is a short tool loop over an OpenAI-compatible chat-completions API: the guide's
passages and the question go in, the model calls the calculator tools, the results go back, and
its final text comes out with the calculations it used. Retries and timeouts are the openai
client's own (`max_retries` with exponential backoff on 408/409/429/5xx and timeouts, honouring
`retry-after`). Every failure becomes one `LlmError` so the chain can fall back to the offline
answerer; no message or log line here carries the API key.
"""

import logging
from collections.abc import Sequence
from decimal import Decimal
from urllib.parse import urlsplit, urlunsplit

import openai
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from bot.chain.answer import Draft, Turn
from bot.chain.prompts import PassageLike, build_messages
from bot.chain.tools import ERROR_PREFIX, ToolRecorder, build_tools
from knowledge.errors import KnowledgeError
from knowledge.prices import find_model
from knowledge.tables import Tables

logger = logging.getLogger(__name__)

OPENAI_BASE_URL = "https://api.openai.com/v1"
"""Passed explicitly when no base URL is set, so OPENAI_BASE_URL / OPENAI_API_BASE in the
environment cannot redirect requests behind the settings' back."""

MAX_TOOL_ROUNDS = 4
"""Rounds of tool calls per answer; after them the model must answer with the results it has."""

_RETRIED = frozenset({408, 409, 429})
"""Statuses the openai client retries besides 5xx (openai/_base_client.py `_should_retry`)."""

DEFAULT_TOKEN_BUDGET = 16_000
"""Prompt plus completion tokens over all the calls of one answer. Measured request sizes: the five
tool schemas are ~7,200 characters (~1.9K tokens) on every call, the system prompt plus four
passages ~1K tokens, a breakeven result ~0.9K; so one tool round costs ~7.5K tokens, two ~12K."""


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
    ) -> None:
        """Build the client; nothing is sent until `answer`.

        Args:
            api_key: The provider's key; kept only inside the client, as a secret.
            base_url: An OpenAI-compatible API root such as http://127.0.0.1:8000/v1; None for OpenAI.
            model: The model name sent with each request, e.g. gpt-4o.
            timeout: Seconds to wait for each HTTP attempt.
            max_retries: Retries after the first attempt on 429, 5xx, timeouts and connection errors.
            max_tokens: Completion tokens allowed per call (sent as `max_completion_tokens`).
            tables: Price and framework tables the calculator tools read.
            token_budget: Prompt plus completion tokens allowed for a whole answer.

        Raises:
            ValueError: an empty key or a limit that is not positive.
        """
        if not api_key:
            raise ValueError("api_key is empty: use the offline answerer when no key is set")
        if max_tokens <= 0 or token_budget <= 0 or timeout <= 0 or max_retries < 0:
            raise ValueError("max_tokens, token_budget and timeout must be positive, max_retries >= 0")
        self.model = model
        """The model name requests carry, for cost accounting with `llm_cost`."""
        self._base_url = base_url or OPENAI_BASE_URL
        self._timeout = timeout
        self._max_retries = max_retries
        self._token_budget = token_budget
        self._tables = tables
        self._chat = ChatOpenAI(
            model=model,
            api_key=SecretStr(api_key),
            base_url=self._base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_completion_tokens=max_tokens,
            use_responses_api=False,
            streaming=False,
            stream_usage=False,
        )

    def describe(self) -> str:
        """Which model at which endpoint, e.g. "gpt-4o at http://127.0.0.1:1234/v1"; never the key."""
        return f"{self.model} at {_without_credentials(self._base_url)}"

    def __repr__(self) -> str:
        return f"LlmAnswerer({self.describe()})"

    def answer(self, question: str, passages: Sequence[PassageLike], history: Sequence[Turn] = ()) -> Draft:
        """Answer `question` from `passages`, taking every number from a calculator tool.

        Args:
            question: What the user asked.
            passages: Retrieved passages of the guide, best first.
            history: Earlier turns of the conversation, oldest first.

        Returns:
            The model's text, the calculations its tools made, and the tokens used.

        Raises:
            LlmError: timeout, connection failure, HTTP error after retries, an unreadable
                response, the token budget exceeded, or no text in the final answer.
        """
        recorder = ToolRecorder()
        tools = build_tools(self._tables, recorder)
        by_name = {tool.name: tool for tool in tools}
        with_tools = self._chat.bind_tools(tools)
        messages: list[BaseMessage] = build_messages(question, passages, history)
        usage = _Usage(self._token_budget)

        for _ in range(MAX_TOOL_ROUNDS):
            reply = self._complete(with_tools, messages, usage)
            if not (reply.tool_calls or reply.invalid_tool_calls):
                return self._draft(reply, recorder, usage)
            messages.append(reply)
            messages.extend(_run_tools(reply, by_name))

        # Out of rounds: the model answers with the results it has.
        reply = self._complete(self._chat.bind_tools(tools, tool_choice="none"), messages, usage)
        if reply.tool_calls or reply.invalid_tool_calls:
            raise LlmError(f"{self.describe()} still asked for tools after {MAX_TOOL_ROUNDS} rounds")
        return self._draft(reply, recorder, usage)

    def _complete(
        self, model: Runnable[LanguageModelInput, AIMessage], messages: list[BaseMessage], usage: "_Usage"
    ) -> AIMessage:
        where = self.describe()
        tries = f"{self._max_retries + 1} attempt{'s' if self._max_retries else ''}"
        try:
            reply = model.invoke(messages)
        except openai.APITimeoutError:
            raise LlmError(f"{where} did not answer within {self._timeout:g} s ({tries})") from None
        except openai.APIConnectionError:
            raise LlmError(f"cannot connect to {where} ({tries})") from None
        except openai.APIStatusError as error:
            retried = error.status_code in _RETRIED or error.status_code >= 500
            raise LlmError(
                f"{where} answered HTTP {error.status_code} ({tries if retried else 'not retried'})"
            ) from None
        except Exception as error:  # noqa: BLE001 - an unreadable body fails anywhere in openai or langchain
            raise LlmError(f"unreadable response from {where}: {type(error).__name__}") from None
        usage.add(reply)
        if reply.response_metadata.get("finish_reason") == "length":
            raise LlmError(f"{where} was cut off at the per-call token limit")
        return reply

    def _draft(self, reply: AIMessage, recorder: ToolRecorder, usage: "_Usage") -> Draft:
        text = reply.text.strip()
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
        return Draft(
            text=text,
            calculations=recorder.calculations,
            tokens_in=usage.tokens_in,
            tokens_out=usage.tokens_out,
        )


class _Usage:
    """Tokens used so far by one answer, checked against its budget after every call."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.tokens_in = 0
        self.tokens_out = 0
        self.calls = 0

    def add(self, reply: AIMessage) -> None:
        # A server that reports no usage counts as 0: the round limit still bounds the answer.
        metadata = reply.usage_metadata
        self.calls += 1
        if metadata is not None:
            self.tokens_in += metadata["input_tokens"]
            self.tokens_out += metadata["output_tokens"]
        used = self.tokens_in + self.tokens_out
        if used > self.budget:
            raise LlmError(f"the answer used {used:,} tokens, over its budget of {self.budget:,}")


def _run_tools(reply: AIMessage, tools: dict[str, BaseTool]) -> list[ToolMessage]:
    """Run every tool call in `reply`; each gets a ToolMessage, an error one if it cannot run."""
    results: list[ToolMessage] = []
    for call in reply.tool_calls:
        call_id = call["id"] or ""
        tool = tools.get(call["name"])
        if tool is None:
            known = ", ".join(tools)
            results.append(
                ToolMessage(
                    f"{ERROR_PREFIX}there is no tool named {call['name']!r}; use one of {known}",
                    tool_call_id=call_id,
                    status="error",
                )
            )
            continue
        try:
            result = tool.invoke(call)
        except Exception:
            # A calculator bug, not a bad argument (those come back as "error: ..." messages).
            logger.exception("tool %s failed on %s", call["name"], call["args"])
            raise LlmError(f"the {call['name']} tool failed") from None
        results.append(
            result if isinstance(result, ToolMessage) else ToolMessage(str(result), tool_call_id=call_id)
        )
    for bad in reply.invalid_tool_calls:
        results.append(
            ToolMessage(
                f"{ERROR_PREFIX}the arguments were not a JSON object; call {bad.get('name')} again with valid JSON",
                tool_call_id=bad.get("id") or "",
                status="error",
            )
        )
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
