"""Read the quantities people type: 500M, 2B, 82.5M, 10K, $30K, 1,200,000, 40%."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from calculators.errors import QuantityError

_SUFFIXES = {
    "": Decimal(1),
    "K": Decimal(1_000),
    "M": Decimal(1_000_000),
    "B": Decimal(1_000_000_000),
    "T": Decimal(1_000_000_000_000),
}
_QUANTITY = re.compile(r"^\$?\s*(?P<number>[0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+)\s*(?P<suffix>[KMBT]?)$")
_EXAMPLES = "a number like 500M, 2B, 82.5M, 10K, $30K or 1,200,000"


def parse_quantity(text: str) -> Decimal:
    """Parse an amount with an optional `$` and a K/M/B/T suffix.

    Args:
        text: what the user typed, e.g. "500M", "$30K", "1,200,000", "82.5m".

    Returns:
        The exact value as a `Decimal` (`"82.5M"` is `Decimal("82500000")`).

    Raises:
        QuantityError: the text is not such an amount; negative amounts are refused too.
    """
    cleaned = text.strip().upper().replace("_", "")
    match = _QUANTITY.match(cleaned)
    if match is None or not _commas_are_thousands(match["number"]):
        if cleaned.startswith(("-", "$-")):
            raise QuantityError(f"{text!r} is negative: use {_EXAMPLES}")
        raise QuantityError(f"{text!r} is not a quantity: use {_EXAMPLES}")
    try:
        number = Decimal(match["number"].replace(",", ""))
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only digits
        raise QuantityError(f"{text!r} is not a quantity: use {_EXAMPLES}") from error
    return _normalise(number * _SUFFIXES[match["suffix"]])


def parse_share(text: str) -> Decimal:
    """Parse a share typed as `40%`, `40` (read as percent when above 1) or `0.4`.

    Raises:
        QuantityError: the text is not a share between 0% and 100%.
    """
    cleaned = text.strip()
    percent = cleaned.endswith("%")
    try:
        number = Decimal(cleaned.rstrip("%").strip())
    except InvalidOperation as error:
        raise QuantityError(f"{text!r} is not a share: use a percentage like 40% or 0.4") from error
    if not number.is_finite():  # Decimal reads "NaN" and "Infinity", which no comparison survives
        raise QuantityError(f"{text!r} is not a share: use a percentage like 40% or 0.4")
    if percent or number > 1:
        number = number / 100
    if not Decimal(0) <= number <= Decimal(1):
        raise QuantityError(f"{text!r} is not between 0% and 100%: use a percentage like 40%")
    return _normalise(number)


def format_tokens(tokens: Decimal) -> str:
    """Write a token count the way the guide does: 82.5M, 2B, 15B, 550."""
    for suffix, size in (
        ("T", _SUFFIXES["T"]),
        ("B", _SUFFIXES["B"]),
        ("M", _SUFFIXES["M"]),
        ("K", _SUFFIXES["K"]),
    ):
        if abs(tokens) >= size:
            scaled = (tokens / size).quantize(Decimal("0.01")).normalize()
            return f"{scaled:f}{suffix}"
    return f"{tokens.normalize():f}"


def format_usd(amount: Decimal, *, cents: bool = False) -> str:
    """Write money as $1,963 or, with `cents`, $1,963.70; negative as -$1,963 (half-up rounding)."""
    step = Decimal("0.01") if cents else Decimal(1)
    rounded = abs(amount).quantize(step, rounding=ROUND_HALF_UP)
    return f"{'-' if amount < 0 and rounded else ''}${rounded:,}"


def _commas_are_thousands(number: str) -> bool:
    whole = number.split(".")[0]
    if "," not in whole:
        return True
    groups = whole.split(",")
    return 1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])


def _normalise(value: Decimal) -> Decimal:
    """Drop a trailing exponent so 500M prints as 500000000, not 5E+8."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
