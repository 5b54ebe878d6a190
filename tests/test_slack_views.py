"""Block Kit views: any answer fits Slack's limits, terminal text never reaches Slack, and mrkdwn is escaped.

Pure functions over data, checked with the same rules the fake Slack refuses by (tests/slack_limits.py).
"""

import json
import re
from decimal import Decimal as D
from typing import Any

import pytest
from slack_limits import MAX_MESSAGE_BLOCKS, MAX_VIEW_BLOCKS, block_errors

from bot.calculations.breakeven import BreakEvenRequest, run_breakeven
from bot.calculations.cost import CostRequest, run_cost
from bot.calculations.phase import run_phase
from bot.calculations.record import Calculation, Figure
from bot.calculations.savings import run_savings
from bot.calculations.usage import UsageRequest, run_tokens
from bot.chain.answer import Answer, Quote, Source
from bot.slack.views.answer import FEEDBACK_ACTION, answer_blocks, answer_notification, parse_feedback
from bot.slack.views.blocks import escape, split_text, truncate
from bot.slack.views.commands import breakeven_modal, calculation_blocks
from bot.slack.views.help import command_help_blocks, question_help_blocks
from bot.slack.views.home import home_view
from knowledge.tables import tables

CLI_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
"""A command-line option such as `--input-share`."""
FIXED_WIDTH = re.compile(r"\S {3,}\S|^ {2,}\S", re.MULTILINE)
"""Columns aligned with runs of spaces, as the terminal's tables are."""


def _calculations() -> tuple[Calculation, ...]:
    """Real calculator results whose flags name CLI options and whose details are fixed-width tables."""
    guide = tables()
    return (
        run_breakeven(BreakEvenRequest(tokens=D(2_500_000_000), model="gemini-2.5-pro"), guide),
        run_breakeven(BreakEvenRequest(tokens=D(500_000_000)), guide),
        run_cost(CostRequest(model="gpt-4o", tokens=D(10_000_000)), guide),
        run_phase(D(30_000), guide),
        run_savings(cache_hit_share=D("0.4"), batch_share=D("0.4"), monthly_spend=D(30_000)),
        run_tokens(UsageRequest(users=D(10_000))),
    )


def _answer(**fields: Any) -> Answer:
    base: dict[str, Any] = {
        "question": "should we self-host?",
        "headline": "At 500M tokens a month self-hosting breaks even.",
        "answer_id": "a" * 32,
        "sources": (Source("Cost Analysis Framework", None, 0.9, "guide"),),
    }
    return Answer(**(base | fields))


def _long_prose(paragraphs: int, words: int) -> str:
    return "\n\n".join(
        f"Paragraph {n}: " + " ".join(["cost & capacity <detail>"] * words) for n in range(paragraphs)
    )


ANSWERS = {
    "offline with every calculator": _answer(
        calculations=_calculations(),
        quotes=(
            Quote("Cost Analysis Framework", "Example: 500M monthly tokens API cost (GPT-4): $7,500/month"),
        ),
        notes=("Ask about another volume, e.g. 2B tokens a month.",),
    ),
    "llm prose of 100K characters": _answer(
        headline="Headline " + "very long & <odd> words " * 300, body=_long_prose(40, 100), mode="llm"
    ),
    "one unbroken word": _answer(headline="x" * 5000, body="y" * 50_000, mode="llm"),
    "sixty calculations": _answer(calculations=_calculations() * 10),
    "two hundred quotes": _answer(
        quotes=tuple(Quote(f"Section {n} & <more>", "A quoted sentence & <tag>. " * 20) for n in range(200)),
        sources=tuple(Source(f"Section {n}", f"Sub {n}", 0.5, "guide") for n in range(300)),
    ),
    "thirty notes and a long notice": _answer(
        notes=tuple(f"Note {n}: " + "try again " * 300 for n in range(30)),
        notice="The LLM was unavailable " + "(timeout) " * 500,
    ),
    "a figure table past 100 rows": _answer(
        calculations=(
            Calculation(
                tool="breakeven",
                inputs={},
                result={},
                summary="Many figures " * 400,
                figures=tuple(Figure(f"Label {n} " * 80, f"${n:,}.00 " * 80) for n in range(150)),
                caveats=tuple("A caveat " * 400 for _ in range(20)),
            ),
        )
    ),
}


