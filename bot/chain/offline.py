"""The offline answerer: no LLM, no network. Calculators for numbers, the guide's own sentences for the rest.

It is the default on a fresh machine and the fallback whenever the LLM fails (the guide: "degrade
gracefully, never hard-fail"). Each job has its own module: the plan (`plan`), running it
(`executor`), the answer (`compose`) and the quotes (`quotes`).
"""

import threading
from collections.abc import Sequence

from langchain_core.embeddings import Embeddings

from bot.chain.answer import Draft, Quote, Turn
from bot.chain.compose import clarify, compose, refused
from bot.chain.executor import execute
from bot.chain.plan import plan_question
from bot.chain.quotes import PassageLike, Similarity, best_sentences
from bot.chain.understanding import DEFAULT_MODEL
from knowledge.tables import Tables
from knowledge.text import cosine, split_sentences
from knowledge.vocabulary import vocabulary

__all__ = ["DEFAULT_MODEL", "OfflineAnswerer", "PassageLike", "best_sentences"]


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
        return [cosine(query, vector) for vector in vectors]

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
        sentences = [sentence for passage in passages for sentence in split_sentences(passage.text)]
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
        """Plan the calculator calls the question needs, run them, then quote the guide's most relevant sentences.

        Args:
            question: What the user asked.
            passages: Retrieved passages, best first.
            history: Earlier turns of the conversation, oldest first.
            query_vector: The question's embedding when the caller already has it (it is not embedded again).
        """
        plan = plan_question(question, history, self._tables)
        if plan.issues:
            return clarify(plan)
        if plan.error is not None:
            return refused(plan.error)
        outcome = execute(plan.calls, self._tables)
        if outcome.error is not None:
            return refused(outcome.error)
        similarity: Similarity | None = None
        if self._embeddings is not None:

            def similarity(text: str, sentences: list[str]) -> list[float]:
                return self._similarity(text, sentences, query_vector)

        calculations = outcome.calculations
        quotes = best_sentences(
            question,
            passages,
            limit=2 if calculations else 5,
            similarity=similarity,
            explain=not calculations,
            also=vocabulary().search_words(question),
        )
        phases = "; ".join(
            f"Phase {band.number} {band.name} from {'above ' if not band.includes_start else ''}${band.starts_at:,}"
            for band in self._tables.phases.bands()
        )
        return compose(plan, calculations, [Quote(heading, text) for heading, text in quotes], phases)
