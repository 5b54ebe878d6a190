"""Read a question the way people ask it: amounts with units, model and GPU names, and intent.

"We have 10K MAU sending 50-token questions and getting 500-token answers, what will GPT-4o
cost?" becomes users=10K, input 50 and output 500 per interaction, model gpt-4o, intent cost.
"""

import re
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum

from knowledge.tables import Tables

_SCALES = {
    "k": Decimal(1_000),
    "thousand": Decimal(1_000),
    "m": Decimal(1_000_000),
    "mn": Decimal(1_000_000),
    "mm": Decimal(1_000_000),
    "million": Decimal(1_000_000),
    "b": Decimal(1_000_000_000),
    "bn": Decimal(1_000_000_000),
    "billion": Decimal(1_000_000_000),
    "t": Decimal(1_000_000_000_000),
    "trillion": Decimal(1_000_000_000_000),
}
_AMOUNT = re.compile(
    r"(?<![\w.])(?P<dollar>\$\s*)?(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s*(?P<scale>thousand|million|billion|trillion|mn|mm|bn|[kmbt])(?![a-z]))?"
    r"(?P<percent>\s*%|\s+percent)?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z0-9$%./-]+")


class Intent(StrEnum):
    """What the question asks for."""

    BREAKEVEN = "breakeven"
    COST = "cost"
    PHASE = "phase"
    TOKENS = "tokens"
    SAVINGS = "savings"
    GENERAL = "general"


@dataclass
class Facts:
    """Everything numeric or named that the question states; `None` when it does not say."""

    monthly_tokens: Decimal | None = None
    monthly_input: Decimal | None = None
    monthly_output: Decimal | None = None
    input_per_interaction: Decimal | None = None
    output_per_interaction: Decimal | None = None
    tokens_per_interaction: Decimal | None = None
    users: Decimal | None = None
    interactions: Decimal | None = None
    """A count of queries, requests or documents a month."""
    tokens_per_user_per_day: Decimal | None = None
    active_share: Decimal | None = None
    interactions_per_day: Decimal | None = None
    spend: Decimal | None = None
    cache_hit_share: Decimal | None = None
    cache_hit_cost: Decimal | None = None
    batch_share: Decimal | None = None
    input_share: Decimal | None = None
    utilisation: Decimal | None = None
    gpu_hourly: Decimal | None = None
    api_price_per_1k: Decimal | None = None
    tokens_per_gpu: Decimal | None = None
    tokens_per_second: Decimal | None = None
    ops_hours: Decimal | None = None
    engineers: Decimal | None = None
    model: str | None = None
    gpu: str | None = None
    unplaced: list[Decimal] = field(default_factory=list)
    """Amounts whose unit the question did not make clear (used by follow-ups like "and at 2B?")."""

    def stated(self) -> dict[str, object]:
        """The facts the question gave, for logs and tests."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in (None, [])
        }


@dataclass(frozen=True)
class Understanding:
    """The question's intent and facts."""

    intent: Intent
    facts: Facts
    asked: frozenset[Intent] = frozenset()
    """Everything the wording asks about, whether or not the question gave the numbers for it."""


def understand(question: str, tables: Tables) -> Understanding:
    """Extract amounts, names and intent from a question."""
    text = question.lower().replace("’", "'")
    facts = Facts(model=_find_model(text, tables), gpu=_find_gpu(text, tables))
    text = _mask_names(text, tables)
    if re.search(r"\bhalf (of (our |the )?users )?(use|are active|log in|come back)", text):
        facts.active_share = Decimal("0.5")
    for match in _AMOUNT.finditer(text):
        _place(match, text, facts)
    _derive(facts)
    asked = frozenset(
        intent for intent, patterns in _ASKS.items() if any(re.search(p, text) for p in patterns)
    )
    return Understanding(_intent(text, facts, asked), facts, asked)


