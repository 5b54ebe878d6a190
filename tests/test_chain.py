"""The whole answer chain: real index, real model, real SQLite, and the LLM over a local HTTP server."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings
from openai_server import FakeOpenAIServer, Hang, Status, Text, ToolCalls, openai_server

from bot.chain.cache import AnswerCache
from bot.chain.chain import AdvisorChain
from bot.chain.llm import LlmAnswerer, llm_cost
from bot.chain.memory import ConversationMemory
from bot.chain.offline import OfflineAnswerer
from bot.database import Database
from bot.stats import StatsStore
from knowledge.index import KnowledgeIndex
from knowledge.tables import tables, tables_fingerprint

KEY = "sk-test-CHAIN-91c0d2e7a4b8"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, embeddings: Embeddings) -> KnowledgeIndex:
    built = KnowledgeIndex(tmp_path_factory.mktemp("index"), embeddings)
    built.ensure_ready()
    return built


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with openai_server() as running:
        yield running


def open_db(data: Path) -> Database:
    return Database(f"sqlite:///{data / 'advisor.sqlite3'}")


def make_chain(
    index: KnowledgeIndex,
    data: Path,
    embeddings: Embeddings,
    llm: LlmAnswerer | None = None,
    cache: bool = False,
) -> AdvisorChain:
    database = open_db(data)
    return AdvisorChain(
        retriever=index,
        offline=OfflineAnswerer(tables(), embeddings),
        llm=llm,
        cache=AnswerCache(database, embeddings) if cache else None,
        stats=StatsStore(database),
        memory=ConversationMemory(database),
        price_fingerprint=tables_fingerprint(),
        llm_cost=lambda model, tokens_in, tokens_out: llm_cost(model, tokens_in, tokens_out, tables()),
    )


def make_llm(server: FakeOpenAIServer, *, timeout: float = 5, retries: int = 0) -> LlmAnswerer:
    return LlmAnswerer(
        api_key=KEY,
        base_url=server.base_url,
        model="gpt-4o",
        timeout=timeout,
        max_retries=retries,
        max_tokens=400,
        tables=tables(),
    )


def test_offline_answer_has_numbers_sources_and_mode(
    index: KnowledgeIndex, embeddings: Embeddings, tmp_path: Path
) -> None:
    """Offline, a break-even question gets the calculator's numbers, the guide's sections and mode offline."""
    answer = make_chain(index, tmp_path, embeddings).ask("Should we self-host at 500M tokens a month?")
    assert answer.mode == "offline"
    assert "$7,391.10" in answer.text
    assert [c.tool for c in answer.calculations] == ["breakeven"]
    assert answer.sources and all(source.section for source in answer.sources)
    assert answer.timings["total"] >= answer.timings["retrieval"] > 0


def test_follow_up_in_a_conversation(index: KnowledgeIndex, embeddings: Embeddings, tmp_path: Path) -> None:
    """In one conversation "and at 2B?" reruns the break-even; in another it does not."""
    chain = make_chain(index, tmp_path, embeddings)
    chain.ask("should we self-host at 500M tokens?", conversation_id="thread-1")
    follow = chain.ask("and at 2B?", conversation_id="thread-1")
    assert "At 2B tokens a month" in follow.text
    stranger = chain.ask("and at 2B?", conversation_id="thread-2")
    assert "At 2B tokens a month" not in stranger.text


def test_llm_answer_uses_the_calculator_tool(
    index: KnowledgeIndex, embeddings: Embeddings, tmp_path: Path, server: FakeOpenAIServer
) -> None:
    """With an LLM, the model's tool call runs the real calculator and the answer carries it, priced."""
    server.script(
        ToolCalls(("breakeven", {"tokens": 500000000})),
        Text(
            "Self-hosting breaks even at 500M: $7,391.10 vs $7,500 [Cost Analysis Framework].",
            prompt_tokens=1200,
            completion_tokens=80,
        ),
    )
    answer = make_chain(index, tmp_path, embeddings, make_llm(server)).ask(
        "should we self-host at 500M tokens?"
    )
    assert answer.mode == "llm"
    assert answer.calculations[0].result["self_hosted_monthly_cost"] == Decimal("7391.10")
    assert answer.tokens_in >= 1200 and answer.tokens_out >= 80
    assert answer.cost > 0
    sent = server.completions[0]
    assert "breakeven" in sent.tool_names
    assert any("Cost Analysis Framework" in str(message.get("content")) for message in sent.messages)


