"""What the fake Slack knows and the rules it answers by, without HTTP (tests/slack_server.py serves it).

A `Workspace` keeps each channel's history as a person would see it (posts, streams, shared files,
in-channel responses), ephemeral messages, views, uploads and response-URL posts, and answers Web API
methods the way Slack does, refusals included: Block Kit limits, empty or overlong text, channels the
bot is not in or that are archived (the limits themselves are in tests/slack_limits.py).
"""

import copy
import itertools
import json
import mimetypes
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from slack_limits import MAX_STREAM_MARKDOWN, MAX_VIEW_BLOCKS, SlackError, block_errors, check_message

BOT_USER_ID = "U0BOT"
BOT_ID = "B_BOT"
TEAM_ID = "T1"
APP_ID = "A1"
RESPONSE_URL_USES = 5
"""Slack accepts at most five posts to one response URL."""

Params = dict[str, Any]
Method = Callable[[Params], dict[str, Any]]


def _required(params: Params, *names: str) -> None:
    if any(params.get(name) in (None, "") for name in names):
        raise SlackError("invalid_arguments")


def _acknowledge(*names: str) -> Method:
    """A method that only checks its required fields, like the assistant.threads.* ones."""

    def method(params: Params) -> dict[str, Any]:
        _required(params, *names)
        return {}

    return method


def _stream_text(params: Params) -> str:
    """The markdown a stream request adds: `markdown_text` and the text of `markdown_text` chunks."""
    text = str(params.get("markdown_text") or "")
    for chunk in params.get("chunks") or []:
        if isinstance(chunk, dict) and chunk.get("type") == "markdown_text":
            text += str(chunk.get("text") or "")
    if len(text) > MAX_STREAM_MARKDOWN:
        raise SlackError("msg_too_long")
    return text


def _as_read(message: dict[str, Any], params: Params) -> dict[str, Any]:
    """A message as conversations.history shows it: metadata only when asked for, as Slack does."""
    shown = copy.deepcopy(message)
    if params.get("include_all_metadata") not in (True, 1, "1", "true"):
        shown.pop("metadata", None)
    return shown


