"""Read a question the way people type it: amounts with units and periods, names, and what is asked.

"25,000 monthly active users, about 40% use it every day, each sends 3 messages of 200 tokens and
gets 800 tokens back. What will GPT-4o cost us per month?" becomes users 25K, 40% active, 3 a day,
200 in and 800 out per message, model gpt-4o, asked: cost. Words for units, periods, numbers and
intents come from knowledge/data/vocabulary.yml; what cannot be read safely ("1,5B", "-5M", an
unknown model) is kept as an issue to ask about, never guessed.
"""

import functools
import re
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from bot.calculations.cost import CostRequest, run_cost
from bot.calculations.format import rate
from bot.chain.names import find_names
from bot.chain.placing import Amount, clean, place
from calculators.quantities import format_tokens, format_usd
from knowledge.tables import Tables
from knowledge.vocabulary import Vocabulary, vocabulary

DEFAULT_MODEL = "gpt-4o"
"""Priced when a question names no model: the guide's "appropriate for most tasks" pick."""
_MONTHLY_USERS = re.compile(
    r"\b(maus?|(monthly|total|registered|signed.up) (active )?(users|customers|people|members|visitors|seats|accounts)"
    r"|(users|customers|people|members|visitors|seats) (a|per|each) month|monthly actives?)\b"
)
"""Users counted over a month (not all of whom come every day): the guide's daily share then applies."""
_NO_OTHER_OPS = re.compile(
    r"\bno (other|extra|additional|more|separate) (hourly )?(ops|operations|on.?call)\b"
    r"|\bno (hourly )?(ops|operations) (hours |time )?(on top|beyond|besides|apart)"
    r"|\bno ops hours\b|\bno (other )?ops (hours|time)\b|\bno (hourly )?ops on top\b"
    r"|\b(the )?only ops( cost)?\b|\ball (of )?the ops\b|\binstead of (the )?hourly ops\b"
    r"|\bno ops hours beyond\b|\bno hourly ops\b"
)
"""Ops stated as engineers or a flat fee only: the calculator's default ops hours are not added on top."""
_FREE_HITS = re.compile(
    r"\b(hits?|cached (requests|calls|answers)|dup\w*|repeats|they|those) (would |will )?"
    r"(costs? (us )?(nothing|zero|0|\$0)|(are|is|be) free)\b"
)
"""A cache hit that costs nothing ("a hit costs nothing"): the hit cost is 0%, not the 10% default."""
MAX_MONTHLY_TOKENS = Decimal(10) ** 15
"""More tokens a month than this is refused as absurd, not priced."""


class Intent(StrEnum):
    """What the question asks for."""

    BREAKEVEN = "breakeven"
    COST = "cost"
    PHASE = "phase"
    TOKENS = "tokens"
    SAVINGS = "savings"
    COMPARE = "compare"
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
    cached_input_share: Decimal | None = None
    """The share of input tokens served from the provider's prompt cache (priced by the model's cached rate)."""
    batch_discount: Decimal | None = None
    """The Batch API's discount when the question states one (the guide's is 50%)."""
    spend_per_user: Decimal | None = None
    """A monthly budget per user ("$2-5 per user a month"), turned into `spend` once users are known."""
    multiplier: Decimal | None = None
    """ "when it triples", "if that doubles": a factor for a follow-up to apply to the last main quantity."""
    input_share: Decimal | None = None
    utilisation: Decimal | None = None
    gpu_hourly: Decimal | None = None
    ops_rate: Decimal | None = None
    api_price_per_1k: Decimal | None = None
    tokens_per_gpu: Decimal | None = None
    tokens_per_second: Decimal | None = None
    ops_hours: Decimal | None = None
    engineers: Decimal | None = None
    engineer_annual_cost: Decimal | None = None
    fixed_monthly: Decimal | None = None
    spare_gpus: int | None = None
    days: Decimal | None = None
    models: list[str] = field(default_factory=list)
    profile: str | None = None
    gpu: str | None = None
    gpus: list[str] = field(default_factory=list)
    """Every GPU offer named, when a question compares two or more."""
    gpu_monthly: Decimal | None = None
    unplaced: list[Decimal] = field(default_factory=list)
    """Amounts whose unit the question did not make clear (used by follow-ups like "and at 2B?")."""
    highs: dict[str, Decimal] = field(default_factory=dict)
    """The upper end of a range ("300-500M tokens"), by slot; the slot holds the lower end."""
    conversions: list[str] = field(default_factory=list)
    """Rates given per day, week or year and turned into months, said in words."""
    issues: list[str] = field(default_factory=list)
    """What the question says that cannot be used safely, each as one line to show the user."""

    @property
    def model(self) -> str | None:
        """The first model named."""
        return self.models[0] if self.models else None

    def stated(self) -> dict[str, object]:
        """The facts the question gave, for logs, tests and plan keys."""
        stated = {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in (None, [], {})
        }
        if self.model is not None:
            stated["model"] = self.model
        return stated


