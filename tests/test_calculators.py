"""Calculator behaviour beyond the golden cases: parsing, refusals, break-even search, phases."""

from decimal import Decimal as D

import pytest

from calculators.api_cost import ModelPrice, api_cost, effective_price_per_1k
from calculators.breakeven import OpsSchedule, Verdict, break_even, compare
from calculators.errors import InvalidInputError, QuantityError
from calculators.phase import PhaseBand, phase_for_spend
from calculators.quantities import format_tokens, format_usd, parse_quantity, parse_share
from calculators.self_hosted import SelfHostedSetup, Throughput, gpus_needed, self_hosted_cost
from calculators.tokens import MonthlyTokens, Usage, monthly_tokens

GUIDE_OPS = OpsSchedule(((D(100_000_000), D(20)), (D(500_000_000), D(30)), (D(2_000_000_000), D(40))))
RUNPOD = SelfHostedSetup(gpu_monthly_cost=D("1963.70"), throughput=Throughput(D(167_000_000)), ops_rate=D(50))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500M", D(500_000_000)),
        ("2B", D(2_000_000_000)),
        ("82.5M", D(82_500_000)),
        ("10K", D(10_000)),
        ("$30K", D(30_000)),
        ("1,200,000", D(1_200_000)),
        ("0.015", D("0.015")),
        ("2.5m", D(2_500_000)),
    ],
)
def test_quantities_people_type(text: str, value: D) -> None:
    """Amounts with K/M/B suffixes, dollar signs and thousands commas read exactly."""
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["banana", "-5M", "1,20,000", "5X", "", "$"])
def test_quantities_refused_with_what_to_type(text: str) -> None:
    """Text that is not an amount is refused with an example of what to type."""
    with pytest.raises(QuantityError, match="500M"):
        parse_quantity(text)


@pytest.mark.parametrize(
    ("text", "value"), [("40%", D("0.4")), ("0.4", D("0.4")), ("40", D("0.4")), ("100%", D(1))]
)
def test_shares(text: str, value: D) -> None:
    """Shares read as percentages or fractions."""
    assert parse_share(text) == value


@pytest.mark.parametrize("text", ["140%", "-10%", "lots"])
def test_shares_over_100_percent_refused(text: str) -> None:
    """A share over 100% or below 0% is refused, never used."""
    with pytest.raises(QuantityError):
        parse_share(text)


def test_formatting_reads_like_the_guide() -> None:
    """Token counts and money print the way the guide writes them."""
    assert format_tokens(D(82_500_000)) == "82.5M"
    assert format_tokens(D(15_000_000_000)) == "15B"
    assert format_usd(D("515.625")) == "$516"
    assert format_usd(D("1963.7"), cents=True) == "$1,963.70"
    assert format_usd(D(-17564)) == "-$17,564"


@pytest.mark.parametrize(
    "call",
    [
        lambda: monthly_tokens(Usage(users=D(-1), input_tokens=D(50))),
        lambda: monthly_tokens(Usage(users=D(10), active_share=D("1.5"))),
        lambda: monthly_tokens(Usage(users=D(10), days=D(0))),
        lambda: Throughput(D(0)),
        lambda: Throughput.from_tokens_per_second(D(100), D(0)),
        lambda: Throughput.from_tokens_per_second(D(0), D("0.5")),
        lambda: gpus_needed(D(-1), Throughput(D(1))),
        lambda: compare(D(-1), D("0.015"), RUNPOD),
        lambda: api_cost(ModelPrice("m", D(1), D(1)), MonthlyTokens(D(-1), D(0))),
        lambda: api_cost(ModelPrice("m", D(1), D(1)), MonthlyTokens(D(1), D(0)), cached_input_share=D("0.5")),
        lambda: ModelPrice("m", D(-1), D(1)),
        lambda: OpsSchedule(((D(2), D(1)), (D(1), D(1)))),
        lambda: phase_for_spend(D(-1), (PhaseBand(1, "a", D(0)),)),
    ],
)
def test_impossible_input_raises_instead_of_a_number(call: object) -> None:
    """Negative tokens, zero throughput, shares over 100% and the like raise InvalidInputError."""
    with pytest.raises(InvalidInputError):
        call()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("tokens", "hours"),
    [
        (0, 20),
        (100_000_000, 20),
        (300_000_000, 25),
        (500_000_000, 30),
        (1_250_000_000, 35),
        (2_000_000_000, 40),
        (9_000_000_000, 40),
    ],
)
def test_ops_hours_grow_with_volume(tokens: int, hours: int) -> None:
    """Ops hours interpolate between the guide's examples and stay flat outside them."""
    assert GUIDE_OPS.hours_at(D(tokens)) == D(hours)


