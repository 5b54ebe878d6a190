"""Reading amounts, providers, months and days as people type them, refusing what cannot be money."""

import calendar
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from bot.spend.errors import InvalidSpendError
from calculators.errors import QuantityError
from calculators.quantities import parse_quantity

MAX_AMOUNT = Decimal(10) ** 12
"""More than a trillion dollars in one entry is a typo."""
_PROVIDER = re.compile(r"^[a-z0-9][a-z0-9._-]{0,49}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_amount(text: str) -> Decimal:
    """`12500`, `$12,500.50` or `12.5K` as exact dollars.

    Raises:
        InvalidSpendError: negative, NaN, infinite, not a number, or absurdly large.
    """
    cleaned = text.strip()
    if cleaned.lower().lstrip("+-$") in {"nan", "inf", "infinity"}:
        raise InvalidSpendError(f"{text!r} is not an amount: give dollars like 12500 or $12,500.50")
    if cleaned.startswith(("-", "$-")):
        raise InvalidSpendError(f"{text!r} is negative: spend is zero or more dollars")
    try:
        amount = parse_quantity(cleaned)
    except QuantityError:
        # The quantity parser's hint names token volumes (500M, 2B); say what money looks like.
        raise InvalidSpendError(
            f"{text!r} is not an amount: give dollars like 12500, $12,500.50 or 12.5K"
        ) from None
    return check_amount(amount, text)


def parse_number(value: object, where: str) -> Decimal:
    """A JSON number or numeric string (a provider's export) as a checked Decimal."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise InvalidSpendError(f"{where}: amount {value!r} is not a number")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidSpendError(f"{where}: amount {value!r} is not a number") from None
    return check_amount(amount, f"{where}: {value}")


def check_amount(amount: Decimal, shown: object) -> Decimal:
    """`amount` itself when it is finite, not negative and below a trillion."""
    if not amount.is_finite():
        raise InvalidSpendError(f"{shown!s} is not an amount: give dollars like 12500")
    if amount < 0:
        raise InvalidSpendError(f"{shown!s} is negative: spend is zero or more dollars")
    if amount >= MAX_AMOUNT:
        raise InvalidSpendError(f"{shown!s} is more than $1,000,000,000,000: check the number")
    return amount


def parse_provider(text: str) -> str:
    """A provider name such as `openai`, `anthropic` or `azure-openai`, lower-cased."""
    name = text.strip().lower()
    if not _PROVIDER.match(name):
        raise InvalidSpendError(
            f"{text!r} is not a provider name: use letters, digits, '.', '_' or '-', e.g. openai"
        )
    return name


def parse_month(text: str) -> str:
    """`2026-11` as the month it names, checked."""
    found = _MONTH.match(text.strip())
    if found is None or not 1 <= int(found[2]) <= 12 or int(found[1]) < 2000:
        raise InvalidSpendError(f"{text!r} is not a month: use YYYY-MM, e.g. 2026-11")
    return text.strip()


def parse_day(text: str) -> dt.date:
    """`2026-11-03` as a date."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidSpendError(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2026-11-03") from None


def month_of(day: dt.date) -> str:
    """The YYYY-MM month a day falls in."""
    return f"{day.year:04d}-{day.month:02d}"


def month_start(month: str) -> dt.date:
    """The first day of a YYYY-MM month."""
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def days_in(month: str) -> int:
    """How many days a YYYY-MM month has."""
    return calendar.monthrange(int(month[:4]), int(month[5:7]))[1]


def previous_month(month: str) -> str:
    """The month before a YYYY-MM month."""
    return month_of(month_start(month) - dt.timedelta(days=1))


def month_name(month: str) -> str:
    """`2026-11` as `November 2026`."""
    return month_start(month).strftime("%B %Y")