@dataclass(frozen=True)
class Understanding:
    """The question's facts and what it asks for."""

    intent: Intent
    facts: Facts
    asked: frozenset[Intent] = frozenset()
    """Everything the wording asks about, whether or not the question gave the numbers for it."""


def understand(question: str, tables: Tables) -> Understanding:
    """Read amounts, names and intents from a question."""
    words = vocabulary()
    text = normalise(question, words)
    names = find_names(text, tables)
    facts = Facts(
        models=names.models,
        profile=names.profiles[0] if names.profiles else None,
        gpu=names.gpus[0] if names.gpus else None,
        gpus=list(dict.fromkeys(names.gpus)),
    )
    every_model = [row.name for row in tables.models]
    every_gpu = [row.name for row in tables.gpus]
    facts.issues += [_unknown("model", written, near, every_model) for written, near in names.unknown_models]
    unknown_gpus = [
        _unknown("GPU or provider", written, near, every_gpu) for written, near in names.unknown_gpus
    ]
    facts.conversions += [f'"{written}" is {meant}' for written, meant in names.corrected]
    masked = names.masked
    if any(re.search(pattern, masked) for pattern in words.everyone_active):
        facts.active_share = Decimal(1)
    found = amounts(masked, words)
    for amount in found:
        if amount.problem:
            facts.issues.append(amount.problem)
            continue
        place(amount, masked, facts, words)
    multiplier = _MULTIPLIER.search(masked)
    if multiplier and all(multiplier.start() <= a.start and a.end <= multiplier.end() for a in found):
        facts.multiplier = _factor(multiplier)
    _settle(facts, masked)
    priced = facts.gpu_hourly is not None or facts.gpu_monthly is not None
    measured = facts.tokens_per_gpu is not None or facts.tokens_per_second is not None
    if unknown_gpus and facts.gpu is None and priced and measured:
        # "A100s at $1.79/h, each does 120M tokens a month": the name is not needed, the numbers are yours.
        written = ", ".join(f'"{name}"' for name, _ in names.unknown_gpus)
        facts.conversions.append(
            f"{written} is not in the GPU table: priced with the $/h and throughput you gave"
        )
    else:
        facts.issues += unknown_gpus
    if facts.ops_hours is None and _NO_OTHER_OPS.search(masked):
        facts.ops_hours = Decimal(0)  # "half an engineer and no other ops time": no default ops hours on top
    if facts.cache_hit_cost is None and _FREE_HITS.search(masked):
        facts.cache_hit_cost = Decimal(0)
    if (
        facts.users is not None
        and facts.active_share is None
        and facts.interactions_per_day is not None
        and not _MONTHLY_USERS.search(masked)
    ):
        facts.active_share = Decimal(
            1
        )  # "250 users each sending 20 messages a day": every one of them, daily
    asked = frozenset(
        Intent(intent)
        for intent in ("breakeven", "cost", "tokens", "phase", "savings", "compare")
        if any(pattern.search(text) for pattern in words.cue_patterns(intent))
    )
    self_hosting = (
        names.gpus
        or names.unknown_gpus
        or facts.gpu_hourly
        or facts.gpu_monthly
        or facts.ops_hours
        or facts.ops_rate
        or facts.engineers
        or facts.tokens_per_gpu
        or facts.tokens_per_second
    )
    if self_hosting is not None and self_hosting != [] and (Intent.PHASE not in asked or facts.spend is None):
        asked |= {Intent.BREAKEVEN}  # a GPU, its price or ops time: the question is about self-hosting
    shares = facts.cache_hit_share is not None or facts.batch_share is not None
    if Intent.BREAKEVEN in asked and Intent.PHASE not in asked and not shares:
        _volume_from_spend(facts, tables)
    _refuse_absurd(facts)
    facts.issues = [_as_written(issue, question) for issue in dict.fromkeys(facts.issues)]
    return Understanding(_intent(facts, asked), facts, asked)


