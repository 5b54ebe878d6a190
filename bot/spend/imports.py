"""Spend files: the advisor's CSV, and the JSON that OpenAI's and Anthropic's cost endpoints return.

The CSV (UTF-8, a header row, one row per provider per day or month):

    date,provider,amount,tokens
    2026-11-03,openai,412.50,27500000
    2026-11,anthropic,1800,

`date` is YYYY-MM-DD (spend on that day) or YYYY-MM (a whole month); `amount` is US dollars
(`1234.56`, `$1,234.56`); `tokens` is optional. The JSON shapes are a page (or a list of pages)
from OpenAI's `GET /v1/organization/costs` or Anthropic's `GET /v1/organizations/cost_report`,
summed per day. Any bad row stops the whole file with its line number (or JSON place).
"""

import csv
import datetime as dt
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.spend.errors import InvalidSpendError, SpendFileError
from bot.spend.ledger import SpendRow
from bot.spend.money import (
    check_amount,
    month_of,
    parse_amount,
    parse_day,
    parse_month,
    parse_number,
    parse_provider,
)

FORMATS = ("csv", "openai", "anthropic")
CSV_COLUMNS = ("date", "provider", "amount")
"""Required CSV columns; `tokens` is optional."""
MAX_FILE_BYTES = 20_000_000


@dataclass(frozen=True)
class SpendFile:
    """A file read and checked, ready to import in one transaction."""

    name: str
    format: str
    rows: tuple[SpendRow, ...]
    sha256: str


def read_spend_file(path: Path, format: str | None = None) -> SpendFile:
    """Read and check every row of `path`; `format` is detected when not given.

    Raises:
        SpendFileError: unreadable, an unknown format, or a bad row (named by line or JSON place).
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise SpendFileError(f"cannot read {path}: {error.strerror}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise SpendFileError(f"{path.name} is over 20 MB: split it by month")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SpendFileError(f"{path.name} is not UTF-8 text") from None
    return parse_spend_text(text, path.name, format, hashlib.sha256(raw).hexdigest())


def parse_spend_text(text: str, name: str, format: str | None = None, sha256: str | None = None) -> SpendFile:
    """The rows of a spend file's text (see the module docstring for the formats)."""
    digest = sha256 or hashlib.sha256(text.encode()).hexdigest()
    chosen = format or detect_format(text, name)
    if chosen not in FORMATS:
        raise SpendFileError(f"unknown format {chosen!r}: use one of {', '.join(FORMATS)}")
    if chosen == "csv":
        rows = _csv_rows(text, name)
    else:
        document = _json(text, name)
        rows = openai_rows(document, name) if chosen == "openai" else anthropic_rows(document, name)
    return SpendFile(name=name, format=chosen, rows=tuple(rows), sha256=digest)


def detect_format(text: str, name: str) -> str:
    """csv, openai or anthropic, from the file's first characters and the JSON's field names."""
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return "csv"
    document = _json(text, name)
    first = _pages(document, name)[0] if _pages(document, name) else {}
    buckets = first.get("data") or []
    bucket = buckets[0] if buckets and isinstance(buckets[0], dict) else {}
    if first.get("object") == "page" or "start_time" in bucket:
        return "openai"
    if "starting_at" in bucket or "has_more" in first:
        return "anthropic"
    raise SpendFileError(f"{name}: JSON that is neither OpenAI's costs page nor Anthropic's cost report")


def openai_rows(document: Any, name: str, provider: str = "openai") -> list[SpendRow]:
    """Daily totals from OpenAI's costs pages (`amount.value` in dollars, buckets by `start_time`)."""
    daily: defaultdict[dt.date, Decimal] = defaultdict(Decimal)
    for p, page in enumerate(_pages(document, name)):
        for b, bucket in enumerate(_list(page.get("data"), f"{name}: page {p + 1} data")):
            where = f"{name}: page {p + 1} bucket {b + 1}"
            start = bucket.get("start_time") if isinstance(bucket, dict) else None
            if not isinstance(start, int) or isinstance(start, bool):
                raise SpendFileError(f"{where}: start_time {start!r} is not a Unix time")
            day = dt.datetime.fromtimestamp(start, dt.UTC).date()
            daily[day] += Decimal(0)
            for r, result in enumerate(_list(bucket.get("results"), f"{where} results")):
                place = f"{where} result {r + 1}"
                amount = result.get("amount") if isinstance(result, dict) else None
                if not isinstance(amount, dict):
                    raise SpendFileError(f"{place}: no amount")
                if str(amount.get("currency", "usd")).lower() != "usd":
                    raise SpendFileError(f"{place}: currency {amount.get('currency')!r} is not USD")
                daily[day] += _number(amount.get("value"), place)
    return _daily_rows(daily, provider)


