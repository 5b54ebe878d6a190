"""Monthly token volume from how many people use the product and how."""

from dataclasses import dataclass
from decimal import Decimal

from calculators.validation import non_negative, positive, share


@dataclass(frozen=True)
class Usage:
    """How a product is used, in the terms of the guide's Cost Analysis Framework, question 1."""

    users: Decimal
    """Monthly active users (or customers, or queries: whatever one interaction belongs to)."""
    active_share: Decimal = Decimal(1)
    """Share of those users who interact on a given day, 0 to 1 (the guide assumes 0.5)."""
    interactions_per_day: Decimal = Decimal(1)
    """Interactions each active user makes a day."""
    input_tokens: Decimal = Decimal(0)
    """Tokens sent per interaction (prompt, question, context)."""
    output_tokens: Decimal = Decimal(0)
    """Tokens generated per interaction (the response)."""
    days: Decimal = Decimal(30)
    """Days in the month (the guide uses 30)."""


@dataclass(frozen=True)
class MonthlyTokens:
    """A month of traffic, split into what is sent and what is generated."""

    input_tokens: Decimal
    output_tokens: Decimal

    @property
    def total(self) -> Decimal:
        """All tokens, input and output together."""
        return self.input_tokens + self.output_tokens


def monthly_tokens(usage: Usage) -> MonthlyTokens:
    """Tokens a month: users x active share x interactions x tokens x days.

    The guide's example: 10K MAU x 50% x (50 + 500) x 30 = 82.5M tokens.

    Raises:
        InvalidInputError: a negative count, a share outside 0-100%, or no days.
    """
    non_negative("users", usage.users)
    share("share of users active each day", usage.active_share)
    non_negative("interactions per day", usage.interactions_per_day)
    non_negative("input tokens per interaction", usage.input_tokens)
    non_negative("output tokens per interaction", usage.output_tokens)
    positive("days", usage.days)
    interactions = usage.users * usage.active_share * usage.interactions_per_day * usage.days
    return MonthlyTokens(
        input_tokens=interactions * usage.input_tokens,
        output_tokens=interactions * usage.output_tokens,
    )


def split_tokens(total: Decimal, input_share: Decimal) -> MonthlyTokens:
    """Split a total into input and output by the share that is input (Scenario 2: 80%).

    Raises:
        InvalidInputError: negative total or a share outside 0-100%.
    """
    non_negative("tokens", total)
    share("input share", input_share)
    input_tokens = total * input_share
    return MonthlyTokens(input_tokens=input_tokens, output_tokens=total - input_tokens)
