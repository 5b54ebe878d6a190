"""Slash commands as Slack sends them: ephemeral answers with a real chart, sharing, the form, help.

Every command is a signed form post through `App.dispatch`; replies are read where Slack shows them:
bodies posted to the command's response URL, ephemeral messages, the channel's history, the modal,
and the bytes uploaded through files.getUploadURLExternal, the upload URL and completeUploadExternal.
"""

import io
import json
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from PIL import Image
from slack_requests import block_action, new_ts, slash_command, view_submission
from slack_workspace import BOT_USER_ID

from bot.calculations.breakeven import BreakEvenRequest, run_breakeven
from bot.calculations.curve import breakeven_curve
from bot.slack.chart import BREAK_EVEN_COLOUR, breakeven_chart
from bot.slack.views.commands import BREAKEVEN_MODAL, SHARE_ACTION
from knowledge.tables import tables

from .conftest import SlackBot

CHART_SIZE = (1200, 675)
"""Width and height of the /breakeven chart in pixels."""


def _command(bot: SlackBot, command: str, text: str, *, channel: str = "C1", user: str = "U1") -> None:
    """Run a slash command and wait until everything it started has finished."""
    payload = slash_command(command, text, user=user, channel=channel, response_url=bot.fake.response_url())
    response = bot.send(payload)
    assert response.status == 200
    bot.settle()


def _only_response(bot: SlackBot) -> dict[str, Any]:
    (response,) = bot.fake.responses
    return response


def _image_file_id(blocks: list[dict[str, Any]]) -> str:
    (image,) = [block for block in blocks if block["type"] == "image"]
    return str(image["slack_file"]["id"])


