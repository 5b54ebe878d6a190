"""Which of the guide's three phases a monthly AI spend puts a company in."""

from dataclasses import dataclass
from decimal import Decimal

from calculators.errors import InvalidInputError
from calculators.validation import non_negative


@dataclass(frozen=True)
class PhaseBand:
    """One phase and where it starts; the thresholds come from data, not from code."""

    number: int
    name: str
    starts_at: Decimal
    """Monthly spend (USD) where this phase begins."""
    includes_start: bool = True
    """False when the phase begins only *above* `starts_at` (the guide's "> $50K")."""
    actions: tuple[str, ...] = ()
    """What the guide recommends doing in this phase."""

    def contains_from_below(self, spend: Decimal) -> bool:
        """True when `spend` has reached this phase's start."""
        return spend >= self.starts_at if self.includes_start else spend > self.starts_at


@dataclass(frozen=True)
class PhaseResult:
    """Where a spend sits and how far it is from the next phase."""

    spend: Decimal
    phase: PhaseBand
    next_phase: PhaseBand | None
    to_next: Decimal | None
    """Extra monthly spend that reaches the next phase (for a "> X" start: the amount that
    brings spend to X, beyond which any increase crosses)."""
    on_threshold: bool
    """True when the spend sits exactly on a threshold, where the guide's wording overlaps."""


def phase_for_spend(spend: Decimal, bands: tuple[PhaseBand, ...]) -> PhaseResult:
    """The phase for a monthly spend: $30,000 is Phase 2 (hybrid), $20,000 short of Phase 3.

    Args:
        spend: monthly AI spend in USD.
        bands: the phases in ascending order; the first must start at $0.

    Raises:
        InvalidInputError: negative spend, or bands that are empty, unordered or not from $0.
    """
    non_negative("monthly spend", spend)
    if not bands or bands[0].starts_at != 0:
        raise InvalidInputError("phase bands must start at $0")
    if [band.starts_at for band in bands] != sorted(band.starts_at for band in bands):
        raise InvalidInputError("phase bands must be in ascending order")
    current = bands[0]
    for band in bands[1:]:
        if band.contains_from_below(spend):
            current = band
    index = bands.index(current)
    next_phase = bands[index + 1] if index + 1 < len(bands) else None
    to_next = next_phase.starts_at - spend if next_phase is not None else None
    return PhaseResult(
        spend=spend,
        phase=current,
        next_phase=next_phase,
        to_next=to_next,
        on_threshold=any(spend == band.starts_at for band in bands[1:]),
    )
