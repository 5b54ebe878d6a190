"""The offline answerer: no LLM, no network. Calculators for numbers, the guide's own sentences for the rest.

It is the default on a fresh machine and the fallback whenever the LLM fails (the guide: "degrade
gracefully, never hard-fail").
"""

import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import fields, replace
from decimal import Decimal
from typing import Protocol

from langchain_core.embeddings import Embeddings

from bot.calculations.breakeven import BreakEvenRequest, run_breakeven
from bot.calculations.cost import CostRequest, run_cost
from bot.calculations.phase import run_phase
from bot.calculations.record import Assumption, Calculation
from bot.calculations.savings import run_savings
from bot.calculations.usage import UsageRequest, run_tokens
from bot.chain.answer import Draft, Quote, Turn
from bot.chain.understanding import Facts, Intent, Understanding, understand
from calculators.errors import CalculatorError
from knowledge.errors import KnowledgeError
from knowledge.tables import Tables

DEFAULT_MODEL = "gpt-4o"
"""Priced when a cost question names no model: the guide's "appropriate for most tasks" pick."""
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "at",
        "by",
        "is",
        "are",
        "be",
        "we",
        "our",
        "us",
        "you",
        "your",
        "it",
        "its",
        "this",
        "that",
        "with",
        "what",
        "which",
        "how",
        "do",
        "does",
        "should",
        "can",
        "will",
        "would",
        "i",
        "my",
        "me",
        "there",
        "their",
        "they",
        "them",
        "as",
        "from",
        "than",
        "then",
        "when",
        "where",
        "who",
        "why",
        "if",
        "yet",
        "still",
        "just",
        "much",
        "many",
        "more",
        "most",
        "about",
        "into",
        "per",
        "so",
        "not",
        "no",
        "any",
    ]
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9$\"(])")


class PassageLike(Protocol):
    """What the answerer needs of a retrieved passage."""

    section: str
    subsection: str | None
    text: str
    score: float