@pytest.mark.parametrize("answer", ANSWERS.values(), ids=ANSWERS.keys())
@pytest.mark.parametrize("prose", [True, False], ids=["posted", "after-a-stream"])
def test_any_answer_fits_one_slack_message_with_its_feedback_buttons(answer: Answer, prose: bool) -> None:
    """However long or numerous its parts, an answer is blocks Slack accepts, ending with the feedback buttons."""
    blocks = answer_blocks(answer, prose=prose)
    assert block_errors(blocks) == []
    assert len(blocks) <= MAX_MESSAGE_BLOCKS
    assert sum(block["type"] == "table" for block in blocks) <= 1, "Slack allows one table a message"
    assert blocks[-1]["type"] == "context_actions"
    assert blocks[-1]["elements"][0]["action_id"] == FEEDBACK_ACTION
    assert 0 < len(answer_notification(answer)) <= 300


def test_a_shortened_answer_says_so_and_keeps_its_sources_and_buttons() -> None:
    """When an answer has to be cut to fit, the reader is told, and the sources and feedback stay at the end."""
    blocks = answer_blocks(ANSWERS["two hundred quotes"])
    assert len(blocks) == MAX_MESSAGE_BLOCKS
    assert "Shortened to fit" in json.dumps(blocks[-3])
    assert blocks[-2]["elements"][0]["text"].startswith("Sources: ")
    assert blocks[-1]["type"] == "context_actions"


def test_long_llm_prose_is_split_at_paragraphs_without_losing_any() -> None:
    """LLM prose longer than one markdown block continues in the next, from its first paragraph to its last."""
    answer = ANSWERS["llm prose of 100K characters"]
    pieces = [block["text"] for block in answer_blocks(answer) if block["type"] == "markdown"]
    assert len(pieces) > 1
    assert all(piece.startswith("Paragraph ") for piece in pieces)
    assert "\n\n".join(pieces) == answer.body


@pytest.mark.parametrize("answer", ANSWERS.values(), ids=ANSWERS.keys())
def test_terminal_text_never_reaches_slack(answer: Answer) -> None:
    """No CLI option (`--input-share`) and no fixed-width table line from the terminal report is in the blocks."""
    shown = "\n".join(_texts(answer_blocks(answer)))
    assert CLI_OPTION.findall(shown) == []
    assert FIXED_WIDTH.findall(shown) == []
    for calculation in answer.calculations:
        for line in (*calculation.details, *calculation.flags):
            assert line.strip() not in shown


@pytest.mark.parametrize("calculation", _calculations(), ids=lambda calculation: calculation.tool)
def test_slash_command_replies_carry_no_terminal_text_and_fit(calculation: Calculation) -> None:
    """A slash command's reply shows the summary, figures and short caveats, never CLI options or terminal tables."""
    for shared_by in (None, "U1"):
        blocks = calculation_blocks(calculation, command="/breakeven", text="500M", shared_by=shared_by)
        assert block_errors(blocks) == []
        shown = "\n".join(_texts(blocks))
        assert CLI_OPTION.findall(shown) == []
        assert FIXED_WIDTH.findall(shown) == []
        assert calculation.summary in shown


def test_the_flags_that_name_cli_options_reach_slack_as_their_short_caveats() -> None:
    """The break-even's blended-pricing flag (which says `--input-share`) is shown as its one-line caveat."""
    calculation = _calculations()[0]
    assert any("--input-share" in flag for flag in calculation.flags)
    shown = "\n".join(_texts(answer_blocks(_answer(calculations=(calculation,)))))
    for caveat in calculation.caveats:
        assert escape(caveat) in shown


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("R&D", "R&amp;D"),
        ("<@U123> and <!channel>", "&lt;@U123&gt; and &lt;!channel&gt;"),
        ("a < b > c", "a &lt; b &gt; c"),
        ("&amp;", "&amp;amp;"),
        ("*bold* _it_ `code` $7,500.00", "*bold* _it_ `code` $7,500.00"),
    ],
)
def test_mrkdwn_escapes_only_ampersand_and_angle_brackets(text: str, escaped: str) -> None:
    """Text shows literally in Slack: &, < and > are escaped, nothing else changes."""
    assert escape(text) == escaped


