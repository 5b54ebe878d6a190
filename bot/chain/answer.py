"""What the chain returns: one structured answer, rendered by views (text for the CLI, Block Kit for Slack).

An answer is data: a headline, the calculations (each with its figures, assumptions and caveats),
the guide's sentences it quotes with their sections, short notes (what to type next), and the
sources it rests on. Nothing downstream parses text back out of it.
"""

import re
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from typing import Any, Literal

from bot.calculations.record import Assumption, Calculation, Figure

Mode = Literal["llm", "offline", "offline-fallback"]


@dataclass(frozen=True)
class Source:
    """A passage of the guide (or of a user's document) the answer rests on."""

    section: str
    subsection: str | None
    score: float
    source: str


@dataclass(frozen=True)
class Quote:
    """A sentence of the guide quoted as it stands, with the heading it sits under."""

    section: str
    """"Section > Subsection" as the guide titles it."""
    text: str


@dataclass(frozen=True)
class Turn:
    """One earlier exchange in a conversation, for follow-ups such as "and at 2B?"."""

    question: str
    answer: str
    calculations: tuple[Calculation, ...] = ()


@dataclass(frozen=True)
class Draft:
    """What an answerer (LLM or offline) produced before the chain adds sources and timings."""

    headline: str
    """The answer in one line: a calculation's summary, the best quote, or what to type."""
    body: str = ""
    """Prose after the headline (the LLM's answer); empty for offline answers."""
    calculations: tuple[Calculation, ...] = ()
    quotes: tuple[Quote, ...] = ()
    notes: tuple[str, ...] = ()
    """Short lines for the reader, such as an example of what to ask."""
    tokens_in: int = 0
    tokens_out: int = 0

    @classmethod
    def from_prose(
        cls,
        text: str,
        calculations: tuple[Calculation, ...] = (),
        *,
        tokens_in: int = 0,
        tokens_out: int = 0,
    ) -> "Draft":
        """A model's free text: its first line is the headline, the rest the body."""
        headline, _, body = text.strip().partition("\n")
        return cls(
            headline=headline.strip(),
            body=body.strip(),
            calculations=calculations,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
        )

    @property
    def text(self) -> str:
        """The draft as plain text (see `answer_text`)."""
        return answer_text(self)


@dataclass(frozen=True)
class Answer:
    """The chain's answer to one question."""

    question: str
    headline: str
    body: str = ""
    calculations: tuple[Calculation, ...] = ()
    quotes: tuple[Quote, ...] = ()
    notes: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    mode: Mode = "offline"
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
    answer_id: str = ""
    """Unique per answer served; feedback buttons carry it back."""

    @property
    def text(self) -> str:
        """The answer as plain text: notice, headline, body, calculations, quotes, notes."""
        return answer_text(self)

    def to_json(self) -> dict[str, Any]:
        """The answer object as JSON: the text, its structured parts, sources, and how it was made."""
        return {
            "question": self.question,
            "answer": self.text,
            "headline": self.headline,
            "body": self.body,
            "quotes": [vars(quote) for quote in self.quotes],
            "notes": list(self.notes),
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
            "answer_id": self.answer_id,
        }


def answer_text(answer: Answer | Draft) -> str:
    """Plain text of an answer, the way the terminal, the conversation memory and the evaluation read it.

    A calculation whose summary is the headline is not repeated; each calculation brings its
    phase actions, assumptions and notes where the guide disagrees with itself.
    """
    lines: list[str] = []
    notice = getattr(answer, "notice", None)
    if notice:
        lines.append(notice)
    summaries = {calculation.summary for calculation in answer.calculations}
    quoted = {quote.text for quote in answer.quotes}
    if answer.headline and answer.headline not in summaries and answer.headline not in quoted:
        lines.append(answer.headline)
    if answer.body:
        lines.append(answer.body)
    for calculation in answer.calculations:
        lines.append(calculation.summary)
        if calculation.tool == "phase":
            lines += [f"• {action}" for action in calculation.result.get("actions", [])]
        if calculation.assumptions:
            lines.append(
                "Assumptions: "
                + "; ".join(f"{item.name} {item.value}" for item in calculation.assumptions)
                + "."
            )
        lines += [f"Note: {flag}" for flag in calculation.flags]
    if answer.quotes:
        lines.append("From the guide:" if answer.calculations else "The guide says:")
        lines += [f"> {quote.text} [{quote.section}]" for quote in answer.quotes]
    lines += list(answer.notes)
    return "\n".join(lines)


def answer_to_record(answer: Answer) -> dict[str, Any]:
    """The answer as JSON-ready data that `answer_from_record` turns back into an equal Answer."""
    record: dict[str, Any] = _encode({item.name: getattr(answer, item.name) for item in fields(Answer)})
    return record


def answer_from_record(record: dict[str, Any]) -> Answer:
    """Rebuild an answer stored with `answer_to_record`.

    Raises:
        KeyError, TypeError, ValueError: the record is not one `answer_to_record` wrote.
    """
    data = _decode(record)
    return Answer(
        **{
            **data,
            "calculations": tuple(_calculation(item) for item in data["calculations"]),
            "quotes": tuple(Quote(**item) for item in data["quotes"]),
            "sources": tuple(Source(**item) for item in data["sources"]),
            "notes": tuple(data["notes"]),
        }
    )


def with_notice(answer: Answer, notice: str) -> Answer:
    """The same answer with a one-line notice in front (e.g. "the LLM was unavailable")."""
    return replace(answer, notice=notice)


def _calculation(data: dict[str, Any]) -> Calculation:
    return Calculation(
        tool=data["tool"],
        inputs=data["inputs"],
        result=data["result"],
        summary=data["summary"],
        assumptions=tuple(Assumption(**item) for item in data["assumptions"]),
        flags=tuple(data["flags"]),
        details=tuple(data["details"]),
        figures=tuple(Figure(**item) for item in data.get("figures", ())),
        caveats=tuple(data.get("caveats", ())),
    )


def _encode(value: Any) -> Any:
    """JSON that keeps Decimals; dataclasses become dicts, tuples lists."""
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if hasattr(value, "__dataclass_fields__"):
        return {item.name: _encode(getattr(value, item.name)) for item in fields(value)}
    if isinstance(value, dict):
        return {str(key): _encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if value.keys() == {"$decimal"}:
            return Decimal(value["$decimal"])
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


_FIRST_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def first_sentence(text: str) -> str:
    """The first sentence of a text, for titles and previews."""
    return _FIRST_SENTENCE.split(text.strip(), maxsplit=1)[0]
