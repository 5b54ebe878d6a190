"""`breakeven`: API against self-hosted at a volume, on the guide's framework unless told otherwise."""

from dataclasses import dataclass
from decimal import Decimal

from bot.calculations.format import num as _num
from bot.calculations.format import rate as _rate
from bot.calculations.record import Assumption, Calculation, Figure
from calculators.api_cost import blended_price_per_1k, effective_price_per_1k
from calculators.breakeven import (
    BreakEven,
    Comparison,
    OpsSchedule,
    Verdict,
    break_even,
    compare,
    sensitivity,
)
from calculators.errors import InvalidInputError
from calculators.quantities import format_tokens, format_usd
from calculators.self_hosted import HOURS_PER_MONTH, SelfHostedSetup, Throughput, gpu_monthly_cost
from knowledge.prices import find_gpu, find_model
from knowledge.tables import Tables

VERDICT_TEXT = {
    Verdict.STAY_ON_API: "self-hosting costs more: stay API-first",
    Verdict.BREAKS_EVEN: "self-hosting breaks even: consider hybrid",
    Verdict.SELF_HOST_SAVES: "self-hosting saves money: justify the operational investment",
}


@dataclass(frozen=True)
class BreakEvenRequest:
    """What the user asked; `None` means "use the guide's framework default"."""

    tokens: Decimal
    model: str | None = None
    api_price_per_1k: Decimal | None = None
    input_share: Decimal | None = None
    gpu: str | None = None
    gpu_hourly: Decimal | None = None
    gpu_monthly: Decimal | None = None
    tokens_per_gpu: Decimal | None = None
    tokens_per_second: Decimal | None = None
    utilisation: Decimal | None = None
    profile: str | None = None
    ops_hours: Decimal | None = None
    ops_rate: Decimal | None = None
    spare_gpus: int = 0
    engineers: Decimal = Decimal(0)
    engineer_annual_cost: Decimal = Decimal(150_000)
    fixed_monthly: Decimal = Decimal(0)


@dataclass(frozen=True)
class ResolvedBreakEven:
    """A request with every default filled in: the inputs both the numbers and the chart use."""

    api_price: Decimal
    """API price per 1K tokens."""
    api_label: str
    """The API price in a few words: "gpt-4o blended at $0.00625/1K"."""
    gpu_label: str
    """The GPU and its price in a few words: "RunPod community cloud H100 SXM at $2.69/h"."""
    setup: SelfHostedSetup
    ops_schedule: OpsSchedule | None
    """Ops hours that grow with volume, or None when the user gave fixed hours (in `setup`)."""
    assumptions: tuple[Assumption, ...]
    """API price, GPU and throughput, in that order, with where each came from."""
    flags: tuple[tuple[str, str], ...]
    """(the full note, its one-line form) for each contradiction these inputs touch."""


def resolve_breakeven(request: BreakEvenRequest, tables: Tables) -> ResolvedBreakEven:
    """Fill a request's gaps from the guide's framework: API price, GPU cost, throughput, ops hours.

    Raises:
        CalculatorError, KnowledgeError: impossible input, or an unknown model or GPU.
    """
    framework = tables.framework
    assumptions: list[Assumption] = []
    flags: list[tuple[str, str]] = []
    api_price, api_label = _api_price(request, tables, assumptions, flags)
    gpu_cost, gpu_label = _gpu_cost(request, tables, assumptions, flags)
    throughput = _throughput(request, tables, assumptions, flags)
    setup = SelfHostedSetup(
        gpu_monthly_cost=gpu_cost,
        throughput=throughput,
        spare_gpus=request.spare_gpus,
        ops_hours=request.ops_hours or Decimal(0),
        ops_rate=request.ops_rate if request.ops_rate is not None else framework.ops_rate,
        engineers=request.engineers,
        engineer_annual_cost=request.engineer_annual_cost,
        fixed_monthly=request.fixed_monthly,
    )
    return ResolvedBreakEven(
        api_price=api_price,
        api_label=api_label,
        gpu_label=gpu_label,
        setup=setup,
        ops_schedule=None if request.ops_hours is not None else framework.schedule(),
        assumptions=tuple(assumptions),
        flags=tuple(flags),
    )


