"""Which of the guide's sentences answer a question: quote selection for every answer.

Sentences of the retrieved passages are scored by the question words they share (rarer words count
more), by their embedding similarity to the question, and by their passage's rank.
"""

import math
import re
from collections.abc import Callable, Sequence
from typing import Protocol

from knowledge.text import STOPWORDS, cosine, split_sentences, stem

__all__ = ["PassageLike", "Similarity", "best_sentences", "cosine", "section_title", "split_sentences"]


class PassageLike(Protocol):
    """A retrieved passage as the answerers read it, such as `knowledge.index.Passage`."""

    @property
    def section(self) -> str:
        """Top-level section title."""

    @property
    def subsection(self) -> str | None:
        """Sub-heading, if any."""

    @property
    def text(self) -> str:
        """The passage itself."""

    @property
    def score(self) -> float:
        """How close retrieval found it to the question."""


def section_title(passage: PassageLike) -> str:
    """The title to cite: "Section > Subsection", or just the section."""
    return passage.section + (f" > {passage.subsection}" if passage.subsection else "")


Similarity = Callable[[str, list[str]], list[float]]
"""Cosine similarity of a question to each of a list of sentences."""

_QUANTITY_QUESTION = re.compile(
    r"\bhow (much|many|long|big|often)\b|\bwhat (percentage|share|fraction)\b|\broughly\b"
)
_FIGURE = re.compile(r"\d")
_FIGURE_BONUS = 0.3
"""Added to a sentence with a figure in it when the question asks for a quantity ("how much does a cache save?")."""
_REFERENCE_LISTS = frozenset({"Sources", "Related Resources"})
"""Sections that list titles, not advice: retrieved like any other, never quoted as an answer."""
_ASKS_FOR_REFERENCES = re.compile(
    r"\b(sources?|references?|reading|links?|linked|cites?|cited|citations?|companion|catalog(ue)?|directory"
    r"|get (its|their|the) (\w+ ){1,3}from|(which|what) (month|date|year)|how (fresh|old|recent|current)|as of)\b"
)
"""A question about the guide's own references may quote its reference lists."""
_SHORT_CLAIM = 40
"""A quoted sentence this short ("Self-hosted breaks even.") brings the sentence before it."""
_BARE_CLAIM = 110
"""A general answer's quote this short brings the sentence after it, which usually says why."""
_PRONOUN_START = re.compile(r"^(This|That|It|These|They|Such|Both)\b")


def best_sentences(
    question: str,
    passages: Sequence[PassageLike],
    limit: int = 3,
    similarity: Similarity | None = None,
    *,
    explain: bool = False,
    also: str = "",
) -> list[tuple[str, str]]:
    """The guide's sentences that best answer the question, as (section heading, sentence), best first.

    Scores each sentence of the top passages by the question words it shares, rarer words counting
    more (inverse document frequency over the candidate sentences), by its embedding similarity to
    the question when `similarity` is given, and by the passage's retrieval rank. A sentence that is
    itself a question (the guide's FAQ) is not quoted; the sentence that answers it inherits its
    match instead. A quote that starts with "This..." or is a bare verdict brings the sentence before
    it, and one that ends with a colon brings the lines it introduces; with `explain` (answers with no
    calculation) a short claim also brings the sentence after it, which usually says why. The
    reference lists are quoted only when the question asks about the guide's sources.
    """
    terms = _terms(question) | _terms(also)  # `also`: the guide's words for what the question calls otherwise
    quantity = bool(_QUANTITY_QUESTION.search(question.lower()))
    wants_references = _ASKS_FOR_REFERENCES.search(question.lower()) is not None
    quotable = [
        passage for passage in passages[:4] if wants_references or passage.section not in _REFERENCE_LISTS
    ]
    per_passage = [(section_title(passage), split_sentences(passage.text)) for passage in quotable]
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
    for (rank, position, sentence), found, closeness in zip(flat, words, semantic, strict=True):
        own = sum(math.log(1 + len(flat) / frequency[term]) for term in terms & found) / (
            1 + len(found) ** 0.5 / 3
        )
        own += 4.0 * closeness
        if quantity and _FIGURE.search(sentence):
            own += _FIGURE_BONUS
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
        if position > 0 and (
            _PRONOUN_START.match(sentences[position]) or len(sentences[position]) < _SHORT_CLAIM
        ):
            start -= 1  # "Self-hosted breaks even." says little without the example before it
        if sentences[position].endswith(":"):
            end = min(len(sentences), end + 5)  # the list it introduces, and the line that totals it
        while end < len(sentences) and end - start < 6 and _PRONOUN_START.match(sentences[end]):
            end += 1  # "These offer...": the next sentence goes on about this one
        if explain and end < len(sentences) and end - start == 1 and len(sentences[start]) < _BARE_CLAIM:
            end += 1  # "many startups remain API-first." is a claim; the next sentence says why
        text = " ".join(sentences[start:end])
        if any(text in quoted for _, quoted in quotes):
            continue
        # A longer quote takes the place of the shorter ones it contains.
        quotes = [(where, quoted) for where, quoted in quotes if quoted not in text]
        quotes.append((heading, text))
    return quotes


def _terms(text: str) -> set[str]:
    words = re.findall(r"[a-z][a-z0-9-]+", text.lower())
    return {stem(word) for word in words if word not in STOPWORDS and len(word) > 2}
