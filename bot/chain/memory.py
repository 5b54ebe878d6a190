"""Conversation memory keyed by a conversation id (a Slack thread, a DM, a `chat` session)."""

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from bot.calculations.record import Calculation
from bot.chain.answer import Turn


class ConversationMemory:
    """The last few turns of each conversation, in SQLite so they survive a restart."""

    def __init__(self, path: Path, *, keep_turns: int = 6, clock: Callable[[], float] = time.time) -> None:
        self._path = path
        self._keep = keep_turns
        self._clock = clock
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS turns (conversation TEXT NOT NULL, at REAL NOT NULL, "
                "question TEXT NOT NULL, answer TEXT NOT NULL, calculations TEXT NOT NULL)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns (conversation, at)")

    def history(self, conversation_id: str) -> list[Turn]:
        """Earlier turns of this conversation, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT question, answer, calculations FROM turns WHERE conversation = ? ORDER BY at DESC, rowid DESC "
                "LIMIT ?",
                (conversation_id, self._keep),
            ).fetchall()
        return [
            Turn(question, answer, tuple(Calculation.from_json(item) for item in json.loads(calculations)))
            for question, answer, calculations in reversed(rows)
        ]

    def remember(self, conversation_id: str, turn: Turn) -> None:
        """Add a turn and forget the oldest beyond `keep_turns`."""
        calculations = json.dumps([item.to_json() for item in turn.calculations], default=str)
        with self._lock, self._connect() as db:
            db.execute(
                "INSERT INTO turns VALUES (?, ?, ?, ?, ?)",
                (conversation_id, self._clock(), turn.question, turn.answer, calculations),
            )
            db.execute(
                "DELETE FROM turns WHERE conversation = ? AND rowid NOT IN (SELECT rowid FROM turns WHERE "
                "conversation = ? ORDER BY at DESC, rowid DESC LIMIT ?)",
                (conversation_id, conversation_id, self._keep),
            )

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self._path, timeout=10)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            yield connection
            connection.commit()
        finally:
            connection.close()