def _find_model(text: str, tables: Tables) -> str | None:
    best: tuple[int, str] | None = None
    for row in tables.models:
        for name in (row.name, *row.aliases):
            pattern = re.escape(name.lower()).replace(r"\-", r"[\s-]?").replace(r"\ ", r"[\s-]?")
            found = re.search(rf"(?<![\w.]){pattern}(?![\w])", text)
            if found and (best is None or len(name) > best[0]):
                best = (len(name), row.name)
    return best[1] if best else None


def _mask_names(text: str, tables: Tables) -> str:
    """Blank out model and GPU names so the 4 in GPT-4o or the 100 in H100 is not read as an amount."""
    names = [name for row in tables.models for name in (row.name, *row.aliases)]
    names += [name for gpu in tables.gpus for name in (gpu.name, *gpu.aliases)]
    names += ["h100", "a100", "llama", "gpt-4", "gpt-3.5", "gpt-5", "claude", "gemini"]
    for name in sorted(names, key=len, reverse=True):
        pattern = re.escape(name.lower()).replace(r"\-", r"[\s-]?").replace(r"\ ", r"[\s-]?")
        text = re.sub(
            rf"(?<![\w]){pattern}(?:[\s-]?\d+(?:\.\d+)?[a-z]?)*(?![\w])", lambda m: " " * len(m.group()), text
        )
    return text


def _find_gpu(text: str, tables: Tables) -> str | None:
    for row in tables.gpus[1:]:  # provider-specific offers first: "Lambda H100" is Lambda, not RunPod
        for name in (row.name, *row.aliases):
            if re.search(rf"(?<![\w]){re.escape(name.lower())}(?![\w])", text):
                return row.name
    first = tables.gpus[0]
    if any(
        re.search(rf"(?<![\w]){re.escape(name.lower())}(?![\w])", text)
        for name in (first.name, *first.aliases)
    ):
        return first.name
    return None


def _value(match: re.Match[str]) -> Decimal:
    number = Decimal(match["number"].replace(",", ""))
    scale = (match["scale"] or "").lower()
    return number * _SCALES.get(scale, Decimal(1))


def _after(text: str, end: int, words: int = 5) -> str:
    return " ".join(_WORD.findall(text[end : end + 12 * words])[:words])


def _before(text: str, start: int, words: int = 4) -> str:
    return " ".join(_WORD.findall(text[max(0, start - 50) : start])[-words:])


def _has(window: str, *patterns: str) -> bool:
    return any(re.search(pattern, window) for pattern in patterns)


def _place(match: re.Match[str], text: str, facts: Facts) -> None:
    value = _value(match)
    after = _after(text, match.end(), 10)
    before = _before(text, match.start())
    if before.endswith(("per", "/", "every")) or text[max(0, match.start() - 1) : match.start()] == "/":
        return  # "per 1K tokens", "$10/1M": a unit, not an amount
    first = after.split(" ")[0] if after else ""
    if match["percent"]:
        _place_share(value / 100, before, after, facts)
        return
    if match["dollar"] or first in {"dollars", "usd", "/month", "/mo"}:
        _place_money(value, after, before, facts)
        return
    if re.match(r"^-?(tokens?|tok)(/s|/sec)?\b", first) or first.startswith("-token"):
        _place_tokens(value, first, after, before, facts)
        return
    words = after.split(" ")
    token_at = next((i for i, word in enumerate(words[1:5], start=1) if word.startswith("token")), None)
    if first in {"input", "output", "prompt", "completion", "in", "out"} and token_at is not None:
        # "8M input tokens", and "8M input and 2M output tokens" where "tokens" comes later.
        role_first = "input" if first in {"input", "prompt", "in"} else "output"
        _place_tokens(value, words[token_at], " ".join(words[token_at:]), f"{before} {role_first}", facts)
        return
    if _has(first, r"^(mau|users?|dau|customers?|people|members|seats|subscribers)"):
        facts.users = value
        if _has(first, r"^dau") or _has(after, r"^users? daily|^daily") or _has(before, r"daily$"):
            facts.active_share = facts.active_share or Decimal(1)
        return
    if _has(first, r"^(monthly|active|daily)") and _has(after, r"users|mau"):
        facts.users = value
        if "daily" in after.split(" ")[:2]:
            facts.active_share = facts.active_share or Decimal(1)
        return
    if _has(
        first,
        r"^(queries|requests|calls|conversations|chats|messages|interactions|documents|docs|questions|tickets|pages)",
    ):
        if _has(before, r"(per|each|a) (user|customer)$") or _has(after, r"^\w+ per (user|customer)"):
            facts.interactions_per_day = value
        elif facts.interactions is not None:
            facts.interactions *= value
        else:
            facts.interactions = value
        return
    if _has(first, r"^(ops|operations|hours)"):
        facts.ops_hours = value
        return
    if _has(first, r"^(engineers?|people|ftes?|devops)"):
        facts.engineers = value
        return
    if _has(first, r"^(gpus?|h100s?)"):
        return
    if _has(first, r"^(days?)"):
        return
    facts.unplaced.append(value)


