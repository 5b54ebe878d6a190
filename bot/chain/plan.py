"""From what a question says to the calculator calls that answer it: the offline plan.

The plan is a list of typed tool calls (the same argument models the LLM binds), the lines to ask
the user when something cannot be used safely, and the conversions the reader made. Follow-ups
("and at 2B?", "with Claude instead?", "on AWS?") change slots of the conversation's last plan.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal

from bot.calculations.record import Assumption
from bot.calculations.usage import UsageRequest, run_tokens
from bot.chain.answer import Turn
from bot.chain.executor import ToolCall
from bot.chain.tools import ApiCostArgs, BreakEvenArgs, MonthlyTokensArgs, PhaseArgs, SavingsArgs
from bot.chain.understanding import DEFAULT_MODEL, Facts, Intent, Understanding, understand
from calculators.errors import CalculatorError
from knowledge.tables import Tables
from knowledge.tables import tables as bundled_tables
from knowledge.vocabulary import vocabulary

EXAMPLE_VOLUME = Decimal(500_000_000)
"""The guide's break-even example volume, used when a break-even question gives none (and said so)."""
_OPEN_MODEL = re.compile(r"llama|mistral-7b|mixtral|gemma|qwen|deepseek-r1-distill")


@dataclass(frozen=True)
class Plan:
    """The calls that answer a question, or what to ask instead."""

    calls: tuple[ToolCall, ...]
    understanding: Understanding
    issues: tuple[str, ...] = ()
    """Lines saying what could not be used ("gpt-7" unknown, "1,5B" ambiguous); no call runs then."""
    conversions: tuple[str, ...] = ()
    compare: bool = False
    """Two or more models priced side by side."""
    follow_up: bool = False
    per: str | None = None
    """A period the question asks its figures in besides the month ("annual cost", "tokens per day?")."""
    error: str | None = None
    """Why no call could be built from the numbers given (the calculators' own message)."""

    def key(self) -> str | None:
        """The plan's facts as a stable string; None for a question with no calculation."""
        if self.issues:
            return "ask:" + " | ".join(self.issues)
        if not self.calls:
            return None
        return " ; ".join(call.key() for call in self.calls) + (f" ; per {self.per}" if self.per else "")


@dataclass
class _State:
    facts: Facts
    asked: frozenset[Intent]
    intent: Intent
    breakeven_point: bool = False
    extra: dict[str, object] = field(default_factory=dict)


def plan_question(question: str, history: Sequence[Turn] = (), tables: Tables | None = None) -> Plan:
    """The plan for `question`, read in the light of the conversation's earlier questions."""
    tables = tables or bundled_tables()
    plan = _plan_question(question, history, tables)
    text = question.lower()
    if any(pattern.search(text) for pattern in vocabulary().cue_patterns("phase_after")):
        plan = _phase_after_savings(plan, tables)
    for period, pattern in _ASKED_PERIODS.items():
        # A period that is a stated amount's ("20M tokens a day") was converted, and is not asked for.
        if (
            plan.calls
            and pattern.search(text)
            and not any(f" a {period} " in line for line in plan.conversions)
        ):
            return replace(plan, per=period)
    return plan


def _phase_after_savings(plan: Plan, tables: Tables) -> Plan:
    """ "what would caching save, and which phase would we be in after?": the phase of what is left."""
    savings = next((call for call in plan.calls if call.tool == "savings"), None)
    if savings is None:
        return plan
    left = savings.args.calculate(tables).result.get("monthly_cost_after")
    if left is None:
        return plan
    calls = tuple(
        ToolCall("phase", PhaseArgs(spend=Decimal(str(left)))) if call.tool == "phase" else call
        for call in plan.calls
    )
    return replace(plan, calls=calls)


