"""Feedback on answers: one vote per user per answer, the latest click wins, counted for `advisor stats`."""

import pytest
from hand_clock import HandClock

from bot.database import Database
from bot.feedback import FeedbackStore


@pytest.mark.parametrize(
    ("votes", "counts"),
    [
        ([], (0, 0)),
        ([("a1", "U1", True)], (1, 0)),
        ([("a1", "U1", True), ("a1", "U2", False), ("a2", "U1", True)], (2, 1)),
        ([("a1", "U1", True), ("a1", "U1", False)], (0, 1)),  # the user changed their mind
        ([("a1", "U1", False), ("a1", "U1", True), ("a1", "U1", True)], (1, 0)),  # clicked twice
    ],
)
def test_counts_keep_each_users_latest_vote(
    database: Database, votes: list[tuple[str, str, bool]], counts: tuple[int, int]
) -> None:
    """Each user counts once per answer, with their last click; different answers and users add up."""
    store = FeedbackStore(database)
    for answer_id, user_id, helpful in votes:
        store.record(answer_id, user_id, helpful)
    assert store.counts() == counts


def test_counts_since_a_moment(database: Database) -> None:
    """Counting from a moment on leaves out votes last changed before it."""
    clock = HandClock(1_000.0)
    store = FeedbackStore(database, clock=clock)
    store.record("a1", "U1", helpful=True)
    clock.now = 2_000.0
    store.record("a2", "U1", helpful=False)
    assert store.counts(since=1_500.0) == (0, 1)
    assert store.counts() == (1, 1)
