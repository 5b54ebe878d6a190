"""Real, signed Slack requests for the app's tests: events, slash commands and interactivity.

Payloads have the shape Slack sends (Events API envelopes, slash-command form fields, interactivity
`payload=` forms); `signed()` encodes one and signs it with the app's signing secret, and
`dispatch()` hands it to a Bolt `App` the way its HTTP adapter would.

    body, headers = signed(app_mention("at 500M tokens?", user="U1", channel="C1"), SECRET)
    response = dispatch(app, body, headers)
    assert response.status == 200
"""

import itertools
import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier
from slack_workspace import APP_ID, BOT_USER_ID, TEAM_ID

VERIFICATION_TOKEN = "fake-verification-token"
"""The legacy `token` field every payload carries; Bolt ignores it and checks the signature."""
INTERACTIVE_TYPES = frozenset(
    {"block_actions", "view_submission", "view_closed", "shortcut", "message_action", "block_suggestion"}
)
_sequence = itertools.count(1)


def new_ts() -> str:
    """A message timestamp like Slack's ("1700000000.000123"), later than every earlier one."""
    return f"{int(time.time())}.{next(_sequence):06d}"


def new_event_id() -> str:
    """A fresh Events API `event_id`."""
    return "Ev" + uuid.uuid4().hex[:10].upper()


def _trigger_id() -> str:
    return f"{next(_sequence)}.{int(time.time())}.{uuid.uuid4().hex[:16]}"


def event_callback(
    event: dict[str, Any], *, event_id: str | None = None, team_id: str = TEAM_ID, api_app_id: str = APP_ID
) -> dict[str, Any]:
    """The Events API envelope Slack posts around `event`; the same `event_id` means the same delivery."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": int(time.time()),
        "authorizations": [
            {"enterprise_id": None, "team_id": team_id, "user_id": BOT_USER_ID, "is_bot": True}
            | {"is_enterprise_install": False}
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{uuid.uuid4().hex[:12]}",
    }


def app_mention(
    text: str,
    *,
    user: str = "U1",
    channel: str = "C1",
    ts: str | None = None,
    thread_ts: str | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """Someone mentions the bot in a channel (in a thread when `thread_ts` is given).

    The text starts with the bot's mention, as Slack delivers it, unless it already holds one.
    """
    mention = f"<@{BOT_USER_ID}>"
    ts = ts or new_ts()
    event = {"type": "app_mention", "user": user, "text": text if mention in text else f"{mention} {text}"}
    event |= {
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": TEAM_ID,
        "client_msg_id": str(uuid.uuid4()),
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event_callback(event, event_id=event_id)


def dm_message(
    text: str,
    *,
    user: str = "U1",
    channel: str | None = None,
    ts: str | None = None,
    thread_ts: str | None = None,
    bot_id: str | None = None,
    subtype: str | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """A direct message to the bot (`message.im`); the channel defaults to the DM with `user`.

    `bot_id` makes it a bot's message (the bot's own when it is "B_BOT"); `subtype` e.g.
    "message_changed" or "bot_message".
    """
    ts = ts or new_ts()
    event = {"type": "message", "channel": channel or f"D{user}", "channel_type": "im", "user": user}
    event |= {"text": text, "ts": ts, "event_ts": ts, "team": TEAM_ID}
    if bot_id:
        event |= {"bot_id": bot_id, "app_id": APP_ID if bot_id == "B_BOT" else "A_OTHER"}
    else:
        event["client_msg_id"] = str(uuid.uuid4())
    optional = {"thread_ts": thread_ts, "subtype": subtype}
    event |= {key: value for key, value in optional.items() if value}
    return event_callback(event, event_id=event_id)


def app_home_opened(
    user: str = "U1", tab: str = "messages", *, channel: str | None = None, event_id: str | None = None
) -> dict[str, Any]:
    """`user` opens the app: its Messages tab (the AI-app pane in the agent experience) or Home tab."""
    event = {"type": "app_home_opened", "user": user, "channel": channel or f"D{user}", "tab": tab}
    event["event_ts"] = new_ts()
    return event_callback(event, event_id=event_id)


def slash_command(
    command: str, text: str = "", *, user: str = "U1", channel: str = "C1", response_url: str
) -> dict[str, str]:
    """The form fields Slack posts for a slash command, e.g. ("/breakeven", "500M gpt-4o")."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "team_domain": "fake-workspace",
        "channel_id": channel,
        "channel_name": "directmessage" if channel.startswith("D") else "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": _trigger_id(),
    }