class OfflineAnswerer:
    """Answers from the calculators and the retrieved passages, deterministically."""

    def __init__(self, tables: Tables, embeddings: Embeddings | None = None) -> None:
        self._tables = tables
        self._embeddings = embeddings
        self._vectors: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _similarity(
        self, question: str, sentences: list[str], query: Sequence[float] | None = None
    ) -> list[float]:
        """Cosine of the question to each sentence; sentence vectors are computed once per process."""
        assert self._embeddings is not None
        vectors = self._sentence_vectors(sentences)
        if query is None:
            query = self._embeddings.embed_query(question)
        return [_cosine(query, vector) for vector in vectors]

    def _sentence_vectors(self, sentences: list[str]) -> list[list[float]]:
        assert self._embeddings is not None
        with self._lock:
            missing = [sentence for sentence in dict.fromkeys(sentences) if sentence not in self._vectors]
        vectors = self._embeddings.embed_documents(missing) if missing else []
        with self._lock:
            self._vectors.update(zip(missing, vectors, strict=True))
            return [self._vectors[sentence] for sentence in sentences]

    def warm(self, passages: Sequence[PassageLike]) -> int:
        """Embed every quotable sentence of `passages` now, so no answer waits for it; returns how many."""
        if self._embeddings is None:
            return 0
        sentences = [sentence for passage in passages for sentence in _sentences(passage.text)]
        self._sentence_vectors(sentences)
        return len(sentences)

    def answer(
        self,
        question: str,
        passages: Sequence[PassageLike],
        history: Sequence[Turn] = (),
        *,
        query_vector: Sequence[float] | None = None,
    ) -> Draft:
        """Run the calculators the question needs, then quote the guide's most relevant sentences.

        Args:
            question: What the user asked.
            passages: Retrieved passages, best first.
            history: Earlier turns of the conversation, oldest first.
            query_vector: The question's embedding when the caller already has it (it is not embedded again).
        """
        understanding = self._with_history(understand(question, self._tables), history)
        try:
            calculations = self._calculate(understanding)
        except (CalculatorError, KnowledgeError) as error:
            return Draft(headline=f"I couldn't run that calculation: {error}.", notes=("Try: " + _EXAMPLES,))
        similarity: Similarity | None = None
        if self._embeddings is not None:

            def similarity(text: str, sentences: list[str]) -> list[float]:
                return self._similarity(text, sentences, query_vector)

        quotes = best_sentences(question, passages, limit=2 if calculations else 3, similarity=similarity)
        phases = "; ".join(
            f"Phase {band.number} {band.name} from {'above ' if not band.includes_start else ''}${band.starts_at:,}"
            for band in self._tables.phases.bands()
        )
        return _compose(
            understanding, calculations, [Quote(heading, text) for heading, text in quotes], phases
        )

    def _with_history(self, understanding: Understanding, history: Sequence[Turn]) -> Understanding:
        """A follow-up ("and at 2B?", "what about on gpt-5?") reruns the last calculation with the new facts."""
        previous = next((turn for turn in reversed(history) if turn.calculations), None)
        if previous is None or understanding.intent is not Intent.GENERAL:
            return understanding
        new = understanding.facts
        if not (new.stated().keys() - {"unplaced"} or new.unplaced):
            return understanding
        before = understand(previous.question, self._tables)
        merged = replace(before.facts, unplaced=[])
        for item in fields(Facts):
            value = getattr(new, item.name)
            if item.name != "unplaced" and value is not None:
                setattr(merged, item.name, value)
        if new.unplaced:
            _set_primary(merged, before.intent, new.unplaced[0])
        return Understanding(before.intent, merged)

    def _calculate(self, understanding: Understanding) -> tuple[Calculation, ...]:
        facts, tables = understanding.facts, self._tables
        match understanding.intent:
            case Intent.PHASE:
                assert facts.spend is not None
                return (run_phase(facts.spend, tables),)
            case Intent.SAVINGS:
                return (
                    run_savings(
                        cache_hit_share=facts.cache_hit_share,
                        cache_hit_cost=facts.cache_hit_cost,
                        batch_share=facts.batch_share,
                        monthly_spend=facts.spend,
                    ),
                )
            case Intent.TOKENS:
                return (_usage(facts),)
            case Intent.COST:
                return self._cost(facts)
            case Intent.BREAKEVEN:
                return self._breakeven(facts)
            case _:
                return ()

    def _cost(self, facts: Facts) -> tuple[Calculation, ...]:
        steps: list[Calculation] = []
        input_tokens, output_tokens, total = facts.monthly_input, facts.monthly_output, facts.monthly_tokens
        if total is None:
            usage = _usage(facts)
            steps.append(usage)
            input_tokens, output_tokens = usage.result["input_tokens"], usage.result["output_tokens"]
            if not input_tokens or not output_tokens:
                total, input_tokens, output_tokens = usage.result["monthly_tokens"], None, None
        if facts.api_price_per_1k is not None:
            request = CostRequest(
                api_price_per_1k=facts.api_price_per_1k,
                tokens=total,
                input_tokens=input_tokens if total is None else None,
                output_tokens=output_tokens if total is None else None,
            )
        elif input_tokens is not None or output_tokens is not None:
            request = CostRequest(
                model=facts.model or DEFAULT_MODEL,
                input_tokens=input_tokens or Decimal(0),
                output_tokens=output_tokens or Decimal(0),
                cached_input_share=facts.cache_hit_share or Decimal(0),
                batch_share=facts.batch_share or Decimal(0),
            )
        else:
            request = CostRequest(
                model=facts.model or DEFAULT_MODEL, tokens=total, input_share=facts.input_share
            )
        cost = run_cost(request, self._tables)
        if facts.model is None and facts.api_price_per_1k is None:
            named = Assumption(
                "model",
                f"none named, so {DEFAULT_MODEL} (the guide: right for most tasks)",
                "default: guide, API-First Strategy",
            )
            cost = replace(cost, assumptions=(named, *cost.assumptions))
        steps.append(cost)
        return tuple(steps)

    def _breakeven(self, facts: Facts) -> tuple[Calculation, ...]:
        steps: list[Calculation] = []
        tokens = facts.monthly_tokens
        input_share = facts.input_share
        if tokens is None:
            usage = _usage(facts)
            steps.append(usage)
            tokens = usage.result["monthly_tokens"]
            if usage.result["input_tokens"] and usage.result["output_tokens"]:
                input_share = usage.result["input_tokens"] / tokens
        elif facts.monthly_input is not None and facts.monthly_output is not None and tokens:
            input_share = facts.monthly_input / tokens
        request = BreakEvenRequest(
            tokens=tokens,
            model=facts.model,
            api_price_per_1k=facts.api_price_per_1k if facts.model is None else None,
            input_share=input_share if facts.model is not None else None,
            gpu=facts.gpu,
            gpu_hourly=facts.gpu_hourly,
            tokens_per_gpu=facts.tokens_per_gpu,
            tokens_per_second=facts.tokens_per_second,
            utilisation=facts.utilisation,
            ops_hours=facts.ops_hours,
            engineers=facts.engineers or Decimal(0),
        )
        steps.append(run_breakeven(request, self._tables))
        return tuple(steps)


