"""Spend: amounts refused in one line, imports all-or-nothing and never doubled, pollers, projection, the CLI."""

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.cli import main
from bot.database import Database
from bot.spend.errors import InvalidSpendError, PollError, SpendFileError
from bot.spend.imports import parse_spend_text
from bot.spend.ledger import SpendLedger
from bot.spend.money import parse_amount
from bot.spend.pollers import Poller
from bot.spend.summary import summarise

CSV = 'date,provider,amount,tokens\n2026-11-01,openai,400.50,20M\n2026-11-02,openai,"$1,000",\n2026-11,anthropic,1800,\n'
OPENAI_PAGE = {
    "object": "page",
    "data": [
        {
            "object": "bucket",
            "start_time": 1793491200,  # 2026-11-01T00:00:00Z
            "end_time": 1793577600,
            "results": [
                {
                    "object": "organization.costs.result",
                    "amount": {"value": 12.5, "currency": "usd"},
                    "line_item": "a",
                },
                {
                    "object": "organization.costs.result",
                    "amount": {"value": 0.06, "currency": "usd"},
                    "line_item": "b",
                },
            ],
        }
    ],
    "has_more": False,
    "next_page": None,
}
ANTHROPIC_PAGE = {
    "data": [
        {
            "starting_at": "2026-11-02T00:00:00Z",
            "ending_at": "2026-11-03T00:00:00Z",
            "results": [{"amount": "12345.5", "currency": "USD", "description": None}],
        }
    ],
    "has_more": False,
    "next_page": None,
}


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[SpendLedger]:
    database = Database(f"sqlite:///{tmp_path}/spend.sqlite3")
    yield SpendLedger(database)
    database.close()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "'-5' is negative"),
        ("NaN", "'NaN' is not an amount"),
        ("inf", "'inf' is not an amount"),
        ("twelve", "'twelve' is not an amount: give dollars like 12500"),
        ("2000000000000", "more than $1,000,000,000,000"),
    ],
)
def test_impossible_amounts_are_refused_in_one_line(typed: str, message: str) -> None:
    """Negative, NaN, infinite, wordy or absurd amounts are refused with one line saying what to type."""
    with pytest.raises(InvalidSpendError, match=message.replace("$", r"\$")) as refused:
        parse_amount(typed)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("typed", "amount"), [("12500", "12500"), ("$12,500.50", "12500.50"), ("12.5K", "12500")]
)
def test_amounts_are_exact_decimals(typed: str, amount: str) -> None:
    """Money is read exactly, as Decimal."""
    assert parse_amount(typed) == Decimal(amount)