def anthropic_rows(document: Any, name: str, provider: str = "anthropic") -> list[SpendRow]:
    """Daily totals from Anthropic's cost report (`amount` in cents as a decimal string)."""
    daily: defaultdict[dt.date, Decimal] = defaultdict(Decimal)
    for p, page in enumerate(_pages(document, name)):
        for b, bucket in enumerate(_list(page.get("data"), f"{name}: page {p + 1} data")):
            where = f"{name}: page {p + 1} bucket {b + 1}"
            start = bucket.get("starting_at") if isinstance(bucket, dict) else None
            try:
                starts = dt.datetime.fromisoformat(str(start))
            except ValueError:
                starts = None
            if starts is None or starts.tzinfo is None:
                raise SpendFileError(f"{where}: starting_at {start!r} is not an RFC 3339 time with a zone")
            day = starts.astimezone(dt.UTC).date()
            daily[day] += Decimal(0)
            for r, result in enumerate(_list(bucket.get("results"), f"{where} results")):
                place = f"{where} result {r + 1}"
                if not isinstance(result, dict):
                    raise SpendFileError(f"{place}: not an object")
                if str(result.get("currency", "USD")).upper() != "USD":
                    raise SpendFileError(f"{place}: currency {result.get('currency')!r} is not USD")
                daily[day] += _number(result.get("amount"), place) / 100
    return _daily_rows(daily, provider)


def _csv_rows(text: str, name: str) -> list[SpendRow]:
    reader = csv.DictReader(io.StringIO(text))
    header = [column.strip().lower() for column in reader.fieldnames or []]
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        raise SpendFileError(
            f"{name} line 1: the header needs {', '.join(CSV_COLUMNS)} (tokens optional); missing {', '.join(missing)}"
        )
    reader.fieldnames = header
    rows: list[SpendRow] = []
    first_line: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        if not any((value or "").strip() for value in record.values() if isinstance(value, str)):
            continue
        try:
            row = _csv_row(record)
        except InvalidSpendError as error:
            raise SpendFileError(f"{name} line {line}: {error}") from None
        if row.row_key in first_line:
            raise SpendFileError(
                f"{name} line {line}: {row.provider} {row.day or row.month} is already on line "
                f"{first_line[row.row_key]}: give one figure per provider and date"
            )
        first_line[row.row_key] = line
        rows.append(row)
    return rows


def _csv_row(record: dict[str, Any]) -> SpendRow:
    if None in record:
        raise InvalidSpendError("more fields than the header names")
    date_text = (record.get("date") or "").strip()
    provider = parse_provider(record.get("provider") or "")
    amount = parse_amount(record.get("amount") or "")
    tokens_text = (record.get("tokens") or "").strip()
    tokens = None
    if tokens_text:
        value = parse_amount(tokens_text)
        if value != value.to_integral_value():
            raise InvalidSpendError(f"tokens {tokens_text!r} is not a whole number")
        tokens = int(value)
    if len(date_text) == 7:
        return SpendRow(provider, parse_month(date_text), None, amount, tokens)
    day = parse_day(date_text)
    return SpendRow(provider, month_of(day), day, amount, tokens)


def _daily_rows(daily: dict[dt.date, Decimal], provider: str) -> list[SpendRow]:
    return [
        SpendRow(provider, month_of(day), day, check_amount(amount, amount))
        for day, amount in sorted(daily.items())
    ]


def _number(value: Any, place: str) -> Decimal:
    try:
        return parse_number(value, place)
    except InvalidSpendError as error:
        raise SpendFileError(str(error)) from None


def _json(text: str, name: str) -> Any:
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise SpendFileError(f"{name} line {error.lineno}: not valid JSON ({error.msg})") from None


def _pages(document: Any, name: str) -> list[dict[str, Any]]:
    pages = document if isinstance(document, list) else [document]
    if not all(isinstance(page, dict) for page in pages):
        raise SpendFileError(f"{name}: expected a JSON object with `data`, or a list of them")
    return pages


def _list(value: Any, where: str) -> Iterable[Any]:
    if not isinstance(value, list):
        raise SpendFileError(f"{where}: expected a list")
    return value
