"""Break-even caveats appear when they are about the figures used, and only then."""

from decimal import Decimal

import pytest

from bot.calculations.breakeven import BreakEvenRequest, run_breakeven
from knowledge.tables import tables


@pytest.mark.parametrize(
    ("request_", "flagged"),
    [
        (BreakEvenRequest(tokens=Decimal(500_000_000)), True),
        (BreakEvenRequest(tokens=Decimal(500_000_000), gpu="runpod-h100"), True),
        (BreakEvenRequest(tokens=Decimal(500_000_000), gpu="aws"), False),
        (BreakEvenRequest(tokens=Decimal(500_000_000), gpu_hourly=Decimal("3.99")), False),
        (BreakEvenRequest(tokens=Decimal(500_000_000), gpu_monthly=Decimal(1963)), False),
    ],
)
def test_the_guides_rounded_gpu_month_is_flagged_only_at_its_own_price(
    request_: BreakEvenRequest, flagged: bool
) -> None:
    """The $1,963 vs $1,963.70 note shows for the guide's $2.69/h, not for AWS, a typed price or a monthly figure."""
    calculation = run_breakeven(request_, tables())
    note = tables().contradiction("gpu-month-rounded")
    assert (note.short in calculation.caveats) is flagged
    assert any(note.note in flag for flag in calculation.flags) is flagged
