"""Put each amount of a question on the slot its neighbouring words give it.

"$50/h for ops" is the ops rate, not the GPU's price; "20M tokens a day" is 600M a month (said so);
"3 messages of 200 tokens" is three interactions a day of 200 tokens each. The words come from
knowledge/data/vocabulary.yml.
"""

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.calculations.format import percent
from calculators.quantities import format_tokens, format_usd
from knowledge.vocabulary import Period, Vocabulary

if TYPE_CHECKING:
    from bot.chain.understanding import Facts

_RATIO = r"\b(ratio|rate|share|fraction|utili[sz]ation|utili[sz]ed|util|hits?)( of| is| at|:| =)?$"
"""Words just before a bare fraction that make it a share: "hit rate 0.35", "utilisation of 0.6"."""
_WORD = re.compile(r"[a-z0-9$%]+(?:[.-][a-z0-9]+|/[a-z]+)*|/[a-z0-9]+")
_LOOSE_TOKENS = Decimal(1_000_000)
"""Token amounts below this, with users in the question and no period, are per interaction."""


@dataclass(frozen=True)
class Amount:
    """One amount as written: its value, where it is, and how it was marked."""

    value: Decimal
    start: int
    end: int
    dollar: bool = False
    percent: bool = False
    scaled: bool = False
    high: Decimal | None = None
    """The upper end of a range ("$2-5"), or None."""
    problem: str | None = None
    """Why it cannot be used (negative, ambiguous), as a line to show the user."""


def place(amount: Amount, text: str, facts: "Facts", words: Vocabulary) -> None:
    """Set the slot of `facts` that `amount` fills, judging by the words around it."""
    sentence = re.split(r"[.?!;](?:\s|$)|\n", text[amount.end : amount.end + 90], maxsplit=1)[0]
    after = (
        [] if re.match(r"\s*[|\n]", text[amount.end :]) else _words(sentence)[:10]
    )  # this sentence's words
    before = _words(text[max(0, amount.start - 60) : amount.start])[-5:]
    unit_size = amount.value in (1, 100, 1000, 1_000_000)
    if (before and before[-1] in {"per", "every"} and unit_size) or re.search(
        r"\d[kmb]?\s?/$", text[: amount.start]
    ):
        return  # "per 1K tokens", "$10/1M": a unit, not an amount
    if re.search(r"\b(instead of|rather than|not|up from|down from)\s*$", text[: amount.start]):
        return  # "4 interactions a day instead of 1", "30% off, not 50": the figure being replaced
    if amount.percent:
        _share(amount, before, after, facts, words, text)
        return
    if amount.value < 1 and not amount.dollar and _has(before[-4:], _RATIO):
        # "a cache hit ratio of 0.4", "utilisation 0.6": a share written as a fraction of one.
        _share(replace(amount, value=amount.value * 100, percent=True), before, after, facts, words, text)
        return
    first = after[0] if after else ""
    if re.match(r"\s*[.;](\s|$)", text[amount.end :]) and _labelled(
        amount, first, before, text, facts, words
    ):
        return  # "queries per active user per day: 2. tokens per query: ...": the next word is another field's
    spend_words = _has(before[-3:], r"\b(spend|spending|spent|bill|paying|pay|budget|invoice)\b") or _has(
        after[:5],
        r"^((a|per|each|every) (year|month|yr|mo) )?((monthly|annual|yearly|api|ai|llm|openai|cloud) )?"
        r"(spend|bill|budget|invoice)\b",
    )
    grand = "grand" in text[amount.start : amount.end]
    bare_spend = (
        not _is_unit(first, words)
        and any(
            pattern.search(text) for intent in ("phase", "savings") for pattern in words.cue_patterns(intent)
        )
        and not re.search(r"\btok(en)?s?\b|\busers?\b|\bmau\b|\bdau\b", text)
        and 100 <= amount.value < _LOOSE_TOKENS * 10
    )  # "half a million a year on openai: which phase", "20k per month, 40% cache hits: savings?"
    hourly = not amount.percent and _hourly(amount, text)  # "ops at 75/hr", "devops hourly cost 85": no $
    if (
        amount.dollar
        or hourly
        or first.split("/")[0] == "dollars"
        or grand
        or ((spend_words or bare_spend) and not _is_unit(first, words))
    ):
        if first.startswith("dollars/"):
            after = ["/" + first.split("/", 1)[1], *after[1:]]  # "100 dollars/hour"
        elif first == "dollars":
            after = after[1:]
        _money(amount, before, after, facts, words, text)
        return
    tokens = words.nouns.tokens
    label = re.search(
        r"\b(?:(?P<input>context|prompts?|inputs?|history|quer(?:y|ies)|questions?|requests?)"
        r"|(?P<output>repl(?:y|ies)|answers?|responses?|completions?|outputs?|drafts?|writes|returns|generates"
        r"|responds with|gets? back|sends? back|replies with|answers with|produces))"
        r"(?: window| tokens?| length| size)?\s*(?:of|is|are|=|:|at|around|averaging|avg)?\s*$"
        r"|\b(?:(?P<input_short>in)|(?P<output_short>out))\s*[:=]\s*$",
        text[max(0, amount.start - 40) : amount.start],
    )
    separated = re.match(r"\s*[,;+/&]", text[amount.end :]) is not None
    if (label and amount.value >= 20 and (not _is_unit(first, words) or separated)) or (
        label and first.split("/")[0] in tokens
    ):
        # "a context of 2k and replies of 300", "prompt tokens ~600": tokens named before their amount.
        role = "input" if label["input"] or label["input_short"] else "output"
        rest = after[1:] if first.split("/")[0] in tokens else after
        _tokens(amount, "tokens", rest, [*before, role], text, facts, words, role)
        return
    if "/" in first and first.split("/")[0] in tokens and not first.endswith(("/s", "/sec")):
        after = [first.split("/")[0], "/" + first.split("/", 1)[1], *after[1:]]
        first = after[0]
    if first.startswith("/") and _period([first], words) is not None:
        period = _period([first], words)
        counted = facts.users is not None or _count_in_text(text, words, words.nouns.users)
        if period is not None and amount.value < 1000 and counted:
            facts.interactions_per_day = clean(amount.value * period.factor / 30)  # "3/day" per user
        else:
            _tokens(amount, "tokens", after, before, text, facts, words)
        return
    if first.split("/")[0] in tokens or first.startswith("-token") or first in {"tokens/s", "tok/s", "tps"}:
        _tokens(amount, first, after[1:], before, text, facts, words)
        return
    roles = words.roles
    if first == "of" and len(after) > 1 and after[1] in {"input", "output", *roles.input, *roles.output}:
        after, first = after[1:], after[1]  # "2M of output"
    if first in {
        "input",
        "output",
        "prompt",
        "completion",
        "in",
        "out",
        "back",
        "received",
        "returned",
        "generated",
    } or (first in roles.input + roles.output and len(after) > 1 and after[1].split("/")[0] in tokens):
        # "8M input tokens", "1.5k input and 250 output", "20M out": tokens with their role first.
        role = "input" if first in roles.input else "output"
        rest = after[1:]
        if rest and rest[0].endswith(("/s", "/sec")):
            facts.tokens_per_second = amount.value  # "3,200 output tok/s per H100"
            return
        if rest and rest[0].split("/")[0] in tokens:
            rest = rest[1:]
        _tokens(amount, "tokens", rest, [*before, role], text, facts, words, role)
        return
    if _labelled(amount, first, before, text, facts, words):
        return
    _count(amount, first, after, before, text, facts, words)


