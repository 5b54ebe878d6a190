"""The spend ledger: amounts per provider and month (or day), in the advisor's database.

Entries typed by a person (`advisor spend add`, `/aispend`) each get their own row. Rows from a
file, a provider's cost endpoint or the advisor's own usage records carry an identity,
`provider:day` (or `provider:month`), and replace the row with the same identity: importing the
same file twice, or a file and a poll covering the same days, never counts a day twice.
"""

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, delete, select, update

from bot.database import Database, spend_entries, spend_imports
from bot.spend.errors import UnknownEntryError
from bot.spend.money import check_amount, month_of


@dataclass(frozen=True)
class SpendRow:
    """One amount an import, a poll or the usage records bring, with the identity that dedupes it."""

    provider: str
    month: str
    """YYYY-MM."""
    day: dt.date | None
    """The day the spend accrued; None for a whole-month figure."""
    amount: Decimal
    tokens: int | None = None

    @property
    def row_key(self) -> str:
        """`openai:2026-11-03` or `openai:2026-11`: a newer figure for the same key replaces the older."""
        return f"{self.provider}:{self.day.isoformat() if self.day else self.month}"


@dataclass(frozen=True)
class SpendEntry:
    """One row of the ledger."""

    id: int
    provider: str
    month: str
    day: dt.date | None
    amount: Decimal
    tokens: int | None
    source: str
    """manual, csv, openai, anthropic, poll-openai, poll-anthropic or advisor."""
    recorded_by: str | None
    recorded_at: float


@dataclass(frozen=True)
class ImportResult:
    """What an import did: rows added, replaced with a new figure, or already there unchanged."""

    added: int
    replaced: int
    unchanged: int
    already_imported: bool = False
    """The very same file was imported before (nothing changed this time)."""


class SpendLedger:
    """Reads and writes the ledger; each write is one transaction. Safe to share between threads."""

    def __init__(self, database: Database, *, clock: Callable[[], float] = time.time) -> None:
        """Keep the ledger in `database`; `clock` (seconds since the epoch) stamps each write."""
        self._database = database
        self._clock = clock

    def add(
        self,
        amount: Decimal,
        provider: str,
        month: str,
        *,
        day: dt.date | None = None,
        tokens: int | None = None,
        recorded_by: str | None = None,
    ) -> SpendEntry:
        """Record an amount a person typed; returns the new entry (with its id for fix and delete)."""
        check_amount(amount, amount)
        values = {
            "row_key": f"manual:{uuid.uuid4().hex}",
            "provider": provider,
            "month": month_of(day) if day else month,
            "day": day.isoformat() if day else None,
            "amount": str(amount),
            "tokens": tokens,
            "source": "manual",
            "recorded_by": recorded_by,
            "recorded_at": self._clock(),
        }
        with self._database.write() as connection:
            inserted = connection.execute(spend_entries.insert().values(values)).inserted_primary_key
            assert inserted is not None
            new_id = inserted[0]
            return _entry(connection, int(new_id))

    def fix(
        self, entry_id: int, amount: Decimal, *, recorded_by: str | None = None
    ) -> tuple[Decimal, SpendEntry]:
        """Change an entry's amount; returns the old amount and the entry as it is now.

        Raises:
            UnknownEntryError: no entry has that id.
        """
        check_amount(amount, amount)
        with self._database.write() as connection:
            old = _entry(connection, entry_id)
            connection.execute(
                update(spend_entries)
                .where(spend_entries.c.id == entry_id)
                .values(amount=str(amount), recorded_by=recorded_by, recorded_at=self._clock())
            )
            return old.amount, _entry(connection, entry_id)

    def delete(self, entry_id: int) -> SpendEntry:
        """Remove an entry; returns it.

        Raises:
            UnknownEntryError: no entry has that id.
        """
        with self._database.write() as connection:
            old = _entry(connection, entry_id)
            connection.execute(delete(spend_entries).where(spend_entries.c.id == entry_id))
            return old

    def entries(self, month: str | None = None) -> list[SpendEntry]:
        """Every entry (of one YYYY-MM month if given), by month, day and id."""
        query = select(spend_entries)
        if month is not None:
            query = query.where(spend_entries.c.month == month)
        query = query.order_by(spend_entries.c.month, spend_entries.c.day, spend_entries.c.id)
        with self._database.read() as connection:
            return [_from_row(row) for row in connection.execute(query).mappings()]

    def upsert(
        self, rows: Iterable[SpendRow], *, source: str, recorded_by: str | None = None
    ) -> ImportResult:
        """Add rows, replacing those with the same identity, in one transaction."""
        with self._database.write() as connection:
            return self._upsert(connection, list(rows), source, recorded_by)

    def import_file(
        self,
        rows: Sequence[SpendRow],
        *,
        sha256: str,
        name: str,
        source: str,
        recorded_by: str | None = None,
    ) -> ImportResult:
        """All rows of one file and the file's own record, in one transaction (all or nothing)."""
        with self._database.write() as connection:
            seen = connection.execute(
                select(spend_imports.c.sha256).where(spend_imports.c.sha256 == sha256)
            ).first()
            result = self._upsert(connection, list(rows), source, recorded_by)
            if seen is None:
                connection.execute(
                    spend_imports.insert().values(
                        sha256=sha256, name=name, format=source, rows=len(rows), imported_at=self._clock()
                    )
                )
            return ImportResult(
                result.added, result.replaced, result.unchanged, already_imported=seen is not None
            )

    def _upsert(
        self, connection: Connection, rows: list[SpendRow], source: str, recorded_by: str | None
    ) -> ImportResult:
        keys = [row.row_key for row in rows]
        existing = {
            key: (amount, tokens)
            for key, amount, tokens in connection.execute(
                select(spend_entries.c.row_key, spend_entries.c.amount, spend_entries.c.tokens).where(
                    spend_entries.c.row_key.in_(keys)
                )
            )
        }
        added = replaced = unchanged = 0
        for row in rows:
            values = {
                "row_key": row.row_key,
                "provider": row.provider,
                "month": row.month,
                "day": row.day.isoformat() if row.day else None,
                "amount": str(row.amount),
                "tokens": row.tokens,
                "source": source,
                "recorded_by": recorded_by,
                "recorded_at": self._clock(),
            }
            before = existing.get(row.row_key)
            if before is None:
                connection.execute(spend_entries.insert().values(values))
                added += 1
            elif Decimal(before[0]) == row.amount and before[1] == row.tokens:
                unchanged += 1
            else:
                connection.execute(
                    update(spend_entries).where(spend_entries.c.row_key == row.row_key).values(values)
                )
                replaced += 1
        return ImportResult(added, replaced, unchanged)


def _entry(connection: Connection, entry_id: int) -> SpendEntry:
    row = connection.execute(select(spend_entries).where(spend_entries.c.id == entry_id)).mappings().first()
    if row is None:
        raise UnknownEntryError(f"no spend entry {entry_id}: `advisor spend list` shows the ids")
    return _from_row(row)


def _from_row(row: object) -> SpendEntry:
    values = dict(row)  # type: ignore[call-overload]
    return SpendEntry(
        id=int(values["id"]),
        provider=str(values["provider"]),
        month=str(values["month"]),
        day=dt.date.fromisoformat(values["day"]) if values["day"] else None,
        amount=Decimal(values["amount"]),
        tokens=int(values["tokens"]) if values["tokens"] is not None else None,
        source=str(values["source"]),
        recorded_by=values["recorded_by"],
        recorded_at=float(values["recorded_at"]),
    )
