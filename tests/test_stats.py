"""The observability store: every answer's latency, tokens, cost and cache use, and the summary of them."""

from decimal import Decimal
from pathlib import Path

import pytest
from hand_clock import HandClock

from bot.chain.answer import Answer, Mode
from bot.database import Database
from bot.feedback import FeedbackStore
from bot.stats import StatsStore, nearest_rank


def answer(
    mode: Mode,
    total_ms: float,
    tokens: tuple[int, int] = (0, 0),
    cost: str = "0",
    cache: str | None = None,
    answer_id: str = "",
) -> Answer:
    return Answer(
        question="How much will 500M tokens a month cost on GPT-4o?",
        headline="About $2,000 a month.",
        mode=mode,
        timings={"retrieval": 1.0, "total": total_ms},
        tokens_in=tokens[0],
        tokens_out=tokens[1],
        cost=Decimal(cost),
        cache=cache,  # type: ignore[arg-type]
        conversation_id="C1:1700000000.000100",
        answer_id=answer_id,
    )


# Recorded one second apart from t=1000, in this order; latencies deliberately unsorted.
ANSWERS = [
    (answer("llm", 1200.0, (1000, 200), "0.0045", answer_id="a-first"), None),
    (answer("llm", 800.0, (2000, 300), "0.0080"), None),
    (answer("offline", 40.0), None),
    (answer("offline-fallback", 3000.0), "LLMError: the provider timed out"),
    (answer("llm", 5.0, cache="exact"), None),
    (answer("llm", 30.0, cache="semantic"), None),
    (answer("offline", 3.0, cache="exact"), None),
    (answer("llm", 950.0, (1500, 250), "0.0061"), None),
]


@pytest.fixture
def clock() -> HandClock:
    return HandClock(1_000.0)


@pytest.fixture
def store(database: Database, clock: HandClock) -> StatsStore:
    store = StatsStore(database, clock=clock)
    for index, (item, error) in enumerate(ANSWERS):
        clock.now = 1_000.0 + index
        store.record(item, error=error)
    return store


def test_summary_numbers_are_exact(store: StatsStore) -> None:
    """Eight known answers give exactly the expected counts, percentiles, hit rate and costs."""
    summary = store.summary()
    assert summary.answers == 8
    assert summary.by_mode == {"llm": 5, "offline": 2, "offline-fallback": 1}
    assert (summary.cache_hits, summary.exact_hits, summary.semantic_hits) == (3, 2, 1)
    assert summary.hit_rate == 0.375
    # Sorted: 3, 5, 30, 40, 800, 950, 1200, 3000; nearest rank 4 of 8 and 8 of 8.
    assert (summary.p50_ms, summary.p95_ms) == (40.0, 3000.0)
    assert (summary.tokens_in, summary.tokens_out) == (4500, 750)
    assert summary.cost == Decimal("0.0186")
    assert summary.cost_per_answer == Decimal("0.002325")
    assert (summary.fallbacks, summary.errors) == (1, 1)


def test_records_keep_every_field(store: StatsStore) -> None:
    """A record holds the answer's time, conversation, mode, cache, latency, tokens, cost and error."""
    fallback = store.records()[3]
    assert fallback.at == 1_003.0
    assert fallback.conversation_id == "C1:1700000000.000100"
    assert (fallback.mode, fallback.cache, fallback.latency_ms) == ("offline-fallback", None, 3000.0)
    assert fallback.error == "LLMError: the provider timed out"
    assert fallback.answer_id is None  # an answer without an id is stored without one
    assert store.records()[0].cost == Decimal("0.0045")
    assert store.records()[0].answer_id == "a-first"


def test_cost_is_stored_exactly(database: Database) -> None:
    """Costs add up as Decimals: three answers at $0.1 cost $0.3, not 0.30000000000000004."""
    store = StatsStore(database)
    for _ in range(3):
        store.record(answer("llm", 100.0, (10, 10), "0.1"))
    summary = store.summary()
    assert summary.cost == Decimal("0.3")
    assert summary.cost_per_answer == Decimal("0.1")


def test_store_persists_across_instances(store: StatsStore, tmp_path: Path) -> None:
    """A new store on a reopened database sees every record already there."""
    with Database(f"sqlite:///{tmp_path / 'advisor.sqlite3'}") as reopened_database:
        reopened = StatsStore(reopened_database)
        assert reopened.summary() == store.summary()
        assert reopened.records() == store.records()


