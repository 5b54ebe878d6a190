"""The Slack app manifest is one Slack will accept."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).parents[1]
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"


@pytest.mark.skipif(not SCHEMA.exists(), reason="Slack's manifest schema lives in ../shared beside the clone")
def test_manifest_matches_slack_schema() -> None:
    """manifest.yml validates against Slack's published manifest schema."""
    jsonschema.validate(yaml.safe_load((ROOT / "manifest.yml").read_text()), json.loads(SCHEMA.read_text()))


def test_manifest_declares_what_the_bot_uses() -> None:
    """The manifest asks for mentions, DMs and the /breakeven command."""
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert {"app_mention", "message.im"} <= set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert "/breakeven" in {command["command"] for command in manifest["features"]["slash_commands"]}