@pytest.mark.parametrize(
    ("text", "format", "rows"),
    [
        (
            CSV,
            "csv",
            [
                ("openai", "2026-11-01", "400.50", 20_000_000),
                ("openai", "2026-11-02", "1000", None),
                ("anthropic", None, "1800", None),
            ],
        ),
        (json.dumps(OPENAI_PAGE), "openai", [("openai", "2026-11-01", "12.56", None)]),
        (json.dumps([ANTHROPIC_PAGE]), "anthropic", [("anthropic", "2026-11-02", "123.455", None)]),
    ],
    ids=["csv", "openai-costs", "anthropic-cost-report-in-cents"],
)
def test_each_file_format_is_detected_and_read(text: str, format: str, rows: list[tuple[Any, ...]]) -> None:
    """The CSV, OpenAI's costs page and Anthropic's cost report (cents) are told apart and summed per day."""
    spend_file = parse_spend_text(text, "costs")
    assert spend_file.format == format
    assert [
        (r.provider, r.day.isoformat() if r.day else None, r.amount, r.tokens) for r in spend_file.rows
    ] == [(p, d, Decimal(a), t) for p, d, a, t in rows]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (CSV + "2026-11-03,openai,-20,\n", "costs line 5: '-20' is negative"),
        (CSV + "2026-11-31,openai,20,\n", "costs line 5: '2026-11-31' is not a date"),
        (CSV + "2026-11-01,openai,20,\n", "costs line 5: openai 2026-11-01 is already on line 2"),
        (CSV + "2026-11-04,openai,NaN,\n", "costs line 5: 'NaN' is not an amount"),
        ("day,provider,amount\n", "costs line 1: the header needs date, provider, amount"),
        (
            '{"object": "page", "data": [{"start_time": 1793491200, "results": [{"amount": {"value": NaN}}]}]}',
            "page 1 bucket 1 result 1",
        ),
    ],
)
def test_a_bad_row_is_named_by_line_and_nothing_is_saved(
    ledger: SpendLedger,
    tmp_path: Path,
    text: str,
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One bad row stops the whole file: exit 2, one line with the line number, an empty ledger."""
    path = tmp_path / "costs"
    path.write_text(text)
    monkeypatch.setenv("ADVISOR_DATABASE_URL", f"sqlite:///{tmp_path}/spend.sqlite3")
    assert main(["spend", "import", str(path)]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert ledger.entries() == []


def test_the_same_file_twice_does_not_double_the_spend(
    ledger: SpendLedger, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Importing a file again, or a newer export of the same days, replaces those days instead of adding."""
    monkeypatch.setenv("ADVISOR_DATABASE_URL", f"sqlite:///{tmp_path}/spend.sqlite3")
    path = tmp_path / "costs.csv"
    path.write_text(CSV)
    assert main(["spend", "import", str(path)]) == 0
    assert main(["spend", "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "3 new, 0 replaced, 0 unchanged" in out
    assert "(this file was imported before): 0 new, 0 replaced, 3 unchanged" in out
    path.write_text(CSV.replace("400.50", "410"))
    assert main(["spend", "import", str(path)]) == 0
    assert "0 new, 1 replaced, 2 unchanged" in capsys.readouterr().out
    assert sum(entry.amount for entry in ledger.entries()) == Decimal(3210)


def test_projection_extrapolates_daily_figures_only(ledger: SpendLedger) -> None:
    """Ten days of $400 project $12,000 for November; a typed monthly figure is added, not multiplied."""
    for day in range(1, 11):
        ledger.upsert(
            parse_spend_text(f"date,provider,amount\n2026-11-{day:02d},openai,400\n", "d").rows, source="csv"
        )
    ledger.add(Decimal(1800), "anthropic", "2026-11")
    ledger.add(Decimal(7000), "openai", "2026-10")
    summary = summarise(ledger.entries(), dt.date(2026, 11, 12))
    assert (summary.current.total, summary.current.projection) == (Decimal(5800), Decimal("13800.00"))
    assert summary.month("2026-10").projection == Decimal(7000)
    assert summary.to_json()["current"]["by_provider"] == {"anthropic": "1800", "openai": "4000"}


def test_add_fix_delete_and_summary_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`advisor spend add/fix/delete` change the ledger and `advisor spend --json` shows it per month."""
    monkeypatch.setenv("ADVISOR_DATABASE_URL", f"sqlite:///{tmp_path}/spend.sqlite3")
    assert main(["spend", "add", "12500", "--provider", "OpenAI", "--month", "2026-11"]) == 0
    assert "Recorded $12,500.00 for openai, 2026-11 (entry 1)." in capsys.readouterr().out
    assert main(["spend", "fix", "1", "12800"]) == 0
    assert "$12,500.00 -> $12,800.00" in capsys.readouterr().out
    assert main(["spend", "add", "-1", "--provider", "openai", "--month", "2026-11"]) == 2
    assert capsys.readouterr().err == "advisor spend: '-1' is negative: spend is zero or more dollars\n"
    assert main(["spend", "delete", "7"]) == 2
    assert "no spend entry 7" in capsys.readouterr().err
    assert main(["spend", "--json"]) == 0
    history = json.loads(capsys.readouterr().out)["history"]
    assert [(month["month"], month["total"]) for month in history] == [("2026-11", "12800")]


class _CostServer(BaseHTTPRequestHandler):
    """OpenAI's and Anthropic's cost endpoints, two pages each, refusing any other key."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        key = self.headers.get("Authorization", "").removeprefix("Bearer ") or self.headers.get(
            "x-api-key", ""
        )
        if key != "admin-key-123":
            self._send(401, {"error": {"message": "bad key"}})
            return
        second = "page" in query
        source = OPENAI_PAGE if url.path.endswith("/organization/costs") else ANTHROPIC_PAGE
        page = json.loads(json.dumps(source))
        if not second:
            page |= {"has_more": True, "next_page": "p2"}
        else:
            bucket = page["data"][0]
            if "start_time" in bucket:
                bucket["start_time"] += 86400
            else:
                bucket["starting_at"] = "2026-11-03T00:00:00Z"
        self._send(200, page)

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def cost_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _CostServer)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("provider", "days"),
    [
        ("openai", {"2026-11-01": "12.56", "2026-11-02": "12.56"}),
        ("anthropic", {"2026-11-02": "123.455", "2026-11-03": "123.455"}),
    ],
)
def test_pollers_read_every_page_of_the_cost_endpoints(
    cost_server: str, provider: str, days: dict[str, str]
) -> None:
    """Each poller follows next_page and returns a total per day."""
    rows = Poller(provider, cost_server, "admin-key-123").fetch(dt.date(2026, 10, 1), dt.date(2026, 11, 4))
    assert {row.day.isoformat(): str(row.amount) for row in rows if row.day} == days


def test_a_refused_admin_key_is_one_line_without_the_key(cost_server: str) -> None:
    """A wrong admin key says which setting to fix and never shows the key."""
    with pytest.raises(PollError) as refused:
        Poller("openai", cost_server, "sk-admin-wrong-999").fetch(dt.date(2026, 11, 1), dt.date(2026, 11, 2))
    assert (
        str(refused.value)
        == "openai refused the admin key (HTTP 401): set OPENAI_ADMIN_KEY to an organisation admin key"
    )


def test_unreadable_json_names_its_line() -> None:
    """A broken JSON export is refused with its line number."""
    with pytest.raises(SpendFileError, match="costs line 2: not valid JSON"):
        parse_spend_text('{"data": [\n,]}', "costs")
