"""One executor for every calculator call, whoever planned it: the LLM's tool calls and the offline plan.

A call is a tool name and its typed arguments (the pydantic models in `bot.chain.tools`); running
it gives a `Calculation`, with any defaults the planner chose (not the user) named first in its
assumptions.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from bot.calculations.record import Assumption, Calculation
from calculators.errors import CalculatorError
from knowledge.errors import KnowledgeError
from knowledge.tables import Tables


class Arguments(Protocol):
    """A tool's validated arguments (a pydantic model in `bot.chain.tools`)."""

    def given(self) -> dict[str, Any]:
        """The arguments that were set."""
        ...

    def calculate(self, tables: Tables) -> Calculation:
        """Run the tool's calculation."""
        ...


@dataclass(frozen=True)
class ToolCall:
    """One calculator call: the tool's name and its typed arguments."""

    tool: str
    args: Arguments
    assumed: tuple[Assumption, ...] = ()
    """Defaults the planner chose because the question did not say (a model, a volume)."""

    def key(self) -> str:
        """The call as a stable string: tool and arguments, sorted, numbers written exactly."""
        given = self.args.given()
        return self.tool + "(" + ", ".join(f"{name}={_exact(given[name])}" for name in sorted(given)) + ")"


@dataclass(frozen=True)
class Outcome:
    """What running a list of calls gave: the calculations, and the first error if one failed."""

    calculations: tuple[Calculation, ...]
    error: str | None = None


def run_call(call: ToolCall, tables: Tables) -> Calculation:
    """Run one call; the planner's defaults go first in the calculation's assumptions.

    Raises:
        CalculatorError, KnowledgeError: impossible input, or an unknown model or GPU.
    """
    calculation = call.args.calculate(tables)
    if call.assumed:
        calculation = replace(calculation, assumptions=(*call.assumed, *calculation.assumptions))
    return calculation


def execute(calls: Sequence[ToolCall], tables: Tables) -> Outcome:
    """Run every call in order; stop at the first one the calculators refuse."""
    done: list[Calculation] = []
    for call in calls:
        try:
            done.append(run_call(call, tables))
        except (CalculatorError, KnowledgeError) as error:
            return Outcome(tuple(done), str(error) or type(error).__name__)
    return Outcome(tuple(done))


def _exact(value: object) -> str:
    if hasattr(value, "normalize"):
        return f"{value.normalize():f}"
    return repr(value)
