"""Conversations as Slack drives them: mentions in threads, follow-ups, DMs, the AI-app pane, the LLM stream.

Every request is signed and goes through `App.dispatch`; what the tests check is what Slack shows
(the fake Slack's history, calls and recorded views), after every listener has finished.
"""

import json
import re
import time

import pytest
from openai_server import FakeOpenAIServer, Status, Text, ToolCalls
from slack_requests import app_home_opened, app_mention, block_action, dm_message, new_ts
from slack_workspace import BOT_ID

from bot.feedback import FeedbackStore
from bot.slack.views.answer import FEEDBACK_ACTION
from bot.slack.views.help import SUGGESTED_PROMPTS
from bot.stats import StatsStore

from .conftest import LLM_DEADLINE, OPENAI_KEY, SlackBot, sent_to_slack

SELF_HOST_500M = "should we self-host at 500M tokens a month?"


def _text(message: dict[str, object]) -> str:
    """A message as one string (its text and every block), for looking for figures."""
    return json.dumps(message, ensure_ascii=False)


def test_a_mention_is_answered_in_its_thread_with_the_guides_numbers(bot: SlackBot) -> None:
    """@advisor in a channel gets one reply, in the mention's thread, with example 2's API and self-hosted cost."""
    mention = app_mention(SELF_HOST_500M, channel="CMENTION")
    assert bot.send(mention).status == 200
    bot.settle()
    ts = mention["event"]["ts"]
    replies = bot.replies("CMENTION")
    assert len(replies) == 1
    assert replies[0]["thread_ts"] == ts
    assert "$7,500.00" in _text(replies[0])
    assert "$7,391.10" in _text(replies[0])
    assert bot.fake.refusals == []


def test_a_follow_up_in_the_thread_uses_its_earlier_turns_and_another_thread_does_not(bot: SlackBot) -> None:
    """ "and at 2B?" in the thread of a 500M question gives 2B's API cost; the same words elsewhere do not."""
    first = app_mention(SELF_HOST_500M, channel="CTHREAD")
    thread_ts = first["event"]["ts"]
    bot.send(first)
    bot.settle()
    bot.send(app_mention("and at 2B?", channel="CTHREAD", thread_ts=thread_ts))
    bot.settle()
    in_thread = bot.replies("CTHREAD", thread_ts)
    assert len(in_thread) == 2
    assert all(reply["thread_ts"] == thread_ts for reply in in_thread)
    assert "$30,000.00" in _text(in_thread[1])

    elsewhere = app_mention("and at 2B?", channel="CTHREAD")
    bot.send(elsewhere)
    bot.settle()
    other = bot.replies("CTHREAD", elsewhere["event"]["ts"])
    assert len(other) == 1
    assert "$30,000.00" not in _text(other[0])


def test_a_dm_is_answered_in_the_dm(bot: SlackBot) -> None:
    """A direct message gets its answer in the same DM, with the exact API cost."""
    bot.send(dm_message("what do 8M input and 2M output tokens cost on gpt-4o?", user="UDM"))
    bot.settle()
    replies = bot.replies("DUDM")
    assert len(replies) == 1
    assert "thread_ts" not in replies[0]
    assert "$40.00" in _text(replies[0])


def test_opening_the_ai_pane_shows_the_suggested_prompts(bot: SlackBot) -> None:
    """Opening the advisor's pane (the Messages tab) sets its four suggested prompts, not in a thread."""
    bot.send(app_home_opened("UPANE", tab="messages"))
    bot.settle()
    calls = bot.fake.calls_to("assistant.threads.setSuggestedPrompts")
    assert len(calls) == 1
    assert calls[0]["channel_id"] == "DUPANE"
    assert "thread_ts" not in calls[0]
    assert calls[0]["prompts"] == list(SUGGESTED_PROMPTS)
    assert bot.fake.calls_to("views.publish") == []


def test_a_dm_in_a_thread_shows_a_thinking_status_and_gets_a_title(bot: SlackBot) -> None:
    """A question in a DM thread shows "is thinking…" with loading messages, titles the thread, and is answered there."""
    thread_ts = new_ts()
    bot.send(dm_message("which phase are we in at $30K a month?", user="UTHREAD", thread_ts=thread_ts))
    bot.settle()
    status = bot.fake.calls_to("assistant.threads.setStatus")
    assert status
    assert status[0]["channel_id"] == "DUTHREAD"
    assert status[0]["thread_ts"] == thread_ts
    assert status[0]["loading_messages"]
    titles = bot.fake.calls_to("assistant.threads.setTitle")
    assert [(call["thread_ts"], call["title"]) for call in titles] == [
        (thread_ts, "which phase are we in at $30K a month?")
    ]
    replies = bot.replies("DUTHREAD", thread_ts)
    assert len(replies) == 1
    assert "Phase 2" in _text(replies[0])


