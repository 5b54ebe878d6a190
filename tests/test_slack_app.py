"""Building the Slack app: what an operator sees in the log at start-up."""

import logging
from typing import Any

import pytest
from pydantic import SecretStr
from slack_server import FakeSlack

from bot.engine import Engine
from bot.secrets import Scrubber
from bot.settings import Settings
from bot.slack.app import build_app, slack_client


def test_start_up_does_not_warn_about_the_token_it_was_given(
    fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """With SLACK_BOT_TOKEN in the environment, as in production, start-up logs no misleading token warning."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-start-up-token")
    settings = Settings(
        slack_bot_token=SecretStr("xoxb-1-start-up-token"),
        slack_signing_secret=SecretStr("signing-secret-1234"),
        slack_api_url=fake_slack.base_url,
    )
    unused: Any = None
    engine = Engine(settings, unused, unused, unused, unused, unused, Scrubber(settings.secret_values()))
    with caplog.at_level(logging.WARNING):
        build_app(settings, engine, client=slack_client(settings))
    assert "will be unused" not in caplog.text
    assert fake_slack.calls_to("auth.test"), "Bolt checks the token at start-up"