def _volume_from_spend(facts: Facts, tables: Tables) -> None:
    """ "we pay $18k/mo to the API at $0.015 per 1K: self-host?": the volume that bill buys, said so."""
    counted = facts.users is not None or facts.interactions is not None
    if facts.spend is None or facts.monthly_tokens is not None or counted or len(facts.models) > 1:
        return
    if facts.api_price_per_1k is not None:
        per_1k, priced = facts.api_price_per_1k, f"{rate(facts.api_price_per_1k)} per 1K"
    else:
        model = facts.model or DEFAULT_MODEL
        cost = run_cost(CostRequest(model=model, tokens=Decimal(1_000_000)), tables).result
        per_1k = Decimal(str(cost["monthly_cost"])) / 1000
        priced = f"{model}'s blended {rate(per_1k)} per 1K"
        if facts.model is None:
            priced += " (no model named, so the guide's default)"
            facts.models = [model]  # the break-even prices the API side at the same rate
    if per_1k <= 0:
        return
    facts.monthly_tokens = (facts.spend / per_1k * 1000).quantize(Decimal(1))
    facts.conversions.append(
        f"{format_usd(facts.spend)} a month at {priced} is {format_tokens(facts.monthly_tokens)} tokens a month"
    )
    facts.spend = None


def _as_written(issue: str, question: str) -> str:
    """Quote what the user wrote in their own case: "-5M", not "-5m"."""

    def original(match: re.Match[str]) -> str:
        found = re.search(re.escape(match[1]), question, re.IGNORECASE)
        return f'"{found[0]}"' if found else match[0]

    return re.sub(r'"([^"]+)"', original, issue, count=1)


def _unknown(what: str, written: str, near: list[str], every: list[str]) -> str:
    if near:
        return f'I don\'t know the {what} "{written}"; the closest I know: {", ".join(near)}.'
    return f'I don\'t know the {what} "{written}"; the ones I know: {", ".join(every)}.'


def _number_word_pattern(words: Vocabulary) -> re.Pattern[str]:
    return _alternatives(tuple(words.number_words), r"(?<![\w$.])")


def _fraction_pattern(words: Vocabulary) -> re.Pattern[str]:
    return _alternatives(tuple(words.fractions), r"(?<![\w])")


@functools.cache
def _alternatives(phrases: tuple[str, ...], lookbehind: str) -> re.Pattern[str]:
    longest_first = sorted(phrases, key=len, reverse=True)
    return re.compile(lookbehind + "(" + "|".join(re.escape(p) for p in longest_first) + r")(?![\w])")


