"""What a month of tokens costs on a hosted API, exactly or the guide's blended way."""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from calculators.errors import InvalidInputError
from calculators.tokens import MonthlyTokens
from calculators.validation import non_negative, share

MILLION = Decimal(1_000_000)
THOUSAND = Decimal(1_000)


@dataclass(frozen=True)
class ModelPrice:
    """List prices of one model, per million tokens."""

    model: str
    input_per_million: Decimal
    output_per_million: Decimal
    cached_input_per_million: Decimal | None = None
    """Price of a cached input token, when the provider discounts them."""
    batch_multiplier: Decimal | None = None
    """What a Batch API token costs relative to list price (OpenAI: 0.5)."""

    def __post_init__(self) -> None:
        non_negative(f"{self.model} input price", self.input_per_million)
        non_negative(f"{self.model} output price", self.output_per_million)


class PricingMethod(StrEnum):
    """How the API side was priced."""

    EXACT = "exact"
    """Input and output tokens each at their own list price."""
    BLENDED = "blended"
    """All tokens at one per-1K rate (the guide's method; hides the input/output mix)."""


@dataclass(frozen=True)
class ApiCost:
    """A month of API spend, with the parts that make it up."""

    monthly_cost: Decimal
    input_cost: Decimal
    output_cost: Decimal
    method: PricingMethod
    price_per_1k: Decimal
    """The blended rate used, or for exact pricing the effective rate that resulted."""
    cache_saving: Decimal = Decimal(0)
    batch_saving: Decimal = Decimal(0)


def blended_price_per_1k(price: ModelPrice) -> Decimal:
    """The guide's 'average per 1K tokens': the plain mean of input and output prices.

    GPT-4o ($2.50 / $10 per 1M) gives $0.00625 per 1K.
    """
    return (price.input_per_million + price.output_per_million) / 2 / THOUSAND


def blended_api_cost(tokens: Decimal, price_per_1k: Decimal) -> ApiCost:
    """All tokens at one per-1K rate: 82.5M x $0.00625/1K = $515.625.

    Raises:
        InvalidInputError: negative tokens or price.
    """
    non_negative("tokens", tokens)
    non_negative("API price per 1K tokens", price_per_1k)
    cost = tokens * price_per_1k / THOUSAND
    return ApiCost(
        monthly_cost=cost,
        input_cost=cost,
        output_cost=Decimal(0),
        method=PricingMethod.BLENDED,
        price_per_1k=price_per_1k,
    )


def api_cost(
    price: ModelPrice,
    tokens: MonthlyTokens,
    *,
    cached_input_share: Decimal = Decimal(0),
    batch_share: Decimal = Decimal(0),
) -> ApiCost:
    """Exact monthly cost: input and output at their own list prices.

    Args:
        price: the model's list prices.
        tokens: the month's input and output tokens.
        cached_input_share: share of input tokens served from the provider's prompt cache, billed
            at `price.cached_input_per_million`.
        batch_share: share of all traffic sent through the Batch API, billed at
            `price.batch_multiplier` of the (cached or list) price.

    Raises:
        InvalidInputError: a share outside 0-100%, or a cache/batch share for a model without a
            cache/batch price.
    """
    share("cached input share", cached_input_share)
    share("batch share", batch_share)
    non_negative("input tokens", tokens.input_tokens)
    non_negative("output tokens", tokens.output_tokens)
    if cached_input_share and price.cached_input_per_million is None:
        raise InvalidInputError(f"{price.model} has no cached-input price in the price table")
    if batch_share and price.batch_multiplier is None:
        raise InvalidInputError(f"{price.model} has no Batch API discount in the price table")

    cached_price = price.cached_input_per_million or price.input_per_million
    cached_input = tokens.input_tokens * cached_input_share
    full_input = tokens.input_tokens - cached_input
    input_list = (full_input * price.input_per_million + cached_input * price.input_per_million) / MILLION
    input_cost = (full_input * price.input_per_million + cached_input * cached_price) / MILLION
    output_cost = tokens.output_tokens * price.output_per_million / MILLION

    batch_factor = Decimal(1)
    if batch_share:
        assert price.batch_multiplier is not None
        batch_factor = 1 - batch_share * (1 - price.batch_multiplier)
    before_batch = input_cost + output_cost
    total = before_batch * batch_factor
    return ApiCost(
        monthly_cost=total,
        input_cost=input_cost * batch_factor,
        output_cost=output_cost * batch_factor,
        method=PricingMethod.EXACT,
        price_per_1k=total / tokens.total * THOUSAND if tokens.total else Decimal(0),
        cache_saving=input_list - input_cost,
        batch_saving=before_batch - total,
    )


def effective_price_per_1k(
    price: ModelPrice,
    input_share: Decimal,
    *,
    cached_input_share: Decimal = Decimal(0),
    batch_share: Decimal = Decimal(0),
) -> Decimal:
    """What 1K tokens cost at list prices for a given input/output mix and discounts.

    GPT-4o with 80% input: 0.8 x $2.50 + 0.2 x $10 per 1M = $0.0040 per 1K.

    Raises:
        InvalidInputError: shares outside 0-100%, or a discount the model does not offer.
    """
    share("input share", input_share)
    thousand = MonthlyTokens(input_tokens=THOUSAND * input_share, output_tokens=THOUSAND * (1 - input_share))
    return api_cost(
        price, thousand, cached_input_share=cached_input_share, batch_share=batch_share
    ).monthly_cost


def per_user_budget(users: Decimal, low_per_user: Decimal, high_per_user: Decimal) -> tuple[Decimal, Decimal]:
    """The guide's budgeting rule: $2-5 per active user a month; 1,000 users is $2,000-5,000.

    Raises:
        InvalidInputError: negative users or prices, or a low bound above the high one.
    """
    non_negative("users", users)
    non_negative("budget per user", low_per_user)
    if high_per_user < low_per_user:
        raise InvalidInputError("the low budget per user is above the high one")
    return users * low_per_user, users * high_per_user
