"""Score the chain on an evaluation set: hand-written questions, template expansions, follow-ups.

Development questions (tests/data/eval_questions.yml and eval_templates.yml) are the ones the team
tunes on; held-out ones (tests/data/heldout/) are only scored, and their misses are reported by
kind, never listed, so nobody tunes on them. Template expansions get their expected figures from
the calculators in `bot.calculations`, never from the code that reads questions.
"""

import itertools
import random
import re
import shlex
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol

import yaml

from bot.calculations.breakeven import BreakEvenRequest, run_breakeven
from bot.calculations.cost import CostRequest, run_cost
from bot.calculations.format import num, percent, rate
from bot.calculations.phase import run_phase
from bot.calculations.record import Calculation
from bot.calculations.savings import run_savings
from bot.calculations.usage import UsageRequest, run_tokens
from bot.chain.answer import Source
from calculators.quantities import format_tokens, format_usd, parse_quantity, parse_share
from knowledge.tables import Tables

KINDS = ("cost", "breakeven", "phase", "tokens", "savings", "compare", "followup", "clarify")
"""Kinds of numeric question; general questions are their own kind."""
TEMPLATE_SEED = 7
"""Fixed, so every run expands the templates into the same questions."""
DEFAULT_PER_TEMPLATE = 8
SHORT_VERDICT = {
    "stay_on_api": "stay API-first",
    "breaks_even": "breaks even",
    "self_host_saves": "saves money",
}

Questions = dict[str, list[dict[str, Any]]]
"""An evaluation set as YAML holds it: `calculation`, `general` and `conversations` lists."""


class Answered(Protocol):
    """What the scorer reads of an answer (the chain's `Answer` has both)."""

    @property
    def text(self) -> str:
        """The answer as the user reads it."""
        ...

    @property
    def sources(self) -> Sequence[Source]:
        """The passages it rests on, best first."""
        ...


class Asker(Protocol):
    """Anything that answers a question (the chain)."""

    def ask(self, question: str, conversation_id: str | None = None) -> Answered:
        """Answer one question."""
        ...


@dataclass(frozen=True)
class Miss:
    """One question the chain got wrong, and why."""

    kind: str
    question: str
    reason: str
    failure: str
    """The class of failure: missing figure, forbidden text, wrong section, missing fact."""
    detail: tuple[str, ...] = ()
    """For numeric misses, how the advisor's calculator calls differ from the expected ones
    (`savings: batch_share missing`), named by tool and argument only, never by question text."""


@dataclass
class Score:
    """Right out of total."""

    right: int = 0
    total: int = 0

    def add(self, right: bool) -> None:
        """Count one question."""
        self.total += 1
        self.right += int(right)

    def __str__(self) -> str:
        return f"{self.right}/{self.total} ({self.right / self.total:.0%})" if self.total else "-"


@dataclass
class EvalReport:
    """How many questions of each kind the chain got right, and which it missed."""

    calculation_right: int = 0
    calculation_total: int = 0
    """Numeric questions: calculation entries and conversations."""
    general_right: int = 0
    general_total: int = 0
    kinds: dict[str, Score] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)

    @property
    def calculation_score(self) -> float:
        """Share of numeric questions with every expected string and no forbidden one in the answer."""
        return self.calculation_right / self.calculation_total if self.calculation_total else 0.0

    @property
    def general_score(self) -> float:
        """Share of general questions with the right section in the top 3 and the fact in the answer."""
        return self.general_right / self.general_total if self.general_total else 0.0

    def failures(self) -> dict[str, int]:
        """How many misses of each failure class, most common first."""
        return dict(Counter(miss.failure for miss in self.misses).most_common())

    def details(self) -> dict[str, int]:
        """How many numeric misses show each difference from the expected calls, most common first."""
        return dict(Counter(detail for miss in self.misses for detail in miss.detail).most_common())

    def to_text(self, *, list_misses: bool = True) -> str:
        """The score in a few lines; misses listed, or only counted by kind (for held-out sets)."""
        numeric = Score(self.calculation_right, self.calculation_total)
        general = Score(self.general_right, self.general_total)
        lines = [f"numeric questions: {numeric}", f"general questions: {general}"]
        lines += [f"  {kind:<10} {score}" for kind, score in self.kinds.items()]
        if list_misses:
            lines += [
                f"  miss [{miss.kind}] {miss.question!r}: {miss.reason}"
                + (f" ({'; '.join(miss.detail)})" if miss.detail else "")
                for miss in self.misses
            ]
        elif self.misses:
            by_kind = Counter(miss.kind for miss in self.misses)
            lines.append(
                "  misses by kind: " + ", ".join(f"{kind} {n}" for kind, n in sorted(by_kind.items()))
            )
        return "\n".join(lines)

    def _count(self, kind: str, right: bool, *, numeric: bool) -> None:
        self.kinds.setdefault(kind, Score()).add(right)
        if numeric:
            self.calculation_total += 1
            self.calculation_right += int(right)
        else:
            self.general_total += 1
            self.general_right += int(right)