def run_breakeven(request: BreakEvenRequest, tables: Tables) -> Calculation:
    """Compare both monthly costs at `request.tokens`, find the break-even volume, show sensitivity.

    Raises:
        CalculatorError, KnowledgeError: impossible input, or an unknown model or GPU.
    """
    framework = tables.framework
    resolved = resolve_breakeven(request, tables)
    assumptions = list(resolved.assumptions)
    flags = list(resolved.flags)
    default = f"default: {framework.source}"

    api_price, api_label, setup = resolved.api_price, resolved.api_label, resolved.setup
    throughput, schedule, ops_rate = setup.throughput, resolved.ops_schedule, setup.ops_rate
    comparison = compare(
        request.tokens, api_price, setup, ops_schedule=schedule, even_band=framework.break_even_band
    )
    point = break_even(api_price, setup, ops_schedule=schedule)

    if schedule is None:
        assumptions.append(Assumption("ops hours", f"{_num(comparison.ops_hours)} h a month", "you"))
    else:
        steps = ", ".join(f"{_num(p.hours)} h at {format_tokens(p.tokens)}" for p in framework.ops_schedule)
        assumptions.append(
            Assumption(
                "ops hours",
                f"{_num(comparison.ops_hours.quantize(Decimal('0.01')))} h a month (grows with volume: {steps}; interpolated, flat outside)",
                default,
            )
        )
    assumptions.append(
        Assumption(
            "ops rate", f"{format_usd(ops_rate)}/h", "you" if request.ops_rate is not None else default
        )
    )
    if request.spare_gpus:
        assumptions.append(Assumption("spare GPUs", f"{request.spare_gpus} for redundancy", "you"))
    if request.engineers:
        assumptions.append(
            Assumption(
                "engineers",
                f"{_num(request.engineers)} at {format_usd(request.engineer_annual_cost)} a year",
                "you",
            )
        )
    if request.fixed_monthly:
        assumptions.append(
            Assumption("fixed infrastructure", f"{format_usd(request.fixed_monthly)}/month", "you")
        )

    rows = sensitivity(request.tokens, api_price, setup, framework.sensitivity_factors, ops_schedule=schedule)
    if point.never:
        gpu_per_million = format_usd(point.gpu_cost_per_1k * 1000, cents=True)
        api_per_million = format_usd(api_price * 1000, cents=True)
        would = _would_win(api_price, setup)
        guide = (
            " (the guide's own examples imply this at GPT-4o's blended rate)"
            if _is_guide_profile(request)
            else ""
        )
        flags.append(
            (
                (
                    f"GPU rental alone costs {gpu_per_million} per 1M tokens at this "
                    f"throughput, above the API's {api_per_million}: self-hosting never wins{guide}; {would} "
                    "(where the GPU alone costs what the API does; ops come on top)."
                ),
                (
                    f"Self-hosting never wins here: the GPU alone costs {gpu_per_million} per 1M tokens, "
                    f"the API {api_per_million}; {would}."
                ),
            )
        )

    return Calculation(
        tool="breakeven",
        inputs={"tokens": request.tokens, **_given(request)},
        result=_result(comparison, point, api_price),
        summary=_summary(comparison, point, api_label),
        assumptions=tuple(assumptions),
        flags=tuple(dict.fromkeys(note for note, _ in flags)),
        caveats=tuple(dict.fromkeys(short for _, short in flags)),
        figures=_figures(comparison, point),
        details=(
            *_breakdown(comparison, point, api_price),
            *_sensitivity_table(rows, throughput.tokens_per_gpu_month),
        ),
    )


