"""Retrieval quality and speed on this machine. Run from the repository root: python bench/retrieval.py

Prints, for vector, keyword and hybrid search, hit@1, hit@3 and MRR on
tests/data/retrieval_questions.yml; the time to build the index from nothing; the time of a warm
search in-process; and the wall time of a fresh process that opens the index and runs one search
(what a warm `advisor search` costs). Numbers only, no asserts.
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from knowledge.embeddings import SentenceTransformerEmbeddings
from knowledge.index import DEFAULT_RETRIEVAL, RETRIEVAL_MODES, KnowledgeIndex

QUESTIONS = Path(__file__).resolve().parents[1] / "tests" / "data" / "retrieval_questions.yml"
DEPTH = 10
RUNS = 3
QUERY = "should we self-host yet?"

BUILD_SCRIPT = """
import sys
from pathlib import Path
from knowledge.embeddings import SentenceTransformerEmbeddings
from knowledge.index import KnowledgeIndex
KnowledgeIndex(Path(sys.argv[1]), SentenceTransformerEmbeddings()).ensure_ready()
"""

SEARCH_SCRIPT = """
import os, sys
from pathlib import Path
from knowledge.embeddings import SentenceTransformerEmbeddings
from knowledge.index import KnowledgeIndex
index = KnowledgeIndex(Path(sys.argv[1]), SentenceTransformerEmbeddings(), retrieval=sys.argv[2])
index.ensure_ready()
print(index.search(sys.argv[3], k=4)[0].section, flush=True)
if sys.argv[4] == "skip-teardown":
    os._exit(0)
"""


def quality(index: KnowledgeIndex, questions: list[dict[str, str]]) -> tuple[float, float, float]:
    """Hit@1, hit@3 and MRR of the first passage from the expected section (0 beyond DEPTH)."""
    ranks: list[int | None] = []
    for item in questions:
        sections = [passage.section for passage in index.search(item["question"], k=DEPTH)]
        ranks.append(sections.index(item["section"]) + 1 if item["section"] in sections else None)
    count = len(ranks)
    return (
        sum(rank == 1 for rank in ranks) / count,
        sum(rank is not None and rank <= 3 for rank in ranks) / count,
        sum(1 / rank for rank in ranks if rank is not None) / count,
    )


def wall_time(script: str, *args: str) -> float:
    """Seconds for a fresh Python process to run ``script``."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", script, *args], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    """Measure and print."""
    # Inherited by the fresh processes too: without it a hub lookup can retry for a minute.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    with tempfile.TemporaryDirectory() as cold, tempfile.TemporaryDirectory() as warm:
        build = wall_time(BUILD_SCRIPT, cold)

        embeddings = SentenceTransformerEmbeddings()
        started = time.perf_counter()
        embeddings.embed_query("load the model")
        load = time.perf_counter() - started
        report = KnowledgeIndex(Path(warm), embeddings).ingest_guide()

        print(f"Question set: {len(questions)} questions; default mode: {DEFAULT_RETRIEVAL}")
        print(f"Build from nothing, fresh process: {build:.1f} s (model {embeddings.model_id})")
        print(
            f"  in-process: model load {load:.1f} s, chunk+embed+store {report.total} chunks {report.seconds:.1f} s"
        )
        print()
        print(
            f"{'mode':8} {'hit@1':>6} {'hit@3':>6} {'MRR':>6} {'warm search':>12} {'fresh process':>14} {'w/o teardown':>13}"
        )
        for mode in RETRIEVAL_MODES:
            index = KnowledgeIndex(Path(warm), embeddings, retrieval=mode)
            hit1, hit3, mrr = quality(index, questions)
            timings = []
            for item in questions:
                started = time.perf_counter()
                index.search(item["question"], k=4)
                timings.append(time.perf_counter() - started)
            fresh = statistics.median(
                wall_time(SEARCH_SCRIPT, cold, mode, QUERY, "exit") for _ in range(RUNS)
            )
            quick = statistics.median(
                wall_time(SEARCH_SCRIPT, cold, mode, QUERY, "skip-teardown") for _ in range(RUNS)
            )
            warm_ms = statistics.median(timings) * 1000
            print(
                f"{mode:8} {hit1:6.3f} {hit3:6.3f} {mrr:6.3f} {warm_ms:9.1f} ms {fresh:12.2f} s {quick:11.2f} s"
            )
        print()
        print("warm search: median in-process search(k=4) over the question set.")
        print(f"fresh process: median of {RUNS} runs opening the built index and searching once;")
        print("w/o teardown: the same ending in os._exit(0), skipping interpreter shutdown.")


if __name__ == "__main__":
    main()
