"""The evaluation scorer, and the offline advisor on the original (`seed: true`) questions."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

from bot.chain.answer import Source, Turn
from bot.chain.chain import AdvisorChain
from bot.chain.evaluation import (
    KINDS,
    evaluate,
    load_evaluation_set,
    load_questions,
    seed_questions,
    side_by_side,
)
from bot.chain.offline import OfflineAnswerer
from knowledge.index import KnowledgeIndex
from knowledge.tables import tables

QUESTIONS = Path(__file__).parent / "data" / "eval_questions.yml"
TEMPLATES = Path(__file__).parent / "data" / "eval_templates.yml"


@dataclass(frozen=True)
class ScriptedAnswer:
    """What the scorer reads of an answer: its text and its sources."""

    text: str
    sources: tuple[Source, ...]


class ScriptedAsker:
    """A chain stand-in that answers from a script and records every question and conversation id."""

    def __init__(self, answers: dict[str, str], section: str = "FAQ") -> None:
        self.answers = answers
        self.section = section
        self.asked: list[tuple[str, str | None]] = []

    def ask(self, question: str, conversation_id: str | None = None) -> ScriptedAnswer:
        """Answer with the scripted text (empty when the question is not scripted)."""
        self.asked.append((question, conversation_id))
        source = Source(section=self.section, subsection=None, score=1.0, source="guide")
        return ScriptedAnswer(text=self.answers.get(question, ""), sources=(source,))


DEVELOPMENT_NUMERIC_BAR = 0.985
"""Share of the development set's numeric questions (hand-written, templates, conversations) answered right: 741/748 at
the last `make eval`; held a little below so one new hard question does not turn the suite red."""
DEVELOPMENT_GENERAL_BAR = 127 / 143
"""The development general questions right at the last `make eval` (127 of 143, after 80 fresh paraphrased ones were
added); the issue's target is 90%."""


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory, embeddings: Embeddings) -> AdvisorChain:
    """The offline advisor over a fresh index of the guide, shared by the tests that score whole sets."""
    index = KnowledgeIndex(tmp_path_factory.mktemp("index"), embeddings)
    index.ensure_ready()
    return AdvisorChain(retriever=index, offline=OfflineAnswerer(tables(), embeddings))


@dataclass(frozen=True)
class PlainAnswer:
    """An offline answer's text, with no sources (numeric questions are scored on the text alone)."""

    text: str
    sources: tuple[Source, ...] = ()


class NumbersOnly:
    """The offline answerer without retrieval, keeping each conversation's turns: numbers do not depend on quotes."""

    def __init__(self) -> None:
        self.answerer = OfflineAnswerer(tables())
        self.turns: dict[str, list[Turn]] = {}

    def ask(self, question: str, conversation_id: str | None = None) -> PlainAnswer:
        """Answer from the calculators, in the light of the conversation's earlier turns."""
        history = self.turns.setdefault(conversation_id, []) if conversation_id else []
        draft = self.answerer.answer(question, [], tuple(history))
        history.append(Turn(question, draft.text, draft.calculations))
        return PlainAnswer(draft.text)


def test_development_numeric_questions_hold_the_bar() -> None:
    """Every kind of numeric development question (hand-written, generated, follow-ups) is answered at the bar."""
    questions = load_evaluation_set(QUESTIONS, TEMPLATES, tables())
    assert questions is not None
    numeric = {key: cases for key, cases in questions.items() if key != "general"}
    report = evaluate(NumbersOnly(), numeric)
    assert report.calculation_total >= 350
    assert report.calculation_score >= DEVELOPMENT_NUMERIC_BAR, report.to_text()


def test_development_general_questions_hold_the_bar(chain: AdvisorChain) -> None:
    """The development general questions get the right section and fact at the bar."""
    questions = load_questions(QUESTIONS)
    report = evaluate(chain, {"general": questions["general"]})
    assert report.general_score >= DEVELOPMENT_GENERAL_BAR - 1e-9, report.to_text()


def test_offline_answers_the_guides_questions(chain: AdvisorChain) -> None:
    """Every original calculation question gets its expected numbers and at least 90% of general ones the right fact."""
    questions = seed_questions(load_questions(QUESTIONS))
    assert (len(questions["calculation"]), len(questions["general"])) == (26, 28)
    report = evaluate(chain, questions)
    assert report.calculation_score == 1.0, report.to_text()
    assert report.general_score >= 0.9, report.to_text()


def test_development_set_is_large_and_covers_every_kind() -> None:
    """The development set holds the 54 originals plus at least 130 new questions, of every kind."""
    questions = load_questions(QUESTIONS)
    total = sum(len(cases) for cases in questions.values())
    assert total >= 54 + 130
    kinds = {case["kind"] for case in questions["calculation"] + questions["conversations"]}
    assert kinds == set(KINDS)
    assert all("how" in case for case in questions["calculation"] + questions["conversations"])


