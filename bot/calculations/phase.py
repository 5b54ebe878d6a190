"""`phase`: which of the guide's phases a monthly spend is in, and what to do there."""

from decimal import Decimal

from bot.calculations.record import Assumption, Calculation, Figure
from calculators.phase import phase_for_spend
from calculators.quantities import format_usd
from knowledge.tables import Tables


def run_phase(spend: Decimal, tables: Tables) -> Calculation:
    """The phase for `spend`, the distance to the next threshold, and the guide's actions.

    Raises:
        InvalidInputError: negative spend.
    """
    table = tables.phases
    result = phase_for_spend(spend, table.bands())
    phase, upcoming = result.phase, result.next_phase
    section = next(row.section for row in table.phases if row.number == phase.number)
    if upcoming is None or result.to_next is None:
        distance = "This is the last phase."
        next_info: dict[str, object] = {"next_phase": None, "to_next_phase": None}
    else:
        crossing = "reaching" if upcoming.includes_start else "passing"
        distance = (
            f"{format_usd(result.to_next)} a month more before {crossing} "
            f"{format_usd(upcoming.starts_at)} (Phase {upcoming.number}, {upcoming.name})."
        )
        next_info = {
            "next_phase": upcoming.number,
            "next_phase_name": upcoming.name,
            "next_threshold": upcoming.starts_at,
            "to_next_phase": result.to_next,
        }
    thresholds = ", ".join(
        f"Phase {band.number} {band.name} from {'above ' if not band.includes_start else ''}{format_usd(band.starts_at)}"
        for band in table.bands()
    )
    return Calculation(
        tool="phase",
        inputs={"spend": spend},
        result={
            "spend": spend,
            "phase": phase.number,
            "phase_name": phase.name,
            "section": section,
            "actions": list(phase.actions),
            **next_info,
        },
        summary=f"{format_usd(spend)} a month is Phase {phase.number}: {phase.name}. {distance}",
        assumptions=(Assumption("thresholds", thresholds, f"{table.source} (as of {table.as_of})"),),
        flags=(tables.contradiction("phase-boundaries").note,) if result.on_threshold else (),
        caveats=(tables.contradiction("phase-boundaries").short,) if result.on_threshold else (),
        figures=(
            Figure("Monthly AI spend", format_usd(spend)),
            Figure("Phase", f"{phase.number}: {phase.name}"),
            *(
                (Figure(f"To Phase {upcoming.number}", f"{format_usd(result.to_next)} a month more"),)
                if upcoming is not None and result.to_next is not None
                else ()
            ),
        ),
        details=("What the guide recommends now:", *(f"  - {action}" for action in phase.actions)),
    )
