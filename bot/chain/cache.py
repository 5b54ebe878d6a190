"""Answers kept in SQLite and served again: exact repeats and paraphrases asking for the same numbers.

The guide's Step Four: request-level caching for identical queries, semantic caching for similar
ones. A semantic hit needs a close embedding *and* the same "signature" - the quantities, model
names and arithmetic qualifiers (a month or a year, input or output tokens) - because sentence
embeddings barely see numbers: "500M tokens a month" and "500K tokens a month" score 0.98.
"""

import json
import re
import sqlite3
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.calculations.record import Assumption, Calculation
from bot.chain.answer import Answer, Source
from calculators.quantities import parse_quantity

CacheKind = Literal["exact", "semantic"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cached_answers (
    fingerprint TEXT NOT NULL,
    normalised TEXT NOT NULL,
    question TEXT NOT NULL,
    signature TEXT NOT NULL,
    embedding BLOB NOT NULL,
    answer TEXT NOT NULL,
    stored_at REAL NOT NULL,
    PRIMARY KEY (fingerprint, normalised)
);
CREATE INDEX IF NOT EXISTS cached_answers_by_signature ON cached_answers (fingerprint, signature);
"""
_REMEMBERED_EMBEDDINGS = 64
"""Recent questions whose vectors are kept, so a miss followed by put embeds once (per thread too)."""


class AnswerCache:
    """Exact and semantic answer cache in one SQLite file, safe to share between threads."""

    def __init__(
        self,
        path: Path,
        embeddings: Embeddings,
        *,
        similarity: float = 0.92,
        clock: Callable[[], float] = time.time,
        max_age_seconds: float = 7 * 24 * 3600,
    ) -> None:
        """Open (or create) the cache file.

        Args:
            path: the SQLite file; its folder is created if missing.
            embeddings: embeds questions for the semantic lookup.
            similarity: the lowest cosine similarity that counts as the same question.
            clock: seconds since the epoch, like `time.time`.
            max_age_seconds: entries older than this are never served.
        """
        self._path = path
        self._embeddings = embeddings
        self._similarity = similarity
        self._clock = clock
        self._max_age = max_age_seconds
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    def get(self, question: str, fingerprint: str) -> tuple[Answer, CacheKind] | None:
        """Find a fresh stored answer to this question under this fingerprint.

        Args:
            question: what the user asked.
            fingerprint: names the knowledge index and price tables the answer must come from.

        Returns:
            The stored answer, re-addressed to `question`, with `cache` set and no tokens, cost
            or timings of its own (serving it spent none); and how it was found. None on a miss.
        """
        normalised = normalise_question(question)
        oldest = self._clock() - self._max_age
        with self._connect() as db:
            row = db.execute(
                "SELECT answer FROM cached_answers WHERE fingerprint = ? AND normalised = ? AND stored_at >= ?",
                (fingerprint, normalised, oldest),
            ).fetchone()
            if row is not None:
                return _served(row[0], question, "exact"), "exact"
            rows = db.execute(
                "SELECT embedding, answer FROM cached_answers "
                "WHERE fingerprint = ? AND signature = ? AND stored_at >= ?",
                (fingerprint, question_signature(question), oldest),
            ).fetchall()
        if not rows:
            return None
        vector = self._embed(question)
        best_score, best_answer = max(
            ((_cosine(vector, np.frombuffer(blob, dtype=np.float32)), answer) for blob, answer in rows),
            key=lambda pair: pair[0],
        )
        if best_score < self._similarity:
            return None
        return _served(best_answer, question, "semantic"), "semantic"

    def put(self, question: str, answer: Answer, fingerprint: str) -> None:
        """Store an answer, replacing any under the same normalised question and fingerprint.

        Entries past the maximum age are purged at the same time. Entries under other fingerprints
        are left to age out rather than deleted, so an offline CLI and an LLM bot sharing the file
        (different fingerprints) do not wipe each other's entries. Offline-fallback answers are
        not stored: they stand in for a failed LLM call, and a cached one would outlive the failure.
        """
        if answer.mode == "offline-fallback":
            return
        now = self._clock()
        vector = self._embed(question).astype(np.float32)
        with self._connect() as db:
            db.execute("DELETE FROM cached_answers WHERE stored_at < ?", (now - self._max_age,))
            db.execute(
                "INSERT OR REPLACE INTO cached_answers VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    fingerprint,
                    normalise_question(question),
                    question,
                    question_signature(question),
                    vector.tobytes(),
                    json.dumps(_stored(answer)),
                    now,
                ),
            )

    def clear(self) -> int:
        """Delete every entry; returns how many there were."""
        with self._connect() as db:
            return db.execute("DELETE FROM cached_answers").rowcount

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One connection per call, committed on success: threads never share a connection."""
        with closing(sqlite3.connect(self._path, timeout=30)) as db, db:
            yield db

    def _embed(self, question: str) -> np.ndarray:
        """The question's vector, from the recent ones when it was just embedded."""
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


def _stored(answer: Answer) -> dict[str, Any]:
    """The answer as JSON: its own `to_json()` plus calculations and cost in a lossless form."""
    return {
        "answer": answer.to_json(),
        "calculations": [_encode(vars(calculation)) for calculation in answer.calculations],
        "cost": str(answer.cost),
    }


def _served(stored: str, question: str, kind: CacheKind) -> Answer:
    """Rebuild a stored answer as served now: for `question`, from the cache, costing nothing."""
    data = json.loads(stored)
    answer = data["answer"]
    original = Answer(
        question=answer["question"],
        text=answer["answer"],
        calculations=tuple(_calculation(_decode(item)) for item in data["calculations"]),
        sources=tuple(Source(**source) for source in answer["sources"]),
        mode=answer["mode"],
        timings=answer["timings_ms"],
        tokens_in=answer["tokens_in"],
        tokens_out=answer["tokens_out"],
        cost=Decimal(data["cost"]),
        notice=answer["notice"],
        conversation_id=answer["conversation_id"],
    )
    return replace(
        original,
        question=question,
        cache=kind,
        timings={},
        tokens_in=0,
        tokens_out=0,
        cost=Decimal(0),
        conversation_id=None,
    )


def _calculation(fields: dict[str, Any]) -> Calculation:
    return Calculation(
        tool=fields["tool"],
        inputs=fields["inputs"],
        result=fields["result"],
        summary=fields["summary"],
        assumptions=tuple(Assumption(**item) for item in fields["assumptions"]),
        flags=tuple(fields["flags"]),
        details=tuple(fields["details"]),
    )


def _encode(value: Any) -> Any:
    """JSON that keeps Decimals and tuples; other non-JSON values are stored as their text."""
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(item) for item in value]}
    if isinstance(value, Assumption):
        return _encode(vars(value))
    if isinstance(value, dict):
        return {str(key): _encode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if value.keys() == {"$decimal"}:
            return Decimal(value["$decimal"])
        if value.keys() == {"$tuple"}:
            return tuple(_decode(item) for item in value["$tuple"])
        return {key: _decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value
