"""The Slack app manifest is one Slack will accept, and it matches what the app listens to."""

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.slack.commands import COMMANDS
from bot.slack.listeners import spend
from bot.slack.listeners.events import EVENTS
from bot.slack.views.help import COMMAND_HELP, SUGGESTED_PROMPTS

ROOT = Path(__file__).parents[1]
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "manifest.yml").read_text())
    return loaded


@pytest.mark.skipif(not SCHEMA.exists(), reason="Slack's manifest schema lives in ../shared beside the clone")
def test_manifest_matches_slack_schema(manifest: dict[str, Any]) -> None:
    """manifest.yml validates against Slack's published manifest schema."""
    jsonschema.validate(manifest, json.loads(SCHEMA.read_text()))


def test_every_subscribed_event_has_a_listener_and_back(manifest: dict[str, Any]) -> None:
    """The events the manifest subscribes to are exactly the ones the app listens to."""
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == set(EVENTS.values())


def test_every_slash_command_has_a_listener_and_back(manifest: dict[str, Any]) -> None:
    """Each manifest command has a listener and help text, and no listener is missing from the manifest."""
    declared = {command["command"] for command in manifest["features"]["slash_commands"]}
    assert declared == set(COMMANDS) | set(spend.COMMANDS) == set(COMMAND_HELP) | set(spend.COMMAND_HELP)


def test_manifest_has_the_agent_view_home_tab_and_interactivity(manifest: dict[str, Any]) -> None:
    """The AI-app pane, the Home tab, buttons and Socket Mode are switched on, with the app's own prompts."""
    features, settings = manifest["features"], manifest["settings"]
    assert features["agent_view"]["suggested_prompts"] == list(SUGGESTED_PROMPTS)
    assert features["app_home"]["home_tab_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is True


def test_scopes_cover_what_the_app_calls(manifest: dict[str, Any]) -> None:
    """The bot scopes include those its listeners need (mentions, DMs, pane, posting, uploads, commands)."""
    needed = {
        "app_mentions:read",
        "assistant:write",
        "chat:write",
        "commands",
        "files:write",
        "im:history",
        "im:write",
        "users:read",
        "channels:history",
        "groups:history",
    }
    assert needed <= set(manifest["oauth_config"]["scopes"]["bot"])
