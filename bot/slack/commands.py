"""The calculator behind each slash command: text in, a calculation (and for /breakeven a chart) out.

Shared by the slash commands, the /breakeven form and the "Share in channel" button, so all three
compute the same thing from the same text.
"""

from dataclasses import dataclass

from bot.calculations.breakeven import run_breakeven
from bot.calculations.cost import run_cost
from bot.calculations.phase import run_phase
from bot.calculations.record import Calculation
from bot.slack.arguments import ArgumentError, parse_breakeven, parse_cost, parse_spend
from calculators.errors import CalculatorError
from knowledge.errors import KnowledgeError
from knowledge.tables import Tables

COMMANDS = ("/breakeven", "/aicost", "/aiphase")


@dataclass(frozen=True)
class CommandResult:
    """A command's calculation, and the break-even chart as PNG bytes when there is one."""

    calculation: Calculation
    chart_png: bytes | None = None


def run_command(command: str, text: str, tables: Tables, *, with_chart: bool = True) -> CommandResult:
    """Run `command` on `text`.

    Raises:
        ArgumentError: the text cannot be read or the calculation refuses it; the message says why.
    """
    try:
        if command == "/breakeven":
            request = parse_breakeven(text, tables)
            calculation = run_breakeven(request, tables)
            return CommandResult(calculation, _chart(request, tables) if with_chart else None)
        if command == "/aicost":
            return CommandResult(run_cost(parse_cost(text, tables), tables))
        if command == "/aiphase":
            return CommandResult(run_phase(parse_spend(text), tables))
    except (CalculatorError, KnowledgeError) as error:
        raise ArgumentError(str(error)) from None
    raise ArgumentError(f"unknown command {command}")


def _chart(request: object, tables: Tables) -> bytes:
    from bot.calculations.breakeven import BreakEvenRequest
    from bot.calculations.curve import breakeven_curve
    from bot.slack.chart import breakeven_chart_png

    assert isinstance(request, BreakEvenRequest)
    return breakeven_chart_png(breakeven_curve(request, tables))