def _api_price(
    request: BreakEvenRequest, tables: Tables, assumptions: list[Assumption], flags: list[tuple[str, str]]
) -> tuple[Decimal, str]:
    framework = tables.framework
    if request.model is not None and request.api_price_per_1k is not None:
        raise InvalidInputError("give either --model or --api-price, not both")
    if request.model is not None:
        quote = find_model(request.model, tables)
        origin = quote.source + (f" (as of {quote.as_of})" if quote.as_of else "")
        if request.input_share is not None:
            price = effective_price_per_1k(quote.price, request.input_share)
            assumptions.append(
                Assumption(
                    "API price",
                    f"{quote.price.model} list prices ${quote.price.input_per_million} in / "
                    f"${quote.price.output_per_million} out per 1M, {_num(request.input_share * 100)}% input: "
                    f"{_rate(price)} per 1K",
                    origin,
                )
            )
            return price, f"{quote.price.model} at {_rate(price)}/1K"
        price = blended_price_per_1k(quote.price)
        assumptions.append(
            Assumption(
                "API price",
                f"{quote.price.model} blended (mean of ${quote.price.input_per_million} in and "
                f"${quote.price.output_per_million} out per 1M): {_rate(price)} per 1K",
                origin,
            )
        )
        mix = tables.contradiction("blended-hides-mix")
        flags.append(
            (
                "Blended pricing (the guide's method) hides the input/output mix: give --input-share to price "
                "it exactly. " + mix.note,
                mix.short + " Say the input share to price it exactly.",
            )
        )
        return price, f"{quote.price.model} blended at {_rate(price)}/1K"
    if request.api_price_per_1k is not None:
        assumptions.append(
            Assumption("API price", f"{_rate(request.api_price_per_1k)} per 1K tokens, blended", "you")
        )
        return request.api_price_per_1k, f"{_rate(request.api_price_per_1k)}/1K"
    price = framework.api_price_per_1k
    assumptions.append(
        Assumption(
            "API price",
            f"{_rate(price)} per 1K tokens, blended ({framework.api_price_label})",
            f"default: {framework.source}",
        )
    )
    rates = tables.contradiction("two-gpt4o-rates")
    flags.append(
        ("Used the break-even examples' $0.015/1K. " + rates.note, rates.short + " This uses $0.015/1K.")
    )
    return price, f"{_rate(price)}/1K"


def _gpu_cost(
    request: BreakEvenRequest, tables: Tables, assumptions: list[Assumption], flags: list[tuple[str, str]]
) -> tuple[Decimal, str]:
    framework = tables.framework
    if request.gpu_monthly is not None:
        what = f"{format_usd(request.gpu_monthly, cents=True)} per GPU-month"
        assumptions.append(Assumption("GPU", what, "you"))
        return request.gpu_monthly, what
    row = find_gpu(request.gpu or framework.gpu, tables)
    hourly = request.gpu_hourly if request.gpu_hourly is not None else row.hourly
    monthly = gpu_monthly_cost(hourly, framework.hours_per_month)
    if request.gpu_hourly is not None:
        origin = "you"
        own_throughput = request.tokens_per_gpu is not None or request.tokens_per_second is not None
        # With your price and throughput, nothing of the table's H100 is used: it is not named.
        what = f"{'GPU' if request.gpu is None and own_throughput else row.gpu} at ${hourly}/h"
    else:
        origin = f"{'default: ' if request.gpu is None else ''}{row.source} (as of {row.as_of})"
        what = f"{row.provider} {row.gpu} at ${hourly}/h"
    assumptions.append(
        Assumption(
            "GPU",
            f"{what} x {_num(framework.hours_per_month)} h = {format_usd(monthly, cents=True)}/month",
            origin,
        )
    )
    guide_hourly = find_gpu(framework.gpu, tables).hourly
    if hourly == guide_hourly and monthly != monthly.to_integral_value():
        # Only the guide's own $2.69/h is the figure it rounds; another price has no guide figure to differ from.
        rounded = tables.contradiction("gpu-month-rounded")
        flags.append((rounded.note + " This advisor uses the exact figure.", rounded.short))
    return monthly, what