def _share_button(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    buttons = [
        element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == SHARE_ACTION
    ]
    assert len(buttons) == 1, blocks
    return buttons[0]


def _pixels(png: bytes) -> np.ndarray[Any, np.dtype[np.uint8]]:
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB"))


@pytest.mark.parametrize(
    "text", ["500M gpt-4o h100 $3.99", "$3.99 h100 500M gpt-4o", "gpt-4o $3.99 500M h100"]
)
def test_breakeven_in_any_order_answers_privately_with_numbers_a_chart_and_a_share_button(
    bot: SlackBot, text: str
) -> None:
    """/breakeven reads its words in any order and replies only to the caller, with the chart uploaded."""
    _command(bot, "/breakeven", text)
    response = _only_response(bot)
    assert response.get("response_type", "ephemeral") == "ephemeral"
    shown = json.dumps(response)
    assert "$3,125.00" in shown  # 500M on gpt-4o blended at $0.00625/1K
    assert "$10,238.10" in shown  # 3 H100 x $3.99 x 730 h + 30 h ops at $50
    png = bot.fake.files[_image_file_id(response["blocks"])]
    assert _pixels(png).shape == (CHART_SIZE[1], CHART_SIZE[0], 3)
    for method in ("files.getUploadURLExternal", "files.completeUploadExternal"):
        assert len(bot.fake.calls_to(method)) == 1
    assert json.loads(_share_button(response["blocks"])["value"]) == {"command": "/breakeven", "text": text}
    assert bot.fake.messages("C1") == []
    assert bot.fake.refusals == []


def test_the_uploaded_chart_marks_the_calculators_break_even(bot: SlackBot) -> None:
    """The chart's break-even marker sits at the calculator's break-even volume (492.08M for the guide's setup)."""
    _command(bot, "/breakeven", "500M")
    png = bot.fake.files[_image_file_id(_only_response(bot)["blocks"])]
    request = BreakEvenRequest(tokens=Decimal(500_000_000))
    calculated = run_breakeven(request, tables()).result
    _, geometry = breakeven_chart(breakeven_curve(request, tables()))
    red, green, blue = (int(BREAK_EVEN_COLOUR[index : index + 2], 16) for index in (1, 3, 5))
    _, columns = np.nonzero(np.all(_pixels(png) == (red, green, blue), axis=-1))
    assert len(columns) > 50, "the break-even marker is drawn"
    plotted = geometry.tokens_at(columns.mean() + 0.5)
    assert abs(plotted - float(calculated["break_even_tokens"])) <= geometry.tokens_per_px
    assert round(float(calculated["break_even_tokens"]) / 1e6, 2) == 492.08


def test_share_in_channel_posts_the_result_and_its_chart_for_everyone(bot: SlackBot) -> None:
    """Clicking "Share in channel" posts the numbers publicly with the chart in their thread."""
    _command(bot, "/breakeven", "500M gpt-4o h100 $3.99", channel="CSHARE", user="USHARER")
    button = _share_button(_only_response(bot)["blocks"])
    click = block_action(
        SHARE_ACTION,
        button["value"],
        user="USHARER",
        channel="CSHARE",
        message_ts=new_ts(),
        container="ephemeral",
        response_url=bot.fake.response_url("CSHARE"),
    )
    assert bot.send(click).status == 200
    bot.settle()
    shared, chart = bot.replies("CSHARE")
    assert "$10,238.10" in json.dumps(shared["blocks"])
    assert "<@USHARER>" in json.dumps(shared["blocks"])
    assert not [block for block in shared["blocks"] if block["type"] == "actions"], "no second share button"
    assert chart["thread_ts"] == shared["ts"]
    (file,) = chart["files"]
    assert file["mimetype"] == "image/png"
    assert _pixels(bot.fake.files[file["id"]]).shape == (CHART_SIZE[1], CHART_SIZE[0], 3)
    assert bot.fake.responses[-1]["text"] == "Shared in the channel."
    assert bot.fake.refusals == []


def test_sharing_where_the_bot_is_not_a_member_sends_the_chart_to_the_dm_and_says_so(bot: SlackBot) -> None:
    """If the advisor cannot post in the channel, the chart goes to the user's DM and the reply tells them."""
    bot.fake.deny_channel("CCLOSED")
    _command(bot, "/breakeven", "2B", channel="CCLOSED", user="UCLOSED")
    click = block_action(
        SHARE_ACTION,
        _share_button(_only_response(bot)["blocks"])["value"],
        user="UCLOSED",
        channel="CCLOSED",
        message_ts=new_ts(),
        container="ephemeral",
        response_url=bot.fake.response_url("CCLOSED"),
    )
    bot.send(click)
    bot.settle()
    (in_dm,) = bot.replies("DUCLOSED")
    assert in_dm["files"][0]["mimetype"] == "image/png"
    assert "$30,000.00" in in_dm["text"]
    reply = bot.fake.responses[-1]["text"]
    assert "can't post in this channel" in reply
    assert "DM" in reply
    assert bot.fake.messages("CCLOSED") == []


def _form(
    tokens: str | None, model: str | None = None, gpu: str | None = None, hourly: str | None = None
) -> Any:
    """The form's state as Slack sends it: an empty optional field has the value null."""
    fields = {"tokens": tokens, "model": model, "gpu": gpu, "gpu_hourly": hourly}
    return {name: {name: {"type": "plain_text_input", "value": value}} for name, value in fields.items()}


def _open_form(bot: SlackBot, channel: str, user: str) -> dict[str, Any]:
    _command(bot, "/breakeven", "", channel=channel, user=user)
    (opened,) = bot.fake.calls_to("views.open")
    assert opened["view"]["callback_id"] == BREAKEVEN_MODAL
    (view,) = bot.fake.views.values()
    assert [block["block_id"] for block in view["blocks"] if block["type"] == "input"] == [
        "tokens",
        "model",
        "gpu",
        "gpu_hourly",
    ]
    assert bot.fake.responses == []
    return view


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (_form("500M", "gpt-4o", "h100", "3.99"), "$10,238.10"),
        (_form("500M", "claude sonnet 4.6"), "$4,500.00"),
    ],
    ids=["every-field", "model-in-words"],
)
def test_breakeven_without_arguments_opens_the_form_and_its_answer_arrives_privately(
    bot: SlackBot, form: Any, expected: str
) -> None:
    """/breakeven alone opens a form; submitting it shows the result only to the user, in the channel."""
    view = _open_form(bot, "CFORM", "UFORM")
    submitted = view_submission(
        BREAKEVEN_MODAL, form, user="UFORM", private_metadata=view["private_metadata"]
    )
    response = bot.send(submitted)
    assert response.status == 200
    assert not response.body, "the modal closes"
    bot.settle()
    (ephemeral,) = bot.fake.ephemerals
    assert (ephemeral["channel"], ephemeral["user"]) == ("CFORM", "UFORM")
    assert expected in json.dumps(ephemeral["blocks"])
    assert _image_file_id(ephemeral["blocks"]) in bot.fake.files
    assert bot.fake.messages("CFORM") == []


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (_form("lots"), "tokens"),
        (_form("-5M"), "tokens"),
        (_form("500M", model="gpt-7"), "model"),
        (_form("500M", gpu="h9000"), "gpu"),
        (_form("500M", hourly="cheap"), "gpu_hourly"),
    ],
    ids=["words-for-tokens", "negative-tokens", "unknown-model", "unknown-gpu", "bad-price"],
)
def test_a_bad_value_in_the_form_comes_back_as_an_error_on_its_field(
    bot: SlackBot, form: Any, field: str
) -> None:
    """A value the calculator cannot read keeps the form open with a one-line error under that field."""
    view = _open_form(bot, "CFORMBAD", "UFORMBAD")
    response = bot.send(
        view_submission(BREAKEVEN_MODAL, form, user="UFORMBAD", private_metadata=view["private_metadata"])
    )
    assert response.status == 200
    body = json.loads(response.body)
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == [field]
    assert 0 < len(body["errors"][field]) <= 150
    bot.settle()
    assert bot.fake.ephemerals == []


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        ("/aicost", "gpt-4o 8M in 2M out", "$40.00"),
        ("/aicost", "8M in 2M out on gpt-4o", "$40.00"),
        ("/aiphase", "$30K", "Phase 2"),
        ("/aiphase", "8000 a month", "Phase 1"),
    ],
)
def test_cost_and_phase_commands_answer_privately(
    bot: SlackBot, command: str, text: str, expected: str
) -> None:
    """/aicost gives the exact API cost and /aiphase the guide's phase, to the caller only, with a share button."""
    _command(bot, command, text)
    response = _only_response(bot)
    assert response.get("response_type", "ephemeral") == "ephemeral"
    assert expected in json.dumps(response)
    _share_button(response["blocks"])
    assert bot.fake.calls_to("files.getUploadURLExternal") == []


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("/breakeven", "help"),
        ("/aicost", "help"),
        ("/aiphase", "help"),
        ("/breakeven", "500M gpt-7"),
        ("/breakeven", "-5M"),
        ("/breakeven", "1,5B"),
        ("/breakeven", "NaN"),
        ("/aicost", "gpt-7 8M in 2M out"),
        ("/aicost", "gpt-4o"),
        ("/aiphase", "-5M"),
        ("/aiphase", "NaN"),
        ("/aiphase", "lots of money"),
    ],
)
def test_help_unknown_words_and_bad_amounts_get_short_private_help_with_examples(
    bot: SlackBot, command: str, text: str
) -> None:
    """Anything a command cannot read is answered privately with what to type, never a traceback."""
    _command(bot, command, text)
    response = _only_response(bot)
    assert response.get("response_type", "ephemeral") == "ephemeral"
    shown = json.dumps(response)
    assert "Try:" in response["text"]
    assert f"`{command} " in shown, "an example of the command"
    assert "Traceback" not in shown
    assert "Sorry" not in shown, "the command did not fail on the bot's side"
    assert len(response["text"]) < 400
    assert bot.fake.calls_to("files.getUploadURLExternal") == []
    assert [m for m in bot.fake.messages("C1") if m.get("user") == BOT_USER_ID] == []
