"""The advisor's one database: the engine, every table, and numbered migrations.

Cache, stats, conversation memory, Slack event dedupe, feedback, the spend ledger and alert
deliveries all live here, reached through one URL (`ADVISOR_DATABASE_URL`, default a SQLite file
under the data folder). The SQL is SQLAlchemy Core and portable, so several replicas can later
share Postgres through the same URL; the only SQLite-specific statements are the pragmas and the
backup, guarded by dialect.

Migrations follow simonw/llm `llm/migrations.py`: a `_migrations` table of applied versions and one
function per step, `mNNN_what_it_does`. A step never changes once released: each creates its
tables from its own frozen definitions, and a later change to a table is a new step. The tables
below are the current schema the stores query; a test checks that the steps produce exactly it.
"""

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    inspect,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from knowledge.data_folder import file_lock, usable_data_folder

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 30
"""How long a SQLite writer waits for another one before giving up."""
_WRITE = "advisor_write"
"""Execution option marking a write transaction: on SQLite it takes the write lock at BEGIN."""

metadata = MetaData()
"""The current schema; `Database` creates it through the migrations, never with `create_all`."""

migrations_table = Table(
    "_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("applied_at", Double, nullable=False),
)
cached_answers = Table(
    "cached_answers",
    metadata,
    Column("fingerprint", Text, primary_key=True),
    Column("normalised", Text, primary_key=True),
    Column("question", Text, nullable=False),
    Column("signature", Text, nullable=False),
    Column("embedding", LargeBinary, nullable=False),
    Column("answer", Text, nullable=False),
    Column("stored_at", Double, nullable=False),
    Index("cached_answers_by_signature", "fingerprint", "signature"),
    Index("cached_answers_by_age", "stored_at"),
)
answer_log = Table(
    "answer_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("answer_id", Text),
    Column("at", Double, nullable=False),
    Column("conversation_id", Text),
    Column("mode", Text, nullable=False),
    Column("cache", Text),
    Column("latency_ms", Double, nullable=False),
    Column("tokens_in", Integer, nullable=False),
    Column("tokens_out", Integer, nullable=False),
    Column("cost", Text, nullable=False),
    Column("error", Text),
    Index("answer_log_by_time", "at"),
)
conversation_turns = Table(
    "conversation_turns",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation", Text, nullable=False),
    Column("at", Double, nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("calculations", Text, nullable=False),
    Index("conversation_turns_by_conversation", "conversation", "at"),
)
processed_events = Table(
    "processed_events",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("claimed_at", Double, nullable=False),
    Index("processed_events_by_age", "claimed_at"),
)
feedback = Table(
    "feedback",
    metadata,
    Column("answer_id", String(255), primary_key=True),
    Column("user_id", String(255), primary_key=True),
    Column("helpful", Boolean, nullable=False),
    Column("at", Double, nullable=False),
)
spend_entries = Table(
    "spend_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("row_key", String(255), nullable=False, unique=True),
    Column("provider", String(100), nullable=False),
    Column("month", String(7), nullable=False),
    Column("day", String(10)),
    Column("amount", Text, nullable=False),
    Column("tokens", BigInteger),
    Column("source", String(32), nullable=False),
    Column("recorded_by", String(255)),
    Column("recorded_at", Double, nullable=False),
    Index("spend_entries_by_month", "month", "provider"),
)
spend_imports = Table(
    "spend_imports",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("format", String(32), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("imported_at", Double, nullable=False),
)
alert_subscriptions = Table(
    "alert_subscriptions",
    metadata,
    Column("channel", String(255), primary_key=True),
    Column("rules", Text, nullable=False),
    Column("subscribed_by", String(255)),
    Column("subscribed_at", Double, nullable=False),
)
alert_deliveries = Table(
    "alert_deliveries",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("channel", String(255), nullable=False),
    Column("rule", String(100), nullable=False),
    Column("threshold", String(32), nullable=False),
    Column("month", String(7), nullable=False),
    Column("state", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Column("intended_at", Double, nullable=False),
    Column("posted_at", Double),
    Column("ts", String(32)),
    Column("holder", String(255)),
    Column("held_until", Double),
    Index("alert_deliveries_by_state", "state", "intended_at"),
)

Migration = Callable[[Connection], None]
MIGRATIONS: list[tuple[int, Migration]] = []
"""Every step, in order, with the version it brings the database to."""


def migration(step: Migration) -> Migration:
    """Register a step named `mNNN_...`; NNN is the version it brings the database to."""
    version = int(step.__name__[1:4])
    assert version == len(MIGRATIONS) + 1, f"{step.__name__} is out of order"
    MIGRATIONS.append((version, step))
    return step


@migration
def m001_cache_stats_memory(connection: Connection) -> None:
    """The answer cache, the answer log behind `advisor stats`, and conversation turns."""
    frozen = MetaData()
    Table(
        "cached_answers",
        frozen,
        Column("fingerprint", Text, primary_key=True),
        Column("normalised", Text, primary_key=True),
        Column("question", Text, nullable=False),
        Column("signature", Text, nullable=False),
        Column("embedding", LargeBinary, nullable=False),
        Column("answer", Text, nullable=False),
        Column("stored_at", Double, nullable=False),
        Index("cached_answers_by_signature", "fingerprint", "signature"),
        Index("cached_answers_by_age", "stored_at"),
    )
    Table(
        "answer_log",
        frozen,
        Column("id", Integer, primary_key=True),
        Column("answer_id", Text),
        Column("at", Double, nullable=False),
        Column("conversation_id", Text),
        Column("mode", Text, nullable=False),
        Column("cache", Text),
        Column("latency_ms", Double, nullable=False),
        Column("tokens_in", Integer, nullable=False),
        Column("tokens_out", Integer, nullable=False),
        Column("cost", Text, nullable=False),
        Column("error", Text),
        Index("answer_log_by_time", "at"),
    )
    Table(
        "conversation_turns",
        frozen,
        Column("id", Integer, primary_key=True),
        Column("conversation", Text, nullable=False),
        Column("at", Double, nullable=False),
        Column("question", Text, nullable=False),
        Column("answer", Text, nullable=False),
        Column("calculations", Text, nullable=False),
        Index("conversation_turns_by_conversation", "conversation", "at"),
    )
    frozen.create_all(connection, checkfirst=False)


@migration
def m002_dedupe_feedback(connection: Connection) -> None:
    """Slack events already answered (so retries answer once) and helpful / not-helpful votes."""
    frozen = MetaData()
    Table(
        "processed_events",
        frozen,
        Column("key", String(255), primary_key=True),
        Column("claimed_at", Double, nullable=False),
        Index("processed_events_by_age", "claimed_at"),
    )
    Table(
        "feedback",
        frozen,
        Column("answer_id", String(255), primary_key=True),
        Column("user_id", String(255), primary_key=True),
        Column("helpful", Boolean, nullable=False),
        Column("at", Double, nullable=False),
    )
    frozen.create_all(connection, checkfirst=False)


@migration
def m003_spend_alerts(connection: Connection) -> None:
    """The spend ledger, imported files, alert subscriptions and each alert's delivery state."""
    frozen = MetaData()
    Table(
        "spend_entries",
        frozen,
        Column("id", Integer, primary_key=True),
        Column("row_key", String(255), nullable=False, unique=True),
        Column("provider", String(100), nullable=False),
        Column("month", String(7), nullable=False),
        Column("day", String(10)),
        Column("amount", Text, nullable=False),
        Column("tokens", BigInteger),
        Column("source", String(32), nullable=False),
        Column("recorded_by", String(255)),
        Column("recorded_at", Double, nullable=False),
        Index("spend_entries_by_month", "month", "provider"),
    )
    Table(
        "spend_imports",
        frozen,
        Column("sha256", String(64), primary_key=True),
        Column("name", Text, nullable=False),
        Column("format", String(32), nullable=False),
        Column("rows", Integer, nullable=False),
        Column("imported_at", Double, nullable=False),
    )
    Table(
        "alert_subscriptions",
        frozen,
        Column("channel", String(255), primary_key=True),
        Column("rules", Text, nullable=False),
        Column("subscribed_by", String(255)),
        Column("subscribed_at", Double, nullable=False),
    )
    Table(
        "alert_deliveries",
        frozen,
        Column("key", String(255), primary_key=True),
        Column("channel", String(255), nullable=False),
        Column("rule", String(100), nullable=False),
        Column("threshold", String(32), nullable=False),
        Column("month", String(7), nullable=False),
        Column("state", String(16), nullable=False),
        Column("message", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("last_error", Text),
        Column("intended_at", Double, nullable=False),
        Column("posted_at", Double),
        Column("ts", String(32)),
        Column("holder", String(255)),
        Column("held_until", Double),
        Index("alert_deliveries_by_state", "state", "intended_at"),
    )
    frozen.create_all(connection, checkfirst=False)


class Database:
    """One engine with pooled connections, migrated to the latest version on open; thread-safe."""

    def __init__(self, url: str, *, clock: Callable[[], float] = time.time) -> None:
        """Connect and apply any pending migrations.

        Args:
            url: a SQLAlchemy URL, e.g. `sqlite:////data/advisor.sqlite3` or `postgresql://...`.
            clock: seconds since the epoch, like `time.time`; stamps applied migrations.
        """
        self._url = make_url(url)
        self._clock = clock
        self.path = _sqlite_file(url)
        """The SQLite file, or None for an in-memory or non-SQLite database."""
        self.healed: Healing | None = None
        """What was rebuilt and recovered if the file was found damaged when opened, else None."""
        if self.path is not None:
            usable_data_folder(self.path.parent)
            if _damage(self.path) is not None:
                with file_lock(self._lock_path):
                    self.healed = self._heal()
        self.engine: Engine = _create_engine(url)
        if self._pending():
            if self.path is None:
                self._migrate()
            else:
                with file_lock(self._lock_path):
                    self._migrate()
        if self.healed is not None:
            self._salvage(self.healed)
            logger.warning("%s", self.healed.message())

    def __repr__(self) -> str:
        return f"Database({self._url.render_as_string(hide_password=True)!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A pooled connection in one read transaction (readers never wait for writers on SQLite)."""
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A pooled connection in one transaction, committed on success and rolled back on error.

        On SQLite the write lock is taken at BEGIN, so a transaction that reads before it writes
        waits its turn instead of failing with "database is locked".
        """
        with self.engine.connect() as connection:
            connection.execution_options(**{_WRITE: True})
            with connection.begin():
                yield connection

    def upsert(self, connection: Connection, table: Table, values: Mapping[str, Any]) -> None:
        """Insert a row, or update the row with the same primary key (SQLite and Postgres)."""
        keys = [column.name for column in table.primary_key.columns]
        dialects = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
        if connection.dialect.name not in dialects:
            raise NotImplementedError(f"upsert is not implemented for {connection.dialect.name}")
        # Both dialects spell it the same way, through different classes.
        statement: Any = dialects[connection.dialect.name](table).values(dict(values))
        changes = {name: statement.excluded[name] for name in values if name not in keys}
        connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=changes))

    @property
    def version(self) -> int:
        """The highest applied migration (0 for an empty database)."""
        return max(self._applied(), default=0)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    @property
    def _lock_path(self) -> Path:
        assert self.path is not None
        return self.path.with_name(self.path.name + ".lock")

    def _applied(self) -> set[int]:
        with self.read() as connection:
            return _applied(connection)

    def _heal(self) -> "Healing | None":
        """Set a damaged file aside (the caller holds the file lock); None if another process already did."""
        assert self.path is not None
        reason = _damage(self.path)
        if reason is None:
            return None
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(self._clock()))
        damaged = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        _set_aside(self.path, damaged.name[len(self.path.name) :])
        backups = sorted(
            self.path.parent.glob(f"{self.path.name}.bak-v*"), key=lambda found: found.stat().st_mtime
        )
        return Healing(self.path, reason, damaged, backups[-1] if backups else None)

    def _salvage(self, healing: "Healing") -> None:
        """Copy every row still readable from the damaged file into the new one; the cache is not kept."""
        try:
            source = sqlite3.connect(f"file:{healing.damaged}?mode=ro", uri=True)
        except sqlite3.Error as error:
            healing.unreadable.extend(f"{table} ({error})" for table in DURABLE_TABLES)
            return
        with closing(source):
            for table in metadata.sorted_tables:
                if table.name in DERIVABLE_TABLES or table is migrations_table:
                    continue
                rows, failure = _readable_rows(source, table)
                if rows:
                    with self.write() as connection:
                        connection.execute(table.insert().prefix_with("OR IGNORE"), rows)
                healing.recovered[table.name] = len(rows)
                if failure is not None and table.name in DURABLE_TABLES:
                    healing.unreadable.append(f"{table.name} after row {len(rows)} ({failure})")

    def _pending(self) -> list[tuple[int, Migration]]:
        applied = self._applied()
        return [(version, step) for version, step in MIGRATIONS if version not in applied]

    def _migrate(self) -> None:
        """Apply pending steps, each in one transaction with its `_migrations` row.

        Another process may apply the same step at the same moment (Postgres replicas; SQLite
        files are also serialised by a file lock): a step that fails but is applied afterwards
        counts as done.
        """
        pending = self._pending()
        if not pending:
            return
        current = self.version
        self._backup(current)
        for version, step in pending:
            try:
                with self.write() as connection:
                    migrations_table.create(connection, checkfirst=True)
                    if version in _applied(connection):
                        continue
                    step(connection)
                    connection.execute(
                        migrations_table.insert().values(
                            version=version, name=step.__name__, applied_at=self._clock()
                        )
                    )
            except DBAPIError:
                if version not in self._applied():
                    raise
        logger.info("%r migrated from version %d to %d", self, current, MIGRATIONS[-1][0])

    def _backup(self, current: int) -> None:
        """Copy a non-empty SQLite file to `<file>.bak-v<version>` before migrating it."""
        if self.path is None:
            return
        with self.read() as connection:
            if not inspect(connection).get_table_names():
                return
        backup = self.path.with_name(f"{self.path.name}.bak-v{current}")
        backup.unlink(missing_ok=True)
        source = self.engine.raw_connection()
        try:
            # The backup API copies a consistent snapshot including what is still in the WAL.
            with closing(sqlite3.connect(backup)) as target:
                source.driver_connection.backup(target)  # type: ignore[union-attr]
        finally:
            source.close()
        logger.info("Backed up %s to %s before migrating from version %d", self.path, backup, current)


DERIVABLE_TABLES = frozenset({"cached_answers", "processed_events"})
"""Tables the advisor refills on its own: a damaged file's rows here are simply not kept."""
DURABLE_TABLES = {
    "answer_log": "answer-log rows",
    "feedback": "feedback votes",
    "spend_entries": "spend entries",
    "spend_imports": "imported spend files",
    "alert_subscriptions": "alert subscriptions",
    "alert_deliveries": "alert deliveries",
    "conversation_turns": "conversation turns",
}
"""Tables only the user (or Slack) can fill, in the words a damage report uses."""


@dataclass
class Healing:
    """A damaged database file found on open, set aside and replaced by a new one."""

    path: Path
    reason: str
    """SQLite's word for the damage, e.g. "database disk image is malformed"."""
    damaged: Path
    """Where the damaged file now is (kept, never deleted)."""
    backup: Path | None
    """The newest `.bak-v<N>` copy made before a migration, if any."""
    recovered: dict[str, int] = field(default_factory=dict)
    """Rows copied across from the damaged file, by table."""
    unreadable: list[str] = field(default_factory=list)
    """Durable tables that could not be read to their end, with where they stopped."""

    def message(self) -> str:
        """One line: which file, what was kept, what may be lost, and how to restore."""
        kept = ", ".join(
            f"{self.recovered[name]} {words}"
            for name, words in DURABLE_TABLES.items()
            if self.recovered.get(name)
        )
        line = (
            f"{self.path} was damaged ({self.reason}) and has been rebuilt; the damaged file is kept as "
            f"{self.damaged.name}. Recovered: {kept or 'nothing'}; the answer cache starts empty."
        )
        if self.unreadable:
            line += " Could not read: " + "; ".join(self.unreadable) + "."
        if self.backup is not None:
            line += (
                f" An older copy is {self.backup.name}: to go back to it, stop the advisor and copy it over "
                f"{self.path.name}."
            )
        return line


def _damage(path: Path) -> str | None:
    """SQLite's description of what is wrong with the file at ``path``, or None if it is sound (or absent).

    `PRAGMA quick_check` reads every page once (milliseconds for the advisor's database); a file
    that is not a database at all fails before it.
    """
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS)) as connection:
            problems = [row[0] for row in connection.execute("PRAGMA quick_check(3)")]
    except sqlite3.OperationalError:
        return None  # busy, read-only or full: not damage; the engine reports it in its own words
    except sqlite3.DatabaseError as error:
        return str(error)
    if problems == ["ok"]:
        return None
    lines = [line.strip() for problem in problems for line in str(problem).splitlines()]
    return "; ".join(line for line in lines if line and not line.startswith("***"))[:200]


def _readable_rows(source: sqlite3.Connection, table: Table) -> tuple[list[dict[str, Any]], str | None]:
    """The rows of ``table`` readable in order, and the error that stopped the read (None if it finished)."""
    try:
        present = {row[1] for row in source.execute(f'PRAGMA table_info("{table.name}")')}
    except sqlite3.DatabaseError as error:
        return [], str(error)
    columns = [column.name for column in table.columns if column.name in present]
    if not columns:
        return [], None
    rows: list[dict[str, Any]] = []
    try:
        cursor = source.execute(
            f'SELECT {", ".join(columns)} FROM "{table.name}" ORDER BY rowid'  # noqa: S608
        )
        for row in cursor:
            rows.append(dict(zip(columns, row, strict=True)))
    except sqlite3.DatabaseError as error:
        return rows, str(error)
    return rows, None


def _applied(connection: Connection) -> set[int]:
    if not inspect(connection).has_table(migrations_table.name):
        return set()
    return set(connection.scalars(select(migrations_table.c.version)))


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _create_engine(url: str) -> Engine:
    """An engine with a connection pool; on SQLite, WAL, a busy timeout and transactional DDL."""
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    in_memory = _sqlite_file(url) is None
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_SECONDS}}
    if in_memory:
        options["poolclass"] = StaticPool  # one shared connection, or each thread sees its own database
    else:
        options.update(pool_size=8, max_overflow=16)
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _entry: ConnectionPoolEntry) -> None:
        # sqlite3's own BEGIN skips DDL; SQLAlchemy emits BEGIN instead (see `_begin`), so a
        # migration step is all or nothing.
        dbapi_connection.isolation_level = None
        with closing(dbapi_connection.cursor()) as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


