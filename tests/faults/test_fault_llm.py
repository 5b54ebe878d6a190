"""An LLM endpoint that misbehaves through `advisor ask`: a reply echoing the key, a reply of 50 MB."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_helpers import Advisor
from openai_server import FakeOpenAIServer, Text, openai_server

KEY = "sk-test-FAULTS-9d2e4c6a8b0f1357"
QUESTION = "what phase are we in at $30K a month?"


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch, ready_data: Path) -> Iterator[FakeOpenAIServer]:
    """A local OpenAI-compatible server the advisor is pointed at, with a key it must never show."""
    with openai_server() as server:
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        yield server


def _stored_bytes(data_dir: Path) -> bytes:
    return b"".join(path.read_bytes() for path in data_dir.glob("advisor.sqlite3*") if path.is_file())


def test_a_reply_echoing_the_key_shows_and_stores_it_redacted(
    advisor: Advisor, llm: FakeOpenAIServer, fault_environment: Path
) -> None:
    """An endpoint that repeats the Authorization header in its answer: the key is neither printed nor cached."""
    llm.script(Text("You are in Phase 2 [FAQ].", echo_authorization=True))
    run = advisor("ask", QUESTION)
    assert run.code == 0, run.err
    assert "Phase 2" in run.out
    assert KEY not in run.out + run.err
    assert "[redacted]" in run.out
    assert KEY.encode() not in _stored_bytes(fault_environment)
    again = advisor("ask", QUESTION)  # from the cache now
    assert "cache hit" in again.out
    assert KEY not in again.out


def test_a_50_mb_reply_is_not_printed(advisor: Advisor, llm: FakeOpenAIServer) -> None:
    """A 50 MB model reply is refused as too large and the offline answer is printed, saying why, in a few KB."""
    llm.script(Text("y" * 50_000_000, chunk_chars=1_000_000))
    run = advisor("ask", QUESTION)
    assert run.code == 0, run.err
    assert len(run.out) < 20_000
    assert "yyyyyyyyyy" not in run.out
    assert "too large" in run.out
    assert "Phase 2" in run.out
