"""Find model and GPU names in a question: known ones by name or alias, unknown ones by their shape.

"Is Claude Sonnet 4.6 cheaper than GPT-5?" names two models; "on AWS" names a GPU offer; "gpt-7"
looks like a model name no table knows and is reported as unknown with the closest known names,
never priced as some default. Names are blanked out of the text afterwards, so the 4 in GPT-4o or
the 100 in H100 is not read as an amount.
"""

import difflib
import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge.prices import ModelName, model_names, name_key, near_gpus, near_models
from knowledge.tables import Tables
from knowledge.vocabulary import vocabulary

_PART = re.compile(r"[a-z]+|[0-9]+[a-z]*")
_GLUE = re.compile(r"^[-._]?$")
"""What may sit between two parts of one name without a space: "gpt-4o", "4.6", "gpt4o"."""
_LONGEST = 8
_GPU_SHAPE = re.compile(
    r"(?:\b(?:on|an?|rent|renting|with|using)\s+(?:an?\s+)?)(?P<name>[a-z]{1,2}\d{2,4}[a-z]?)s?\b(?!\s*(?:tokens|users|/))"
    r"|(?P<name2>[a-z]{1,2}\d{2,4}[a-z]?)s?\s+gpus?\b"
)
"""A GPU-like name ("H900", "Z900 GPU") that no table knows: said to be unknown, never priced as an H100."""


@dataclass
class Names:
    """The names a question mentions, in the order it mentions them."""

    models: list[str] = field(default_factory=list)
    """Model names to price (guide table names or genai-prices ids)."""
    named_default: bool = False
    """The default GPU offer was named by its provider ("runpod"), not only as a bare "H100"."""
    profiles: list[str] = field(default_factory=list)
    """Throughput profiles of open models named ("llama 3 70b"), for self-hosting questions."""
    gpus: list[str] = field(default_factory=list)
    """GPU offers from gpus.yml."""
    unknown_models: list[tuple[str, list[str]]] = field(default_factory=list)
    """(what the user wrote, the closest known names)."""
    unknown_gpus: list[tuple[str, list[str]]] = field(default_factory=list)
    masked: str = ""
    """The text with every name blanked out."""
    corrected: list[tuple[str, str]] = field(default_factory=list)
    """Misspelt name words read as the known word they are close to ("claud" -> "claude")."""


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    key: str
    """The name as `name_key` writes it."""
    glued_after: bool
    """The next part follows without a space ("gpt-5" in "gpt-5.9"): the name goes on."""


@functools.cache
def _gpu_names(tables: Tables) -> dict[str, str]:
    names = {name_key(alias): row.name for row in tables.gpus for alias in (row.name, *row.aliases)}
    names |= {name_key(alias.alias): alias.gpu for alias in vocabulary().gpu_aliases}
    return names


@functools.cache
def _profiles() -> dict[str, str]:
    return {name_key(model.alias): model.profile for model in vocabulary().self_hosted_models}


@functools.cache
def _all_keys(tables: Tables) -> frozenset[str]:
    unknown_gpus = {name_key(name) for name in vocabulary().unknown_gpus}
    return frozenset(
        model_names(tables).keys() | _gpu_names(tables).keys() | _profiles().keys() | unknown_gpus
    )


_TYPO_SIMILARITY = 0.88
"""How alike a written word and a name word must be to read one as the other ("sonet" is "sonnet")."""


_ENGLISH = frozenset({"command"})
"""Name words that are everyday words too: "commands" is not a misspelt Cohere Command."""


@functools.cache
def _name_words(tables: Tables) -> tuple[frozenset[str], tuple[str, ...]]:
    """Every word of every known name, and the words a misspelling may be read as (families, one-word aliases)."""
    known = frozenset(word for key in _all_keys(tables) for word in key.split(" "))
    targets = {*vocabulary().model_families, *(key for key in _all_keys(tables) if key.isalpha())}
    return known, tuple(sorted(word for word in targets if len(word) >= 5 and word not in _ENGLISH))


def _correct_typos(text: str, tables: Tables) -> tuple[str, list[tuple[str, str]]]:
    """ "claud sonet" -> "claude sonnet": a word of 5-10 letters that no name has, very close to a name word."""
    known, targets = _name_words(tables)
    corrected: list[tuple[str, str]] = []

    def fix(match: re.Match[str]) -> str:
        word = match[0]
        if word in known or not 5 <= len(word) <= 10:
            return word
        close = difflib.get_close_matches(word, targets, n=1, cutoff=_TYPO_SIMILARITY)
        if not close:
            return word
        corrected.append((word, close[0]))
        return close[0]

    return re.sub(r"\b[a-z]+\b", fix, text), corrected


