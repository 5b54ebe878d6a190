"""A damaged database file heals: the cache is rebuilt, durable rows are recovered or named as lost."""

import logging
import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from fault_helpers import Advisor

QUESTION = "should we self-host at 500M tokens a month?"


def _checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so damage to the file is damage to the data."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _garble_page_of(table: str) -> Callable[[Path], None]:
    def garble(path: Path) -> None:
        with closing(sqlite3.connect(path)) as connection:
            page = connection.execute(
                "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
            ).fetchone()[0]
            page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        with path.open("r+b") as handle:
            handle.seek((page - 1) * page_size)
            handle.write(b"\xde\xad\xbe\xef" * (page_size // 4))

    return garble


def _garble_header(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.write(b"this is not SQLite" * 6)


def _truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 3)


@pytest.mark.parametrize(
    ("damage", "spend_kept"),
    [(_garble_page_of("cached_answers"), True), (_garble_header, False), (_truncate, False)],
    ids=["cache-pages-garbled", "header-garbled", "truncated"],
)
def test_a_damaged_database_is_rebuilt_and_the_answer_still_comes(
    advisor: Advisor,
    ready_data: Path,
    fault_environment: Path,
    caplog: pytest.LogCaptureFixture,
    damage: Callable[[Path], None],
    spend_kept: bool,
) -> None:
    """`advisor ask` on a damaged database answers; one line names the file, what was recovered and the kept copy."""
    assert advisor("spend", "add", "12500", "--provider", "openai", "--month", "2026-11").code == 0
    assert advisor("ask", QUESTION).code == 0  # an answer in the cache
    database = fault_environment / "advisor.sqlite3"
    _checkpoint(database)
    damage(database)

    with caplog.at_level(logging.WARNING, logger="bot.database"):
        run = advisor("ask", QUESTION)

    assert run.code == 0, run.err
    assert "Break-even" in run.out or "break-even" in run.out.lower()
    assert "Traceback" not in run.err
    (line,) = [record.getMessage() for record in caplog.records if record.name == "bot.database"]
    assert f"{database} was damaged" in line
    assert "the answer cache starts empty" in line
    kept = sorted(fault_environment.glob("advisor.sqlite3.damaged-*"))
    assert kept and kept[0].name in line
    listed = advisor("spend", "list")
    assert listed.code == 0
    assert ("$12,500.00" in listed.out) is spend_kept
    assert ("1 spend entries" in line) is spend_kept


def test_a_damaged_database_with_an_older_backup_says_how_to_restore(
    advisor: Advisor, fault_environment: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """When a `.bak-v<N>` copy exists, the line names it and says to copy it back with the advisor stopped."""
    assert advisor("stats").code == 0
    database = fault_environment / "advisor.sqlite3"
    backup = database.with_name("advisor.sqlite3.bak-v2")
    with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(backup)) as target:
        source.backup(target)
    _checkpoint(database)
    _garble_header(database)

    with caplog.at_level(logging.WARNING, logger="bot.database"):
        run = advisor("stats")

    assert run.code == 0, run.err
    (line,) = [record.getMessage() for record in caplog.records if record.name == "bot.database"]
    assert (
        "An older copy is advisor.sqlite3.bak-v2: to go back to it, stop the advisor and copy it over" in line
    )


def test_a_sound_database_is_left_alone(
    advisor: Advisor, fault_environment: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Opening a healthy database sets nothing aside and logs no warning."""
    assert advisor("spend", "add", "100", "--provider", "openai", "--month", "2026-11").code == 0
    with caplog.at_level(logging.WARNING):
        assert advisor("spend", "list").code == 0
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert not list(fault_environment.glob("*.damaged-*"))
