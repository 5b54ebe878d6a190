"""The break-even chart's numbers: the same costs and break-even as `advisor breakeven`, exact GPU steps."""

import subprocess
import sys
from decimal import Decimal as D

import pytest

from bot.calculations.breakeven import BreakEvenRequest, run_breakeven
from bot.calculations.curve import CostCurve, breakeven_curve
from calculators.errors import InvalidInputError
from knowledge.tables import tables

H100_MONTH = D("1963.70")
"""RunPod H100 at $2.69 x 730 h, the framework's default GPU."""
GUIDE_GPU_TOKENS = D(167_000_000)
"""The framework's default throughput: tokens one GPU serves a month."""

REQUESTS = {
    "example 1, 100M": BreakEvenRequest(tokens=D(100_000_000)),
    "example 2, 500M": BreakEvenRequest(tokens=D(500_000_000)),
    "example 3, 2B": BreakEvenRequest(tokens=D(2_000_000_000)),
    "never, gpt-4o blended": BreakEvenRequest(tokens=D(500_000_000), model="gpt-4o"),
    "your own setup": BreakEvenRequest(
        tokens=D(800_000_000),
        api_price_per_1k=D("0.01"),
        gpu_hourly=D("3.99"),
        tokens_per_gpu=D(300_000_000),
        ops_hours=D(10),
        ops_rate=D(80),
        spare_gpus=1,
    ),
}


def curve_for(name: str) -> CostCurve:
    return breakeven_curve(REQUESTS[name], tables())


@pytest.mark.parametrize("name", list(REQUESTS))
def test_curve_agrees_with_the_calculator_at_the_asked_volume(name: str) -> None:
    """The chart's asked point and break-even are the very numbers `advisor breakeven` prints."""
    request = REQUESTS[name]
    result = run_breakeven(request, tables()).result
    curve = breakeven_curve(request, tables())
    assert curve.asked_tokens == request.tokens
    assert curve.asked.api_cost == result["api_monthly_cost"]
    assert curve.asked.self_hosted_cost == result["self_hosted_monthly_cost"]
    assert curve.asked.gpus == result["gpus"]
    assert curve.break_even_tokens == result["break_even_tokens"]


@pytest.mark.parametrize(
    ("name", "break_even", "max_tokens"),
    [
        ("example 1, 100M", D(492_080_000), D(639_704_000)),
        ("example 2, 500M", D(492_080_000), D(1_250_000_000)),
        ("example 3, 2B", D(492_080_000), D(5_000_000_000)),
        ("never, gpt-4o blended", None, D(1_250_000_000)),
    ],
)
def test_volume_axis_reaches_past_the_asked_volume_and_the_break_even(
    name: str, break_even: D | None, max_tokens: D
) -> None:
    """The chart runs from 0 to 2.5x the asked volume or 1.3x the break-even, whichever is further."""
    curve = curve_for(name)
    assert curve.break_even_tokens == break_even
    assert curve.points[0].tokens == 0
    assert curve.max_tokens == max_tokens
    volumes = [point.tokens for point in curve.points]
    assert volumes == sorted(volumes)


def test_break_even_point_lies_on_the_api_line() -> None:
    """The break-even mark sits where the API line crosses the self-hosted line at 492.08M."""
    point = curve_for("example 2, 500M").break_even
    assert point is not None
    assert point.api_cost == D("7381.20")
    assert D(0) <= point.api_cost - point.self_hosted_cost < D("0.01")


def test_gpu_steps_are_vertical_jumps_of_one_gpu_month() -> None:
    """Each extra GPU shows as a jump of $1,963.70 at one volume, every 167M tokens."""
    curve = curve_for("example 2, 500M")
    assert curve.gpu_steps == tuple(GUIDE_GPU_TOKENS * gpus for gpus in range(8))
    for step in curve.gpu_steps:
        below, above = (point for point in curve.points if point.tokens == step)
        assert above.gpus == below.gpus + 1
        assert above.self_hosted_cost - below.self_hosted_cost == H100_MONTH
        assert above.api_cost == below.api_cost


@pytest.mark.parametrize(
    ("tokens", "self_hosted"),
    [
        (D(0), D("1000.00")),
        (D(100_000_000), D("2963.70")),
        (D(167_000_000), D("3047.45")),
        (D(500_000_000), D("7391.10")),
    ],
)
def test_ops_hours_follow_the_frameworks_schedule(tokens: D, self_hosted: D) -> None:
    """Self-hosting adds 20 h of ops at 100M, 30 h at 500M, interpolated between (at $50/h)."""
    curve = curve_for("example 2, 500M")
    costs = [point.self_hosted_cost for point in curve.points if point.tokens == tokens]
    assert costs[0] == self_hosted


def test_spare_gpus_and_fixed_ops_hours_are_drawn_as_the_user_gave_them() -> None:
    """With one spare GPU and 10 ops hours at $80 the line starts at $3,712.70 and steps every 300M."""
    curve = curve_for("your own setup")
    assert curve.points[0].self_hosted_cost == D("3712.70")
    assert curve.points[0].gpus == 1
    assert curve.gpu_steps[:3] == (D(0), D(300_000_000), D(600_000_000))


@pytest.mark.parametrize(
    ("name", "api_label", "self_hosted_label"),
    [
        (
            "example 2, 500M",
            "API ($0.015/1K)",
            "Self-hosted (RunPod community cloud H100 SXM at $2.69/h)",
        ),
        (
            "never, gpt-4o blended",
            "API (gpt-4o blended at $0.00625/1K)",
            "Self-hosted (RunPod community cloud H100 SXM at $2.69/h)",
        ),
        ("your own setup", "API ($0.01/1K)", "Self-hosted (GPU at $3.99/h)"),
    ],
)
def test_lines_are_labelled_with_their_prices(name: str, api_label: str, self_hosted_label: str) -> None:
    """Each line says which API price or GPU rental it draws."""
    curve = curve_for(name)
    assert (curve.api_label, curve.self_hosted_label) == (api_label, self_hosted_label)


def test_steps_too_narrow_to_see_are_sampled_instead() -> None:
    """At 10K tokens per GPU (50,000 steps to 500M) the line is sampled, not drawn step by step."""
    request = BreakEvenRequest(tokens=D(200_000_000), tokens_per_gpu=D(10_000))
    curve = breakeven_curve(request, tables(), points=50)
    assert curve.gpu_steps == ()
    assert curve.break_even is None
    assert len(curve.points) < 60
    assert curve.asked.gpus == 20_000


def test_nothing_asked_and_no_break_even_still_draws_five_gpus() -> None:
    """At 0 tokens on gpt-4o prices the chart shows the first five GPUs (835M tokens)."""
    curve = breakeven_curve(BreakEvenRequest(tokens=D(0), model="gpt-4o"), tables())
    assert curve.max_tokens == GUIDE_GPU_TOKENS * 5


def test_fewer_than_two_points_is_refused() -> None:
    """A curve needs two sampled volumes at least."""
    with pytest.raises(InvalidInputError, match="at least 2 points"):
        breakeven_curve(REQUESTS["example 2, 500M"], tables(), points=1)


def test_the_curve_does_not_load_matplotlib() -> None:
    """Calculator commands stay fast: building the curve imports no plotting library."""
    code = (
        "import sys; from decimal import Decimal;"
        "from bot.calculations.curve import breakeven_curve;"
        "from bot.calculations.breakeven import BreakEvenRequest;"
        "from knowledge.tables import tables;"
        "breakeven_curve(BreakEvenRequest(tokens=Decimal(1)), tables());"
        "print('matplotlib' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