def _place_share(share: Decimal, before: str, after: str, facts: Facts) -> None:
    window = f"{before} | {' '.join(after.split(' ')[:8])}"
    if _has(before, r"(hits?|cached|cache reads?).{0,12}(cost|costs|billed|priced|pay|paying|at)$"):
        facts.cache_hit_cost = share
    elif _has(window, r"cach", r"\bhits?\b"):
        facts.cache_hit_share = share
    elif _has(window, r"batch"):
        facts.batch_share = share
    elif _has(window, r"utili[sz]", r"\bbusy\b", r"\bload\b"):
        facts.utilisation = share
    elif _has(window, r"\binput\b", r"\bprompt"):
        facts.input_share = share
    elif _has(window, r"active", r"daily", r"every day", r"use it", r"\bdau\b", r"of (our |the )?users"):
        facts.active_share = share


def _place_money(value: Decimal, after: str, before: str, facts: Facts) -> None:
    if _has(
        after,
        r"^(/h|/hr|/hour|per hour|an hour|a hour|hourly|per gpu.hour|/gpu.hour)",
        r"^\S* ?(per|an|a) (gpu )?hour",
    ):
        facts.gpu_hourly = value
    elif _has(after, r"^(/1k|per 1k|per thousand|/ 1k|per 1,000)"):
        facts.api_price_per_1k = value
    elif _has(after, r"^(/1m|per 1m|per million|/ 1m|per 1,000,000|per mtok)"):
        facts.api_price_per_1k = value / 1000
    elif _has(after, r"^(per|a|an) (user|customer|seat)") or _has(
        after, r"^(a|per|/) ?(year|yr|annum)", r"^annually"
    ):
        return
    else:
        facts.spend = value


def _place_tokens(value: Decimal, first: str, after: str, before: str, facts: Facts) -> None:
    rest = after.split(" ", 1)[1] if " " in after else ""
    if first.endswith(("/s", "/sec")) or _has(rest, r"^(per|a|/) ?(second|sec|s)\b"):
        facts.tokens_per_second = value
        return
    if _has(rest, r"^(per|a|/|each|on one|on a|for one) ?(gpu|h100)"):
        facts.tokens_per_gpu = value
        return
    role = _role(before, rest)
    per_interaction = first.startswith("-token") or _has(
        rest,
        r"^(\w+ )?(per|each|a|every) (query|request|interaction|message|conversation|question|call|document|doc|ticket|chat|answer|response|reply)",
    )
    per_user_daily = _has(rest, r"^(\w+ )?(per|each|a) (user|customer)") and _has(
        rest, r"daily|per day|a day|each day|/day"
    )
    if per_user_daily:
        facts.tokens_per_user_per_day = value
    elif per_interaction:
        if role == "input":
            facts.input_per_interaction = value
        elif role == "output":
            facts.output_per_interaction = value
        else:
            facts.tokens_per_interaction = value
    elif role == "input":
        facts.monthly_input = value
    elif role == "output":
        facts.monthly_output = value
    else:
        facts.monthly_tokens = value


_INPUT_WORDS = frozenset({"input", "in", "prompt", "prompts", "context"})
_OUTPUT_WORDS = frozenset(
    {
        "output",
        "out",
        "response",
        "responses",
        "answer",
        "answers",
        "reply",
        "replies",
        "completion",
        "completions",
        "generated",
    }
)
_ASKED_WORDS = frozenset({"question", "questions", "query", "queries"})


