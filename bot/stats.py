"""What every answer cost and how long it took, kept in SQLite: the guide's Step Three, observability.

"Track tokens consumed per request, latency distribution, error rates, cache hit rates." One row per
answer; the summary is computed from the rows, so any window (`since`) can be asked for later.
"""

import math
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import astuple, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.chain.answer import Answer

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answer_log (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    conversation_id TEXT,
    mode TEXT NOT NULL,
    cache TEXT,
    latency_ms REAL NOT NULL,
    tokens_in INTEGER NOT NULL,
    tokens_out INTEGER NOT NULL,
    cost TEXT NOT NULL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS answer_log_by_time ON answer_log (at);
"""


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
        }


class StatsStore:
    """One SQLite table of answer records; safe to share between threads."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        """Open (or create) the stats file.

        Args:
            path: the SQLite file; its folder is created if missing.
            clock: seconds since the epoch, like `time.time`; stamps each record.
        """
        self._path = path
        self._clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    def record(self, answer: Answer, *, error: str | None = None) -> None:
        """Log one answer: latency is `answer.timings["total"]` (0 when the chain did not time it).

        Args:
            answer: the answer as it was sent.
            error: a one-line description when answering went wrong; never a secret.
        """
        row = AnswerRecord(
            at=self._clock(),
            conversation_id=answer.conversation_id,
            mode=answer.mode,
            cache=answer.cache,
            latency_ms=float(answer.timings.get("total", 0.0)),
            tokens_in=answer.tokens_in,
            tokens_out=answer.tokens_out,
            cost=answer.cost,
            error=error,
        )
        with self._connect() as db:
            db.execute(
                "INSERT INTO answer_log (at, conversation_id, mode, cache, latency_ms, tokens_in, tokens_out, "
                "cost, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*astuple(row)[:7], str(row.cost), row.error),
            )

    def records(self, since: float | None = None) -> list[AnswerRecord]:
        """Every record, oldest first; with `since`, only those at or after that time."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT at, conversation_id, mode, cache, latency_ms, tokens_in, tokens_out, cost, error "
                "FROM answer_log WHERE at >= ? ORDER BY at, id",
                (-math.inf if since is None else since,),
            ).fetchall()
        return [
            AnswerRecord(at, conversation, mode, cache, latency, tokens_in, tokens_out, Decimal(cost), error)
            for at, conversation, mode, cache, latency, tokens_in, tokens_out, cost, error in rows
        ]

    def summary(self, since: float | None = None) -> StatsSummary:
        """Totals, latency percentiles, hit rate and cost per answer; with `since`, from then on."""
        return summarise(self.records(since))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One connection per call, committed on success: threads never share a connection."""
        with closing(sqlite3.connect(self._path, timeout=30)) as db, db:
            yield db


def summarise(records: Sequence[AnswerRecord]) -> StatsSummary:
    """The summary of some records (all zeros for none)."""
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
