"""Shared fixtures: every test runs offline, without telemetry, with its own data folder."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_server import FakeSlack, fake_slack_server

from bot.database import Database
from knowledge.embeddings import SentenceTransformerEmbeddings


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep tests off the network and out of the user's data folder."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "advisor-data"))


@pytest.fixture(scope="session")
def embeddings() -> SentenceTransformerEmbeddings:
    """The packaged embedding model, loaded once for the whole session."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        model = SentenceTransformerEmbeddings()
        model.embed_query("warm up")
    return model


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A fake Slack Web API on 127.0.0.1 and a free port, fresh for each test (tests/slack_server.py)."""
    with fake_slack_server() as fake:
        yield fake


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """The advisor's database, migrated, in a SQLite file of the test's own."""
    with Database(f"sqlite:///{tmp_path / 'advisor.sqlite3'}") as opened:
        yield opened