def normalise(question: str, words: Vocabulary) -> str:
    """Lowercase, plain punctuation, numbers and shares in digits, rough-number words dropped."""
    text = question.lower()
    for fancy, plain in (
        ("’", "'"),
        ("‘", "'"),
        ("“", '"'),
        ("”", '"'),
        ("–", "-"),
        ("—", " - "),
        ("×", "x"),
    ):
        text = text.replace(fancy, plain)
    text = text.replace("~", " ")
    text = re.sub(r"\b(lambda|runpod|azure|aws|amazon|openai|anthropic|google|microsoft)'s\b", r"\1", text)
    rough = "|".join(re.escape(word) for word in words.approximately if word != "~")
    text = re.sub(rf"\b(?:{rough})\s+(?=[$\d.])", "", text)
    text = re.sub(r"(\d[kmb]?)\s*(?:usd|dollars?|bucks)\b", r"\1 dollars", text)
    text = re.sub(r"\bhalf an? (thousand|million|billion|trillion)\b", r"0.5 \1", text)
    text = re.sub(r"\b(a|one) quarter of an? (thousand|million|billion)\b", r"0.25 \2", text)
    text = re.sub(r"\bthree quarters of an? (thousand|million|billion)\b", r"0.75 \1", text)
    text = re.sub(
        r"\b(tokens?|spend|bill|invoice|usage|volume) (a|per|each|every) quarter\b", r"\1 per quarter", text
    )
    text = re.sub(
        r"(?<![\d.,])(\d{1,3}) (\d{3})(?=\s+(?:[a-z]+ )?(?:users|customers|employees|seats|tokens|people|members|accounts|mau|dau)\b)",
        r"\1\2",
        text,
    )  # "12 000 customers"
    text = re.sub(r"\bonce (?=(a|per|each|every) (day|week|month)\b)", "1 times ", text)
    text = re.sub(r"\b(\d{1,2}) ?d\b", r"\1 days", text)  # "30d mo"
    text = re.sub(
        r"\b(for|per) (one|a|1) million tok(en)?s?\b", "per 1m tokens", text
    )  # "0.9 dollar for one million token"
    text = re.sub(r"\b(for|per) (one|a|1) thousand tok(en)?s?\b", "per 1k tokens", text)
    text = re.sub(
        r"\b(\d{1,2})\s*:\s*(\d{1,2})\s+(?:input[- ]to[- ]output|in[- ]to[- ]out|input:output|in:out"
        r"|prompt[- ]to[- ]completion)(?:\s+ratio)?\b",
        lambda m: f"{(Decimal(m[1]) * 100 / (Decimal(m[1]) + Decimal(m[2]))).normalize():f}% input",
        text,
    )  # "split 3:1 input to output"
    text = _table_rows(text)
    text = re.sub(
        r"(?<![\w.,])(\d+|[a-z]+) and a half\b",
        lambda m: (
            (_plain(words.number_words[m[1]]) if m[1] in words.number_words else m[1]) + ".5"
            if m[1].isdigit() or m[1] in words.number_words
            else m[0]
        ),
        text,
    )  # "one and a half billion" is 1.5 billion, not "one and 50%"
    text = re.sub(r"\busd\s*(?=\d)", "$", text)
    text = re.sub(
        r"(?<![\w.$])(\d+(?:\.\d+)?)\s*(?:cents?|c|¢)(?=\s*(?:per|/|a|an|for)\b)",
        lambda m: f"${(Decimal(m[1]) / 100).normalize():f}",
        text,
    )  # "1.5c per 1k", "1.2 cents per 1K tokens": dollars
    text = _fraction_pattern(words).sub(
        lambda match: (
            f"{(words.fraction(match[1]) * 100).normalize():f}%" + (" of" if match[1].endswith(" of") else "")
        ),
        text,
    )
    text = _number_words(text, words)
    text = re.sub(
        r"\b(twice|thrice)(?= (a|per|each|every) (day|week|month)\b)",
        lambda m: {"twice": "2 times", "thrice": "3 times"}[m[1]],
        text,
    )
    text = re.sub(r"\b(\d{2})[- ]day months?\b", r"\1 days a month", text)  # "a 31-day month"
    text = _pairs(text)
    text = re.sub(r"\b(\d+) dollars (\d{2})\b(?=\s+(an|a|per)\s)", r"$\1.\2", text)  # "4 dollars 29 an hour"
    text = re.sub(
        r"(?<![\w.,/$])([1-9])/([2-9]|10)(?= of\b)",
        lambda m: f"{(Decimal(m[1]) * 100 / Decimal(m[2])).normalize():f}%",
        text,
    )  # "2/3 of requests"
    text = re.sub(r"\b(\d{1,2}) (?:in|out of) (\d{1,3})\b(?![.,\d%kmb])(?! out)", _one_in, text)
    return re.sub(r"[ \t]+", " ", text)


_PAIR = re.compile(r"(?<![\w.$/])(\d{1,2})\s*/\s*(\d{1,2})(?![\w.%/])")
_PAIR_OF_TOKENS = re.compile(
    r"\b(input|prompt|in)\s*/\s*(output|completion|out)\s+(tokens?\s+)?(of|:|=|are|is|~)?\s*"
    r"(\d[\d,.]*[kmb]?)\s*/\s*(\d[\d,.]*[kmb]?)"
)


_PAIR_THEN_ROLES = re.compile(
    r"(?<![\w.$])(\d[\d,.]*[kmb]?)\s*/\s*(\d[\d,.]*[kmb]?)\s+(?:tokens?\s+)?"
    r"(?:in\s*/\s*out|input\s*/\s*output|prompt\s*/\s*completion)\b"
)
""""600/200 tokens in/out": the first is input, the second output."""
_SUM_OF_TOKENS = re.compile(r"(?<![\w.$/])(\d[\d,.]*[kmb]?)\s*\+\s*(\d[\d,.]*[kmb]?)\s+tok(?:en)?s\b")
""""600+200 tokens": input plus output, the order this advisor's own summaries write them in."""


