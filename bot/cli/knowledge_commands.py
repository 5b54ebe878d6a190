"""Knowledge commands: ingest the guide and your own documents, search them."""

import argparse
import sys
import textwrap
from pathlib import Path
from typing import Any

from bot.cli.output import print_json
from bot.settings import Settings
from bot.wiring import open_index

MAX_PASSAGES = 100
"""The most passages `advisor search -k` shows (the guide has about 50)."""


def register(commands: Any) -> None:
    """Add `ingest` and `search` to the `advisor` parser."""
    ingest = commands.add_parser(
        "ingest",
        help="build the knowledge index from the guide, and add your own .md/.txt files",
        description="Embeds only what changed since the last run (content hashes). With no PATH, (re)indexes "
        "the bundled guide.",
    )
    ingest.add_argument("paths", nargs="*", metavar="PATH", help="Markdown or text files or folders")
    ingest.add_argument(
        "--rebuild",
        action="store_true",
        help="empty the index and build it again from the guide and the copies of your documents kept in "
        "the data folder (after a lost or damaged index)",
    )
    ingest.add_argument("--json", action="store_true", help="print the ingestion report as JSON")
    ingest.set_defaults(handler=_run_ingest)

    search = commands.add_parser("search", help="the guide's passages most relevant to a question")
    search.add_argument("query", help='the question, e.g. "when should we self-host?"')
    search.add_argument(
        "-k", "--top", type=int, default=4, help=f"how many passages, 1 to {MAX_PASSAGES} (default 4)"
    )
    search.add_argument(
        "--json", action="store_true", help="print a JSON list of {section, text, score, ...}"
    )
    search.set_defaults(handler=_run_search)


def _run_ingest(args: argparse.Namespace) -> int:
    if any(not path.strip() for path in args.paths):
        # Path("") is the current folder: an empty argument (an unset shell variable) would ingest it all.
        print(
            "advisor ingest: a PATH is empty; name a file or folder, e.g. advisor ingest notes/usage.md",
            file=sys.stderr,
        )
        return 2
    index = open_index(Settings())
    rebuilt = index.rebuild(progress=not args.json) if args.rebuild else None
    # Your files first: a path that does not exist is refused before anything is embedded.
    documents = (
        index.ingest([Path(path) for path in args.paths], progress=not args.json) if args.paths else None
    )
    guide = index.ingest_guide(progress=not args.json)
    index.ensure_ready()
    if args.json:
        print_json(
            {
                "rebuilt": vars(rebuilt) if rebuilt else None,
                "documents": vars(documents) if documents else None,
                "index": vars(guide),
            }
        )
        return 0
    if rebuilt is not None:
        print(
            f"Rebuilt the knowledge index from the guide and {index.kept_documents} kept documents of yours: "
            f"{rebuilt.total} passages ({rebuilt.embedded} embedded) in {rebuilt.seconds:.1f} s"
        )
    if documents is not None:
        print(
            f"Your documents: {documents.embedded} passages embedded, {documents.unchanged} unchanged, "
            f"{documents.removed} removed in {documents.seconds:.1f} s"
        )
    print(
        f"Knowledge index: {guide.total} passages ({guide.embedded} embedded, {guide.unchanged} unchanged, "
        f"{guide.removed} removed) in {guide.seconds:.1f} s"
    )
    return 0


def _run_search(args: argparse.Namespace) -> int:
    if not args.query.strip():
        print(
            'advisor search: type a question, e.g. advisor search "when should we self-host?"',
            file=sys.stderr,
        )
        return 2
    if not 1 <= args.top <= MAX_PASSAGES:
        print(
            f"advisor search: -k must be a whole number from 1 to {MAX_PASSAGES}, e.g. -k 4", file=sys.stderr
        )
        return 2
    index = open_index(Settings())
    index.ensure_ready()
    passages = index.search(args.query, k=args.top)
    if args.json:
        print_json([vars(passage) for passage in passages])
        return 0
    for rank, passage in enumerate(passages, start=1):
        heading = passage.section + (f" > {passage.subsection}" if passage.subsection else "")
        print(f"{rank}. [{heading}] (score {passage.score:.3f})")
        lines = [line.strip() for line in passage.text.splitlines() if line.strip() not in ("", "-")]
        print(textwrap.fill(" ".join(lines), width=100, initial_indent="   ", subsequent_indent="   ") + "\n")
    return 0
