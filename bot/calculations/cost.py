"""`cost`: what a month of tokens costs on a named model or at a per-1K rate."""

from dataclasses import dataclass
from decimal import Decimal

from bot.calculations.format import percent, rate
from bot.calculations.record import Assumption, Calculation, Figure
from calculators.api_cost import ApiCost, api_cost, blended_api_cost, blended_price_per_1k
from calculators.errors import InvalidInputError
from calculators.quantities import format_tokens, format_usd
from calculators.tokens import MonthlyTokens, split_tokens
from knowledge.prices import find_model
from knowledge.tables import Tables


@dataclass(frozen=True)
class CostRequest:
    """A month of traffic and how to price it."""

    model: str | None = None
    input_tokens: Decimal | None = None
    output_tokens: Decimal | None = None
    tokens: Decimal | None = None
    """A total without a split: priced blended unless `input_share` is given."""
    input_share: Decimal | None = None
    api_price_per_1k: Decimal | None = None
    cached_input_share: Decimal = Decimal(0)
    batch_share: Decimal = Decimal(0)


def run_cost(request: CostRequest, tables: Tables) -> Calculation:
    """Price the month exactly when the split is known, else blended and labelled so.

    Raises:
        CalculatorError, KnowledgeError: missing or impossible input, or an unknown model.
    """
    if request.api_price_per_1k is not None:
        return _blended_rate(request)
    if request.model is None:
        raise InvalidInputError("name a model (--model gpt-4o) or a rate (--api-price 0.015)")
    quote = find_model(request.model, tables)
    origin = quote.source + (f" (as of {quote.as_of})" if quote.as_of else "")
    price = quote.price
    assumptions = [
        Assumption(
            "prices",
            f"{price.model} ({quote.provider}) ${price.input_per_million} in / ${price.output_per_million} out per 1M",
            origin,
        )
    ]
    tokens = _tokens(request)
    if tokens is None and price.output_per_million == 0 and request.tokens is not None:
        # An embedding model generates nothing: every token is input, never half of them.
        tokens = MonthlyTokens(request.tokens, Decimal(0))
        assumptions.append(
            Assumption("split", f"all input: {price.model} has no output price", "price table")
        )
    if tokens is None:
        assert request.tokens is not None
        blended = blended_price_per_1k(price)
        cost = blended_api_cost(request.tokens, blended)
        assumptions.append(
            Assumption(
                "pricing",
                f"blended: mean of input and output price, {rate(blended)}/1K",
                "the guide's method",
            )
        )
        return Calculation(
            tool="cost",
            inputs=_inputs(request),
            result=_result(cost, price.model, quote.source),
            summary=(
                f"{format_tokens(request.tokens)} tokens a month on {price.model}, blended at {rate(blended)}/1K: "
                f"{format_usd(cost.monthly_cost, cents=True)} a month (the guide's blended method)."
            ),
            assumptions=tuple(assumptions),
            flags=(
                "Blended pricing hides the input/output mix: give the split (--input/--output or --input-share) "
                "for the exact figure. " + tables.contradiction("blended-hides-mix").note,
                *_gpt4o_rate_flag(price.model, request.tokens, tables),
            ),
            caveats=(
                tables.contradiction("blended-hides-mix").short
                + " Give the input/output split for the exact figure.",
                *_gpt4o_rate_caveat(price.model, request.tokens, tables),
            ),
            figures=(
                Figure("Tokens a month", format_tokens(request.tokens)),
                Figure("Rate", f"{rate(blended)} per 1K, blended"),
                Figure(price.model, f"{format_usd(cost.monthly_cost, cents=True)} a month"),
            ),
        )
    cost = api_cost(
        price, tokens, cached_input_share=request.cached_input_share, batch_share=request.batch_share
    )
    blended = blended_api_cost(tokens.total, blended_price_per_1k(price)).monthly_cost
    details = [
        f"  Input:  {format_tokens(tokens.input_tokens)} tokens = {format_usd(cost.input_cost, cents=True)}",
        f"  Output: {format_tokens(tokens.output_tokens)} tokens = {format_usd(cost.output_cost, cents=True)}",
    ]
    saved: list[str] = []
    if request.cached_input_share:
        assumptions.append(
            Assumption(
                "cached input",
                f"{percent(request.cached_input_share)} of input at ${price.cached_input_per_million}/1M",
                "you",
            )
        )
        details.append(f"  Prompt caching saves {format_usd(cost.cache_saving, cents=True)}.")
        saved.append(f"prompt caching saves {format_usd(cost.cache_saving, cents=True)}")
    if request.batch_share:
        assumptions.append(
            Assumption(
                "Batch API",
                f"{percent(request.batch_share)} of traffic at {percent(price.batch_multiplier or Decimal(1))} of list",
                "you",
            )
        )
        details.append(f"  The Batch API saves {format_usd(cost.batch_saving, cents=True)}.")
        saved.append(f"the Batch API saves {format_usd(cost.batch_saving, cents=True)}")
    result = _result(cost, price.model, quote.source)
    result |= {
        "blended_monthly_cost": blended,
        "cache_saving": cost.cache_saving,
        "batch_saving": cost.batch_saving,
    }
    return Calculation(
        tool="cost",
        inputs=_inputs(request),
        result=result,
        summary=(
            f"{format_tokens(tokens.input_tokens)} input ({format_usd(cost.input_cost, cents=True)}) + "
            f"{format_tokens(tokens.output_tokens)} output tokens ({format_usd(cost.output_cost, cents=True)}) a month "
            f"on {price.model}: {format_usd(cost.monthly_cost, cents=True)} a month at list prices."
            + (f" Against list prices, {' and '.join(saved)} a month." if saved else "")
        ),
        assumptions=tuple(assumptions),
        flags=(
            (
                (
                    f"The guide's blended method (mean of input and output price) would say {format_usd(blended, cents=True)}; "
                    "this figure prices input and output separately, which is exact."
                ),
            )
            if blended != cost.monthly_cost and not request.cached_input_share and not request.batch_share
            else ()
        )
        + _gpt4o_rate_flag(price.model, tokens.total, tables),
        caveats=(
            (
                f"The guide's blended method would say {format_usd(blended, cents=True)}; this prices input and output separately.",
            )
            if blended != cost.monthly_cost and not request.cached_input_share and not request.batch_share
            else ()
        )
        + _gpt4o_rate_caveat(price.model, tokens.total, tables),
        details=tuple(details),
        figures=(
            Figure(
                "Input",
                f"{format_tokens(tokens.input_tokens)} tokens: {format_usd(cost.input_cost, cents=True)}",
            ),
            Figure(
                "Output",
                f"{format_tokens(tokens.output_tokens)} tokens: {format_usd(cost.output_cost, cents=True)}",
            ),
            *(
                (Figure("Prompt caching saves", format_usd(cost.cache_saving, cents=True)),)
                if request.cached_input_share
                else ()
            ),
            *(
                (Figure("Batch API saves", format_usd(cost.batch_saving, cents=True)),)
                if request.batch_share
                else ()
            ),
            Figure(price.model, f"{format_usd(cost.monthly_cost, cents=True)} a month"),
        ),
    )