def _asked_in(period: str, adjective: str) -> re.Pattern[str]:
    return re.compile(
        rf"(\b(per|a|each|every) {period}|\b{adjective})\s*[?.!]*\s*$"
        rf"|\b{adjective} (tokens?|token (volume|usage)|cost|spend|bill|budget|volume|usage)\b"
        rf"|\b(tokens|cost|spend|bill|budget) (per|a|each) {period}\b\s*\?"
    )


_ASKED_PERIODS = {
    "year": re.compile(r"\b(year|yearly|annual|annually|per annum|a yr|/yr|12 months)\b"),
    "day": _asked_in("day", "daily"),
    "week": _asked_in("week", "weekly"),
}
"""Periods a question may ask its figures in, as well as the month the calculators work in."""


def _plan_question(question: str, history: Sequence[Turn], tables: Tables) -> Plan:
    understood = understand(question, tables)
    own = _plan(understood, tables, _asks_point(question))
    if not history or own.issues or not _changes_something(understood.facts):
        return own
    if own.calls and not (_reads_as_follow_up(question) and len(question) < 90):
        return own
    previous = _last_plan_state(history, tables)
    if previous is None:
        return own
    merged = _merge(previous, understood)
    again = _plan(
        Understanding(previous.intent, merged, previous.asked | understood.asked),
        tables,
        previous.breakeven_point,
    )
    return replace(again, follow_up=True) if again.calls or again.issues else own


def plan_key(question: str, history: Sequence[Turn] = ()) -> str | None:
    """A stable string of the plan's calls and arguments (or of what it must ask); None without a plan.

    Two questions with the same key ask for the same numbers; two with different facts never share one.
    """
    return plan_question(question, history).key()


def _asks_point(question: str) -> bool:
    text = question.lower()
    return any(pattern.search(text) for pattern in vocabulary().cue_patterns("breakeven_point"))


def _reads_as_follow_up(question: str) -> bool:
    text = question.lower().strip()
    return any(pattern.search(text) for pattern in vocabulary().cue_patterns("follow_up"))


def _changes_something(facts: Facts) -> bool:
    return bool(set(facts.stated()) - {"conversions"})


def _last_plan_state(history: Sequence[Turn], tables: Tables) -> _State | None:
    """Fold the conversation: a question with its own plan starts over, a follow-up changes slots."""
    state: _State | None = None
    for turn in history:
        understood = understand(turn.question, tables)
        point = _asks_point(turn.question)
        if _plan(understood, tables, point).calls:
            state = _State(understood.facts, understood.asked, understood.intent, point)
        elif state is not None and _changes_something(understood.facts):
            state = _State(
                _merge(state, understood), state.asked | understood.asked, state.intent, state.breakeven_point
            )
    return state


_VOLUME = ("monthly_tokens", "monthly_input", "monthly_output")
_COUNTS = ("users", "interactions")


def _merge(previous: _State, new: Understanding) -> Facts:
    """The previous facts with every slot the follow-up states replaced."""
    old, said = previous.facts, new.facts
    merged = replace(old, unplaced=[], conversions=list(said.conversions), highs=dict(old.highs), issues=[])
    stated = said.stated()
    if any(name in stated for name in _VOLUME):
        for name in (
            *_VOLUME,
            *_COUNTS,
            "input_per_interaction",
            "output_per_interaction",
            "tokens_per_interaction",
        ):
            setattr(merged, name, None)
        merged.highs = {}
    if any(name in stated for name in _COUNTS):
        for name in _VOLUME:
            setattr(merged, name, None)
    if "gpu" in stated and "gpu_hourly" not in stated:
        merged.gpu_hourly = None
    if "profile" in stated:
        merged.tokens_per_second = merged.tokens_per_gpu = None
    for item in fields(Facts):
        if item.name in {"unplaced", "conversions", "issues", "highs"}:
            continue
        value = getattr(said, item.name)
        if value not in (None, [], {}):
            setattr(merged, item.name, value)
    if said.profile is not None and previous.intent is Intent.BREAKEVEN and "models" in stated:
        merged.models = [model for model in old.models if not _OPEN_MODEL.search(model)]
    if said.multiplier is not None:
        _scale_primary(merged, previous.intent, said.multiplier)  # "at three times that volume"
    elif said.unplaced:
        _set_primary(merged, previous.intent, said.unplaced[0])
    merged.multiplier = None
    return merged


