"""One composer for every answer: numbers, assumptions, caveats and quotes stated the same way.

Offline plans and the LLM's tool calls both end here: the calculations become the answer's
headline and figures, a comparison of models says which is cheaper and by how much, conversions
the reader made are said, and a question that could not be read safely is asked about instead of
answered with a guess.
"""

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from bot.calculations.format import rate
from bot.calculations.record import Calculation
from bot.chain.answer import Draft, Quote
from bot.chain.plan import Plan
from bot.chain.understanding import Intent
from calculators.quantities import format_tokens, format_usd

EXAMPLES = (
    '"should we self-host at 500M tokens a month?", "we spend $30K a month, which phase are we in?", '
    '"what do 8M input and 2M output tokens cost on gpt-4o?" or "10K MAU, how many tokens?"'
)
_PLAIN_EXAMPLES = (
    '"should we self-host at 500M tokens a month?" or "what do 8M input and 2M output tokens cost on gpt-4o?"'
)
"""Examples without a dollar sign, for answers that must not state a price."""


def clarify(plan: Plan) -> Draft:
    """What the question said that cannot be used, and nothing else: no number, no quote."""
    return Draft(
        headline="I can't calculate that as asked: " + " ".join(plan.issues),
        notes=("Ask again with the corrected amount or name, for example " + _PLAIN_EXAMPLES + ".",),
    )


def refused(error: str) -> Draft:
    """The calculators refused the numbers: say why in one line, and what to type."""
    return Draft(headline=f"I couldn't run that calculation: {error}.", notes=("Try: " + EXAMPLES,))


def compose(
    plan: Plan, calculations: Sequence[Calculation], quotes: Sequence[Quote], phases: str = ""
) -> Draft:
    """The structured draft: a comparison or the main calculation's summary as headline, then quotes."""
    notes: list[str] = [f"Read as: {line}." for line in plan.conversions]
    understanding = plan.understanding
    asked_phase = Intent.PHASE in understanding.asked and bool(phases)
    headline = ""
    if calculations:
        headline = comparison(calculations) if plan.compare else ""
        headline = headline or calculations[-1].summary
    elif asked_phase:
        headline = (
            f'The guide\'s phases by monthly AI spend: {phases}. Tell me yours ("we spend $30K a month") '
            "and I'll place you and say what to do next."
        )
    elif quotes:
        headline = quotes[0].text
    if plan.per:
        notes += _per_period(calculations, plan.per)
    if not calculations and not asked_phase and _wants_numbers(plan):
        notes.append("Tell me your numbers and I'll run them, for example " + EXAMPLES + ".")
    if not headline:
        headline = "I found nothing in the guide about that."
        notes = ["Try: " + EXAMPLES]
    return Draft(
        headline=headline, calculations=tuple(calculations), quotes=tuple(quotes), notes=tuple(notes)
    )


def compose_prose(
    text: str, calculations: Sequence[Calculation], *, tokens_in: int = 0, tokens_out: int = 0
) -> Draft:
    """The LLM's answer: its own words, with its tools' numbers stated the way offline answers state them.

    The calculations (each with its assumptions and caveats) are the same records the offline plan
    produces; a model asked for the same calculation twice states it once; two or more priced
    models get the same comparison line an offline comparison leads with.
    """
    distinct = tuple({(c.tool, repr(sorted(c.inputs.items()))): c for c in calculations}.values())
    draft = Draft.from_prose(text, distinct, tokens_in=tokens_in, tokens_out=tokens_out)
    line = comparison(distinct)
    if line and line not in text:
        draft = replace(draft, notes=(line, *draft.notes))
    return draft


def _priced_as(calculation: Calculation) -> str:
    """The model a cost was priced on, or the rate given for it ("the $0.0018/1K rate")."""
    model = calculation.result.get("model") or calculation.inputs.get("model")
    if model:
        return str(model)
    price = calculation.inputs.get("api_price_per_1k")
    return f"the {rate(Decimal(str(price)))}/1K rate" if price is not None else "the given rate"


def comparison(calculations: Sequence[Calculation]) -> str:
    """ "gpt-5 is cheaper: $975.00 a month against $1,800.00 on claude-sonnet-4.6 ($825.00 less)."."""
    costs = [
        (_priced_as(c), Decimal(str(c.result["monthly_cost"])))
        for c in calculations
        if c.tool == "cost" and c.result.get("monthly_cost") is not None
    ]
    if len(costs) < 2:
        apis = [
            (str(c.inputs.get("model") or "the API"), Decimal(str(c.result["api_monthly_cost"])), c)
            for c in calculations
            if c.tool == "breakeven"
        ]
        if len(apis) < 2:
            return ""
        ranked = sorted(apis, key=lambda item: item[1])
        parts = ", ".join(f"{model} {format_usd(cost, cents=True)}" for model, cost, _ in ranked)
        hosted = Decimal(str(ranked[0][2].result["self_hosted_monthly_cost"]))
        tokens = format_tokens(Decimal(str(ranked[0][2].result["tokens"])))
        return (
            f"At {tokens} tokens a month the APIs cost {parts}; self-hosting costs "
            f"{format_usd(hosted, cents=True)} a month."
        )
    priced = sorted(costs, key=lambda item: item[1])
    (cheap, low), (dear, high) = priced[0], priced[-1]
    if low == high:
        return f"{cheap} and {dear} cost the same: {format_usd(low, cents=True)} a month."
    others = "; ".join(f"{model} {format_usd(cost, cents=True)}" for model, cost in priced[1:])
    return (
        f"{cheap} is cheapest at {format_usd(low, cents=True)} a month, {format_usd(high - low, cents=True)} "
        f"less than {dear} ({others})."
    )


_MONTHLY = {
    "cost": ("monthly_cost", "cost"),
    "savings": ("monthly_saving", "saving"),
    "tokens": ("monthly_tokens", ""),
}
"""The monthly figure of each tool that a question asking per day, week or year restates, and what it is called."""
_MONTHS_IN = {
    "year": (Decimal(12), "12 months"),
    "week": (Decimal(7) / 30, "a month is 30 days"),
    "day": (Decimal(1) / 30, "a month is 30 days"),
}


def _per_period(calculations: Sequence[Calculation], period: str) -> list[str]:
    """ "A year: $22,500.00 cost on gpt-4o (12 months)." or "A day: 30M tokens (a month is 30 days)."."""
    months, why = _MONTHS_IN[period]
    lines = []
    for calculation in calculations:
        key, name = _MONTHLY.get(calculation.tool, ("", ""))
        value = calculation.result.get(key)
        if value is None:
            continue
        amount = Decimal(str(value)) * months
        if calculation.tool == "tokens":
            days = Decimal(str(calculation.inputs.get("days") or 30))
            if period != "year":
                amount = Decimal(str(value)) / days * (7 if period == "week" else 1)
                why = f"{days.normalize():f} days of use a month"
            lines.append(f"A {period}: {format_tokens(amount)} tokens ({why}).")
            continue
        model = calculation.result.get("model") or calculation.inputs.get("model")
        where = f" on {model}" if model and calculation.tool == "cost" else ""
        lines.append(f"A {period}: {format_usd(amount, cents=True)} {name}{where} ({why}).")
    return lines


def _wants_numbers(plan: Plan) -> bool:
    numeric = {Intent.BREAKEVEN, Intent.COST, Intent.PHASE, Intent.TOKENS, Intent.SAVINGS}
    facts = plan.understanding.facts
    return bool(facts.unplaced or facts.models or plan.understanding.asked & numeric)