def _labelled(
    amount: Amount, first: str, before: list[str], text: str, facts: "Facts", words: Vocabulary
) -> bool:
    """An amount after its label, as in a form: "MAU 1,000", "users: 25k", "queries per user per day: 3"."""
    nouns = words.nouns
    head = first.split("/")[0]
    ends_field = re.match(r"\s*[.;,](\s|$)", text[amount.end :]) is not None
    if not ends_field and (head in nouns.users or head in nouns.interactions or head in nouns.tokens):
        return False
    if (
        re.search(
            r"\b(interactions?|calls?|requests?|queries|messages?|chats?|sessions?)\s*(/|per )\s*(day|user)\s*[:=]?\s*$",
            text[max(0, amount.start - 40) : amount.start],
        )
        and amount.value < 1000
    ):
        facts.interactions_per_day = (
            amount.value
        )  # "interactions/day: 1.5", "| calls per day 2": a form's field
        return True
    if re.search(r"\bdays\s*[:=]\s*$", text[: amount.start]) and 1 <= amount.value <= 31:
        facts.days = amount.value  # "| days: 30": a form's field, whatever number came before it
        return True
    if len(before) > 1 and re.match(r"[\d$]", before[-2]):
        return False  # "10K MAU, 2 queries": the noun before is the earlier amount's
    last = before[-1] if before else ""
    if (
        (last == "days" or (last == "day" and re.search(r"[:=]\s*$", text[: amount.start])))
        and 1 <= amount.value <= 31
        and (len(before) < 2 or not re.match(r"[\d$]|per$|a$|each$|every$", before[-2]))
    ):
        facts.days = amount.value  # "days 22"
        return True
    if last in {"hours", "hrs", "hour"} and len(before) > 1 and before[-2] in nouns.ops:
        facts.ops_hours = amount.value  # "ops hours 25 a month"
        return True
    if (
        last in {"is", "are", "=", "of", "at"}
        and len(before) > 1
        and before[-2] in {"mau", "dau", "maus", "daus", "users"}
    ):
        last = before[-2]  # "DAU is 8,000"
    if last in nouns.users or last in {"mau", "maus", "dau", "daus"}:
        facts.users = amount.value
        if last in nouns.daily_users or last.startswith("dau"):
            facts.active_share = facts.active_share or Decimal(1)
        return True
    interactions = "|".join(re.escape(noun) for noun in nouns.interactions)
    label = _words(text[max(0, amount.start - 80) : amount.start])[-8:]
    if (
        amount.value < 1000
        and _has(label, rf"\b({interactions}) (\w+ ){{0,4}}(per|a|each) day$")
        and re.search(r"day\s*[:=]?\s*$", text[: amount.start])
    ):  # "queries per user per day: 3", not "2 interactions per day, 30 days a month"
        facts.interactions_per_day = amount.value
        return True
    return False


def _is_unit(word: str, words: Vocabulary) -> bool:
    if word[:1].isdigit():
        return False  # the next amount ("20k; 40% of calls"), not this one's unit
    nouns = words.nouns
    head = word.split("/")[0]
    roles = words.roles
    return (
        head in nouns.tokens
        or head in nouns.users
        or head in nouns.interactions
        or head in {"input", "output", "prompt", "completion", *roles.input, *roles.output}
        or word.endswith("%")
        or word.split("/")[0] in {"h", "hr", "hrs", "hours"}
        or head in nouns.ops
    )


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _has(window: list[str] | str, *patterns: str) -> bool:
    joined = window if isinstance(window, str) else " ".join(window)
    return any(re.search(pattern, joined) for pattern in patterns)


