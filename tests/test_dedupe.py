"""Slack event dedupe: each event is answered once, across threads, processes and restarts."""

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hand_clock import HandClock

from bot.database import Database
from bot.dedupe import DedupeStore

DAY = 24 * 3600


def test_a_key_is_claimed_once(database: Database) -> None:
    """The first claim of an event wins and every retry of it loses; other events are unaffected."""
    store = DedupeStore(database)
    assert store.claim("Ev01")
    assert not store.claim("Ev01")
    assert not store.claim("Ev01")
    assert store.claim("Ev02")


def test_a_restart_remembers_claimed_keys(tmp_path: Path) -> None:
    """A retry that arrives after the bot restarted is still recognised as already answered."""
    path = tmp_path / "advisor.sqlite3"
    with Database(f"sqlite:///{path}") as before:
        assert DedupeStore(before).claim("Ev01")
    with Database(f"sqlite:///{path}") as after:
        assert not DedupeStore(after).claim("Ev01")


def test_threads_racing_for_one_key_let_exactly_one_through(database: Database) -> None:
    """Sixteen threads claiming the same twenty events at once: each event goes to exactly one of them."""
    store = DedupeStore(database)
    keys = [f"Ev{number:02}" for number in range(20)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        won = list(pool.map(lambda _: [key for key in keys if store.claim(key)], range(16)))
    assert sorted(key for keys_won in won for key in keys_won) == keys


def test_processes_racing_for_one_key_let_exactly_one_through(tmp_path: Path) -> None:
    """Three processes claiming the same events: each event is claimed by exactly one process."""
    url = f"sqlite:///{tmp_path / 'advisor.sqlite3'}"
    Database(url).close()
    script = (
        "import sys; from bot.database import Database; from bot.dedupe import DedupeStore; "
        "store = DedupeStore(Database(sys.argv[1])); "
        "print(' '.join(key for key in (f'Ev{n}' for n in range(30)) if store.claim(key)))"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", script, url], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    claimed = [key for process in processes for key in process.communicate(timeout=120)[0].split()]
    assert sorted(claimed) == sorted(f"Ev{n}" for n in range(30))


@pytest.mark.parametrize(
    ("later", "claimable_again"),
    [
        (DAY, False),  # still remembered exactly at the end of its lifetime
        (DAY + 3600, True),  # forgotten once the next hourly pruning runs after that
    ],
)
def test_old_keys_are_forgotten(database: Database, later: float, claimable_again: bool) -> None:
    """Keys are pruned a while after their lifetime, so the table does not grow forever."""
    clock = HandClock()
    store = DedupeStore(database, clock=clock, ttl_seconds=DAY)
    assert store.claim("Ev01")
    clock.now += later
    assert store.claim("Ev01") is claimable_again


def test_prune_counts_what_it_forgot(database: Database) -> None:
    """`prune` deletes only keys older than their lifetime and says how many."""
    clock = HandClock()
    store = DedupeStore(database, clock=clock, ttl_seconds=60)
    store.claim("old")
    clock.now += 61
    store.claim("new")
    assert store.prune() == 0  # claiming "new" already pruned "old"
    clock.now += 61
    assert store.prune() == 1
