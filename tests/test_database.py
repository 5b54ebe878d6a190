"""The one database: migrations, backups, old data folders brought across, and sharing between threads."""

import json
import logging
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings
from sqlalchemy import Connection, create_engine, event, inspect, text

from bot import database as database_module
from bot.calculations.record import Assumption, Calculation
from bot.chain.answer import Answer, Turn
from bot.chain.cache import AnswerCache
from bot.chain.memory import ConversationMemory
from bot.cli import main
from bot.database import MIGRATIONS, Database, import_legacy_files, metadata
from bot.dedupe import DedupeStore
from bot.feedback import FeedbackStore
from bot.settings import Settings
from bot.stats import StatsStore
from bot.wiring import open_database

LATEST = MIGRATIONS[-1][0]

# The per-store schemas of the version before the one database, exactly as that code created them.
OLD_STATS_SCHEMA = """
CREATE TABLE IF NOT EXISTS answer_log (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    conversation_id TEXT,
    mode TEXT NOT NULL,
    cache TEXT,
    latency_ms REAL NOT NULL,
    tokens_in INTEGER NOT NULL,
    tokens_out INTEGER NOT NULL,
    cost TEXT NOT NULL,
    error TEXT
);
CREATE INDEX IF NOT EXISTS answer_log_by_time ON answer_log (at);
"""
OLD_MEMORY_SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (conversation TEXT NOT NULL, at REAL NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, calculations TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS turns_by_conversation ON turns (conversation, at);
"""
OLD_CACHE_SCHEMA = """
CREATE TABLE IF NOT EXISTS cached_answers (
    fingerprint TEXT NOT NULL, normalised TEXT NOT NULL, question TEXT NOT NULL, signature TEXT NOT NULL,
    embedding BLOB NOT NULL, answer TEXT NOT NULL, stored_at REAL NOT NULL,
    PRIMARY KEY (fingerprint, normalised)
);
"""


def url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    with Database(url(tmp_path / "advisor.sqlite3")) as opened:
        yield opened


def schema(connection: Connection) -> dict[str, object]:
    """Every table's columns (name, type, nullable), primary key and indexes, as the database reports them."""
    found = inspect(connection)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)],
            found.get_pk_constraint(table)["constrained_columns"],
            sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(table)
            ),
        )
        for table in sorted(found.get_table_names())
    }


def test_migrations_build_exactly_the_declared_schema(database: Database, tmp_path: Path) -> None:
    """The numbered steps produce the same tables, columns and indexes the stores query."""
    declared = create_engine(url(tmp_path / "declared.sqlite3"))
    metadata.create_all(declared)
    with database.read() as migrated, declared.connect() as expected:
        assert schema(migrated) == schema(expected)
    declared.dispose()


def test_indexes_cover_what_the_stores_filter_and_delete_by(database: Database) -> None:
    """The cache, the answer log and the memory are indexed on the columns their queries use."""
    with database.read() as connection:
        found = inspect(connection)
        indexed = {
            (table, tuple(index["column_names"]))
            for table in found.get_table_names()
            for index in found.get_indexes(table)
        }
        primary = {
            (table, tuple(found.get_pk_constraint(table)["constrained_columns"]))
            for table in found.get_table_names()
        }
    assert ("cached_answers", ("fingerprint", "normalised")) in primary
    assert {
        ("cached_answers", ("fingerprint", "signature")),
        ("cached_answers", ("stored_at",)),
        ("answer_log", ("at",)),
        ("conversation_turns", ("conversation", "at")),
        ("processed_events", ("claimed_at",)),
    } <= indexed


def test_opening_again_applies_nothing(tmp_path: Path) -> None:
    """A second open of a migrated database finds every step applied and records each step once."""
    for _ in range(2):
        with Database(url(tmp_path / "advisor.sqlite3")) as opened:
            assert opened.version == LATEST
            with opened.read() as connection:
                versions = connection.scalars(text("SELECT version FROM _migrations ORDER BY version")).all()
    assert versions == list(range(1, LATEST + 1))