def _period(after: list[str], words: Vocabulary, limit: int = 4) -> Period | None:
    """The period a rate is per, if one of the next words says it ("a day", "/week", "annually")."""
    joined = " " + " ".join(after[:limit]) + " "
    best: tuple[int, Period] | None = None
    for period in words.periods:
        for phrase in period.phrases:
            if phrase.startswith("/"):
                at = joined.find(phrase)
            else:
                found = re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", joined)
                at = found.start() if found else -1
            if at >= 0 and (best is None or at < best[0]):
                best = (at, period)
    if best is None:
        return None
    # A bare "day"/"month" must follow per/a/each/every or a slash, not "users who log in one day".
    if best[1].name == "day" and not re.search(r"(a|per|each|every|/)\s?day|daily", joined):
        return None
    return best[1]


def _count_in_text(text: str, words: Vocabulary, nouns: tuple[str, ...]) -> bool:
    names = "|".join(re.escape(noun) for noun in sorted(nouns, key=len, reverse=True))
    pattern = rf"\d[\d,.]*\s*[kmb]?\+?\s+(?:\w+\s+){{0,2}}(?:{names})\b(?!\s*tok)"
    return re.search(pattern, text) is not None


def _count(
    amount: Amount,
    first: str,
    after: list[str],
    before: list[str],
    text: str,
    facts: "Facts",
    words: Vocabulary,
) -> None:
    nouns = words.nouns
    value = amount.value
    head = after[:3]
    second_is_user = (
        len(after) > 1
        and after[1] in nouns.users
        and first.isalpha()
        and not _is_unit(first, words)
        and first not in nouns.gpus
    )  # "400 sales reps", "30 support agents"
    if (
        first in nouns.users
        or second_is_user
        or (
            first
            in {
                "monthly",
                "active",
                "daily",
                "weekly",
                "total",
                "paying",
                "registered",
                "regular",
                "internal",
                "unique",
            }
            and any(word in nouns.users for word in head)
        )
    ):
        facts.users = value
        if amount.high is not None:
            facts.highs["users"] = amount.high
        daily = first in nouns.daily_users or "daily" in head[:2] or (before and before[-1] == "daily")
        if daily and facts.active_share is None:
            facts.active_share = Decimal(1)
        return
    if first.split("/")[0] in nouns.interactions and "/" in first:
        after = [first.split("/")[0], "/" + first.split("/", 1)[1], *after[1:]]
        first = after[0]
    times_a_day = first in {"times", "time"} and (
        _period(after[1:], words, 3) is not None
        or (
            after[1:2] in (["each"], ["per"])
            and re.search(r"\bevery (working )?day\b|\bdaily\b|\b(a|each) day\b", text)
        )
    )  # "twice a day", "every working day, ~5 times each"
    if (
        first in nouns.interactions
        or times_a_day
        or (len(after) > 1 and after[1] in nouns.interactions and first.isalpha())
    ):
        _interactions(amount, first, after, before, text, facts, words)
        return
    if first in {"sre", "sres", "devops", "admin", "mlops"} and not _has(after[1:3], r"^(hours?|hrs?|h)\b"):
        facts.engineers = value  # "one SRE": a person, not hours
        return
    if first in nouns.ops or (first == "hours" and _has(after[1:4], r"ops|operat|maint|on.?call")):
        period = _period(after[1:], words, 4)  # "300 ops hours a year" is 25 a month
        _ops_hours(facts, value, period if period is not None and period.name != "day" else None)
        return
    hours = first.split("/")[0] in {"h", "hr", "hrs", "hours"}
    if hours and "/" in first:
        after = [first.split("/")[0], "/" + first.split("/", 1)[1], *after[1:]]
        first = after[0]
    clause = _clause(amount, text)
    period = _period(after[1:], words, 4) if hours else None
    if hours and (
        re.search(_OPS, clause)
        or (period is not None and period.name != "day" and re.search(_OPS, text))
        or (period is None and facts.ops_rate is not None and not re.search(_GPU, clause))
    ):
        # "ops 20h a month", "devops: 5 hrs/week", "our SRE ... spends 10 hours a week on it": hours
        # in a clause about operations, or hours a week/month in a question about operations.
        _ops_hours(facts, value, period)
        return
    if first in nouns.engineers or (
        first in {"ml", "full-time", "full", "devops", "dedicated", "extra", "more"}
        and any(w in nouns.engineers for w in head)
    ):
        facts.engineers = value
        return
    if (
        first == "spare"
        or (first in {"hot", "extra", "standby", "backup"} and head[1:2] in (["spare"], ["spares"]))
    ) and (any(word in nouns.gpus for word in head) or re.search(_SELF_HOSTING, text)):
        facts.spare_gpus = int(value)
        return
    weekly = _has(after[1:3], r"^(a|per|each) week")
    if re.search(r"\bworking days?\W{0,3}$", text[: amount.start]) and value <= 31:
        facts.days = value  # "every working day (22 a month)"
        return
    if (
        (first in {"working", "business", "work"} and "days" in head)
        or first.split("/")[0] in {"workdays", "weekdays"}
        or (first.split("/")[0] == "days" and 20 <= value <= 31 and not weekly)
    ):
        facts.days = value
        return
    if first in nouns.gpus or first in {
        "days",
        "day",
        "hours",
        "h",
        "hrs",
        "weeks",
        "week",
        "months",
        "month",
        "years",
        "year",
        "seconds",
        "ms",
        "x",
    }:
        return
    period = _period(after[:3], words, 3)
    if period is not None:
        if value < 1000 and (facts.users is not None or _count_in_text(text, words, nouns.users)):
            facts.interactions_per_day = clean(value * period.factor / 30)
        else:
            _tokens(amount, "tokens", after, before, text, facts, words)
        return
    if (
        amount.scaled
        and value >= _LOOSE_TOKENS
        and facts.monthly_tokens is not None
        and re.search(
            r"\b(and|or|vs\.?|versus|then|what about|how about)\s+(at|for|with|on)?\s*$", text[: amount.start]
        )
    ):
        facts.highs["monthly_tokens"] = value  # "self-host at 500M tokens a month? and at 2B?": both volumes
        return
    facts.unplaced.append(value)


