"""The fake Slack Web API, driven by a real slack_sdk WebClient and a real Bolt app, so tests can trust it."""

import threading
import time
import urllib.error
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from slack_bolt import App, Respond
from slack_limits import block_errors
from slack_requests import app_mention, block_action, dispatch, signed, slash_command, view_submission
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_server import FakeSlack, fake_slack_server
from slack_workspace import BOT_ID, BOT_USER_ID

TOKEN = "xoxb-test-token"
SECRET = "test-signing-secret"


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    """A WebClient pointed at the fake, retrying once after a 429 as the app will."""
    return WebClient(
        token=TOKEN,
        base_url=fake_slack.base_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )


def error_of(call: Any) -> str:
    """The Slack error code a Web API call fails with."""
    with pytest.raises(SlackApiError) as failure:
        call()
    return str(failure.value.response["error"])


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def test_post_message_lands_in_channel_and_thread(fake_slack: FakeSlack, client: WebClient) -> None:
    """A posted message appears in its channel with text, blocks and thread, under increasing timestamps."""
    first = client.chat_postMessage(channel="C1", text="hello", blocks=[section("*hello*")])
    reply = client.chat_postMessage(channel="C1", text="in thread", thread_ts=first["ts"])
    assert first["channel"] == "C1" and float(reply["ts"]) > float(first["ts"])
    shown = fake_slack.messages("C1")
    assert [m["text"] for m in shown] == ["hello", "in thread"]
    assert shown[0]["blocks"] == [section("*hello*")]
    assert shown[0]["user"] == BOT_USER_ID and shown[0]["bot_id"] == BOT_ID
    assert [m["text"] for m in fake_slack.messages("C1", thread_ts=first["ts"])] == ["hello", "in thread"]
    assert fake_slack.calls_to("chat.postMessage")[1]["thread_ts"] == first["ts"]


def test_post_to_a_user_goes_to_their_dm(fake_slack: FakeSlack, client: WebClient) -> None:
    """Posting to a user id lands in the DM channel conversations.open gives for that user."""
    dm = client.conversations_open(users="U7")["channel"]["id"]
    posted = client.chat_postMessage(channel="U7", text="hi")
    assert posted["channel"] == dm == "DU7"
    assert [m["text"] for m in fake_slack.messages(dm)] == ["hi"]


@pytest.mark.parametrize(("include", "shows_metadata"), [(True, True), (False, False)])
def test_history_returns_metadata_only_when_asked(
    fake_slack: FakeSlack, client: WebClient, include: bool, shows_metadata: bool
) -> None:
    """conversations.history returns message metadata only with include_all_metadata, like Slack."""
    metadata = {"event_type": "advisor_answer", "event_payload": {"question": "at 2B?"}}
    client.chat_postMessage(channel="C1", text="older")
    client.chat_postMessage(channel="C1", text="answer", metadata=metadata)
    history = client.conversations_history(channel="C1", include_all_metadata=include)["messages"]
    assert [m["text"] for m in history] == ["answer", "older"]  # newest first
    assert ("metadata" in history[0]) is shows_metadata
    if shows_metadata:
        assert history[0]["metadata"] == metadata


def test_replies_show_a_thread_with_its_parent(fake_slack: FakeSlack, client: WebClient) -> None:
    """conversations.replies returns a person's message and the bot's answers in it, oldest first."""
    question = fake_slack.add_message("C1", "what about 500M?", user="U1")
    client.chat_postMessage(channel="C1", text="elsewhere")
    client.chat_postMessage(channel="C1", text="it breaks even", thread_ts=question)
    thread = client.conversations_replies(channel="C1", ts=question)["messages"]
    assert [m["text"] for m in thread] == ["what about 500M?", "it breaks even"]
    assert error_of(lambda: client.conversations_replies(channel="C1", ts="1.000001")) == "thread_not_found"


