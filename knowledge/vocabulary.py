"""The reader's vocabulary: units, periods, number words, intent cues, model and GPU aliases.

Kept as data in knowledge/data/vocabulary.yml (as genai-prices keeps its `match:` rules) and
validated here on load: a misspelt key, a cue that is not a valid regular expression or a fraction
that is not a number stops the advisor at start-up with the field named.
"""

import datetime as dt
import functools
import re
from decimal import Decimal
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from knowledge.errors import DataTableError

VOCABULARY_FILE = Path(__file__).parent / "data" / "vocabulary.yml"


def _ratio(text: str) -> Decimal:
    """ "1/3" or "0.5" as a Decimal."""
    numerator, _, denominator = text.partition("/")
    value = Decimal(numerator.strip())
    return value / Decimal(denominator.strip()) if denominator else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Strict):
    """A period a rate can be given per, and how many of it make a month."""

    name: str
    per_month: str
    phrases: tuple[str, ...]

    @field_validator("per_month")
    @classmethod
    def _number(cls, value: str) -> str:
        _ratio(value)
        return value

    @property
    def factor(self) -> Decimal:
        """Multiply a rate per this period by this to get a rate per month."""
        return _ratio(self.per_month)


class Cues(_Strict):
    """Regular expressions that say what a question asks for."""

    breakeven: tuple[str, ...]
    cost: tuple[str, ...]
    tokens: tuple[str, ...]
    phase: tuple[str, ...]
    savings: tuple[str, ...]
    compare: tuple[str, ...]
    breakeven_point: tuple[str, ...]
    """The question asks for the break-even volume itself (no volume needed)."""
    follow_up: tuple[str, ...]
    """The question reads as a change to the previous one ("and at 2B?", "with Claude instead?")."""
    phase_after: tuple[str, ...] = ()
    """The phase asked is the one after a saving ("which phase would we be in after caching?")."""


class ShareCues(_Strict):
    """Words near a percentage that say what it is a share of."""

    cache_hit_cost: tuple[str, ...]
    cache_hit_share: tuple[str, ...]
    batch_share: tuple[str, ...]
    utilisation: tuple[str, ...]
    input_share: tuple[str, ...]
    active_share: tuple[str, ...]


class Nouns(_Strict):
    """What a count counts."""

    users: tuple[str, ...]
    daily_users: tuple[str, ...]
    interactions: tuple[str, ...]
    ops: tuple[str, ...]
    engineers: tuple[str, ...]
    gpus: tuple[str, ...]
    tokens: tuple[str, ...]


class Roles(_Strict):
    """Words that make tokens input or output."""

    input: tuple[str, ...]
    output: tuple[str, ...]


class ModelAlias(_Strict):
    """Another name for a model genai-prices knows."""

    alias: str
    model: str


class SelfHostedModel(_Strict):
    """An open model people self-host, and the throughput profile it runs at."""

    alias: str
    profile: str


class GpuAlias(_Strict):
    """Another name for a GPU offer in gpus.yml."""

    alias: str
    gpu: str


class Synonym(_Strict):
    """Words people use for something the guide names otherwise: searched as the guide's words too."""

    say: tuple[str, ...]
    """Regular expressions over the lowercased question."""
    means: str
    """The guide's words for it, added to the words a search ranks by."""


class Vocabulary(_Strict):
    """Everything in vocabulary.yml."""

    source: str
    as_of: dt.date
    scales: dict[str, Decimal]
    number_words: dict[str, Decimal]
    fractions: dict[str, str]
    approximately: tuple[str, ...]
    periods: tuple[Period, ...]
    roles: Roles
    nouns: Nouns
    cues: Cues
    share_cues: ShareCues
    everyone_active: tuple[str, ...]
    model_aliases: tuple[ModelAlias, ...]
    model_families: tuple[str, ...]
    model_variant_words: tuple[str, ...]
    provider_preference: tuple[str, ...]
    self_hosted_models: tuple[SelfHostedModel, ...]
    gpu_aliases: tuple[GpuAlias, ...]
    unknown_gpus: tuple[str, ...]
    synonyms: tuple[Synonym, ...] = ()

    @field_validator("fractions")
    @classmethod
    def _fractions(cls, value: dict[str, str]) -> dict[str, str]:
        for phrase, text in value.items():
            share = _ratio(text)
            if not Decimal(0) < share <= Decimal(1):
                raise ValueError(f"fraction {phrase!r} is {text}, not a share between 0 and 1")
        return value

    @model_validator(mode="after")
    def _patterns_compile(self) -> "Vocabulary":
        patterns = [
            *(pattern for field in Cues.model_fields for pattern in getattr(self.cues, field)),
            *(pattern for field in ShareCues.model_fields for pattern in getattr(self.share_cues, field)),
            *self.everyone_active,
            *(pattern for synonym in self.synonyms for pattern in synonym.say),
        ]
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"cue {pattern!r} is not a regular expression: {error}") from error
        return self

    def search_words(self, question: str) -> str:
        """The question with the guide's words for the things it names otherwise ("on-prem" -> self-hosted)."""
        text = question.lower()
        extra = [
            synonym.means
            for synonym in self.synonyms
            if any(re.search(pattern, text) for pattern in synonym.say)
        ]
        return " ".join([question, *extra])

    def fraction(self, phrase: str) -> Decimal:
        """A share written in words ("a third") as a Decimal."""
        return _ratio(self.fractions[phrase])

    def cue_patterns(self, intent: str) -> tuple[re.Pattern[str], ...]:
        """The compiled cues of one group (breakeven, cost, tokens, phase, savings, compare, follow_up...)."""
        return _compiled(getattr(self.cues, intent))

    def share_patterns(self, slot: str) -> tuple[re.Pattern[str], ...]:
        """The compiled cues of one share slot (cache_hit_share, batch_share...)."""
        return _compiled(getattr(self.share_cues, slot))

    def shares_named(self, text: str, *slots: str) -> list[str]:
        """Those of `slots` whose cues `text` has, in the order given."""
        return [slot for slot in slots if any(pattern.search(text) for pattern in self.share_patterns(slot))]


@functools.cache
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in patterns)


def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """Read and validate the vocabulary.

    Raises:
        DataTableError: the file is missing, is not YAML, or breaks the schema.
    """
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DataTableError(f"cannot read vocabulary {path.name}: {error}") from error
    try:
        return Vocabulary.model_validate(loaded)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise DataTableError(f"vocabulary {where}: {first['msg']}") from error


@functools.cache
def vocabulary() -> Vocabulary:
    """The bundled vocabulary, loaded once per process."""
    return load_vocabulary()