def _throughput(
    request: BreakEvenRequest, tables: Tables, assumptions: list[Assumption], flags: list[tuple[str, str]]
) -> Throughput:
    framework = tables.framework
    if request.tokens_per_gpu is not None and request.tokens_per_second is not None:
        raise InvalidInputError("give either --tokens-per-gpu or --throughput, not both")
    utilisation = request.utilisation if request.utilisation is not None else Decimal("0.5")
    if request.tokens_per_gpu is not None:
        assumptions.append(
            Assumption("throughput", f"{format_tokens(request.tokens_per_gpu)} tokens per GPU-month", "you")
        )
        return Throughput(request.tokens_per_gpu)
    if request.tokens_per_second is not None:
        throughput = Throughput.from_tokens_per_second(
            request.tokens_per_second, utilisation, framework.hours_per_month
        )
        assumptions.append(
            Assumption(
                "throughput",
                f"{_num(request.tokens_per_second)} tokens/s x {_num(utilisation * 100)}% utilisation x "
                f"{_num(framework.hours_per_month)} h = {format_tokens(throughput.tokens_per_gpu_month)} per GPU-month",
                "you"
                if request.utilisation is not None
                else "you (utilisation: default 50%, the guide's target)",
            )
        )
        return throughput
    profile = tables.profile(request.profile or framework.throughput_profile)
    throughput = profile.throughput(utilisation, framework.hours_per_month)
    used_util = (
        "" if profile.tokens_per_gpu_month is not None else f" at {_num(utilisation * 100)}% utilisation"
    )
    assumptions.append(
        Assumption(
            "throughput",
            f"{format_tokens(throughput.tokens_per_gpu_month)} tokens per GPU-month{used_util} "
            f"(profile {profile.name}: {profile.description})",
            f"{'default: ' if request.profile is None else ''}{profile.source} (as of {profile.as_of})",
        )
    )
    if profile.name.startswith("guide"):
        spread = tables.contradiction("h100-throughput")
        flags.append((spread.note, spread.short))
    return throughput


def _would_win(api_price_per_1k: Decimal, setup: SelfHostedSetup) -> str:
    """At what throughput (tokens per GPU-month) or GPU price ($/h) the GPU's cost per token equals the API's."""
    per_token = api_price_per_1k / 1000
    if per_token <= 0:
        return "no GPU beats an API that costs nothing"
    tokens = setup.gpu_monthly_cost / per_token
    hourly = per_token * setup.throughput.tokens_per_gpu_month / HOURS_PER_MONTH
    return (
        f"it could only win above {format_tokens(tokens)} tokens per GPU-month, "
        f"or with the GPU below {format_usd(hourly, cents=True)}/h"
    )


def _is_guide_profile(request: BreakEvenRequest) -> bool:
    return (
        request.tokens_per_gpu is None
        and request.tokens_per_second is None
        and (request.profile is None or request.profile.startswith("guide"))
    )


def _summary(comparison: Comparison, point: BreakEven, api_label: str) -> str:
    hosted = comparison.self_hosted
    verdict = VERDICT_TEXT[comparison.verdict]
    if point.break_even_tokens is None:
        where = "Self-hosting is never cheaper at these prices."
    else:
        where = f"Break-even at {format_tokens(point.break_even_tokens)} tokens a month."
    saving = comparison.saving
    difference = (
        f"self-hosting saves {format_usd(saving, cents=True)} a month"
        if saving >= 0
        else f"self-hosting costs {format_usd(-saving, cents=True)} a month more"
    )
    return (
        f"At {format_tokens(comparison.tokens)} tokens a month: API {format_usd(comparison.api_cost, cents=True)} "
        f"({api_label}) vs self-hosted {format_usd(hosted.monthly_cost, cents=True)} on {hosted.gpus} GPU"
        f"{'s' if hosted.gpus != 1 else ''} ({difference}): {verdict}. {where}"
    )


def _figures(comparison: Comparison, point: BreakEven) -> tuple[Figure, ...]:
    hosted = comparison.self_hosted
    gpus = f"{hosted.gpus} GPU{'s' if hosted.gpus != 1 else ''}"
    saving = comparison.saving
    figures = [
        Figure("Tokens a month", format_tokens(comparison.tokens)),
        Figure("API", f"{format_usd(comparison.api_cost, cents=True)} a month"),
        Figure("Self-hosted", f"{format_usd(hosted.monthly_cost, cents=True)} a month ({gpus})"),
        Figure(
            "Self-hosting " + ("saves" if saving >= 0 else "costs"),
            f"{format_usd(abs(saving), cents=True)} a month",
        ),
        Figure(
            "Break-even",
            "never at these prices"
            if point.break_even_tokens is None
            else f"{format_tokens(point.break_even_tokens)} tokens a month",
        ),
    ]
    return tuple(figures)


