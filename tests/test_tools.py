"""The calculator tools the LLM calls: schemas a model can read, exact numbers, one-line errors."""

import json
from decimal import Decimal
from typing import Any

import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from bot.calculations.breakeven import BreakEvenRequest, run_breakeven
from bot.chain.tools import TOOL_NAMES, ToolRecorder, build_tools
from knowledge.tables import tables


@pytest.fixture
def recorder() -> ToolRecorder:
    return ToolRecorder()


@pytest.fixture
def tools(recorder: ToolRecorder) -> dict[str, BaseTool]:
    return {tool.name: tool for tool in build_tools(tables(), recorder)}


def call(tool: BaseTool, args: dict[str, Any]) -> ToolMessage:
    """Invoke `tool` the way the answerer does: with a model's tool call."""
    result = tool.invoke({"name": tool.name, "args": args, "id": "call_1", "type": "tool_call"})
    assert isinstance(result, ToolMessage)
    return result


def test_the_five_tools_are_built_under_their_names(tools: dict[str, BaseTool]) -> None:
    """build_tools returns breakeven, api_cost, monthly_tokens, phase and savings."""
    assert list(tools) == ["breakeven", "api_cost", "monthly_tokens", "phase", "savings"]
    assert tuple(tools) == TOOL_NAMES


@pytest.mark.parametrize("name", TOOL_NAMES)
def test_every_tool_and_argument_is_described_for_the_model(tools: dict[str, BaseTool], name: str) -> None:
    """The OpenAI schema of each tool has a description and a described, typed property per argument."""
    schema = convert_to_openai_tool(tools[name])["function"]
    assert len(schema["description"]) > 60
    properties = schema["parameters"]["properties"]
    assert properties
    for argument, spec in properties.items():
        assert spec.get("description"), f"{name}.{argument} has no description"
        assert "type" in spec or "anyOf" in spec, f"{name}.{argument} has no type"


def test_numbers_are_plain_json_numbers_in_the_schema(tools: dict[str, BaseTool]) -> None:
    """tokens is a required JSON number and a share is a number between 0 and 1, not a string pattern."""
    parameters = convert_to_openai_tool(tools["breakeven"])["function"]["parameters"]
    assert parameters["required"] == ["tokens"]
    assert parameters["properties"]["tokens"]["type"] == "number"
    share = parameters["properties"]["input_share"]["anyOf"][0]
    assert share == {"type": "number", "minimum": 0, "maximum": 1}


def test_breakeven_returns_the_calculators_json_and_records_it(
    tools: dict[str, BaseTool], recorder: ToolRecorder
) -> None:
    """breakeven at 500M on the guide's framework gives $7,391.10 self-hosted and records that calculation."""
    message = call(tools["breakeven"], {"tokens": 500000000})
    result = json.loads(message.content)  # type: ignore[arg-type]
    assert message.status == "success"
    assert result["self_hosted_monthly_cost"] == 7391.1
    assert result["api_monthly_cost"] == 7500
    assert result["break_even_tokens"] == 492080000
    assert result["flags"], "the guide's contradictions travel with the numbers"
    assert [item["name"] for item in result["assumptions"]][:3] == ["API price", "GPU", "throughput"]
    expected = run_breakeven(BreakEvenRequest(tokens=Decimal(500000000)), tables())
    assert recorder.calculations == (expected,)