def _user(user: str) -> dict[str, str]:
    return {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM_ID}


def block_action(
    action_id: str,
    value: str,
    *,
    user: str = "U1",
    channel: str = "C1",
    message_ts: str,
    response_url: str | None = None,
    container: str = "message",
    action_type: str = "button",
    block_id: str = "actions",
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A click on a button (or another element) in a message: the `block_actions` payload.

    Args:
        container: "message" for a message everyone sees, "ephemeral" for one only the user sees
            (Slack then sends no `message`).
        action_type: the element's type, e.g. "button" or "feedback_buttons".
        message: the message clicked, as Slack echoes it; by default a bot message with no blocks.
    """
    ephemeral = container == "ephemeral"
    action = {"type": action_type, "action_id": action_id, "block_id": block_id, "value": value}
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": ephemeral,
        },
        "trigger_id": _trigger_id(),
        "team": {"id": TEAM_ID, "domain": "fake-workspace"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "general"},
        "state": {"values": {}},
        "actions": [action | {"action_ts": new_ts()}],
    }
    if not ephemeral:
        default = {
            "type": "message",
            "ts": message_ts,
            "user": BOT_USER_ID,
            "bot_id": "B_BOT",
            "text": "",
            "blocks": [],
        }
        payload["message"] = message or default
    if response_url:
        payload["response_url"] = response_url
    return payload


def view_submission(
    callback_id: str, values: dict[str, dict[str, Any]], *, user: str = "U1", private_metadata: str = ""
) -> dict[str, Any]:
    """A modal submitted: the `view_submission` payload.

    `values` is Slack's `view.state.values` ({block_id: {action_id: state}}); a plain string as the
    state stands for a text input holding that string.
    """
    state = {
        block_id: {
            action_id: {"type": "plain_text_input", "value": item} if isinstance(item, str) else item
            for action_id, item in actions.items()
        }
        for block_id, actions in values.items()
    }
    view: dict[str, Any] = {
        "id": f"V{next(_sequence):08d}",
        "team_id": TEAM_ID,
        "type": "modal",
        "blocks": [],
    }
    view |= {"private_metadata": private_metadata, "callback_id": callback_id, "state": {"values": state}}
    view |= {"hash": new_ts(), "title": {"type": "plain_text", "text": "Advisor"}, "app_id": APP_ID}
    view |= {"external_id": "", "bot_id": "B_BOT", "root_view_id": view["id"], "previous_view_id": None}
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "fake-workspace"},
        "user": _user(user),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": _trigger_id(),
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def encode(payload: dict[str, Any]) -> tuple[str, str]:
    """The body Slack would post for `payload`, and its content type.

    Events are JSON; slash commands are form fields; interactivity is a form with one `payload` field.
    """
    if "command" in payload:
        return urlencode(payload), "application/x-www-form-urlencoded"
    if payload.get("type") in INTERACTIVE_TYPES:
        return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    return json.dumps(payload), "application/json"


def sign(
    body: str, secret: str, *, timestamp: int | None = None, retry_num: int | None = None
) -> dict[str, str]:
    """The headers Slack signs a request with; `retry_num` marks Slack's retry after a slow ack."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(timestamp), body=body)
    headers = {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": str(signature)}
    if retry_num is not None:
        headers |= {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
    return headers


def signed(
    payload: dict[str, Any], secret: str, *, timestamp: int | None = None, retry_num: int | None = None
) -> tuple[str, dict[str, str]]:
    """`payload` encoded as Slack posts it, with its Content-Type and signature headers."""
    body, content_type = encode(payload)
    return body, {
        "Content-Type": content_type,
        **sign(body, secret, timestamp=timestamp, retry_num=retry_num),
    }


def dispatch(app: App, body: str, headers: dict[str, str]) -> BoltResponse:
    """Hand a request to a Bolt app as its HTTP adapter does (signature checked by the app)."""
    return app.dispatch(BoltRequest(body=body, headers=dict(headers)))


def post(url: str, body: str, headers: dict[str, str], timeout: float = 10.0) -> tuple[int, str]:
    """POST a request to a running app (e.g. `advisor serve --http`): (HTTP status, body)."""
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - local http URLs
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()