def _ops_hours(facts: "Facts", value: Decimal, period: Period | None) -> None:
    """Ops hours a month, converted from the period they were given in, and the conversion said."""
    factor = period.factor if period is not None else Decimal(1)
    facts.ops_hours = clean(value * factor)
    if period is not None and period.name != "month":
        facts.conversions.append(f"{_num(value)} ops hours a {period.name} is {_num(value * factor)} a month")


def _interactions(
    amount: Amount,
    first: str,
    after: list[str],
    before: list[str],
    text: str,
    facts: "Facts",
    words: Vocabulary,
) -> None:
    value = amount.value
    period = _period(after[1:], words)
    has_users = facts.users is not None or _count_in_text(text, words, words.nouns.users)
    if (
        not has_users
        and period is not None
        and period.name == "day"
        and value < 100
        and not _has(before[-2:], r"\btotal\b")
    ):
        # "and if it's 4 interactions a day": a handful a day is each user's, not the product's total.
        facts.interactions_per_day = value
        return
    per_user = (
        _has(before[-3:], r"\b(each|every|they|he|she|sends?|asks?|makes?|does|runs?|averages?|avg|per)\b")
        or _has(
            after[1:5], r"^(per|each|a|/) ?(user|customer|employee|person|seat|member|student|agent|head)"
        )
        or _has(after[1:6], r"(per|each|a) (user|customer|employee|person|seat|member|student|agent)")
    )
    if has_users and (per_user or period is None or period.name in {"day", "week"}):
        factor = period.factor / 30 if period is not None else Decimal(1)
        facts.interactions_per_day = clean(value * factor)
        if period is not None and period.name != "day":
            facts.conversions.append(
                f"{_num(value)} {first} a {period.name} per user is {_num(value * factor)} a day"
            )
        return
    monthly = clean(value * (period.factor if period is not None else Decimal(1)))
    if facts.interactions is not None:
        facts.interactions *= monthly
    else:
        facts.interactions = monthly
        if amount.high is not None:
            facts.highs["interactions"] = amount.high * (period.factor if period else Decimal(1))
    if period is not None and period.name != "month":
        facts.conversions.append(
            f"{format_tokens(value)} {first} a {period.name} is {format_tokens(monthly)} a month "
            f"(x {_num(period.factor)}; a month is 30 days)"
        )


def _share(
    amount: Amount, before: list[str], after: list[str], facts: "Facts", words: Vocabulary, text: str
) -> None:
    share = amount.value / 100

    def _high(slot: str) -> None:
        if amount.high is not None:
            facts.highs[slot] = amount.high / 100  # "35-40% hits": both ends are run

    def _put(slot: str) -> None:
        setattr(facts, slot, share)
        _high(slot)

    savings = ("cache_hit_share", "batch_share")

    window = f"{' '.join(before)} | {' '.join(after[:8])}"
    near = f"{' '.join(before[-2:])} | {' '.join(after[:4])}"
    if words.shares_named(" ".join(before), "cache_hit_cost"):
        _put("cache_hit_cost")
        return
    clause = _clause(amount, text)
    price_after = re.match(
        r"\s*(of (the |a )?(normal|full|regular|list|usual|standard|realtime|real-time) )?(price|rate|cost)\b",
        text[amount.end :],
    )
    off_after = re.match(r"\s*(cheaper|off|discount|less)\b", text[amount.end :])
    if (
        re.search(r"\bbatch|\basync|\boffline|\bovernight", clause)
        and not re.search(r"cach|\bhits?\b", clause)
        and (price_after or off_after)
    ):
        # "the batch api is half price", "billed at 60% of the normal rate", "async tier is 25% cheaper".
        facts.batch_discount = share if off_after else 1 - share
        return
    if _has(before[-4:], r"\bdiscount( \w+){0,2}$") and _has(before[-5:], r"\bbatch"):
        facts.batch_discount = share
        _high("batch_discount")  # "if the batch discount were only 25%"
        return
    hit_word = _has(before[-2:], r"\b(hits?|cached|reads?) at$") or (
        facts.cache_hit_share is not None and before[-1:] == ["at"]
    )
    if hit_word and _has(
        after[:5], r"^of (the |a )?(normal |full |regular |list |usual )?(price|cost|rate|call|request)"
    ):
        facts.cache_hit_cost = share
        _high("cache_hit_cost")  # "hits at 10% of the price"
        return
    own = _own_words(after[:10], r"\d.*%$")
    if _has(own, r"\binput\b.*\bcach", r"\bprompt cach", r"\bcach\w*( \w+)? input\b") or _has(
        before[-5:],
        r"\b(prompt cach\w*|cached input|input cach\w*)( hit)?( rate| share| ratio)?( of| at| is)?$",
    ):
        facts.cached_input_share = share
        _high("cached_input_share")  # "60% of the input is served from the prompt cache"
        return
    own_before, own_after = _own_phrase(amount, text)
    if facts.spend is not None and re.match(
        r"\s*of (it|that|this|the bill|the total|them)\s+(is|are|goes to|goes on|is on)\s+(ai|llm|inference|gpus?|models?)\b",
        text[amount.end :],
    ):
        # "total cloud bill is ~$90k/mo and about a third of it is ai": the AI part of the bill.
        part = clean(facts.spend * share)
        facts.conversions.append(
            f"{percent(share)} of {format_usd(facts.spend)} is {format_usd(part)} a month"
        )
        facts.spend = part
        return
    if re.match(
        r"\s*(of (it |them |the tokens |tokens )?(is |are )?)?(output|completions?)\b", own_after
    ) and not re.search(r"cach|batch", own_after):
        if facts.input_share is None:
            facts.input_share = 1 - share  # "30% input, 70% output": the input share, from either side
        return
    if re.match(rf"\s*(of )?(an? |one )?(\w+ )?{_ENGINEER}", own_after):
        facts.engineers = share  # "half an engineer", "a quarter of an SRE"
        return
    if facts.engineers is not None and re.match(
        r"\s*(of )?(his|her|their|its|the|an?)\s+(\w+\s+)?(time|week|hours)", own_after
    ):
        facts.engineers = clean(facts.engineers * share)  # "one SRE ... spending half her time on it"
        return
    for side in (own_after, own_before):
        # "40% cache hits, 30% batch" and "cache hits 40% and batch 30%": the words between a share and
        # the next comma, "and" or amount are its own, and say what it is before words further away.
        if words.shares_named(side, "utilisation"):
            _put("utilisation")  # "what if utilisation only hits 20%": the GPUs' busy share, not cache hits
            return
        slots = words.shares_named(side, *savings)
        if len(slots) == 1:
            _put(slots[0])
            return
    if before and before[-1] in {"for", "at", "of", "to", "is", "="}:
        # "batch api for 25% + caching 35%": a share joined to the words before it belongs to them.
        for slot in words.shares_named(" ".join(before[-4:]), *savings)[:1]:
            _put(slot)
            return
    if facts.active_share is None and _has(
        f"{' '.join(before[-1:])} | {' '.join(after[:2])}", r"\| (daily|active|dau)\b|\b(daily|dau)\b.*\|"
    ):
        _put("active_share")  # "70% daily, 10 prompts a day": the word right by the share wins
        return
    for slot in words.shares_named(near, *savings, "utilisation", "input_share")[:1]:
        _put(slot)
        return
    for slot in words.shares_named(window, *savings)[:1]:
        _put(slot)
        return
    for slot in words.shares_named(" ".join(after[:10]), *savings)[:1]:
        _put(slot)  # "40% of it isn't time-sensitive and could be batched"
        return
    if _has(near, r"\b(active|daily|every day|each day|dau|use it|uses it)\b"):
        _put("active_share")  # "15% daily active, ... 600 input": the near word wins over the far one
        return
    people = facts.users is not None or any(
        re.search(rf"\b{re.escape(noun)}\b", text) for noun in words.nouns.users
    )
    # "half of our jobs": a share of people only when people are counted
    for slot in words.shares_named(
        window, *savings, "utilisation", "input_share", *(["active_share"] if people else [])
    )[:1]:
        _put(slot)
        return
    about = words.shares_named(text, *savings)
    replaced = re.search(r"\b(instead of|rather than|not|from|vs\.?|versus)\s*$", text[: amount.start])
    if len(about) == 1 and getattr(facts, about[0]) is None and not replaced:
        _put(
            about[0]
        )  # "the batch endpoint gives 30% off. if half of our jobs go through it": the only saving named