def _usage(facts: Facts) -> Calculation:
    if facts.interactions is not None and facts.users is None:
        per = facts.tokens_per_interaction
        return run_tokens(
            UsageRequest(
                users=facts.interactions,
                active_share=Decimal(1),
                days=Decimal(1),
                unit="queries",
                input_tokens=facts.input_per_interaction if per is None else per,
                output_tokens=facts.output_per_interaction if per is None else Decimal(0),
            )
        )
    if facts.users is None:
        raise CalculatorError("say how many users, queries or tokens a month, e.g. 10K MAU or 500M tokens")
    if facts.tokens_per_user_per_day is not None:
        return run_tokens(
            UsageRequest(
                users=facts.users,
                active_share=facts.active_share or Decimal(1),
                input_tokens=facts.tokens_per_user_per_day,
                output_tokens=Decimal(0),
            )
        )
    per = facts.tokens_per_interaction
    return run_tokens(
        UsageRequest(
            users=facts.users,
            active_share=facts.active_share,
            interactions_per_day=facts.interactions_per_day or Decimal(1),
            input_tokens=per if per is not None else facts.input_per_interaction,
            output_tokens=Decimal(0) if per is not None else facts.output_per_interaction,
        )
    )


def _set_primary(facts: Facts, intent: Intent, value: Decimal) -> None:
    """Put a bare follow-up amount where the previous question's main quantity was."""
    if intent is Intent.PHASE:
        facts.spend = value
    elif intent is Intent.TOKENS or (facts.monthly_tokens is None and facts.users is not None):
        facts.users = value
    elif intent is Intent.SAVINGS:
        facts.spend = value
    else:
        if facts.monthly_input is not None and facts.monthly_output is not None and facts.monthly_tokens:
            share = facts.monthly_input / facts.monthly_tokens
            facts.monthly_input, facts.monthly_output = value * share, value * (1 - share)
        facts.monthly_tokens = value


Similarity = Callable[[str, list[str]], list[float]]
"""Cosine similarity of a question to each of a list of sentences."""

_REFERENCE_LISTS = frozenset({"Sources", "Related Resources"})
"""Sections that list titles, not advice: retrieved like any other, never quoted as an answer."""
_PRONOUN_START = re.compile(r"^(This|That|It|These|They|Such|Both)\b")