@pytest.mark.parametrize(
    ("since", "answers", "hits", "cost"),
    [
        (1_004.0, 4, 3, Decimal("0.0061")),  # the record at exactly `since` counts
        (1_004.5, 3, 2, Decimal("0.0061")),
        (1_007.0, 1, 0, Decimal("0.0061")),
        (1_007.5, 0, 0, Decimal(0)),
        (None, 8, 3, Decimal("0.0186")),
    ],
)
def test_since_filters_by_time(
    store: StatsStore, since: float | None, answers: int, hits: int, cost: Decimal
) -> None:
    """`since` keeps only the answers recorded at or after that moment."""
    summary = store.summary(since=since)
    assert (summary.answers, summary.cache_hits, summary.cost) == (answers, hits, cost)


def test_empty_summary_is_zeros(database: Database) -> None:
    """With nothing recorded the summary is all zeros and still prints."""
    summary = StatsStore(database).summary()
    assert (summary.answers, summary.hit_rate, summary.p50_ms, summary.p95_ms) == (0, 0.0, 0.0, 0.0)
    assert summary.cost_per_answer == Decimal(0)
    assert (summary.helpful, summary.not_helpful) == (0, 0)
    assert "p50 0 ms" in summary.to_text()


def test_missing_total_timing_records_zero_latency(database: Database) -> None:
    """An answer the chain did not time is recorded with 0 ms rather than refused."""
    store = StatsStore(database)
    store.record(Answer(question="q", headline="t", mode="offline"))
    assert store.records()[0].latency_ms == 0.0


@pytest.mark.parametrize(
    ("values", "percent", "expected"),
    [
        ([], 50, 0.0),
        ([7.0], 95, 7.0),
        ([float(n) for n in range(1, 21)], 50, 10.0),
        ([float(n) for n in range(1, 21)], 95, 19.0),
        ([float(n) for n in range(1, 22)], 95, 20.0),
        ([float(n) for n in range(1, 101)], 95, 95.0),
        ([float(n) for n in range(1, 101)], 96, 96.0),
    ],
)
def test_nearest_rank(values: list[float], percent: float, expected: float) -> None:
    """Nearest rank is the value at position ceil(p/100 * n), 1-based, in sorted order."""
    assert nearest_rank(values, percent) == expected


def test_to_text_reports_the_numbers(store: StatsStore) -> None:
    """The text table names p50, p95, hit rate and cost per answer, with their values and modes."""
    text = store.summary().to_text()
    lowered = text.lower()
    assert "p50 40 ms" in text
    assert "p95 3,000 ms" in text
    assert "hit rate" in lowered
    assert "37.5% (2 exact, 1 semantic)" in text
    assert "cost per answer" in lowered
    assert "$0.0023" in text
    assert "llm 5, offline 2, offline-fallback 1" in text


def test_to_json_is_plain_json(store: StatsStore) -> None:
    """The JSON form has numbers only, with the same values as the summary."""
    data = store.summary().to_json()
    assert data["answers"] == 8
    assert data["hit_rate"] == 0.375
    assert data["cost_per_answer_usd"] == pytest.approx(0.002325)
    assert data["by_mode"] == {"llm": 5, "offline": 2, "offline-fallback": 1}
    assert (data["p50_ms"], data["p95_ms"], data["errors"]) == (40.0, 3000.0, 1)
    assert (data["helpful"], data["not_helpful"]) == (0, 0)


def test_summary_counts_feedback(store: StatsStore, database: Database, clock: HandClock) -> None:
    """Helpful and not-helpful votes appear in the summary, its table and its JSON, one per user per answer."""
    votes = FeedbackStore(database, clock=clock)
    votes.record("a-first", "U1", helpful=True)
    votes.record("a-first", "U2", helpful=True)
    votes.record("a-first", "U3", helpful=True)
    votes.record("a-other", "U1", helpful=True)
    votes.record("a-other", "U1", helpful=False)  # changed their mind: counts once, as not helpful
    summary = store.summary()
    assert (summary.helpful, summary.not_helpful) == (3, 1)
    assert "Feedback         3 helpful, 1 not helpful" in summary.to_text()
    assert (summary.to_json()["helpful"], summary.to_json()["not_helpful"]) == (3, 1)
