"""Answer commands: ask, chat, stats."""

import argparse
import io
import json
import sys
import uuid
from collections.abc import Iterator
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
    if not _is_text(args.question):
        print("advisor ask: the question is not UTF-8 text; type it again", file=sys.stderr)
        return 2
    chain = build_chain(Settings(), use_cache=not args.no_cache)
    if args.question == "-":
        skipped = 0
        for number, line in enumerate(_text_lines(), start=1):
            if line is None:
                skipped += 1
                print(
                    f"advisor ask: line {number} of standard input is not UTF-8 text; skipped it",
                    file=sys.stderr,
                )
                continue
            question = line.strip()
            if not question:
                continue
            answer = chain.ask(question, args.conversation)
            if args.json:
                sys.stdout.write(json.dumps(answer.to_json(), ensure_ascii=False, default=str) + "\n")
            else:
                print(render(answer) + "\n")
            sys.stdout.flush()
        return 2 if skipped else 0
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
    _read_stdin_as_bytes_if_not_text()
    while True:
        try:
            question = input("you> ").strip()
        except EOFError:
            print()
            return 0
        if not _is_text(question):
            print("advisor chat: that line is not UTF-8 text; type the question again", file=sys.stderr)
            continue
        if question.lower() in {"exit", "quit", ":q"}:
            return 0
        if question:
            print(render(chain.ask(question, conversation)) + "\n")


def _read_stdin_as_bytes_if_not_text() -> None:
    """Let bytes that are not UTF-8 through as surrogates (checked by `_is_text`) instead of crashing the read."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="surrogateescape")


def _text_lines() -> Iterator[str | None]:
    """Standard input's lines; None for a line that is not UTF-8 text."""
    _read_stdin_as_bytes_if_not_text()
    for line in sys.stdin:
        yield line if _is_text(line) else None


def _is_text(line: str) -> bool:
    """False for a line holding bytes that are not UTF-8 (read as surrogates) or NUL characters."""
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in line


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
