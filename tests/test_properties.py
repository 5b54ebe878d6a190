"""Random slot values in random phrasings come back out of the plan exactly (hypothesis)."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.chain.answer import Turn
from bot.chain.plan import Plan, plan_question
from knowledge.tables import tables

SCALES = {"K": D(1_000), "M": D(1_000_000), "B": D(1_000_000_000)}
SCALE_WORDS = {"thousand": D(1_000), "million": D(1_000_000), "billion": D(1_000_000_000)}


@st.composite
def volumes(draw: st.DrawFn) -> tuple[str, D]:
    """A token volume as people write it ("250M", "1.5 billion", "3,000,000") and its value."""
    style = draw(st.sampled_from(["suffix", "decimal", "word", "commas"]))
    if style == "commas":
        value = draw(st.integers(min_value=1_000_000, max_value=9_999_999_999))
        return f"{value:,}", D(value)
    number = draw(st.integers(min_value=1, max_value=999))
    if style == "decimal":
        tenths = draw(st.integers(min_value=1, max_value=9))
        written, amount = f"{number}.{tenths}", D(f"{number}.{tenths}")
    else:
        written, amount = str(number), D(number)
    if style == "word":
        word = draw(st.sampled_from(["million", "billion"]))
        return f"{written} {word}", amount * SCALE_WORDS[word]
    suffix = draw(st.sampled_from(["M", "B", "m", "b"]))
    return f"{written}{suffix}", amount * SCALES[suffix.upper()]


def api_models() -> st.SearchStrategy[tuple[str, str]]:
    """A model from the guide's price table, written as its name or one of its aliases, with its name."""
    return st.sampled_from(
        [
            (written, row.name)
            for row in tables().models
            if row.name != "text-embedding-3-small"
            for written in (row.name, *row.aliases)
            if written != "4o"  # a bare "4o" is a model only where the text makes it one
        ]
    )


def calls(plan: Plan) -> list[tuple[str, dict[str, object]]]:
    """The plan's calls as (tool, arguments given)."""
    assert plan.issues == (), plan.issues
    return [(call.tool, call.args.given()) for call in plan.calls]


COST = [
    "what would {volume} tokens a month cost on {model}?",
    "{model} for {volume} tokens/month - how much?",
    "how much is {volume} tokens per month with {model}",
    "price of {volume} tokens monthly on {model}?",
    "we push {volume} tokens a month through {model}, what's the bill",
]


@settings(max_examples=120, deadline=None)
@given(volume=volumes(), model=api_models(), phrasing=st.sampled_from(COST))
def test_cost_questions_keep_volume_and_model(
    volume: tuple[str, D], model: tuple[str, str], phrasing: str
) -> None:
    """Any volume on any priced model, in any of the phrasings, is priced at exactly that volume on that model."""
    question = phrasing.format(volume=volume[0], model=model[0])
    assert calls(plan_question(question)) == [("api_cost", {"model": model[1], "tokens": volume[1]})]


BREAKEVEN = [
    "should we self-host at {volume} tokens a month if the GPU is ${price}/h?",
    "self-host {volume} tokens/mo on GPUs at ${price} an hour - worth it?",
    "at ${price} per GPU hour, when does self-hosting {volume} tokens a month break even?",
]


@settings(max_examples=80, deadline=None)
@given(
    volume=volumes(),
    cents=st.integers(min_value=50, max_value=2_000),
    phrasing=st.sampled_from(BREAKEVEN),
)
def test_breakeven_questions_keep_volume_and_gpu_price(
    volume: tuple[str, D], cents: int, phrasing: str
) -> None:
    """A break-even question runs at exactly the volume and the hourly GPU price it states."""
    price = D(cents) / 100
    question = phrasing.format(volume=volume[0], price=f"{price:.2f}")
    [(tool, args)] = calls(plan_question(question))
    assert tool == "breakeven"
    assert args == {"tokens": volume[1], "gpu_hourly": price}