def _role(before: str, rest: str) -> str | None:
    """Input or output, from the word just before the amount or just after "tokens"."""
    last = (before.split(" ")[-1] if before else "").strip(".,;:!?")
    following = (rest.split(" ")[0] if rest else "").strip(".,;:!?")
    for word in (last, following):
        if word in _INPUT_WORDS:
            return "input"
        if word in _OUTPUT_WORDS:
            return "output"
    if following in _ASKED_WORDS:  # "50-token questions"
        return "input"
    return None


def _derive(facts: Facts) -> None:
    """Settle roles the wording left open once the whole question has been read."""
    per_interaction = facts.input_per_interaction is not None or facts.output_per_interaction is not None
    if per_interaction and (facts.monthly_input is None) != (facts.monthly_output is None):
        # "10K tokens input per query and 2K tokens output": the second amount shares the "per query".
        if facts.monthly_input is not None and facts.input_per_interaction is None:
            facts.input_per_interaction, facts.monthly_input = facts.monthly_input, None
        elif facts.monthly_output is not None and facts.output_per_interaction is None:
            facts.output_per_interaction, facts.monthly_output = facts.monthly_output, None
    if facts.monthly_tokens is None and (facts.monthly_input is not None or facts.monthly_output is not None):
        facts.monthly_tokens = (facts.monthly_input or Decimal(0)) + (facts.monthly_output or Decimal(0))


_ASKS = {
    Intent.PHASE: (
        r"\bphase\b",
        r"\bstage\b",
        r"what now",
        r"what next",
        r"what should we do",
        r"where are we",
        r"which phase",
        r"what do we do",
    ),
    Intent.BREAKEVEN: (
        r"self.?host",
        r"break.?even",
        r"own (gpus|hardware|infra)",
        r"rent(ing)? (gpus|h100)",
        r"\bh100s?\b",
        r"\bgpus?\b",
        r"run (it|llama|our own)",
        r"host (it|our own|llama)",
        r"in.?house",
        r"on.?prem",
    ),
    Intent.SAVINGS: (r"cach", r"batch api", r"\bbatch", r"\bsav(e|ing|ings)\b.*(cach|batch)"),
    Intent.TOKENS: (
        r"how many tokens",
        r"token (volume|usage|consumption|count)",
        r"tokens (will|would|do) we",
        r"estimate (our )?tokens",
    ),
    Intent.COST: (
        r"\bcost",
        r"how much",
        r"\bprice",
        r"\bbill\b",
        r"\bspend\b",
        r"\bpay\b",
        r"budget",
        r"expens",
    ),
}


def _intent(text: str, facts: Facts, asked: frozenset[Intent]) -> Intent:
    asks = {intent: intent in asked for intent in _ASKS}
    volume = facts.monthly_tokens is not None or facts.users is not None or facts.interactions is not None
    if asks[Intent.SAVINGS] and (facts.cache_hit_share is not None or facts.batch_share is not None):
        return Intent.SAVINGS
    if asks[Intent.BREAKEVEN] and (volume or facts.tokens_per_user_per_day is not None):
        return Intent.BREAKEVEN
    if (
        facts.spend is not None
        and not volume
        and (
            asks[Intent.PHASE]
            or asks[Intent.BREAKEVEN]
            or asks[Intent.COST]
            or re.search(r"(a|per|/) ?(month|mo)\b|monthly", text)
        )
    ):
        return Intent.PHASE
    if asks[Intent.PHASE] and facts.spend is not None:
        return Intent.PHASE
    if asks[Intent.TOKENS] and (facts.users is not None or facts.interactions is not None):
        return Intent.TOKENS
    if volume and (asks[Intent.COST] or facts.model is not None or facts.api_price_per_1k is not None):
        return Intent.COST
    if facts.users is not None and (
        facts.input_per_interaction or facts.output_per_interaction or asks[Intent.TOKENS]
    ):
        return Intent.TOKENS
    return Intent.GENERAL