def side_by_side(development: EvalReport, heldout: EvalReport | None) -> str:
    """Development and held-out scores in two columns, numeric and general separately."""
    rows = [("numeric", "calculation"), ("general", "general")]
    lines = [f"{'':<12}{'development':<20}held-out"]
    for label, prefix in rows:
        dev = Score(getattr(development, f"{prefix}_right"), getattr(development, f"{prefix}_total"))
        held = (
            Score(getattr(heldout, f"{prefix}_right"), getattr(heldout, f"{prefix}_total"))
            if heldout is not None
            else "not found"
        )
        lines.append(f"{label:<12}{dev!s:<20}{held}")
    kinds = dict.fromkeys([*development.kinds, *(heldout.kinds if heldout else {})])
    for kind in kinds:
        dev_kind = development.kinds.get(kind, Score())
        held_kind = heldout.kinds.get(kind, Score()) if heldout is not None else ""
        lines.append(f"  {kind:<10}{dev_kind!s:<20}{held_kind}")
    if heldout is None:
        lines.append("held-out set: not found")
    return "\n".join(lines)


def load_questions(path: Path) -> Questions:
    """The evaluation set as written in YAML, checked entry by entry.

    Raises:
        ValueError: an entry misses a field or names an unknown kind; the message gives its place,
            not its text (a held-out question must not reach anyone's screen).
    """
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    questions: Questions = {
        key: list(loaded.get(key) or []) for key in ("calculation", "general", "conversations")
    }
    required = {
        "calculation": ("question", "expect"),
        "general": ("question", "section", "fact"),
        "conversations": ("turns", "expect"),
    }
    for key, cases in questions.items():
        for number, case in enumerate(cases, start=1):
            _check(case, required[key], f"{path.name}: {key} entry {number}")
    return questions


def seed_questions(questions: Questions) -> Questions:
    """Only the original questions (`seed: true`), the bar tests hold while the reader is rewritten."""
    return {key: [case for case in cases if case.get("seed")] for key, cases in questions.items()}


