"""Split documents into section-aware passages small enough to embed and quote.

A chunk never crosses a top-level section (``#`` or ``##``) nor a sub-heading (``###`` and
deeper); long sections are split on paragraph boundaries, and a paragraph longer than a chunk on
sentence boundaries. Each chunk's text opens with its heading path ("Section > Subsection") so the
section title is embedded and keyword-matched together with the words under it.
"""

import hashlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.errors import SourceNotFoundError, UnreadableFileError, UnsupportedFileError
from knowledge.text import SENTENCE_END

MAX_WORDS = 80
"""Default upper bound on a chunk's body, in words: the guide's chunks come out at 20-80 words
(median 57), which retrieved best on tests/data/retrieval_questions.yml (see bench/retrieval.py)."""

CHUNKER_VERSION = "2"
"""Bumped whenever a change here would cut the same text differently."""

SUPPORTED_SUFFIXES = (".md", ".txt")
"""Kinds of user file that can be chunked."""

_PATH_SEPARATOR = " > "
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)(?:\s+#+)?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.*)$")
_CONTENTS_LABEL = re.compile(r"^(?:table of )?contents:?$", re.IGNORECASE)


@dataclass(frozen=True)
class Chunk:
    """One passage of a document, with where it sits in that document."""

    source: str
    """Where the text comes from: "guide" for the bundled guide, else the ingested file's path."""
    section: str
    """Title of the top-level section the passage belongs to (the file name when there is none)."""
    subsection: str | None
    """Title of the sub-heading the passage sits under, if any."""
    text: str
    """The heading path, a blank line, then the passage itself: the text that gets embedded."""
    position: int
    """Order of the chunk within its source, from 0."""

    @property
    def heading_path(self) -> str:
        """ "Section > Subsection", or just the section."""
        return heading_path(self.section, self.subsection)

    @property
    def body(self) -> str:
        """The passage without its heading path."""
        prefix = self.heading_path + "\n\n"
        return self.text.removeprefix(prefix)

    @property
    def content_hash(self) -> str:
        """SHA-256 of source, section, subsection and text: changes when anything embedded changes."""
        parts = (self.source, self.section, self.subsection or "", self.text)
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()

    @property
    def id(self) -> str:
        """Stable identifier derived from the content, so an unchanged chunk keeps its id when others move."""
        return self.content_hash[:32]


@dataclass
class _Block:
    """The paragraphs under one heading, before they are packed into chunks."""

    section: str
    subsection: str | None
    paragraphs: list[str] = field(default_factory=list)


def heading_path(section: str, subsection: str | None) -> str:
    """Join a section and optional subsection the way chunk texts begin."""
    return section if subsection is None else f"{section}{_PATH_SEPARATOR}{subsection}"


def chunk_markdown(
    text: str, source: str, *, max_words: int = MAX_WORDS, default_section: str | None = None
) -> list[Chunk]:
    """Chunk a Markdown document along its headings.

    Args:
        text: the Markdown.
        source: recorded on every chunk ("guide", or a file path).
        max_words: upper bound on a chunk's body; sections are split near equal parts below it.
        default_section: section name for text before the first heading (defaults to ``source``).

    Returns:
        Chunks in document order, without exact duplicates and without a table of contents.
    """
    blocks = _markdown_blocks(text, default_section or source)
    titles = {block.section for block in blocks} | {b.subsection for b in blocks if b.subsection}
    for block in blocks:
        block.paragraphs = [p for p in block.paragraphs if not _is_table_of_contents(p, titles)]
    return _chunks_from_blocks(blocks, source, max_words)


def chunk_plain_text(text: str, source: str, section: str, *, max_words: int = MAX_WORDS) -> list[Chunk]:
    """Chunk text without headings: one section, split on blank lines.

    Args:
        text: the text.
        source: recorded on every chunk.
        section: the section name every chunk gets (for files, the file name without suffix).
        max_words: upper bound on a chunk's body.
    """
    block = _Block(section=section, subsection=None, paragraphs=list(_paragraphs(text.splitlines())))
    return _chunks_from_blocks([block], source, max_words)


def chunk_text_file(path: Path, *, source: str | None = None, max_words: int = MAX_WORDS) -> list[Chunk]:
    """Read a user's .md or .txt file and chunk it.

    Markdown is split along its headings; plain text (and Markdown without headings) becomes one
    section named after the file.

    Args:
        path: the file.
        source: recorded on every chunk; defaults to the file's resolved path.
        max_words: upper bound on a chunk's body.

    Raises:
        SourceNotFoundError: the file does not exist.
        UnsupportedFileError: the suffix is neither .md nor .txt.
        UnreadableFileError: the file is not UTF-8 text.
    """
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise UnsupportedFileError(
            f"{path}: cannot ingest {path.suffix or 'a file without suffix'}; use .md or .txt"
        )
    if not path.is_file():
        raise SourceNotFoundError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableFileError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from error
    source = source or str(path.resolve())
    if path.suffix.lower() == ".md":
        return chunk_markdown(text, source, max_words=max_words, default_section=path.stem)
    return chunk_plain_text(text, source, path.stem, max_words=max_words)


def _markdown_blocks(text: str, default_section: str) -> list[_Block]:
    """Group paragraphs under the heading they follow; code fences are not scanned for headings."""
    blocks: list[_Block] = [_Block(section=default_section, subsection=None)]
    pending: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading is None:
            pending.append(line)
            continue
        blocks[-1].paragraphs.extend(_paragraphs(pending))
        pending = []
        level, title = len(heading.group(1)), heading.group(2).strip()
        section = title if level <= 2 else blocks[-1].section
        blocks.append(_Block(section=section, subsection=title if level > 2 else None))
    blocks[-1].paragraphs.extend(_paragraphs(pending))
    return [block for block in blocks if block.paragraphs]


def _paragraphs(lines: list[str]) -> Iterator[str]:
    """Blank-line separated paragraphs, each with its lines kept as written."""
    current: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.rstrip())
        elif current:
            yield "\n".join(current)
            current = []


