"""`make eval`: the chain's development and held-out scores side by side (offline unless OPENAI_API_KEY is set).

Development misses are listed (the team tunes on them); held-out misses are only counted by kind,
so nobody tunes on the held-out questions.
"""

import sys
import tempfile
import time
from pathlib import Path

from bot.chain.evaluation import EvalReport, evaluate, load_evaluation_set, side_by_side
from bot.settings import Settings
from bot.wiring import build_chain
from knowledge.tables import tables

DATA = Path(__file__).parents[1] / "tests" / "data"
DEVELOPMENT = (DATA / "eval_questions.yml", DATA / "eval_templates.yml")
HELD_OUT = (DATA / "heldout" / "eval_heldout.yml", DATA / "heldout" / "eval_templates.yml")


def main() -> int:
    """Build a fresh index in a temporary data folder and score every question of both sets once."""
    development = load_evaluation_set(*DEVELOPMENT, tables())
    if development is None:
        print(f"no development set at {DEVELOPMENT[0]}", file=sys.stderr)
        return 1
    try:
        held_out = load_evaluation_set(*HELD_OUT, tables())
    except ValueError as error:  # a malformed held-out file must not stop the development score
        print(f"held-out set: could not be loaded: {error}", file=sys.stderr)
        held_out = None
    with tempfile.TemporaryDirectory() as data:
        started = time.perf_counter()
        chain = build_chain(Settings(advisor_data_dir=Path(data)), use_cache=False)
        print(f"mode: {chain.mode}; index built in {time.perf_counter() - started:.1f} s")
        dev_report = evaluate(chain, development)
        held_report = evaluate(chain, held_out) if held_out is not None else None
    print("\ndevelopment set (misses listed):")
    print(dev_report.to_text())
    if held_report is not None:
        print("\nheld-out set (misses counted by kind only):")
        print(held_report.to_text(list_misses=False))
    print("\nscores:")
    print(side_by_side(dev_report, held_report))
    print("\nfailure kinds:")
    print(_failures("development", dev_report))
    if held_report is not None:
        print(_failures("held-out", held_report))
    print("\nhow the calculator calls differ (numeric misses; tool and argument only):")
    print(_details("development", dev_report))
    if held_report is not None:
        print(_details("held-out", held_report))
    return 0


def _failures(label: str, report: EvalReport) -> str:
    counts = report.failures()
    return f"  {label}: " + (", ".join(f"{failure} {n}" for failure, n in counts.items()) or "none")


def _details(label: str, report: EvalReport) -> str:
    counts = report.details()
    return f"  {label}:" + ("".join(f"\n    {n:>3}  {detail}" for detail, n in counts.items()) or " none")


if __name__ == "__main__":
    sys.exit(main())