def _scale_primary(facts: Facts, intent: Intent, factor: Decimal) -> None:
    """ "what about when it triples?": the previous question's main quantity, times the factor."""
    if intent in {Intent.PHASE, Intent.SAVINGS} and facts.spend is not None:
        _set_primary(facts, intent, facts.spend * factor)
    elif facts.monthly_tokens is not None:
        _set_primary(facts, intent, facts.monthly_tokens * factor)
    elif facts.users is not None:
        facts.users *= factor
    elif facts.interactions is not None:
        facts.interactions *= factor
    elif facts.spend is not None:
        facts.spend *= factor


def _set_primary(facts: Facts, intent: Intent, value: Decimal) -> None:
    """Put a bare follow-up amount where the previous question's main quantity was."""
    if intent in {Intent.PHASE, Intent.SAVINGS} and facts.spend is not None:
        facts.spend = value
    elif facts.monthly_tokens is None and facts.users is not None:
        facts.users = value
    elif facts.monthly_tokens is None and facts.interactions is not None:
        facts.interactions = value
    else:
        if facts.monthly_input is not None and facts.monthly_output is not None and facts.monthly_tokens:
            share = facts.monthly_input / facts.monthly_tokens
            facts.monthly_input, facts.monthly_output = value * share, value * (1 - share)
        facts.monthly_tokens = value
    facts.highs = {}


def _plan(understood: Understanding, tables: Tables, breakeven_point: bool) -> Plan:
    facts, asked = understood.facts, understood.asked
    if facts.issues:
        return Plan((), understood, issues=tuple(dict.fromkeys(facts.issues)))
    try:
        calls = _calls(facts, asked, understood.intent, breakeven_point, tables)
        for slot, high in facts.highs.items():
            upper = replace(facts, highs={})
            setattr(upper, slot, high)
            if slot in {"monthly_input", "monthly_output"}:
                upper.monthly_tokens = (upper.monthly_input or Decimal(0)) + (
                    upper.monthly_output or Decimal(0)
                )
            calls += [
                call
                for call in _calls(upper, asked, understood.intent, breakeven_point, tables)
                if call not in calls
            ]
    except CalculatorError as error:
        return Plan((), understood, error=str(error))
    api_models = [model for model in facts.models if not _OPEN_MODEL.search(model)]
    return Plan(
        tuple(calls),
        understood,
        conversions=tuple(facts.conversions),
        compare=(
            len(api_models if any(call.tool == "breakeven" for call in calls) else facts.models) > 1
            or (facts.api_price_per_1k is not None and bool(facts.models))
        )
        and any(call.tool in {"api_cost", "breakeven"} for call in calls),
    )


