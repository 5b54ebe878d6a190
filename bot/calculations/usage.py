"""`tokens`: monthly tokens from users and how they use the product."""

from dataclasses import dataclass
from decimal import Decimal

from bot.calculations.format import num, percent
from bot.calculations.record import Assumption, Calculation, Figure
from calculators.quantities import format_tokens
from calculators.tokens import Usage, monthly_tokens

GUIDE = "default: guide, Cost Analysis Framework, question 1"
GUIDE_DEFAULTS = {"active_share": Decimal("0.5"), "input_tokens": Decimal(50), "output_tokens": Decimal(500)}


@dataclass(frozen=True)
class UsageRequest:
    """`None` takes the guide's assumption (50% daily active, 50 in + 500 out, 30 days)."""

    users: Decimal
    active_share: Decimal | None = None
    interactions_per_day: Decimal = Decimal(1)
    input_tokens: Decimal | None = None
    output_tokens: Decimal | None = None
    days: Decimal = Decimal(30)
    unit: str = "users"
    """What `users` counts; "queries" for a monthly count of queries (then active share, rate and days are 1)."""


def run_tokens(request: UsageRequest) -> Calculation:
    """Monthly tokens: 10K MAU on the guide's assumptions is 82.5M.

    Raises:
        InvalidInputError: negative counts or a share outside 0-100%.
    """
    active = _or_default(request.active_share, "active_share")
    input_tokens = _or_default(request.input_tokens, "input_tokens")
    output_tokens = _or_default(request.output_tokens, "output_tokens")
    tokens = monthly_tokens(
        Usage(request.users, active, request.interactions_per_day, input_tokens, output_tokens, request.days)
    )

    def origin(value: Decimal | None) -> str:
        return "you" if value is not None else GUIDE

    totals = (
        f"{format_tokens(tokens.total)} tokens a month ({format_tokens(tokens.input_tokens)} in, "
        f"{format_tokens(tokens.output_tokens)} out)."
    )
    per_interaction = f"{num(input_tokens)} in + {num(output_tokens)} out"
    if (request.input_tokens is None) != (request.output_tokens is None):
        # One side given, the other the guide's: each says where it came from, never both "you".
        token_assumptions: tuple[Assumption, ...] = (
            Assumption("input tokens per interaction", num(input_tokens), origin(request.input_tokens)),
            Assumption("output tokens per interaction", num(output_tokens), origin(request.output_tokens)),
        )
    else:
        token_assumptions = (
            Assumption("tokens per interaction", per_interaction, origin(request.input_tokens)),
        )
    if request.unit != "users":
        summary = f"{format_tokens(request.users)} {request.unit} x ({num(input_tokens)} + {num(output_tokens)} tokens) = {totals}"
        assumptions: tuple[Assumption, ...] = (
            (Assumption(f"tokens per one of the {request.unit}", per_interaction, "you"),)
            if request.input_tokens is not None and request.output_tokens is not None
            else token_assumptions
        )
        details: tuple[str, ...] = ()
    else:
        summary = (
            f"{format_tokens(request.users)} users x {percent(active)} active x {num(request.interactions_per_day)}/day x "
            f"({num(input_tokens)} + {num(output_tokens)} tokens) x {num(request.days)} days = {totals}"
        )
        assumptions = (
            Assumption("daily active share", percent(active), origin(request.active_share)),
            Assumption(
                "interactions per active user a day",
                num(request.interactions_per_day),
                "you" if request.interactions_per_day != 1 else "default: one a day",
            ),
            *token_assumptions,
            Assumption("days", num(request.days), "you" if request.days != 30 else GUIDE),
        )
        details = (
            (
                # Exact counts: "1.19B" for 1.188B would price $5 off.
                f"  Price it: advisor cost --model gpt-4o --input {tokens.input_tokens.normalize():f} "
                f"--output {tokens.output_tokens.normalize():f}"
            ),
        )
    return Calculation(
        tool="tokens",
        inputs={name: value for name, value in vars(request).items() if value is not None},
        result={
            "monthly_tokens": tokens.total,
            "input_tokens": tokens.input_tokens,
            "output_tokens": tokens.output_tokens,
        },
        summary=summary,
        assumptions=assumptions,
        details=details,
        figures=(
            Figure("Tokens a month", format_tokens(tokens.total)),
            Figure("Input", format_tokens(tokens.input_tokens)),
            Figure("Output", format_tokens(tokens.output_tokens)),
        ),
    )


def _or_default(value: Decimal | None, name: str) -> Decimal:
    return value if value is not None else GUIDE_DEFAULTS[name]
