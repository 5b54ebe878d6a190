"""API or self-hosted: which is cheaper at a volume, and from which volume on."""

import itertools
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, Decimal
from enum import StrEnum

from calculators.api_cost import THOUSAND
from calculators.errors import InvalidInputError
from calculators.self_hosted import (
    SelfHostedCost,
    SelfHostedSetup,
    Throughput,
    engineer_monthly_cost,
    self_hosted_cost,
)
from calculators.validation import non_negative

MAX_GPU_STEPS = 1_000_000
"""GPU counts scanned before the search gives up (only tiny throughputs come near it)."""


@dataclass(frozen=True)
class OpsSchedule:
    """Operations hours that grow with volume: interpolated between points, flat outside.

    The guide's break-even examples: 20 h at 100M, 30 h at 500M, 40 h at 2B.
    """

    points: tuple[tuple[Decimal, Decimal], ...]
    """(monthly tokens, ops hours) pairs in ascending token order."""

    def __post_init__(self) -> None:
        if not self.points:
            raise InvalidInputError("an ops schedule needs at least one (tokens, hours) point")
        volumes = [tokens for tokens, _ in self.points]
        if volumes != sorted(set(volumes)):
            raise InvalidInputError("ops schedule volumes must be distinct and ascending")
        for tokens, hours in self.points:
            non_negative("ops schedule tokens", tokens)
            non_negative("ops schedule hours", hours)

    def hours_at(self, tokens: Decimal) -> Decimal:
        """Ops hours at a volume: 300M lies halfway from 100M to 500M, so 25 hours."""
        first, last = self.points[0], self.points[-1]
        if tokens <= first[0]:
            return first[1]
        if tokens >= last[0]:
            return last[1]
        for (low_tokens, low_hours), (high_tokens, high_hours) in zip(
            self.points, self.points[1:], strict=False
        ):
            if low_tokens <= tokens <= high_tokens:
                fraction = (tokens - low_tokens) / (high_tokens - low_tokens)
                return low_hours + fraction * (high_hours - low_hours)
        raise AssertionError("unreachable: tokens lie between the first and last points")


class Verdict(StrEnum):
    """What the comparison at one volume says, in the guide's three outcomes."""

    STAY_ON_API = "stay_on_api"
    """Self-hosting costs more: remain API-first."""
    BREAKS_EVEN = "breaks_even"
    """Within the break-even band of each other: consider hybrid."""
    SELF_HOST_SAVES = "self_host_saves"
    """Self-hosting saves more than the band: justify the operational investment."""


@dataclass(frozen=True)
class Comparison:
    """API and self-hosted cost of the same month."""

    tokens: Decimal
    api_cost: Decimal
    self_hosted: SelfHostedCost
    ops_hours: Decimal
    verdict: Verdict

    @property
    def saving(self) -> Decimal:
        """What self-hosting saves a month (negative when it costs more)."""
        return self.api_cost - self.self_hosted.monthly_cost


@dataclass(frozen=True)
class BreakEven:
    """Where self-hosting starts to pay, or why it never does."""

    api_price_per_1k: Decimal
    gpu_cost_per_1k: Decimal
    """GPU rental alone per 1K tokens with every serving GPU fully used."""
    break_even_tokens: Decimal | None
    """Smallest monthly volume at which self-hosting costs no more than the API."""
    stays_cheaper_from: Decimal | None
    """Volume above which self-hosting is cheaper at every larger volume (GPU steps can make it
    dearer again just after `break_even_tokens`)."""

    @property
    def never(self) -> bool:
        """True when one GPU's tokens cost more than the same tokens on the API."""
        return self.break_even_tokens is None


def compare(
    tokens: Decimal,
    api_price_per_1k: Decimal,
    setup: SelfHostedSetup,
    *,
    ops_schedule: OpsSchedule | None = None,
    even_band: Decimal = Decimal("0.05"),
) -> Comparison:
    """Both monthly costs at one volume and the guide's verdict.

    Args:
        tokens: monthly tokens.
        api_price_per_1k: the API's price per 1K tokens (blended, or effective for a mix).
        setup: the self-hosted costs; its `ops_hours` is replaced by the schedule when given.
        ops_schedule: ops hours that grow with volume.
        even_band: a difference within this share of the API cost counts as breaking even
            (the guide calls $7,389 against $7,500 "breaks even").

    Raises:
        InvalidInputError: negative tokens or price.
    """
    non_negative("tokens", tokens)
    non_negative("API price per 1K tokens", api_price_per_1k)
    if ops_schedule is not None:
        setup = replace(setup, ops_hours=ops_schedule.hours_at(tokens))
    api = tokens * api_price_per_1k / THOUSAND
    hosted = self_hosted_cost(tokens, setup)
    difference = api - hosted.monthly_cost
    if abs(difference) <= api * even_band:
        verdict = Verdict.BREAKS_EVEN
    elif difference > 0:
        verdict = Verdict.SELF_HOST_SAVES
    else:
        verdict = Verdict.STAY_ON_API
    return Comparison(tokens, api, hosted, setup.ops_hours, verdict)