def _calls(
    facts: Facts, asked: frozenset[Intent], intent: Intent, breakeven_point: bool, tables: Tables
) -> list[ToolCall]:
    volume = facts.monthly_tokens is not None or facts.users is not None or facts.interactions is not None
    calls: list[ToolCall] = []
    if not volume and facts.cached_input_share is not None and facts.cache_hit_share is None:
        # "half our requests would hit the prompt cache" with only a bill: no tokens to price per
        # model, so the share is read as cache hits on the bill.
        facts = replace(facts, cache_hit_share=facts.cached_input_share, cached_input_share=None)
    shares = facts.cache_hit_share is not None or facts.batch_share is not None
    if shares and (Intent.SAVINGS in asked or not volume or not (facts.models or Intent.COST in asked)):
        spend = facts.spend
        if spend is None and volume and Intent.SAVINGS in asked:
            # "200M tokens a month on gpt-4o, 30% cache hits: what do we save?": the bill is that volume's cost.
            priced = _priced(facts, tables)
            spend = Decimal(str(priced[-1].args.calculate(tables).result["monthly_cost"]))
            calls += _priced(facts, tables, shares=True)
        calls.append(
            ToolCall(
                "savings",
                SavingsArgs.model_validate(
                    _set(
                        cache_hit_share=facts.cache_hit_share,
                        cache_hit_cost=facts.cache_hit_cost,
                        batch_share=facts.batch_share,
                        batch_discount=facts.batch_discount,
                        monthly_spend=spend,
                    )
                ),
            )
        )
        if not (Intent.PHASE in asked and facts.spend is not None):
            return calls
    if facts.spend is not None and not volume and (Intent.PHASE in asked or not calls):
        calls.append(ToolCall("phase", PhaseArgs(spend=facts.spend)))
        return calls
    if intent is Intent.BREAKEVEN or (Intent.BREAKEVEN in asked and (volume or breakeven_point)):
        return calls + _breakeven(facts, volume)
    if not volume:
        return calls
    usage, total, input_tokens, output_tokens = _usage(facts)
    if usage is not None:
        calls.append(usage)
    wants_cost = (
        Intent.COST in asked
        or bool(facts.models)
        or facts.api_price_per_1k is not None
        or facts.cached_input_share is not None
    )
    if not wants_cost or (intent is Intent.TOKENS and not facts.models):
        return calls if usage is not None else []
    models: list[str | None] = list(facts.models) or [None]
    if facts.api_price_per_1k is not None and facts.models:
        models = [None, *facts.models]  # "our vendor's $1.80 per 1M vs gpt-4o": the quoted rate priced too
    for model in models:
        calls.append(_cost(facts, model, total, input_tokens, output_tokens))
    return calls


def _priced(facts: Facts, tables: Tables, *, shares: bool = False) -> list[ToolCall]:
    """The volume's tokens call (if counted from users) and its cost at list prices.

    With `shares`, a cost whose input/output split is known also prices the cache and batch shares at
    the model's own cached and batch rates, so the answer says what prompt caching and the Batch API
    save on that model as well as what the guide's request-level caching saves on the bill.
    """
    usage, total, input_tokens, output_tokens = _usage(facts)
    priced = facts if shares else replace(facts, cache_hit_share=None, batch_share=None)
    return [*([usage] if usage else []), _cost(priced, facts.model, total, input_tokens, output_tokens)]


def _set(**values: object) -> dict[str, object]:
    return {name: value for name, value in values.items() if value is not None}


def _usage(facts: Facts) -> tuple[ToolCall | None, Decimal | None, Decimal | None, Decimal | None]:
    """The tokens call when the volume comes from users or queries, with the monthly total and split."""
    if facts.monthly_tokens is not None:
        return None, facts.monthly_tokens, facts.monthly_input, facts.monthly_output
    per = facts.tokens_per_interaction
    if facts.users is None:
        assert facts.interactions is not None
        args = _set(
            users=facts.interactions,
            active_share=Decimal(1),
            days=Decimal(1),
            unit="queries",
            input_tokens=facts.input_per_interaction if per is None else per,
            output_tokens=facts.output_per_interaction if per is None else Decimal(0),
        )
    elif facts.tokens_per_user_per_day is not None:
        args = _set(
            users=facts.users,
            active_share=facts.active_share or Decimal(1),
            input_tokens=facts.tokens_per_user_per_day,
            output_tokens=Decimal(0),
        )
    else:
        args = _set(
            users=facts.users,
            active_share=facts.active_share,
            interactions_per_day=facts.interactions_per_day,
            days=facts.days,
            input_tokens=per if per is not None else facts.input_per_interaction,
            output_tokens=Decimal(0) if per is not None else facts.output_per_interaction,
        )
    typed = MonthlyTokensArgs.model_validate(args)
    result = run_tokens(UsageRequest(**typed.given())).result
    inputs, outputs = result["input_tokens"], result["output_tokens"]
    split = bool(inputs and outputs)
    return (
        ToolCall("monthly_tokens", typed),
        result["monthly_tokens"],
        inputs if split else None,
        outputs if split else None,
    )