@pytest.mark.parametrize("failure", [Status(500), Hang(10)], ids=["server-error", "hang"])
def test_failing_llm_degrades_to_offline(
    index: KnowledgeIndex, embeddings: Embeddings, tmp_path: Path, server: FakeOpenAIServer, failure: object
) -> None:
    """A 500 or a hang gives the offline answer, with one line saying so, well within the timeout."""
    server.otherwise(failure)  # type: ignore[arg-type]
    chain = make_chain(index, tmp_path, embeddings, make_llm(server, timeout=1))
    answer = chain.ask("should we self-host at 500M tokens?")
    assert answer.mode == "offline-fallback"
    assert answer.text.splitlines()[0].startswith("The LLM was unavailable")
    assert "$7,391.10" in answer.text
    assert KEY not in answer.text
    assert answer.timings["total"] < 5000
    assert StatsStore(open_db(tmp_path)).summary().fallbacks == 1


def test_cache_hit_and_invalidation(index: KnowledgeIndex, embeddings: Embeddings, tmp_path: Path) -> None:
    """The same question is served from the cache; a price-table change makes it a miss."""
    chain = make_chain(index, tmp_path, embeddings, cache=True)
    first = chain.ask("What will 500M tokens a month cost on GPT-4o?")
    again = chain.ask("what will 500M tokens a month cost on gpt-4o")
    assert (first.cache, again.cache) == (None, "exact")
    assert again.text == first.text
    changed = AdvisorChain(
        retriever=index,
        offline=OfflineAnswerer(tables()),
        cache=AnswerCache(open_db(tmp_path), embeddings),
        price_fingerprint="prices-changed",
    )
    assert changed.ask("What will 500M tokens a month cost on GPT-4o?").cache is None
    summary = StatsStore(open_db(tmp_path)).summary()
    assert summary.answers == 2 and summary.exact_hits == 1


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SLACK_"))}
    env["ADVISOR_DATA_DIR"] = str(tmp_path_factory.mktemp("cli-data"))
    return env


