"""Evaluation templates expand deterministically, and every expected figure is what the calculator CLI prints."""

import shlex
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bot.calculations.phase import run_phase
from bot.calculations.savings import run_savings
from bot.chain.evaluation import differences, expand_templates, load_questions, load_templates
from bot.cli import main
from knowledge.tables import tables

DATA = Path(__file__).parent / "data"
QUESTIONS = DATA / "eval_questions.yml"
TEMPLATES = DATA / "eval_templates.yml"


def _development_cases() -> list[dict[str, Any]]:
    questions = load_questions(QUESTIONS)
    expanded = expand_templates(load_templates(TEMPLATES), tables())
    return [
        *questions["calculation"],
        *questions["conversations"],
        *expanded["calculation"],
        *expanded["conversations"],
    ]


def _label(case: dict[str, Any]) -> str:
    return str(case.get("question") or " -> ".join(case["turns"]))[:60]


def test_development_templates_give_at_least_80_questions() -> None:
    """At least 10 templates expand into at least 80 development questions."""
    templates = load_templates(TEMPLATES)
    expanded = expand_templates(templates, tables())
    assert len(templates) >= 10
    assert len(expanded["calculation"]) + len(expanded["conversations"]) >= 80


def test_templates_expand_the_same_way_every_time() -> None:
    """The fixed seed gives the same questions and figures on every run, and another seed a different pick."""
    templates = load_templates(TEMPLATES)
    assert expand_templates(templates, tables()) == expand_templates(templates, tables())
    assert expand_templates(templates, tables()) != expand_templates(templates, tables(), seed=8)


@pytest.mark.parametrize(
    ("template", "question", "expect"),
    [
        (
            {
                "kind": "cost",
                "phrasings": ["what would {tokens} tokens a month cost on {model}?"],
                "slots": {"tokens": ["10M"], "model": ["gpt-4o-mini"]},
                "tool": "cost",
                "args": {"tokens": "{tokens}", "model": "{model}"},
                "expect": ["{cost}"],
            },
            "what would 10M tokens a month cost on gpt-4o-mini?",
            ["$3.75"],
        ),
        (
            {
                "kind": "breakeven",
                "phrasings": ["should we self-host at {tokens} tokens a month?"],
                "slots": {"tokens": [{"say": "half a billion", "value": "500M"}]},
                "tool": "breakeven",
                "args": {"tokens": "{tokens}"},
                "expect": ["{api_cost}", "{self_hosted_cost}", "{verdict}"],
            },
            "should we self-host at half a billion tokens a month?",
            ["$7,500.00", "$7,391.10", "breaks even"],
        ),
        (
            {
                "kind": "breakeven",
                "phrasings": ["break-even at {tokens}?"],
                "slots": {"tokens": ["500M"]},
                "tool": "breakeven",
                "args": {"tokens": "{tokens}"},
                "expect": ["{api_monthly_cost}", "{break_even_tokens}", "{api_price_per_1k}"],
            },
            "break-even at 500M?",
            ["$7,500.00", "492.08M", "$0.015"],
        ),
        (
            {
                "kind": "cost",
                "phrasings": ["{users} MAU on the guide's assumptions, cost on {model}?"],
                "slots": {"users": [{"say": "ten thousand", "value": "10K"}], "model": ["gpt-4o"]},
                "calls": {
                    "usage": {"tool": "tokens", "args": {"users": "{users}"}},
                    "price": {
                        "tool": "cost",
                        "args": {
                            "input": "{usage.input_exact}",
                            "output": "{usage.output_exact}",
                            "model": "{model}",
                        },
                    },
                },
                "expect": ["{usage.tokens}", "{price.cost}"],
            },
            "ten thousand MAU on the guide's assumptions, cost on gpt-4o?",
            ["82.5M", "$768.75"],
        ),
        (
            {
                "kind": "savings",
                "phrasings": ["{spend} a month, {hits} cache hits?"],
                "slots": {"spend": ["$20K"], "hits": [{"say": "two in five", "value": "40%"}]},
                "tool": "savings",
                "args": {"cache_hits": "{hits}", "spend": "{spend}"},
                "expect": ["{cache_share}", "{saved}"],
            },
            "$20K a month, two in five cache hits?",
            ["36%", "$7,200.00"],
        ),
        (
            {
                "kind": "phase",
                "phrasings": ["{spend} a month: phase?"],
                "slots": {"spend": [{"say": "thirty grand", "value": "30K"}]},
                "tool": "phase",
                "args": {"spend": "{spend}"},
                "expect": ["{phase}", "{to_next}"],
            },
            "thirty grand a month: phase?",
            ["Phase 2", "$20,000 a month more"],
        ),
    ],
)
def test_a_template_gets_the_guides_figure(
    template: dict[str, Any], question: str, expect: list[str]
) -> None:
    """A one-combination template says what the question says and expects the calculator's figure."""
    [case] = expand_templates([template], tables())["calculation"]
    assert (case["question"], case["expect"], case["kind"]) == (question, expect, template["kind"])


def test_a_follow_up_template_becomes_a_conversation() -> None:
    """A template with `turns` expands into a conversation whose expected figure is the last turn's."""
    template = {
        "kind": "followup",
        "turns": [["should we self-host at {first} tokens a month?"], ["and at {second}?"]],
        "slots": {"first": ["500M"], "second": ["2B"]},
        "tool": "breakeven",
        "args": {"tokens": "{second}"},
        "expect": ["{self_hosted_cost}"],
    }
    [case] = expand_templates([template], tables())["conversations"]
    assert case["turns"] == ["should we self-host at 500M tokens a month?", "and at 2B?"]
    assert case["expect"] == ["$25,564.40"]


@pytest.mark.parametrize(
    "case",
    [case for case in _development_cases() if str(case.get("how", "")).startswith("advisor")],
    ids=_label,
)
def test_every_expected_figure_is_what_the_calculator_cli_prints(
    case: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Each development question's `how` command prints every expected string and no forbidden one."""
    printed = []
    for command in case["how"].split("#")[0].split("&&"):
        assert main(shlex.split(command)[1:]) == 0, command
        printed.append(capsys.readouterr().out)
    output = "\n".join(printed)
    assert [text for text in case["expect"] if text not in output] == [], case["how"]
    assert [text for text in case.get("forbid", []) if text in output] == [], case["how"]


def test_misses_are_classed_by_tool_and_argument_without_their_text() -> None:
    """A numeric miss is described by which calculator argument the advisor got wrong, never by the question."""
    how = "advisor savings --cache-hits 40% --batch 30% --spend 20k"
    misread = run_savings(
        cache_hit_share=Decimal("0.3"),
        cache_hit_cost=None,
        batch_share=None,
        batch_discount=None,
        monthly_spend=Decimal(20000),
    )
    assert differences(how, [misread]) == (
        "savings: cache_hit_share differs",
        "savings: batch_share missing (its value went to cache_hit_share)",
    )
    assert differences(how, [run_phase(Decimal(20000), tables())]) == ("no savings calculation (ran phase)",)
    assert differences(how, []) == ("no calculation",)