def find_names(text: str, tables: Tables) -> Names:
    """The models, open models, GPU offers and unknown names in `text` (lowercase)."""
    text, corrected = _correct_typos(text, tables)
    parts = list(_PART.finditer(text))
    models = model_names(tables)
    gpus = _gpu_names(tables)
    profiles = _profiles()
    unknown_gpus = {name_key(name) for name in vocabulary().unknown_gpus}
    families = set(vocabulary().model_families)
    found = Names(corrected=corrected)
    blank: list[tuple[int, int]] = []
    gpu_spans: list[tuple[int, int]] = []
    """GPU names are masked as the word "gpu", so "an h100 at $3/h" still reads as a GPU's price."""
    keys = _all_keys(tables)
    index = 0
    while index < len(parts):
        match = _longest(text, parts, index, keys)
        if match is None:
            if parts[index].group() in families:
                index = _unknown_model(text, parts, index, models, tables, found, blank)
            else:
                index += 1
            continue
        span, length = match
        if span.key in unknown_gpus and span.key not in gpus:
            found.unknown_gpus.append((text[span.start : span.end], near_gpus(span.key, tables)))
        elif span.key in gpus:
            found.gpus.append(gpus[span.key])
            if re.search(r"runpod|community", span.key):
                found.named_default = True  # "runpod community h100s" is the default offer, asked for by name
        else:
            if span.key in models and (
                span.glued_after or _versioned_family(text, parts, index, span, families)
            ):
                index = _unknown_model(text, parts, index, models, tables, found, blank)
                continue
            if span.key in profiles:
                found.profiles.append(profiles[span.key])
            if span.key in models:
                found.models.append(_model(models[span.key]))
        gpu_span = span.key in gpus or (span.key in unknown_gpus and span.key not in gpus)
        (gpu_spans if gpu_span else blank).append((span.start, span.end))
        index += length
    for shape in _GPU_SHAPE.finditer(_blank(text, blank + gpu_spans)):
        group = "name" if shape["name"] else "name2"
        written = shape[group]
        if name_key(written) not in gpus and name_key(written) not in models:
            found.unknown_gpus.append((written, near_gpus(written, tables)))
            gpu_spans.append((shape.start(group), shape.end(group)))
    found.models = list(dict.fromkeys(found.models))
    found.gpus = list(dict.fromkeys(found.gpus))
    if not found.named_default:
        found.gpus = _specific_first(found.gpus, tables)
    found.masked = _blank(text, blank, gpu_spans)
    return found


def _model(name: ModelName) -> str:
    return name.model


def _longest(
    text: str, parts: list[re.Match[str]], index: int, keys: frozenset[str]
) -> tuple[_Span, int] | None:
    """The longest known name starting at part `index`, with how many parts it spans."""
    for length in range(min(_LONGEST, len(parts) - index), 0, -1):
        chunk = parts[index : index + length]
        gaps = [_gap(text, left, right) for left, right in itertools.pairwise(chunk)]
        if any(gap is None for gap in gaps):
            continue
        if any(
            gap == " " and re.fullmatch("[a-z]", left.group()) for gap, left in zip(gaps, chunk, strict=False)
        ):
            continue  # "a 10% share" is an article and a number, not an A10
        if text[chunk[-1].end() : chunk[-1].end() + 1] == "%":
            continue
        key = " ".join(part.group() for part in chunk)
        if key in keys:
            after = parts[index + length] if index + length < len(parts) else None
            glued = (
                after is not None
                and after.group()[0].isdigit()
                and text[chunk[-1].end() : after.start()] in {"", "-", ".", "_"}
            )
            return _Span(chunk[0].start(), chunk[-1].end(), key, glued), length
    return None


def _versioned_family(
    text: str, parts: list[re.Match[str]], index: int, span: _Span, families: set[str]
) -> bool:
    """A bare family word followed by a short version ("claude 9"): a name the table may not know."""
    after = index + 1
    return (
        span.key in families
        and after < len(parts)
        and re.fullmatch(r"\d{1,2}", parts[after].group()) is not None
        and text[span.end : parts[after].start()] in {" ", "-", ""}
    )


def _gap(text: str, left: re.Match[str], right: re.Match[str]) -> str | None:
    """The separator between two parts of one name: "", "-", ".", "_" or " "; None when they are apart."""
    between = text[left.end() : right.start()]
    if _GLUE.match(between):
        return between
    if between.strip(" -") == "" and len(between) <= 3:
        return " "
    return None


def _unknown_model(
    text: str,
    parts: list[re.Match[str]],
    index: int,
    models: dict[str, ModelName],
    tables: Tables,
    found: Names,
    blank: list[tuple[int, int]],
) -> int:
    """A family word and the version parts glued to it ("gpt-7", "claude 9 opus"): unknown unless a known name starts so."""
    variants = set(vocabulary().model_variant_words)
    end = index + 1
    while end < len(parts) and end - index < _LONGEST:
        gap = _gap(text, parts[end - 1], parts[end])
        word = parts[end].group()
        if gap is None or not (word[0].isdigit() or word in variants):
            break
        end += 1
    if end == index + 1:
        return index + 1  # a bare family word ("GPT models") names no model
    key = " ".join(part.group() for part in parts[index:end])
    start, stop = parts[index].start(), parts[end - 1].end()
    longer = sorted((known for known in models if known.startswith(key + " ")), key=len)
    maker = next(
        (f"{family} {key}" for family in ("claude", "gpt", "gemini") if f"{family} {key}" in models), None
    )
    if key in models:
        found.models.append(_model(models[key]))
    elif maker is not None:
        found.models.append(_model(models[maker]))
    elif longer:
        found.models.append(_model(models[longer[0]]))
    else:
        written = text[start:stop]
        found.unknown_models.append((written, near_models(written, tables)))
    blank.append((start, stop))
    return end


def _specific_first(gpus: list[str], tables: Tables) -> list[str]:
    """ "Lambda H100" names Lambda's offer and the generic H100: keep the specific one."""
    default = tables.gpus[0].name
    specific = [gpu for gpu in gpus if gpu != default]
    return specific or gpus


def _blank(text: str, spans: list[tuple[int, int]], gpu_spans: Sequence[tuple[int, int]] = ()) -> str:
    characters = list(text)
    for start, end in spans:
        characters[start:end] = " " * (end - start)
    for start, end in gpu_spans:
        characters[start:end] = "gpu".ljust(end - start) if end - start >= 3 else " " * (end - start)
    return "".join(characters)
