"""Block Kit pieces that keep Slack's limits whatever the text: escaping, splitting, truncating."""

from collections.abc import Iterable
from typing import Any

Block = dict[str, Any]

MAX_BLOCKS = 50
"""Blocks in one message (100 in modals and the Home tab)."""
SECTION_LIMIT = 3000
"""Characters in a section's text."""
FIELD_LIMIT = 2000
"""Characters in a context element or a section field."""
HEADER_LIMIT = 150
MARKDOWN_LIMIT = 12000
"""Characters in a `markdown` block."""
TABLE_ROWS = 100
CONTEXT_ELEMENTS = 10


def escape(text: str) -> str:
    """Text as mrkdwn shows it literally: Slack escapes only &, < and >."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word and ending in an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, split at paragraph, line, then word boundaries."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def section(text: str) -> Block:
    """A mrkdwn section; `text` must already be escaped, and is truncated to the section limit."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_LIMIT)}}


def sections(text: str) -> list[Block]:
    """As many sections as a long mrkdwn text needs."""
    return [section(piece) for piece in split_text(text, SECTION_LIMIT)]


def markdown(text: str) -> list[Block]:
    """Standard Markdown (an LLM's prose) in `markdown` blocks, split at Slack's limit."""
    return [{"type": "markdown", "text": piece} for piece in split_text(text, MARKDOWN_LIMIT)]


def header(text: str) -> Block:
    """A plain-text header, truncated to 150 characters."""
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(text, HEADER_LIMIT)}}


def context(lines: Iterable[str]) -> Block:
    """A context block of mrkdwn lines (escaped already), at most ten, each within its limit."""
    elements = [{"type": "mrkdwn", "text": truncate(line, FIELD_LIMIT)} for line in lines if line]
    return {"type": "context", "elements": elements[:CONTEXT_ELEMENTS]}


def table(rows: list[tuple[str, str]]) -> Block:
    """A two-column table of label and value, in raw text (no escaping needed)."""
    return {
        "type": "table",
        "column_settings": [{"is_wrapped": True}, {"align": "right"}],
        "rows": [
            [
                {"type": "raw_text", "text": truncate(label, 500)},
                {"type": "raw_text", "text": truncate(value, 500)},
            ]
            for label, value in rows[:TABLE_ROWS]
        ],
    }


def fit(blocks: list[Block], tail: list[Block], *, limit: int = MAX_BLOCKS) -> list[Block]:
    """`blocks` then `tail`, dropping blocks from the end of `blocks` (with a note) to stay within `limit`."""
    if len(blocks) + len(tail) <= limit:
        return blocks + tail
    kept = blocks[: limit - len(tail) - 1]
    note = context(["_Shortened to fit one Slack message; ask a narrower question for the rest._"])
    return [*kept, note, *tail]
