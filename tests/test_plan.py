"""Every example in issue 7's "Why" list gets the right plan and the right numbers, and plans key the cache."""

from decimal import Decimal as D

import pytest

from bot.chain.answer import Turn
from bot.chain.offline import OfflineAnswerer
from bot.chain.plan import Plan, plan_key, plan_question
from knowledge.tables import tables


def calls(plan: Plan) -> list[tuple[str, dict[str, object]]]:
    """The plan's calls as (tool, arguments given)."""
    return [(call.tool, call.args.given()) for call in plan.calls]


def only(tool: str, question: str) -> dict[str, object]:
    """The arguments of the plan's one call of `tool`."""
    (args,) = [given for name, given in calls(plan_question(question)) if name == tool]
    return args


def answer(question: str, history: tuple[Turn, ...] = ()) -> str:
    """The offline answer's text, with no passages (numbers only)."""
    return OfflineAnswerer(tables()).answer(question, [], history).text


@pytest.mark.parametrize(
    ("question", "planned", "expect"),
    [
        (
            (
                "25,000 monthly active users, about 40% use it every day, each sends 3 messages of 200 tokens and "
                "gets 800 tokens back. What will GPT-4o cost us per month?"
            ),
            [
                (
                    "monthly_tokens",
                    {
                        "users": D(25_000),
                        "active_share": D("0.4"),
                        "interactions_per_day": D(3),
                        "input_tokens": D(200),
                        "output_tokens": D(800),
                    },
                ),
                (
                    "api_cost",
                    {"model": "gpt-4o", "input_tokens": D(180_000_000), "output_tokens": D(720_000_000)},
                ),
            ],
            ["900M tokens a month", "$7,650.00"],
        ),
        (
            "what does mistral large cost for 100M tokens in and 20M out?",
            [
                (
                    "api_cost",
                    {
                        "model": "mistral-large",
                        "input_tokens": D(100_000_000),
                        "output_tokens": D(20_000_000),
                    },
                )
            ],
            ["$320.00", "mistral-large"],
        ),
        (
            "what does 10M tokens a month cost on gpt-4o-mini?",
            [("api_cost", {"model": "gpt-4o-mini", "tokens": D(10_000_000)})],
            ["$3.75", "gpt-4o-mini"],
        ),
        (
            "How much would we save if half our traffic went through the Batch API? We spend $22K a month.",
            [("savings", {"batch_share": D("0.5"), "monthly_spend": D(22_000)})],
            ["$5,500.00 saved"],
        ),
        (
            "should we self-host at 20M tokens a day?",
            [("breakeven", {"tokens": D(600_000_000)})],
            ["20M tokens a day is 600M tokens a month", "At 600M tokens a month"],
        ),
        (
            "what is the break-even point for self-hosting versus GPT-5?",
            [("breakeven", {"model": "gpt-5", "tokens": D(500_000_000)})],
            [
                "gpt-5",
                "the guide's example 500M tokens a month",
                "never cheaper",
                "349.1M tokens per GPU-month",
                "$1.29/h",
            ],
        ),
        (
            "self-host 1B tokens a month on an H100 at $3.99/h with $50/h for ops?",
            [
                (
                    "breakeven",
                    {
                        "tokens": D(1_000_000_000),
                        "gpu": "runpod-h100",
                        "gpu_hourly": D("3.99"),
                        "ops_rate": D(50),
                    },
                )
            ],
            ["$3.99/h"],
        ),
    ],
)
def test_why_examples_get_the_right_plan_and_numbers(
    question: str, planned: list[tuple[str, dict[str, object]]], expect: list[str]
) -> None:
    """Each question from the issue runs exactly the calculator calls it asks for and states the right figures."""
    plan = plan_question(question)
    assert plan.issues == ()
    assert calls(plan) == planned
    text = answer(question)
    for figure in expect:
        assert figure in text


def test_comparison_prices_both_models_and_names_the_cheaper() -> None:
    """ "Is Claude Sonnet 4.6 cheaper than GPT-5?" prices both and says which is cheaper and by how much."""
    question = "Is Claude Sonnet 4.6 cheaper than GPT-5 for 300M input and 60M output a month?"
    plan = plan_question(question)
    assert plan.compare
    assert [given["model"] for _, given in calls(plan)] == ["claude-sonnet-4.6", "gpt-5"]
    assert all(
        given["input_tokens"] == D(300_000_000) and given["output_tokens"] == D(60_000_000)
        for _, given in calls(plan)
    )
    text = answer(question)
    assert "gpt-5 is cheapest at $975.00 a month, $825.00 less than claude-sonnet-4.6" in text
    assert "$1,800.00" in text


