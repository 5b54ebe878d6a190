"""The offline answerer: calculator numbers with assumptions, guide quotes, follow-ups."""

from dataclasses import dataclass

import pytest
from openai_server import Text, ToolCalls, openai_server

from bot.chain.answer import Turn
from bot.chain.llm import LlmAnswerer
from bot.chain.offline import OfflineAnswerer, best_sentences
from knowledge.tables import tables
from knowledge.text import cosine, split_sentences, words
from knowledge.text import stem as shared_stem


@dataclass
class FakePassage:
    section: str
    subsection: str | None
    text: str
    score: float


CACHING = FakePassage(
    "Hybrid Infrastructure: 10-50K Monthly Spend",
    None,
    "Caching and Request Deduplication: Implement caching for identical or similar requests. If 40% of requests "
    "hit cache, effective cost drops 36%. Implementing caching alone can defer self-hosting by 6-12 months.",
    0.8,
)
OTHER = FakePassage(
    "FAQ", None, "Can we switch LLM providers later? Yes, if you've abstracted over provider specifics.", 0.3
)


def test_breakeven_question_gets_calculator_numbers_and_assumptions() -> None:
    """A break-even question is answered with both costs, the verdict, assumptions and the guide's flags."""
    draft = OfflineAnswerer(tables()).answer("should we self-host at 500M tokens a month?", [CACHING])
    assert "$7,500.00" in draft.text and "$7,391.10" in draft.text
    assert "Assumptions:" in draft.text
    assert "$7,389" in draft.text  # the flag explains the guide's rounded GPU month
    assert [c.tool for c in draft.calculations] == ["breakeven"]


def test_spend_question_gets_phase_and_actions() -> None:
    """ "We spend $30K a month, what now?" gets the phase, the distance to the next and the guide's actions."""
    draft = OfflineAnswerer(tables()).answer("We spend $30K a month on OpenAI, what now?", [CACHING])
    assert "Phase 2" in draft.text
    assert "$20,000" in draft.text
    assert "caching" in draft.text.lower()


def test_general_question_quotes_sentences_with_section() -> None:
    """A general question is answered with the relevant sentences, each with its section title."""
    draft = OfflineAnswerer(tables()).answer("how long can caching defer self-hosting?", [OTHER, CACHING])
    assert "6-12 months" in draft.text
    assert "[Hybrid Infrastructure: 10-50K Monthly Spend]" in draft.text
    assert draft.calculations == ()


def test_best_sentences_picks_the_sentence_not_the_chunk() -> None:
    """Only the most relevant sentences are quoted, not whole chunks."""
    quotes = best_sentences("how much does a cache save?", [CACHING], limit=1)
    assert quotes == [
        (
            "Hybrid Infrastructure: 10-50K Monthly Spend",
            "If 40% of requests hit cache, effective cost drops 36%.",
        )
    ]


def test_follow_up_reruns_last_calculation_at_new_volume() -> None:
    """ "and at 2B?" after a break-even question reruns the break-even at 2B tokens."""
    answerer = OfflineAnswerer(tables())
    first = answerer.answer("should we self-host at 500M tokens?", [])
    follow = answerer.answer(
        "and at 2B?", [], [Turn("should we self-host at 500M tokens?", first.text, first.calculations)]
    )
    assert "At 2B tokens a month" in follow.text
    assert "$30,000.00" in follow.text


def test_follow_up_changes_the_model() -> None:
    """ "what about on gpt-5?" after a cost question reprices the same tokens on GPT-5."""
    answerer = OfflineAnswerer(tables())
    question = "what do 8M input and 2M output tokens cost on gpt-4o?"
    first = answerer.answer(question, [])
    follow = answerer.answer("what about gpt-5?", [], [Turn(question, first.text, first.calculations)])
    assert "gpt-5" in follow.text and "$30.00" in follow.text


def test_impossible_numbers_get_a_clear_message() -> None:
    """A question the calculators refuse gets a one-line reason and examples, not a wrong number."""
    draft = OfflineAnswerer(tables()).answer("self-host 1B tokens at 0% utilization with 1000 tokens/s?", [])
    assert "couldn't run that calculation" in draft.text
    assert "utilisation" in draft.text


def test_phase_question_without_spend_lists_thresholds_and_asks() -> None:
    """ "Which phase are we in?" with no spend lists the thresholds and asks for the spend."""
    draft = OfflineAnswerer(tables()).answer("which phase are we in?", [])
    assert "Phase 2 Hybrid from $10,000" in draft.text
    assert "Tell me yours" in draft.text
    assert draft.calculations == ()


