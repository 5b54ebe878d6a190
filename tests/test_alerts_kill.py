"""Exactly once across kills: a real `advisor alerts run` process is SIGKILLed between the steps, then run again."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from slack_server import FakeSlack

from bot.cli import main

ADVISOR = [sys.executable, "-m", "bot.cli"]
TOKEN = "xoxb-alerts-kill-0000-token"
NOW = "2026-11-20T10:00:00+00:00"
CHANNEL = "C0ALERTS"


def _env(fake: FakeSlack, data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "OPENAI_", "ADVISOR_", "ANTHROPIC_"))
    }
    return env | {
        "HF_HUB_OFFLINE": "1",
        "ADVISOR_DATA_DIR": str(data_dir),
        "SLACK_API_URL": fake.base_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "ADVISOR_ALERT_TIMEZONE": "UTC",
    }


def _advisor(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    """Run the CLI in this process (only the run that is killed needs its own process); exit code and output."""
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _alerts(fake: FakeSlack) -> list[dict[str, object]]:
    return [
        m for m in fake.messages(CHANNEL) if (m.get("metadata") or {}).get("event_type") == "advisor_alert"
    ]


@pytest.fixture
def ready(
    fake_slack: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> dict[str, str]:
    """A subscribed channel and $12,000 of November spend: one phase-crossed alert is due."""
    env = _env(fake_slack, tmp_path / "data")
    for name in [
        name for name in os.environ if name.startswith(("SLACK_", "OPENAI_", "ADVISOR_", "ANTHROPIC_"))
    ]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)  # no developer .env is read
    assert _advisor(monkeypatch, capsys, "alerts", "subscribe", CHANNEL, "--rules", "phase-crossed")[0] == 0
    added = _advisor(
        monkeypatch, capsys, "spend", "add", "12000", "--provider", "openai", "--month", "2026-11"
    )
    assert added[0] == 0, added[1]
    return env


@pytest.mark.parametrize(
    ("store", "posted_before_kill"),
    [(False, 0), (True, 1)],
    ids=["killed-before-slack-had-it", "killed-after-posting-before-recording"],
)
def test_a_killed_run_never_loses_or_repeats_the_alert(
    fake_slack: FakeSlack,
    ready: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    store: bool,
    posted_before_kill: int,
) -> None:
    """Killed while posting (before or after Slack took it), the next run leaves exactly one alert in the channel."""
    fake_slack.hang("chat.postMessage", 60, store=store)
    process = subprocess.Popen(
        [*ADVISOR, "alerts", "run", "--now", NOW],
        env=ready,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        fake_slack.wait_for("chat.postMessage", timeout=60)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert len(_alerts(fake_slack)) == posted_before_kill

    again = _advisor(monkeypatch, capsys, "alerts", "run", "--now", NOW)
    assert again[0] == 0, again[1]
    assert len(_alerts(fake_slack)) == 1
    assert _advisor(monkeypatch, capsys, "alerts", "run", "--now", NOW)[0] == 0
    assert len(_alerts(fake_slack)) == 1
    listed = json.loads(_advisor(monkeypatch, capsys, "alerts", "list", "--json")[1])
    [alert] = listed["alerts"]
    assert alert["key"] == f"{CHANNEL}|phase-crossed|10000|2026-11"
    assert alert["state"] == "posted"
    assert alert["ts"] == _alerts(fake_slack)[0]["ts"]
    # After a kill between posting and recording, the second run found the alert instead of posting.
    assert len(fake_slack.calls_to("chat.postMessage")) == 2 - posted_before_kill