_PHRASE_END = re.compile(r"[,;:!?(+&/]|\.(\s|$)|\s(and|plus|but|while|with)\s|[$\d]")
_PHRASE_START = re.compile(r".*([,;!?(+&]|\.\s|\s(and|plus|but|while|with)\s|\d[%kmb]?\s)", re.DOTALL)


def _own_phrase(amount: Amount, text: str) -> tuple[str, str]:
    """The words before and after an amount that no other amount, comma or "and" separates from it."""
    after = text[amount.end : amount.end + 60]
    stop = _PHRASE_END.search(after)
    own_after = after[: stop.start()] if stop else after
    before = text[max(0, amount.start - 60) : amount.start]
    start = _PHRASE_START.match(before)
    own_before = before[start.end() :] if start else before
    return own_before.lower(), own_after.lower()


_MOST_PER_GPU_HOUR = Decimal(20)
"""No single GPU rents for this much an hour (an H100 is $2-4): an hourly rate this high with no GPU
named beside it is people's time."""
_OPS = r"\b(ops|opps|eng|operations|devops|on.?call|sres?|maintenance|engineer|engineering|labou?r|staff|admin|mlops|people|person|someone|somebody|contractors?|consultants?|upkeep|attention|babysit\w*|pager|hourly rate for)\b"
_GPU = r"\b(gpu|gpus|[ahlb]\d{2,3}s?|l40s|mi\d{3}x?|instance|rental|card|node|box|server|compute)\b"
_ENGINEER = r"\b(engineers?|ftes?|sres?|ml engineers?|mles?|devops engineers?|hires?|headcount)\b"
_SPEND = r"\b(spend|spending|spent|bill|billed|invoice|api|apis|openai|anthropic)\b"
_FIXED = r"\b(fixed|storage|monitoring|networking|bandwidth|egress|overhead|other infra\w*|licen[cs]es?|retainer|flat|colo\w*)\b"
_SELF_HOSTING = r"self.?host|\bgpus?\b|\bh100|break.?even|own (gpus?|hardware|infra|cluster|models?)|on.?prem"
_CLAUSE_BREAK = r"[,;!?(+&]|\.\s|\s(and|plus|but|while|with|vs\.?|versus)\s"


_RATE_LABEL = re.compile(
    r"\b(hourly( rate| cost)?|(hour|hr)ly cost|rate|(an?|one|per|each) (\w+ )?hour( of)? (\w+ ){0,2}(costs?|is|runs?)( us)?)"
    r"\s*(of|is|=|:|at)?\s*$"
)
"""Words before an amount that make it an hourly rate: "ops hourly rate 90", "an hour of ops costs us $110"."""
_PER_HOUR = re.compile(
    r"\s*(/\s?(h|hr|hrs|hour)\b|per ((gpu|ops|eng|engineer|engineering|person|sre|devops)[ -]?)?(hour|hr)\b"
    r"|an hour\b|a hour\b|hourly\b|/gpu.?h)"
)
"""Words right after an amount that make it an hourly rate: "2.1 an hour", "$3.99 per GPU-hour", "$100 per ops-hour"."""


