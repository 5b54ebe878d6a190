"""`advisor serve` in Socket Mode as Slack meets it: a real process, a local Socket Mode WebSocket, a fake Web API.

One process serves the module (the engine takes tens of seconds to load); each test uses its own
channels. The last test stops it with SIGTERM.
"""

import json
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from served_process import ADVISOR, bot_replies, mention, serve_environment, terminate
from slack_requests import slash_command
from slack_server import FakeSlack, fake_slack_server
from slack_socket import FakeSocketMode, command_envelope, events_envelope, socket_mode_server

BOT_TOKEN = "xoxb-socket-scenario-0000-BotToken"
APP_TOKEN = "xapp-1-A1-1234567890-SocketScenarioAppToken"
LOAD_SECONDS = 180.0
"""Generous: the model and the index load in ~8 s alone, slower when the suite runs beside it."""
STOP_SECONDS = 30.0


@dataclass
class Served:
    """A running `advisor serve` in Socket Mode and where its output goes."""

    process: subprocess.Popen[str]
    log: Path
    """Standard error: Bolt's and slack_sdk's log lines."""
    first_line: str


def _environment(fake: FakeSlack, data_dir: Path, **extra: str) -> dict[str, str]:
    """The process environment for Socket Mode: both tokens and no signing secret."""
    return serve_environment(
        fake, data_dir, {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": APP_TOKEN}, **extra
    )


def _start(env: dict[str, str], socket: FakeSocketMode, log: Path) -> Served:
    """Start `advisor serve` (no --http) and wait until it has connected to the socket and said so."""
    with log.open("w") as stderr:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [*ADVISOR, "serve"],
            cwd=log.parent,  # no .env of the developer's is read
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    deadline = time.monotonic() + LOAD_SECONDS
    while socket.sessions == 0:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"no Socket Mode connection; exit {process.wait()}; log:\n{log.read_text()}")
        time.sleep(0.1)
    assert process.stdout is not None
    return Served(process, log, process.stdout.readline())


def _stop(served: Served) -> tuple[int, str]:
    """SIGTERM; the exit code and what the process printed after it was ready."""
    code = terminate(served.process, timeout=STOP_SECONDS)
    assert served.process.stdout is not None
    with served.process.stdout:
        rest = served.process.stdout.read()
    return code, rest


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    """One fake Slack Web API for the module's shared process."""
    with fake_slack_server() as server:
        yield server


@pytest.fixture(scope="module")
def socket(fake: FakeSlack) -> Iterator[FakeSocketMode]:
    """Slack's Socket Mode endpoint, handed out by the fake's apps.connections.open."""
    with socket_mode_server(fake) as server:
        yield server


