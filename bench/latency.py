"""Print p50/p95 latency of warm answers: offline (calculation and general questions separately) and the
LLM path against a local OpenAI-compatible server, beside the floor a warm offline answer cannot beat
(one query embedding plus one Chroma query). `make bench` runs it; nothing here asserts."""

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from langchain_core.embeddings import Embeddings
from openai_server import Text, ToolCalls, openai_server

from bot.chain.chain import AdvisorChain
from bot.chain.evaluation import load_questions
from bot.chain.llm import LlmAnswerer
from bot.chain.offline import OfflineAnswerer
from bot.settings import Settings
from bot.stats import nearest_rank
from bot.wiring import open_embeddings, open_index
from knowledge.index import KnowledgeIndex
from knowledge.tables import tables

ROUNDS = 5


def percentiles(samples: list[float]) -> str:
    """p50 and p95 (nearest rank) of millisecond samples."""
    ordered = sorted(samples)
    p50, p95 = nearest_rank(ordered, 50), nearest_rank(ordered, 95)
    return f"p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   (n={len(ordered)})"


def p50(samples: list[float]) -> float:
    """The median (nearest rank) of millisecond samples."""
    return nearest_rank(sorted(samples), 50)


def floor(index: KnowledgeIndex, embeddings: Embeddings, questions: list[str]) -> list[float]:
    """Milliseconds of the least a warm answer does: embed the question once, query Chroma once.

    Each question is embedded once here, so no sample comes from the embedding's recent-query cache.
    """
    samples = []
    for question in dict.fromkeys(questions):
        started = time.perf_counter()
        index.search(question, k=4, vector=embeddings.embed_query(question))
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def timed(chain: AdvisorChain, questions: list[str], rounds: int) -> list[float]:
    """Wall time of each answer, in milliseconds."""
    samples = []
    for _ in range(rounds):
        for question in questions:
            started = time.perf_counter()
            chain.ask(question)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> int:
    """Warm the index and model once, then time answers."""
    questions = load_questions(ROOT / "tests" / "data" / "eval_questions.yml")
    calculation = [case["question"] for case in questions["calculation"]]
    general = [case["question"] for case in questions["general"]]
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(advisor_data_dir=Path(data))
        embeddings = open_embeddings(settings)
        index = open_index(settings, embeddings)
        index.ensure_ready()
        answerer = OfflineAnswerer(tables(), embeddings)  # as build_chain makes it
        offline = AdvisorChain(retriever=index, offline=answerer, embeddings=embeddings)
        started = time.perf_counter()
        index.warm()
        offline.warm()
        print(
            f"start-up work (model, chunks, sentence vectors): {(time.perf_counter() - started) * 1000:.0f} ms"
        )
        first = time.perf_counter()
        offline.ask("What is the difference between API-first and serverless?")
        print(f"first general answer after warm-up: {(time.perf_counter() - first) * 1000:.0f} ms")
        vector_index = KnowledgeIndex(settings.data_dir, embeddings, retrieval="vector")
        vector_index.warm()
        least = floor(vector_index, embeddings, calculation + general)
        print(f"floor (one embedding + one Chroma query): {percentiles(least)}")
        calculation_ms = timed(offline, calculation, ROUNDS)
        general_ms = timed(offline, general, ROUNDS)
        print(f"offline, calculation questions: {percentiles(calculation_ms)}")
        print(f"offline, general questions:     {percentiles(general_ms)}")
        print(
            f"offline p50 against the floor: calculation {p50(calculation_ms) / p50(least):.1f}x, "
            f"general {p50(general_ms) / p50(least):.1f}x (aim: within 2x)"
        )
        with openai_server() as server:
            llm = LlmAnswerer(
                api_key="sk-bench-local",
                base_url=server.base_url,
                model="gpt-4o",
                timeout=10,
                max_retries=0,
                max_tokens=400,
                tables=tables(),
            )
            chain = AdvisorChain(retriever=index, offline=answerer, llm=llm, embeddings=embeddings)
            samples = []
            for question in calculation[:10] * 2:
                server.script(
                    ToolCalls(("breakeven", {"tokens": 500000000})),
                    Text("Breaks even [Cost Analysis Framework]."),
                )
                started = time.perf_counter()
                answer = chain.ask(question)
                samples.append((time.perf_counter() - started) * 1000)
                assert answer.mode == "llm", answer.notice
            print(f"LLM path (one tool round, local server): {percentiles(samples)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