PER_DAY = [
    "should we self-host at {volume} tokens a day?",
    "we run {volume} tokens per day - self-host or stay on the API?",
]


@settings(max_examples=60, deadline=None)
@given(
    number=st.integers(min_value=1, max_value=999),
    scale=st.sampled_from(["M", "K"]),
    phrasing=st.sampled_from(PER_DAY),
)
def test_daily_volumes_become_thirty_days(number: int, scale: str, phrasing: str) -> None:
    """A volume per day is planned as 30 times that a month, and the conversion is said."""
    plan = plan_question(phrasing.format(volume=f"{number}{scale}"))
    [(tool, args)] = calls(plan)
    assert tool == "breakeven"
    assert args["tokens"] == number * SCALES[scale] * 30
    assert any("a day is" in line for line in plan.conversions)


SAVINGS = [
    "we spend ${spend} a month; what do we save if {share}% of requests hit the cache?",
    "how much would we save with a {share}% cache hit rate on a ${spend}/month bill?",
    "if {share}% of our traffic goes through the batch API, what do we save on ${spend} a month?",
]


@settings(max_examples=80, deadline=None)
@given(
    spend=st.integers(min_value=100, max_value=500_000),
    share=st.integers(min_value=1, max_value=99),
    phrasing=st.sampled_from(SAVINGS),
)
def test_savings_questions_keep_share_and_spend(spend: int, share: int, phrasing: str) -> None:
    """A caching or batching saving runs on exactly the share and the monthly bill stated."""
    question = phrasing.format(spend=f"{spend:,}", share=share)
    [(tool, args)] = calls(plan_question(question))
    assert tool == "savings"
    slot = "batch_share" if "batch" in phrasing else "cache_hit_share"
    assert args == {slot: D(share) / 100, "monthly_spend": D(spend)}


USAGE = [
    (
        "{users} users, {active}% active daily, {per_day} messages a day each of {inputs} tokens in and {outputs} out. "
        "How many tokens a month?"
    ),
    (
        "we have {users} monthly users; {active}% use it every day, each sends {per_day} messages a day with "
        "{inputs} input tokens and {outputs} output tokens - monthly tokens?"
    ),
]


@settings(max_examples=80, deadline=None)
@given(
    users=st.integers(min_value=10, max_value=900_000),
    active=st.integers(min_value=1, max_value=100),
    per_day=st.integers(min_value=1, max_value=50),
    inputs=st.integers(min_value=10, max_value=9_000),
    outputs=st.integers(min_value=10, max_value=9_000),
    phrasing=st.sampled_from(USAGE),
)
def test_usage_questions_keep_every_count(
    users: int, active: int, per_day: int, inputs: int, outputs: int, phrasing: str
) -> None:
    """Users, the active share, messages a day and tokens in and out each land on their own slot."""
    question = phrasing.format(
        users=f"{users:,}", active=active, per_day=per_day, inputs=f"{inputs:,}", outputs=f"{outputs:,}"
    )
    [(tool, args)] = calls(plan_question(question))
    assert tool == "monthly_tokens"
    assert args == {
        "users": D(users),
        "active_share": D(active) / 100,
        "interactions_per_day": D(per_day),
        "input_tokens": D(inputs),
        "output_tokens": D(outputs),
    }


@settings(max_examples=60, deadline=None)
@given(volume=volumes(), model=api_models())
def test_follow_ups_change_only_the_slot_they_name(volume: tuple[str, D], model: tuple[str, str]) -> None:
    """After a break-even answer, "and at X?" changes the volume and "with M instead?" the model, nothing else."""
    history = (Turn("should we self-host at 500M tokens a month?", "", ()),)
    [(_, at)] = calls(plan_question(f"and at {volume[0]}?", history))
    assert at == {"tokens": volume[1]}
    [(_, with_model)] = calls(plan_question(f"with {model[0]} instead?", history))
    assert with_model == {"tokens": D(500_000_000), "model": model[1]}
