"""Text helpers shared by retrieval and quote selection: stop words, stemming, sentences, cosine.

One copy, so the keyword index (BM25 in `knowledge.index`) and the quotes an answer picks
(`bot.chain.quotes`) agree on what a word is: "hosting", "hosted" and "hosts" are all "host".
"""

import math
import re
from collections.abc import Sequence

# Question words ("how", "should", "we") would otherwise make the FAQ match every question.
_STOPWORD_TEXT = """a an the and or but if of to in on at for from by with about as into over under than then so
    is are was were be been being do does did done have has had having i we our ours us you your
    they their them it its this that these those there here what which who whom whose when where
    why how can could should would will shall may might must not no yes just still very really
    much many more most some any all each every own same other such only also too up down out off
    again once"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
"""Words that say nothing about a topic, left out of keyword matching."""

_SUFFIXES = ("ing", "ed", "es", "s")
_WORD = re.compile(r"[a-z0-9]+")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(A-Z0-9$])")
"""Where one sentence ends and the next begins: after . ! or ? and before a capital, digit, $ or quote."""


def stem(word: str) -> str:
    """A crude stem: "hosting", "hosted", "hosts" -> "host"; "caches" -> "cach"; short words kept."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def words(text: str) -> list[str]:
    """Lowercase words of `text` without stop words, stemmed (the keyword index's tokens)."""
    return [stem(word) for word in _WORD.findall(text.lower()) if word not in STOPWORDS]


def split_sentences(text: str) -> list[str]:
    """A passage's sentences, list items and lines each on their own."""
    lines = [line.strip(" -") for line in text.splitlines() if line.strip(" -")]
    return [sentence.strip() for line in lines for sentence in SENTENCE_END.split(line) if sentence.strip()]


def cosine(left: Sequence[float], right: Sequence[float]) -> float:
    """Cosine similarity of two vectors (0 when either is all zeros)."""
    dot = sum(a * b for a, b in zip(left, right, strict=True))
    norm = math.sqrt(sum(a * a for a in left)) * math.sqrt(sum(b * b for b in right))
    return dot / norm if norm else 0.0