@pytest.mark.parametrize(
    ("follow_up", "changed"),
    [
        ("what if the GPU costs $4.29 an hour?", {"gpu_hourly": D("4.29")}),
        ("what about with llama 3 70b?", {"profile": "llama-3.1-70b-fp8-vllm"}),
        ("on AWS?", {"gpu": "aws-h100"}),
        ("and at 2B?", {"tokens": D(2_000_000_000)}),
        ("with Claude instead?", {"model": "claude-sonnet-4.6"}),
    ],
)
def test_chat_follow_ups_rerun_the_break_even_with_one_slot_changed(
    follow_up: str, changed: dict[str, object]
) -> None:
    """After a break-even answer, a short follow-up reruns the calculation with only the slot it names changed."""
    first = "should we self-host at 500M tokens a month?"
    history = (Turn(first, "", ()),)
    plan = plan_question(follow_up, history)
    assert plan.follow_up
    [(tool, given)] = calls(plan)
    assert tool == "breakeven"
    assert given == {"tokens": D(500_000_000)} | changed


def test_gpu_price_follow_up_states_the_new_price() -> None:
    """ "what if the GPU costs $4.29 an hour?" answers with a break-even at $4.29/h."""
    history = (Turn("should we self-host at 500M tokens a month?", "", ()),)
    assert "$4.29/h" in answer("what if the GPU costs $4.29 an hour?", history)


def test_ops_rate_is_never_the_gpu_price() -> None:
    """ "$50/h for ops" sets the ops rate and leaves the GPU at its table price."""
    plan = plan_question("should we self-host 800M tokens a month? ops cost us $50/h for ops")
    [(tool, given)] = calls(plan)
    assert tool == "breakeven"
    assert given["ops_rate"] == D(50)
    assert "gpu_hourly" not in given


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("what does -5M tokens cost on gpt-4o?", '"-5M" is negative'),
        ("should we self-host at 1,5B tokens a month?", '"1,5B" is ambiguous'),
    ],
)
def test_unsafe_amounts_are_asked_about_not_priced(question: str, quoted: str) -> None:
    """A negative or ambiguous amount is quoted back as the user wrote it, with no calculation and no dollar figure."""
    plan = plan_question(question)
    assert plan.calls == ()
    assert any(quoted in issue for issue in plan.issues)
    text = answer(question)
    assert quoted in text
    assert "$" not in text


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("what does 10M tokens a month cost on gpt-4o-mini?", "gpt-4o-mini price for 10 million tok/mo?"),
        ("should we self-host at 500M tokens a month?", "self-host yet? we do 500M tokens/month"),
        ("we spend $30K a month, which phase are we in?", "Which phase is a $30,000 monthly bill?"),
    ],
)
def test_two_wordings_of_the_same_facts_share_a_plan_key(first: str, second: str) -> None:
    """Two ways of asking for the same numbers get the same cache key."""
    assert plan_key(first) is not None
    assert plan_key(first) == plan_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "10K MAU, 5 chats a day of 1k tokens, cost on gpt-4o?",
            "10K DAU, 5 chats a day of 1k tokens, cost on gpt-4o?",
        ),
        (
            "what does 10M tokens a month cost on gpt-4o-mini?",
            "what does 10M tokens a day cost on gpt-4o-mini?",
        ),
        ("what does 10M tokens a month cost on gpt-4o-mini?", "what does 10M tokens a month cost on gpt-4o?"),
        ("should we self-host at 500M tokens a month?", "should we self-host at 5B tokens a month?"),
    ],
)
def test_different_facts_never_share_a_plan_key(first: str, second: str) -> None:
    """Questions whose numbers differ (MAU vs DAU, a day vs a month, another model) get different keys."""
    assert plan_key(first) != plan_key(second)