def test_files_upload_v2_shares_the_bytes_in_the_thread(fake_slack: FakeSlack, client: WebClient) -> None:
    """files_upload_v2's three steps keep the exact bytes and share the file and its comment in a thread."""
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    result = client.files_upload_v2(
        content=png, filename="breakeven.png", title="Break-even", channel="C1", thread_ts="1.000001",
        initial_comment="Here is the chart",
    )  # fmt: skip
    file_id = result["file"]["id"]
    assert fake_slack.files[file_id] == png
    assert [call.method for call in fake_slack.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]
    assert fake_slack.calls_to("files.getUploadURLExternal")[0]["length"] == str(len(png))
    (shared,) = fake_slack.messages("C1", thread_ts="1.000001")
    assert shared["text"] == "Here is the chart"
    assert shared["files"][0] == result["file"]
    assert shared["files"][0]["title"] == "Break-even" and shared["files"][0]["mimetype"] == "image/png"


def test_upload_completion_needs_the_bytes(fake_slack: FakeSlack, client: WebClient) -> None:
    """Completing an upload whose bytes never arrived fails with file_not_found and shares nothing."""
    file_id = client.files_getUploadURLExternal(filename="a.png", length=3)["file_id"]
    complete = lambda: client.files_completeUploadExternal(files=[{"id": file_id}], channel_id="C1")
    assert error_of(complete) == "file_not_found"
    assert fake_slack.messages("C1") == []


def test_failing_upload_url_shares_nothing(fake_slack: FakeSlack, client: WebClient) -> None:
    """When the upload URL answers 500, files_upload_v2 raises and no file reaches the channel."""
    fake_slack.fail("upload", status=500)
    with pytest.raises(urllib.error.HTTPError) as failure:
        client.files_upload_v2(content=b"png", filename="c.png", channel="C1")
    failure.value.close()
    assert fake_slack.calls_to("files.completeUploadExternal") == []
    assert fake_slack.messages("C1") == [] and fake_slack.files == {}


def test_stream_builds_one_message_from_chunks(fake_slack: FakeSlack, client: WebClient) -> None:
    """A ChatStream shows one message whose text is the streamed markdown, with blocks added on stop."""
    stream = client.chat_stream(
        channel="C1", thread_ts="1.000001", recipient_team_id="T1", recipient_user_id="U1", buffer_size=10
    )
    pieces = ["**Break-even** ", "is at about ", "480M tokens ", "a month."]
    for piece in pieces:
        stream.append(markdown_text=piece)
    stream.stop(markdown_text=" Done.", blocks=[{"type": "context", "elements": []}])
    methods = [call.method for call in fake_slack.calls]
    assert methods[0] == "chat.startStream" and methods[-1] == "chat.stopStream"
    assert "chat.appendStream" in methods
    (message,) = fake_slack.messages("C1", thread_ts="1.000001")
    assert message["text"] == "".join(pieces) + " Done."
    assert message["blocks"] == [{"type": "context", "elements": []}]
    assert message["ts"] == stream.ts
    append = lambda: client.chat_appendStream(channel="C1", ts=str(stream.ts), markdown_text="late")
    assert error_of(append) == "message_not_in_streaming_state"


def test_stream_in_a_channel_needs_its_recipient(fake_slack: FakeSlack, client: WebClient) -> None:
    """Outside a DM a stream without recipient team and user is refused; in a DM it is not."""
    start = lambda channel: client.chat_startStream(channel=channel, thread_ts="1.000001", markdown_text="hi")
    assert error_of(lambda: start("C1")) == "invalid_arguments"
    assert start("DU1")["ok"]


def test_rate_limit_is_retried_after_retry_after(fake_slack: FakeSlack, client: WebClient) -> None:
    """A 429 with Retry-After is retried by slack_sdk's handler and the message is posted once."""
    fake_slack.rate_limit("chat.postMessage", retry_after=0)
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    assert [m["text"] for m in fake_slack.messages("C1")] == ["hi"]


