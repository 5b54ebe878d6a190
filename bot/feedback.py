"""Helpful / not-helpful votes on answers, from the buttons under each Slack answer."""

import time
from collections.abc import Callable

from sqlalchemy import func, select

from bot.database import Database, feedback


class FeedbackStore:
    """One vote per user per answer, the latest click winning; safe to share between threads."""

    def __init__(self, database: Database, *, clock: Callable[[], float] = time.time) -> None:
        """Store votes in `database`; `clock` (seconds since the epoch) stamps each vote."""
        self._database = database
        self._clock = clock

    def record(self, answer_id: str, user_id: str, helpful: bool) -> None:
        """Keep a user's vote on an answer, replacing the vote they gave it before."""
        with self._database.write() as connection:
            self._database.upsert(
                connection,
                feedback,
                {"answer_id": answer_id, "user_id": user_id, "helpful": helpful, "at": self._clock()},
            )

    def counts(self, since: float | None = None) -> tuple[int, int]:
        """How many votes say helpful and how many not helpful; with `since`, votes cast from then on."""
        query = select(feedback.c.helpful, func.count()).group_by(feedback.c.helpful)
        if since is not None:
            query = query.where(feedback.c.at >= since)
        with self._database.read() as connection:
            by_vote = {bool(helpful): count for helpful, count in connection.execute(query)}
        return by_vote.get(True, 0), by_vote.get(False, 0)
