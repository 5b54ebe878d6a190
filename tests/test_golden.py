"""The guide's worked examples (REFERENCE.md section 1, G1-G18) reproduced from its own assumptions."""

from decimal import Decimal as D

import pytest

from calculators.api_cost import ModelPrice, api_cost, blended_api_cost, blended_price_per_1k, per_user_budget
from calculators.breakeven import Verdict, compare
from calculators.phase import PhaseBand, phase_for_spend
from calculators.savings import batch_saving_share, cache_saving_share, hybrid_cost
from calculators.self_hosted import (
    SelfHostedSetup,
    Throughput,
    engineer_monthly_cost,
    gpu_monthly_cost,
    self_hosted_cost,
)
from calculators.tokens import Usage, monthly_tokens, split_tokens

GPT_4O = ModelPrice("gpt-4o", D("2.50"), D(10))
GPT_5 = ModelPrice("gpt-5", D("1.25"), D(10))
GEMINI_25_PRO = ModelPrice("gemini-2.5-pro", D("1.25"), D(10))
GUIDE_H100 = D(1963)
"""The monthly H100 figure the guide's examples multiply ($2.69 x 730 = $1,963.70, printed $1,963)."""


def guide_setup(tokens_per_gpu: str, *, ops_hours: int = 0, fixed: int = 0) -> SelfHostedSetup:
    return SelfHostedSetup(
        gpu_monthly_cost=GUIDE_H100,
        throughput=Throughput(D(tokens_per_gpu)),
        ops_hours=D(ops_hours),
        ops_rate=D(50),
        fixed_monthly=D(fixed),
    )


def test_g1_monthly_tokens_from_users() -> None:
    """10K MAU, half active daily, 50 + 500 tokens, 30 days is 82.5M tokens a month."""
    tokens = monthly_tokens(
        Usage(users=D(10_000), active_share=D("0.5"), input_tokens=D(50), output_tokens=D(500), days=D(30))
    )
    assert tokens.total == D(82_500_000)
    assert (tokens.input_tokens, tokens.output_tokens) == (D(7_500_000), D(75_000_000))


def test_g2_blended_gpt4o_cost() -> None:
    """82.5M tokens at GPT-4o's blended $0.00625/1K cost $515.625, printed $516."""
    cost = blended_api_cost(D(82_500_000), D("0.00625"))
    assert cost.monthly_cost == D("515.625")
    assert cost.monthly_cost.quantize(D(1), rounding="ROUND_HALF_UP") == D(516)


def test_g2_exact_split_is_dearer_than_blended() -> None:
    """The same 82.5M tokens at GPT-4o list prices with the example's own split cost $768.75."""
    tokens = split_tokens(D(82_500_000), D(50) / D(550))
    assert api_cost(GPT_4O, tokens).monthly_cost == D("768.75")


@pytest.mark.parametrize(
    ("price", "blended"),
    [(GPT_4O, D("0.00625")), (GPT_5, D("0.005625")), (GEMINI_25_PRO, D("0.005625"))],
)
def test_g3_blended_price_is_plain_mean(price: ModelPrice, blended: D) -> None:
    """The guide's average per 1K tokens is the plain mean of input and output prices."""
    assert blended_price_per_1k(price) == blended


@pytest.mark.parametrize(
    ("tokens", "ops_hours", "api", "hosted", "gpus", "verdict"),
    [
        ("100000000", 20, D(1500), D(2963), 1, Verdict.STAY_ON_API),
        ("500000000", 30, D(7500), D(7389), 3, Verdict.BREAKS_EVEN),
        ("2000000000", 40, D(30000), D(25556), 12, Verdict.SELF_HOST_SAVES),
    ],
)
def test_g4_g5_g6_break_even_examples(
    tokens: str, ops_hours: int, api: D, hosted: D, gpus: int, verdict: Verdict
) -> None:
    """The three break-even examples give the guide's costs, GPU counts and conclusions."""
    comparison = compare(D(tokens), D("0.015"), guide_setup("167000000", ops_hours=ops_hours))
    assert comparison.api_cost == api
    assert comparison.self_hosted.monthly_cost == hosted
    assert comparison.self_hosted.gpus == gpus
    assert comparison.verdict is verdict


def test_g7_runpod_h100_month() -> None:
    """RunPod's H100 SXM at $2.69/h for 730 h is $1,963.70 a month."""
    assert gpu_monthly_cost(D("2.69")) == D("1963.70")