def advisor(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


def test_cli_ask_json_batch_from_stdin(cli_env: dict[str, str]) -> None:
    """`advisor ask --json -` answers one question per line with one JSON object per line."""
    done = advisor(
        cli_env, "ask", "--json", "-", stdin="we spend $30K a month, what now?\n\nwhat is serverless?\n"
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == 2
    assert {"answer", "sources", "calculations", "mode"} <= set(lines[0])
    assert lines[0]["calculations"][0]["phase"] == 2
    assert lines[1]["sources"][0]["section"]


def test_cli_ask_uses_openai_compatible_endpoint_from_environment(
    cli_env: dict[str, str], server: FakeOpenAIServer
) -> None:
    """With OPENAI_API_KEY and OPENAI_BASE_URL set, `advisor ask` answers through that endpoint."""
    server.script(Text("Stay API-first until $50K a month [FAQ]."))
    env = {**cli_env, "OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": server.base_url}
    done = advisor(env, "ask", "--json", "--no-cache", "should we self-host Llama?")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["mode"] == "llm"
    assert answer["answer"].startswith("Stay API-first")
    assert server.completions[0].headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in done.stdout + done.stderr


def test_cli_chat_keeps_the_conversation_and_stats_count_it(cli_env: dict[str, str]) -> None:
    """`advisor chat` answers a follow-up from the same session, and `advisor stats` counts the answers."""
    done = advisor(cli_env, "chat", stdin="should we self-host at 500M tokens?\nand at 2B?\nexit\n")
    assert done.returncode == 0, done.stderr
    assert "At 2B tokens a month" in done.stdout
    stats = advisor(cli_env, "stats", "--json")
    summary = json.loads(stats.stdout)
    assert summary["answers"] >= 2
    assert "p50_ms" in summary


def test_cli_ingest_user_notes_then_search_finds_them(cli_env: dict[str, str], tmp_path: Path) -> None:
    """`advisor ingest notes.md` makes the user's own text searchable, with its source and section."""
    notes = tmp_path / "our-usage.md"
    notes.write_text(
        "# Our usage\n\nOur nightly invoice summarisation job sends 40M tokens to the Batch API.\n"
    )
    done = advisor(cli_env, "ingest", str(notes))
    assert done.returncode == 0, done.stderr
    assert "passages" in done.stdout
    found = json.loads(advisor(cli_env, "search", "--json", "nightly invoice summarisation job").stdout)
    assert found[0]["source"] == str(notes.resolve())
    assert found[0]["section"] == "Our usage"
    assert {"section", "text", "score"} <= set(found[0])


def test_cli_knowledge_commands_refuse_bad_input_in_one_line(cli_env: dict[str, str], tmp_path: Path) -> None:
    """A missing file or an empty question exits 2 with one line, not a traceback."""
    for args in (("ingest", str(tmp_path / "missing.md")), ("ask", "  "), ("search", "")):
        done = advisor(cli_env, *args)
        assert done.returncode == 2, args
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "Traceback" not in done.stderr


class CountingEmbeddings(Embeddings):
    """The real model, counting how often a question is embedded."""

    def __init__(self, inner: Embeddings) -> None:
        self.inner = inner
        self.queries: list[str] = []

    def embed_query(self, text: str) -> list[float]:
        self.queries.append(text)
        return self.inner.embed_query(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)


def test_each_answer_embeds_the_question_once(
    index: KnowledgeIndex, embeddings: Embeddings, tmp_path: Path
) -> None:
    """Retrieval, quote selection and the semantic cache share one embedding of the question."""
    counting = CountingEmbeddings(embeddings)
    database = open_db(tmp_path)
    chain = AdvisorChain(
        retriever=index,
        offline=OfflineAnswerer(tables(), counting),
        cache=AnswerCache(database, counting),
        stats=StatsStore(database),
        price_fingerprint=tables_fingerprint(),
        embeddings=counting,
    )
    question = "What does the guide say about caching before self-hosting?"
    chain.ask(question)
    assert counting.queries == [question]


def test_concurrent_questions_get_the_answers_they_would_get_alone(
    index: KnowledgeIndex, embeddings: Embeddings, tmp_path: Path
) -> None:
    """Eight threads sharing one chain (cache, memory, stats) each get their own right numbers."""
    chain = make_chain(index, tmp_path, embeddings, cache=True)
    volumes = ["100M", "200M", "500M", "750M", "1B", "2B", "3B", "5B"]

    def ask(volume: str) -> tuple[str, str]:
        first = chain.ask(f"should we self-host at {volume} tokens a month?", conversation_id=f"t-{volume}")
        follow = chain.ask("and with 40 ops hours?", conversation_id=f"t-{volume}")
        return first.text, follow.text

    with ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(ask, volumes))
    alone = make_chain(index, tmp_path / "alone", embeddings)
    for volume, (first, _) in zip(volumes, together, strict=True):
        expected = alone.ask(f"should we self-host at {volume} tokens a month?").text
        assert first == expected
    assert StatsStore(open_db(tmp_path)).summary().answers == 16


def test_a_database_failing_mid_run_does_not_stop_the_answer(
    index: KnowledgeIndex, embeddings: Embeddings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With the cache, stats and memory tables gone under a running chain, the question is still answered."""
    chain = make_chain(index, tmp_path, embeddings, cache=True)
    with open_db(tmp_path).write() as connection:
        for table in ("cached_answers", "answer_log", "conversation_turns"):
            connection.exec_driver_sql(f"DROP TABLE {table}")
    answer = chain.ask("Should we self-host at 500M tokens a month?", conversation_id="thread-1")
    assert "$7,391.10" in answer.text
    assert "answering without it" in caplog.text