def break_even(
    api_price_per_1k: Decimal,
    setup: SelfHostedSetup,
    *,
    ops_schedule: OpsSchedule | None = None,
) -> BreakEven:
    """Find the smallest monthly volume where self-hosting is no dearer than the API.

    Self-hosted cost climbs in steps (one more GPU every `tokens_per_gpu_month`) while the API
    cost climbs in a straight line, so the search walks the GPU steps and solves the straight
    pieces between them exactly.

    Raises:
        InvalidInputError: a negative price, or a throughput so small that the search would
            need more than a million GPU steps.
    """
    non_negative("API price per 1K tokens", api_price_per_1k)
    per_token = api_price_per_1k / THOUSAND
    capacity = setup.throughput.tokens_per_gpu_month
    gpu_cost_per_1k = setup.gpu_monthly_cost / capacity * THOUSAND
    gpu_margin = capacity * per_token - setup.gpu_monthly_cost
    if gpu_margin <= 0:
        return BreakEven(api_price_per_1k, gpu_cost_per_1k, None, None)

    schedule = ops_schedule or OpsSchedule(((Decimal(0), setup.ops_hours),))
    last_point = schedule.points[-1][0]
    people_and_fixed = (
        _non_gpu_cost(setup, schedule.points[-1][1]) + setup.spare_gpus * setup.gpu_monthly_cost
    )
    # Past the schedule's last point the dip after each new GPU shrinks by `gpu_margin` per step;
    # after this step it never reaches zero again.
    last_dip = int(((capacity * per_token + people_and_fixed) / gpu_margin).to_integral_value(ROUND_CEILING))
    steps = max(int((last_point / capacity).to_integral_value(ROUND_CEILING)) + 1, last_dip + 1)
    if steps > MAX_GPU_STEPS:
        raise InvalidInputError("throughput per GPU is too small to search for a break-even volume")

    first: Decimal | None = None
    last_not_cheaper = Decimal(0)
    inner_points = [tokens for tokens, _ in schedule.points]
    for gpus in range(1, steps + 1):
        low, high = (gpus - 1) * capacity, gpus * capacity
        edges = [low, *(point for point in inner_points if low < point < high), high]
        for start, end in itertools.pairwise(edges):
            at_start = _advantage(start, gpus, per_token, setup, schedule)
            at_end = _advantage(end, gpus, per_token, setup, schedule)
            if first is None and at_end >= 0:
                first = start if at_start >= 0 else _crossing(start, end, at_start, at_end)
            if at_start <= 0 or at_end <= 0:
                last_not_cheaper = end if at_end <= 0 else _crossing(start, end, at_start, at_end)
    return BreakEven(api_price_per_1k, gpu_cost_per_1k, _whole(first), _whole(last_not_cheaper))


def sensitivity(
    tokens: Decimal,
    api_price_per_1k: Decimal,
    setup: SelfHostedSetup,
    factors: tuple[Decimal, ...],
    *,
    ops_schedule: OpsSchedule | None = None,
) -> list[tuple[Decimal, Comparison, BreakEven]]:
    """The comparison and break-even again with throughput (or utilisation) scaled by each factor.

    Utilisation scales tokens per GPU-month in proportion, so one table answers "what if our
    GPUs are only 30% busy" and "what if the model serves twice as fast".
    """
    rows = []
    for factor in factors:
        scaled = replace(setup, throughput=Throughput(setup.throughput.tokens_per_gpu_month * factor))
        rows.append(
            (
                factor,
                compare(tokens, api_price_per_1k, scaled, ops_schedule=ops_schedule),
                break_even(api_price_per_1k, scaled, ops_schedule=ops_schedule),
            )
        )
    return rows


def _non_gpu_cost(setup: SelfHostedSetup, ops_hours: Decimal) -> Decimal:
    engineers = engineer_monthly_cost(setup.engineers, setup.engineer_annual_cost)
    return ops_hours * setup.ops_rate + engineers + setup.fixed_monthly


def _advantage(
    tokens: Decimal, gpus: int, per_token: Decimal, setup: SelfHostedSetup, schedule: OpsSchedule
) -> Decimal:
    """API cost minus self-hosted cost with `gpus` serving GPUs (positive: self-hosting is cheaper)."""
    hosted = (gpus + setup.spare_gpus) * setup.gpu_monthly_cost + _non_gpu_cost(
        setup, schedule.hours_at(tokens)
    )
    return tokens * per_token - hosted


def _crossing(start: Decimal, end: Decimal, at_start: Decimal, at_end: Decimal) -> Decimal:
    """Where a straight line from (start, at_start) to (end, at_end) crosses zero."""
    return start + (end - start) * (-at_start) / (at_end - at_start)


def _whole(tokens: Decimal | None) -> Decimal | None:
    return None if tokens is None else tokens.to_integral_value(rounding=ROUND_CEILING)
