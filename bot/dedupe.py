"""Work done once: Slack retries and duplicate deliveries of an event never produce a second answer.

A key (a Slack `event_id`) is claimed by inserting it under a unique constraint, so exactly one
claim wins across threads, processes and restarts; a read-then-write could let two through.
"""

import time
from collections.abc import Callable

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.database import Database, processed_events

_PRUNES_PER_TTL = 24
"""How often old keys are deleted, as a fraction of their lifetime (hourly for a day)."""


class DedupeStore:
    """Keys claimed in the database, forgotten after `ttl_seconds`; safe to share between threads."""

    def __init__(
        self,
        database: Database,
        *,
        clock: Callable[[], float] = time.time,
        ttl_seconds: float = 24 * 3600,
    ) -> None:
        """Claim keys in `database`.

        Args:
            database: where claimed keys are kept.
            clock: seconds since the epoch, like `time.time`.
            ttl_seconds: how long a key is remembered; Slack stops retrying within minutes.
        """
        self._database = database
        self._clock = clock
        self._ttl = ttl_seconds
        self._next_prune = float("-inf")

    def claim(self, key: str) -> bool:
        """True the first time `key` is claimed (within its lifetime), False every time after."""
        now = self._clock()
        if now >= self._next_prune:
            self._next_prune = now + self._ttl / _PRUNES_PER_TTL
            self.prune()
        try:
            with self._database.write() as connection:
                connection.execute(processed_events.insert().values(key=key, claimed_at=now))
        except IntegrityError:
            return False
        return True

    def prune(self) -> int:
        """Forget keys claimed more than `ttl_seconds` ago; returns how many."""
        cutoff = self._clock() - self._ttl
        with self._database.write() as connection:
            return connection.execute(
                delete(processed_events).where(processed_events.c.claimed_at < cutoff)
            ).rowcount
