"""Slash-command arguments in any order: `/breakeven 500M gpt-4o h100 $3.99`, `/aicost gpt-4o 8M in 2M out`.

Amounts, model names, GPU names and prices are recognised by their shape and the price tables;
anything else is refused with one line that names it (and the closest known names), never
replaced by a default.
"""

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal

from bot.calculations.breakeven import BreakEvenRequest
from bot.calculations.cost import CostRequest
from calculators.errors import QuantityError
from calculators.quantities import parse_quantity
from knowledge.errors import KnowledgeError
from knowledge.prices import find_gpu, find_model
from knowledge.tables import Tables

MAX_MONTHLY_TOKENS = Decimal(10) ** 15
"""More tokens than this a month is a typo, not a plan."""
_FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "at",
        "on",
        "of",
        "for",
        "with",
        "per",
        "month",
        "monthly",
        "/mo",
        "mo",
        "tokens",
        "token",
        "tok",
        "a/month",
        "using",
        "use",
        "vs",
        "and",
        "on-demand",
    ]
)
_PRICE = re.compile(
    r"^\$?(?P<amount>[0-9][0-9,]*(?:\.[0-9]+)?)(?P<unit>/h|/hr|/hour|/1k|/1m)?$", re.IGNORECASE
)
_OPTIONS = {
    "--model": "model",
    "--gpu": "gpu",
    "--gpu-hourly": "gpu_hourly",
    "--api-price": "api_price_per_1k",
    "--tokens-per-gpu": "tokens_per_gpu",
    "--ops-hours": "ops_hours",
    "--tokens": "tokens",
}


class ArgumentError(ValueError):
    """The command's text could not be read; the message says what was wrong, in one line."""


@dataclass
class _Read:
    tokens: Decimal | None = None
    model: str | None = None
    gpu: str | None = None
    gpu_hourly: Decimal | None = None
    api_price_per_1k: Decimal | None = None
    tokens_per_gpu: Decimal | None = None
    ops_hours: Decimal | None = None
    input_tokens: Decimal | None = None
    output_tokens: Decimal | None = None


def parse_breakeven(text: str, tables: Tables) -> BreakEvenRequest:
    """`500M gpt-4o h100 $3.99` (any order) as a break-even request on the guide's defaults.

    Raises:
        ArgumentError: no volume, an unknown word, or an impossible amount.
    """
    read = _read(text, tables, money_means="gpu_hourly")
    if read.tokens is None:
        raise ArgumentError("say the monthly token volume, e.g. `/breakeven 500M`")
    return BreakEvenRequest(
        tokens=read.tokens,
        model=read.model,
        api_price_per_1k=read.api_price_per_1k,
        gpu=read.gpu,
        gpu_hourly=read.gpu_hourly,
        tokens_per_gpu=read.tokens_per_gpu,
        ops_hours=read.ops_hours,
    )


def parse_cost(text: str, tables: Tables) -> CostRequest:
    """`gpt-4o 8M in 2M out` or `10M gpt-4o-mini` as a cost request.

    Raises:
        ArgumentError: no model, no volume, an unknown word, or an impossible amount.
    """
    read = _read(text, tables, money_means="api_price_per_1k", roles=True)
    if read.model is None and read.api_price_per_1k is None:
        raise ArgumentError("name a model, e.g. `/aicost gpt-4o 8M in 2M out`")
    if read.tokens is None and read.input_tokens is None and read.output_tokens is None:
        raise ArgumentError(
            "say how many tokens a month, e.g. `/aicost gpt-4o 8M in 2M out` or `/aicost gpt-4o 10M`"
        )
    if read.tokens is not None and (read.input_tokens is not None or read.output_tokens is not None):
        raise ArgumentError("give a total (10M) or input and output (8M in 2M out), not both")
    return CostRequest(
        model=read.model,
        api_price_per_1k=read.api_price_per_1k,
        tokens=read.tokens,
        input_tokens=read.input_tokens,
        output_tokens=read.output_tokens,
    )


def parse_spend(text: str) -> Decimal:
    """`$30K`, `30000` or `30k a month` as a monthly spend.

    Raises:
        ArgumentError: no amount, more than one, or a negative one.
    """
    words = [word for word in _words(text) if word.lower() not in _FILLER]
    if len(words) != 1:
        raise ArgumentError("give one monthly AI spend, e.g. `/aiphase $30K`")
    return _amount(words[0])


