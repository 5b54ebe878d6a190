"""The calculators as LangChain tools, so the LLM takes every number from an exact calculation.

Each tool validates its arguments, runs the matching `bot.calculations.run_*`, hands the model the
calculation's JSON, and appends the `Calculation` to a `ToolRecorder` so the answer can show what
was computed. A bad argument or an impossible input comes back to the model as one line starting
with "error: " (so it can correct itself) and records nothing.
"""

import json
import re
import threading
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema

from bot.calculations.breakeven import BreakEvenRequest, run_breakeven
from bot.calculations.cost import CostRequest, run_cost
from bot.calculations.phase import run_phase
from bot.calculations.record import Calculation
from bot.calculations.savings import run_savings
from bot.calculations.usage import UsageRequest, run_tokens
from bot.chain.executor import ToolCall, run_call
from calculators.errors import CalculatorError, QuantityError
from calculators.quantities import parse_quantity, parse_share
from knowledge.errors import KnowledgeError
from knowledge.tables import Tables

ERROR_PREFIX = "error: "

_CLI_OPTIONS = {
    "api-price": "api_price_per_1k",
    "batch": "batch_share",
    "cache-hits": "cache_hit_share",
    "input": "input_tokens",
    "output": "output_tokens",
    "throughput": "tokens_per_second",
}
"""The calculators word their errors for the CLI; the model needs its own argument names."""
_CLI_OPTION = re.compile(r"--([a-z][a-z-]*)")


def _number(value: object) -> object:
    """Numbers exactly as written: 0.015 stays 0.015; "500M" and "$30K" are read as quantities.

    NaN and infinite numbers are refused with one line (the calculators refuse negative ones).
    """
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, str):
        try:
            return parse_quantity(value)
        except QuantityError as error:
            raise ValueError(f"{error}; send a plain number such as 500000000") from error
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        number = Decimal(value)
        if not number.is_finite():
            raise ValueError(f"{value} is not a finite number; send a plain number such as 500000000")
    return value


def _share(value: object) -> object:
    """A 0-1 fraction; "40%" is accepted too. A bare 40 is left for the calculator to reject."""
    if isinstance(value, str):
        try:
            return parse_share(value)
        except QuantityError as error:
            raise ValueError(f"{error}; send a fraction between 0 and 1 such as 0.4") from error
    return _number(value)


Number = Annotated[Decimal, BeforeValidator(_number), WithJsonSchema({"type": "number"})]
Share = Annotated[
    Decimal, BeforeValidator(_share), WithJsonSchema({"type": "number", "minimum": 0, "maximum": 1})
]


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def given(self) -> dict[str, Any]:
        """The arguments the model actually set; the rest (and nulls) take the guide's defaults."""
        values = {name: getattr(self, name) for name in self.model_fields_set}
        return {name: value for name, value in values.items() if value is not None}

    def calculate(self, tables: Tables) -> Calculation:
        """Run the tool's calculation on these arguments."""
        raise NotImplementedError


class BreakEvenArgs(_Args):
    """Arguments of the `breakeven` tool."""

    tokens: Number = Field(description="Monthly tokens (input + output), e.g. 500000000 for 500M.")
    model: str | None = Field(
        default=None, description="Price the API side at this model's list prices, e.g. gpt-4o."
    )
    api_price_per_1k: Number | None = Field(
        default=None, description="Blended API price in USD per 1K tokens, e.g. 0.015. Not with model."
    )
    input_share: Share | None = Field(
        default=None, description="Share of tokens that are input, 0-1 (e.g. 0.8); prices the mix exactly."
    )
    gpu: str | None = Field(
        default=None, description="GPU offer from the price table: runpod-h100, lambda-h100, aws-h100."
    )
    gpu_hourly: Number | None = Field(default=None, description="GPU rental in USD per hour (x 730 h).")
    gpu_monthly: Number | None = Field(default=None, description="GPU cost in USD per month, e.g. 1963.")
    profile: str | None = Field(
        default=None,
        description=(
            "Throughput profile of the self-hosted model, e.g. llama-3.1-70b-fp8-vllm or llama-3.1-8b-fp8-vllm "
            "(default: the guide's ~167M tokens per GPU-month). Not with tokens_per_gpu or tokens_per_second."
        ),
    )
    tokens_per_gpu: Number | None = Field(
        default=None, description="Tokens one GPU serves a month, e.g. 167000000."
    )
    tokens_per_second: Number | None = Field(
        default=None, description="Measured tokens per second per GPU. Not with tokens_per_gpu."
    )
    utilisation: Share | None = Field(
        default=None, description="Share of the month a GPU is busy, 0-1 (default 0.5)."
    )
    ops_hours: Number | None = Field(
        default=None,
        description="Ops hours a month (default: grows with volume, 20 h at 100M to 40 h at 2B).",
    )
    ops_rate: Number | None = Field(default=None, description="Cost of an ops hour in USD (default 50).")
    spare_gpus: int | None = Field(default=None, ge=0, description="Extra GPUs for redundancy.")
    engineers: Number | None = Field(default=None, description="Dedicated engineers, e.g. 1.5.")
    engineer_annual_cost: Number | None = Field(
        default=None, description="Cost per engineer a year in USD (default 150000)."
    )
    fixed_monthly: Number | None = Field(
        default=None, description="Other fixed infrastructure in USD a month."
    )

    def calculate(self, tables: Tables) -> Calculation:
        """Run `breakeven` on these arguments."""
        return run_breakeven(BreakEvenRequest(**self.given()), tables)