_HEADER_UNITS = (
    (re.compile(r"^(.*?)[ _]?(?:usd|\$)?[ _]?per[ _](?:hr|hour|h)$"), "{label} ${value}/h"),
    (re.compile(r"^(.*?)[ _]?(?:usd|\$)[ _]?per[ _]1k$"), "{label} ${value}/1k"),
    (re.compile(r"^(.*?)[ _]?(?:usd|\$)[ _]?per[ _]1m$"), "{label} ${value}/1m"),
    (
        re.compile(r"^(.*?)[ _]?(?:hrs|hours)[ _]per[ _](month|mo|week|day)$"),
        "{label} {value} hours per {unit}",
    ),
    (re.compile(r"^(.*?)[ _]?per[ _](gpu[ _]month|gpu)$"), "{label} {value} tokens per gpu per month"),
    (re.compile(r"^(monthly|month)[ _]tokens$"), "{value} tokens a month"),
    (re.compile(r"^(.*?)[ _]?per[ _](day|week|month)$"), "{label} {value} per {unit}"),
    (re.compile(r"^(tok|tokens?)[ _](in|out)$"), "{value} tokens {unit}"),
    (re.compile(r"^(.*?)[ _]?(?:usd|\$)$"), "{label} ${value}"),
)
"""Spreadsheet headers ("gpu_usd_per_hr", "tok_in") and how their value reads in a sentence."""


def _table_rows(text: str) -> str:
    """A pasted header row and value row (pipes or tabs) as "header value" phrases the reader knows."""
    lines = text.split("\n")
    for at in range(len(lines) - 1):
        split = "|" if lines[at].count("|") >= 2 else "\t" if lines[at].count("\t") >= 2 else None
        if split is None:
            continue
        headers = [cell.strip() for cell in lines[at].split(split)]
        values = [cell.strip() for cell in lines[at + 1].split(split)]
        if len(headers) != len(values) or not all(
            re.match(r"[$~]?[\d.,]+[kmb%]?$", value) for value in values
        ):
            continue
        phrases = [_cell(header, value.lstrip("$~")) for header, value in zip(headers, values, strict=True)]
        lines[at : at + 2] = [", ".join(phrases) + ".", ""]
    return "\n".join(lines)


def _cell(header: str, value: str) -> str:
    for pattern, phrase in _HEADER_UNITS:
        found = pattern.match(header)
        if found:
            groups = found.groups()
            label = groups[0].replace("_", " ") if groups and not found.re.pattern.startswith("^(tok") else ""
            unit = groups[-1].replace("_", " ") if groups else ""
            return phrase.format(label=label, value=value, unit=unit).strip()
    return f"{header.replace('_', ' ')} {value}"


def _is_split(first: str, second: str) -> bool:
    """ "70/30": two whole numbers adding up to 100 are a percentage split, not token counts."""
    return first.isdigit() and second.isdigit() and int(first) + int(second) == 100


def _pairs(text: str) -> str:
    """ "80/20", "70/30 input/output", "prompt/completion tokens of 3000/1000": split into plain words."""
    text = _PAIR_OF_TOKENS.sub(lambda m: f"{m[5]} input tokens and {m[6]} output tokens", text)
    text = _PAIR_THEN_ROLES.sub(
        lambda m: m[0] if _is_split(m[1], m[2]) else f"{m[1]} input tokens and {m[2]} output tokens", text
    )
    text = _SUM_OF_TOKENS.sub(lambda m: f"{m[1]} input and {m[2]} output tokens", text)
    if not re.search(r"\binput|\bprompt|\bin/out|\bsplit", text):
        return text

    def share(match: re.Match[str]) -> str:
        first, second = int(match[1]), int(match[2])
        if first + second != 100:
            return match[0]
        return f"{first}% input"

    return _PAIR.sub(share, text)


def _one_in(match: re.Match[str]) -> str:
    """ "1 in 5 requests" is 20% of them; "3 out of 10" is 30%."""
    part, whole = int(match[1]), int(match[2])
    if not 0 < part < whole <= 100:
        return match[0]
    return f"{(Decimal(part) * 100 / whole).quantize(Decimal('0.01')).normalize():f}%"


