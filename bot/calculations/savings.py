"""`savings`: what caching and the Batch API take off a monthly bill."""

from decimal import Decimal

from bot.calculations.format import percent
from bot.calculations.record import Assumption, Calculation, Figure
from calculators.errors import InvalidInputError
from calculators.quantities import format_usd
from calculators.savings import batch_saving_share, cache_saving_share

GUIDE_CACHE = "default: guide, Hybrid Infrastructure (hits cost 10%)"
GUIDE_BATCH = "default: guide, Vendor-Specific Recommendations (Batch API 50% off)"


def run_savings(
    *,
    cache_hit_share: Decimal | None = None,
    cache_hit_cost: Decimal | None = None,
    batch_share: Decimal | None = None,
    batch_discount: Decimal | None = None,
    monthly_spend: Decimal | None = None,
) -> Calculation:
    """Cache and batch savings as shares of spend, and in dollars when the spend is given.

    Both apply to the same bill: batch first on what the cache leaves, so they never add to more
    than the bill.

    Raises:
        InvalidInputError: neither cache nor batch given, or shares outside 0-100%.
    """
    if cache_hit_share is None and batch_share is None:
        raise InvalidInputError("give a cache hit rate (--cache-hits 40%) or a batchable share (--batch 40%)")
    hit_cost = cache_hit_cost if cache_hit_cost is not None else Decimal("0.1")
    discount = batch_discount if batch_discount is not None else Decimal("0.5")
    cache = cache_saving_share(cache_hit_share, hit_cost) if cache_hit_share is not None else Decimal(0)
    batch = batch_saving_share(batch_share, discount) if batch_share is not None else Decimal(0)
    combined = 1 - (1 - cache) * (1 - batch)
    parts, assumptions, figures = [], [], []
    if cache_hit_share is not None:
        parts.append(
            f"caching {percent(cache_hit_share)} of requests at {percent(hit_cost)} of the cost saves {percent(cache)}"
        )
        figures.append(Figure("Caching saves", percent(cache)))
        assumptions.append(
            Assumption(
                "cost of a cache hit", percent(hit_cost), "you" if cache_hit_cost is not None else GUIDE_CACHE
            )
        )
    if batch_share is not None:
        parts.append(
            f"sending {percent(batch_share)} through the Batch API at {percent(discount)} off saves {percent(batch)}"
        )
        figures.append(Figure("Batch API saves", percent(batch)))
        assumptions.append(
            Assumption(
                "Batch API discount", percent(discount), "you" if batch_discount is not None else GUIDE_BATCH
            )
        )
    joined = "; ".join(parts)
    summary = joined[0].upper() + joined[1:] + "."
    result: dict[str, object] = {
        "cache_saving_share": cache,
        "batch_saving_share": batch,
        "combined_saving_share": combined,
    }
    if cache_hit_share is not None and batch_share is not None:
        summary += f" Together: {percent(combined)} (each applies to what the other leaves)."
        figures.append(Figure("Together", percent(combined)))
    if monthly_spend is not None:
        saved = monthly_spend * combined
        result |= {
            "monthly_spend": monthly_spend,
            "monthly_saving": saved,
            "monthly_cost_after": monthly_spend - saved,
        }
        figures.append(Figure("Saved a month", format_usd(saved, cents=True)))
        figures.append(Figure("Left to pay", format_usd(monthly_spend - saved, cents=True)))
        summary += f" On {format_usd(monthly_spend)} a month that is {format_usd(saved, cents=True)} saved, {format_usd(monthly_spend - saved, cents=True)} left."
        if cache_hit_share is not None and batch_share is not None:
            # Asked separately, each is wanted on its own too: what caching alone and batching alone save.
            summary += (
                f" Alone, caching would save {format_usd(monthly_spend * cache, cents=True)} and the Batch API "
                f"{format_usd(monthly_spend * batch, cents=True)} a month."
            )
    return Calculation(
        tool="savings",
        inputs={
            k: v
            for k, v in {
                "cache_hit_share": cache_hit_share,
                "cache_hit_cost": cache_hit_cost,
                "batch_share": batch_share,
                "batch_discount": batch_discount,
                "monthly_spend": monthly_spend,
            }.items()
            if v is not None
        },
        result=result,
        summary=summary,
        assumptions=tuple(assumptions),
        figures=tuple(figures),
    )