@pytest.mark.parametrize(
    ("answer", "right", "failure"),
    [
        ("It costs $3.75 a month on gpt-4o-mini.", True, None),
        (
            "It costs $3.75 a month on gpt-4o-mini, or $62.50 on gpt-4o.",
            False,
            "forbidden text (a dollar figure)",
        ),
        ("It costs $62.50 a month.", False, "forbidden text (a dollar figure)"),
        ("It costs a little.", False, "missing figure"),
    ],
)
def test_a_forbidden_figure_fails_an_answer_that_has_every_expected_one(
    answer: str, right: bool, failure: str | None
) -> None:
    """An answer is right only with every expected string and none of the forbidden ones."""
    question = "what does 10M tokens a month cost on gpt-4o-mini?"
    cases = {
        "calculation": [{"question": question, "expect": ["$3.75"], "forbid": ["$62.50"], "kind": "cost"}]
    }
    report = evaluate(ScriptedAsker({question: answer}), cases)
    assert (report.calculation_right, report.calculation_total) == (int(right), 1)
    assert [miss.failure for miss in report.misses] == ([] if failure is None else [failure])
    assert str(report.kinds["cost"]) == ("1/1 (100%)" if right else "0/1 (0%)")


def test_conversations_are_asked_in_one_conversation_and_the_last_answer_is_scored() -> None:
    """Each conversation's turns share one id, different conversations get different ids, only the last turn counts."""
    first, follow_up, other = "should we self-host at 500M?", "and at 2B?", "and on AWS?"
    asker = ScriptedAsker({first: "$25,564.40", follow_up: "no numbers here", other: "$62,268.80"})
    cases = {
        "conversations": [
            {"turns": [first, follow_up], "expect": ["$25,564.40"], "kind": "followup"},
            {"turns": [first, other], "expect": ["$62,268.80"], "kind": "followup"},
        ]
    }
    report = evaluate(asker, cases)
    ids = [conversation for _, conversation in asker.asked]
    assert [question for question, _ in asker.asked] == [first, follow_up, first, other]
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[0] != ids[2] and None not in ids
    assert (report.calculation_right, report.calculation_total) == (1, 2)
    assert [miss.question for miss in report.misses] == [f"{first} -> {follow_up}"]


def test_general_questions_need_the_section_and_the_fact() -> None:
    """A general answer counts only with the expected section among the top 3 sources and the fact in the text."""
    question = "Can we switch LLM providers later on?"
    cases = {"general": [{"question": question, "section": "FAQ", "fact": "abstract"}]}
    assert evaluate(ScriptedAsker({question: "Yes: Abstract over providers."}), cases).general_score == 1.0
    wrong_section = evaluate(ScriptedAsker({question: "abstract"}, section="Sources"), cases)
    assert [miss.failure for miss in wrong_section.misses] == ["wrong section"]


@pytest.fixture
def heldout_dir(tmp_path: Path) -> Iterator[Path]:
    """A made-up held-out folder: one question file and one template file."""
    folder = tmp_path / "heldout"
    folder.mkdir()
    (folder / "eval_heldout.yml").write_text(
        "calculation:\n"
        "  - question: 'made-up held-out question about 2B tokens'\n"
        "    expect: ['$30,000.00']\n"
        "    kind: breakeven\n"
        "general:\n"
        "  - question: 'made-up held-out general question'\n"
        "    section: FAQ\n"
        "    fact: 'labeled examples'\n",
        encoding="utf-8",
    )
    (folder / "eval_templates.yml").write_text(
        "templates:\n"
        "  - kind: phase\n"
        "    phrasings: ['made-up phase template at {spend}']\n"
        "    slots: {spend: ['$8,000']}\n"
        "    tool: phase\n"
        "    args: {spend: '{spend}'}\n"
        "    expect: ['{phase}']\n",
        encoding="utf-8",
    )
    yield folder


def test_held_out_misses_are_counted_by_kind_never_listed(heldout_dir: Path) -> None:
    """The held-out report gives scores and misses per kind, without the questions it missed."""
    held_out = load_evaluation_set(
        heldout_dir / "eval_heldout.yml", heldout_dir / "eval_templates.yml", tables()
    )
    assert held_out is not None
    assert [case["question"] for case in held_out["calculation"]] == [
        "made-up held-out question about 2B tokens",
        "made-up phase template at $8,000",
    ]
    asker = ScriptedAsker({"made-up phase template at $8,000": "Phase 1"})
    report = evaluate(asker, held_out)
    text = report.to_text(list_misses=False)
    assert "made-up" not in text
    assert "misses by kind: breakeven 1, general 1" in text
    table = side_by_side(evaluate(asker, held_out), report)
    assert "held-out set: not found" not in table
    assert table.splitlines()[1].split()[-2:] == ["1/2", "(50%)"]


def test_a_missing_held_out_set_is_reported_as_not_found(tmp_path: Path) -> None:
    """Without held-out files the loader returns None and the score table says so."""
    assert (
        load_evaluation_set(tmp_path / "eval_heldout.yml", tmp_path / "eval_templates.yml", tables()) is None
    )
    questions = load_questions(QUESTIONS)
    case = questions["calculation"][0]
    report = evaluate(ScriptedAsker({case["question"]: " ".join(case["expect"])}), {"calculation": [case]})
    assert "held-out set: not found" in side_by_side(report, None)


def test_a_broken_entry_is_reported_by_place_without_its_text(tmp_path: Path) -> None:
    """A question file with an entry missing `expect` fails to load with its place, never its text."""
    broken = tmp_path / "eval_heldout.yml"
    broken.write_text("calculation:\n  - question: 'secret held-out wording'\n", encoding="utf-8")
    with pytest.raises(
        ValueError, match=r"eval_heldout\.yml: calculation entry 1 needs question, expect"
    ) as error:
        load_questions(broken)
    assert "secret" not in str(error.value)
