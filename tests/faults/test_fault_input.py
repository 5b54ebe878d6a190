"""Input that once gave a traceback or was silently ignored: now applied, or refused in one line with exit 2."""

import io
import json
import sys
from pathlib import Path

import pytest
from fault_helpers import OUR_USAGE, Advisor

CALCULATOR_REFUSALS = [
    (("breakeven", "--tokens", "500M", "--model", "gpt-4o", "--input-share", "NaN"), "--input-share"),
    (("breakeven", "--tokens", "500M", "--api-price", "999999999999T"), "--api-price"),
    (("breakeven", "--tokens", "500M", "--profile", "nope"), "nope"),
    (("breakeven", "--tokens", "500M", "--utilisation", "30%"), "--utilisation"),
    (("breakeven", "--tokens", "500M", "--input-share", "80%"), "--input-share"),
    (("breakeven", "--tokens", "500M", "--gpu-hourly", "2", "--gpu-monthly", "1963"), "--gpu-"),
]
"""Each once raised (InvalidOperation, StopIteration) or dropped the option without a word."""


@pytest.mark.parametrize(
    ("args", "names"), CALCULATOR_REFUSALS, ids=[" ".join(a[3:]) for a, _ in CALCULATOR_REFUSALS]
)
def test_calculator_options_are_applied_or_refused_never_dropped(
    advisor: Advisor, args: tuple[str, ...], names: str
) -> None:
    """A NaN or absurd amount, an unknown profile, or an option that cannot apply is one line naming it, exit 2."""
    run = advisor(*args)
    assert run.code == 2, run.out + run.err
    assert len(run.err_lines) == 1, run.err
    assert names in run.err_lines[0]
    assert run.out == ""


@pytest.mark.parametrize("top", ["999999999", "0", "-1", "101"])
def test_search_k_out_of_range_is_refused(advisor: Advisor, top: str) -> None:
    """`advisor search -k 999999999` (an OverflowError once) and -k 0 are one line saying the range, exit 2."""
    run = advisor("search", "-k", top, "when should we self-host?")
    assert run.code == 2
    assert run.err_lines == ["advisor search: -k must be a whole number from 1 to 100, e.g. -k 4"]


def test_ingest_of_an_empty_path_ingests_nothing(
    advisor: Advisor, fault_environment: Path, tmp_path: Path
) -> None:
    """`advisor ingest ""` (an unset shell variable) is refused instead of ingesting every file in the current folder."""
    (tmp_path / "private.md").write_text(OUR_USAGE, encoding="utf-8")
    run = advisor("ingest", "")
    assert run.code == 2
    assert run.err_lines == [
        "advisor ingest: a PATH is empty; name a file or folder, e.g. advisor ingest notes/usage.md"
    ]
    assert not fault_environment.exists()


def _binary_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_bytes_that_are_not_text_on_stdin_are_skipped_with_one_line(
    advisor: Advisor, monkeypatch: pytest.MonkeyPatch, ready_data: Path
) -> None:
    """`advisor ask --json -` skips a binary line with one line naming it, answers the others, and exits 2."""
    _binary_stdin(monkeypatch, b"\xff\xfe\x00binary\nwhat phase is $30K a month?\n")
    run = advisor("ask", "--json", "-")
    assert run.code == 2
    assert run.err_lines == ["advisor ask: line 1 of standard input is not UTF-8 text; skipped it"]
    (answer,) = [json.loads(line) for line in run.out.splitlines()]
    assert answer["question"] == "what phase is $30K a month?"


def test_chat_asks_again_after_a_line_that_is_not_text(
    advisor: Advisor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`advisor chat` given bytes that are not UTF-8 says so and keeps going instead of crashing."""
    _binary_stdin(monkeypatch, b"\xc3\x28 oops\nexit\n")
    run = advisor("chat")
    assert run.code == 0
    assert run.err_lines == ["advisor chat: that line is not UTF-8 text; type the question again"]