def test_cost_without_a_model_says_which_model_and_which_gpt4o_rate() -> None:
    """A cost question naming no model says it priced GPT-4o, and what the guide's other GPT-4o rate gives."""
    draft = OfflineAnswerer(tables()).answer("what will 500M tokens a month cost?", [])
    assert "$3,125.00" in draft.text
    assert "model none named, so gpt-4o" in draft.text
    assert "this would be $7,500.00" in draft.text


def test_reference_lists_are_not_quoted_as_answers() -> None:
    """The guide's Sources list can be retrieved but is never quoted as advice."""
    sources = FakePassage(
        "Sources", None, "OpenAI API Pricing Documentation (2026) and RunPod GPU Pricing Data.", 0.9
    )
    quotes = best_sentences("what does OpenAI pricing documentation say about caching?", [sources, CACHING])
    assert quotes and all(heading != "Sources" for heading, _ in quotes)


def test_a_question_about_the_guides_sources_quotes_them() -> None:
    """ "where does the guide get its GPU prices from?" may quote the Sources list it is about."""
    sources = FakePassage(
        "Sources", None, "OpenAI API Pricing Documentation (2026) and RunPod GPU Pricing Data.", 0.9
    )
    quotes = best_sentences("where does the guide get its gpu prices from? any sources?", [sources, CACHING])
    assert any(heading == "Sources" and "RunPod GPU Pricing Data" in text for heading, text in quotes)


def test_a_bare_claim_is_quoted_with_the_sentence_that_explains_it() -> None:
    """A short verdict brings its example before it, and a general answer's short claim brings the reason after."""
    framework = FakePassage(
        "Cost Analysis Framework",
        None,
        "Example: 500M monthly tokens cost $7,500/month on the API and $7,389/month self-hosted. "
        "Self-hosted breaks even. Many startups stay API-first at this point. APIs scale automatically and "
        "need no on-call rotation, which matters more than a small saving.",
        0.9,
    )
    point = best_sentences("does self-hosting break even?", [framework], limit=1)
    assert "500M monthly tokens" in point[0][1]
    why = best_sentences("why do startups stay API-first?", [framework], limit=1, explain=True)
    assert "APIs scale automatically" in why[0][1]


def test_llm_and_offline_answers_state_a_comparison_the_same_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """The LLM's tool calls and the offline plan give the same priced calculations and the same comparison line."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    question = "Is Claude Sonnet 4.6 cheaper than GPT-5 for 300M input and 60M output a month?"
    offline = OfflineAnswerer(tables()).answer(question, [])
    split = {"input_tokens": 300_000_000, "output_tokens": 60_000_000}
    with openai_server() as server:
        server.script(
            ToolCalls(
                ("api_cost", {"model": "claude-sonnet-4.6", **split}),
                ("api_cost", {"model": "gpt-5", **split}),
                ("api_cost", {"model": "gpt-5", **split}),
            ),
            Text("GPT-5 is the cheaper of the two."),
        )
        llm = LlmAnswerer(
            api_key="sk-test",
            base_url=server.base_url,
            model="gpt-4o",
            timeout=5.0,
            max_retries=0,
            max_tokens=300,
            tables=tables(),
        ).answer(question, [], [])
    assert [c.summary for c in llm.calculations] == [c.summary for c in offline.calculations]
    assert [c.assumptions for c in llm.calculations] == [c.assumptions for c in offline.calculations]
    assert offline.headline in llm.notes
    assert "gpt-5 is cheapest at $975.00 a month, $825.00 less than claude-sonnet-4.6" in llm.text


@pytest.mark.parametrize(
    ("written", "stem"),
    [("hosting", "host"), ("hosted", "host"), ("hosts", "host"), ("caches", "cach"), ("gpu", "gpu")],
)
def test_one_stemmer_for_retrieval_and_quotes(written: str, stem: str) -> None:
    """The keyword index and quote selection read "hosting", "hosted" and "hosts" as the same word."""
    assert shared_stem(written) == stem
    assert words(f"Should we {written}?") == [stem]


def test_sentences_split_on_their_ends_and_cosine_of_nothing_is_zero() -> None:
    """A passage splits into its sentences and list lines; a zero vector is unlike everything."""
    assert split_sentences("Cache first. Then batch!\n- 40% hits") == [
        "Cache first.",
        "Then batch!",
        "40% hits",
    ]
    assert cosine([0.0, 0.0], [1.0, 2.0]) == 0.0
