"""Conversation memory: the last few turns of each conversation, kept across restarts."""

from decimal import Decimal
from pathlib import Path

import pytest
from hand_clock import HandClock

from bot.calculations.record import Assumption, Calculation
from bot.chain.answer import Turn
from bot.chain.memory import ConversationMemory
from bot.database import Database


def turn(number: int) -> Turn:
    return Turn(f"question {number}", f"answer {number}")


@pytest.mark.parametrize(("asked", "kept"), [(0, []), (2, [0, 1]), (3, [0, 1, 2]), (7, [4, 5, 6])])
def test_history_keeps_the_latest_turns_oldest_first(database: Database, asked: int, kept: list[int]) -> None:
    """A follow-up sees at most `keep_turns` earlier turns, the most recent ones, in the order asked."""
    memory = ConversationMemory(database, keep_turns=3, clock=HandClock(1_000.0))
    for number in range(asked):
        memory.remember("C1:1.0", turn(number))
    assert memory.history("C1:1.0") == [turn(number) for number in kept]


def test_turns_at_the_same_moment_keep_their_order(database: Database) -> None:
    """Turns recorded within one clock tick still come back in the order they were added."""
    memory = ConversationMemory(database, keep_turns=2, clock=HandClock(1_000.0))
    for number in range(4):
        memory.remember("C1:1.0", turn(number))
    assert memory.history("C1:1.0") == [turn(2), turn(3)]


def test_conversations_are_separate(database: Database) -> None:
    """One thread's turns never appear in another's history, and trimming one leaves the other whole."""
    memory = ConversationMemory(database, keep_turns=2)
    memory.remember("C1:1.0", turn(1))
    for number in range(5):
        memory.remember("D2", turn(10 + number))
    assert memory.history("C1:1.0") == [turn(1)]
    assert memory.history("D2") == [turn(13), turn(14)]
    assert memory.history("unknown") == []


def test_turns_survive_a_restart_with_their_calculations(tmp_path: Path) -> None:
    """After a restart "and at 2B?" still sees the earlier turn, including its calculation."""
    calculation = Calculation(
        tool="cost",
        inputs={"model": "gpt-4o", "tokens": Decimal(500_000_000)},
        result={"monthly_cost": Decimal("2000.0000")},
        summary="About $2,000.00 a month.",
        assumptions=(Assumption("input share", "80%", "guide"),),
    )
    url = f"sqlite:///{tmp_path / 'advisor.sqlite3'}"
    with Database(url) as before:
        ConversationMemory(before).remember(
            "C1:1.0", Turn("500M tokens on gpt-4o?", "About $2,000.", (calculation,))
        )
    with Database(url) as after:
        (remembered,) = ConversationMemory(after).history("C1:1.0")
    assert remembered.question == "500M tokens on gpt-4o?"
    assert remembered.calculations[0].summary == calculation.summary
    assert remembered.calculations[0].assumptions == calculation.assumptions
    assert remembered.calculations[0].inputs["model"] == "gpt-4o"