def test_questions_without_a_calculation_have_no_key_and_unsafe_ones_ask() -> None:
    """A general question has no plan key; one that must be asked about keys on what it asks, never on a price."""
    assert plan_key("what is the difference between API-first and serverless?") is None
    key = plan_key("what does gpt-7 cost for 10M tokens?")
    assert key is not None and key.startswith("ask:") and "gpt-7" in key


def test_follow_up_key_depends_on_the_conversation() -> None:
    """ "and at 2B?" keys on the merged plan, so it differs after a cost question and after a break-even one."""
    after_breakeven = plan_key("and at 2B?", (Turn("should we self-host at 500M tokens a month?", "", ()),))
    after_cost = plan_key("and at 2B?", (Turn("what does 500M tokens a month cost on gpt-5?", "", ()),))
    assert after_breakeven is not None and after_cost is not None
    assert after_breakeven != after_cost
    assert "tokens=2000000000" in after_breakeven


@pytest.mark.parametrize(
    ("question", "planned"),
    [
        (
            "cache hit ratio of 0.4 on $25,000/month, savings?",
            [("savings", {"cache_hit_share": D("0.4"), "monthly_spend": D(25_000)})],
        ),
        (
            "we pay openai 12 grand a month. roughly 1 in 5 requests are repeats we could cache. what's that worth?",
            [("savings", {"cache_hit_share": D("0.2"), "monthly_spend": D(12_000)})],
        ),
        (
            "semantic cache with 45% hits, hits at 10% of the price, on a 20K spend - dollars saved?",
            [
                (
                    "savings",
                    {"cache_hit_share": D("0.45"), "cache_hit_cost": D("0.1"), "monthly_spend": D(20_000)},
                )
            ],
        ),
        (
            "we spend $8k/month, batch api for 25% + caching 35% hits - total savings?",
            [
                (
                    "savings",
                    {"batch_share": D("0.25"), "cache_hit_share": D("0.35"), "monthly_spend": D(8_000)},
                )
            ],
        ),
        (
            "what if the batch discount were only 25% and 80% of traffic were batchable",
            [("savings", {"batch_share": D("0.8"), "batch_discount": D("0.25")})],
        ),
        (
            "a 60% cache hit rate where a hit costs nothing, at $30k a month: saving?",
            [("savings", {"cache_hit_share": D("0.6"), "cache_hit_cost": D(0), "monthly_spend": D(30_000)})],
        ),
        (
            "we do 200M tokens a month on gpt-4o and 30% of requests could hit a cache, what do we save?",
            [
                ("api_cost", {"model": "gpt-4o", "tokens": D(200_000_000)}),
                ("savings", {"cache_hit_share": D("0.3"), "monthly_spend": D(1_250)}),
            ],
        ),
        (
            (
                "We send 80M input and 20M output tokens a month to GPT-4o and 60% of the input is served from "
                "the prompt cache. What's the bill?"
            ),
            [
                (
                    "api_cost",
                    {
                        "model": "gpt-4o",
                        "input_tokens": D(80_000_000),
                        "output_tokens": D(20_000_000),
                        "cached_input_share": D("0.6"),
                    },
                )
            ],
        ),
        (
            "how many tokens is 250 users each sending 20 messages a day, 200 in / 800 out per message",
            [
                (
                    "monthly_tokens",
                    {
                        "users": D(250),
                        "active_share": D(1),
                        "interactions_per_day": D(20),
                        "input_tokens": D(200),
                        "output_tokens": D(800),
                    },
                )
            ],
        ),
        (
            "100 users x 50 messages/day x 1000 tokens = ? per month",
            [
                (
                    "monthly_tokens",
                    {
                        "users": D(100),
                        "active_share": D(1),
                        "interactions_per_day": D(50),
                        "input_tokens": D(1000),
                        "output_tokens": D(0),
                    },
                )
            ],
        ),
        (
            "o3-mini, 30M input and 6M output a month?",
            [
                (
                    "api_cost",
                    {"model": "o3-mini", "input_tokens": D(30_000_000), "output_tokens": D(6_000_000)},
                )
            ],
        ),
        (
            "price out 120 million tokens a month on deepseek",
            [("api_cost", {"model": "deepseek-chat", "tokens": D(120_000_000)})],
        ),
        ("annual LLM spend of $180k: phase?", [("phase", {"spend": D(15_000)})]),
        ("half a million a year on openai: which phase", [("phase", {"spend": D("41666.666667")})]),
        (
            "we have 3,000 users and the guide says budget $2-5 per user a month. which phase would that put us in?",
            [("phase", {"spend": D(6_000)}), ("phase", {"spend": D(15_000)})],
        ),
    ],
)
def test_new_voices_get_the_calls_they_ask_for(
    question: str, planned: list[tuple[str, dict[str, object]]]
) -> None:
    """Shares as fractions or "1 in 5", prompt-cache shares, free hits, per-user budgets and yearly spends are read right."""
    assert calls(plan_question(question)) == planned


