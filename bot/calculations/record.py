"""The record of one calculation: what went in, what came out, what was assumed."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Assumption:
    """One input the result depends on, and whether the user gave it or a default did."""

    name: str
    value: str
    origin: str
    """"you" for what the user typed, else the default's source and date."""


@dataclass(frozen=True)
class Figure:
    """One number of a result as a person reads it: "API" and "$7,500.00 a month"."""

    label: str
    value: str


@dataclass(frozen=True)
class Calculation:
    """A finished calculation, ready to print, post to Slack, or hand to an LLM as a tool result."""

    tool: str
    inputs: dict[str, Any]
    result: dict[str, Any]
    summary: str
    """The answer in one or two sentences, every number in it taken from `result`."""
    assumptions: tuple[Assumption, ...] = ()
    flags: tuple[str, ...] = ()
    """Where the guide contradicts itself on a figure used here, and which figure was used."""
    details: tuple[str, ...] = field(default=())
    """Extra lines for a full terminal report (fixed-width tables, breakdowns); never sent to Slack."""
    figures: tuple[Figure, ...] = ()
    """The result's key numbers, labelled, for a compact table (Slack)."""
    caveats: tuple[str, ...] = ()
    """Each flag in one short line without terminal options, for Slack."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: Decimals become numbers, assumptions become objects."""
        return {
            "tool": self.tool,
            "inputs": _plain(self.inputs),
            **_plain(self.result),
            "summary": self.summary,
            "assumptions": [
                {"name": item.name, "value": item.value, "origin": item.origin} for item in self.assumptions
            ],
            "flags": list(self.flags),
            "details": list(self.details),
            "figures": [{"label": item.label, "value": item.value} for item in self.figures],
            "caveats": list(self.caveats),
        }

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> "Calculation":
        """Rebuild a calculation from `to_json()` output (numbers come back as JSON numbers)."""
        reserved = {"tool", "inputs", "summary", "assumptions", "flags", "details", "figures", "caveats"}
        return cls(
            tool=document["tool"],
            inputs=dict(document.get("inputs", {})),
            result={key: value for key, value in document.items() if key not in reserved},
            summary=document["summary"],
            assumptions=tuple(Assumption(**item) for item in document.get("assumptions", [])),
            flags=tuple(document.get("flags", [])),
            details=tuple(document.get("details", [])),
            figures=tuple(Figure(**item) for item in document.get("figures", [])),
            caveats=tuple(document.get("caveats", [])),
        )

    def to_text(self) -> str:
        """The full plain-text report the CLI prints."""
        lines = [self.summary, *self.details]
        if self.assumptions:
            lines.append("Assumptions:")
            lines += [f"  - {item.name}: {item.value} [{item.origin}]" for item in self.assumptions]
        if self.flags:
            lines.append("Where the guide disagrees with itself:")
            lines += [f"  - {flag}" for flag in self.flags]
        return "\n".join(lines)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