def best_sentences(
    question: str, passages: Sequence[PassageLike], limit: int = 3, similarity: Similarity | None = None
) -> list[tuple[str, str]]:
    """The guide's sentences that best answer the question, as (section heading, sentence), best first.

    Scores each sentence of the top passages by the question words it shares, rarer words counting
    more (inverse document frequency over the candidate sentences), by its embedding similarity to
    the question when `similarity` is given, and by the passage's retrieval rank. A sentence that is
    itself a question (the guide's FAQ) is not quoted; the sentence that answers it inherits its
    match instead. A quote that starts with "This..." brings the sentence before it, and one that
    ends with a colon brings the lines it introduces.
    """
    terms = _terms(question)
    quotable = [passage for passage in passages[:4] if passage.section not in _REFERENCE_LISTS]
    per_passage = [(_heading(passage), _sentences(passage.text)) for passage in quotable]
    flat = [
        (rank, position, sentence)
        for rank, (_, sentences) in enumerate(per_passage)
        for position, sentence in enumerate(sentences)
    ]
    if not flat:
        return []
    words = [_terms(sentence) for _, _, sentence in flat]
    frequency: dict[str, int] = {}
    for found in words:
        for word in found:
            frequency[word] = frequency.get(word, 0) + 1
    semantic = (
        similarity(question, [sentence for _, _, sentence in flat]) if similarity else [0.0] * len(flat)
    )

    scored: list[tuple[float, int, int]] = []
    asked = 0.0
    for (rank, position, sentence), found, cosine in zip(flat, words, semantic, strict=True):
        own = sum(math.log(1 + len(flat) / frequency[term]) for term in terms & found) / (
            1 + len(found) ** 0.5 / 3
        )
        own += 4.0 * cosine
        if position == 0:
            asked = 0.0
        if sentence.endswith("?"):
            asked = own
            continue
        if len(found) >= 3:
            scored.append((own + 0.9 * asked + 1.0 / (1 + rank) - 0.01 * position, rank, position))
        asked = 0.0
    # Greedy pick with a penalty for a passage already quoted, so the quotes cover the question
    # from more than one place when more than one place answers it.
    picked: list[tuple[float, int, int]] = []
    remaining = sorted(scored, key=lambda item: (-item[0], item[1], item[2]))
    while remaining and len(picked) < limit:
        quoted = {rank for _, rank, _ in picked}
        best = max(
            remaining, key=lambda item: (item[0] - (0.5 if item[1] in quoted else 0.0), -item[1], -item[2])
        )
        picked.append(best)
        remaining.remove(best)
    chosen = sorted(picked, key=lambda item: (item[1], item[2]))
    quotes: list[tuple[str, str]] = []
    for _, rank, position in chosen:
        heading, sentences = per_passage[rank]
        start, end = position, position + 1
        if _PRONOUN_START.match(sentences[position]) and position > 0:
            start -= 1
        if sentences[position].endswith(":"):
            end = min(len(sentences), end + 5)  # the list it introduces, and the line that totals it
        while end < len(sentences) and end - start < 6 and _PRONOUN_START.match(sentences[end]):
            end += 1  # "These offer...": the next sentence goes on about this one
        text = " ".join(sentences[start:end])
        if not any(text in quoted or quoted in text for _, quoted in quotes):
            quotes.append((heading, text))
    return quotes


def _heading(passage: PassageLike) -> str:
    return passage.section + (f" > {passage.subsection}" if passage.subsection else "")


def _cosine(left: Sequence[float], right: Sequence[float]) -> float:
    dot = sum(a * b for a, b in zip(left, right, strict=True))
    norm = math.sqrt(sum(a * a for a in left)) * math.sqrt(sum(b * b for b in right))
    return dot / norm if norm else 0.0


def _sentences(text: str) -> list[str]:
    lines = [line.strip(" -") for line in text.splitlines() if line.strip(" -")]
    return [sentence.strip() for line in lines for sentence in _SENTENCE_END.split(line) if sentence.strip()]


def _terms(text: str) -> set[str]:
    words = re.findall(r"[a-z][a-z0-9-]+", text.lower())
    return {_stem(word) for word in words if word not in _STOPWORDS and len(word) > 2}


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


_EXAMPLES = (
    '"should we self-host at 500M tokens a month?", "we spend $30K a month, which phase are we in?", '
    '"what do 8M input and 2M output tokens cost on gpt-4o?" or "10K MAU, how many tokens?"'
)


def _compose(
    understanding: Understanding,
    calculations: Sequence[Calculation],
    quotes: list[Quote],
    phases: str = "",
) -> Draft:
    """The structured draft: the main calculation's summary (or the best quote) as headline."""
    notes: list[str] = []
    headline = ""
    asked_phase = Intent.PHASE in understanding.asked and bool(phases)
    if calculations:
        headline = calculations[-1].summary
    elif asked_phase:
        headline = (
            f'The guide\'s phases by monthly AI spend: {phases}. Tell me yours ("we spend $30K a month") '
            "and I'll place you and say what to do next."
        )
    elif quotes:
        headline = quotes[0].text
    if (
        not calculations
        and not asked_phase
        and understanding.intent is Intent.GENERAL
        and _wants_numbers(understanding)
    ):
        notes.append("Tell me your numbers and I'll run them, for example " + _EXAMPLES + ".")
    if not headline:
        headline = "I found nothing in the guide about that."
        notes = ["Try: " + _EXAMPLES]
    return Draft(
        headline=headline, calculations=tuple(calculations), quotes=tuple(quotes), notes=tuple(notes)
    )


def _wants_numbers(understanding: Understanding) -> bool:
    numeric = {Intent.BREAKEVEN, Intent.COST, Intent.PHASE, Intent.TOKENS, Intent.SAVINGS}
    return bool(understanding.facts.unplaced or understanding.facts.model or understanding.asked & numeric)