def test_g8_cache_saving() -> None:
    """40% cache hits billed at 10% cut the effective cost by 36%."""
    assert cache_saving_share(D("0.4"), D("0.1")) == D("0.36")


def test_g9_batch_saving() -> None:
    """40% of traffic through the Batch API at 50% off cuts the effective cost by 20%."""
    assert batch_saving_share(D("0.4"), D("0.5")) == D("0.20")


def test_g10_scenario_1_api_first() -> None:
    """10K users x 50K tokens a day x 30 days is 15B tokens, $225K a month at $0.015/1K."""
    tokens = monthly_tokens(Usage(users=D(10_000), input_tokens=D(50_000), days=D(30))).total
    assert tokens == D(15_000_000_000)
    assert blended_api_cost(tokens, D("0.015")).monthly_cost == D(225_000)


def test_g11_scenario_1_hybrid() -> None:
    """5B interactive tokens on the API plus 10B batch tokens on one H100 is $76,963 (~$77K)."""
    hybrid = hybrid_cost(D(5_000_000_000), D(10_000_000_000), D("0.015"), guide_setup("10000000000"))
    assert hybrid.api_cost == D(75_000)
    assert hybrid.self_hosted.gpus == 1
    assert hybrid.monthly_cost == D(76_963)


def test_g12_scenario_1_self_hosted() -> None:
    """Three H100s ($5,889) plus $2K operations is $7,889 (~$8K) a month."""
    cost = self_hosted_cost(D(15_000_000_000), guide_setup("5000000000", fixed=2000))
    assert cost.gpu_cost == D(5889)
    assert cost.monthly_cost == D(7889)


def test_g13_scenario_2_exact_split() -> None:
    """2.5B tokens, 80% input, at Gemini 2.5 Pro list prices: $2,500 + $5,000 = $7,500."""
    tokens = monthly_tokens(
        Usage(users=D(500), interactions_per_day=D(100), input_tokens=D(50_000), days=D(1))
    )
    assert tokens.total == D(2_500_000_000)
    cost = api_cost(GEMINI_25_PRO, split_tokens(tokens.total, D("0.8")))
    assert (cost.input_cost, cost.output_cost, cost.monthly_cost) == (D(2500), D(5000), D(7500))


def test_g14_scenario_3() -> None:
    """100K queries x 12K tokens is 1.2B; $18K on the API, $2,963 on one H100, saving ~$15K."""
    tokens = monthly_tokens(
        Usage(users=D(100_000), input_tokens=D(10_000), output_tokens=D(2_000), days=D(1))
    )
    assert tokens.total == D(1_200_000_000)
    comparison = compare(tokens.total, D("0.015"), guide_setup("1500000000", fixed=1000))
    assert comparison.api_cost == D(18_000)
    assert comparison.self_hosted.monthly_cost == D(2963)
    assert comparison.saving == D(15_037)


def test_g15_phase_one_llm_cost() -> None:
    """10M tokens at an average $0.05/1K is $500 a month."""
    assert blended_api_cost(D(10_000_000), D("0.05")).monthly_cost == D(500)


@pytest.mark.parametrize(("engineers", "annual", "monthly"), [(1, 150_000, 12_500), (2, 150_000, 25_000)])
def test_g16_engineers_a_month(engineers: int, annual: int, monthly: int) -> None:
    """1-2 engineers at $150K-300K a year cost $12.5K-25K a month."""
    assert engineer_monthly_cost(D(engineers), D(annual)) == D(monthly)


def test_g17_per_user_budget() -> None:
    """1,000 users at $2-5 each is $2,000-5,000 a month."""
    assert per_user_budget(D(1000), D(2), D(5)) == (D(2000), D(5000))


GUIDE_PHASES = (
    PhaseBand(1, "API-first", D(0)),
    PhaseBand(2, "Hybrid", D(10_000)),
    PhaseBand(3, "Dedicated", D(50_000), includes_start=False),
)


@pytest.mark.parametrize(
    ("spend", "phase"),
    [
        (D(0), 1),
        (D("9999.99"), 1),
        (D(10_000), 2),
        (D("10000.01"), 2),
        (D(30_000), 2),
        (D(50_000), 2),
        (D("50000.01"), 3),
        (D(60_000), 3),
    ],
)
def test_g18_phase_thresholds_both_sides(spend: D, phase: int) -> None:
    """Below $10K is API-first, $10K to $50K hybrid, above $50K dedicated."""
    assert phase_for_spend(spend, GUIDE_PHASES).phase.number == phase