def load_templates(path: Path) -> list[dict[str, Any]]:
    """The phrasing templates as written in YAML."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    templates: list[dict[str, Any]] = list(loaded.get("templates") or [])
    for number, template in enumerate(templates, start=1):
        place = f"{path.name}: template {number}"
        _check(template, ("kind", "slots", "expect"), place)
        if ("phrasings" in template) == ("turns" in template):
            raise ValueError(f"{place} needs either `phrasings` or `turns`")
        _check_calls(template, place)
    return templates


def _check_calls(template: dict[str, Any], place: str) -> None:
    """The shape of `tool`/`args` or `calls`, named by place only (held-out text never reaches a message)."""
    if not isinstance(template["slots"], dict) or not all(
        isinstance(v, list) for v in template["slots"].values()
    ):
        raise ValueError(f"{place}: `slots` must map each slot name to a list of values")
    calls = template.get("calls")
    if calls is None:
        calls = [{"tool": template.get("tool"), "args": template.get("args", {})}]
    elif isinstance(calls, dict):
        calls = list(calls.values())
    if not isinstance(calls, list) or not calls:
        raise ValueError(
            f"{place}: `calls` must map names to calls ({{name: {{tool: cost, args: {{...}}}}}})"
        )
    for call in calls:
        if not isinstance(call, dict) or call.get("tool") not in TOOLS:
            raise ValueError(f"{place}: each call needs `tool`, one of {', '.join(TOOLS)}")
        args_are_a_mapping = isinstance(call.get("args", {}), dict)
        if not args_are_a_mapping:
            raise ValueError(f"{place}: `args` must map option names to values ({{tokens: '{{tokens}}'}})")


def load_evaluation_set(questions: Path, templates: Path, tables: Tables) -> Questions | None:
    """Hand-written questions plus expanded templates; None when neither file exists."""
    if not questions.exists() and not templates.exists():
        return None
    loaded = (
        load_questions(questions)
        if questions.exists()
        else {"calculation": [], "general": [], "conversations": []}
    )
    if templates.exists():
        expanded = expand_templates(load_templates(templates), tables)
        for key, cases in expanded.items():
            loaded.setdefault(key, []).extend(cases)
    return loaded


def expand_templates(
    templates: list[dict[str, Any]], tables: Tables, *, seed: int = TEMPLATE_SEED
) -> Questions:
    """Concrete questions from templates: fixed-seed slot combinations, expected figures from calculators.

    A slot value is a string used both in the question and as the calculator argument, or a mapping
    `{say: "1.2 billion", value: "1.2B"}`: `say` goes into the question, `value` to the calculator.
    """
    expanded: Questions = {"calculation": [], "conversations": []}
    for number, template in enumerate(templates):
        rng = random.Random(f"{seed}:{number}:{template['kind']}")  # noqa: S311 - reproducible sampling, not secrecy
        names = list(template["slots"])
        combos = list(itertools.product(*(template["slots"][name] for name in names)))
        chosen = rng.sample(combos, min(int(template.get("count", DEFAULT_PER_TEMPLATE)), len(combos)))
        for position, combo in enumerate(chosen):
            said = {name: _said(value) for name, value in zip(names, combo, strict=True)}
            values = {name: _value(value) for name, value in zip(names, combo, strict=True)}
            fields, how = _compute(template, values, tables)
            case: dict[str, Any] = {
                "expect": [_fill(text, fields, number) for text in template["expect"]],
                "forbid": [_fill(text, fields, number) for text in template.get("forbid", [])],
                "kind": template["kind"],
                "how": how,
                "template": number,
            }
            if "turns" in template:
                turns = [options[position % len(options)] for options in template["turns"]]
                case["turns"] = [turn.format_map(said) for turn in turns]
                expanded["conversations"].append(case)
            else:
                phrasing = template["phrasings"][position % len(template["phrasings"])]
                case["question"] = phrasing.format_map(said)
                expanded["calculation"].append(case)
    return expanded


def evaluate(chain: Asker, questions: Mapping[str, list[dict[str, Any]]]) -> EvalReport:
    """Ask every question once (conversations turn by turn, in one conversation) and score the answers."""
    report = EvalReport()
    run = uuid.uuid4().hex[:8]
    for case in questions.get("calculation", []):
        answer = chain.ask(case["question"])
        _score_numeric(report, case, case["question"], answer)
    for number, case in enumerate(questions.get("conversations", [])):
        conversation = f"eval-{run}-{number}"
        for turn in case["turns"]:
            answer = chain.ask(turn, conversation_id=conversation)
        _score_numeric(report, {"kind": "followup", **case}, " -> ".join(case["turns"]), answer)
    for case in questions.get("general", []):
        answer = chain.ask(case["question"])
        sections = [source.section for source in answer.sources[:3]]
        section_hit = any(section.startswith(case["section"]) for section in sections)
        fact_hit = case["fact"].lower() in answer.text.lower()
        report._count("general", section_hit and fact_hit, numeric=False)
        if not (section_hit and fact_hit):
            report.misses.append(
                Miss(
                    kind="general",
                    question=case["question"],
                    reason=(
                        f"section {'ok' if section_hit else 'missed ' + str(sections)}, "
                        f"fact {case['fact']!r} {'ok' if fact_hit else 'missing'}"
                    ),
                    failure="wrong section" if not section_hit else "missing fact",
                )
            )
    return report


def _fill(text: str, fields: dict[str, Any], number: int) -> str:
    try:
        return text.format_map(fields)
    except (KeyError, AttributeError) as error:
        known = ", ".join(sorted(key for key, value in fields.items() if isinstance(value, str)))
        raise ValueError(f"template {number + 1}: no field {error} (fields: {known})") from error


def _score_numeric(report: EvalReport, case: dict[str, Any], question: str, answer: Answered) -> None:
    text = answer.text
    missing = [expected for expected in case["expect"] if expected not in text]
    present = [forbidden for forbidden in case.get("forbid", []) if forbidden in text]
    kind = case.get("kind", "cost")
    report._count(kind, not missing and not present, numeric=True)
    if missing or present:
        reason = ", ".join(
            part
            for part in (f"missing {missing}" if missing else "", f"forbidden {present}" if present else "")
            if part
        )
        failure = (
            f"forbidden text ({', '.join(sorted({_shape(text) for text in present}))})"
            if present
            else "missing figure"
        )
        detail = differences(case.get("how", ""), getattr(answer, "calculations", ()))
        report.misses.append(
            Miss(kind=kind, question=question, reason=reason, failure=failure, detail=detail)
        )


_INPUT_NAMES = {
    "input": "input_tokens",
    "output": "output_tokens",
    "api_price": "api_price_per_1k",
    "cached_share": "cached_input_share",
    "throughput": "tokens_per_second",
    "engineer_cost": "engineer_annual_cost",
    "fixed": "fixed_monthly",
    "per_day": "interactions_per_day",
    "cache_hits": "cache_hit_share",
    "hit_cost": "cache_hit_cost",
    "batch": "batch_share",
}
"""CLI option (as `how` writes it) -> the calculation's input name, where they differ."""
_TOOL_INPUT_NAMES = {"savings": {"spend": "monthly_spend"}}