def test_misspelt_names_are_read_and_said() -> None:
    """ "claud sonet" is priced as claude-sonnet-4.6 (never the default model), and the reading is stated."""
    plan = plan_question("claud sonet for 90 mil tokens a month, how much")
    assert calls(plan) == [("api_cost", {"model": "claude-sonnet-4.6", "tokens": D(90_000_000)})]
    assert '"claud" is claude' in plan.conversions
    assert 'Read as: "sonet" is sonnet.' in answer("claud sonet for 90 mil tokens a month, how much")


def test_yearly_questions_get_the_year_and_a_different_key() -> None:
    """ "yearly cost of 300M tokens a month" states the month and the year, and is cached apart from the monthly one."""
    text = answer("what's the yearly cost of 300M tokens a month on gpt-4o?")
    assert "$1,875.00" in text and "A year: $22,500.00" in text
    assert plan_key("what's the yearly cost of 300M tokens a month on gpt-4o?") != plan_key(
        "what's the cost of 300M tokens a month on gpt-4o?"
    )


@pytest.mark.parametrize(
    ("first", "follow_up", "planned"),
    [
        (
            "Our AI bill is $8,000 per month. Which phase are we in?",
            "what about when it triples?",
            ("phase", {"spend": D(24_000)}),
        ),
        (
            "should we self-host at 500M tokens a month?",
            "and at 10x that?",
            ("breakeven", {"tokens": D(5_000_000_000)}),
        ),
        (
            "should we self-host at 500M tokens a month?",
            "what if we keep one spare GPU?",
            ("breakeven", {"tokens": D(500_000_000), "spare_gpus": 1}),
        ),
    ],
)
def test_follow_ups_that_grow_or_add_a_spare(
    first: str, follow_up: str, planned: tuple[str, dict[str, object]]
) -> None:
    """ "when it triples", "10x that" scale the last main quantity; "one spare GPU" reaches the break-even."""
    assert calls(plan_question(follow_up, (Turn(first, "", ()),))) == [planned]


@pytest.mark.parametrize(
    ("question", "said"),
    [
        (
            "10K users, 40% daily active, 5 messages a day of 300 in and 700 out - how many tokens per day?",
            "A day: 20M tokens",
        ),
        ("what is our daily cost for 300M tokens a month on gpt-4o?", "A day: $62.50 cost on gpt-4o"),
        ("weekly cost of 300M tokens a month on gpt-4o?", "A week: $437.50 cost on gpt-4o"),
    ],
)
def test_figures_asked_per_day_or_week_are_said_per_day_or_week(question: str, said: str) -> None:
    """ "how many tokens per day?" or "daily cost" gets the monthly figure and the one for the period asked."""
    assert said in answer(question)


def test_a_rate_the_question_states_is_not_a_period_it_asks_for() -> None:
    """ "5M tokens a day ... cost monthly" converts the rate to a month and adds no daily figure."""
    plan = plan_question("we burn about 5M tokens a day on gpt-4o-mini, what does that cost monthly")
    assert plan.per is None
    assert "A day:" not in answer("we burn about 5M tokens a day on gpt-4o-mini, what does that cost monthly")


def test_the_phase_after_a_saving_is_the_phase_of_what_is_left() -> None:
    """ "what would caching save, and which phase would we be in after?" places the bill left after the saving."""
    plan = plan_question(
        "What would a 40% cache hit rate save on our $30k/month OpenAI bill, and which phase would we be in after?"
    )
    assert calls(plan) == [
        ("savings", {"cache_hit_share": D("0.4"), "monthly_spend": D(30_000)}),
        ("phase", {"spend": D(19_200)}),
    ]


