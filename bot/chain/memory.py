"""Conversation memory keyed by a conversation id (a Slack thread, a DM, a `chat` session)."""

import json
import time
from collections.abc import Callable

from sqlalchemy import delete, select

from bot.calculations.record import Calculation
from bot.chain.answer import Turn
from bot.database import Database, conversation_turns


class ConversationMemory:
    """The last few turns of each conversation, in the database so they survive a restart; thread-safe."""

    def __init__(
        self, database: Database, *, keep_turns: int = 6, clock: Callable[[], float] = time.time
    ) -> None:
        """Remember turns in `database`.

        Args:
            database: the advisor's database.
            keep_turns: how many recent turns of each conversation are kept.
            clock: seconds since the epoch, like `time.time`; orders the turns.
        """
        self._database = database
        self._keep = keep_turns
        self._clock = clock

    def history(self, conversation_id: str) -> list[Turn]:
        """Earlier turns of this conversation, oldest first."""
        turns = conversation_turns.c
        with self._database.read() as connection:
            rows = connection.execute(
                select(turns.question, turns.answer, turns.calculations)
                .where(turns.conversation == conversation_id)
                .order_by(turns.at.desc(), turns.id.desc())
                .limit(self._keep)
            ).all()
        return [
            Turn(question, answer, tuple(Calculation.from_json(item) for item in json.loads(calculations)))
            for question, answer, calculations in reversed(rows)
        ]

    def remember(self, conversation_id: str, turn: Turn) -> None:
        """Add a turn and forget the oldest beyond `keep_turns`."""
        turns = conversation_turns.c
        calculations = json.dumps([item.to_json() for item in turn.calculations], default=str)
        with self._database.write() as connection:
            connection.execute(
                conversation_turns.insert().values(
                    conversation=conversation_id,
                    at=self._clock(),
                    question=turn.question,
                    answer=turn.answer,
                    calculations=calculations,
                )
            )
            forgotten = connection.scalars(
                select(turns.id)
                .where(turns.conversation == conversation_id)
                .order_by(turns.at.desc(), turns.id.desc())
                .offset(self._keep)
            ).all()
            if forgotten:
                connection.execute(delete(conversation_turns).where(turns.id.in_(forgotten)))
