"""The last line of defence for secrets: scrub configured secrets and token-shaped strings from text.

Every reply, log line and cached answer can pass through one `Scrubber`. It replaces each configured
secret (the OpenAI key, the Slack tokens and signing secret) and anything shaped like a credential
(Slack `xoxb-...`/`xapp-...` tokens, OpenAI `sk-...` keys, `Bearer <token>`, `key=<long value>`) with
`[redacted]`. Prices, model names and ordinary words that merely contain "sk" pass unchanged.

    scrubber = Scrubber([settings.openai_api_key.get_secret_value()])
    handler.addFilter(ScrubbingFilter(scrubber))
"""

import logging
import re
from collections.abc import Callable, Iterable

REDACTED = "[redacted]"

MIN_SECRET_LENGTH = 8
"""Shorter configured values are not treated as secrets: replacing "abc" everywhere would garble text."""

_TOKEN_SHAPES = re.compile(
    r"""
    (?<![A-Za-z0-9])(?:
        xox[abeprs]-[A-Za-z0-9-]{10,}                  # Slack bot, user, app-level and refresh tokens
      | xapp-[A-Za-z0-9-]{10,}                         # Slack app-level token
      | sk-(?:proj-|svcacct-|admin-|ant-)?[A-Za-z0-9_-]{16,}   # OpenAI-style keys
      | gh[pousr]_[A-Za-z0-9]{30,}                     # GitHub tokens
      | AKIA[0-9A-Z]{16}                               # AWS access key ids
    )
    """,
    re.VERBOSE,
)
"""Credentials recognisable by their prefix, wherever they appear."""

_BEARER = re.compile(r"(?i)\b(bearer\s+)(?=[A-Za-z0-9._~+/=-]*[0-9])[A-Za-z0-9._~+/=-]{8,}")
"""`Bearer <token>`; the token must hold a digit so "bearer instruments" stays prose."""

_ASSIGNED = re.compile(
    r"""(?ix)
    \b((?:api[_-]?key|access[_-]?token|secret|password|key|token)\s*[=:]\s*["']?)
    (?=[A-Za-z0-9+/_.=-]*[0-9])(?=[A-Za-z0-9+/_.=-]*[A-Za-z])   # a letter and a digit: a key, not a count
    [A-Za-z0-9+/_.=-]{16,}
    """
)
"""A long hex or base64 value after `key=`, `token=`, `api_key: ` and the like."""

_LEAD_IN_AT_END = re.compile(
    r"(?i)(?:^|(?<=\s))(?:bearer|\S*(?:key|token|secret|password)\s*[=:]?)\s*[\"']?$"
)
"""The end of a text that a secret may follow, so a stream must wait for the next word."""


class Scrubber:
    """Replaces configured secrets and token-shaped strings with `[redacted]`."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        """Remember the secrets to scrub.

        Args:
            secrets: Configured secret values; empty ones, None and values shorter than
                `MIN_SECRET_LENGTH` characters are ignored.
        """
        kept = {secret for secret in secrets if secret and len(secret) >= MIN_SECRET_LENGTH}
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted(kept, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        """`text` with every configured secret and token-shaped string replaced by `[redacted]`."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        text = _TOKEN_SHAPES.sub(REDACTED, text)
        text = _BEARER.sub(lambda match: match[1] + REDACTED, text)
        return _ASSIGNED.sub(lambda match: match[1] + REDACTED, text)

    def stream(self, write: Callable[[str], None]) -> "StreamScrubber":
        """A scrubber for text that arrives in pieces (a streamed reply), passing clean text to `write`."""
        return StreamScrubber(self, write)

    def __repr__(self) -> str:
        return f"Scrubber({len(self._secrets)} secrets)"


class StreamScrubber:
    """Scrubs text arriving in pieces: a secret split across two pieces is still caught.

    Text is passed on whole words at a time (up to the last whitespace), and a word that may
    introduce a secret ("Bearer", "key=") waits for the word after it. What is passed on, joined,
    is `scrub` of the whole text for every secret without whitespace in it.
    """

    def __init__(self, scrubber: Scrubber, write: Callable[[str], None]) -> None:
        self._scrubber = scrubber
        self._write = write
        self._pending = ""

    def write(self, text: str) -> None:
        """Take the next piece; pass on what can no longer be part of a secret."""
        self._pending += text
        cut = max(self._pending.rfind(" "), self._pending.rfind("\n"), self._pending.rfind("\t")) + 1
        lead_in = _LEAD_IN_AT_END.search(self._pending, 0, cut)
        if lead_in is not None:
            cut = lead_in.start()
        if cut > 0:
            ready, self._pending = self._pending[:cut], self._pending[cut:]
            self._write(self._scrubber.scrub(ready))

    def close(self) -> None:
        """Pass on the rest: the text is complete."""
        if self._pending:
            rest, self._pending = self._pending, ""
            self._write(self._scrubber.scrub(rest))


class ScrubbingFilter(logging.Filter):
    """A logging filter that scrubs each record's message, arguments and traceback text.

    Attach it to handlers (`handler.addFilter(...)`): a filter on a logger does not see records
    propagated from its children.
    """

    def __init__(self, scrubber: Scrubber) -> None:
        super().__init__()
        self._scrubber = scrubber

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record with its message already formatted and scrubbed; never drops it."""
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must still be logged, scrubbed
            message = f"{record.msg} {record.args}"
        record.msg = self._scrubber.scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._scrubber.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self._scrubber.scrub(record.stack_info)
        return True
