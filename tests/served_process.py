"""Shared by the scenarios that run `advisor serve` as a real process: its environment, stopping it, reading its replies."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from slack_requests import app_mention
from slack_server import FakeSlack
from slack_workspace import BOT_USER_ID

ADVISOR = [sys.executable, "-m", "bot.cli"]
QUESTION = "should we self-host at 500M tokens a month?"


def serve_environment(
    fake: FakeSlack, data_dir: Path, credentials: dict[str, str], **extra: str
) -> dict[str, str]:
    """Offline, pointed at the fake, with the given Slack credentials; nothing inherited from the user's Slack or LLM."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_", "ADVISOR_"))}
    env |= {
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "ADVISOR_DATA_DIR": str(data_dir),
        "SLACK_API_URL": fake.base_url,
    }
    return env | credentials | extra


def terminate(process: "subprocess.Popen[str]", timeout: float) -> int:
    """SIGTERM (if still running) and the exit code; killed, and the wait re-raised, if it outlives `timeout`."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def bot_replies(fake: FakeSlack, channel: str, ts: str, timeout: float = 20.0) -> list[dict[str, Any]]:
    """The bot's messages in the thread of `ts`, once there is at least one (or [] after `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        replies = [m for m in fake.messages(channel, ts) if m["ts"] != ts and m.get("user") == BOT_USER_ID]
        if replies or time.monotonic() > deadline:
            return replies
        time.sleep(0.05)


def mention(fake: FakeSlack, channel: str, text: str = QUESTION, **kwargs: Any) -> tuple[str, dict[str, Any]]:
    """A person's mention, in the fake's history and as the event Slack would deliver; (ts, payload)."""
    ts = fake.add_message(channel, f"<@{BOT_USER_ID}> {text}")
    return ts, app_mention(text, channel=channel, ts=ts, **kwargs)
