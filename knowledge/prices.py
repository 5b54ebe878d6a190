"""Find a model's or a GPU's price, and say where it came from.

The guide's own table comes first (the advisor quotes the user's document); any other model is
looked up in the pinned `genai-prices` package, which ships its data and works offline.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from calculators.api_cost import ModelPrice
from knowledge.errors import UnknownGpuError, UnknownModelError
from knowledge.tables import GpuRow, Tables

GENAI_PRICES_VERSION = "0.2.3"
"""Pinned in pyproject.toml; its bundled snapshot is the price list for models the guide omits."""


@dataclass(frozen=True)
class PriceQuote:
    """A model's prices and their provenance."""

    price: ModelPrice
    provider: str
    source: str
    as_of: dt.date | None


def _key(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def find_model(name: str, tables: Tables) -> PriceQuote:
    """The list prices of `name`: the guide's table first, then genai-prices.

    Raises:
        UnknownModelError: neither source knows the model; the message lists the guide's models.
    """
    wanted = _key(name)
    for row in tables.models:
        if wanted == row.name or wanted in {_key(alias) for alias in row.aliases}:
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
    return _from_genai_prices(name, tables)


def _from_genai_prices(name: str, tables: Tables) -> PriceQuote:
    from genai_prices import Usage, calc_price

    million = 1_000_000
    try:
        result = calc_price(Usage(input_tokens=million, output_tokens=million), name.strip())
    except LookupError as error:
        known = ", ".join(row.name for row in tables.models)
        raise UnknownModelError(
            f"no price known for model {name!r}: try one of {known}, or any model genai-prices knows"
        ) from error
    cache_read = getattr(result.model_price, "cache_read_mtok", None)
    return PriceQuote(
        price=ModelPrice(
            model=result.model.id,
            input_per_million=Decimal(result.input_price),
            output_per_million=Decimal(result.output_price),
            cached_input_per_million=cache_read if isinstance(cache_read, Decimal) else None,
        ),
        provider=result.provider.name,
        source=f"genai-prices {GENAI_PRICES_VERSION} bundled price data (pydantic/genai-prices)",
        as_of=None,
    )


def find_gpu(name: str, tables: Tables) -> GpuRow:
    """A GPU rental offer by name or alias.

    Raises:
        UnknownGpuError: the GPU is not in gpus.yml; the message lists the known ones.
    """
    wanted = _key(name)
    for row in tables.gpus:
        if wanted == row.name or wanted in {_key(alias) for alias in row.aliases}:
            return row
    known = ", ".join(row.name for row in tables.gpus)
    raise UnknownGpuError(f"no rental price known for GPU {name!r}: use one of {known}, or --gpu-hourly USD")