def test_processes_opening_a_fresh_file_together_all_succeed(tmp_path: Path) -> None:
    """Four processes opening the same new database at once all succeed, and each step is applied once."""
    path = tmp_path / "advisor.sqlite3"
    script = (
        "import sys; from bot.database import Database; "
        "database = Database(sys.argv[1]); print(database.version); database.close()"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", script, url(path)], stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outputs = [process.communicate(timeout=120)[0].strip() for process in processes]
    assert [process.returncode for process in processes] == [0] * 4
    assert outputs == [str(LATEST)] * 4
    with Database(url(path)) as opened, opened.read() as connection:
        assert connection.scalar(text("SELECT count(*) FROM _migrations")) == LATEST


def test_a_failing_step_leaves_nothing_behind(
    tmp_path: Path, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step that fails half-way is rolled back whole: its table is gone and the version is unchanged."""

    def m003_fails_half_way(connection: Connection) -> None:
        connection.execute(text("CREATE TABLE half_done (id INTEGER PRIMARY KEY)"))
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(database_module, "MIGRATIONS", [*MIGRATIONS, (LATEST + 1, m003_fails_half_way)])
    with pytest.raises(RuntimeError, match="disk filled up"):
        Database(url(tmp_path / "advisor.sqlite3"))
    assert database.version == LATEST
    with database.read() as connection:
        assert not inspect(connection).has_table("half_done")


def make_version_1(path: Path) -> None:
    """A database as migration 1 left it, with one answer logged."""
    engine = create_engine(url(path))
    with engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE _migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at FLOAT)")
        )
        MIGRATIONS[0][1](connection)
        connection.execute(text("INSERT INTO _migrations VALUES (1, 'm001_cache_stats_memory', 0)"))
        connection.execute(
            text(
                "INSERT INTO answer_log (at, mode, latency_ms, tokens_in, tokens_out, cost) "
                "VALUES (5, 'offline', 12, 0, 0, '0')"
            )
        )
    engine.dispose()


def test_an_existing_database_is_backed_up_before_migrating(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Before upgrading a database that holds data, a copy named after its version is kept, said in one line."""
    path = tmp_path / "advisor.sqlite3"
    make_version_1(path)
    with caplog.at_level(logging.INFO, logger="bot.database"), Database(url(path)) as opened:
        assert opened.version == LATEST
    backup = tmp_path / "advisor.sqlite3.bak-v1"
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT max(version) FROM _migrations").fetchone() == (1,)
        assert copy.execute("SELECT at, mode FROM answer_log").fetchall() == [(5.0, "offline")]
    backups = [record.getMessage() for record in caplog.records if "Backed up" in record.getMessage()]
    assert len(backups) == 1
    assert "bak-v1" in backups[0]


def test_a_new_database_is_not_backed_up(tmp_path: Path) -> None:
    """A fresh database has nothing to lose, so no backup file appears."""
    Database(url(tmp_path / "advisor.sqlite3")).close()
    assert not list(tmp_path.glob("*.bak-*"))


def write_old_files(data: Path) -> None:
    """The three per-store files of the previous version, with rows written the way it wrote them."""
    data.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(data / "stats.sqlite3") as stats:
        stats.execute("PRAGMA journal_mode=WAL")
        stats.executescript(OLD_STATS_SCHEMA)
        stats.executemany(
            "INSERT INTO answer_log (at, conversation_id, mode, cache, latency_ms, tokens_in, tokens_out, "
            "cost, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (100.0, "C1:1.0", "llm", None, 900.0, 1000, 200, "0.0045", None),
                (101.0, None, "offline-fallback", None, 3000.0, 0, 0, "0", "LlmError: timed out"),
                (102.0, None, "offline", "exact", 3.0, 0, 0, "0", None),
            ],
        )
    calculation = Calculation(
        tool="phase",
        inputs={"spend": "30000"},
        result={"phase": 2},
        summary="$30,000 a month is Phase 2.",
        assumptions=(Assumption("thresholds", "$10K / $50K", "guide"),),
    )
    with sqlite3.connect(data / "memory.sqlite3") as memory:
        memory.executescript(OLD_MEMORY_SCHEMA)
        for at, question in enumerate(["What phase at $30K?", "and at $60K?", "and at $5K?"]):
            memory.execute(
                "INSERT INTO turns VALUES (?, ?, ?, ?, ?)",
                (
                    "C1:1.0",
                    float(at),
                    question,
                    f"answer {at}",
                    json.dumps([calculation.to_json()], default=str),
                ),
            )
    with sqlite3.connect(data / "cache.sqlite3") as cache:
        cache.executescript(OLD_CACHE_SCHEMA)
        cache.execute("INSERT INTO cached_answers VALUES ('v1', 'q', 'q', '', x'00', '{}', 1)")


def test_old_data_folders_are_imported_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Stats and conversations from the old per-store files come across once; the old files are renamed."""
    data = tmp_path / "advisor-data"
    write_old_files(data)
    settings = Settings(advisor_data_dir=data)
    with caplog.at_level(logging.INFO, logger="bot.database"):
        database = open_database(settings)
    records = StatsStore(database).records()
    assert [(r.at, r.mode, r.cost, r.error, r.answer_id) for r in records] == [
        (100.0, "llm", Decimal("0.0045"), None, None),
        (101.0, "offline-fallback", Decimal(0), "LlmError: timed out", None),
        (102.0, "offline", Decimal(0), None, None),
    ]
    assert records[0].conversation_id == "C1:1.0"
    history = ConversationMemory(database, keep_turns=2).history("C1:1.0")
    assert [turn.question for turn in history] == ["and at $60K?", "and at $5K?"]
    assert history[0].calculations[0].assumptions[0].value == "$10K / $50K"
    for name in ("stats", "memory", "cache"):
        assert not (data / f"{name}.sqlite3").exists()
        assert (data / f"{name}.sqlite3.migrated").exists()
    assert any("old answer cache" in record.getMessage() for record in caplog.records)
    database.close()
    again = open_database(settings)
    assert len(StatsStore(again).records()) == 3
    again.close()


def test_an_unreadable_old_file_is_set_aside_and_named(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A damaged old stats file does not stop the advisor: it is renamed and the log names it."""
    data = tmp_path / "advisor-data"
    data.mkdir()
    (data / "stats.sqlite3").write_bytes(b"this is not a database" * 100)
    with Database(url(data / "advisor.sqlite3")) as database:
        import_legacy_files(database, data)
        assert StatsStore(database).records() == []
    assert (data / "stats.sqlite3.unreadable").exists()
    assert any("stats.sqlite3" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


def test_connections_are_kept_open_between_writes(database: Database) -> None:
    """A hundred writes from one thread reuse one pooled connection instead of opening one each."""
    opened: list[object] = []
    event.listen(database.engine, "connect", lambda connection, record: opened.append(connection))
    database.close()  # start from an empty pool, so the count below is exact
    store = DedupeStore(database)
    for number in range(100):
        assert store.claim(f"event-{number}")
    assert len(opened) == 1


@pytest.mark.parametrize(
    ("database_url", "expected"),
    [
        (None, "sqlite:///{data}/advisor.sqlite3"),
        ("", "sqlite:///{data}/advisor.sqlite3"),
        ("postgresql://advisor@db.internal/advisor", "postgresql://advisor@db.internal/advisor"),
    ],
)
def test_database_url_setting(tmp_path: Path, database_url: str | None, expected: str) -> None:
    """ADVISOR_DATABASE_URL picks the database; unset or empty, it is a SQLite file in the data folder."""
    settings = Settings(advisor_data_dir=tmp_path, advisor_database_url=database_url)
    assert settings.database_url == expected.format(data=tmp_path)


def test_stats_command_on_a_fresh_data_folder(capsys: pytest.CaptureFixture[str]) -> None:
    """`advisor stats` on a new data folder prints zeros, including the feedback counts."""
    assert main(["stats", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["answers"], summary["helpful"], summary["not_helpful"]) == (0, 0, 0)
    assert main(["stats"]) == 0
    assert "0 helpful, 0 not helpful" in capsys.readouterr().out


class VectorsOnly(Embeddings):
    """Embeddings that refuse to run: every caller here passes the question's vector itself."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        raise AssertionError(f"embedded {texts!r} although the vector was given")

    def embed_query(self, text: str) -> list[float]:
        raise AssertionError(f"embedded {text!r} although the vector was given")


def test_eight_threads_share_one_database(database: Database) -> None:
    """Eight threads mixing cache, stats, memory and dedupe on one file raise nothing; each key is claimed once."""
    cache = AnswerCache(database, VectorsOnly())
    stats = StatsStore(database)
    memory = ConversationMemory(database, keep_turns=3)
    dedupe = DedupeStore(database)
    questions = [f"What will {n}00M tokens a month cost on GPT-4o?" for n in range(1, 5)]
    vectors = [[float(n == i) for i in range(8)] for n in range(4)]
    winners: dict[str, list[int]] = {}
    guard = threading.Lock()

    def work(worker: int) -> None:
        for step in range(50):
            kind = step % 5
            question = questions[(worker + step) % 4]
            vector = vectors[(worker + step) % 4]
            if kind == 0:
                cache.put(
                    question, Answer(question=question, headline="About $2,000 a month."), "v1", vector=vector
                )
            elif kind == 1:
                cache.get(question, "v1", vector=vector)
            elif kind == 2:
                stats.record(Answer(question=question, headline="ok", answer_id=f"{worker}-{step}"))
            elif kind == 3:
                memory.remember(f"thread-{worker % 2}", Turn(question, "ok"))
                assert len(memory.history(f"thread-{worker % 2}")) <= 3
            # Workers claim overlapping keys: event k is offered by every worker.
            key = f"event-{step}"
            if dedupe.claim(key):
                with guard:
                    winners.setdefault(key, []).append(worker)

    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(work, worker) for worker in range(8)]:
            future.result()
    assert sorted(winners) == sorted(f"event-{step}" for step in range(50))
    assert all(len(workers) == 1 for workers in winners.values())
    assert len(stats.records()) == 8 * 10
    for question, vector in zip(questions, vectors, strict=True):
        hit = cache.get(question, "v1", vector=vector)
        assert hit is not None
        assert hit[0].headline == "About $2,000 a month."


def test_feedback_and_dedupe_survive_a_restart(tmp_path: Path) -> None:
    """Votes and claimed events are still there after the database is closed and opened again."""
    with Database(url(tmp_path / "advisor.sqlite3")) as first:
        FeedbackStore(first).record("answer-1", "U1", helpful=True)
        assert DedupeStore(first).claim("Ev1")
    with Database(url(tmp_path / "advisor.sqlite3")) as second:
        assert FeedbackStore(second).counts() == (1, 0)
        assert not DedupeStore(second).claim("Ev1")