def differences(how: str, calculations: Sequence[Calculation]) -> tuple[str, ...]:
    """How the advisor's calculator calls differ from the expected `how` line, argument by argument.

    Each expected call is matched to the advisor's call of the same tool that differs least. The
    result names tools and arguments only (`savings: batch_share missing`), so held-out misses can
    be reported by class without their text.
    """
    parsed = (_parse_call(part) for part in how.replace(";", "&&").split("&&") if part.strip())
    expected = [call for call in parsed if call is not None]
    if not calculations:
        return ("no calculation",)
    found: list[str] = []
    for tool, args in expected:
        candidates = [calc for calc in calculations if calc.tool == tool]
        if not candidates:
            found.append(f"no {tool} calculation (ran {', '.join(sorted({c.tool for c in calculations}))})")
            continue
        best = min((_argument_differences(tool, args, calc.inputs) for calc in candidates), key=len)
        found.extend(best or [f"{tool}: same inputs, figure not shown"])
    return tuple(dict.fromkeys(found))


def _parse_call(line: str) -> tuple[str, dict[str, str]] | None:
    try:
        words = shlex.split(line)
    except ValueError:
        return None
    if len(words) < 2 or words[0] != "advisor" or words[1] not in TOOLS:
        return None
    args: dict[str, str] = {}
    for option, value in zip(words[2::2], words[3::2], strict=False):
        if option.startswith("--"):
            args[option[2:].replace("-", "_")] = value
    return words[1], args


def _argument_differences(tool: str, args: dict[str, str], inputs: Mapping[str, Any]) -> list[str]:
    names = _INPUT_NAMES | _TOOL_INPUT_NAMES.get(tool, {})
    wanted = {names.get(option, option): value for option, value in args.items() if option != "json"}
    differ = []
    for name, value in wanted.items():
        elsewhere = [other for other, given in inputs.items() if other != name and _same(value, given)]
        where = f" (its value went to {', '.join(elsewhere)})" if elsewhere else ""
        if name not in inputs:
            differ.append(f"{tool}: {name} missing{where}")
        elif not _same(value, inputs[name]):
            differ.append(f"{tool}: {name} differs{where}")
    differ += [
        f"{tool}: {name} not asked"
        for name, value in inputs.items()
        if name not in wanted
        and name not in {"unit", "days", "active_share", "interactions_per_day"}
        and value not in (None, Decimal(0), Decimal(1))
    ]
    return differ


def _shape(text: str) -> str:
    """What kind of text a forbidden string is, without the string: a money figure, a token count, a name."""
    if "$" in text:
        return "a dollar figure"
    if re.search(r"\d", text):
        return "a number"
    return "words"


