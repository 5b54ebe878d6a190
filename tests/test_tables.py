"""The dated, sourced data tables and the price lookup behind every figure."""

import shutil
from decimal import Decimal as D
from pathlib import Path

import pytest

from bot.calculations.cost import CostRequest, run_cost
from knowledge.errors import DataTableError, UnknownGpuError, UnknownModelError
from knowledge.prices import find_gpu, find_model
from knowledge.tables import DATA_DIR, load_tables, tables, tables_fingerprint


def test_every_row_has_a_source_and_date() -> None:
    """Every price, GPU offer and throughput profile says where it comes from and when."""
    loaded = tables()
    for row in (*loaded.models, *loaded.gpus, *loaded.profiles):
        assert row.source.strip(), row.name
        assert row.as_of.year >= 2025, row.name


def test_guide_defaults_match_the_reference() -> None:
    """The framework defaults are the guide's: $0.015/1K, RunPod H100 $2.69/h, ~167M tokens per GPU-month."""
    loaded = tables()
    assert loaded.framework.api_price_per_1k == D("0.015")
    assert find_gpu(loaded.framework.gpu, loaded).hourly == D("2.69")
    assert loaded.profile("guide").tokens_per_gpu_month == D(167_000_000)
    assert [band.starts_at for band in loaded.phases.bands()] == [D(0), D(10_000), D(50_000)]


def test_guide_model_prices_come_from_the_guide() -> None:
    """GPT-4o is priced from the guide's table, with its source named."""
    quote = find_model("GPT-4o", tables())
    assert (quote.price.input_per_million, quote.price.output_per_million) == (D("2.50"), D(10))
    assert quote.source.startswith("guide")


def test_other_models_come_from_genai_prices_and_say_so() -> None:
    """A model the guide omits is priced from genai-prices, and the quote names that source."""
    quote = find_model("gpt-4o-mini", tables())
    assert quote.price.input_per_million == D("0.15")
    assert "genai-prices" in quote.source


@pytest.mark.parametrize(
    ("model", "list_prices"),
    [("claude-sonnet-4-5", (D(3), D(15))), ("gemini-2.5-pro", (D("1.25"), D(10)))],
)
def test_models_with_a_long_context_tier_are_priced_at_their_list_rate(
    model: str, list_prices: tuple[D, D]
) -> None:
    """A model that charges more above 200K tokens of context is quoted at its normal per-1M rate, not that tier's."""
    price = find_model(model, tables()).price
    assert (price.input_per_million, price.output_per_million) == list_prices


def test_an_embedding_model_prices_every_token_as_input() -> None:
    """2B tokens on an embedding model cost 2B input tokens' worth, not half of it blended with a $0 output price."""
    calculation = run_cost(CostRequest(model="text-embedding-3-small", tokens=D(2_000_000_000)), tables())
    assert calculation.result["monthly_cost"] == D(40)


def test_unknown_model_and_gpu_say_what_exists() -> None:
    """Unknown names raise an error that lists the known ones."""
    with pytest.raises(UnknownModelError, match="gpt-4o"):
        find_model("banana-9000", tables())
    with pytest.raises(UnknownGpuError, match="runpod-h100"):
        find_gpu("toaster", tables())


def test_a_broken_table_is_refused_on_load(tmp_path: Path) -> None:
    """A table with an unknown field or a negative price stops loading with the field named."""
    broken = tmp_path / "data"
    shutil.copytree(DATA_DIR, broken)
    models = broken / "models.yml"
    models.write_text(models.read_text().replace('input_per_million: "2.50"', 'input_per_million: "-2.50"'))
    with pytest.raises(DataTableError, match="input_per_million"):
        load_tables(broken)
    shutil.copy(DATA_DIR / "models.yml", models)
    gpus = broken / "gpus.yml"
    gpus.write_text(gpus.read_text().replace("hourly:", "discount: 1\n    hourly:", 1))
    with pytest.raises(DataTableError, match="discount"):
        load_tables(broken)


def test_fingerprint_changes_with_a_price(tmp_path: Path) -> None:
    """Changing any price changes the tables' fingerprint (so cached answers are dropped)."""
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    before = tables_fingerprint(copy)
    gpus = copy / "gpus.yml"
    gpus.write_text(gpus.read_text().replace('"2.69"', '"2.49"'))
    assert tables_fingerprint(copy) != before


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("azur", "the closest known are azure-h100"),
        ("lamda", "the closest known are lambda-h100"),
        (
            "toaster",
            (
                "the known GPU offers are runpod-h100, runpod-secure-h100, lambda-h100, lambda-8x-h100, aws-h100, "
                "azure-h100"
            ),
        ),
    ],
)
def test_unknown_gpu_names_the_near_ones_or_every_one(name: str, named: str) -> None:
    """A misspelt GPU gets the offers it is near; a name near nothing gets every offer the advisor knows."""
    with pytest.raises(UnknownGpuError) as raised:
        find_gpu(name, tables())
    assert named in str(raised.value)


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("gpt-7", "the closest known are gpt-5"),
        ("toaster", "the guide's models are gpt-4o, gpt-5, gemini-2.5-pro"),
        ("banana-9000", "the guide's models are gpt-4o"),
    ],
)
def test_unknown_model_names_the_near_ones_or_the_guides(name: str, named: str) -> None:
    """A near-miss model name gets the models it is near; a name near nothing gets the guide's models."""
    with pytest.raises(UnknownModelError) as raised:
        find_model(name, tables())
    assert named in str(raised.value)