@pytest.mark.parametrize(
    ("question", "planned"),
    [
        (
            "we spend 20k/mo, 40% cache hits, 30% batch: savings?",
            [("savings", {"cache_hit_share": D("0.4"), "batch_share": D("0.3"), "monthly_spend": D(20_000)})],
        ),
        (
            "cache hits 25% and batch 60%, bill is $9k a month - savings?",
            [("savings", {"cache_hit_share": D("0.25"), "batch_share": D("0.6"), "monthly_spend": D(9_000)})],
        ),
        (
            "batch endpoint is only 20% cheaper for us; 70% of our jobs can go through it. $30k/mo, what's saved?",
            [("savings", {"batch_share": D("0.7"), "batch_discount": D("0.2"), "monthly_spend": D(30_000)})],
        ),
        (
            "overnight jobs are 40% of usage and the batch api is half price. we spend 10k monthly, savings?",
            [("savings", {"batch_share": D("0.4"), "batch_discount": D("0.5"), "monthly_spend": D(10_000)})],
        ),
        (
            "a quarter of requests are dupes we'd serve from redis so they cost nothing. 8k/mo bill, saving?",
            [
                (
                    "savings",
                    {"cache_hit_share": D("0.25"), "cache_hit_cost": D(0), "monthly_spend": D(8_000)},
                )
            ],
        ),
        (
            "$12k a month; 35% hit the prompt cache. how much do we save?",
            [("savings", {"cache_hit_share": D("0.35"), "monthly_spend": D(12_000)})],
        ),
    ],
)
def test_each_saving_share_is_read_from_its_own_words(
    question: str, planned: list[tuple[str, dict[str, object]]]
) -> None:
    """A share takes the noun right beside it, so "40% cache hits, 30% batch" never swaps or loses one."""
    assert calls(plan_question(question)) == planned


@pytest.mark.parametrize(
    ("question", "given"),
    [
        (
            "self-host at 800M tokens/mo vs gpt-4o on an h100 at $3/h, with ops 20h a month at $100/h?",
            {"gpu_hourly": D(3), "ops_hours": D(20), "ops_rate": D(100)},
        ),
        (
            "our sre costs $95/hr and would spend 5 hours a week on it; h100 at $2.49/hr; 1B tokens a month vs gpt-4o",
            {"gpu_hourly": D("2.49"), "ops_rate": D(95), "ops_hours": D("21.428571")},
        ),
        (
            "1B tokens/mo vs gpt-4o. lambda h100. devops 30 hrs/month @ $120/h. break even?",
            {"ops_hours": D(30), "ops_rate": D(120)},
        ),
        (
            "self-host vs api @ 900M/mo: h100 2.1/h, ops 10h/mo x $80",
            {"gpu_hourly": D("2.1"), "ops_hours": D(10), "ops_rate": D(80)},
        ),
        (
            "1B tokens a month vs gpt-4o; we'd need half an engineer at $200k/yr and no other ops time",
            {"engineers": D("0.5"), "engineer_annual_cost": D(200_000), "ops_hours": D(0)},
        ),
        (
            "reserved h100s are $1,900/mo per card for us. 2B tokens a month vs gpt-4o: self-host?",
            {"gpu_monthly": D(1_900)},
        ),
        (
            "self-host 3B tokens a month vs gpt-4o if each H100 gets through about 1B tokens a month?",
            {"tokens_per_gpu": D(1_000_000_000)},
        ),
        (
            "self-host 2B tokens/mo vs gpt-4o, plus $1,200/mo for storage and monitoring?",
            {"fixed_monthly": D(1_200)},
        ),
    ],
)
def test_ops_and_gpu_costs_each_land_in_their_own_slot(question: str, given: dict[str, object]) -> None:
    """GPU prices, ops rates, ops hours (per week made monthly), engineers and fixed costs are never mixed up."""
    breakeven = only("breakeven", question)
    assert {name: breakeven.get(name) for name in given} == given