def _breakdown(comparison: Comparison, point: BreakEven, api_price: Decimal) -> list[str]:
    hosted = comparison.self_hosted
    saving = comparison.saving
    parts = [
        f"{hosted.gpus} GPU x {format_usd(hosted.gpu_cost / hosted.gpus, cents=True)}"
        if hosted.gpus
        else "0 GPUs"
    ]
    parts.append(f"ops {format_usd(hosted.ops_cost, cents=True)}")
    if hosted.engineer_cost:
        parts.append(f"engineers {format_usd(hosted.engineer_cost, cents=True)}")
    if hosted.fixed_cost:
        parts.append(f"fixed {format_usd(hosted.fixed_cost, cents=True)}")
    lines = [
        f"  API:          {format_usd(comparison.api_cost, cents=True)}/month ({_rate(api_price)} per 1K tokens)",
        f"  Self-hosted:  {format_usd(hosted.monthly_cost, cents=True)}/month = {' + '.join(parts)}",
        (
            f"  Difference:   self-hosting {'saves' if saving >= 0 else 'costs'} "
            f"{format_usd(abs(saving), cents=True)} a month; GPUs {_num(round(hosted.utilisation * 100, 1))}% used"
        ),
        f"  GPU cost per 1K tokens at full use: {_rate(point.gpu_cost_per_1k)} (API: {_rate(api_price)})",
    ]
    if point.break_even_tokens is not None and point.stays_cheaper_from is not None:
        lines.append(
            f"  Break-even volume: {format_tokens(point.break_even_tokens)} tokens a month; "
            f"self-hosting is cheaper at every volume above {format_tokens(point.stays_cheaper_from)} "
            "(in between, each extra GPU can tip it back)"
        )
    return lines


def _sensitivity_table(
    rows: list[tuple[Decimal, Comparison, BreakEven]], base_capacity: Decimal
) -> list[str]:
    lines = [
        "Sensitivity to throughput x utilisation:",
        "  factor  tokens/GPU-month  GPUs  self-hosted    saving         break-even",
    ]
    for factor, comparison, point in rows:
        capacity = comparison.self_hosted
        per_gpu = format_tokens(base_capacity * factor)
        lines.append(
            f"  {_num(factor):>6}x {per_gpu:>16} {capacity.gpus:>5}  {format_usd(capacity.monthly_cost):>12} "
            f"{format_usd(comparison.saving):>10}  "
            f"{format_tokens(point.break_even_tokens) if point.break_even_tokens is not None else 'never':>14}"
        )
    return lines


def _result(comparison: Comparison, point: BreakEven, api_price: Decimal) -> dict[str, object]:
    hosted = comparison.self_hosted
    return {
        "tokens": comparison.tokens,
        "api_monthly_cost": comparison.api_cost,
        "self_hosted_monthly_cost": hosted.monthly_cost,
        "gpus": hosted.gpus,
        "gpu_cost": hosted.gpu_cost,
        "ops_cost": hosted.ops_cost,
        "ops_hours": comparison.ops_hours,
        "engineer_cost": hosted.engineer_cost,
        "fixed_cost": hosted.fixed_cost,
        "saving": comparison.saving,
        "verdict": comparison.verdict.value,
        "verdict_text": VERDICT_TEXT[comparison.verdict],
        "api_price_per_1k": api_price,
        "gpu_cost_per_1k": point.gpu_cost_per_1k,
        "break_even_tokens": point.break_even_tokens,
        "stays_cheaper_from": point.stays_cheaper_from,
    }


def _given(request: BreakEvenRequest) -> dict[str, object]:
    return {
        name: value
        for name, value in vars(request).items()
        if name != "tokens"
        and value is not None
        and value != BreakEvenRequest.__dataclass_fields__[name].default
    }
