"""The LLM answerer against a real OpenAI-compatible HTTP server on 127.0.0.1: tools, retries, failures."""

import http.client
import json
import logging
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from openai_server import FakeOpenAIServer, Hang, Malformed, Status, Text, ToolCalls, openai_server

from bot.calculations.record import Calculation
from bot.chain.answer import Draft, Turn
from bot.chain.llm import MAX_TOOL_ROUNDS, LlmAnswerer, LlmError, llm_cost
from knowledge.tables import tables

KEY = "sk-test-CANARY-7f3a9c1e5b2d4068"
"""A fake key distinctive enough that finding it anywhere means it leaked."""


@dataclass(frozen=True)
class Passage:
    """The shape of a retrieved passage, as `knowledge.index.Passage` has it."""

    section: str
    subsection: str | None
    text: str


PASSAGES = [
    Passage(
        "Cost Analysis Framework",
        "Break-Even Analysis",
        "Example 2: 500M tokens a month costs $7,500 on the API against $7,389 self-hosted.",
    ),
    Passage("FAQ", None, "Self-host when the numbers say so and the team can run it."),
]


@pytest.fixture(autouse=True)
def _no_provider_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Environment variables that could redirect or trace requests must not leak in from the shell."""
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_API_BASE",
        "OPENAI_PROXY",
        "LANGSMITH_GATEWAY",
        "LANGSMITH_TRACING",
        "LANGCHAIN_TRACING_V2",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with openai_server() as running:
        yield running


def answerer(server: FakeOpenAIServer | str | None, **overrides: Any) -> LlmAnswerer:
    """An answerer pointed at `server` (a URL, or None for OpenAI's), with fast test limits unless overridden."""
    settings: dict[str, Any] = {
        "api_key": KEY,
        "base_url": server.base_url if isinstance(server, FakeOpenAIServer) else server,
        "model": "gpt-4o",
        "timeout": 5.0,
        "max_retries": 2,
        "max_tokens": 300,
        "tables": tables(),
    }
    return LlmAnswerer(**(settings | overrides))


def prose(draft: Draft) -> str:
    """The model's own words in a draft: headline and body, without the calculations' summaries."""
    return "\n".join(part for part in (draft.headline, draft.body) if part)


def test_a_tool_call_runs_the_real_calculator_and_its_result_goes_back(server: FakeOpenAIServer) -> None:
    """The model asks for breakeven at 500M; the calculator's JSON goes back and the draft carries it all."""
    server.script(
        ToolCalls(("breakeven", {"tokens": 500000000}), prompt_tokens=1200, completion_tokens=25),
        Text(
            "Self-hosting breaks even at 500M [Cost Analysis Framework].",
            prompt_tokens=2100,
            completion_tokens=80,
        ),
    )
    draft = answerer(server).answer("Should we self-host at 500M tokens a month?", PASSAGES, [])

    assert prose(draft) == "Self-hosting breaks even at 500M [Cost Analysis Framework]."
    (calculation,) = draft.calculations
    assert calculation.tool == "breakeven"
    assert calculation.inputs == {"tokens": Decimal(500000000)}
    assert calculation.result["self_hosted_monthly_cost"] == Decimal("7391.10")
    assert (draft.tokens_in, draft.tokens_out) == (3300, 105)

    first, second = server.completions
    assert first.tool_names == ["breakeven", "api_cost", "monthly_tokens", "phase", "savings"]
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert first.body is not None
    assert first.body["max_completion_tokens"] == 300
    assert first.body["model"] == "gpt-4o"
    assert [message["role"] for message in second.messages] == ["system", "user", "assistant", "tool"]
    asked, answered = second.messages[2], second.messages[3]
    assert answered["tool_call_id"] == asked["tool_calls"][0]["id"]
    assert json.loads(answered["content"])["self_hosted_monthly_cost"] == 7391.1
    assert server.rejections == []


def test_the_prompt_holds_the_rules_the_passages_and_the_question(server: FakeOpenAIServer) -> None:
    """The system prompt demands tool numbers and bracketed citations; the user message has titled passages."""
    server.script(Text("Phase 1 [FAQ]."))
    answerer(server).answer("What phase are we in?", PASSAGES, [])

    system, user = server.completions[0].messages
    assert system["role"] == "system"
    assert "Every number in your answer" in system["content"]
    assert "flags" in system["content"]
    assert "square brackets" in system["content"]
    assert "[Cost Analysis Framework > Break-Even Analysis]\nExample 2: 500M tokens" in user["content"]
    assert "[FAQ]\nSelf-host when" in user["content"]
    assert user["content"].endswith("Question: What phase are we in?")


def test_history_comes_before_the_question_with_its_calculations(server: FakeOpenAIServer) -> None:
    """An earlier turn is sent as a user and an assistant message, naming the calculation's inputs."""
    earlier = Turn(
        "Break-even at 500M?",
        "It breaks even.",
        (Calculation(tool="breakeven", inputs={"tokens": Decimal(500000000)}, result={}, summary=""),),
    )
    server.script(Text("At 2B self-hosting saves [Cost Analysis Framework]."))
    answerer(server).answer("and at 2B?", PASSAGES, [earlier])

    messages = server.completions[0].messages
    assert [message["role"] for message in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"] == "Break-even at 500M?"
    assert messages[2]["content"] == "It breaks even.\n\nCalculations used: breakeven(tokens=500000000)"


def test_a_tool_error_goes_back_to_the_model_which_can_correct_itself(server: FakeOpenAIServer) -> None:
    """Negative tokens come back as "error: ..." and only the corrected call is recorded."""
    server.script(
        ToolCalls(("breakeven", {"tokens": -5})),
        ToolCalls(("breakeven", {"tokens": 500000000})),
        Text("Fixed it."),
    )
    draft = answerer(server).answer("q", PASSAGES, [])

    assert server.completions[1].messages[-1]["content"] == "error: tokens cannot be negative (got -5)"
    assert [calculation.inputs["tokens"] for calculation in draft.calculations] == [Decimal(500000000)]


def test_unknown_tools_and_broken_arguments_are_answered_not_fatal(server: FakeOpenAIServer) -> None:
    """A made-up tool name and non-JSON arguments each get an error tool message the API accepts."""
    server.script(ToolCalls(("calculator", {"x": 1}), ("phase", "{spend: 12000")), Text("Sorry."))
    draft = answerer(server).answer("q", PASSAGES, [])

    results = [message["content"] for message in server.completions[1].messages if message["role"] == "tool"]
    assert results[0].startswith("error: there is no tool named 'calculator'; use one of breakeven, api_cost")
    assert results[1].startswith("error: the arguments were not a JSON object")
    assert draft.calculations == ()
    assert server.rejections == []


def test_parallel_tool_calls_are_all_run_in_order(server: FakeOpenAIServer) -> None:
    """Two tool calls in one reply produce two tool messages and two calculations, in the model's order."""
    server.script(ToolCalls(("monthly_tokens", {"users": 10000}), ("phase", {"spend": 12000})), Text("Done."))
    draft = answerer(server).answer("q", PASSAGES, [])
    assert [calculation.tool for calculation in draft.calculations] == ["tokens", "phase"]
    assert server.rejections == []


def test_after_the_last_tool_round_the_model_must_answer(server: FakeOpenAIServer) -> None:
    """After four rounds of tools the next request sets tool_choice none, and its text is the answer."""
    server.script(
        *[ToolCalls(("phase", {"spend": 1000 * n})) for n in range(MAX_TOOL_ROUNDS)], Text("Enough.")
    )
    draft = answerer(server).answer("q", PASSAGES, [])

    assert prose(draft) == "Enough."
    assert len(draft.calculations) == MAX_TOOL_ROUNDS
    bodies = [request.body or {} for request in server.completions]
    assert [body.get("tool_choice") for body in bodies] == [None] * MAX_TOOL_ROUNDS + ["none"]


def test_a_model_that_never_stops_calling_tools_fails(server: FakeOpenAIServer) -> None:
    """A server that ignores tool_choice none and keeps asking for tools ends in LlmError, not a loop."""
    server.otherwise(ToolCalls(("phase", {"spend": 1000})))
    with pytest.raises(LlmError, match="still asked for tools after 4 rounds"):
        answerer(server).answer("q", PASSAGES, [])
    assert len(server.completions) == MAX_TOOL_ROUNDS + 1


def test_a_429_is_retried_by_the_client(server: FakeOpenAIServer) -> None:
    """One rate-limit reply, then success: the answer arrives and the server saw two requests."""
    server.script(Status(429), Text("Here you go."))
    draft = answerer(server).answer("q", PASSAGES, [])
    assert prose(draft) == "Here you go."
    assert len(server.completions) == 2


def test_retries_back_off_when_the_server_gives_no_delay(server: FakeOpenAIServer) -> None:
    """Without a retry-after header the client waits (exponential backoff, 0.5 s less jitter) before retrying."""
    server.script(Status(503, retry_after_ms=None), Text("Recovered."))
    started = time.monotonic()
    draft = answerer(server, max_retries=1).answer("q", PASSAGES, [])
    assert prose(draft) == "Recovered."
    assert time.monotonic() - started >= 0.35
    assert len(server.completions) == 2


def test_a_500_every_time_fails_after_max_retries_plus_one_requests(server: FakeOpenAIServer) -> None:
    """With max_retries=2 the server sees three requests, then the answerer raises LlmError."""
    server.otherwise(Status(500))
    with pytest.raises(LlmError, match=r"answered HTTP 500 \(3 attempts\)"):
        answerer(server, max_retries=2).answer("q", PASSAGES, [])
    assert len(server.completions) == 3


def test_a_client_error_is_not_retried(server: FakeOpenAIServer) -> None:
    """A 400 fails at once: retrying a bad request would only spend the budget again."""
    server.otherwise(Status(400))
    with pytest.raises(LlmError, match=r"HTTP 400 \(not retried\)"):
        answerer(server, max_retries=2).answer("q", PASSAGES, [])
    assert len(server.completions) == 1


def test_a_hanging_server_times_out(server: FakeOpenAIServer) -> None:
    """With timeout 0.5 s and no retries, a server that never answers gives LlmError within about a second."""
    server.script(Hang(seconds=30))
    started = time.monotonic()
    with pytest.raises(LlmError, match=r"did not answer within 0.5 s \(1 attempt\)"):
        answerer(server, timeout=0.5, max_retries=0).answer("q", PASSAGES, [])
    assert 0.4 <= time.monotonic() - started < 1.5


def test_a_refused_connection_fails() -> None:
    """Nothing listening on the port gives LlmError saying it cannot connect."""
    with openai_server() as stopped:
        url = stopped.base_url
    with pytest.raises(LlmError, match=r"cannot connect to gpt-4o at http://127\.0\.0\.1"):
        answerer(url, max_retries=0).answer("q", PASSAGES, [])


@pytest.mark.parametrize(
    "body",
    [
        b"<html>502 Bad Gateway</html>",
        b'{"id": "chatcmpl-1", "choices": [{"message": ',
        b'{"id": "chatcmpl-1", "object": "chat.completion"}',
        b'{"id": "chatcmpl-1", "choices": []}',
        b"[]",
    ],
)
def test_a_malformed_response_fails(server: FakeOpenAIServer, body: bytes) -> None:
    """A 200 whose body is not a chat completion gives LlmError, not a crash elsewhere."""
    server.script(Malformed(body))
    with pytest.raises(LlmError, match="unreadable response from gpt-4o"):
        answerer(server, max_retries=0).answer("q", PASSAGES, [])


def test_an_empty_final_answer_fails(server: FakeOpenAIServer) -> None:
    """A final reply with no text is not an answer."""
    server.script(Text("   "))
    with pytest.raises(LlmError, match="empty answer"):
        answerer(server).answer("q", PASSAGES, [])


def test_an_answer_cut_off_at_max_tokens_fails(server: FakeOpenAIServer) -> None:
    """finish_reason length means the per-call limit cut the text: the chain falls back rather than post it."""
    server.script(Text("Self-hosting costs $7,3", finish_reason="length"))
    with pytest.raises(LlmError, match="cut off"):
        answerer(server).answer("q", PASSAGES, [])


def test_exceeding_the_token_budget_over_several_calls_fails(server: FakeOpenAIServer) -> None:
    """Usage is summed over every call of an answer; going past the budget raises."""
    server.script(
        ToolCalls(("phase", {"spend": 1000}), prompt_tokens=500, completion_tokens=20),
        Text("Done.", prompt_tokens=700, completion_tokens=30),
    )
    with pytest.raises(LlmError, match="used 1,250 tokens, over its budget of 1,000"):
        answerer(server, token_budget=1000).answer("q", PASSAGES, [])
    assert len(server.completions) == 2


def test_an_answer_within_budget_succeeds(server: FakeOpenAIServer) -> None:
    """Exactly at the budget is allowed: the limit is on exceeding it."""
    server.script(Text("Done.", prompt_tokens=900, completion_tokens=100))
    assert answerer(server, token_budget=1000).answer("q", PASSAGES, []).tokens_in == 900


def test_the_api_key_never_appears_in_errors_or_logs(
    server: FakeOpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Timeouts, HTTP errors echoing the key, bad bodies and refused connections never show the key."""
    caplog.set_level(logging.DEBUG)
    server.script(Status(500, echo_authorization=True), Status(500, echo_authorization=True))
    server.script(Malformed(b"not json"), Hang(seconds=30))
    with openai_server() as stopped:
        refused = stopped.base_url
    errors: list[LlmError] = []
    for url, retries, expected in [
        (server.base_url, 1, "answered HTTP 500"),
        (server.base_url, 0, "unreadable response"),
        (server.base_url, 0, "did not answer within"),
        (refused, 0, "cannot connect"),
    ]:
        with pytest.raises(LlmError, match=expected) as caught:
            answerer(url, max_retries=retries, timeout=0.5).answer("q", PASSAGES, [])
        errors.append(caught.value)
    for error in errors:
        logging.getLogger("bot.chain").exception("LLM failed, falling back", exc_info=error)

    assert server.completions[0].headers["authorization"] == f"Bearer {KEY}", "the key really was sent"
    assert len(errors) == 4
    for error in errors:
        assert KEY not in str(error)
        assert KEY not in repr(error)
        assert KEY not in "".join(traceback.format_exception(error))
        assert "\n" not in str(error)
    assert "falling back" in caplog.text
    assert KEY not in caplog.text
    described = answerer(server)
    assert KEY not in described.describe()
    assert KEY not in repr(described)


def test_describe_names_model_and_endpoint_only(server: FakeOpenAIServer) -> None:
    """describe() says which model at which URL, without the key or URL credentials."""
    assert answerer(server).describe() == f"gpt-4o at {server.base_url}"
    assert answerer("http://user:hunter2@127.0.0.1:9/v1").describe() == "gpt-4o at http://127.0.0.1:9/v1"
    assert answerer(None, model="gpt-5").describe() == "gpt-5 at https://api.openai.com/v1"


def test_construction_sends_nothing_and_ignores_base_url_environment(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Building the answerer makes no request, and OPENAI_API_BASE cannot redirect the configured URL."""
    monkeypatch.setenv("OPENAI_API_BASE", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    llm = answerer(server)
    assert server.requests == []
    server.script(Text("Here."))
    assert prose(llm.answer("q", PASSAGES, [])) == "Here."


def test_an_empty_key_is_refused_at_construction() -> None:
    """Without a key the chain must use the offline answerer; constructing one anyway is a mistake."""
    with pytest.raises(ValueError, match="api_key is empty"):
        answerer("http://127.0.0.1:9/v1", api_key="")


@pytest.mark.parametrize(
    ("model", "tokens_in", "tokens_out", "cost"),
    [
        ("gpt-4o", 1_000_000, 100_000, Decimal("3.50")),
        ("gpt-4o", 3300, 105, Decimal("0.00930")),
        ("gpt-4o", 0, 0, Decimal(0)),
        ("no-such-model", 1_000_000, 1_000_000, Decimal(0)),
        ("", 10, 10, Decimal(0)),
    ],
)
def test_llm_cost_prices_tokens_at_list_prices(
    model: str, tokens_in: int, tokens_out: int, cost: Decimal
) -> None:
    """gpt-4o is $2.50 in and $10 out per 1M; an unknown model costs 0 rather than failing."""
    assert llm_cost(model, tokens_in, tokens_out, tables()) == cost


def test_the_fake_server_refuses_unanswered_tool_calls(server: FakeOpenAIServer) -> None:
    """The fake is not a yes-man: like the real API it rejects a tool call left without a tool message."""
    body = {
        "model": "gpt-4o",
        "messages": [
            {"role": "user", "content": "q"},
            {"role": "assistant", "tool_calls": [{"id": "call_9", "type": "function", "function": {}}]},
            {"role": "user", "content": "again"},
        ],
    }
    assert request(server, "POST", "/v1/chat/completions", body, KEY) == (
        400,
        "tool calls ['call_9'] were not answered by tool messages",
    )
    assert request(server, "POST", "/v1/chat/completions", body, None)[0] == 401
    assert request(server, "GET", "/v1/models", None, None) == (200, "gpt-4o")


def request(
    server: FakeOpenAIServer, method: str, path: str, body: dict[str, Any] | None, key: str | None
) -> tuple[int, str]:
    """One raw HTTP request: the status, and the error message or the first model's id."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    headers = {"content-type": "application/json"} | ({"authorization": f"Bearer {key}"} if key else {})
    try:
        connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = connection.getresponse()
        payload = json.loads(response.read())
    finally:
        connection.close()
    if "error" in payload:
        return response.status, payload["error"]["message"]
    return response.status, payload["data"][0]["id"]


class Recorded:
    """A `sleep` that records each wait instead of waiting, so retry tests take no wall time."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def test_a_hanging_endpoint_fails_within_the_deadline_whatever_the_retries(server: FakeOpenAIServer) -> None:
    """With a 1 s deadline, 5 s per call and 5 retries, a server that never answers costs about 1 s, not 30."""
    server.otherwise(Hang(seconds=30))
    started = time.monotonic()
    with pytest.raises(LlmError, match=r"(deadline|within 1 s)"):
        answerer(server, deadline=1.0, timeout=5.0, max_retries=5).answer("q", PASSAGES, [])
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    ("status", "waited"),
    [
        (Status(429, retry_after_ms=None, retry_after="2"), 2.0),
        (Status(429, retry_after_ms=1500), 1.5),
        (Status(503, retry_after_ms=None, retry_after="1"), 1.0),
    ],
)
def test_a_retry_after_inside_the_deadline_is_honoured(
    server: FakeOpenAIServer, status: Status, waited: float
) -> None:
    """A 429 or 503 asking for a wait that fits in the deadline is waited out exactly, then retried."""
    server.script(status, Text("Here you go."))
    sleep = Recorded()
    draft = answerer(server, deadline=10.0, sleep=sleep).answer("q", PASSAGES, [])
    assert prose(draft) == "Here you go."
    assert sleep.waits == [waited]
    assert len(server.completions) == 2


def test_a_retry_after_beyond_the_deadline_fails_at_once(server: FakeOpenAIServer) -> None:
    """A 429 asking for 30 s when the answer has 5 s fails immediately: waiting could not help."""
    server.script(Status(429, retry_after_ms=None, retry_after="30"), Text("never sent"))
    sleep = Recorded()
    with pytest.raises(LlmError, match=r"HTTP 429 asking to retry in 30 s, past the answer's 5 s deadline"):
        answerer(server, deadline=5.0, sleep=sleep).answer("q", PASSAGES, [])
    assert sleep.waits == []
    assert len(server.completions) == 1


def test_backoff_doubles_and_jitter_only_shortens_it(server: FakeOpenAIServer) -> None:
    """Without a retry header the waits are 0.5 s then 1 s, each cut by up to a quarter by the jitter."""
    for jitter, expected in [(0.0, [0.5, 1.0]), (0.999, [0.5 * 0.75025, 1.0 * 0.75025])]:
        server.script(Status(503, retry_after_ms=None), Status(502, retry_after_ms=None), Text("Up."))
        sleep = Recorded()
        draft = answerer(server, sleep=sleep, jitter=lambda value=jitter: value).answer("q", PASSAGES, [])
        assert prose(draft) == "Up."
        assert sleep.waits == pytest.approx(expected)


def test_a_backoff_longer_than_the_time_left_fails_instead_of_waiting(server: FakeOpenAIServer) -> None:
    """With 0.8 s for the answer, the second backoff (1 s) cannot fit, so the answer fails after two requests."""
    server.otherwise(Status(503, retry_after_ms=None))
    sleep = Recorded()
    with pytest.raises(
        LlmError, match=r"HTTP 503; no time left for a retry within the 0.8 s deadline \(2 attempts\)"
    ):
        answerer(server, deadline=0.8, max_retries=5, sleep=sleep, jitter=lambda: 0.0).answer(
            "q", PASSAGES, []
        )
    assert sleep.waits == [0.5]
    assert len(server.completions) == 2


LONG_ANSWER = (
    "Self-host at 2B tokens a month [Cost Analysis Framework]. The API would cost $30,000 against "
    "$11,782.20 on 6 H100s, so self-hosting saves about $18,000 a month once the team can run it; "
    "below 492M tokens a month the API stays cheaper."
)


def test_streamed_text_arrives_in_order_and_joins_to_the_answer(server: FakeOpenAIServer) -> None:
    """With on_text the final answer arrives in pieces, in order; joined they are the answer's text."""
    server.script(
        ToolCalls(("breakeven", {"tokens": 2000000000}), content="Let me run the numbers."),
        Text(LONG_ANSWER, prompt_tokens=2000, completion_tokens=90),
    )
    pieces: list[str] = []
    draft = answerer(server).answer("Self-host at 2B?", PASSAGES, [], on_text=pieces.append)

    assert len(pieces) > 10
    assert "".join(pieces) == LONG_ANSWER
    assert prose(draft) == LONG_ANSWER
    assert all("Let me run" not in piece for piece in pieces)
    assert [calculation.tool for calculation in draft.calculations] == ["breakeven"]
    assert (draft.tokens_in, draft.tokens_out) == (2100, 110)
    first, second = server.completions
    assert first.body is not None and first.body["stream"] is True
    assert first.body["stream_options"] == {"include_usage": True}
    assert second.messages[2]["tool_calls"][0]["function"]["name"] == "breakeven"
    assert server.rejections == []


def test_a_streamed_answer_is_the_same_draft_as_an_unstreamed_one(server: FakeOpenAIServer) -> None:
    """Streaming changes how the text arrives, not what the answer is."""
    script = (ToolCalls(("phase", {"spend": 30000}), ("monthly_tokens", {"users": 10000})), Text(LONG_ANSWER))
    server.script(*script)
    plain = answerer(server).answer("q", PASSAGES, [])
    server.script(*script)
    streamed = answerer(server).answer("q", PASSAGES, [], on_text=lambda piece: None)
    assert streamed == plain


def test_text_before_tool_calls_is_never_streamed(server: FakeOpenAIServer) -> None:
    """A short preamble in a tool round is held back and dropped; only the final answer streams."""
    server.script(
        ToolCalls(("phase", {"spend": 30000}), content="Checking the phase first."), Text("Phase 2.")
    )
    pieces: list[str] = []
    answerer(server).answer("q", PASSAGES, [], on_text=pieces.append)
    assert "".join(pieces) == "Phase 2."


def test_tool_calls_after_streamed_text_fail_rather_than_mix_answers(server: FakeOpenAIServer) -> None:
    """A model that writes a long text and then calls tools fails: what streamed was not the answer."""
    server.script(ToolCalls(("phase", {"spend": 30000}), content=LONG_ANSWER))
    pieces: list[str] = []
    with pytest.raises(LlmError, match="asked for tools after its answer had started streaming"):
        answerer(server).answer("q", PASSAGES, [], on_text=pieces.append)


def test_a_stream_that_stalls_fails_at_the_deadline_without_a_retry(server: FakeOpenAIServer) -> None:
    """Once text has streamed, a stalled reply is not retried (the user would see it twice)."""
    server.script(Text(LONG_ANSWER, hang_after=50), Text("never asked"))
    pieces: list[str] = []
    started = time.monotonic()
    with pytest.raises(LlmError, match="while streaming the answer"):
        answerer(server, deadline=1.0, max_retries=3).answer("q", PASSAGES, [], on_text=pieces.append)
    assert time.monotonic() - started < 2.0
    assert pieces and LONG_ANSWER.startswith("".join(pieces))
    assert len(server.completions) == 1


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("length", "fits"), [(1000, True), (1001, False), (4_000_000, False)])
def test_a_reply_over_the_size_cap_is_an_error_not_an_answer(
    server: FakeOpenAIServer, stream: bool, length: int, fits: bool
) -> None:
    """With a 1,000-character cap, 1,000 characters is an answer; more (even 4 MB) is "reply too large"."""
    server.script(Text("y" * length, chunk_chars=65_536))
    llm = answerer(server, max_reply_chars=1000)
    on_text = (lambda piece: None) if stream else None
    if fits:
        assert prose(llm.answer("q", PASSAGES, [], on_text=on_text)) == "y" * length
        return
    with pytest.raises(LlmError, match="reply too large") as caught:
        llm.answer("q", PASSAGES, [], on_text=on_text)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize("stream", [False, True])
def test_an_endpoint_echoing_the_key_never_gets_it_into_the_answer(
    server: FakeOpenAIServer, stream: bool
) -> None:
    """A reply that repeats the Authorization header comes back with the key redacted, streamed or not."""
    server.script(Text("Phase 2 [FAQ].", echo_authorization=True, chunk_chars=3))
    pieces: list[str] = []
    draft = answerer(server).answer("q", PASSAGES, [], on_text=pieces.append if stream else None)
    assert KEY not in draft.text
    assert "[redacted]" in draft.text
    assert KEY not in "".join(pieces)
    assert server.completions[0].headers["authorization"] == f"Bearer {KEY}"


def test_a_server_that_cannot_stream_still_gives_the_whole_text_to_on_text(server: FakeOpenAIServer) -> None:
    """An endpoint that ignores stream: true and sends one JSON completion still answers, and on_text gets its text."""
    completion = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Phase 2."}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 50, "completion_tokens": 5, "total_tokens": 55},
    }
    server.script(Malformed(json.dumps(completion).encode()))
    pieces: list[str] = []
    draft = answerer(server).answer("q", PASSAGES, [], on_text=pieces.append)
    assert "".join(pieces) == "Phase 2."
    assert (prose(draft), draft.tokens_in, draft.tokens_out) == ("Phase 2.", 50, 5)