class Workspace:
    """One Slack workspace as the bot sees it; every public method is thread-safe."""

    @property
    def origin(self) -> str:
        """Where upload, file and response URLs point (the server gives its own address)."""
        return "http://127.0.0.1"

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._epoch = int(time.time())
        self.users: dict[str, dict[str, Any]] = {}
        """users.info answers per user id, merged over a plain member, e.g. {"U1": {"is_admin": True}}."""
        self.revoked_tokens: set[str] = set()
        """Tokens answered with invalid_auth."""
        self.socket_mode_url: str | None = None
        """Where apps.connections.open sends Socket Mode clients (tests/slack_socket.py sets it), e.g.
        ws://127.0.0.1:PORT/link/; None: this server's own /link/, where no WebSocket answers."""
        self.reset()
        self._methods: dict[str, Method] = {
            "auth.test": self._auth_test,
            "apps.connections.open": self._connections_open,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "chat.getPermalink": self._permalink,
            "chat.delete": self._delete,
            "reactions.add": _acknowledge("channel", "timestamp", "name"),
            "reactions.remove": _acknowledge("channel", "timestamp", "name"),
            "chat.startStream": self._start_stream,
            "chat.appendStream": self._append_stream,
            "chat.stopStream": self._stop_stream,
            "assistant.threads.setStatus": _acknowledge("channel_id", "thread_ts"),
            "assistant.threads.setSuggestedPrompts": _acknowledge("channel_id", "prompts"),
            "assistant.threads.setTitle": _acknowledge("channel_id", "thread_ts", "title"),
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "conversations.open": self._conversations_open,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "users.info": self._users_info,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    def reset(self) -> None:
        """Forget every message, upload, response, view and setting."""
        with self._lock:
            self._history: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
            self._streaming: set[tuple[str, str]] = set()
            self._ephemerals: list[dict[str, Any]] = []
            self._responses: list[dict[str, Any]] = []
            self._response_urls: dict[str, dict[str, Any]] = {}
            self._uploads: dict[str, dict[str, Any]] = {}
            self._views: dict[str, dict[str, Any]] = {}
            self._home: dict[str, dict[str, Any]] = {}
            self._refusals: list[str] = []
            self._denied: set[str] = set()
            self._archived: set[str] = set()
            self._ids = itertools.count(1)
            self._tickets: set[str] = set()
            self.users.clear()
            self.revoked_tokens.clear()

    def answer(self, method: str, params: Params) -> dict[str, Any]:
        """Slack's answer to one Web API method (auth already checked); refusals are recorded."""
        with self._lock:
            try:
                handler = self._methods.get(method)
                if handler is None:
                    raise SlackError("unknown_method")
                # A deep copy, so later edits to a stored message do not change an answer already given.
                return copy.deepcopy({"ok": True, **handler(params)})
            except SlackError as refusal:
                self._refusals.append(f"{method}: {refusal.error}")
                return refusal.body()

    # ---- what tests read and set ----

    @property
    def refusals(self) -> list[str]:
        """Every refusal by Slack's rules, e.g. "chat.postMessage: invalid_blocks" (not injected faults)."""
        with self._lock:
            return list(self._refusals)

    def messages(self, channel: str, thread_ts: str | None = None) -> list[dict[str, Any]]:
        """What people see in a channel, oldest first: posts, streams, shared files, in-channel responses.

        Without `thread_ts`, every message including thread replies; with it, that thread only
        (its parent too, when the parent is in the history).
        """
        with self._lock:
            history = self._history.get(channel, [])
            return [copy.deepcopy(m) for m in history if thread_ts in (None, m["ts"], m.get("thread_ts"))]

    def add_message(self, channel: str, text: str, *, user: str = "U1", thread_ts: str | None = None) -> str:
        """Put a person's message into the history (conversations.history shows it); returns its ts."""
        with self._lock:
            message = {"type": "message", "ts": self._next_ts(), "user": user, "team": TEAM_ID, "text": text}
            if thread_ts:
                message["thread_ts"] = thread_ts
            self._history[channel].append(message)
            return str(message["ts"])

    @property
    def ephemerals(self) -> list[dict[str, Any]]:
        """chat.postEphemeral messages (channel, user, ts, text, blocks, thread_ts), in order."""
        with self._lock:
            return copy.deepcopy(self._ephemerals)

    @property
    def responses(self) -> list[dict[str, Any]]:
        """Bodies accepted at response URLs (response_type, replace_original, text, blocks), in order."""
        with self._lock:
            return copy.deepcopy(self._responses)

    @property
    def files(self) -> dict[str, bytes]:
        """The bytes uploaded for each file id."""
        with self._lock:
            return {file_id: upload["data"] for file_id, upload in self._uploads.items() if upload["data"]}

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        """Modals opened or updated, by view id."""
        with self._lock:
            return copy.deepcopy(self._views)

    @property
    def home_views(self) -> dict[str, dict[str, Any]]:
        """The Home tab published for each user id."""
        with self._lock:
            return copy.deepcopy(self._home)

    def deny_channel(self, channel: str) -> None:
        """The bot is not in `channel`: posting, streaming and sharing files there get not_in_channel."""
        with self._lock:
            self._denied.add(channel)

    def archive(self, channel: str) -> None:
        """`channel` is archived: posting there fails with is_archived."""
        with self._lock:
            self._archived.add(channel)

    def new_response_url(self, channel: str | None = None) -> str:
        """A fresh response URL; an `in_channel` response to it is shown in `channel`, if given."""
        with self._lock:
            key = f"R{next(self._ids):06d}"
            self._response_urls[key] = {"channel": channel, "uses": 0}
        return f"{self.origin}/response/{key}"

    # ---- channels and messages ----

    def _next_ts(self) -> str:
        return f"{self._epoch}.{next(self._ids):06d}"

    def _channel(self, asked: Any, *, posting: bool = True) -> str:
        """The channel a request is about, or Slack's refusal."""
        channel = str(asked or "")
        if channel[:1] in ("U", "W"):  # posting to a user id lands in the DM with them
            channel = "D" + channel
        if channel[:1] not in ("C", "G", "D"):
            raise SlackError("channel_not_found")
        if channel in self._denied:
            raise SlackError("not_in_channel")
        if posting and channel in self._archived:
            raise SlackError("is_archived")
        return channel

    def _bot_message(self, params: Params) -> dict[str, Any]:
        message = {"type": "message", "ts": self._next_ts(), "user": BOT_USER_ID, "bot_id": BOT_ID}
        message |= {"app_id": APP_ID, "team": TEAM_ID, "text": params.get("text") or ""}
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if params.get(key):
                message[key] = params[key]
        return message

    def _find(self, channel: str, ts: Any) -> dict[str, Any]:
        for message in self._history.get(channel, []):
            if message["ts"] == ts:
                return message
        raise SlackError("message_not_found")

    def _auth_test(self, params: Params) -> dict[str, Any]:
        return {
            "url": "https://fake-workspace.slack.com/",
            "team": "Fake Workspace",
            "user": "advisor",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _connections_open(self, params: Params) -> dict[str, Any]:
        """A fresh Socket Mode URL (the app token was checked with the others); its ticket works once."""
        ticket = f"{next(self._ids):08d}-{uuid.uuid4().hex}"
        self._tickets.add(ticket)
        link = self.socket_mode_url or f"{self.origin.replace('http', 'ws', 1)}/link/"
        return {"url": f"{link}?ticket={ticket}&app_id={APP_ID}"}

    def redeem_ticket(self, ticket: str) -> bool:
        """Whether `ticket` came from apps.connections.open and was not used yet; it is used up."""
        with self._lock:
            if ticket not in self._tickets:
                return False
            self._tickets.discard(ticket)
            return True

    def _post_message(self, params: Params) -> dict[str, Any]:
        channel = self._channel(params.get("channel"))
        check_message(params)
        message = self._bot_message(params)
        self._history[channel].append(message)
        return {"channel": channel, "ts": message["ts"], "message": message}

    def _post_ephemeral(self, params: Params) -> dict[str, Any]:
        channel = self._channel(params.get("channel"))
        _required(params, "user")
        check_message(params)
        ephemeral: Params = {
            key: params[key] for key in ("user", "text", "blocks", "thread_ts") if key in params
        }
        self._ephemerals.append({"channel": channel, "ts": self._next_ts(), **ephemeral})
        return {"message_ts": self._ephemerals[-1]["ts"]}

    def _update(self, params: Params) -> dict[str, Any]:
        channel = self._channel(params.get("channel"))
        message = self._find(channel, params.get("ts"))
        if message.get("bot_id") != BOT_ID:
            raise SlackError("cant_update_message")
        check_message({"text": message["text"], **params})
        message.update(
            {key: params[key] for key in ("text", "blocks", "attachments", "metadata") if key in params}
        )
        message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        return {"channel": channel, "ts": message["ts"], "text": message["text"], "message": message}

    def _delete(self, params: Params) -> dict[str, Any]:
        channel = self._channel(params.get("channel"), posting=False)
        message = self._find(channel, params.get("ts"))
        if message.get("bot_id") != BOT_ID:
            raise SlackError("cant_delete_message")
        self._history[channel].remove(message)
        return {"channel": channel, "ts": message["ts"]}

    def _permalink(self, params: Params) -> dict[str, Any]:
        _required(params, "channel", "message_ts")
        message_id = "p" + str(params["message_ts"]).replace(".", "")
        link = f"https://fake-workspace.slack.com/archives/{params['channel']}/{message_id}"
        return {"channel": params["channel"], "permalink": link}

    # ---- streams ----

    def _start_stream(self, params: Params) -> dict[str, Any]:
        channel = self._channel(params.get("channel"))
        _required(params, "thread_ts")
        if not channel.startswith("D"):  # outside a DM Slack must know whom the stream is for
            _required(params, "recipient_team_id", "recipient_user_id")
        message = self._bot_message({"text": _stream_text(params), "thread_ts": params["thread_ts"]})
        self._history[channel].append(message)
        self._streaming.add((channel, message["ts"]))
        return {"channel": channel, "ts": message["ts"]}

    def _streamed(self, params: Params) -> tuple[str, dict[str, Any]]:
        channel = self._channel(params.get("channel"))
        message = self._find(channel, params.get("ts"))
        if (channel, message["ts"]) not in self._streaming:
            raise SlackError("message_not_in_streaming_state")
        return channel, message

    def _append_stream(self, params: Params) -> dict[str, Any]:
        channel, message = self._streamed(params)
        message["text"] += _stream_text(params)
        return {"channel": channel, "ts": message["ts"]}

    def _stop_stream(self, params: Params) -> dict[str, Any]:
        channel, message = self._streamed(params)
        text = _stream_text(params)
        errors = block_errors(params["blocks"]) if params.get("blocks") is not None else []
        if errors:
            raise SlackError("invalid_blocks", errors)
        message["text"] += text
        message.update({key: params[key] for key in ("blocks", "metadata") if params.get(key)})
        self._streaming.discard((channel, message["ts"]))
        return {"channel": channel, "ts": message["ts"], "message": message}

    # ---- views, conversations, users ----

    def _store_view(self, view: Any, view_id: str | None = None) -> dict[str, Any]:
        if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
            raise SlackError("invalid_arguments", ["must be a modal or home view [json-pointer:/view]"])
        errors = block_errors(view.get("blocks", []), max_blocks=MAX_VIEW_BLOCKS)
        if errors:  # views answer invalid_arguments where messages answer invalid_blocks
            raise SlackError("invalid_arguments", [e.replace("pointer:/", "pointer:/view/") for e in errors])
        view_id = view_id or f"V{next(self._ids):08d}"
        stored = {**view, "id": view_id, "team_id": TEAM_ID, "app_id": APP_ID, "bot_id": BOT_ID}
        stored |= {"state": {"values": {}}, "hash": self._next_ts()}
        if view["type"] == "modal":
            self._views[view_id] = stored
        return stored

    def _views_open(self, params: Params) -> dict[str, Any]:
        _required(params, "trigger_id")
        return {"view": self._store_view(params.get("view"))}

    def _views_update(self, params: Params) -> dict[str, Any]:
        external_id = params.get("external_id")
        view_id = params.get("view_id") or next(
            (v["id"] for v in self._views.values() if external_id and v.get("external_id") == external_id),
            None,
        )
        if view_id not in self._views:
            raise SlackError("not_found")
        return {"view": self._store_view(params.get("view"), view_id)}

    def _views_publish(self, params: Params) -> dict[str, Any]:
        _required(params, "user_id")
        self._home[params["user_id"]] = self._store_view(params.get("view"))
        return {"view": self._home[params["user_id"]]}

    def _conversations_open(self, params: Params) -> dict[str, Any]:
        users = params.get("users")
        if not users:
            raise SlackError("users_list_not_supplied")
        first = users[0] if isinstance(users, list) else str(users).split(",")[0]
        return {"channel": {"id": "D" + first}}

    def _conversations_history(self, params: Params) -> dict[str, Any]:
        channel = self._channel(params.get("channel"), posting=False)
        top = [m for m in self._history[channel] if m.get("thread_ts") in (None, m["ts"])]
        limit = int(params.get("limit") or 100)
        newest_first = [_as_read(m, params) for m in reversed(top)]
        more = {"has_more": len(top) > limit, "response_metadata": {"next_cursor": ""}}
        return {"messages": newest_first[:limit], **more}

    def _conversations_replies(self, params: Params) -> dict[str, Any]:
        channel = self._channel(params.get("channel"), posting=False)
        thread = [m for m in self._history[channel] if params.get("ts") in (m["ts"], m.get("thread_ts"))]
        if not thread:
            raise SlackError("thread_not_found")
        return {"messages": [_as_read(m, params) for m in thread], "has_more": False}

    def _users_info(self, params: Params) -> dict[str, Any]:
        _required(params, "user")
        user_id = params["user"]
        user = {"id": user_id, "team_id": TEAM_ID, "name": user_id.lower(), "real_name": f"User {user_id}"}
        user |= {"is_admin": False, "is_owner": False, "is_bot": user_id == BOT_USER_ID, "deleted": False}
        return {"user": user | self.users.get(user_id, {})}

    # ---- files and response URLs ----

    def _upload_url(self, params: Params) -> dict[str, Any]:
        _required(params, "filename", "length")
        if not str(params["length"]).isdigit() or int(params["length"]) <= 0:
            raise SlackError("invalid_arguments")
        file_id = f"F{next(self._ids):08d}"
        self._uploads[file_id] = {"name": params["filename"], "data": None, "shared": False}
        return {"upload_url": f"{self.origin}/upload/{file_id}", "file_id": file_id}

    def receive_upload(self, file_id: str, raw: bytes) -> tuple[int, str]:
        """Store the bytes posted to an upload URL: (HTTP status, body)."""
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None or upload["shared"]:
                return 404, "not found"
            upload["data"] = raw
            return 200, f"OK - {len(raw)}"

    def _complete_upload(self, params: Params) -> dict[str, Any]:
        files = params.get("files")
        if not isinstance(files, list) or not files or not all(isinstance(f, dict) for f in files):
            raise SlackError("invalid_arguments")
        if any(not self._uploads.get(f.get("id"), {}).get("data") for f in files):
            raise SlackError("file_not_found")
        names = [params.get("channel_id"), *str(params.get("channels") or "").split(",")]
        channels = [self._channel(name) for name in names if name]
        shared = [self._file_object(f) for f in files]
        for channel in channels:
            comment = {"text": params.get("initial_comment"), "thread_ts": params.get("thread_ts")}
            self._history[channel].append(self._bot_message(comment) | {"files": shared, "upload": True})
        return {"files": shared}

    def _file_object(self, item: dict[str, Any]) -> dict[str, Any]:
        upload = self._uploads[item["id"]]
        upload["shared"] = True
        name = upload["name"]
        return {
            "id": item["id"],
            "name": name,
            "title": item.get("title") or name,
            "mimetype": mimetypes.guess_type(name)[0] or "application/octet-stream",
            "filetype": name.rpartition(".")[2] if "." in name else "binary",
            "size": len(upload["data"]),
            "user": BOT_USER_ID,
            "url_private": f"{self.origin}/files/{item['id']}/{name}",
            "permalink": f"https://fake-workspace.slack.com/files/{BOT_USER_ID}/{item['id']}/{name}",
        }

    def receive_response(self, key: str, raw: bytes) -> tuple[int, str]:
        """Take a post to a response URL as Slack does: (HTTP status, body)."""
        with self._lock:
            target = self._response_urls.get(key)
            if target is None:
                return 404, "no_service"
            target["uses"] += 1
            if target["uses"] > RESPONSE_URL_USES:
                return 404, "used_url"
            try:
                body = json.loads(raw)
                if not isinstance(body, dict):
                    raise SlackError("invalid_payload")
                if not body.get("delete_original"):
                    check_message(body)
            except (ValueError, SlackError) as error:
                refusal = error.error if isinstance(error, SlackError) else "invalid_payload"
                self._refusals.append(f"response_url: {refusal}")
                return 400, refusal
            self._responses.append(body)
            if target["channel"] and body.get("response_type") == "in_channel":
                self._history[target["channel"]].append(self._bot_message(body))
            return 200, "ok"