def test_a_gpu_the_table_lacks_is_priced_only_with_the_users_own_numbers() -> None:
    """An A100 with its $/h and throughput is priced on those numbers; without them it is said to be unknown."""
    given = (
        "renting a100s at $1.79/h, each does 120M tokens a month; 600M tokens a month vs gpt-4o: self-host?"
    )
    plan = plan_question(given)
    assert calls(plan)[0][1]["gpu_hourly"] == D("1.79")
    assert any("not in the GPU table" in line for line in plan.conversions)
    assert "H100" not in answer(given).split("Assumptions:")[1].split(";")[1]
    unknown = plan_question("self-host 600M tokens a month on a100s vs gpt-4o?")
    assert unknown.calls == () and 'I don\'t know the GPU or provider "a100s"' in unknown.issues[0]


def test_a_monthly_bill_at_a_known_price_is_a_volume_for_the_break_even() -> None:
    """ "we pay $18k/mo at $0.015 per 1K: in-house?" breaks even on the 1.2B tokens that bill buys, said so."""
    plan = plan_question(
        "we pay $18k/mo to the API at $0.015 per 1K tokens. would running it in-house save money?"
    )
    assert calls(plan) == [("breakeven", {"tokens": D(1_200_000_000), "api_price_per_1k": D("0.015")})]
    assert plan.conversions == ("$18,000 a month at $0.015 per 1K is 1.2B tokens a month",)


@pytest.mark.parametrize(
    ("question", "planned"),
    [
        (
            "3k users, 10 msgs/day, ~400 tokens each way. monthly tokens?",
            {"input_tokens": D(400), "output_tokens": D(400), "interactions_per_day": D(10)},
        ),
        (
            "DAU is 5,000; twice a day; context of 3k and replies of 250; 31-day month. token volume?",
            {
                "users": D(5_000),
                "interactions_per_day": D(2),
                "input_tokens": D(3_000),
                "output_tokens": D(250),
            },
        ),
        (
            "2k daily actives x 6 chats/day x 300 tokens out x 900 tokens in = ? tokens a month",
            {
                "users": D(2_000),
                "interactions_per_day": D(6),
                "input_tokens": D(900),
                "output_tokens": D(300),
            },
        ),
    ],
)
def test_usage_written_loosely_gives_the_per_interaction_tokens(
    question: str, planned: dict[str, object]
) -> None:
    """ "each way", labels before amounts ("context of 3k"), "twice a day" and "x" chains count tokens right."""
    tokens = calls(plan_question(question))[0]
    assert tokens[0] == "monthly_tokens"
    assert {name: tokens[1].get(name) for name in planned} == planned


@pytest.mark.parametrize(
    ("question", "planned"),
    [
        (
            "100M tokens a month on gpt-4o, 80/20 input/output. cost?",
            ("api_cost", {"model": "gpt-4o", "tokens": D(100_000_000), "input_share": D("0.8")}),
        ),
        (
            "output heavy: 25% input, 75% output, 40M tokens a month on gpt-4o. cost?",
            ("api_cost", {"model": "gpt-4o", "tokens": D(40_000_000), "input_share": D("0.25")}),
        ),
        (
            "we push 2M input and 500k output tokens per day through gpt-4o. monthly cost?",
            ("api_cost", {"model": "gpt-4o", "input_tokens": D(60_000_000), "output_tokens": D(15_000_000)}),
        ),
    ],
)
def test_input_output_splits_written_as_pairs_or_shares_are_priced_exactly(
    question: str, planned: tuple[str, dict[str, object]]
) -> None:
    """ "80/20 input/output", "25% input, 75% output" and a pair "per day" price input and output apart."""
    assert calls(plan_question(question)) == [planned]


_OUTPUT_WORDINGS = [
    "output of 300 tokens",
    "reply with 300 tokens",
    "the model answers in 300 tokens",
    "completion length 300",
    "and 300 out",
    "300 tokens back",
    "300 tokens generated",
    "responses: 300 tokens",
    "300 tokens in the response",
    "300 tokens of completion",
    "300 tokens per answer",
    "answers average 300 tokens",
    "and get back 300",
    "300 tokens for the reply",
    "outputs ~300",
]


@pytest.mark.parametrize(
    "question",
    [
        frame.format(output=wording)
        for wording in _OUTPUT_WORDINGS
        for frame in (
            "2k users, 5 chats a day, 600 tokens input, {output}. monthly tokens?",
            "2000 users each sending 5 messages a day of 600 tokens and {output}: tokens per month?",
        )
    ],
)
def test_output_tokens_are_read_in_any_wording(question: str) -> None:
    """However the reply's size is written, it is the output per interaction and the prompt stays the input."""
    tokens = only("monthly_tokens", question)
    assert (tokens["input_tokens"], tokens["output_tokens"]) == (D(600), D(300))