def _same(expected: str, actual: Any) -> bool:
    if isinstance(actual, Decimal):
        for parse in (parse_quantity, parse_share):
            try:
                if parse(expected) == actual:
                    return True
            except ValueError:
                continue
        return False

    def plain(text: str) -> str:
        return "".join(ch for ch in str(text).lower() if ch.isalnum())

    return plain(expected) in plain(actual) or plain(actual) in plain(expected)


def _check(entry: Any, required: tuple[str, ...], place: str) -> None:
    if not isinstance(entry, dict) or any(name not in entry for name in required):
        raise ValueError(f"{place} needs {', '.join(required)}")
    if entry.get("kind", "cost") not in (*KINDS, "general"):
        raise ValueError(f"{place}: unknown kind {entry['kind']!r} (use one of {', '.join(KINDS)})")


def _said(value: Any) -> str:
    return str(value["say"]) if isinstance(value, dict) else str(value)


def _value(value: Any) -> str:
    return str(value["value"]) if isinstance(value, dict) else str(value)


def _compute(template: dict[str, Any], values: dict[str, str], tables: Tables) -> tuple[dict[str, Any], str]:
    """Run the template's calculator calls; return the fields its expect strings name, and the CLI line."""
    calls = template.get("calls") or {"": {"tool": template["tool"], "args": template.get("args", {})}}
    if isinstance(calls, list):  # a list of calls: each named by its `name`, else call1, call2, ...
        calls = {str(call.get("name") or f"call{n}"): call for n, call in enumerate(calls, start=1)}
    fields: dict[str, Any] = dict(values)
    how = []
    for name, call in calls.items():
        args = {key: str(text).format_map(fields) for key, text in call.get("args", {}).items()}
        result = TOOLS[call["tool"]](args, tables)
        how.append(
            f"advisor {call['tool']} "
            + " ".join(f"--{key.replace('_', '-')} {shlex.quote(v)}" for key, v in args.items())
        )
        if name:
            fields[name] = SimpleNamespace(**result)
        else:
            fields |= result
    return fields, " && ".join(how)


_WHOLE_DOLLARS = {"spend", "monthly_spend", "next_threshold", "to_next_phase"}
"""Written without cents, as the phase and savings summaries write them."""
_TOKEN_COUNTS = {
    "tokens",
    "monthly_tokens",
    "input_tokens",
    "output_tokens",
    "break_even_tokens",
    "stays_cheaper_from",
}


def _formatted(result: dict[str, Any]) -> dict[str, str]:
    """Every field of a calculator's JSON result, written the way answers write it."""
    fields = {}
    for key, value in result.items():
        if value is None:
            fields[key] = "never" if key in _TOKEN_COUNTS else ""
        elif not isinstance(value, Decimal):
            fields[key] = str(value)
        elif key in _TOKEN_COUNTS:
            fields[key] = format_tokens(value)
        elif key in _WHOLE_DOLLARS:
            fields[key] = format_usd(value)
        elif "per_1k" in key:
            fields[key] = rate(value)
        elif "share" in key:
            fields[key] = percent(value)
        elif "hours" in key:
            fields[key] = num(value)
        else:
            fields[key] = format_usd(value, cents=True)
    return fields


def _quantity(args: dict[str, str], name: str) -> Decimal | None:
    return parse_quantity(args[name]) if name in args else None


def _share(args: dict[str, str], name: str) -> Decimal | None:
    return parse_share(args[name]) if name in args else None


def _exact(value: Decimal) -> str:
    """A figure as a calculator argument: 180000000, not 1.8E+8."""
    return f"{value.normalize():f}"


def _cost(args: dict[str, str], tables: Tables) -> dict[str, Any]:
    calculation = run_cost(
        CostRequest(
            model=args.get("model"),
            input_tokens=_quantity(args, "input"),
            output_tokens=_quantity(args, "output"),
            tokens=_quantity(args, "tokens"),
            input_share=_share(args, "input_share"),
            api_price_per_1k=Decimal(args["api_price"]) if "api_price" in args else None,
            cached_input_share=_share(args, "cached_share") or Decimal(0),
            batch_share=_share(args, "batch_share") or Decimal(0),
        ),
        tables,
    )
    result = calculation.result
    return _formatted(result) | {
        "cost": format_usd(result["monthly_cost"], cents=True),
        "input_cost": format_usd(result["input_cost"], cents=True),
        "output_cost": format_usd(result["output_cost"], cents=True),
        "monthly_cost_exact": _exact(result["monthly_cost"]),
    }