def _is_table_of_contents(paragraph: str, titles: set[str]) -> bool:
    """True for a "Contents" label, or a list whose every item is a heading of the same document."""
    if _CONTENTS_LABEL.match(paragraph.strip()):
        return True
    items = [_LIST_ITEM.match(line) for line in paragraph.splitlines()]
    return len(items) >= 2 and all(item is not None and item.group(1).strip() in titles for item in items)


def _chunks_from_blocks(blocks: list[_Block], source: str, max_words: int) -> list[Chunk]:
    """Pack each block's paragraphs into chunks, numbering them and dropping exact repeats."""
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for block in blocks:
        prefix = heading_path(block.section, block.subsection)
        for body in _pack(block.paragraphs, max_words):
            chunk = Chunk(source, block.section, block.subsection, f"{prefix}\n\n{body}", len(chunks))
            if chunk.content_hash not in seen:
                seen.add(chunk.content_hash)
                chunks.append(chunk)
    return chunks


def _word_count(text: str) -> int:
    return len(text.split())


def _pieces(paragraphs: list[str], max_words: int) -> list[tuple[str, bool]]:
    """Paragraphs as (text, starts_paragraph); a paragraph longer than a chunk comes as its sentences."""
    pieces: list[tuple[str, bool]] = []
    for paragraph in paragraphs:
        if _word_count(paragraph) <= max_words:
            pieces.append((paragraph, True))
            continue
        sentences = SENTENCE_END.split(paragraph)
        pieces.extend((sentence, index == 0) for index, sentence in enumerate(sentences))
    return pieces


def _pack(paragraphs: list[str], max_words: int) -> list[str]:
    """Join paragraphs into bodies of near-equal size, each at most ``max_words`` where possible.

    The block is cut into ceil(words / max_words) shares; the cut points are the ones that keep the
    bodies closest to that share (least squares), so no body is left with a stray sentence.
    """
    pieces = _pieces(_keep_introductions(paragraphs), max_words)
    sizes = [_word_count(text) for text, _ in pieces]
    total = sum(sizes)
    if total == 0:
        return []
    target = total / math.ceil(total / max_words)
    # cost[j]: least cost of cutting pieces[:j]; cut[j]: where the last body of that best cut starts.
    cost = [0.0] + [math.inf] * len(pieces)
    cut = [0] * (len(pieces) + 1)
    for end in range(1, len(pieces) + 1):
        words = 0
        for start in range(end - 1, -1, -1):
            words += sizes[start]
            if words > max_words and start < end - 1:
                break
            candidate = cost[start] + (words - target) ** 2
            if candidate < cost[end]:
                cost[end], cut[end] = candidate, start
    bounds: list[tuple[int, int]] = []
    end = len(pieces)
    while end > 0:
        bounds.append((cut[end], end))
        end = cut[end]
    return [_join(pieces[start:end]) for start, end in reversed(bounds)]


def _keep_introductions(paragraphs: list[str]) -> list[str]:
    """Glue a paragraph that ends with a colon to what it introduces, so no chunk ends mid-thought."""
    kept: list[str] = []
    for paragraph in paragraphs:
        if kept and kept[-1].rstrip().endswith(":"):
            kept[-1] = f"{kept[-1]}\n\n{paragraph}"
        else:
            kept.append(paragraph)
    return kept


def _join(pieces: list[tuple[str, bool]]) -> str:
    """Paragraphs joined by a blank line, sentences of one paragraph by a space."""
    body = pieces[0][0]
    for text, starts_paragraph in pieces[1:]:
        body += ("\n\n" if starts_paragraph else " ") + text
    return body
