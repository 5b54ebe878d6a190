"""What every answer cost and how long it took, kept in SQLite: the guide's Step Three, observability.

"Track tokens consumed per request, latency distribution, error rates, cache hit rates." One row per
answer; the summary is computed from the rows, so any window (`since`) can be asked for later.
"""

import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from bot.chain.answer import Answer
from bot.database import Database, answer_log
from bot.feedback import FeedbackStore


@dataclass(frozen=True)
class AnswerRecord:
    """One answer as the stats see it."""

    at: float
    """When it was recorded, seconds since the epoch."""
    conversation_id: str | None
    mode: str
    """"llm", "offline" or "offline-fallback"."""
    cache: str | None
    """"exact" or "semantic" when served from the cache."""
    latency_ms: float
    tokens_in: int
    tokens_out: int
    cost: Decimal
    error: str | None
    answer_id: str | None = None
    """The answer's id, which feedback votes refer to."""


@dataclass(frozen=True)
class StatsSummary:
    """Totals and rates over a set of answers."""

    answers: int
    by_mode: dict[str, int]
    cache_hits: int
    hit_rate: float
    """Cache hits over answers, 0 to 1."""
    exact_hits: int
    semantic_hits: int
    p50_ms: float
    """Median latency, nearest-rank."""
    p95_ms: float
    """95th-percentile latency, nearest-rank."""
    tokens_in: int
    tokens_out: int
    cost: Decimal
    cost_per_answer: Decimal
    fallbacks: int
    """Answers the offline answerer gave because the LLM failed."""
    errors: int
    helpful: int = 0
    """Feedback votes saying an answer helped."""
    not_helpful: int = 0
    """Feedback votes saying it did not."""

    def to_text(self) -> str:
        """A short table for people: totals, latency, hit rate, cost per answer, answers per mode."""
        modes = ", ".join(f"{mode} {count}" for mode, count in self.by_mode.items())
        rows = [
            ("Answers", f"{self.answers:,}" + (f" ({modes})" if modes else "")),
            ("Latency", f"p50 {self.p50_ms:,.0f} ms, p95 {self.p95_ms:,.0f} ms"),
            (
                "Cache hit rate",
                f"{self.hit_rate:.1%} ({self.exact_hits} exact, {self.semantic_hits} semantic)",
            ),
            ("Tokens", f"{self.tokens_in:,} in, {self.tokens_out:,} out"),
            ("Cost", f"{_usd(self.cost)} total"),
            ("Cost per answer", _usd(self.cost_per_answer)),
            ("Fallbacks", f"{self.fallbacks:,}"),
            ("Errors", f"{self.errors:,}"),
            ("Feedback", f"{self.helpful:,} helpful, {self.not_helpful:,} not helpful"),
        ]
        width = max(len(label) for label, _ in rows)
        return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)

    def to_json(self) -> dict[str, Any]:
        """The summary as JSON; money as numbers in dollars, like `Answer.to_json`."""
        return {
            "answers": self.answers,
            "by_mode": dict(self.by_mode),
            "cache_hits": self.cache_hits,
            "hit_rate": self.hit_rate,
            "exact_hits": self.exact_hits,
            "semantic_hits": self.semantic_hits,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "cost_usd": float(self.cost),
            "cost_per_answer_usd": float(self.cost_per_answer),
            "fallbacks": self.fallbacks,
            "errors": self.errors,
            "helpful": self.helpful,
            "not_helpful": self.not_helpful,
        }


class StatsStore:
    """The answer log in the advisor's database; safe to share between threads."""

    def __init__(self, database: Database, *, clock: Callable[[], float] = time.time) -> None:
        """Record answers in `database`.

        Args:
            database: the advisor's database.
            clock: seconds since the epoch, like `time.time`; stamps each record.
        """
        self._database = database
        self._clock = clock
        self._feedback = FeedbackStore(database, clock=clock)

    def record(self, answer: Answer, *, error: str | None = None) -> None:
        """Log one answer: latency is `answer.timings["total"]` (0 when the chain did not time it).

        Args:
            answer: the answer as it was sent.
            error: a one-line description when answering went wrong; never a secret.
        """
        with self._database.write() as connection:
            connection.execute(
                answer_log.insert().values(
                    answer_id=answer.answer_id or None,
                    at=self._clock(),
                    conversation_id=answer.conversation_id,
                    mode=answer.mode,
                    cache=answer.cache,
                    latency_ms=float(answer.timings.get("total", 0.0)),
                    tokens_in=answer.tokens_in,
                    tokens_out=answer.tokens_out,
                    cost=str(answer.cost),
                    error=error,
                )
            )

    def records(self, since: float | None = None) -> list[AnswerRecord]:
        """Every record, oldest first; with `since`, only those at or after that time."""
        log = answer_log.c
        query = select(
            log.at,
            log.conversation_id,
            log.mode,
            log.cache,
            log.latency_ms,
            log.tokens_in,
            log.tokens_out,
            log.cost,
            log.error,
            log.answer_id,
        )
        if since is not None:
            query = query.where(log.at >= since)
        with self._database.read() as connection:
            rows = connection.execute(query.order_by(log.at, log.id)).all()
        return [
            AnswerRecord(
                at, conversation, mode, cache, latency, tokens_in, tokens_out, Decimal(cost), error, answer_id
            )
            for at, conversation, mode, cache, latency, tokens_in, tokens_out, cost, error, answer_id in rows
        ]

    def summary(self, since: float | None = None) -> StatsSummary:
        """Totals, latency percentiles, hit rate, cost per answer and feedback; with `since`, from then on."""
        return summarise(self.records(since), feedback=self._feedback.counts(since))


def summarise(records: Sequence[AnswerRecord], *, feedback: tuple[int, int] = (0, 0)) -> StatsSummary:
    """The summary of some records (all zeros for none) and of (helpful, not helpful) votes."""
    answers = len(records)
    caches = Counter(record.cache for record in records)
    hits = caches["exact"] + caches["semantic"]
    latencies = sorted(record.latency_ms for record in records)
    cost = sum((record.cost for record in records), Decimal(0))
    return StatsSummary(
        answers=answers,
        by_mode=dict(sorted(Counter(record.mode for record in records).items())),
        cache_hits=hits,
        hit_rate=hits / answers if answers else 0.0,
        exact_hits=caches["exact"],
        semantic_hits=caches["semantic"],
        p50_ms=nearest_rank(latencies, 50),
        p95_ms=nearest_rank(latencies, 95),
        tokens_in=sum(record.tokens_in for record in records),
        tokens_out=sum(record.tokens_out for record in records),
        cost=cost,
        cost_per_answer=cost / answers if answers else Decimal(0),
        fallbacks=sum(record.mode == "offline-fallback" for record in records),
        errors=sum(record.error is not None for record in records),
        helpful=feedback[0],
        not_helpful=feedback[1],
    )


def nearest_rank(ordered: Sequence[float], percent: float) -> float:
    """The nearest-rank percentile of sorted values: the smallest with at least `percent`% at or below it."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(percent * len(ordered) / 100))
    return ordered[rank - 1]


def _usd(amount: Decimal) -> str:
    """Dollars to four places: a single answer often costs a fraction of a cent."""
    return f"${amount.quantize(Decimal('0.0001')):,}"
