"""What caching, the Batch API and a hybrid split save."""

from dataclasses import dataclass
from decimal import Decimal

from calculators.api_cost import THOUSAND
from calculators.self_hosted import SelfHostedCost, SelfHostedSetup, self_hosted_cost
from calculators.validation import non_negative, share


def cache_saving_share(hit_share: Decimal, hit_cost_share: Decimal) -> Decimal:
    """Share of spend a cache removes: 40% hits at 10% of the cost saves 36%.

    Raises:
        InvalidInputError: either share outside 0-100%.
    """
    share("cache hit share", hit_share)
    share("cost of a cache hit (share of normal)", hit_cost_share)
    return hit_share * (1 - hit_cost_share)


def batch_saving_share(batch_share: Decimal, discount: Decimal) -> Decimal:
    """Share of spend the Batch API removes: 40% batchable at 50% off saves 20%.

    Raises:
        InvalidInputError: either share outside 0-100%.
    """
    share("batchable share of traffic", batch_share)
    share("Batch API discount", discount)
    return batch_share * discount


@dataclass(frozen=True)
class HybridCost:
    """Interactive traffic on the API, batch traffic self-hosted."""

    api_cost: Decimal
    self_hosted: SelfHostedCost

    @property
    def monthly_cost(self) -> Decimal:
        """Both halves together."""
        return self.api_cost + self.self_hosted.monthly_cost


def hybrid_cost(
    interactive_tokens: Decimal,
    batch_tokens: Decimal,
    api_price_per_1k: Decimal,
    batch_setup: SelfHostedSetup,
) -> HybridCost:
    """Scenario 1's hybrid: 5B interactive at $0.015/1K + 10B batch on one H100 = $76,963.

    Raises:
        InvalidInputError: negative tokens or price.
    """
    non_negative("interactive tokens", interactive_tokens)
    non_negative("API price per 1K tokens", api_price_per_1k)
    return HybridCost(
        api_cost=interactive_tokens * api_price_per_1k / THOUSAND,
        self_hosted=self_hosted_cost(batch_tokens, batch_setup),
    )