def test_rate_limit_without_a_retry_handler_surfaces(fake_slack: FakeSlack) -> None:
    """Without a retry handler the 429 reaches the caller with its Retry-After header."""
    fake_slack.rate_limit("chat.postMessage", retry_after=7)
    plain = WebClient(token=TOKEN, base_url=fake_slack.base_url)
    with pytest.raises(SlackApiError) as failure:
        plain.chat_postMessage(channel="C1", text="hi")
    assert failure.value.response.status_code == 429
    assert failure.value.response.headers["Retry-After"] == "7"
    assert failure.value.response["error"] == "ratelimited"


@pytest.mark.parametrize(
    ("kwargs", "status", "error"),
    [({"status": 500}, 500, "internal_error"), ({"error": "channel_not_found"}, 200, "channel_not_found")],
)
def test_injected_failure_happens_once(
    fake_slack: FakeSlack, client: WebClient, kwargs: dict[str, Any], status: int, error: str
) -> None:
    """An injected failure answers with its status or error once, then the method works again."""
    fake_slack.fail("chat.postMessage", **kwargs)
    with pytest.raises(SlackApiError) as failure:
        client.chat_postMessage(channel="C1", text="first")
    assert (failure.value.response.status_code, failure.value.response["error"]) == (status, error)
    assert client.chat_postMessage(channel="C1", text="second")["ok"]
    assert [m["text"] for m in fake_slack.messages("C1")] == ["second"]