def _cost(
    facts: Facts,
    model: str | None,
    total: Decimal | None,
    input_tokens: Decimal | None,
    output_tokens: Decimal | None,
) -> ToolCall:
    if facts.api_price_per_1k is not None and model is None:
        return ToolCall("api_cost", ApiCostArgs(api_price_per_1k=facts.api_price_per_1k, tokens=total))
    assumed: tuple[Assumption, ...] = ()
    if model is None:
        model = DEFAULT_MODEL
        assumed = (
            Assumption(
                "model",
                f"none named, so {DEFAULT_MODEL} (the guide: right for most tasks)",
                "default: guide, API-First Strategy",
            ),
        )
    if input_tokens is not None or output_tokens is not None:
        args = ApiCostArgs.model_validate(
            _set(
                model=model,
                input_tokens=input_tokens or Decimal(0),
                output_tokens=output_tokens or Decimal(0),
                cached_input_share=facts.cached_input_share
                if facts.cached_input_share is not None
                else facts.cache_hit_share,
                batch_share=facts.batch_share,
            )
        )
    else:
        split = facts.input_share is not None  # with the split known, cache and batch can be priced
        args = ApiCostArgs.model_validate(
            _set(
                model=model,
                tokens=total,
                input_share=facts.input_share,
                cached_input_share=facts.cached_input_share if split else None,
                batch_share=facts.batch_share if split else None,
            )
        )
    return ToolCall("api_cost", args, assumed)


def _breakeven(facts: Facts, volume: bool) -> list[ToolCall]:
    calls: list[ToolCall] = []
    assumed: tuple[Assumption, ...] = ()
    usage = None
    tokens = facts.monthly_tokens
    input_share = facts.input_share
    if tokens is None and volume:
        usage, tokens, inputs, outputs = _usage(facts)
        if inputs and outputs and tokens:
            input_share = inputs / tokens
    elif (
        tokens is not None and facts.monthly_input is not None and facts.monthly_output is not None and tokens
    ):
        input_share = facts.monthly_input / tokens
    if usage is not None:
        calls.append(usage)
    if tokens is None:
        tokens = EXAMPLE_VOLUME
        assumed = (
            Assumption(
                "volume",
                "none given, so the guide's example 500M tokens a month",
                "default: guide, Cost Analysis Framework",
            ),
        )
    api_models: list[str | None] = [model for model in facts.models if not _OPEN_MODEL.search(model)] or [
        None
    ]
    several_gpus = len(facts.gpus) > 1 and len(api_models) == 1 and facts.gpu_hourly is None
    offers = (
        [(model, facts.gpu) for model in api_models]
        if not several_gpus
        else [(api_models[0], gpu) for gpu in facts.gpus]
    )  # "how do runpod h100s and lambda h100s compare?": one break-even per offer
    for model, gpu in offers:
        args = BreakEvenArgs.model_validate(
            _set(
                tokens=tokens,
                model=model,
                api_price_per_1k=facts.api_price_per_1k if model is None else None,
                input_share=input_share if model is not None else None,
                gpu=gpu,
                gpu_hourly=facts.gpu_hourly,
                gpu_monthly=facts.gpu_monthly,
                profile=facts.profile
                if facts.tokens_per_gpu is None and facts.tokens_per_second is None
                else None,
                tokens_per_gpu=facts.tokens_per_gpu,
                tokens_per_second=facts.tokens_per_second,
                utilisation=facts.utilisation,
                ops_hours=facts.ops_hours,
                ops_rate=facts.ops_rate,
                engineers=facts.engineers,
                engineer_annual_cost=facts.engineer_annual_cost,
                fixed_monthly=facts.fixed_monthly,
                spare_gpus=facts.spare_gpus,
            )
        )
        calls.append(ToolCall("breakeven", args, assumed))
    return calls
