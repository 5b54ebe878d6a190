"""Scrubbing secrets and token-shaped strings from replies, streams and log lines."""

import io
import logging

import pytest

from bot.secrets import REDACTED, Scrubber, ScrubbingFilter

OPENAI_KEY = "sk-test-CANARY-7f3a9c1e5b2d4068"
SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"
SCRUBBER = Scrubber([OPENAI_KEY, SIGNING_SECRET, "", None, "short"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Configured secrets, anywhere, even inside other words.
        (f"key {OPENAI_KEY}.", f"key {REDACTED}."),
        (f"sig={SIGNING_SECRET}", f"sig={REDACTED}"),
        (f"x{SIGNING_SECRET}x", f"x{REDACTED}x"),
        # Token shapes nobody configured.
        ("bot token xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx ok", f"bot token {REDACTED} ok"),
        ("user xoxp-1234567890-abcdefghij", f"user {REDACTED}"),
        ("app xapp-1-A0123456789-1234567890123-abcdef0123", f"app {REDACTED}"),
        ("sk-proj-AbCdEfGhIjKlMnOpQrStUv0123456789", REDACTED),
        ("(sk-abcdefghijklmnop1234)", f"({REDACTED})"),
        ("Authorization: Bearer abc.def-123_ghi", f"Authorization: Bearer {REDACTED}"),
        ("authorization: bearer eyJhbGciOiJIUzI1NiJ9.e30.x1", f"authorization: bearer {REDACTED}"),
        ("GET /v1?key=AIzaSyD4f9c1e5b2d40687f3a9c1e", f"GET /v1?key={REDACTED}"),
        ('api_key: "0123456789abcdef0123456789abcdef"', f'api_key: "{REDACTED}"'),
        ("token=ghp_0123456789abcdefABCDEF0123456789abcd", f"token={REDACTED}"),
        ("AKIAIOSFODNN7EXAMPLE leaked", f"{REDACTED} leaked"),
        # Text that must pass unchanged.
        ("Self-hosting costs $7,391.10 a month on 3 H100s.", None),
        ("gpt-4o, gpt-4o-mini, claude-sonnet-4-5 and text-embedding-3-small", None),
        ("risk-adjusted task-management disk-based whisk-free", None),
        ("sk- alone, sk-short, ask-me-anything", None),
        ("xoxo-hugs and xapp-ish", None),
        ("The bearer of bad news; bearer instruments are paper.", None),
        ("500M tokens=500000000; token: 12345678901234567890; key: value", None),
        ("tokens=2000000000 keyboard=qwertyuiopasdfghjkl", None),
        ("A short value such as 'short' is not treated as a secret.", None),
        ("", None),
    ],
)
def test_scrub_redacts_secrets_and_token_shapes_and_nothing_else(text: str, expected: str | None) -> None:
    """Every configured secret and credential-shaped string becomes [redacted]; prices and model names stay."""
    assert SCRUBBER.scrub(text) == (text if expected is None else expected)


SAMPLES = [
    f"Your key is {OPENAI_KEY} and the app token xapp-1-A0123456789-1234567890123-abcdef0123, ok?",
    "Sent Authorization: Bearer abc.def-123_ghi to https://x/?key=AIzaSyD4f9c1e5b2d40687f3a9c1e done",
    "Self-hosting costs $7,391.10 a month\non 3 H100s; gpt-4o stays cheaper below 492M tokens.",
]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("size", [1, 3, 7, 64])
def test_a_stream_in_any_pieces_is_scrubbed_like_the_whole_text(text: str, size: int) -> None:
    """A secret split across streamed pieces is still caught: the pieces passed on join to scrub(text)."""
    passed: list[str] = []
    stream = SCRUBBER.stream(passed.append)
    for start in range(0, len(text), size):
        stream.write(text[start : start + size])
    stream.close()
    assert "".join(passed) == SCRUBBER.scrub(text)
    assert all(OPENAI_KEY[:12] not in piece for piece in passed)


def test_the_log_filter_scrubs_messages_arguments_and_tracebacks() -> None:
    """A log line whose arguments or exception hold a secret is written with [redacted] in its place."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(ScrubbingFilter(SCRUBBER))
    logger = logging.getLogger("tests.secrets")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("calling with %s and %r", OPENAI_KEY, {"token": "xoxb-123456789012-abcdefghijkl"})
        try:
            raise RuntimeError(f"endpoint echoed Bearer {OPENAI_KEY}")
        except RuntimeError:
            logger.exception("LLM failed for $%s", "7,391.10")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    written = output.getvalue()
    assert OPENAI_KEY not in written
    assert "xoxb-1234" not in written
    assert f"WARNING calling with {REDACTED} and {{'token': '{REDACTED}'}}" in written
    assert "ERROR LLM failed for $7,391.10" in written
    assert f"RuntimeError: endpoint echoed Bearer {REDACTED}" in written
