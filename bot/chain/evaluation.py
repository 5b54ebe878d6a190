"""Score the chain on the visible evaluation set (tests/data/eval_questions.yml)."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from bot.chain.answer import Answer


class Asker(Protocol):
    """Anything that answers a question (the chain)."""

    def ask(self, question: str, conversation_id: str | None = None) -> Answer:
        """Answer one question."""
        ...


@dataclass
class EvalReport:
    """How many questions of each kind the chain got right, and which it missed."""

    calculation_right: int = 0
    calculation_total: int = 0
    general_right: int = 0
    general_total: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def calculation_score(self) -> float:
        """Share of calculation questions with every expected number in the answer."""
        return self.calculation_right / self.calculation_total if self.calculation_total else 0.0

    @property
    def general_score(self) -> float:
        """Share of general questions with the right section in the top 3 and the fact in the answer."""
        return self.general_right / self.general_total if self.general_total else 0.0

    def to_text(self) -> str:
        """The score in a few lines, misses listed."""
        lines = [
            (
                f"calculation questions: {self.calculation_right}/{self.calculation_total} "
                f"({self.calculation_score:.0%})"
            ),
            f"general questions:     {self.general_right}/{self.general_total} ({self.general_score:.0%})",
        ]
        lines += [f"  miss: {miss}" for miss in self.misses]
        return "\n".join(lines)


def load_questions(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The evaluation set as written in YAML."""
    loaded: dict[str, list[dict[str, Any]]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def evaluate(chain: Asker, questions: dict[str, list[dict[str, Any]]]) -> EvalReport:
    """Ask every question once and score the answers."""
    report = EvalReport()
    for case in questions.get("calculation", []):
        answer = chain.ask(case["question"])
        missing = [text for text in case["expect"] if text not in answer.text]
        report.calculation_total += 1
        if missing:
            report.misses.append(f"{case['question']!r}: missing {missing}")
        else:
            report.calculation_right += 1
    for case in questions.get("general", []):
        answer = chain.ask(case["question"])
        sections = [source.section for source in answer.sources[:3]]
        section_hit = any(section.startswith(case["section"]) for section in sections)
        fact_hit = case["fact"].lower() in answer.text.lower()
        report.general_total += 1
        if section_hit and fact_hit:
            report.general_right += 1
        else:
            report.misses.append(
                f"{case['question']!r}: section {'ok' if section_hit else 'missed ' + str(sections)}, "
                f"fact {case['fact']!r} {'ok' if fact_hit else 'missing'}"
            )
    return report
