"""Print p50/p95 latency of warm answers: offline (calculation and general questions separately) and the
LLM path against a local OpenAI-compatible server. `make bench` runs it; nothing here asserts."""

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from openai_server import Text, ToolCalls, openai_server

from bot.chain.chain import AdvisorChain
from bot.chain.evaluation import load_questions
from bot.chain.llm import LlmAnswerer
from bot.chain.offline import OfflineAnswerer
from bot.settings import Settings
from bot.stats import nearest_rank
from bot.wiring import open_embeddings, open_index
from knowledge.tables import tables

ROUNDS = 5


def percentiles(samples: list[float]) -> str:
    """p50 and p95 (nearest rank) of millisecond samples."""
    ordered = sorted(samples)
    p50, p95 = nearest_rank(ordered, 50), nearest_rank(ordered, 95)
    return f"p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   (n={len(ordered)})"


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
        offline = AdvisorChain(retriever=index, offline=answerer)
        first = time.perf_counter()
        offline.ask("What is the difference between API-first and serverless?")
        print(
            f"first general answer after the index is built (sentence vectors computed): {(time.perf_counter() - first) * 1000:.0f} ms"
        )
        print(f"offline, calculation questions: {percentiles(timed(offline, calculation, ROUNDS))}")
        print(f"offline, general questions:     {percentiles(timed(offline, general, ROUNDS))}")
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
            chain = AdvisorChain(retriever=index, offline=answerer, llm=llm)
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
