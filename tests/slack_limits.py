"""Slack's limits and refusals, as the fake Slack applies them (tests/slack_workspace.py).

`block_errors(blocks)` says why Slack would refuse a message's or view's blocks, in Slack's own
words, so a test can also check what a view function builds without posting it.
"""

from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
"""In a modal or the Home tab."""
MAX_TEXT = 40000
"""A message's `text`; longer is msg_too_long."""
MAX_STREAM_MARKDOWN = 12000
"""The markdown one chat.startStream/appendStream/stopStream call may add."""


class SlackError(Exception):
    """Slack's `ok: false` answer, raised inside a method."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []

    def body(self) -> dict[str, Any]:
        """The JSON Slack answers with, its validation messages included."""
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["errors"] = self.messages
            body["response_metadata"] = {"messages": [f"[ERROR] {m}" for m in self.messages]}
        return body


def block_errors(blocks: Any, *, max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[str]:
    """Why Slack would refuse these blocks (empty when it accepts them), in Slack's words.

    Args:
        blocks: A message's or view's `blocks`.
        max_blocks: 50 in a message, 100 in a modal or the Home tab.
    """
    if not isinstance(blocks, list):
        return ["must be an array [json-pointer:/blocks]"]
    errors = _count_error(blocks, max_blocks, "/blocks")
    for index, block in enumerate(blocks):
        at = f"/blocks/{index}"
        if not isinstance(block, dict) or not block.get("type"):
            errors.append(f"missing required field: type [json-pointer:{at}]")
        else:
            errors += _errors_in_block(block, at)
    return errors


def _errors_in_block(block: dict[str, Any], at: str) -> list[str]:
    kind = block["type"]
    if kind == "section":
        fields = block.get("fields") or []
        errors = _count_error(fields, 10, f"{at}/fields")
        if "text" in block or not fields:
            errors += _length_error(_text(block.get("text")), 3000, f"{at}/text/text")
        for index, field in enumerate(fields):
            errors += _length_error(_text(field), 2000, f"{at}/fields/{index}/text")
        return errors
    if kind == "header":
        return _length_error(_text(block.get("text")), 150, f"{at}/text/text")
    if kind == "markdown":
        return _length_error(block.get("text"), 12000, f"{at}/text")
    if kind in ("context", "actions"):
        return _count_error(block.get("elements") or [], 10 if kind == "context" else 25, f"{at}/elements")
    if kind == "table":
        rows = block.get("rows") or []
        errors = _count_error(rows, 100, f"{at}/rows")
        for index, row in enumerate(rows):
            errors += _count_error(row, 20, f"{at}/rows/{index}")
        return errors
    return []


def _text(element: Any) -> Any:
    return element.get("text") if isinstance(element, dict) else None


def _length_error(text: Any, limit: int, pointer: str) -> list[str]:
    size = len(text) if isinstance(text, str) else 0
    if size == 0:
        return [f"must be more than 0 characters [json-pointer:{pointer}]"]
    if size > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{pointer}]"]
    return []


def _count_error(items: Any, limit: int, pointer: str) -> list[str]:
    if isinstance(items, list) and len(items) > limit:
        return [f"no more than {limit} items allowed [json-pointer:{pointer}]"]
    return []


def check_message(params: dict[str, Any]) -> None:
    """Raise what Slack answers to a message with no content, too much text or invalid blocks."""
    text = params.get("text") or ""
    blocks = params.get("blocks")
    if not text and not blocks and not params.get("attachments"):
        raise SlackError("no_text")
    if len(text) > MAX_TEXT:
        raise SlackError("msg_too_long")
    errors = block_errors(blocks) if blocks is not None else []
    if errors:
        raise SlackError("invalid_blocks", errors)
