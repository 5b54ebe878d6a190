"""The offline advisor on its visible evaluation set (tests/data/eval_questions.yml)."""

from pathlib import Path

from langchain_core.embeddings import Embeddings

from bot.chain.chain import AdvisorChain
from bot.chain.evaluation import evaluate, load_questions
from bot.chain.offline import OfflineAnswerer
from knowledge.index import KnowledgeIndex
from knowledge.tables import tables

QUESTIONS = Path(__file__).parent / "data" / "eval_questions.yml"


def test_offline_answers_the_guides_questions(tmp_path: Path, embeddings: Embeddings) -> None:
    """Every calculation question gets its expected numbers and at least 90% of general ones the right fact."""
    index = KnowledgeIndex(tmp_path, embeddings)
    index.ensure_ready()
    chain = AdvisorChain(retriever=index, offline=OfflineAnswerer(tables(), embeddings))
    questions = load_questions(QUESTIONS)
    assert len(questions["calculation"]) + len(questions["general"]) >= 40
    report = evaluate(chain, questions)
    assert report.calculation_score == 1.0, report.to_text()
    assert report.general_score >= 0.9, report.to_text()
