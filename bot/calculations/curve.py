"""The break-even chart's numbers: both monthly costs from zero to past the break-even, exact at every step.

The API costs a straight line; self-hosting climbs in steps (one more GPU every
`tokens_per_gpu_month`) with sloped treads (ops hours grow with volume). Every point comes from the
same calculators and defaults as `run_breakeven`, so the chart and the reply cannot disagree.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from bot.calculations.breakeven import BreakEvenRequest, ResolvedBreakEven, resolve_breakeven
from calculators.breakeven import break_even, compare
from calculators.errors import InvalidInputError
from knowledge.tables import Tables

ASKED_MARGIN = Decimal("2.5")
"""The chart runs to 2.5x the asked volume..."""
BREAK_EVEN_MARGIN = Decimal("1.3")
"""...or to 1.3x the break-even volume, whichever is further, so both marks sit inside it."""
EMPTY_RANGE_GPUS = 5
"""With no volume asked and no break-even, the chart shows this many GPUs' worth of tokens."""
MAX_DRAWN_STEPS = 2_000
"""GPU steps drawn one by one. Past this many, one step is a sliver of a pixel and of the cost
axis, so the sampled line already looks exact."""


@dataclass(frozen=True)
class CostPoint:
    """Both monthly costs at one volume."""

    tokens: Decimal
    """Tokens a month."""
    api_cost: Decimal
    self_hosted_cost: Decimal
    gpus: int
    """GPUs rented at this volume, spares included."""


@dataclass(frozen=True)
class CostCurve:
    """What the break-even chart plots, in exact `Decimal` dollars and tokens."""

    points: tuple[CostPoint, ...]
    """Ascending volumes from 0. A GPU step is two points at one volume: the cost with the GPUs
    that volume needs, then the cost just above it with one more."""
    asked: CostPoint
    """The volume the user asked about, with the same costs `run_breakeven` reports."""
    break_even: CostPoint | None
    """The calculator's break-even volume and both costs there; None when self-hosting never wins."""
    gpu_steps: tuple[Decimal, ...]
    """Volumes in the range past which one more GPU is needed (empty when too many to draw)."""
    tokens_per_gpu_month: Decimal
    api_label: str
    """The API line's name: "API (gpt-4o blended at $0.00625/1K)"."""
    self_hosted_label: str
    """The self-hosted line's name: "Self-hosted (RunPod community cloud H100 SXM at $2.69/h)"."""

    @property
    def asked_tokens(self) -> Decimal:
        """The volume the user asked about."""
        return self.asked.tokens

    @property
    def break_even_tokens(self) -> Decimal | None:
        """The break-even volume, or None for "never at these prices"."""
        return None if self.break_even is None else self.break_even.tokens

    @property
    def max_tokens(self) -> Decimal:
        """The right end of the volume axis."""
        return self.points[-1].tokens


def breakeven_curve(request: BreakEvenRequest, tables: Tables, *, points: int = 400) -> CostCurve:
    """Both monthly costs from 0 tokens to past the asked volume and the break-even volume.

    Args:
        request: what the user asked, as for `run_breakeven`.
        tables: the price and framework tables.
        points: evenly spaced volumes to sample; GPU steps, ops-schedule points, the asked volume
            and the break-even volume are added to them exactly.

    Raises:
        CalculatorError, KnowledgeError: impossible input, or an unknown model or GPU.
    """
    if points < 2:
        raise InvalidInputError("a cost curve needs at least 2 points")
    resolved = resolve_breakeven(request, tables)
    setup, schedule = resolved.setup, resolved.ops_schedule
    capacity = setup.throughput.tokens_per_gpu_month
    crossing = break_even(resolved.api_price, setup, ops_schedule=schedule).break_even_tokens

    top = max(request.tokens * ASKED_MARGIN, (crossing or Decimal(0)) * BREAK_EVEN_MARGIN)
    if top == 0:
        top = capacity * EMPTY_RANGE_GPUS
    top = top.to_integral_value(rounding=ROUND_CEILING)

    last_step = int((top / capacity).to_integral_value(rounding=ROUND_FLOOR))
    steps = tuple(capacity * gpus for gpus in range(last_step + 1)) if last_step < MAX_DRAWN_STEPS else ()
    volumes = {(top * index / (points - 1)).to_integral_value() for index in range(points)}
    volumes |= {tokens for tokens, _ in schedule.points if tokens <= top} if schedule else set()
    volumes |= {request.tokens, *steps} | ({crossing} if crossing is not None else set())

    step_set = set(steps)
    curve: list[CostPoint] = []
    for tokens in sorted(volumes):
        point = _costs_at(tokens, resolved)
        curve.append(point)
        if tokens in step_set:
            curve.append(
                CostPoint(
                    tokens,
                    point.api_cost,
                    point.self_hosted_cost + setup.gpu_monthly_cost,
                    point.gpus + 1,
                )
            )
    return CostCurve(
        points=tuple(curve),
        asked=_costs_at(request.tokens, resolved),
        break_even=None if crossing is None else _costs_at(crossing, resolved),
        gpu_steps=steps,
        tokens_per_gpu_month=capacity,
        api_label=f"API ({resolved.api_label})",
        self_hosted_label=f"Self-hosted ({resolved.gpu_label})",
    )


def _costs_at(tokens: Decimal, resolved: ResolvedBreakEven) -> CostPoint:
    comparison = compare(tokens, resolved.api_price, resolved.setup, ops_schedule=resolved.ops_schedule)
    hosted = comparison.self_hosted
    return CostPoint(tokens, comparison.api_cost, hosted.monthly_cost, hosted.gpus)
