"""Find a model's or a GPU's price, and say where it came from.

The guide's own table comes first (the advisor quotes the user's document); any other model is
looked up in the pinned `genai-prices` package, which ships its data and works offline.
"""

import datetime as dt
import difflib
import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from calculators.api_cost import ModelPrice
from knowledge.errors import UnknownGpuError, UnknownModelError
from knowledge.tables import GpuRow, Tables
from knowledge.vocabulary import vocabulary

GENAI_PRICES_VERSION = "0.2.3"
"""Pinned in pyproject.toml; its bundled snapshot is the price list for models the guide omits."""


@dataclass(frozen=True)
class PriceQuote:
    """A model's prices and their provenance."""

    price: ModelPrice
    provider: str
    source: str
    as_of: dt.date | None


@dataclass(frozen=True)
class ModelName:
    """What a model name (or alias) refers to: a row of the guide's table or a genai-prices model."""

    model: str
    """The guide table's name, or the genai-prices model id."""
    provider: str | None
    """The genai-prices provider id; None for the guide's table."""


_NAME_PARTS = re.compile(r"[a-z]+|[0-9]+[a-z]*")


def name_key(name: str) -> str:
    """A model or GPU name reduced to comparable words: "Claude-Sonnet-4.6" and "claude sonnet 4-6" alike."""
    text = name.strip().lower().rsplit("/", 1)[-1]
    return " ".join(_NAME_PARTS.findall(text))