_SCALE_WORDS = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def _number_runs(text: str, words: Vocabulary) -> str:
    """ "three hundred fifty million" -> 350000000, "forty-eight hundred" -> 4800: runs of number words."""
    small = {
        word: int(value) for word, value in words.number_words.items() if " " not in word and value < 100
    }
    word = "|".join(sorted([*small, "hundred", *_SCALE_WORDS], key=len, reverse=True))
    run = re.compile(rf"\b(?:{word})(?:(?:[\s-]+|\s+and\s+)(?:{word}))+\b")

    def value(match: re.Match[str]) -> str:
        total, current = 0, 0
        for part in re.split(r"[\s-]+", match[0]):
            if part in small:
                current += small[part]
            elif part == "hundred":
                current = (current or 1) * 100
            elif part in _SCALE_WORDS:
                total, current = total + (current or 1) * _SCALE_WORDS[part], 0
        return str(total + current)

    return run.sub(value, text)


def _number_words(text: str, words: Vocabulary) -> str:
    """ "twenty five" -> 25, "two hundred" -> 200, "three messages" -> 3 messages."""
    text = _number_runs(text, words)
    pattern = _number_word_pattern(words)

    def value(match: re.Match[str]) -> str:
        return _plain(words.number_words[match[1]])

    text = pattern.sub(value, text)
    text = re.sub(
        r"\b(\d0) (\d)\b(?![.,\d])", lambda m: str(int(m[1]) + int(m[2])), text
    )  # "20 5" was "twenty five"
    return re.sub(r"\b(\d{1,2}) 100\b", lambda m: str(int(m[1]) * 100), text)


def _plain(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if len(text) < 14 else f"{value:.10f}".rstrip("0")


_AMOUNT = re.compile(
    r"(?P<sign>(?<![\w.,])-|\bminus\s+)?(?P<dollar>\$\s*)?"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:,\d+)+|\d+(?:\.\d+)?|\.\d+)"
    r"(?:\s*(?P<scale>thousand|millions?|billions?|trillion|grand|mil|mn|mm|bn|[kmbt])(?![a-z]))?"
    r"(?P<percent>\s*%|\s+percent)?",
    re.IGNORECASE,
)
_ODD_NUMBER = re.compile(r"\d+\s*\^\s*\d+|\d+\.\d+\.\d+[kmbt]?|\d+e\d+")
"""Powers ("10^16"), version-like amounts ("1.5.2M") and exponents: not read as a plain amount."""
_RANGE = re.compile(r"^\s*(?:-|to|and|or)\s*$")
_BAD_WORDS = re.compile(r"\b(nan|inf|infinite|infinity|infinitely many|unlimited|endless)\b")


def amounts(text: str, words: Vocabulary) -> list[Amount]:
    """Every amount in the (name-masked) text with its position; problems kept as one-line issues.

    Two amounts joined by "-" or "to" ("$2-5", "300-500M", "between 1B and 2B") are one range.
    """
    found: list[Amount] = []
    for bad in _BAD_WORDS.finditer(text):
        found.append(Amount(Decimal(0), bad.start(), bad.end(), problem=_bad(bad[0])))
    for match in _ODD_NUMBER.finditer(text):
        found.append(Amount(Decimal(0), match.start(), match.end(), problem=_odd(match[0])))
    text = _ODD_NUMBER.sub(lambda match: " " * len(match[0]), text)
    for match in _AMOUNT.finditer(text):
        number = match["number"]
        written = match[0].strip()
        if "," in number and not re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", number):
            found.append(Amount(Decimal(0), match.start(), match.end(), problem=_ambiguous(written)))
            continue
        try:
            value = Decimal(number.replace(",", "")) * _scale(match["scale"], words)
        except InvalidOperation:
            continue
        end = match.end("percent") if match["percent"] else _unit_end(match)
        if match["sign"]:
            found.append(Amount(value, match.start(), end, problem=_negative(written)))
            continue
        if value > MAX_MONTHLY_TOKENS and not match["percent"]:
            found.append(Amount(value, match.start(), end, problem=_absurd(written)))
            continue
        found.append(
            Amount(
                clean(value),  # "1.5k" is 1500, not 1500.0: the same fact however it is written
                match.start(),
                end,
                dollar=bool(match["dollar"]),
                percent=bool(match["percent"]),
                scaled=match["scale"] is not None,
            )
        )
    return _ranges(sorted(found, key=lambda amount: amount.start), text)


