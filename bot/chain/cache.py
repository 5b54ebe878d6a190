"""Answers kept in the database and served again: exact repeats and paraphrases asking for the same numbers.

The guide's Step Four: request-level caching for identical queries, semantic caching for similar
ones. A question the advisor can plan (calculator calls with typed arguments) is keyed on its plan:
two wordings of the same facts share an answer, and two questions with different facts ("10K MAU"
and "10K DAU") never do. A question without a plan needs a close embedding *and* the same
"signature" - the quantities, model names and arithmetic qualifiers - because sentence embeddings
barely see numbers: "500M tokens a month" and "500K tokens a month" score 0.98.
"""

import json
import re
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Literal

import numpy as np
from langchain_core.embeddings import Embeddings
from sqlalchemy import delete, func, select

from bot.chain.answer import Answer, answer_from_record, answer_to_record
from bot.database import Database, cached_answers
from calculators.quantities import parse_quantity

CacheKind = Literal["exact", "semantic"]

_REMEMBERED_EMBEDDINGS = 64
"""Recent questions whose vectors are kept, so a miss followed by put embeds once (per thread too)."""


class AnswerCache:
    """Exact and semantic answer cache in the advisor's database, safe to share between threads."""

    def __init__(
        self,
        database: Database,
        embeddings: Embeddings,
        *,
        similarity: float = 0.92,
        clock: Callable[[], float] = time.time,
        max_age_seconds: float = 7 * 24 * 3600,
    ) -> None:
        """Cache answers in `database`.

        Args:
            database: the advisor's database.
            embeddings: embeds questions for the semantic lookup when the caller has no vector.
            similarity: the lowest cosine similarity that counts as the same question.
            clock: seconds since the epoch, like `time.time`.
            max_age_seconds: entries older than this are never served.
        """
        self._database = database
        self._embeddings = embeddings
        self._similarity = similarity
        self._clock = clock
        self._max_age = max_age_seconds
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        question: str,
        fingerprint: str,
        *,
        vector: Sequence[float] | None = None,
        plan: str | None = None,
    ) -> tuple[Answer, CacheKind] | None:
        """Find a fresh stored answer to this question under this fingerprint.

        Args:
            question: what the user asked.
            fingerprint: names the knowledge index and price tables the answer must come from.
            vector: the question's embedding, when the caller already has it (it is not embedded again).
            plan: the question's plan key (its calculator calls and arguments), when it has one: then
                an answer stored under the same plan is served, whatever the wording.

        Returns:
            The stored answer, re-addressed to `question`, with `cache` set and no tokens, cost
            or timings of its own (serving it spent none); and how it was found. None on a miss.
        """
        entries = cached_answers.c
        fresh = (entries.fingerprint == fingerprint) & (entries.stored_at >= self._clock() - self._max_age)
        with self._database.read() as connection:
            stored = connection.scalar(
                select(entries.answer).where(fresh, entries.normalised == normalise_question(question))
            )
            if stored is not None:
                return _served(stored, question, "exact"), "exact"
            if plan is not None:
                same_plan = connection.scalar(
                    select(entries.answer)
                    .where(fresh, entries.signature == _plan_signature(plan))
                    .order_by(entries.stored_at.desc())
                    .limit(1)
                )
                return (
                    (_served(same_plan, question, "semantic"), "semantic") if same_plan is not None else None
                )
            rows = connection.execute(
                select(entries.embedding, entries.answer).where(
                    fresh, entries.signature == question_signature(question)
                )
            ).all()
        if not rows:
            return None
        asked = self._vector(question, vector)
        best_score, best_answer = max(
            ((_cosine(asked, np.frombuffer(blob, dtype=np.float32)), answer) for blob, answer in rows),
            key=lambda pair: pair[0],
        )
        if best_score < self._similarity:
            return None
        return _served(best_answer, question, "semantic"), "semantic"

    def put(
        self,
        question: str,
        answer: Answer,
        fingerprint: str,
        *,
        vector: Sequence[float] | None = None,
        plan: str | None = None,
    ) -> None:
        """Store an answer, replacing any under the same normalised question and fingerprint.

        Entries past the maximum age are purged at the same time. Entries under other fingerprints
        are left to age out rather than deleted, so an offline CLI and an LLM bot sharing the
        database (different fingerprints) do not wipe each other's entries. Offline-fallback
        answers are not stored: they stand in for a failed LLM call, and a cached one would outlive
        the failure.

        Args:
            question: what the user asked.
            answer: the answer given.
            fingerprint: names the knowledge index and price tables the answer came from.
            vector: the question's embedding, when the caller already has it (it is not embedded again).
            plan: the question's plan key, when it has one (see `get`).
        """
        if answer.mode == "offline-fallback":
            return
        now = self._clock()
        embedding = self._vector(question, vector).astype(np.float32).tobytes()
        with self._database.write() as connection:
            connection.execute(delete(cached_answers).where(cached_answers.c.stored_at < now - self._max_age))
            self._database.upsert(
                connection,
                cached_answers,
                {
                    "fingerprint": fingerprint,
                    "normalised": normalise_question(question),
                    "question": question,
                    "signature": _plan_signature(plan) if plan is not None else question_signature(question),
                    "embedding": embedding,
                    "answer": json.dumps(answer_to_record(answer)),
                    "stored_at": now,
                },
            )

    def clear(self) -> int:
        """Delete every entry; returns how many there were."""
        with self._database.write() as connection:
            count = connection.scalar(select(func.count()).select_from(cached_answers)) or 0
            connection.execute(delete(cached_answers))
        return count

    def _vector(self, question: str, given: Sequence[float] | None) -> np.ndarray:
        """The question's vector: the caller's, a recent one, or embedded now and remembered."""
        if given is not None:
            return np.asarray(given, dtype=np.float32)
        with self._lock:
            vector = self._recent.get(question)
            if vector is not None:
                self._recent.move_to_end(question)
                return vector
        vector = np.asarray(self._embeddings.embed_query(question), dtype=np.float32)
        with self._lock:
            self._recent[question] = vector
            while len(self._recent) > _REMEMBERED_EMBEDDINGS:
                self._recent.popitem(last=False)
        return vector