def fields(count: int, size: int = 5) -> list[dict[str, Any]]:
    return [{"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * size}] * count}]


BLOCK_LIMITS = [
    ("50 blocks", [section("x")] * 50, True),
    ("51 blocks", [section("x")] * 51, False),
    ("section of 3,000", [section("x" * 3000)], True),
    ("section of 3,001", [section("x" * 3001)], False),
    ("empty section", [section("")], False),
    ("header of 150", [{"type": "header", "text": {"type": "plain_text", "text": "x" * 150}}], True),
    ("header of 151", [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}], False),
    ("10 fields", fields(10), True),
    ("11 fields", fields(11), False),
    ("field of 2,000", fields(1, 2000), True),
    ("field of 2,001", fields(1, 2001), False),
    ("markdown of 12,000", [{"type": "markdown", "text": "x" * 12000}], True),
    ("markdown of 12,001", [{"type": "markdown", "text": "x" * 12001}], False),
    ("table of 100 rows", [{"type": "table", "rows": [[{"type": "raw_text", "text": "1"}]] * 100}], True),
    ("table of 101 rows", [{"type": "table", "rows": [[{"type": "raw_text", "text": "1"}]] * 101}], False),
]


@pytest.mark.parametrize(
    ("blocks", "accepted"), [case[1:] for case in BLOCK_LIMITS], ids=[c[0] for c in BLOCK_LIMITS]
)
def test_block_kit_limits(
    fake_slack: FakeSlack, client: WebClient, blocks: list[Any], accepted: bool
) -> None:
    """Blocks within Slack's limits are posted; one character or item over is refused with invalid_blocks."""
    post = lambda: client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
    if accepted:
        assert post()["ok"] and block_errors(blocks) == []
    else:
        assert error_of(post) == "invalid_blocks"
        assert fake_slack.messages("C1") == []
        assert fake_slack.refusals == ["chat.postMessage: invalid_blocks"]


@pytest.mark.parametrize(
    ("text", "error"),
    [("", "no_text"), ("x" * 40001, "msg_too_long"), ("x" * 40000, None)],
    ids=["empty", "40001", "40000"],
)
def test_message_text_limits(client: WebClient, text: str, error: str | None) -> None:
    """A message needs text or blocks and at most 40,000 characters of text."""
    # api_call: chat_postMessage itself warns about a missing text before sending it
    post = lambda: client.api_call("chat.postMessage", json={"channel": "C1", "text": text})
    assert (error_of(post) if error else post()["ok"]) in (error, True)


def test_channel_the_bot_is_not_in(fake_slack: FakeSlack, client: WebClient) -> None:
    """Posting, streaming and sharing files in a channel the bot is not in fail with not_in_channel."""
    fake_slack.deny_channel("C9")
    assert error_of(lambda: client.chat_postMessage(channel="C9", text="hi")) == "not_in_channel"
    stream = lambda: client.chat_startStream(
        channel="C9", thread_ts="1.1", recipient_team_id="T1", recipient_user_id="U1", markdown_text="hi"
    )
    assert error_of(stream) == "not_in_channel"
    upload = lambda: client.files_upload_v2(content=b"png", filename="c.png", channel="C9")
    assert error_of(upload) == "not_in_channel"
    assert client.chat_postMessage(channel="DU1", text="the chart went to your DM")["ok"]
    assert fake_slack.messages("C9") == []


def test_archived_channel(fake_slack: FakeSlack, client: WebClient) -> None:
    """Posting in an archived channel fails with is_archived."""
    fake_slack.archive("C2")
    assert error_of(lambda: client.chat_postMessage(channel="C2", text="hi")) == "is_archived"


@pytest.mark.parametrize(
    ("token", "revoked", "error"),
    [(None, False, "not_authed"), ("xoxp-user-token", False, "invalid_auth"), (TOKEN, True, "invalid_auth")],
    ids=["no token", "not a bot token", "revoked"],
)
def test_auth_is_required(fake_slack: FakeSlack, token: str | None, revoked: bool, error: str) -> None:
    """Calls without a valid bot token are refused as Slack refuses them."""
    if revoked:
        fake_slack.revoked_tokens.add(TOKEN)
    other = WebClient(token=token, base_url=fake_slack.base_url)
    assert error_of(lambda: other.chat_postMessage(channel="C1", text="hi")) == error
    assert fake_slack.messages("C1") == []


def test_auth_test_names_the_bot(client: WebClient) -> None:
    """auth.test answers with the bot's user, bot and team ids, which Bolt's authorization reads."""
    identity = client.auth_test()
    assert (identity["user_id"], identity["bot_id"], identity["team_id"]) == ("U0BOT", "B_BOT", "T1")


def test_ephemeral_update_permalink_and_assistant(fake_slack: FakeSlack, client: WebClient) -> None:
    """Ephemerals stay out of the channel; the bot edits and deletes only its own messages."""
    client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    posted = client.chat_postMessage(channel="C1", text="draft")
    client.chat_update(channel="C1", ts=posted["ts"], text="final", blocks=[section("final")])
    assert [m["text"] for m in fake_slack.messages("C1")] == ["final"]
    assert fake_slack.ephemerals[0] | {"ts": ""} == {
        "channel": "C1",
        "user": "U1",
        "text": "only you",
        "ts": "",
    }
    link = client.chat_getPermalink(channel="C1", message_ts=posted["ts"])["permalink"]
    assert link.endswith("/archives/C1/p" + posted["ts"].replace(".", ""))
    person = fake_slack.add_message("C1", "mine")
    assert error_of(lambda: client.chat_update(channel="C1", ts=person, text="x")) == "cant_update_message"
    assert error_of(lambda: client.chat_delete(channel="C1", ts=person)) == "cant_delete_message"
    client.reactions_add(channel="C1", timestamp=person, name="eyes")
    client.chat_delete(channel="C1", ts=posted["ts"])
    assert [m["text"] for m in fake_slack.messages("C1")] == ["mine"]
    client.assistant_threads_setStatus(channel_id="DU1", thread_ts="1.1", status="is thinking...")
    client.assistant_threads_setSuggestedPrompts(channel_id="DU1", prompts=[{"title": "t", "message": "m"}])
    client.assistant_threads_setTitle(channel_id="DU1", thread_ts="1.1", title="Break-even")
    assert fake_slack.calls_to("assistant.threads.setSuggestedPrompts")[0]["prompts"] == [
        {"title": "t", "message": "m"}
    ]
    assert error_of(lambda: client.assistant_threads_setTitle(channel_id="DU1", thread_ts="", title="x")) == (
        "invalid_arguments"
    )


def test_views_and_users(fake_slack: FakeSlack, client: WebClient) -> None:
    """Modals open and update, the Home tab is kept per user, over-long views are refused, users are found."""
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "Break-even"}, "blocks": [section("x")]}
    opened = client.views_open(trigger_id="1.2.3", view=modal)["view"]
    client.views_update(view_id=opened["id"], view=modal | {"blocks": [section("y")]})
    assert fake_slack.views[opened["id"]]["blocks"] == [section("y")]
    client.views_publish(user_id="U1", view={"type": "home", "blocks": [section("home")]})
    assert fake_slack.home_views["U1"]["blocks"] == [section("home")]
    too_long = lambda: client.views_open(trigger_id="1.2.3", view=modal | {"blocks": [section("x")] * 101})
    assert error_of(too_long) == "invalid_arguments"
    fake_slack.users["U2"] = {"is_admin": True, "is_owner": False}
    assert client.users_info(user="U2")["user"]["is_admin"] is True
    assert client.users_info(user="U3")["user"]["is_admin"] is False


