"""How commands print: text for people, one JSON document for programs."""

import json
import sys
from typing import Any

from bot.calculations.record import Calculation


def emit(calculation: Calculation, as_json: bool) -> None:
    """Print a calculation as its full text report or as JSON."""
    if as_json:
        print_json(calculation.to_json())
    else:
        print(calculation.to_text())


def print_json(document: Any) -> None:
    """One JSON document on standard output."""
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