def _breakeven(args: dict[str, str], tables: Tables) -> dict[str, Any]:
    tokens = _quantity(args, "tokens")
    if tokens is None:
        raise ValueError("a breakeven template needs a `tokens` argument")
    calculation = run_breakeven(
        BreakEvenRequest(
            tokens=tokens,
            model=args.get("model"),
            api_price_per_1k=Decimal(args["api_price"]) if "api_price" in args else None,
            input_share=_share(args, "input_share"),
            gpu=args.get("gpu"),
            gpu_hourly=_quantity(args, "gpu_hourly"),
            tokens_per_gpu=_quantity(args, "tokens_per_gpu"),
            tokens_per_second=_quantity(args, "throughput"),
            utilisation=_share(args, "utilisation"),
            ops_hours=_quantity(args, "ops_hours"),
            ops_rate=_quantity(args, "ops_rate"),
        ),
        tables,
    )
    result = calculation.result
    point = result["break_even_tokens"]
    return _formatted(result) | {
        "api_cost": format_usd(result["api_monthly_cost"], cents=True),
        "self_hosted_cost": format_usd(result["self_hosted_monthly_cost"], cents=True),
        "verdict": SHORT_VERDICT[result["verdict"]],
        "break_even": format_tokens(point) if point is not None else "never",
    }


def _tokens(args: dict[str, str], tables: Tables) -> dict[str, Any]:
    users = _quantity(args, "users")
    if users is None:
        raise ValueError("a tokens template needs a `users` argument")
    calculation = run_tokens(
        UsageRequest(
            users=users,
            active_share=_share(args, "active_share"),
            interactions_per_day=_quantity(args, "per_day") or Decimal(1),
            input_tokens=_quantity(args, "input"),
            output_tokens=_quantity(args, "output"),
            days=_quantity(args, "days") or Decimal(30),
        )
    )
    result = calculation.result
    return _formatted(result) | {
        "tokens": format_tokens(result["monthly_tokens"]),
        "input_tokens": format_tokens(result["input_tokens"]),
        "output_tokens": format_tokens(result["output_tokens"]),
        "input_exact": _exact(result["input_tokens"]),
        "output_exact": _exact(result["output_tokens"]),
        "tokens_exact": _exact(result["monthly_tokens"]),
    }


def _phase(args: dict[str, str], tables: Tables) -> dict[str, Any]:
    spend = _quantity(args, "spend")
    if spend is None:
        raise ValueError("a phase template needs a `spend` argument")
    result = run_phase(spend, tables).result
    to_next = result.get("to_next_phase")
    return _formatted(result) | {
        "phase": f"Phase {result['phase']}",
        "to_next": f"{format_usd(to_next)} a month more" if to_next is not None else "last phase",
    }


def _savings(args: dict[str, str], tables: Tables) -> dict[str, Any]:
    calculation: Calculation = run_savings(
        cache_hit_share=_share(args, "cache_hits"),
        cache_hit_cost=_share(args, "hit_cost"),
        batch_share=_share(args, "batch"),
        batch_discount=_share(args, "batch_discount"),
        monthly_spend=_quantity(args, "spend"),
    )
    result = calculation.result
    fields = _formatted(result) | {
        "cache_share": percent(result["cache_saving_share"]),
        "batch_share": percent(result["batch_saving_share"]),
        "combined_share": percent(result["combined_saving_share"]),
    }
    if "monthly_saving" in result:
        fields["saved"] = format_usd(result["monthly_saving"], cents=True)
        fields["left"] = format_usd(result["monthly_cost_after"], cents=True)
    return fields


TOOLS: dict[str, Callable[[dict[str, str], Tables], dict[str, Any]]] = {
    "cost": _cost,
    "breakeven": _breakeven,
    "tokens": _tokens,
    "phase": _phase,
    "savings": _savings,
}
"""Template tools, named like the CLI commands; argument names are the CLI options (`--gpu-hourly` is `gpu_hourly`)."""
