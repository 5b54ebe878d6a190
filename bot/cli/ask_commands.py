"""Answer commands: ask, chat, stats."""

import argparse
import json
import sys
import uuid
from typing import Any

from bot.chain.answer import Answer
from bot.cli.output import print_json
from bot.settings import Settings


def register(commands: Any) -> None:
    """Add `ask`, `chat` and `stats` to the `advisor` parser."""
    ask = commands.add_parser(
        "ask",
        help="answer a question from the guide, with the calculators for every number",
        description="Uses the LLM when OPENAI_API_KEY is set (OPENAI_BASE_URL for any compatible server), "
        "else the offline answerer. With --json and QUESTION '-', reads one question per line from standard "
        "input and writes one JSON object per line.",
    )
    ask.add_argument("question", help='the question, or "-" to read questions from standard input')
    ask.add_argument("--json", action="store_true", help="print the answer object as JSON")
    ask.add_argument("--conversation", metavar="ID", help="conversation id, so follow-ups see earlier turns")
    ask.add_argument("--no-cache", action="store_true", help="neither read nor write the answer cache")
    ask.set_defaults(handler=_run_ask)

    chat = commands.add_parser("chat", help="an interactive session; follow-ups such as 'and at 2B?' work")
    chat.add_argument("--no-cache", action="store_true", help="neither read nor write the answer cache")
    chat.set_defaults(handler=_run_chat)

    stats = commands.add_parser("stats", help="answers so far: latency p50/p95, cache hit rate, tokens, cost")
    stats.add_argument("--json", action="store_true", help="print the summary as JSON")
    stats.set_defaults(handler=_run_stats)


def render(answer: Answer) -> str:
    """An answer as text for a terminal: the answer, then its sources and how it was made."""
    lines = [answer.text]
    if answer.sources:
        lines.append("Sources: " + "; ".join(f"{s.section} ({s.score:.2f})" for s in answer.sources))
    made = f"[{answer.mode}" + (f", {answer.cache} cache hit" if answer.cache else "")
    made += f", {answer.timings.get('total', 0):.0f} ms]"
    lines.append(made)
    return "\n".join(lines)


def _run_ask(args: argparse.Namespace) -> int:
    from bot.wiring import build_chain

    if args.question != "-" and not args.question.strip():
        print(
            'advisor ask: type a question, e.g. advisor ask "should we self-host at 500M tokens?"',
            file=sys.stderr,
        )
        return 2
    chain = build_chain(Settings(), use_cache=not args.no_cache)
    if args.question == "-":
        for line in sys.stdin:
            question = line.strip()
            if not question:
                continue
            answer = chain.ask(question, args.conversation)
            if args.json:
                sys.stdout.write(json.dumps(answer.to_json(), ensure_ascii=False, default=str) + "\n")
            else:
                print(render(answer) + "\n")
            sys.stdout.flush()
        return 0
    answer = chain.ask(args.question, args.conversation)
    if args.json:
        print_json(answer.to_json())
    else:
        print(render(answer))
    return 0


def _run_chat(args: argparse.Namespace) -> int:
    return run_chat(use_cache=not args.no_cache)


def run_chat(*, use_cache: bool = True) -> int:
    """The interactive session of `advisor chat`, also where `advisor run` ends without Slack."""
    from bot.wiring import build_chain

    chain = build_chain(Settings(), use_cache=use_cache)
    conversation = f"chat-{uuid.uuid4().hex[:12]}"
    print(f"AI-infrastructure advisor ({chain.mode}). Ask away; 'exit' or Ctrl-D ends.")
    while True:
        try:
            question = input("you> ").strip()
        except EOFError:
            print()
            return 0
        if question.lower() in {"exit", "quit", ":q"}:
            return 0
        if question:
            print(render(chain.ask(question, conversation)) + "\n")


def _run_stats(args: argparse.Namespace) -> int:
    from bot.stats import StatsStore
    from bot.wiring import open_database

    database = open_database(Settings())
    try:
        summary = StatsStore(database).summary()
    finally:
        database.close()
    if args.json:
        print_json(summary.to_json())
    else:
        print(summary.to_text())
    return 0