_LEGACY_FILES: dict[str, tuple[str, tuple[str, ...], Table] | None] = {
    "stats.sqlite3": (
        "answer_log",
        ("at", "conversation_id", "mode", "cache", "latency_ms", "tokens_in", "tokens_out", "cost", "error"),
        answer_log,
    ),
    "memory.sqlite3": (
        "turns",
        ("conversation", "at", "question", "answer", "calculations"),
        conversation_turns,
    ),
    "cache.sqlite3": None,
}
"""The per-store files of earlier versions: the old table, the columns kept and where they go."""


def import_legacy_files(database: Database, data_dir: Path) -> None:
    """Bring the rows of earlier versions' per-store SQLite files into `database`, once.

    Stats and conversation turns are copied; the old answer cache is dropped, since answers are
    cached again as they are asked. Each old file is then renamed `<name>.migrated`, so the import
    never runs twice; an unreadable one is renamed `<name>.unreadable` and named in the log.
    """
    if not any((data_dir / name).exists() for name in _LEGACY_FILES):
        return
    with file_lock(data_dir / ".legacy-import.lock"):
        for name, target in _LEGACY_FILES.items():
            path = data_dir / name
            if path.exists():
                _import_legacy_file(database, path, target)


def _import_legacy_file(
    database: Database, path: Path, target: tuple[str, tuple[str, ...], Table] | None
) -> None:
    try:
        rows = [] if target is None else _legacy_rows(path, target[0], target[1])
    except sqlite3.DatabaseError as error:
        _set_aside(path, ".unreadable")
        logger.warning(
            "Could not read %s (%s): its rows were not imported; kept as %s.unreadable",
            path,
            error,
            path.name,
        )
        return
    if target is None:
        _set_aside(path, ".migrated")
        logger.info("Dropped the old answer cache %s: answers are cached again as they are asked", path)
        return
    if rows:
        with database.write() as connection:
            connection.execute(target[2].insert(), rows)
    _set_aside(path, ".migrated")
    logger.info(
        "Imported %d rows from %s into %r; the old file is now %s.migrated",
        len(rows),
        path,
        database,
        path.name,
    )


def _legacy_rows(path: Path, table: str, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every row of an old per-store table, in the order it was written (none if it has no table)."""
    with closing(sqlite3.connect(path)) as old:
        if (
            old.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
            is None
        ):
            return []
        rows = old.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid").fetchall()  # noqa: S608
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _set_aside(path: Path, suffix: str) -> None:
    """Rename a SQLite file and any write-ahead log beside it, which SQLite pairs by name."""
    for sidecar in ("-wal", "-shm"):
        leftover = path.with_name(path.name + sidecar)
        if leftover.exists():
            leftover.replace(path.with_name(path.name + suffix + sidecar))
    path.replace(path.with_name(path.name + suffix))