def test_the_home_tab_is_published_when_opened(bot: SlackBot) -> None:
    """Opening the Home tab shows what the advisor does and the guide's phases."""
    bot.send(app_home_opened("UHOME", tab="home"))
    bot.settle()
    assert [call["user_id"] for call in bot.fake.calls_to("views.publish")] == ["UHOME"]
    home = bot.fake.home_views["UHOME"]
    assert home["type"] == "home"
    assert "Phase 2" in json.dumps(home)
    assert bot.fake.refusals == []


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(dm_message("should we self-host at 500M?", bot_id=BOT_ID, user="UBOT"), id="own-dm"),
        pytest.param(dm_message("should we self-host at 500M?", bot_id="B_OTHER"), id="other-bot-dm"),
        pytest.param(
            dm_message("should we self-host at 500M?", bot_id="B_OTHER", subtype="bot_message"),
            id="bot-message-subtype",
        ),
        pytest.param(
            dm_message("should we self-host at 500M?", subtype="message_changed"), id="edited-message"
        ),
    ],
)
def test_the_bot_ignores_bots_and_its_own_messages(bot: SlackBot, payload: dict[str, object]) -> None:
    """Messages from the advisor itself or other bots get no answer, so two bots never talk in a loop."""
    assert bot.send(payload).status == 200
    bot.settle()
    posted = {"chat.postMessage", "chat.startStream", "chat.postEphemeral", "files.completeUploadExternal"}
    assert [call.method for call in bot.fake.calls if call.method in posted] == []


def test_a_mention_by_another_bot_is_ignored(bot: SlackBot) -> None:
    """Another bot @-mentioning the advisor gets no answer."""
    mention = app_mention(SELF_HOST_500M, channel="CBOTS")
    mention["event"] |= {"bot_id": "B_OTHER", "bot_profile": {"id": "B_OTHER", "name": "other"}}
    assert bot.send(mention).status == 200
    bot.settle()
    assert bot.fake.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("helpful", [True, False], ids=["helpful", "not-helpful"])
def test_feedback_buttons_are_stored_and_counted_in_stats(bot: SlackBot, helpful: bool) -> None:
    """Clicking helpful or not helpful under an answer is stored and shows in `advisor stats`."""
    stats = StatsStore(bot.engine.database)
    before = stats.summary()
    bot.send(app_mention(SELF_HOST_500M, channel="CFEEDBACK"))
    bot.settle()
    (answer,) = bot.replies("CFEEDBACK")
    buttons = answer["blocks"][-1]
    assert buttons["type"] == "context_actions"
    element = buttons["elements"][0]
    value = element["positive_button" if helpful else "negative_button"]["value"]
    click = block_action(
        FEEDBACK_ACTION,
        value,
        user="UVOTER",
        channel="CFEEDBACK",
        message_ts=answer["ts"],
        action_type="feedback_buttons",
        response_url=bot.fake.response_url(),
        message=answer,
    )
    assert bot.send(click).status == 200
    bot.settle()
    after = stats.summary()
    assert (after.helpful - before.helpful, after.not_helpful - before.not_helpful) == (
        (1, 0) if helpful else (0, 1)
    )
    assert FeedbackStore(bot.engine.database).counts() == (after.helpful, after.not_helpful)
    assert "Thanks" in bot.fake.responses[-1]["text"]


def test_an_llm_answer_is_streamed_with_feedback_buttons_at_the_end(
    llm_bot: SlackBot, llm_server: FakeOpenAIServer
) -> None:
    """In LLM mode the answer appears as it is written (Slack's chat stream) and ends with the numbers and feedback."""
    prose = (
        "Yes: at 900M tokens a month self-hosting is cheaper than the API.\n"
        + "The break-even sits just under 500M tokens a month, so you are well past it. " * 8
    )
    llm_server.script(ToolCalls(("breakeven", {"tokens": 900_000_000})), Text(prose))
    mention = app_mention("is self-hosting worth it at 900M tokens monthly?", channel="CSTREAM")
    llm_bot.send(mention)
    llm_bot.settle()
    assert llm_bot.fake.calls_to("chat.startStream")
    stop = llm_bot.fake.calls_to("chat.stopStream")
    assert len(stop) == 1
    assert stop[0]["blocks"][-1]["type"] == "context_actions"
    (streamed,) = llm_bot.replies("CSTREAM", mention["event"]["ts"])
    assert streamed["text"].startswith("Yes: at 900M tokens a month")
    assert "break-even sits just under 500M" in streamed["text"]
    assert "$13,500.00" in _text(streamed)  # the breakeven tool's API cost at 900M ($0.015/1K)
    assert llm_bot.fake.calls_to("chat.postMessage") == []
    assert llm_bot.fake.refusals == []