def _read(text: str, tables: Tables, *, money_means: str, roles: bool = False) -> _Read:
    read = _Read()
    words = _words(text)
    position = 0
    while position < len(words):
        word = words[position]
        lower = word.lower()
        following = words[position + 1].lower() if position + 1 < len(words) else ""
        if lower in _OPTIONS:
            if not following:
                raise ArgumentError(f"`{word}` needs a value")
            _set(read, _OPTIONS[lower], words[position + 1], tables)
            position += 2
            continue
        if lower in _FILLER:
            position += 1
            continue
        price = _PRICE.match(word)
        if price is not None and (word.startswith("$") or price["unit"]):
            _set_price(read, price, money_means)
            position += 1
            continue
        if _looks_like_amount(word):
            amount = _amount(word)
            if roles and following in {"in", "input", "prompt"}:
                read.input_tokens = amount
                position += 2
            elif roles and following in {"out", "output", "completion"}:
                read.output_tokens = amount
                position += 2
            else:
                if read.tokens is not None:
                    raise ArgumentError(f"two volumes ({_show(read.tokens)} and {word}): give one")
                read.tokens = _tokens(amount, word)
                position += 1
            continue
        taken = _name(words, position, read, tables)
        if not taken:
            raise ArgumentError(_unknown(word, tables))
        position += taken
    return read


def _name(words: list[str], position: int, read: _Read, tables: Tables) -> int:
    """Read the longest model or GPU name starting at `position`; returns how many words it took."""
    for length in range(min(4, len(words) - position), 0, -1):
        phrase = words[position : position + length]
        for candidate in ("-".join(phrase), " ".join(phrase)):
            if read.gpu is None and _is_gpu(candidate, tables):
                read.gpu = candidate
                return length
            if read.model is None and _is_model(candidate, tables):
                read.model = candidate
                return length
    return 0


def _set(read: _Read, field: str, value: str, tables: Tables) -> None:
    if field == "model":
        if not _is_model(value, tables):
            raise ArgumentError(_unknown(value, tables))
        read.model = value
    elif field == "gpu":
        if not _is_gpu(value, tables):
            raise ArgumentError(_unknown(value, tables))
        read.gpu = value
    elif field == "tokens":
        read.tokens = _tokens(_amount(value), value)
    else:
        setattr(read, field, _amount(value))


def _set_price(read: _Read, price: re.Match[str], money_means: str) -> None:
    amount = Decimal(price["amount"].replace(",", ""))
    unit = (price["unit"] or "").lower()
    if unit == "/1k":
        read.api_price_per_1k = amount
    elif unit == "/1m":
        read.api_price_per_1k = amount / 1000
    elif unit or money_means == "gpu_hourly":
        read.gpu_hourly = amount
    else:
        read.api_price_per_1k = amount


def _is_model(name: str, tables: Tables) -> bool:
    try:
        find_model(name, tables)
    except KnowledgeError:
        return False
    return True


def _is_gpu(name: str, tables: Tables) -> bool:
    try:
        find_gpu(name, tables)
    except KnowledgeError:
        return False
    return True


def _looks_like_amount(word: str) -> bool:
    return bool(re.match(r"^[-+]?\$?[0-9.,]+[kmbtKMBT]?$", word)) or word.lower() in {
        "nan",
        "inf",
        "infinity",
    }


def _amount(word: str) -> Decimal:
    try:
        return parse_quantity(word)
    except QuantityError as error:
        raise ArgumentError(str(error)) from None


def _tokens(amount: Decimal, word: str) -> Decimal:
    if amount > MAX_MONTHLY_TOKENS:
        raise ArgumentError(f"{word} tokens a month is more than 10^15: check the number")
    return amount


def _unknown(word: str, tables: Tables) -> str:
    names = [row.name for row in tables.models] + [
        name for gpu in tables.gpus for name in (gpu.name, *gpu.aliases)
    ]
    close = difflib.get_close_matches(word.lower(), names, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see `help`"
    return f"I don't know `{word}` (not a volume, price, model or GPU I know){hint}"


def _words(text: str) -> list[str]:
    return [word.strip(",;") for word in (text or "").replace("\u00a0", " ").split() if word.strip(",;")]


def _show(amount: Decimal) -> str:
    return f"{amount.normalize():f}"