def test_break_even_volume_for_the_guide_defaults() -> None:
    """On the guide's framework self-hosting first matches the API just under 500M tokens."""
    point = break_even(D("0.015"), RUNPOD, ops_schedule=GUIDE_OPS)
    assert point.break_even_tokens == D(492_080_000)
    below = compare(point.break_even_tokens - 1_000_000, D("0.015"), RUNPOD, ops_schedule=GUIDE_OPS)
    at = compare(point.break_even_tokens, D("0.015"), RUNPOD, ops_schedule=GUIDE_OPS)
    assert below.saving < 0 <= at.saving


def test_break_even_stays_cheaper_beyond_reported_volume() -> None:
    """Above `stays_cheaper_from` every volume is cheaper self-hosted, and just below it is not."""
    point = break_even(D("0.015"), RUNPOD, ops_schedule=GUIDE_OPS)
    assert point.stays_cheaper_from is not None
    for step in range(1, 400):
        volume = point.stays_cheaper_from + step * 25_000_000
        assert compare(volume, D("0.015"), RUNPOD, ops_schedule=GUIDE_OPS).saving > 0, volume
    assert (
        compare(point.stays_cheaper_from - 1_000_000, D("0.015"), RUNPOD, ops_schedule=GUIDE_OPS).saving <= 0
    )


def test_break_even_never_when_gpu_tokens_cost_more_than_api() -> None:
    """At GPT-4o's blended $0.00625/1K a $1,963.70 GPU serving 167M tokens never wins."""
    point = break_even(D("0.00625"), RUNPOD, ops_schedule=GUIDE_OPS)
    assert point.never
    assert point.gpu_cost_per_1k > D("0.00625")
    assert (
        compare(D(50_000_000_000), D("0.00625"), RUNPOD, ops_schedule=GUIDE_OPS).verdict
        is Verdict.STAY_ON_API
    )


def test_spare_gpu_and_people_raise_the_self_hosted_cost() -> None:
    """A spare GPU, engineers and fixed costs are all added to the self-hosted month."""
    setup = SelfHostedSetup(
        gpu_monthly_cost=D(2000),
        throughput=Throughput(D(100)),
        spare_gpus=1,
        ops_hours=D(10),
        ops_rate=D(50),
        engineers=D(1),
        engineer_annual_cost=D(120_000),
        fixed_monthly=D(300),
    )
    cost = self_hosted_cost(D(150), setup)
    assert cost.gpus == 3
    assert cost.monthly_cost == D(3 * 2000 + 500 + 10_000 + 300)
    assert cost.utilisation == D("0.75")


def test_throughput_from_tokens_per_second() -> None:
    """1,000 tokens/s at 50% utilisation over 730 h is 1.314B tokens a month."""
    assert Throughput.from_tokens_per_second(D(1000), D("0.5")).tokens_per_gpu_month == D(1_314_000_000)


def test_cache_and_batch_in_exact_pricing() -> None:
    """Cached input is billed at the cache price and batch traffic at the batch multiplier."""
    price = ModelPrice(
        "gpt-4o", D("2.5"), D(10), cached_input_per_million=D("1.25"), batch_multiplier=D("0.5")
    )
    tokens = MonthlyTokens(D(1_000_000), D(1_000_000))
    cached = api_cost(price, tokens, cached_input_share=D("0.4"))
    assert cached.monthly_cost == D("12.0")
    assert cached.cache_saving == D("0.5")
    batched = api_cost(price, tokens, batch_share=D("0.4"))
    assert batched.monthly_cost == D("10.0")
    assert effective_price_per_1k(price, D("0.8")) == D("0.004")


BANDS = (
    PhaseBand(1, "API-first", D(0)),
    PhaseBand(2, "Hybrid", D(10_000)),
    PhaseBand(3, "Dedicated", D(50_000), includes_start=False),
)


@pytest.mark.parametrize(
    ("spend", "to_next", "on_threshold"),
    [
        (D(9000), D(1000), False),
        (D(10_000), D(40_000), True),
        (D(30_000), D(20_000), False),
        (D(50_000), D(0), True),
        (D(70_000), None, False),
    ],
)
def test_distance_to_next_phase(spend: D, to_next: D | None, on_threshold: bool) -> None:
    """The phase result says how much more spend reaches the next threshold, and flags exact thresholds."""
    result = phase_for_spend(spend, BANDS)
    assert result.to_next == to_next
    assert result.on_threshold is on_threshold