@pytest.mark.parametrize(
    ("name", "args", "key", "expected"),
    [
        ("breakeven", {"tokens": 2000000000}, "self_hosted_monthly_cost", 25564.4),
        ("breakeven", {"tokens": "500M"}, "self_hosted_monthly_cost", 7391.1),
        ("breakeven", {"tokens": 100000000, "api_price_per_1k": 0.015}, "api_monthly_cost", 1500),
        (
            "api_cost",
            {"model": "gpt-4o", "input_tokens": 8000000, "output_tokens": 2000000},
            "monthly_cost",
            40,
        ),
        ("api_cost", {"api_price_per_1k": 0.015, "tokens": 10000000}, "monthly_cost", 150),
        ("monthly_tokens", {"users": 10000}, "monthly_tokens", 82500000),
        ("monthly_tokens", {"users": 10000, "active_share": 1}, "monthly_tokens", 165000000),
        ("phase", {"spend": 12000}, "phase", 2),
        ("phase", {"spend": 9999}, "phase", 1),
        ("savings", {"cache_hit_share": 0.4}, "cache_saving_share", 0.36),
        ("savings", {"batch_share": "40%", "monthly_spend": 10000}, "monthly_saving", 2000),
    ],
)
def test_valid_calls_return_the_calculators_numbers(
    tools: dict[str, BaseTool],
    recorder: ToolRecorder,
    name: str,
    args: dict[str, Any],
    key: str,
    expected: float,
) -> None:
    """Each tool passes its arguments to the calculator exactly and returns its result."""
    message = call(tools[name], args)
    assert message.status == "success", message.content
    assert json.loads(message.content)[key] == expected  # type: ignore[arg-type]
    assert len(recorder.calculations) == 1


def test_decimal_arguments_stay_exact(tools: dict[str, BaseTool], recorder: ToolRecorder) -> None:
    """A JSON float such as 0.015 reaches the calculator as Decimal('0.015'), not a binary approximation."""
    call(tools["breakeven"], {"tokens": 100000000, "api_price_per_1k": 0.015})
    (calculation,) = recorder.calculations
    assert calculation.inputs["api_price_per_1k"] == Decimal("0.015")
    assert calculation.result["api_monthly_cost"] == Decimal(1500)


def test_nulls_take_the_guides_defaults(tools: dict[str, BaseTool]) -> None:
    """An argument sent as null is left to the guide's default instead of failing."""
    message = call(tools["breakeven"], {"tokens": 500000000, "spare_gpus": None, "model": None})
    assert json.loads(message.content)["self_hosted_monthly_cost"] == 7391.1  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "args", "reason"),
    [
        ("breakeven", {"tokens": -5}, "error: tokens cannot be negative (got -5)"),
        ("breakeven", {"tokens": "lots"}, "error: tokens: 'lots' is not a quantity"),
        ("breakeven", {}, "error: tokens: Field required"),
        ("breakeven", {"tokens": 5, "colour": "red"}, "error: colour: Extra inputs are not permitted"),
        ("breakeven", {"tokens": True}, "error: tokens: Decimal input should be"),
        ("breakeven", {"tokens": 5, "gpu": "tpu-v9"}, "error: no rental price known for GPU 'tpu-v9'"),
        (
            "breakeven",
            {"tokens": 5, "model": "gpt-4o", "api_price_per_1k": 0.01},
            "error: give either model or api_price_per_1k, not both",
        ),
        (
            "api_cost",
            {"model": "no-such-model", "tokens": 1000},
            "error: no price known for model 'no-such-model'",
        ),
        (
            "monthly_tokens",
            {"users": 100, "active_share": 40},
            "error: share of users active each day must be between 0% and 100%",
        ),
        ("phase", {"spend": -1}, "error: monthly spend cannot be negative (got -1)"),
        (
            "savings",
            {},
            "error: give a cache hit rate (cache_hit_share 40%) or a batchable share (batch_share",
        ),
        (
            "api_cost",
            {"model": "gpt-4o"},
            "error: say how many tokens: input_tokens 8M output_tokens 2M, or tokens",
        ),
    ],
)
def test_invalid_calls_return_one_error_line_and_record_nothing(
    tools: dict[str, BaseTool], recorder: ToolRecorder, name: str, args: dict[str, Any], reason: str
) -> None:
    """A bad argument comes back as one "error: <reason>" line the model can act on, and nothing is recorded."""
    message = call(tools[name], args)
    assert isinstance(message.content, str)
    assert message.content.startswith(reason), message.content
    assert "\n" not in message.content
    assert message.status == "error"
    assert recorder.calculations == ()


def test_each_answer_gets_its_own_recorder() -> None:
    """Tools built for one recorder never write into another's, so concurrent answers stay apart."""
    first, second = ToolRecorder(), ToolRecorder()
    call(build_tools(tables(), first)[3], {"spend": 500})
    assert len(first.calculations) == 1
    assert second.calculations == ()