def _ranges(found: list[Amount], text: str) -> list[Amount]:
    merged: list[Amount] = []
    for amount in found:
        last = merged[-1] if merged else None
        between = text[last.end : amount.start] if last is not None else ""
        joined = (
            between.strip() in {"and", "or"} and text[: last.start].rstrip().endswith("between")
            if last
            else False
        )
        if (
            last is not None
            and not last.problem
            and not amount.problem
            and _RANGE.match(between)
            and (between.strip() in {"-", "to"} or joined)
            and not (last.percent and not amount.percent)
        ):
            low = (
                last.value * (amount.value / _unscaled(amount, text))
                if not last.scaled and amount.scaled
                else last.value
            )
            if amount.value > low:
                merged[-1] = Amount(
                    low,
                    last.start,
                    amount.end,
                    dollar=last.dollar or amount.dollar,
                    percent=amount.percent,
                    scaled=True,
                    high=amount.value,
                )
                continue
        merged.append(amount)
    return merged


def _unscaled(amount: Amount, text: str) -> Decimal:
    digits = re.match(r"\$?\s*([\d,.]+)", text[amount.start : amount.end])
    return Decimal(digits[1].replace(",", "")) if digits else amount.value


def _unit_end(match: re.Match[str]) -> int:
    return match.end("scale") if match["scale"] else match.end("number")


def _scale(scale: str | None, words: Vocabulary) -> Decimal:
    return words.scales.get((scale or "").lower(), Decimal(1))


def _bad(word: str) -> str:
    return f'"{word}" is not an amount I can calculate with: give a number such as 500M tokens or 30K.'


def _odd(written: str) -> str:
    return f'"{written}" is not an amount I can read safely: write it with digits and K, M or B, e.g. 1.5M.'


def _ambiguous(written: str) -> str:
    return (
        f'"{written}" is ambiguous: is the comma a decimal point or a thousands separator? '
        "Write it as 1.5B or 1,500,000,000."
    )


def _absurd(written: str) -> str:
    return f'"{written}" is more than 10^15, beyond any real workload: check the amount.'


def _negative(written: str) -> str:
    return f'"{written}" is negative: amounts must be zero or more.'


_MULTIPLIER = re.compile(
    r"\b(?:(doubles?|doubled|twice)|(triples?|tripled|three times)|(quadruples?|quadrupled|four times)"
    r"|(\d+(?:\.\d+)?) ?(?:x|times)(?: (?:bigger|more|larger|as much|higher|the (?:volume|traffic|usage)"
    r"|(?:that|this|the|our|current) (?:volume|traffic|usage|load|amount|bill|spend)))?)(?![\w%])"
)
"""Growth a follow-up names without an amount: "when it triples", "at 10x the volume"."""


def _factor(match: re.Match[str]) -> Decimal:
    if match[1]:
        return Decimal(2)
    if match[2]:
        return Decimal(3)
    if match[3]:
        return Decimal(4)
    return Decimal(match[4])


_RELATIVE_OUTPUT = re.compile(
    r"\b(?:output|completions?|repl(?:y|ies)|responses?|answers?)s? (?:is|are|=|runs?) (?:about |roughly )?"
    r"(?P<share>\d+(?:\.\d+)?)% (?:of|the size of) (?:that|this|it|the input|input|the prompt|the context)\b"
    r"|\b(?P<share2>\d+(?:\.\d+)?)% as (?:much|many|long)(?: tokens)? (?:output|completion|back|out)\b"
)
"""Output written as a share of the input: "output is a quarter of that", "half as much output"."""