class ApiCostArgs(_Args):
    """Arguments of the `api_cost` tool."""

    model: str | None = Field(default=None, description="Model to price, e.g. gpt-4o or claude-sonnet-4.6.")
    input_tokens: Number | None = Field(default=None, description="Input tokens a month, e.g. 8000000.")
    output_tokens: Number | None = Field(default=None, description="Output tokens a month, e.g. 2000000.")
    tokens: Number | None = Field(
        default=None,
        description="Total tokens a month when the split is unknown (priced blended unless input_share is given).",
    )
    input_share: Share | None = Field(default=None, description="Share of `tokens` that are input, 0-1.")
    api_price_per_1k: Number | None = Field(
        default=None, description="A blended USD price per 1K tokens instead of a model, e.g. 0.015."
    )
    cached_input_share: Share | None = Field(
        default=None, description="Share of input served from the prompt cache, 0-1."
    )
    batch_share: Share | None = Field(
        default=None, description="Share of traffic sent via the Batch API, 0-1."
    )

    def calculate(self, tables: Tables) -> Calculation:
        """Run `cost` on these arguments."""
        return run_cost(CostRequest(**self.given()), tables)


class MonthlyTokensArgs(_Args):
    """Arguments of the `monthly_tokens` tool."""

    users: Number = Field(description="Monthly active users, e.g. 10000.")
    active_share: Share | None = Field(default=None, description="Share active each day, 0-1 (default 0.5).")
    interactions_per_day: Number | None = Field(
        default=None, description="Interactions per active user a day (default 1)."
    )
    input_tokens: Number | None = Field(
        default=None, description="Input tokens per interaction (default 50)."
    )
    output_tokens: Number | None = Field(
        default=None, description="Output tokens per interaction (default 500)."
    )
    days: Number | None = Field(default=None, description="Days in the month (default 30).")
    unit: Literal["users", "queries"] | None = Field(
        default=None,
        description='What `users` counts: "queries" for a monthly count of queries (then share, rate and days are 1).',
    )

    def calculate(self, tables: Tables) -> Calculation:
        """Run `tokens` on these arguments."""
        return run_tokens(UsageRequest(**self.given()))


class PhaseArgs(_Args):
    """Arguments of the `phase` tool."""

    spend: Number = Field(description="Monthly AI API spend in USD, e.g. 12000.")

    def calculate(self, tables: Tables) -> Calculation:
        """Run `phase` on these arguments."""
        return run_phase(self.spend, tables)


class SavingsArgs(_Args):
    """Arguments of the `savings` tool."""

    cache_hit_share: Share | None = Field(
        default=None, description="Share of requests served from cache, 0-1."
    )
    cache_hit_cost: Share | None = Field(
        default=None, description="Cost of a cache hit as a share of a normal request, 0-1 (default 0.1)."
    )
    batch_share: Share | None = Field(
        default=None, description="Share of traffic that can go through the Batch API, 0-1."
    )
    batch_discount: Share | None = Field(default=None, description="Batch API discount, 0-1 (default 0.5).")
    monthly_spend: Number | None = Field(
        default=None, description="Monthly API spend in USD, to express the saving in dollars."
    )

    def calculate(self, tables: Tables) -> Calculation:
        """Run `savings` on these arguments."""
        return run_savings(**self.given())