def _hourly(amount: Amount, text: str) -> bool:
    """An amount written as a rate per hour, by the label before it or the unit after it."""
    return bool(
        _RATE_LABEL.search(text[max(0, amount.start - 40) : amount.start])
        or _PER_HOUR.match(text[amount.end :])
    )


def _after_hours(amount: Amount, text: str) -> bool:
    """ "ops 20h/mo at $50", "20h x $100", "(call it 32h a month) at $85/h": a rate right after hours."""
    before = text[max(0, amount.start - 40) : amount.start]
    found = re.search(
        r"\d\s*((ops|operations?|eng|engineering|devops|on-call) )?(h|hrs?|hours)\b(?P<between>[^$\d;,!?]{0,25})(\b(at|x|times|and)|[@*])\s*$",
        before,
    )
    return found is not None and not re.search(_GPU, found["between"])


def _clause(amount: Amount, text: str) -> str:
    """The clause an amount sits in: from the separator before it to the one after it."""
    before = text[max(0, amount.start - 80) : amount.start]
    starts = [found.end() for found in re.finditer(_CLAUSE_BREAK, before)]
    after = text[amount.end : amount.end + 80]
    stop = re.search(_CLAUSE_BREAK, after)
    return (
        before[starts[-1] if starts else 0 :]
        + text[amount.start : amount.end]
        + (after[: stop.start()] if stop else after)
    )


def _own_words(after: list[str], amount: str = r"[$\d]") -> list[str]:
    """The words after an amount up to the next one: in "80% input, 50% of input cached" the cache is 50%'s."""
    upto = next((i for i, word in enumerate(after[1:], start=1) if re.match(amount, word)), len(after))
    return after[:upto]


def _distance(after: list[str], before: list[str], pattern: str) -> int:
    """How many words away the nearest word matching `pattern` is (99 when none is near).

    Words after the next amount belong to that amount: in "$3.99/h with $50/h for ops" the ops is $50's.
    """
    upto = next((i for i, word in enumerate(after[1:], start=1) if re.match(r"[$\d]", word)), len(after))
    distances = [i for i, word in enumerate(after[: min(5, upto)], start=1) if re.search(pattern, word)]
    distances += [i for i, word in enumerate(reversed(before[-4:]), start=1) if re.search(pattern, word)]
    return min(distances, default=99)


def _money(
    amount: Amount, before: list[str], after: list[str], facts: "Facts", words: Vocabulary, text: str
) -> None:
    value = amount.value
    joined = " ".join(after)
    if _hourly(amount, text) or _has(
        joined,
        r"^\S* ?(per|an|a|/) ?((gpu|ops|eng|engineer|engineering|person|sre|devops)[ -])?(hour|hr)\b",
        r"^(per gpu per hour|/h/gpu)\b",
    ):  # and, for dollars, "$3 each per hour", "100 dollars/hour"
        clause = _clause(amount, text)
        ops, gpu = re.search(_OPS, clause), re.search(_GPU, clause)
        if _after_hours(amount, text):
            facts.ops_rate = value  # "32h a month) at $85/h": the rate of the hours just given
        elif (ops is not None) != (gpu is not None):
            # "h100 at $3/h with ops 20h a month at $100/h": each rate's own clause says whose it is.
            if ops is not None:
                facts.ops_rate = value
            else:
                facts.gpu_hourly = value
        elif value >= _MOST_PER_GPU_HOUR:
            facts.ops_rate = value  # "billed at 100/hr": no single GPU rents for that; people do
        elif _distance(after, before, _OPS) < _distance(after, before, _GPU):
            facts.ops_rate = value
        else:
            facts.gpu_hourly = value
        return
    if _has(joined, r"^(/1k|per 1k|per thousand|/ 1k|per 1,000|/k)\b"):
        _api_price(facts, value)
        return
    if _has(joined, r"^(/1m|per 1m|per million|/ 1m|per 1,000,000|per mtok|/mtok|/m)\b"):
        _api_price(facts, value / 1000)
        return
    per_user = _has(
        joined,
        r"^(a|per|/|each) ?(active |paying |monthly |daily )?(user|customer|seat|head|employee|member|subscriber)",
    )
    if per_user or _has(joined, r"^(a|per|/|each) ?(query|request|message)"):
        if per_user:
            period = _period(after[2:], words, 3)
            factor = period.factor if period is not None else Decimal(1)
            facts.spend_per_user = clean(value * factor)
            if amount.high is not None:
                facts.highs["spend_per_user"] = clean(amount.high * factor)
        return
    period = _period(after, words, 3)
    clause = _clause(amount, text)
    if _after_hours(amount, text):
        facts.ops_rate = value  # "ops 20h/mo at $50", "20h x $100": the rate of those hours
        return
    spend_clause = re.search(_SPEND + r"|\b(pay|paying|spend)\b", clause)
    gpu_clause = re.search(_GPU, clause) and not re.search(_OPS, clause)
    if gpu_clause and not spend_clause and period is None and value < 20:
        facts.gpu_hourly = value  # "runpod h100s at the usual $2.69": a GPU price under $20 is by the hour
        return
    card_period = period or _period(after, words, 5)  # "$1,400 per card per month"
    if (
        gpu_clause
        and not spend_clause
        and card_period is not None
        and card_period.name == "month"
        and value < 100_000
    ):
        facts.gpu_monthly = value  # "reserved H100s cost us $1,800/mo per card"
        return
    near = text[max(0, amount.start - 60) : amount.end + 30]
    salary = re.search(_ENGINEER + r"|\bsalar(y|ies)\b|\bfully.loaded\b", clause) or (
        re.search(r"\beach\b|\bfully.loaded\b|\bper (head|person|engineer)\b", clause)
        and re.search(_ENGINEER, near)
    )
    salary = salary or re.search(
        _ENGINEER + r"[^.;$]{0,25}\(\s*$", text[max(0, amount.start - 60) : amount.start]
    )
    if salary and not re.search(_SPEND, re.sub(r"spending\b[^,.;]{0,25}\b(time|hours)", "", clause)):
        # "one dedicated engineer ($140k/yr)", "one SRE on $180k a year spending half her time on it"
        # "half an engineer at $180k/yr", "an ML engineer costs 15k a month": a salary, by the year.
        monthly = period is not None and period.name != "year"
        facts.engineer_annual_cost = clean(
            value * period.factor * 12 if period is not None and monthly else value
        )
        if facts.engineers is None and re.search(rf"\b(an?|one) (\w+ )?{_ENGINEER}", text):
            facts.engineers = Decimal(1)
        return
    if re.search(_FIXED, clause) and not re.search(_SPEND, clause) and re.search(_SELF_HOSTING, text):
        # "plus $800/mo for storage and monitoring": other fixed infrastructure a month.
        facts.fixed_monthly = clean(value * (period.factor if period is not None else Decimal(1)))
        return
    if period is None and (
        _has(before[-4:], r"\b(annual|annually|yearly)\b")
        or _has(after[:6], r"\b(last|this|per|a|each|every|in a|over the) year\b|\bannually\b")
    ):
        period = next(known for known in words.periods if known.name == "year")
    factor = period.factor if period is not None else Decimal(1)
    listed = re.search(r"\n|\+|\bplus\b", text[max(0, amount.start - 40) : amount.start])
    if facts.spend is not None and listed and amount.high is None and "spend" not in facts.highs:
        # "openai 6.2k / anthropic 2.1k / pinecone 900", one a line: the bill is their sum.
        total = clean(facts.spend + value * factor)
        facts.conversions.append(
            f"{format_usd(facts.spend)} + {format_usd(value * factor)} is {format_usd(total)} a month"
        )
        facts.spend = total
        return
    facts.spend = clean(value * factor)
    if amount.high is not None:
        facts.highs["spend"] = amount.high * factor
    if period is not None and period.name != "month":
        facts.conversions.append(
            f"{format_usd(value)} a {period.name} is {format_usd(value * factor, cents=True)} a month"
            + (" (a month is 30 days)" if period.name in {"day", "week"} else "")
        )


