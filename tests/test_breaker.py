"""The circuit breaker: after repeated LLM failures, answer offline at once until a probe succeeds."""

import threading
from collections.abc import Iterator

import pytest
from openai_server import FakeOpenAIServer, Status, Text, openai_server

from bot.chain.breaker import CircuitBreaker, GuardedAnswerer
from bot.chain.llm import LlmAnswerer, LlmError
from knowledge.tables import tables

PASSAGES: list[object] = []


class Clock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _no_provider_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy or base URL from the shell may redirect requests to the local server."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with openai_server() as running:
        yield running


def guarded(server: FakeOpenAIServer, clock: Clock) -> GuardedAnswerer:
    """An answerer on `server` that never retries, behind a breaker opening after 3 failures for 30 s."""
    llm = LlmAnswerer(
        api_key="sk-test-breaker-0123456789",
        base_url=server.base_url,
        model="gpt-4o",
        timeout=5.0,
        max_retries=0,
        max_tokens=100,
        tables=tables(),
    )
    return GuardedAnswerer(llm, CircuitBreaker(failure_threshold=3, reset_after=30.0, clock=clock))


@pytest.mark.parametrize(
    ("events", "state"),
    [
        ("", "closed"),
        ("ff", "closed"),
        ("fff", "open"),
        ("ffsff", "closed"),
        ("fff+29", "open"),
        ("fff+30", "half-open"),
        ("fff+30s", "closed"),
        ("fff+30f", "open"),
        ("fff+30f+29", "open"),
        ("fff+30f+30", "half-open"),
    ],
)
def test_breaker_states_follow_failures_successes_and_time(events: str, state: str) -> None:
    """f = failure, s = success, +N = N seconds pass: 3 failures open it, 30 s later it half-opens."""
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=3, reset_after=30.0, clock=clock)
    for event in events.replace("+", " +").replace("f", " f").replace("s", " s").split():
        if event == "f":
            breaker.record_failure()
        elif event == "s":
            breaker.record_success()
        else:
            clock.now += float(event)
    assert breaker.state == state
    assert breaker.allow() == (state != "open")


def test_only_one_probe_goes_while_half_open_even_from_many_threads() -> None:
    """Eight threads asking at once when the breaker half-opens: exactly one is let through."""
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, reset_after=5.0, clock=clock)
    breaker.record_failure()
    clock.now += 5
    start = threading.Barrier(8)
    allowed: list[bool] = []
    lock = threading.Lock()

    def ask() -> None:
        start.wait()
        verdict = breaker.allow()
        with lock:
            allowed.append(verdict)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(allowed) == [False] * 7 + [True]


def test_after_three_failures_answers_fail_at_once_without_a_request(server: FakeOpenAIServer) -> None:
    """Three 500s open the breaker; the fourth question fails immediately and the server sees nothing."""
    server.otherwise(Status(500))
    llm = guarded(server, Clock())
    for _ in range(3):
        with pytest.raises(LlmError, match="HTTP 500"):
            llm.answer("q", PASSAGES, [])
    with pytest.raises(
        LlmError, match=r"^the LLM failed 3 times in a row; answering offline until it recovers$"
    ):
        llm.answer("q", PASSAGES, [])
    assert len(server.completions) == 3


def test_a_successful_probe_closes_the_breaker(server: FakeOpenAIServer) -> None:
    """After the reset time one question goes through; when it succeeds, later ones go through too."""
    clock = Clock()
    llm = guarded(server, clock)
    server.script(Status(500), Status(500), Status(500), Text("Probe ok."), Text("Back to normal."))
    for _ in range(3):
        with pytest.raises(LlmError):
            llm.answer("q", PASSAGES, [])
    clock.now += 30
    assert llm.answer("q", PASSAGES, []).headline == "Probe ok."
    assert llm.breaker.state == "closed"
    assert llm.answer("q", PASSAGES, [], on_text=lambda piece: None).headline == "Back to normal."
    assert len(server.completions) == 5


def test_a_failed_probe_opens_the_breaker_for_another_period(server: FakeOpenAIServer) -> None:
    """A probe that fails sends the breaker back to open: nothing more is sent for another 30 s."""
    clock = Clock()
    llm = guarded(server, clock)
    server.otherwise(Status(503))
    for _ in range(3):
        with pytest.raises(LlmError):
            llm.answer("q", PASSAGES, [])
    clock.now += 30
    with pytest.raises(LlmError, match="HTTP 503"):
        llm.answer("q", PASSAGES, [])
    clock.now += 29
    with pytest.raises(LlmError, match="failed 4 times in a row"):
        llm.answer("q", PASSAGES, [])
    assert len(server.completions) == 4
    assert llm.model == "gpt-4o"
    assert llm.describe() == f"gpt-4o at {server.base_url}"
