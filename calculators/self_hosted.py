"""What it costs to serve a month of tokens on rented GPUs, people included."""

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from calculators.validation import non_negative, positive, share

HOURS_PER_MONTH = Decimal(730)
"""Rental hours in a month, as the guide counts them (24 x 365 / 12)."""


@dataclass(frozen=True)
class Throughput:
    """How many tokens one GPU serves in a month.

    Give either `tokens_per_gpu_month` directly (the guide's break-even examples imply ~167M), or
    `tokens_per_second` with `utilisation`: busy seconds in a month x tokens/s.
    """

    tokens_per_gpu_month: Decimal

    @classmethod
    def from_tokens_per_second(
        cls,
        tokens_per_second: Decimal,
        utilisation: Decimal,
        hours_per_month: Decimal = HOURS_PER_MONTH,
    ) -> "Throughput":
        """Tokens a month from a measured rate and the share of the month the GPU is busy.

        Raises:
            InvalidInputError: zero or negative rate, utilisation outside (0, 100%].
        """
        positive("throughput (tokens per second)", tokens_per_second)
        share("utilisation", utilisation)
        positive("utilisation", utilisation)
        return cls(tokens_per_second * utilisation * hours_per_month * 3600)

    def __post_init__(self) -> None:
        positive("tokens per GPU-month", self.tokens_per_gpu_month)

    def scaled(self, factor: Decimal) -> "Throughput":
        """The same GPU serving `factor` times as many tokens (for sensitivity tables)."""
        return Throughput(self.tokens_per_gpu_month * factor)


@dataclass(frozen=True)
class SelfHostedSetup:
    """Everything a self-hosted month costs besides the tokens themselves."""

    gpu_monthly_cost: Decimal
    """One GPU for a month: hourly rental x 730, or the figure the guide states ($1,963)."""
    throughput: Throughput
    spare_gpus: int = 0
    """GPUs kept beyond what the volume needs, for redundancy."""
    ops_hours: Decimal = Decimal(0)
    """Hours a month spent operating the cluster."""
    ops_rate: Decimal = Decimal(0)
    """Cost of one operations hour."""
    engineers: Decimal = Decimal(0)
    """Full-time engineers dedicated to the inference stack."""
    engineer_annual_cost: Decimal = Decimal(0)
    """What one such engineer costs a year."""
    fixed_monthly: Decimal = Decimal(0)
    """Other infrastructure a month: load balancer, monitoring, storage, a fixed ops budget."""

    def __post_init__(self) -> None:
        non_negative("GPU monthly cost", self.gpu_monthly_cost)
        non_negative("spare GPUs", Decimal(self.spare_gpus))
        non_negative("ops hours", self.ops_hours)
        non_negative("ops rate", self.ops_rate)
        non_negative("engineers", self.engineers)
        non_negative("engineer annual cost", self.engineer_annual_cost)
        non_negative("fixed monthly cost", self.fixed_monthly)


@dataclass(frozen=True)
class SelfHostedCost:
    """A self-hosted month, itemised."""

    monthly_cost: Decimal
    gpus: int
    gpu_cost: Decimal
    ops_cost: Decimal
    engineer_cost: Decimal
    fixed_cost: Decimal
    utilisation: Decimal
    """Share of the rented serving capacity the volume uses (spare GPUs excluded)."""


def gpu_monthly_cost(hourly: Decimal, hours: Decimal = HOURS_PER_MONTH) -> Decimal:
    """One GPU rented all month: RunPod H100 SXM $2.69 x 730 h = $1,963.70.

    Raises:
        InvalidInputError: negative price or no hours.
    """
    non_negative("GPU price per hour", hourly)
    positive("hours per month", hours)
    return hourly * hours


def gpus_needed(tokens: Decimal, throughput: Throughput) -> int:
    """Whole GPUs to serve `tokens` a month: 500M at ~167M per GPU needs 3.

    Raises:
        InvalidInputError: negative tokens.
    """
    non_negative("tokens", tokens)
    if tokens == 0:
        return 0
    return int((tokens / throughput.tokens_per_gpu_month).to_integral_value(rounding=ROUND_CEILING))


def engineer_monthly_cost(engineers: Decimal, annual_cost: Decimal) -> Decimal:
    """Engineers a month: 1 at $150K a year is $12,500; 2 at $150K is $25,000.

    Raises:
        InvalidInputError: negative count or salary.
    """
    non_negative("engineers", engineers)
    non_negative("engineer annual cost", annual_cost)
    return engineers * annual_cost / 12


def self_hosted_cost(tokens: Decimal, setup: SelfHostedSetup) -> SelfHostedCost:
    """GPUs for the volume (plus spares) + ops hours x rate + engineers + fixed costs.

    The guide's example 2: 500M tokens on 3 H100s at $1,963 + 30 h x $50 = $7,389.

    Raises:
        InvalidInputError: negative tokens.
    """
    serving_gpus = gpus_needed(tokens, setup.throughput)
    gpus = serving_gpus + setup.spare_gpus
    gpu_cost = gpus * setup.gpu_monthly_cost
    ops_cost = setup.ops_hours * setup.ops_rate
    engineer_cost = engineer_monthly_cost(setup.engineers, setup.engineer_annual_cost)
    capacity = serving_gpus * setup.throughput.tokens_per_gpu_month
    return SelfHostedCost(
        monthly_cost=gpu_cost + ops_cost + engineer_cost + setup.fixed_monthly,
        gpus=gpus,
        gpu_cost=gpu_cost,
        ops_cost=ops_cost,
        engineer_cost=engineer_cost,
        fixed_cost=setup.fixed_monthly,
        utilisation=tokens / capacity if capacity else Decimal(0),
    )