@pytest.mark.parametrize(
    "wording",
    [
        "with 20 ops hours at $100",
        "20 hours of ops at $100 each",
        "$100 per hour of ops, 20 hours",
        "at $100 per ops-hour for 20 hours",
        "ops 20h @ $100",
        "(ops: 20h at $100)",
        "if ops is 20 hrs/month and an ops hour costs $100",
        "ops hourly rate $100, 20 hours a month",
        "devops hourly cost 100, 20 hours monthly",
        "20 hours of ops a month, billed at 100/hr",
        "we value eng time at $100/hr, maybe 20 hrs/month",
        "an h100 at $2.49/h, ops 20h a month at $100/h",
    ],
)
def test_the_ops_rate_is_read_in_any_wording(wording: str) -> None:
    """Ops hours and their hourly rate land in their own slots, never in the GPU's price or the volume."""
    breakeven = only("breakeven", f"self-host 1B tokens a month vs gpt-4o, {wording}?")
    assert (breakeven.get("ops_hours"), breakeven.get("ops_rate")) == (D(20), D(100))
    assert breakeven["tokens"] == D(1_000_000_000) and breakeven.get("gpu_hourly") in (None, D("2.49"))


@pytest.mark.parametrize(
    ("question", "given"),
    [
        (
            "we use three hundred fifty million tokens a month vs gpt-4o; self-host on h100s?",
            {"tokens": D(350_000_000)},
        ),
        (
            "we spend about forty-eight hundred dollars a month on the API at $0.008 per 1K tokens. self-host?",
            {"tokens": D(600_000_000), "api_price_per_1k": D("0.008")},
        ),
        (
            "self-host 2B tokens a month vs gpt-4o; lambda h100 at four dollars twenty-nine an hour",
            {"gpu_hourly": D("4.29")},
        ),
        (
            "2B tokens a month vs gpt-4o; the only ops cost is one SRE on $180k a year spending half her time on it",
            {"engineers": D("0.5"), "engineer_annual_cost": D(180_000), "ops_hours": D(0)},
        ),
    ],
)
def test_numbers_in_words_and_people_in_fractions(question: str, given: dict[str, object]) -> None:
    """Compound number words, dollars-and-cents in words and a share of one person's time are read exactly."""
    breakeven = only("breakeven", question)
    assert {name: breakeven.get(name) for name in given} == given


@pytest.mark.parametrize(
    "wording",
    [
        "1,000 tokens per chat with a 4:1 input-to-output ratio",
        "800 input tokens, output is a quarter of that",
        "1000 tokens each (80/20 in/out)",
        "1k tokens total: 800 in and the rest out",
    ],
)
def test_output_given_relative_to_the_input_is_computed_not_defaulted(wording: str) -> None:
    """A ratio, a share of the input or "the rest" of a total gives 800 in and 200 out, never the guide's default 500."""
    tokens = only("monthly_tokens", f"2k users, 5 chats a day, {wording}. monthly tokens?")
    assert (tokens["input_tokens"], tokens["output_tokens"]) == (D(800), D(200))


@pytest.mark.parametrize(
    "question",
    [
        "2k users, 5 chats a day. Responses average 300 tokens and prompts 600 tokens. monthly tokens?",
        "2k users, 5 chats a day, we get 300 tokens back for every 600 tokens we send. monthly tokens?",
        "2k users, 5 chats a day. The model's answers run about 300 tokens; prompts are about 600. tokens a month?",
        "2k users, 5 chats a day, 600 tokens per prompt. Output: ~300 tokens per chat. Monthly tokens?",
        "2,000 users x 5 chats/day. In: 600 tokens. Out: 300 tokens. Tokens per month?",
    ],
)
def test_output_before_input_or_in_its_own_sentence_is_still_output(question: str) -> None:
    """The reply's size written first, or in a sentence of its own, is output; words of the next sentence never count."""
    tokens = only("monthly_tokens", question)
    assert (tokens["input_tokens"], tokens["output_tokens"]) == (D(600), D(300))
