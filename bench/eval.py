"""Print the chain's score on the evaluation set: `make eval` (offline unless OPENAI_API_KEY is set)."""

import sys
import tempfile
import time
from pathlib import Path

from bot.chain.evaluation import evaluate, load_questions
from bot.settings import Settings
from bot.wiring import build_chain

QUESTIONS = Path(__file__).parents[1] / "tests" / "data" / "eval_questions.yml"


def main() -> int:
    """Build a fresh index in a temporary data folder and score every question once."""
    with tempfile.TemporaryDirectory() as data:
        started = time.perf_counter()
        chain = build_chain(Settings(advisor_data_dir=Path(data)), use_cache=False)
        print(f"mode: {chain.mode}; index built in {time.perf_counter() - started:.1f} s")
        report = evaluate(chain, load_questions(QUESTIONS))
    print(report.to_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