def _api_price(facts: "Facts", per_1k: Decimal) -> None:
    """One price per token is a blended rate; a second, different one (input vs output) cannot be blended safely."""
    if facts.api_price_per_1k is not None and facts.api_price_per_1k != per_1k:
        facts.issues.append(
            "I read two different prices per token (input and output?): I price input and output separately "
            "only for a named model, e.g. gpt-4o; name the model, or give one blended price per 1K tokens."
        )
        return
    facts.api_price_per_1k = per_1k


def _tokens(
    amount: Amount,
    first: str,
    rest: list[str],
    before: list[str],
    text: str,
    facts: "Facts",
    words: Vocabulary,
    given_role: str | None = None,
) -> None:
    value = amount.value
    joined = " ".join(rest)
    if first.endswith(("/s", "/sec")) or first == "tps" or _has(joined, r"^(per|a|/|each) ?(second|sec|s)\b"):
        facts.tokens_per_second = value
        return
    if _has(
        joined, r"^(per|a|/|each|on one|on a|for one|on each) ?(gpu|h100|card|node|replica|box|instance)"
    ) or _has(
        before[-4:],
        rf"\b(gpu|h100|card|node|replica|box)s? (\w+ly |can |could |will |would )?{_SERVES}",
        rf"\b(each|every|one|a single|per) (\w+ )?(can |could |will |would )?{_SERVES}$",
    ):
        facts.tokens_per_gpu = value
        return
    role = given_role or _role(before, rest, words)
    if role is None and _has(
        joined, r"^(each way|both ways|either way|in and out|in/out|in & out|in and the same out)\b"
    ):
        # "~400 tokens each way": as many in as out.
        both = Amount(value, amount.start, amount.end)
        _tokens(both, first, rest[2:], before, text, facts, words, "input")
        _tokens(both, first, rest[2:], before, text, facts, words, "output")
        return
    interaction_nouns = "|".join(re.escape(noun) for noun in words.nouns.interactions)
    per_interaction = (
        first.startswith("-token")
        or _has(joined, rf"^(\w+ )?(per|each|a|every|/) ?({interaction_nouns}|answer|response|reply)\b")
        or _has(
            before[-3:],
            rf"\b({interaction_nouns}|answers|responses|replies) (of|with|averaging|average|avg|around|at|are|is)$",
        )
        or _has(before[-4:], rf"\b(each|per|every|a|avg|average) ({interaction_nouns})\b")
    )
    own = rest[: next((i for i, word in enumerate(rest) if re.match(r"[$\d]", word)), len(rest))]
    period = _period(own, words)  # "200 tokens in x 3 msgs/day": the day is the messages', not the tokens'
    if period is None and role is not None:
        # "3M input and 400k output tokens per day": the pair shares the period written after it.
        pair = re.match(
            r"\s*((input|output|prompt|completion|in|out)s?\s+)?(tokens?\s+)?(and|\+|plus|,)\s+\S+\s+(output|input|out|in|completion|prompt)s?\s+(tokens?\s+)?(?P<period>.{0,20})",
            text[amount.end :],
        )
        if pair:
            period = _period(_words(pair["period"]), words, 3)
    over_a_year = re.match(
        r"\s*(tokens?\s+)?(total\s+)?(over|in|across|during|for)\s+(the\s+)?(next\s+|coming\s+)?(12 months|year|yr)\b",
        text[amount.end :],
    )
    if period is None and (
        over_a_year
        or _has(
            before[-5:],
            r"\b(annual|annually|yearly)\b|\b(a|per|each|next|this|the) (year|yr)\b|\bnext 12 months\b",
        )
    ):
        period = next(
            known for known in words.periods if known.name == "year"
        )  # "annual volume is 6B tokens"
    per_user = _has(joined, r"^(\w+ )?(per|each|a|/) ?(user|customer|employee|person|seat)")
    if per_user and (period is None or period.name == "day"):
        facts.tokens_per_user_per_day = value
        return
    if per_interaction:
        _per_interaction(facts, role, value)
        return
    has_count = (
        facts.users is not None
        or _count_in_text(text, words, words.nouns.users)
        or _count_in_text(text, words, words.nouns.interactions)
    )
    if has_count and value < _LOOSE_TOKENS and (period is None or facts.interactions_per_day is not None):
        _per_interaction(facts, role, value)
        return
    factor = period.factor if period is not None else Decimal(1)
    slot = {"input": "monthly_input", "output": "monthly_output"}.get(role or "", "monthly_tokens")
    setattr(facts, slot, clean(value * factor))
    if amount.high is not None:
        facts.highs[slot] = amount.high * factor
    if period is not None and period.name != "month":
        facts.conversions.append(
            f"{format_tokens(value)} tokens a {period.name} is {format_tokens(value * factor)} tokens a month "
            f"(x {_num(period.factor)}{'; a month is 30 days' if period.name != 'year' else ''})"
        )