@pytest.fixture(scope="module")
def served(
    fake: FakeSlack, socket: FakeSocketMode, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """One `advisor serve` in Socket Mode for the module, connected; stopped at the end if still running."""
    data_dir = tmp_path_factory.mktemp("socket-data")
    running = _start(_environment(fake, data_dir), socket, data_dir / "serve.log")
    yield running
    if running.process.poll() is None:
        code, _ = _stop(running)
        assert code == 0, running.log.read_text()


def test_it_connects_with_a_fresh_url_and_says_it_is_ready(served: Served, fake: FakeSlack) -> None:
    """Start-up checks both tokens, connects with the URL apps.connections.open issued, then says it is ready."""
    assert "connected to Slack in Socket Mode" in served.first_line
    assert [call.method for call in fake.calls][:1] == ["auth.test"]
    opened = [call for call in fake.calls if call.method == "apps.connections.open"]
    assert len(opened) == 2, "one check of the app token, one URL to connect with"
    assert all(call.headers["authorization"] == f"Bearer {APP_TOKEN}" for call in opened)


def test_a_mention_is_acked_and_answered_in_its_thread(
    served: Served, fake: FakeSlack, socket: FakeSocketMode
) -> None:
    """@advisor over the socket: the envelope is acked, and the answer with example 2's numbers lands in the thread."""
    ts, payload = mention(fake, "CSOCKET")
    envelope_id = socket.push(events_envelope(payload))
    assert socket.wait_for_ack(envelope_id) == {"envelope_id": envelope_id}
    replies = bot_replies(fake, "CSOCKET", ts)
    assert len(replies) == 1
    assert replies[0]["thread_ts"] == ts
    assert "$7,500.00" in json.dumps(replies[0])


def test_a_redelivered_event_is_acked_and_answered_once(
    served: Served, fake: FakeSlack, socket: FakeSocketMode
) -> None:
    """Slack's redelivery of an event (retry_attempt 1, a new envelope) is acked but not answered again."""
    ts, payload = mention(fake, "CSOCKRETRY")
    first = socket.push(events_envelope(payload))
    retry = socket.push(events_envelope(payload, retry_attempt=1, retry_reason="timeout"))
    for envelope_id in (first, retry):
        socket.wait_for_ack(envelope_id)
    assert bot_replies(fake, "CSOCKRETRY", ts)
    control_ts, control = mention(fake, "CSOCKRETRY")
    socket.wait_for_ack(socket.push(events_envelope(control)))
    assert bot_replies(fake, "CSOCKRETRY", control_ts)  # the retry was handled before this later answer
    assert len(bot_replies(fake, "CSOCKRETRY", ts)) == 1
    assert [len(socket.acks(envelope_id)) for envelope_id in (first, retry)] == [1, 1]


def test_a_slash_command_is_acked_and_answered_at_its_response_url(
    served: Served, fake: FakeSlack, socket: FakeSocketMode
) -> None:
    """/aiphase $30K over the socket is acked at once and answered privately through its response URL."""
    answered = len(fake.responses)
    fields = slash_command("/aiphase", "$30K", channel="CSOCKCMD", response_url=fake.response_url("CSOCKCMD"))
    envelope_id = socket.push(command_envelope(fields))
    assert socket.wait_for_ack(envelope_id)["envelope_id"] == envelope_id
    response = fake.wait_for_response(answered + 1, timeout=20)[answered]
    assert response.get("response_type", "ephemeral") == "ephemeral"
    assert "Phase 2" in json.dumps(response)
    assert fake.messages("CSOCKCMD") == [], "nothing posted in the channel"


@pytest.mark.parametrize("goes", ["refresh", "drop"])
def test_after_slack_ends_the_connection_the_app_reconnects_and_answers(
    served: Served, fake: FakeSlack, socket: FakeSocketMode, goes: str
) -> None:
    """Slack's periodic `disconnect` (refresh) or a closed socket is followed by a new URL, a new connection, answers."""
    channel = f"CSOCK{goes.upper()}"
    sessions = socket.sessions
    socket.refresh() if goes == "refresh" else socket.drop()
    socket.wait_connected(sessions + 1)
    ts, payload = mention(fake, channel)
    socket.wait_for_ack(socket.push(events_envelope(payload)))
    assert len(bot_replies(fake, channel, ts)) == 1
    assert socket.refused == 0, "every connection used a fresh ticket"


def test_sigterm_closes_the_connection_and_exits_0_without_a_secret_in_the_output(
    served: Served, socket: FakeSocketMode
) -> None:
    """Stopping the service says so, closes the socket and exits 0; no token was printed or logged meanwhile."""
    code, printed = _stop(served)
    log = served.log.read_text()
    assert code == 0, log
    assert "stopping" in printed
    socket.wait_disconnected()
    output = served.first_line + printed + log
    assert BOT_TOKEN not in output and APP_TOKEN not in output


@pytest.mark.parametrize(
    ("app_token", "revoked", "error"),
    [(APP_TOKEN, True, "invalid_auth"), (BOT_TOKEN, False, "not_allowed_token_type")],
    ids=["revoked", "the bot token pasted as the app token"],
)
def test_a_refused_app_token_exits_2_with_one_line_and_no_token(
    tmp_path: Path, app_token: str, revoked: bool, error: str
) -> None:
    """An app token Slack refuses stops start-up with one line naming SLACK_APP_TOKEN, never the token itself."""
    with fake_slack_server() as fake:
        if revoked:
            fake.revoked_tokens.add(app_token)
        done = subprocess.run(
            [*ADVISOR, "serve"],
            env=_environment(fake, tmp_path, SLACK_APP_TOKEN=app_token),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "SLACK_APP_TOKEN" in lines[0] and error in lines[0]
    assert APP_TOKEN not in done.stderr and BOT_TOKEN not in done.stderr
