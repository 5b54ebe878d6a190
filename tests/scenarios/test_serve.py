"""`advisor serve --http` as Slack meets it: a real process, signed HTTP requests, a fake Slack Web API."""

import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openai_server import Hang, openai_server
from served_process import ADVISOR, QUESTION, bot_replies, mention, serve_environment, terminate
from slack_requests import post, signed
from slack_server import FakeSlack, fake_slack_server
from slack_workspace import BOT_USER_ID

SECRET = "scenario-signing-secret"
TOKEN = "xoxb-scenario-0000-token"
LOAD_SECONDS = 180.0
"""Generous: the model and the index load in ~8 s alone, slower when the suite runs beside it."""


@dataclass
class Served:
    """A running `advisor serve --http` and what it said while starting."""

    process: subprocess.Popen[str]
    url: str
    first_health: int
    log: Path

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"


def _environment(fake: FakeSlack, data_dir: Path, **extra: str) -> dict[str, str]:
    """The process environment for HTTP mode: the bot token and the signing secret."""
    return serve_environment(
        fake, data_dir, {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}, **extra
    )


def _health(url: str) -> int:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:  # noqa: S310 (local URL)
            return int(response.status)
    except urllib.error.HTTPError as error:
        with error:
            return int(error.code)


def _start(env: dict[str, str], log: Path) -> Served:
    """Start the server, read its URL from the first line, wait for /healthz to say 200."""
    with log.open("w") as stderr:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [*ADVISOR, "serve", "--http", "--port", "0"],
            cwd=log.parent,  # no .env of the developer's is read
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:\d+", line)
    if not found:
        process.kill()
        raise AssertionError(f"no URL in {line!r}; exit {process.wait()}; log:\n{log.read_text()}")
    url = found.group(0)
    first_health = _health(url)
    deadline = time.monotonic() + LOAD_SECONDS
    while _health(url) != 200:
        assert process.poll() is None, f"exited {process.returncode} while loading:\n{log.read_text()}"
        assert time.monotonic() < deadline, f"/healthz not 200 within {LOAD_SECONDS} s:\n{log.read_text()}"
        time.sleep(0.1)
    return Served(process, url, first_health, log)


def _stop(served: Served) -> int:
    code = terminate(served.process, timeout=30)
    if served.process.stdout is not None:
        served.process.stdout.close()
    return code


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    """One fake Slack for the module's shared server; each test uses its own channels."""
    with fake_slack_server() as server:
        yield server