def normalise_question(question: str) -> str:
    """The exact-cache key: case-folded, whitespace collapsed, trailing punctuation dropped."""
    folded = unicodedata.normalize("NFKC", question).casefold()
    return " ".join(folded.split()).rstrip("?!.,;: ")


# A model or GPU name: starts with a letter and holds a digit (gpt-4o, gpt-4.1, llama-3-70b, h100s).
_IDENTIFIER = re.compile(r"(?<!\w)[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*")
_QUANTITY = re.compile(
    r"(?<![\w.,])(?P<dollar>\$\s*)?"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s*(?P<suffix>[kmbt])(?![a-z])|\s+(?P<word>thousand|million|billion|trillion|bn)\b)?"
    r"(?P<unit>\s*%|\s+percent\b|\s+per\s*cent\b|\s*(?:dollars|usd)\b)?"
)
_SCALES = {"thousand": "K", "million": "M", "billion": "B", "bn": "B", "trillion": "T"}
_QUALIFIERS = {
    **dict.fromkeys(("day", "days", "daily"), "per-day"),
    **dict.fromkeys(("week", "weeks", "weekly"), "per-week"),
    **dict.fromkeys(("month", "months", "monthly", "mo"), "per-month"),
    **dict.fromkeys(("year", "years", "yearly", "annual", "annually", "annum", "yr"), "per-year"),
    **dict.fromkeys(("input", "prompt"), "input"),
    **dict.fromkeys(("output", "completion", "completions"), "output"),
    **dict.fromkeys(("batch", "batched", "batching"), "batch"),
    **dict.fromkeys(("cache", "cached", "caching"), "cache"),
}
"""Words that change the arithmetic but hardly move an embedding ("a month" vs "a year": 0.97)."""


def question_quantities(question: str) -> frozenset[str]:
    """The amounts a question mentions, normalised: "500M", "500 million" and "500,000,000" agree.

    Money is tagged "$" ("$30K" and "30000 dollars" agree), shares "%"; plain counts carry no tag.
    Digits inside names such as "gpt-4o" are not amounts.
    """
    text = _IDENTIFIER.sub(_blank_names, unicodedata.normalize("NFKC", question).casefold())
    found = set()
    for match in _QUANTITY.finditer(text):
        scale = match["suffix"] or _SCALES.get(match["word"] or "", "")
        value = parse_quantity(f"{match['number']}{scale}")
        unit = (match["unit"] or "").strip()
        tag = "%" if unit and unit[0] in "%p" else "$" if match["dollar"] or unit else ""
        found.add(f"{tag}{value.normalize():f}")
    return frozenset(found)


def _blank_names(match: re.Match[str]) -> str:
    return " " if any(char.isdigit() for char in match[0]) else match[0]


def _plan_signature(plan: str) -> str:
    """Plan keys and regex signatures share a column; the prefix keeps them apart."""
    return f"plan:{plan}"


def question_signature(question: str) -> str:
    """What two questions must share for one's answer to serve the other: amounts, names, qualifiers."""
    folded = unicodedata.normalize("NFKC", question).casefold()
    names = {
        name.removesuffix("s") for name in _IDENTIFIER.findall(folded) if any(char.isdigit() for char in name)
    }
    qualifiers = {_QUALIFIERS[word] for word in re.findall(r"[a-z]+", folded) if word in _QUALIFIERS}
    return " ".join(sorted(question_quantities(question)) + sorted(names) + sorted(qualifiers))


def _cosine(left: np.ndarray, right: np.ndarray) -> float:
    """Cosine similarity; vectors of another length (another model) never match."""
    if left.shape != right.shape:
        return -1.0
    norms = float(np.linalg.norm(left) * np.linalg.norm(right))
    return float(left @ right) / norms if norms else -1.0


def _served(stored: str, question: str, kind: CacheKind) -> Answer:
    """Rebuild a stored answer as served now: for `question`, from the cache, costing nothing."""
    return replace(
        answer_from_record(json.loads(stored)),
        question=question,
        cache=kind,
        timings={},
        tokens_in=0,
        tokens_out=0,
        cost=Decimal(0),
        conversation_id=None,
        answer_id="",
    )
