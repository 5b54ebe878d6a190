"""What the chain returns: one answer with its numbers, its sources and how it was made."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from bot.calculations.record import Calculation

Mode = Literal["llm", "offline", "offline-fallback"]


@dataclass(frozen=True)
class Source:
    """A passage of the guide (or of a user's document) the answer rests on."""

    section: str
    subsection: str | None
    score: float
    source: str


@dataclass(frozen=True)
class Turn:
    """One earlier exchange in a conversation, for follow-ups such as "and at 2B?"."""

    question: str
    answer: str
    calculations: tuple[Calculation, ...] = ()


@dataclass(frozen=True)
class Draft:
    """What an answerer (LLM or offline) produced before the chain adds sources and timings."""

    text: str
    calculations: tuple[Calculation, ...] = ()
    tokens_in: int = 0
    tokens_out: int = 0


@dataclass(frozen=True)
class Answer:
    """The chain's answer to one question."""

    question: str
    text: str
    calculations: tuple[Calculation, ...]
    sources: tuple[Source, ...]
    mode: Mode
    timings: dict[str, float] = field(default_factory=dict)
    """Milliseconds: retrieval, answer, total."""
    tokens_in: int = 0
    tokens_out: int = 0
    cost: Decimal = Decimal(0)
    """What the LLM call cost, from the price tables (0 offline)."""
    cache: Literal["exact", "semantic"] | None = None
    notice: str | None = None
    """One line when something degraded, e.g. the LLM failed and this is the offline answer."""
    conversation_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The answer object as JSON: answer, sources, calculations, mode and the rest."""
        return {
            "question": self.question,
            "answer": self.text,
            "sources": [vars(source) for source in self.sources],
            "calculations": [calculation.to_json() for calculation in self.calculations],
            "mode": self.mode,
            "notice": self.notice,
            "cache": self.cache,
            "timings_ms": self.timings,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "cost_usd": float(self.cost),
            "conversation_id": self.conversation_id,
        }