@pytest.fixture(scope="module")
def served(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One `advisor serve --http --port 0` for the module (loading the model takes seconds)."""
    data_dir = tmp_path_factory.mktemp("serve-data")
    running = _start(_environment(fake, data_dir), data_dir / "serve.log")
    yield running
    assert _stop(running) == 0, running.log.read_text()


def test_healthz_says_503_while_loading_and_200_with_json_once_ready(served: Served) -> None:
    """A load balancer sees 503 while the model loads, then 200 and a small JSON status."""
    assert served.first_health == 503
    with urllib.request.urlopen(f"{served.url}/healthz", timeout=5) as response:  # noqa: S310 (local URL)
        assert json.loads(response.read())["status"] == "ok"


def test_url_verification_is_answered_with_the_challenge(served: Served) -> None:
    """Saving the request URL in Slack's settings succeeds: the handshake's challenge comes back."""
    payload = {
        "token": "legacy",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }
    status, body = post(served.events_url, *signed(payload, SECRET))
    assert status == 200
    assert payload["challenge"] in body


@pytest.mark.parametrize(
    ("refusal", "channel"),
    [("unsigned", "CUNSIGNED"), ("forged", "CFORGED"), ("stale", "CSTALE"), ("tampered", "CTAMPERED")],
)
def test_unsigned_forged_and_stale_requests_get_401_and_nothing_is_posted(
    served: Served, fake: FakeSlack, refusal: str, channel: str
) -> None:
    """Requests not signed with the app's secret, changed after signing or over 5 minutes old are refused."""
    _, payload = mention(fake, channel)
    body, headers = signed(payload, SECRET)
    if refusal == "unsigned":
        headers = {"Content-Type": "application/json"}
    elif refusal == "forged":
        headers = signed(payload, "not-the-signing-secret")[1]
    elif refusal == "stale":
        headers = signed(payload, SECRET, timestamp=int(time.time()) - 6 * 60)[1]
    else:
        body = body.replace("500M", "900M")
    assert post(served.events_url, body, headers)[0] == 401
    control_ts, control = mention(fake, "CCONTROL")
    assert post(served.events_url, *signed(control, SECRET))[0] == 200
    assert bot_replies(fake, "CCONTROL", control_ts), "the server answers signed requests"
    assert [m for m in fake.messages(channel) if m.get("user") == BOT_USER_ID] == []
    assert not [call for call in fake.calls if call.params.get("channel") == channel]


def test_mention_is_answered_in_its_thread_with_the_numbers(served: Served, fake: FakeSlack) -> None:
    """@advisor in a channel gets its answer as a reply in the mention's thread, with example 2's API cost."""
    ts, payload = mention(fake, "CMENTION")
    status, _ = post(served.events_url, *signed(payload, SECRET))
    assert status == 200
    replies = bot_replies(fake, "CMENTION", ts)
    assert len(replies) == 1
    assert replies[0]["thread_ts"] == ts
    assert "7,500" in json.dumps(replies[0])


def test_a_retried_delivery_is_answered_once(served: Served, fake: FakeSlack) -> None:
    """Slack's retries of an event (X-Slack-Retry-Num) are acknowledged but never answered a second time."""
    ts, payload = mention(fake, "CRETRY")
    assert post(served.events_url, *signed(payload, SECRET))[0] == 200
    for retry in (1, 2):
        assert post(served.events_url, *signed(payload, SECRET, retry_num=retry))[0] == 200
    assert bot_replies(fake, "CRETRY", ts)
    control_ts, control = mention(fake, "CRETRY")
    assert post(served.events_url, *signed(control, SECRET))[0] == 200
    assert bot_replies(fake, "CRETRY", control_ts)  # retries were handled before this later answer
    assert len(bot_replies(fake, "CRETRY", ts)) == 1


@pytest.mark.parametrize(
    ("path", "method", "body", "status"),
    [
        ("/nowhere", "GET", None, 404),
        ("/slack/events", "POST", b"x" * 1_000_001, 413),
        ("/slack/other", "POST", b"{}", 404),
    ],
)
def test_other_paths_and_oversized_bodies_are_refused(
    served: Served, path: str, method: str, body: bytes | None, status: int
) -> None:
    """Only /slack/events and /healthz exist, and a body over 1 MB is refused before it is read."""
    request = urllib.request.Request(f"{served.url}{path}", data=body, method=method)  # noqa: S310 (local URL)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310 (local URL)
    refused.value.close()
    assert refused.value.code == status


def test_sigterm_lets_the_answer_in_flight_finish_and_exits_0(tmp_path: Path) -> None:
    """Stopping the server while it is answering still delivers that answer, then exits 0."""
    with fake_slack_server() as fake, openai_server() as llm:
        llm.otherwise(Hang(seconds=30))  # the model never answers: the answer waits out its deadline
        env = _environment(
            fake,
            tmp_path / "data",
            OPENAI_API_KEY="sk-scenario",
            OPENAI_BASE_URL=llm.base_url,
            ADVISOR_LLM_DEADLINE="3",
            ADVISOR_LLM_TIMEOUT="3",
        )
        served = _start(env, tmp_path / "serve.log")
        try:
            ts, payload = mention(fake, "CSTOP", "what should our AI infrastructure look like next year?")
            assert post(served.events_url, *signed(payload, SECRET))[0] == 200
            deadline = time.monotonic() + 20
            while not llm.completions:
                assert time.monotonic() < deadline, "the answer never reached the model"
                time.sleep(0.05)
            assert not bot_replies(fake, "CSTOP", ts, timeout=0), "still in flight when the signal is sent"
        finally:
            code = _stop(served)
        assert code == 0, served.log.read_text()
        assert len(bot_replies(fake, "CSTOP", ts, timeout=0)) == 1


@pytest.mark.parametrize(
    ("args", "unset", "variable"),
    [
        (["serve", "--http"], "SLACK_BOT_TOKEN", "SLACK_BOT_TOKEN"),
        (["serve", "--http"], "SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET"),
        (["serve"], "SLACK_APP_TOKEN", "SLACK_APP_TOKEN"),
        (["run"], "SLACK_SIGNING_SECRET", "SLACK_SIGNING_SECRET"),
    ],
)
def test_a_missing_credential_exits_2_with_one_line_naming_it(
    tmp_path: Path, args: list[str], unset: str, variable: str
) -> None:
    """Without a credential the command says in one line which variable to set, and exits 2."""
    with fake_slack_server() as fake:
        env = {k: v for k, v in _environment(fake, tmp_path).items() if k != unset}
        done = subprocess.run(
            [*ADVISOR, *args], env=env, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=60
        )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert variable in lines[0]
    assert TOKEN not in done.stderr and SECRET not in done.stderr


def test_a_revoked_bot_token_exits_2_without_printing_the_token(tmp_path: Path) -> None:
    """A token Slack refuses stops start-up with one line naming SLACK_BOT_TOKEN, never the token itself."""
    with fake_slack_server() as fake:
        fake.revoked_tokens.add(TOKEN)
        env = _environment(fake, tmp_path)
        done = subprocess.run(
            [*ADVISOR, "serve", "--http", "--port", "0"],
            env=env,
            check=False,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "SLACK_BOT_TOKEN" in lines[0] and "invalid_auth" in lines[0]
    assert TOKEN not in done.stdout + done.stderr


def test_run_without_slack_explains_how_to_connect_and_opens_the_chat(tmp_path: Path) -> None:
    """`advisor run` (the end of `make run`) without Slack credentials says how to connect them, then chats."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_", "ADVISOR_"))}
    env |= {"HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", "ADVISOR_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [*ADVISOR, "run"],
        env=env,
        check=False,
        cwd=tmp_path,
        input=QUESTION + "\nexit\n",
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert "manifest.yml" in done.stdout and "SLACK_BOT_TOKEN" in done.stdout
    assert "you>" in done.stdout
    assert "7,500" in done.stdout