_SERVES = (
    r"(serve|serves|serving|does|do|doing|handle|handles|handling|process|processes|processing|gets? through"
    r"|getting through|gives?|giving|pushes|push|pushing|manages?|churns? through|delivers?)\b"
)
"""Verbs of one GPU's monthly throughput: "each H100 gets through about 2B tokens a month"."""


def _per_interaction(facts: "Facts", role: str | None, value: Decimal) -> None:
    """Tokens per interaction by role; two without one ("of 600 tokens and 300 tokens") are in, then out."""
    if role == "input":
        facts.input_per_interaction = value
    elif role == "output":
        facts.output_per_interaction = value
    elif facts.tokens_per_interaction is not None and facts.output_per_interaction is None:
        facts.input_per_interaction = facts.input_per_interaction or facts.tokens_per_interaction
        facts.tokens_per_interaction, facts.output_per_interaction = None, value
    else:
        facts.tokens_per_interaction = value


def _role(before: list[str], rest: list[str], words: Vocabulary) -> str | None:
    """Input or output, from the word just before the amount or just after "tokens"."""
    while len(before) > 1 and before[-2].endswith("%"):
        before = before[
            :-2
        ]  # "30% input, 70% output, 80M tokens": those words are the shares', not these tokens'
    numbers = [i for i, word in enumerate(before) if re.match(r"[$\d]", word)]
    if numbers and numbers[-1] >= len(before) - 3 and before[-1] not in {"input", "output"}:
        before = before[numbers[-1] + 1 :]  # "600 tokens input, 300 tokens ...": those words are 600's
    if _has(
        rest[:4],
        r"^(of|in (the|each|a|its)|per|for (the|each|a|its)) (\w+ )?(output|completion|response|reply|answer|generation)s?\b",
    ):
        return "output"  # "300 tokens in the response", "300 tokens per answer", "300 tokens for the reply"
    last = (before[-1] if before else "").strip(".,;:!?")
    if last in {"in", "out"}:
        last = ""  # "price out 120M tokens", "put in 5M": a verb's particle, not the tokens' role
    following = (rest[0] if rest else "").strip(".,;:!?")
    roles = words.roles
    for word in (following, last):
        if word in roles.output:
            return "output"
        if word in roles.input:
            return "input"
    if rest[:2] and _has(
        rest[:3],
        r"^(of )?(output|back|in return|generated|answers?|responses?|replies|coming back|comes? back|received)",
    ):
        return "output"
    if rest[:2] and _has(rest[:3], r"^(going in|goes in|sent (in|to|into)|coming in)"):
        return "input"
    if _has(rest[:3], r"^((we|you|they|i|users?) )?(send|sent|feed|pass|put in|submit)\b"):
        return "input"  # "for every 600 tokens we send"
    if rest[:2] and _has(
        rest[:3], r"^of (input|prompts?|context|history|instructions|documents?|retrieved)\b"
    ):
        return "input"
    if _has(
        before[-3:],
        r"\b(gets?|receives?|returns?|generates?|outputs?|produces?|writes?|drafts?|outputting|generating"
        r"|returning|producing|writing)\b",
        r"\b(reply|replies|respond|responds|answer|answers|answering|replying|responding) (with|in)$",
    ):
        return "output"
    if _has(
        before[-3:],
        r"\b(answers?|responses?|replies|reply|completions?)( are| is| average| averaging| avg| of| run| runs| come to| use)?$",
    ):
        return "output"
    if _has(
        before[-3:],
        r"\b(questions?|prompts?|requests?|messages?|queries|query|inputs?)( are| is| average| averaging| avg)$",
    ):
        return "input"
    return None


def clean(value: Decimal) -> Decimal:
    """A computed amount without noise digits: 120K / 12 is 10000, not 10000.000...0."""
    rounded = value.quantize(Decimal("0.000001"))
    if rounded == rounded.to_integral_value():
        return rounded.quantize(Decimal(1))
    return rounded.normalize() if abs(value) >= 1 else value


def _num(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')).normalize():f}"