_TOOLS: tuple[tuple[str, type[_Args], str], ...] = (
    (
        "breakeven",
        BreakEvenArgs,
        (
            "API vs self-hosted monthly cost at a monthly token volume, the break-even volume and a "
            "sensitivity table. Only `tokens` is required: everything else defaults to the guide's "
            "framework ($0.015/1K, RunPod H100 at $2.69/h, ~167M tokens per GPU-month, ops hours at $50/h)."
        ),
    ),
    (
        "api_cost",
        ApiCostArgs,
        (
            "What a month of tokens costs on a named model (exact with input/output tokens, blended with a "
            "total) or at a per-1K rate, with prompt caching and Batch API discounts."
        ),
    ),
    (
        "monthly_tokens",
        MonthlyTokensArgs,
        (
            "Monthly tokens from users: users x daily active share x interactions x tokens per "
            "interaction x days. Defaults are the guide's: 50% daily active, 1 a day, 50 in + 500 out, 30 days."
        ),
    ),
    (
        "phase",
        PhaseArgs,
        (
            "Which of the guide's infrastructure phases a monthly API spend is in, how far the next "
            "phase is, and what the guide recommends there."
        ),
    ),
    (
        "savings",
        SavingsArgs,
        (
            "What prompt/response caching and the Batch API take off a bill, as shares and (given "
            "monthly_spend) in dollars. Give cache_hit_share, batch_share or both."
        ),
    ),
)

TOOL_NAMES: tuple[str, ...] = tuple(name for name, _, _ in _TOOLS)
ARGUMENTS: dict[str, type[_Args]] = {name: schema for name, schema, _ in _TOOLS}
"""Each tool's argument model by tool name: the offline plan builds the same typed calls."""


class ToolRecorder:
    """Collects the calculations the tools actually produced, in order, for one answer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calculations: list[Calculation] = []

    def record(self, calculation: Calculation) -> None:
        """Keep `calculation`."""
        with self._lock:
            self._calculations.append(calculation)

    @property
    def calculations(self) -> tuple[Calculation, ...]:
        """Everything recorded so far."""
        with self._lock:
            return tuple(self._calculations)


def build_tools(tables: Tables, recorder: ToolRecorder | None = None) -> list[BaseTool]:
    """The five calculator tools, each recording into `recorder`.

    Args:
        tables: The price, GPU and framework tables the calculators read.
        recorder: Where successful calculations go; a fresh one nobody reads when omitted (for
            binding the schemas only).

    Returns:
        Tools named breakeven, api_cost, monthly_tokens, phase and savings.
    """
    sink = recorder if recorder is not None else ToolRecorder()
    return [
        StructuredTool.from_function(
            func=_runner(name, schema, tables, sink),
            name=name,
            description=description,
            args_schema=schema,
            handle_tool_error=True,
            handle_validation_error=validation_message,
        )
        for name, schema, description in _TOOLS
    ]


def validation_message(error: Exception) -> str:
    """A pydantic validation error as the one line the model sees: "error: tokens: ..."."""
    if not isinstance(error, ValidationError):
        return f"{ERROR_PREFIX}invalid arguments"
    parts = []
    for item in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        parts.append(f"{where}: {item['msg'].removeprefix('Value error, ')}")
    return ERROR_PREFIX + _one_line("; ".join(parts))


def _runner(name: str, schema: type[_Args], tables: Tables, recorder: ToolRecorder) -> Callable[..., str]:
    def run(**arguments: Any) -> str:
        try:
            calculation = run_call(ToolCall(name, schema.model_validate(arguments)), tables)
        except ValidationError as error:
            raise ToolException(validation_message(error)) from error
        except (CalculatorError, KnowledgeError, InvalidOperation) as error:
            raise ToolException(
                ERROR_PREFIX + _argument_names(_one_line(str(error) or type(error).__name__))
            ) from error
        recorder.record(calculation)
        return json.dumps(calculation.to_json(), default=str, separators=(",", ":"))

    return run


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _argument_names(text: str) -> str:
    """CLI options as the tools' argument names: --api-price is api_price_per_1k, --gpu-hourly gpu_hourly."""
    return _CLI_OPTION.sub(lambda match: _CLI_OPTIONS.get(match[1], match[1].replace("-", "_")), text)
