"""Reading questions the way people ask them: amounts with units, names, and what is asked."""

from decimal import Decimal as D

import pytest

from bot.chain.understanding import Intent, understand
from knowledge.tables import tables


@pytest.mark.parametrize(
    ("question", "intent", "facts"),
    [
        ("we spend $30K a month on OpenAI, what now?", Intent.PHASE, {"spend": D(30_000)}),
        ("should we self-host at 500M tokens?", Intent.BREAKEVEN, {"monthly_tokens": D(500_000_000)}),
        (
            "What will 500M tokens a month cost on GPT-4o?",
            Intent.COST,
            {"monthly_tokens": D(500_000_000), "model": "gpt-4o"},
        ),
        (
            "We have 10K MAU, half use it daily, with 50-token questions and 500-token answers. Cost on GPT-4o?",
            Intent.COST,
            {
                "users": D(10_000),
                "active_share": D("0.5"),
                "input_per_interaction": D(50),
                "output_per_interaction": D(500),
                "model": "gpt-4o",
            },
        ),
        (
            "If 40% of requests hit the cache and hits cost 10%, how much do we save on a $20K bill?",
            Intent.SAVINGS,
            {"cache_hit_share": D("0.4"), "cache_hit_cost": D("0.1"), "spend": D(20_000)},
        ),
        (
            "what do 8M input tokens and 2M output tokens cost on claude sonnet 4.6?",
            Intent.COST,
            {"monthly_input": D(8_000_000), "monthly_output": D(2_000_000), "model": "claude-sonnet-4.6"},
        ),
        (
            "Is it cheaper to rent Lambda H100s at $3.99/hour for 2B tokens a month?",
            Intent.BREAKEVEN,
            {"gpu_hourly": D("3.99"), "gpu": "lambda-h100", "monthly_tokens": D(2_000_000_000)},
        ),
        (
            "100K queries a month with 10K tokens input per query and 2K tokens output",
            Intent.GENERAL,
            {
                "interactions": D(100_000),
                "input_per_interaction": D(10_000),
                "output_per_interaction": D(2_000),
            },
        ),
        (
            "1.2 billion tokens at $0.015 per 1K - what's the bill?",
            Intent.COST,
            {"monthly_tokens": D(1_200_000_000), "api_price_per_1k": D("0.015")},
        ),
        (
            "each GPU does 1,000 tokens/s at 30% utilization - self-host 1B tokens?",
            Intent.BREAKEVEN,
            {"tokens_per_second": D(1000), "utilisation": D("0.3"), "monthly_tokens": D(1_000_000_000)},
        ),
        ("What is the difference between API-first and serverless?", Intent.GENERAL, {}),
    ],
)
def test_questions_people_ask(question: str, intent: Intent, facts: dict[str, object]) -> None:
    """Amounts land on the right unit and the intent matches what is asked."""
    understood = understand(question, tables())
    assert understood.intent is intent
    stated = understood.facts.stated()
    for name, value in facts.items():
        assert stated.get(name) == value, (name, stated)


def test_model_names_are_not_read_as_amounts() -> None:
    """The 4 in GPT-4o and the 100 in H100 are names, not quantities."""
    facts = understand("GPT-4o or Gemini 2.5 Pro on an H100?", tables()).facts
    assert facts.unplaced == []
    assert facts.model == "gemini-2.5-pro" or facts.model == "gpt-4o"