def _blended_rate(request: CostRequest) -> Calculation:
    if request.model is not None:
        raise InvalidInputError("give either --model or --api-price, not both")
    total = request.tokens
    if total is None:
        total = (request.input_tokens or Decimal(0)) + (request.output_tokens or Decimal(0))
    assert request.api_price_per_1k is not None
    cost = blended_api_cost(total, request.api_price_per_1k)
    return Calculation(
        tool="cost",
        inputs=_inputs(request),
        result=_result(cost, None, "you"),
        summary=f"{format_tokens(total)} tokens a month at {rate(request.api_price_per_1k)}/1K: {format_usd(cost.monthly_cost, cents=True)} a month.",
        assumptions=(
            Assumption("API price", f"{rate(request.api_price_per_1k)} per 1K tokens, blended", "you"),
        ),
        figures=(
            Figure("Tokens a month", format_tokens(total)),
            Figure("Rate", f"{rate(request.api_price_per_1k)} per 1K"),
            Figure("Cost", f"{format_usd(cost.monthly_cost, cents=True)} a month"),
        ),
    )


def _gpt4o_rate_flag(model: str, tokens: Decimal, tables: Tables) -> tuple[str, ...]:
    """GPT-4o has a second price in the guide: say what that one would give, and that it was not used."""
    at_guide_rate = _at_guide_gpt4o_rate(model, tokens, tables)
    if at_guide_rate is None:
        return ()
    return (
        f"At the {rate(tables.framework.api_price_per_1k)}/1K that the guide's break-even examples and Scenarios "
        f"1 and 3 call GPT-4o, this would be {format_usd(at_guide_rate, cents=True)}; I used GPT-4o's list prices. "
        + tables.contradiction("two-gpt4o-rates").note,
    )


def _gpt4o_rate_caveat(model: str, tokens: Decimal, tables: Tables) -> tuple[str, ...]:
    """The one-line form of `_gpt4o_rate_flag`."""
    at_guide_rate = _at_guide_gpt4o_rate(model, tokens, tables)
    if at_guide_rate is None:
        return ()
    return (
        (
            f"At the guide's other GPT-4o rate ({rate(tables.framework.api_price_per_1k)}/1K) this would be "
            f"{format_usd(at_guide_rate, cents=True)}; this uses list prices."
        ),
    )


def _at_guide_gpt4o_rate(model: str, tokens: Decimal, tables: Tables) -> Decimal | None:
    """The cost at the guide's break-even rate when the model is GPT-4o, which the guide prices twice."""
    if model != "gpt-4o":
        return None
    return blended_api_cost(tokens, tables.framework.api_price_per_1k).monthly_cost


def _tokens(request: CostRequest) -> MonthlyTokens | None:
    if request.input_tokens is not None or request.output_tokens is not None:
        if request.tokens is not None:
            raise InvalidInputError("give --tokens or --input/--output, not both")
        return MonthlyTokens(request.input_tokens or Decimal(0), request.output_tokens or Decimal(0))
    if request.tokens is None:
        raise InvalidInputError("say how many tokens: --input 8M --output 2M, or --tokens 10M")
    if request.input_share is not None:
        return split_tokens(request.tokens, request.input_share)
    return None


def _inputs(request: CostRequest) -> dict[str, object]:
    return {name: value for name, value in vars(request).items() if value is not None and value != Decimal(0)}


def _result(cost: ApiCost, model: str | None, source: str) -> dict[str, object]:
    """The JSON fields every cost result has; method and rate come from the calculator's own record."""
    return {
        "monthly_cost": cost.monthly_cost,
        "input_cost": cost.input_cost,
        "output_cost": cost.output_cost,
        "method": cost.method.value,
        "price_per_1k": cost.price_per_1k,
        "model": model,
        "price_source": source,
    }