def test_response_url_records_and_shows_in_channel(fake_slack: FakeSlack) -> None:
    """respond() posts to a response URL; an in_channel response shows in the channel, an ephemeral not."""
    respond = Respond(response_url=fake_slack.response_url(channel="C1"))
    respond(text="just for you", blocks=[section("just for you")])
    respond(text="for everyone", response_type="in_channel", replace_original=False)
    bodies = fake_slack.wait_for_response(count=2)
    assert bodies[0] == {"text": "just for you", "blocks": [section("just for you")]}
    assert bodies[1] == {"text": "for everyone", "response_type": "in_channel", "replace_original": False}
    assert [m["text"] for m in fake_slack.messages("C1")] == ["for everyone"]


def test_response_url_refuses_like_slack(fake_slack: FakeSlack) -> None:
    """A response URL refuses invalid blocks with a 400 and takes at most five posts."""
    respond = Respond(response_url=fake_slack.response_url())
    assert respond(text="x", blocks=[section("x" * 3001)]).status_code == 400
    assert [respond(text=str(n)).status_code for n in range(5)] == [200, 200, 200, 200, 404]
    fake_slack.fail("response_url", status=503)
    assert Respond(response_url=fake_slack.response_url())(text="x").status_code == 503
    assert fake_slack.refusals == ["response_url: invalid_blocks"]


def test_wait_for_sees_calls_from_other_threads(fake_slack: FakeSlack, client: WebClient) -> None:
    """wait_for returns once a call made in another thread was answered, and fails clearly when none comes."""

    def post_later() -> None:
        time.sleep(0.05)  # so that wait_for is already waiting
        client.chat_postMessage(channel="C1", text="late")

    worker = threading.Thread(target=post_later)
    worker.start()
    assert fake_slack.wait_for("chat.postMessage")[0]["text"] == "late"
    assert [m["text"] for m in fake_slack.messages("C1")] == ["late"]  # stored before wait_for returned
    worker.join()
    with pytest.raises(AssertionError, match=r"chat\.update"):
        fake_slack.wait_for("chat.update", timeout=0.05)


def test_concurrent_posts_are_all_kept(fake_slack: FakeSlack, client: WebClient) -> None:
    """Posts from many threads at once are all stored, each under its own timestamp."""
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda n: client.chat_postMessage(channel="C1", text=str(n)), range(64)))
    shown = fake_slack.messages("C1")
    assert sorted(int(m["text"]) for m in shown) == list(range(64))
    assert len({m["ts"] for m in shown}) == 64 == len(fake_slack.calls)


def test_reset_forgets_everything(fake_slack: FakeSlack, client: WebClient) -> None:
    """reset() clears calls, history and injected faults."""
    fake_slack.fail("auth.test", error="fatal_error")
    client.chat_postMessage(channel="C1", text="hi")
    fake_slack.reset()
    assert fake_slack.calls == [] and fake_slack.messages("C1") == []
    assert client.auth_test()["ok"]


