"""Argument types and a parser whose errors are one line, not a usage dump."""

import argparse
import re
import sys
from decimal import Decimal
from typing import Any, NoReturn

from calculators.errors import QuantityError
from calculators.quantities import parse_quantity, parse_share

_NEGATIVE_QUANTITY = re.compile(r"^-\$?[0-9][0-9,]*(\.[0-9]+)?[KMBTkmbt%]?$")


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser that reports bad input in one line and exits 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Let "-5M" reach the quantity parser (which explains that it is negative) instead of
        # being taken for an unknown option.
        self._negative_number_matcher = _NEGATIVE_QUANTITY

    def error(self, message: str) -> NoReturn:
        """Print `advisor CMD: MESSAGE (see advisor CMD --help)` and exit 2."""
        print(f"{self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


LARGEST_AMOUNT = Decimal(10) ** 15
"""1,000T: no token count, price or hour figure a user means is larger (and beyond it Decimal rounding fails)."""


def quantity(text: str) -> Decimal:
    """An amount such as 500M, $30K or 1,200,000, up to 1,000T."""
    try:
        value = parse_quantity(text)
    except QuantityError as error:
        raise argparse.ArgumentTypeError(str(error)) from error
    if value > LARGEST_AMOUNT:
        raise argparse.ArgumentTypeError(f"{text!r} is too large: amounts go up to 1,000T")
    return value


def share(text: str) -> Decimal:
    """A share such as 40%, 40 or 0.4."""
    try:
        return parse_share(text)
    except QuantityError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def whole(text: str) -> int:
    """A whole, non-negative count such as 1."""
    value = quantity(text)
    if value != value.to_integral_value():
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    return int(value)


def given(**options: Any) -> dict[str, Any]:
    """The options the user typed (not None), so the request's own defaults apply to the rest."""
    return {name: value for name, value in options.items() if value is not None}
