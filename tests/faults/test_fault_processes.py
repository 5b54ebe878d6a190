"""Real processes killed with SIGKILL mid-ingest and mid-migration, and eight first runs at once on one data folder."""

import logging
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from fault_helpers import ADVISOR, Advisor, subprocess_env

from bot import database as database_module
from bot.database import MIGRATIONS, Database

BIG_TOPIC = "wombat telemetry"


def _wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, "the process ended before the moment it was to be killed"
        assert time.monotonic() < deadline, "timed out waiting for the process"
        time.sleep(0.05)


def test_an_ingest_killed_midway_is_finished_from_the_kept_copy(
    advisor: Advisor, ready_data: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`advisor ingest` SIGKILLed while embedding: the next search finds the whole document, and the earlier one."""
    big = tmp_path / "big-notes.md"
    sections = [
        f"## Part {n}\n\n"
        + " ".join(f"Paragraph {n} about {BIG_TOPIC} and capacity item {n}-{w}." for w in range(40))
        for n in range(24)
    ]
    big.write_text(
        "# Big notes\n\n" + "\n\n".join(sections) + f"\n\n## Ending\n\nThe final {BIG_TOPIC} capybara word.\n"
    )
    manifest = ready_data / "documents" / "manifest.json"
    process = subprocess.Popen(
        [*ADVISOR, "ingest", str(big)],
        env=subprocess_env(ready_data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(lambda: manifest.exists() and "big-notes.md" in manifest.read_text(), process)
        time.sleep(0.3)  # into the embedding batches
        assert process.poll() is None
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    with caplog.at_level(logging.WARNING, logger="knowledge.index"):
        found = advisor("search", "-k", "1", "final capybara word")
    assert found.code == 0, found.err
    assert found.out.startswith("1. [Ending]"), found.out
    assert "added again from the copies" in caplog.text
    ours = advisor("search", "-k", "1", "zanzibar nightly batch job")
    assert ours.out.startswith("1. [Zanzibar workload]")


SLOW_LAST_STEP = """
import pathlib, sys, time
from bot import database
version, step = database.MIGRATIONS[-1]
def slow(connection):
    step(connection)
    pathlib.Path(sys.argv[2]).write_text("inside the last step's transaction")
    time.sleep(120)
slow.__name__ = step.__name__
database.MIGRATIONS[-1] = (version, slow)
database.Database("sqlite:///" + sys.argv[1])
"""
"""The real last migration, held open inside its transaction so the test can kill the process there."""


def test_a_migration_killed_midway_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process SIGKILLed inside a migration leaves the database as it was; the next open migrates it, rows intact."""
    path = tmp_path / "data" / "advisor.sqlite3"
    previous = MIGRATIONS[-1][0] - 1
    with monkeypatch.context() as patch:
        patch.setattr(database_module, "MIGRATIONS", MIGRATIONS[:-1])
        with Database(f"sqlite:///{path}") as old, old.write() as connection:
            connection.exec_driver_sql(
                "INSERT INTO feedback (answer_id, user_id, helpful, at) VALUES ('a1', 'U1', 1, 0), ('a2', 'U2', 0, 0)"
            )
    inside = tmp_path / "inside"
    process = subprocess.Popen([sys.executable, "-c", SLOW_LAST_STEP, str(path), str(inside)])
    try:
        _wait_for(inside.exists, process)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)

    with Database(f"sqlite:///{path}") as database:
        assert database.version == MIGRATIONS[-1][0]
        assert database.healed is None
        with database.read() as connection:
            votes = connection.exec_driver_sql(
                "SELECT answer_id, helpful FROM feedback ORDER BY answer_id"
            ).all()
    assert [tuple(vote) for vote in votes] == [("a1", 1), ("a2", 0)]
    backup = path.with_name(f"advisor.sqlite3.bak-v{previous}")
    with closing(sqlite3.connect(backup)) as copy:
        assert copy.execute("SELECT count(*) FROM feedback").fetchone() == (2,)


def test_eight_first_runs_at_once_all_answer(tmp_path: Path) -> None:
    """Eight `advisor search` processes started together on a fresh data folder all answer (two once failed)."""
    env = subprocess_env(tmp_path / "fresh", ADVISOR_RETRIEVAL="keyword")
    processes = [
        subprocess.Popen(
            [*ADVISOR, "search", "--json", "-k", "1", "when should we self-host?"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    results = [(process.wait(timeout=300), *process.communicate()) for process in processes]
    assert [code for code, _, _ in results] == [0] * 8, [err[-300:] for _, _, err in results]
    assert all('"section"' in out for _, out, _ in results)