def test_server_stops_without_leftover_threads() -> None:
    """Stopping the fake ends its serving and request threads and frees the port."""
    before = set(threading.enumerate())
    with fake_slack_server() as fake:
        WebClient(token=TOKEN, base_url=fake.base_url).auth_test()
    assert set(threading.enumerate()) <= before
    with pytest.raises(OSError):
        WebClient(token=TOKEN, base_url=fake.base_url, timeout=1, retry_handlers=[]).auth_test()


# ---- the signed-request helpers, through a real Bolt app ----


@pytest.fixture
def app(client: WebClient) -> App:
    """A Bolt app whose listeners answer a mention in its thread and a slash command by respond()."""
    bolt = App(signing_secret=SECRET, client=client)

    @bolt.event("app_mention")
    def mention(event: dict[str, Any], say: Any) -> None:
        say(text=f"you said: {event['text']}", thread_ts=event.get("thread_ts") or event["ts"])

    @bolt.command("/breakeven")
    def breakeven(ack: Any, respond: Any, command: dict[str, Any]) -> None:
        ack()
        respond(text=f"break-even for {command['text']}")

    @bolt.action("feedback")
    def feedback(ack: Any, respond: Any, body: dict[str, Any]) -> None:
        ack()
        respond(text=f"thanks: {body['actions'][0]['value']}", replace_original=False)

    @bolt.view("breakeven_modal")
    def submitted(ack: Any, view: dict[str, Any]) -> None:
        ack(response_action="errors", errors={"tokens": view["state"]["values"]["tokens"]["value"]["value"]})

    return bolt


def test_signed_mention_reaches_the_listener(fake_slack: FakeSlack, app: App) -> None:
    """A signed app_mention is acknowledged and the listener's answer lands in the mention's thread."""
    payload = app_mention("at 2B?", user="U1", channel="C1", ts="1700000000.000100")
    body, headers = signed(payload, SECRET)
    assert dispatch(app, body, headers).status == 200
    fake_slack.wait_for("chat.postMessage")
    (answer,) = fake_slack.messages("C1", thread_ts="1700000000.000100")
    assert answer["text"] == "you said: <@U0BOT> at 2B?"


@pytest.mark.parametrize(
    ("timestamp_offset", "secret"), [(0, "wrong-secret"), (-600, SECRET)], ids=["forged", "stale"]
)
def test_forged_and_stale_requests_are_refused(
    fake_slack: FakeSlack, app: App, timestamp_offset: int, secret: str
) -> None:
    """A request signed with another secret or more than five minutes ago gets 401 and reaches no listener."""
    body, headers = signed(app_mention("hi"), secret, timestamp=int(time.time()) + timestamp_offset)
    assert dispatch(app, body, headers).status == 401
    assert fake_slack.calls_to("chat.postMessage") == []


def test_signed_command_action_and_view(fake_slack: FakeSlack, app: App) -> None:
    """Slash-command, block-action and view-submission payloads parse in Bolt and reach their listeners."""
    command = slash_command("/breakeven", "500M gpt-4o", response_url=fake_slack.response_url())
    assert dispatch(app, *signed(command, SECRET, retry_num=1)).status == 200
    action = block_action(
        "feedback",
        "positive",
        message_ts="1.000001",
        response_url=fake_slack.response_url(),
        container="ephemeral",
    )
    assert dispatch(app, *signed(action, SECRET)).status == 200
    assert [r["text"] for r in fake_slack.wait_for_response(count=2)] in (
        ["break-even for 500M gpt-4o", "thanks: positive"],
        ["thanks: positive", "break-even for 500M gpt-4o"],
    )
    view = view_submission("breakeven_modal", {"tokens": {"value": "500M"}}, private_metadata="C1")
    answered = dispatch(app, *signed(view, SECRET))
    assert answered.status == 200 and '"tokens": "500M"' in answered.body