def test_a_streamed_answer_never_carries_the_api_key_even_when_the_model_echoes_it(
    llm_bot: SlackBot, llm_server: FakeOpenAIServer
) -> None:
    """A model or proxy that repeats the request's Authorization header cannot put the key into Slack."""
    llm_server.script(Text("Here is what I was sent with this request.", echo_authorization=True))
    mention = app_mention("what headers did you get from us just now?", channel="CECHO")
    llm_bot.send(mention)
    llm_bot.settle()
    assert llm_bot.fake.calls_to("chat.startStream")
    sent = sent_to_slack(llm_bot.fake)
    assert OPENAI_KEY not in sent
    assert OPENAI_KEY[:12] not in sent
    assert "Here is what I was sent" in sent


def test_a_failing_llm_gives_the_offline_answer_with_its_notice_quickly(
    llm_bot: SlackBot, llm_server: FakeOpenAIServer
) -> None:
    """When the model answers 500 every time, the thread still gets the numbers, first saying the LLM was unavailable."""
    llm_server.otherwise(Status(500))
    tried_before = len(llm_server.completions)
    mention = app_mention("should we self-host at 500M tokens a month, honestly?", channel="CFAIL")
    started = time.monotonic()
    llm_bot.send(mention)
    llm_bot.settle(timeout=llm_bot.settings.advisor_llm_deadline + 5)
    took = time.monotonic() - started
    replies = llm_bot.replies("CFAIL", mention["event"]["ts"])
    assert len(replies) == 1
    first = replies[0]["blocks"][0]
    assert first["type"] == "context"
    assert "offline answer" in first["elements"][0]["text"]
    assert "\n" not in first["elements"][0]["text"]
    assert "$7,500.00" in _text(replies[0])
    assert took < llm_bot.settings.advisor_llm_deadline
    assert len(llm_server.completions) - tried_before >= 2  # it did try, and retried


CLI_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
"""A command-line option such as `--input-share`."""
FIXED_WIDTH = re.compile(r"\S {3,}\S|^ {2,}\S", re.MULTILINE)
"""Columns aligned with runs of spaces, as the terminal's tables are."""


@pytest.mark.parametrize(
    "question",
    [
        "should we self-host at 2.5B tokens a month on gemini-2.5-pro?",
        "what would 10M tokens a month cost on gpt-4o?",
        "how many tokens do 10K users use a month?",
        "what would 40% cache hits and 40% batch save on $30K a month?",
        "we spend $30K a month on AI, which phase are we in?",
    ],
)
def test_answers_in_slack_carry_no_terminal_options_or_tables(bot: SlackBot, question: str) -> None:
    """What Slack shows is the answer's structured parts: no `--input-share` and no fixed-width table lines."""
    mention = app_mention(question, channel="CTERMINAL")
    bot.send(mention)
    bot.settle()
    (reply,) = bot.replies("CTERMINAL", mention["event"]["ts"])
    shown = "\n".join([reply["text"], *_strings(reply["blocks"])])
    assert CLI_OPTION.findall(shown) == []
    assert FIXED_WIDTH.findall(shown) == []


def _strings(value: object) -> list[str]:
    """Every string in blocks, except button values and action ids (which people do not see)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    if isinstance(value, dict):
        return [
            text
            for key, item in value.items()
            if key not in ("value", "action_id")
            for text in _strings(item)
        ]
    return []


def test_an_llm_that_stops_mid_answer_is_followed_by_the_offline_answer_within_the_deadline(
    llm_bot: SlackBot, llm_server: FakeOpenAIServer
) -> None:
    """If the model goes silent halfway, the streamed part is closed and the offline answer follows with its notice."""
    started_text = "Self-hosting starts to pay off once the GPUs are busy. " * 6
    llm_server.script(Text(started_text, chunk_chars=8, hang_after=20))
    mention = app_mention("is self-hosting worth it at 700M tokens a month for us?", channel="CSILENT")
    started = time.monotonic()
    llm_bot.send(mention)
    llm_bot.settle(timeout=LLM_DEADLINE + 10)
    took = time.monotonic() - started
    replies = llm_bot.replies("CSILENT", mention["event"]["ts"])
    assert [call["ts"] for call in llm_bot.fake.calls_to("chat.stopStream")] == [replies[0]["ts"]]
    assert replies[0]["text"].startswith("Self-hosting starts to pay off")
    assert len(replies) == 2
    assert "offline answer" in replies[1]["blocks"][0]["elements"][0]["text"]
    assert "$10,500.00" in _text(replies[1])
    assert took < LLM_DEADLINE + 3
    assert llm_bot.fake.refusals == []


def test_a_mention_with_no_question_gets_examples_of_what_to_ask(bot: SlackBot) -> None:
    """Just "@advisor" (or "help") is answered in the thread with example questions, not a guess."""
    mention = app_mention("", channel="CEMPTY")
    mention["event"]["text"] = "<@U0ADVISOR> "  # a real Slack user id (the fake bot id would do as well)
    bot.send(mention)
    bot.settle()
    (reply,) = bot.replies("CEMPTY", mention["event"]["ts"])
    assert "should we self-host at 500M tokens a month?" in _text(reply)
