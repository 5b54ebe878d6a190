"""The `advisor` command line: calculators, the knowledge index and (later) the answer chain.

Calculator commands import neither torch, sentence-transformers nor Chroma, so they answer in
well under a second; the knowledge commands import them only when they run.
"""

import argparse
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot.cli import (
    alert_commands,
    ask_commands,
    calc_commands,
    knowledge_commands,
    serve_commands,
    spend_commands,
)
from bot.cli.parsing import OneLineParser
from calculators.errors import CalculatorError
from knowledge.data_folder import is_storage_fault, storage_message
from knowledge.errors import KnowledgeError


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree; `advisor --help` lists every command."""
    parser = OneLineParser(
        prog="advisor",
        description=(
            "The AI-infrastructure advisor: exact API vs self-hosted costs and answers from the guide. "
            "Quantities accept 500M, 2B, 82.5M, 10K, $30K, 1,200,000; shares accept 40%% or 0.4."
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    commands.required = True
    calc_commands.register(commands)
    knowledge_commands.register(commands)
    ask_commands.register(commands)
    serve_commands.register(commands)
    spend_commands.register(commands)
    alert_commands.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; bad input, bad settings and an unusable data folder exit 2 with one line.

    No traceback reaches the user: anything unforeseen is one line naming the error, exit 1.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except (CalculatorError, KnowledgeError) as error:
        print(f"advisor {args.command}: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:  # a setting from the environment or .env that does not parse
        first = error.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "a setting"
        print(
            f"advisor {args.command}: setting {name} is invalid: {first['msg']} (see .env.sample)",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`advisor ... | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as error:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        if is_storage_fault(error):  # SQLite or Chroma found the disk full or read-only mid-command
            print(f"advisor {args.command}: {storage_message(error)}", file=sys.stderr)
            return 2
        said = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
        print(
            f"advisor {args.command}: unexpected error, please report it: {type(error).__name__}"
            + (f": {said}" if said else ""),
            file=sys.stderr,
        )
        return 1
