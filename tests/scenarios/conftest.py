"""The Slack app as Slack drives it: signed requests through `App.dispatch`, the Web API at a fake Slack.

The engine (embedding model, index, SQLite) is real and loads once per session; each test gets a
fresh fake Slack and a fresh Bolt app over that engine, with an executor it can wait on, so "nothing
was posted" is checked after every listener has finished rather than after a sleep.
"""

import concurrent.futures
import json
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openai_server import FakeOpenAIServer, openai_server
from pydantic import SecretStr
from slack_bolt import App, BoltResponse
from slack_requests import dispatch, signed
from slack_server import FakeSlack
from slack_workspace import BOT_USER_ID

from bot.engine import Engine, load_engine
from bot.settings import Settings
from bot.slack.app import build_app, slack_client

SIGNING_SECRET = "scenario-signing-secret-5b7e1c"
BOT_TOKEN = "xoxb-1111111111-2222222222-ScenarioBotTokenX"
OPENAI_KEY = "sk-scenario-OpenAIKey-0123456789abcdef"
SECRETS = (SIGNING_SECRET, BOT_TOKEN, OPENAI_KEY)
"""Every secret the scenarios configure; none may reach anything sent to Slack."""
LLM_DEADLINE = 6.0
"""Seconds for one LLM answer (15 in production): short, so a model that stops mid-answer costs little here."""


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener executor, remembering its work so a test can wait until every listener is done."""

    def __init__(self) -> None:
        super().__init__(max_workers=16, thread_name_prefix="scenario-listener")
        self._futures: list[Future[Any]] = []
        self._lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._futures.append(future)
        return future

    def settle(self, timeout: float = 30.0) -> None:
        """Wait for every listener, including lazy ones started by other listeners; re-raise nothing."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                pending = [future for future in self._futures if not future.done()]
            if not pending:
                return
            left = deadline - time.monotonic()
            assert left > 0, f"{len(pending)} listener(s) still running after {timeout} s"
            concurrent.futures.wait(pending, timeout=left)


@dataclass
class SlackBot:
    """One Bolt app over the shared engine, talking to this test's fake Slack."""

    app: App
    fake: FakeSlack
    engine: Engine
    settings: Settings
    executor: TrackingExecutor

    def send(
        self,
        payload: dict[str, Any],
        *,
        retry_num: int | None = None,
        secret: str = SIGNING_SECRET,
        timestamp: int | None = None,
    ) -> BoltResponse:
        """Deliver `payload` as Slack would: encoded, signed, through `App.dispatch`."""
        body, headers = signed(payload, secret, timestamp=timestamp, retry_num=retry_num)
        return dispatch(self.app, body, headers)

    def settle(self, timeout: float = 30.0) -> None:
        """Return once every listener started so far has finished."""
        self.executor.settle(timeout)

    def replies(self, channel: str, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """The bot's messages in `channel` (in the thread of `thread_ts` when given), oldest first."""
        return [
            message
            for message in self.fake.messages(channel, thread_ts)
            if message.get("user") == BOT_USER_ID and message["ts"] != thread_ts
        ]


def sent_to_slack(fake: FakeSlack) -> str:
    """Everything the app sent to the fake Slack (every call's parameters and every response body)."""
    parameters = [call.params for call in fake.calls]
    return json.dumps([parameters, fake.responses], default=str)


def _settings(data_dir: Path, **overrides: Any) -> Settings:
    """Offline settings with the scenario secrets; nothing from the developer's environment or .env."""
    values: dict[str, Any] = {
        "advisor_data_dir": data_dir,
        "advisor_database_url": None,
        "openai_api_key": None,
        "openai_base_url": None,
        "slack_bot_token": SecretStr(BOT_TOKEN),
        "slack_signing_secret": SecretStr(SIGNING_SECRET),
        "slack_app_token": None,
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The offline engine over a real index and database, loaded once for every scenario."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setenv("ANONYMIZED_TELEMETRY", "False")
        return load_engine(_settings(tmp_path_factory.mktemp("scenario-data")))


@pytest.fixture(scope="session")
def llm_server() -> Iterator[FakeOpenAIServer]:
    """An OpenAI-compatible server on 127.0.0.1 for the LLM engine; each test scripts its replies."""
    with openai_server() as server:
        yield server


@pytest.fixture(scope="session")
def llm_engine(engine: Engine, llm_server: FakeOpenAIServer) -> Engine:
    """The LLM engine at the local server: the same index as `engine`, its own database.

    The circuit breaker is set not to open, so one test's failing model does not send the next
    test's question offline; the deadline is `LLM_DEADLINE`.
    """
    data_dir = engine.settings.advisor_data_dir
    settings = _settings(
        data_dir,
        advisor_database_url=f"sqlite:///{data_dir}/llm-advisor.sqlite3",
        openai_api_key=SecretStr(OPENAI_KEY),
        openai_base_url=llm_server.base_url,
        advisor_llm_breaker_failures=1000,
        advisor_llm_deadline=LLM_DEADLINE,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setenv("ANONYMIZED_TELEMETRY", "False")
        return load_engine(settings)


def make_bot(engine: Engine, fake: FakeSlack) -> SlackBot:
    """A fresh app over `engine`, its Web API at `fake` (cheap: Bolt's auth.test and the listeners)."""
    settings = engine.settings.model_copy(update={"slack_api_url": fake.base_url})
    executor = TrackingExecutor()
    app = build_app(settings, engine, client=slack_client(settings), executor=executor)
    return SlackBot(app, fake, engine, settings, executor)


@pytest.fixture
def bot(engine: Engine, fake_slack: FakeSlack) -> Iterator[SlackBot]:
    """The offline app, on this test's fake Slack."""
    slack_bot = make_bot(engine, fake_slack)
    yield slack_bot
    slack_bot.settle()
    slack_bot.executor.shutdown(wait=True)


@pytest.fixture
def llm_bot(llm_engine: Engine, llm_server: FakeOpenAIServer, fake_slack: FakeSlack) -> Iterator[SlackBot]:
    """The LLM app, on this test's fake Slack; the model server starts the test with nothing scripted."""
    llm_server.otherwise(None)
    slack_bot = make_bot(llm_engine, fake_slack)
    yield slack_bot
    slack_bot.settle()
    slack_bot.executor.shutdown(wait=True)
    llm_server.otherwise(None)