def _key(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


_SUFFIX_WORDS = frozenset({"chat", "hf", "instruct", "turbo", "lite", "versatile", "latest", "preview", "it"})


@functools.cache
def _genai_names() -> dict[str, ModelName]:
    """Every genai-prices model of a known family by id, name and id without its trailing qualifiers."""
    from genai_prices import data_snapshot

    words = vocabulary()
    families = set(words.model_families)
    order = {provider: rank for rank, provider in enumerate(words.provider_preference)}
    providers = sorted(
        data_snapshot.get_snapshot().providers, key=lambda provider: order.get(provider.id, len(order))
    )
    names: dict[str, ModelName] = {}
    for provider in providers:
        for model in provider.models:
            if getattr(model, "deprecated", False):
                continue
            keys = [name_key(model.id), name_key(model.name or "")]
            parts = keys[0].split(" ")
            while len(parts) > 2 and (
                parts[-1] in _SUFFIX_WORDS or (parts[-1].isdigit() and len(parts[-1]) == 4)
            ):
                parts.pop()
                keys.append(" ".join(parts))
            for key in keys:
                if key and (key.split(" ")[0] in families or "".join(key.split(" ")[:2]) in families):
                    names.setdefault(key, ModelName(model.id, provider.id))
    return names


@functools.cache
def model_names(tables: Tables) -> dict[str, ModelName]:
    """Every model name the advisor knows, by `name_key`: the guide's table, then vocabulary aliases, then genai-prices."""
    names: dict[str, ModelName] = {}
    for row in tables.models:
        for name in (row.name, *row.aliases):
            names.setdefault(name_key(name), ModelName(row.name, None))
    genai = _genai_names()
    for alias in vocabulary().model_aliases:
        target = genai.get(name_key(alias.model))
        names.setdefault(name_key(alias.alias), target or ModelName(alias.model, None))
    for key, known in genai.items():
        names.setdefault(key, known)
    return names


_NEAR_MODEL = 0.65
"""How alike (difflib ratio) a written model name and a known one must be to suggest it: "gpt-7" finds gpt-5."""
_NEAR_GPU = 0.5
"""The same for GPU offers: "azur" finds azure-h100, "toaster" finds none."""


def near_models(name: str, tables: Tables, limit: int = 3) -> list[str]:
    """The known model names near `name`, best first; empty when none is near."""
    names = model_names(tables)
    keys = difflib.get_close_matches(name_key(name), list(names), n=limit * 4, cutoff=_NEAR_MODEL)
    return list(dict.fromkeys(names[key].model for key in keys))[:limit]


def closest_models(name: str, tables: Tables, limit: int = 3) -> list[str]:
    """The known model names nearest to `name`, best first; the guide's models when none is near."""
    return near_models(name, tables, limit) or [row.name for row in tables.models]


def near_gpus(name: str, tables: Tables, limit: int = 3) -> list[str]:
    """The known GPU offers near `name`, best first; empty when none is near."""
    candidates = {name_key(alias): row.name for row in tables.gpus for alias in (row.name, *row.aliases)}
    keys = difflib.get_close_matches(name_key(name), list(candidates), n=limit * 3, cutoff=_NEAR_GPU)
    return list(dict.fromkeys(candidates[key] for key in keys))[:limit]


def closest_gpus(name: str, tables: Tables, limit: int = 3) -> list[str]:
    """The known GPU offers nearest to `name`, best first; every known offer when none is near."""
    return near_gpus(name, tables, limit) or [row.name for row in tables.gpus]


def find_model(name: str, tables: Tables) -> PriceQuote:
    """The list prices of `name`: the guide's table first, then genai-prices.

    Raises:
        UnknownModelError: neither source knows the model; the message lists the guide's models.
    """
    wanted = _key(name)
    known = model_names(tables).get(name_key(name))
    for row in tables.models:
        if (
            wanted == row.name
            or wanted in {_key(alias) for alias in row.aliases}
            or (known is not None and known.provider is None and known.model == row.name)
        ):
            return PriceQuote(
                price=ModelPrice(
                    model=row.name,
                    input_per_million=row.input_per_million,
                    output_per_million=row.output_per_million,
                    cached_input_per_million=(
                        row.input_per_million * row.cached_input_multiplier
                        if row.cached_input_multiplier is not None
                        else None
                    ),
                    batch_multiplier=row.batch_multiplier,
                ),
                provider=row.provider,
                source=row.source,
                as_of=row.as_of,
            )
    if known is not None and known.provider is not None:
        return _from_genai_prices(known.model, tables, provider=known.provider, asked=name)
    return _from_genai_prices(name.strip(), tables, asked=name)


def _from_genai_prices(model: str, tables: Tables, *, provider: str | None = None, asked: str) -> PriceQuote:
    from genai_prices import Usage, calc_price

    # Priced on a request of 1K tokens each way and scaled: tiers like "above 200K tokens of context"
    # are per request, so a million-token request would be priced at the long-context rate.
    sample = 1_000
    try:
        result = calc_price(
            Usage(input_tokens=sample, output_tokens=sample),
            model,
            provider_id=provider,
            genai_request_timestamp=_list_price_time(),
        )
    except LookupError as error:
        near = near_models(asked, tables)
        known = f"the closest known are {', '.join(near)}" if near else _every_model(tables)
        raise UnknownModelError(f"no price known for model {asked!r}: {known}") from error
    cache_read = getattr(result.model_price, "cache_read_mtok", None)
    cache_read = getattr(cache_read, "base", cache_read)  # tiered: the rate below the long-context tier
    per_million = Decimal(1_000_000 // sample)
    return PriceQuote(
        price=ModelPrice(
            model=result.model.id,
            input_per_million=_plain(Decimal(result.input_price) * per_million),
            output_per_million=_plain(Decimal(result.output_price) * per_million),
            cached_input_per_million=cache_read if isinstance(cache_read, Decimal) else None,
        ),
        provider=result.provider.name,
        source=f"genai-prices {GENAI_PRICES_VERSION} bundled price data (pydantic/genai-prices)",
        as_of=None,
    )


def _plain(value: Decimal) -> Decimal:
    """$0.15 and $10, not $0.15000 and $1E+1: a price without the scaling's trailing zeros."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def _list_price_time() -> dt.datetime:
    """Today at noon UTC: some providers discount off-peak hours, and a figure must not depend on the hour asked."""
    return dt.datetime.combine(dt.datetime.now(dt.UTC).date(), dt.time(12), tzinfo=dt.UTC)


def find_gpu(name: str, tables: Tables) -> GpuRow:
    """A GPU rental offer by name or alias.

    Raises:
        UnknownGpuError: the GPU is not in gpus.yml; the message lists the known ones.
    """
    wanted = _key(name)
    extra = {name_key(alias.alias): alias.gpu for alias in vocabulary().gpu_aliases}
    for row in tables.gpus:
        if (
            wanted == row.name
            or wanted in {_key(alias) for alias in row.aliases}
            or extra.get(name_key(name)) == row.name
        ):
            return row
    near = near_gpus(name, tables)
    known = (
        f"the closest known are {', '.join(near)}"
        if near
        else f"the known GPU offers are {', '.join(row.name for row in tables.gpus)}"
    )
    raise UnknownGpuError(f"no rental price known for GPU {name!r}: {known}; or give --gpu-hourly USD")


def _every_model(tables: Tables) -> str:
    return (
        f"the guide's models are {', '.join(row.name for row in tables.models)} "
        "(any model genai-prices knows also works, by its name)"
    )