def test_answers_escape_mrkdwn_but_not_raw_text_or_markdown() -> None:
    """A headline, quote, note or caveat with & < > shows literally (no mention, no link); table cells and
    LLM Markdown are sent as they are, because Slack shows those literally already."""
    calculation = Calculation(
        tool="cost",
        inputs={},
        result={},
        summary="R&D <costs> > $5K",
        figures=(Figure("API & ops", "<$5K>"),),
        caveats=("Prices < list & > batch",),
    )
    answer = _answer(
        headline="Ping <!channel> & <@U999>",
        body="LLM **Markdown** with R&D",
        calculations=(calculation,),
        quotes=(Quote("Costs & <Savings>", "Spend < $10K & > $1K"),),
        notes=("Try <this> & that",),
    )
    blocks = answer_blocks(answer)
    mrkdwn = "\n".join(_texts([block for block in blocks if block["type"] in ("section", "context")]))
    for raw in ("<!channel>", "<@U999>", "<costs>", "<Savings>", "<this>", "< list"):
        assert raw not in mrkdwn
    for shown in ("&lt;!channel&gt; &amp; &lt;@U999&gt;", "R&amp;D &lt;costs&gt;", "Spend &lt; $10K &amp;"):
        assert shown in mrkdwn
    (table,) = [block for block in blocks if block["type"] == "table"]
    assert table["rows"][0] == [
        {"type": "raw_text", "text": "API & ops"},
        {"type": "raw_text", "text": "<$5K>"},
    ]
    (markdown,) = [block for block in blocks if block["type"] == "markdown"]
    assert markdown["text"] == "LLM **Markdown** with R&D"


def test_the_notification_text_is_escaped_too() -> None:
    """The plain `text` sent beside the blocks (notifications, screen readers) cannot ping or link either."""
    assert answer_notification(_answer(headline="Ping <!channel> & <@U999>")) == (
        "Ping &lt;!channel&gt; &amp; &lt;@U999&gt;"
    )


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("abc123:helpful", ("abc123", True)),
        ("abc123:not-helpful", ("abc123", False)),
        ("abc123:maybe", None),
        (":helpful", None),
        ("", None),
    ],
)
def test_feedback_values_are_read_back_only_when_they_are_ours(value: str, parsed: Any) -> None:
    """A feedback click is counted only when its value names an answer and a verdict."""
    assert parse_feedback(value) == parsed


def test_help_home_and_form_views_fit_their_surfaces() -> None:
    """Help, the Home tab and the /breakeven form are within Slack's limits, even with a very long problem."""
    assert block_errors(question_help_blocks()) == []
    for command in ("/breakeven", "/aicost", "/aiphase"):
        assert block_errors(command_help_blocks(command, "x" * 5000)) == []
    home = home_view(tables())
    assert block_errors(home["blocks"], max_blocks=MAX_VIEW_BLOCKS) == []
    modal = breakeven_modal("C1", error="y" * 5000)
    assert block_errors(modal["blocks"], max_blocks=MAX_VIEW_BLOCKS) == []


@pytest.mark.parametrize("limit", [10, 150, 3000])
def test_truncation_and_splitting_stay_within_the_limit(limit: int) -> None:
    """Cut text ends in an ellipsis within the limit; split text keeps every word."""
    text = "word " * 2000 + "x" * 5000
    assert len(truncate(text, limit)) <= limit
    assert truncate(text, limit).endswith("…")
    pieces = split_text(text, limit)
    assert all(0 < len(piece) <= limit for piece in pieces)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")


def _texts(value: Any) -> list[str]:
    """Every string shown to people in blocks (text and values), depth first."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _texts(item)]
    if isinstance(value, dict):
        return [
            text for key, item in value.items() if key not in ("value", "action_id") for text in _texts(item)
        ]
    return []