def _settle(facts: Facts, text: str = "") -> None:
    """Settle roles the wording left open once the whole question has been read."""
    if facts.spend_per_user is not None and facts.users is not None and facts.spend is None:
        # "3,000 users ... budget $2-5 per user a month": the monthly spend is users x budget, both ends.
        facts.spend = clean(facts.users * facts.spend_per_user)
        high = facts.highs.pop("spend_per_user", None)
        if high is not None:
            facts.highs["spend"] = clean(facts.users * high)
        written = f"{format_usd(facts.spend_per_user, cents=True)}" + (
            f"-{format_usd(high, cents=True)}" if high is not None else ""
        )
        total = format_usd(facts.spend) + (f"-{format_usd(facts.highs['spend'])}" if high is not None else "")
        facts.conversions.append(f"{written} per user a month x {facts.users:,.0f} users is {total} a month")
        facts.users = None
    if (
        facts.tokens_per_interaction is not None
        and facts.input_share is not None
        and not (facts.input_per_interaction or facts.output_per_interaction)
    ):
        # "1,000 tokens round trip, split 3:1 input to output": each interaction's tokens, split.
        each, share = facts.tokens_per_interaction, facts.input_share
        facts.input_per_interaction, facts.output_per_interaction = (
            clean(each * share),
            clean(each * (1 - share)),
        )
        facts.tokens_per_interaction = None
        facts.conversions.append(
            f"{each:,.0f} tokens an interaction at {share * 100:.0f}% input is "
            f"{facts.input_per_interaction:,.0f} in and {facts.output_per_interaction:,.0f} out"
        )
    whole = re.search(r"\b(total|round.?trip|in all|altogether|combined|the rest)\b", text) is not None
    if facts.tokens_per_interaction is not None:
        each = facts.tokens_per_interaction
        if facts.output_per_interaction is not None and facts.input_per_interaction is None:
            facts.input_per_interaction, facts.tokens_per_interaction = each, None
            if whole and each > facts.output_per_interaction:
                facts.input_per_interaction = each - facts.output_per_interaction  # "1k total, 250 of it out"
        elif facts.input_per_interaction is not None and facts.output_per_interaction is None:
            facts.output_per_interaction, facts.tokens_per_interaction = each, None
            if whole and each > facts.input_per_interaction:
                facts.output_per_interaction = (
                    each - facts.input_per_interaction
                )  # "1k total: 750 in and the rest out"
    relative = _RELATIVE_OUTPUT.search(text)
    if relative and facts.input_per_interaction is not None and facts.output_per_interaction is None:
        written = relative["share"] or relative["share2"]
        share = Decimal(written) / 100
        facts.output_per_interaction = clean(
            facts.input_per_interaction * share
        )  # "output is a quarter of that"
        facts.conversions.append(
            f"output {written}% of {facts.input_per_interaction:,.0f} input is {facts.output_per_interaction:,.0f}"
        )
    per_interaction = facts.input_per_interaction is not None or facts.output_per_interaction is not None
    has_count = facts.users is not None or facts.interactions is not None
    if per_interaction and has_count and (facts.monthly_input is None) != (facts.monthly_output is None):
        # "10K tokens input per query and 2K tokens output": the second amount shares the "per query".
        if facts.monthly_input is not None and facts.input_per_interaction is None:
            facts.input_per_interaction, facts.monthly_input = facts.monthly_input, None
        elif facts.monthly_output is not None and facts.output_per_interaction is None:
            facts.output_per_interaction, facts.monthly_output = facts.monthly_output, None
    if facts.monthly_tokens is None and (facts.monthly_input is not None or facts.monthly_output is not None):
        facts.monthly_tokens = (facts.monthly_input or Decimal(0)) + (facts.monthly_output or Decimal(0))


def _refuse_absurd(facts: Facts) -> None:
    for name in ("monthly_tokens", "monthly_input", "monthly_output"):
        value = getattr(facts, name)
        if value is not None and value > MAX_MONTHLY_TOKENS:
            facts.issues.append(
                f"{value:,.0f} tokens a month is more than 10^15, beyond any real workload: check the amount."
            )
            setattr(facts, name, None)
            return


def _intent(facts: Facts, asked: frozenset[Intent]) -> Intent:
    """The main thing asked, given the numbers the question has for it."""
    volume = facts.monthly_tokens is not None or facts.users is not None or facts.interactions is not None
    if Intent.SAVINGS in asked and (facts.cache_hit_share is not None or facts.batch_share is not None):
        return Intent.SAVINGS
    if Intent.BREAKEVEN in asked and (volume or facts.tokens_per_user_per_day is not None):
        return Intent.BREAKEVEN
    if facts.spend is not None and not volume:
        return Intent.PHASE
    counted = facts.users is not None or facts.interactions is not None
    priced = Intent.COST in asked or facts.models or facts.api_price_per_1k is not None
    if Intent.TOKENS in asked and counted and not priced:
        return Intent.TOKENS
    if volume and (Intent.COST in asked or facts.models or facts.api_price_per_1k is not None):
        return Intent.COMPARE if len(facts.models) > 1 else Intent.COST
    if facts.users is not None and (
        facts.input_per_interaction
        or facts.output_per_interaction
        or facts.tokens_per_interaction
        or Intent.TOKENS in asked
    ):
        return Intent.TOKENS
    return Intent.GENERAL
