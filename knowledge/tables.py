"""Dated, sourced data tables under knowledge/data/, validated on load.

Every row carries `source` and `as_of`; a table that fails validation stops the advisor at
start-up with the file and field named, rather than feeding a wrong price to a calculator.
"""

import datetime as dt
import functools
from decimal import Decimal
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from calculators.breakeven import OpsSchedule
from calculators.phase import PhaseBand
from calculators.self_hosted import Throughput
from knowledge.errors import DataTableError

DATA_DIR = Path(__file__).parent / "data"


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelRow(_Row):
    """One API model's list prices per 1M tokens."""

    name: str
    aliases: tuple[str, ...] = ()
    provider: str
    input_per_million: Decimal = Field(ge=0)
    output_per_million: Decimal = Field(ge=0)
    cached_input_multiplier: Decimal | None = Field(default=None, ge=0, le=1)
    batch_multiplier: Decimal | None = Field(default=None, ge=0, le=1)
    source: str
    as_of: dt.date


class GpuRow(_Row):
    """One GPU rental offer."""

    name: str
    aliases: tuple[str, ...] = ()
    gpu: str
    provider: str
    hourly: Decimal = Field(gt=0)
    source: str
    as_of: dt.date


class ThroughputRow(_Row):
    """Tokens one GPU serves: per GPU-month (the guide's figures) or per second (measured)."""

    name: str
    description: str
    tokens_per_gpu_month: Decimal | None = Field(default=None, gt=0)
    tokens_per_second: Decimal | None = Field(default=None, gt=0)
    source: str
    as_of: dt.date

    @model_validator(mode="after")
    def _one_rate(self) -> "ThroughputRow":
        if (self.tokens_per_gpu_month is None) == (self.tokens_per_second is None):
            raise ValueError("give exactly one of tokens_per_gpu_month and tokens_per_second")
        return self

    def throughput(self, utilisation: Decimal, hours_per_month: Decimal) -> Throughput:
        """This profile as a calculator input; utilisation applies to measured rates only."""
        if self.tokens_per_gpu_month is not None:
            return Throughput(self.tokens_per_gpu_month)
        assert self.tokens_per_second is not None
        return Throughput.from_tokens_per_second(self.tokens_per_second, utilisation, hours_per_month)


class PhaseRow(_Row):
    """One of the guide's phases."""

    number: int
    name: str
    section: str
    starts_at: Decimal = Field(ge=0)
    includes_start: bool
    actions: tuple[str, ...]


class PhaseTable(_Row):
    source: str
    as_of: dt.date
    phases: tuple[PhaseRow, ...]

    def bands(self) -> tuple[PhaseBand, ...]:
        """The phases as calculator input."""
        return tuple(
            PhaseBand(row.number, row.name, row.starts_at, row.includes_start, row.actions)
            for row in self.phases
        )


class OpsPoint(_Row):
    tokens: Decimal = Field(ge=0)
    hours: Decimal = Field(ge=0)


class Framework(_Row):
    """The guide's break-even defaults."""

    source: str
    as_of: dt.date
    api_price_per_1k: Decimal = Field(gt=0)
    api_price_label: str
    gpu: str
    throughput_profile: str
    hours_per_month: Decimal = Field(gt=0)
    ops_rate: Decimal = Field(ge=0)
    ops_schedule: tuple[OpsPoint, ...]
    break_even_band: Decimal = Field(ge=0, le=1)
    sensitivity_factors: tuple[Decimal, ...]

    def schedule(self) -> OpsSchedule:
        """The ops hours that grow with volume, as calculator input."""
        return OpsSchedule(tuple((point.tokens, point.hours) for point in self.ops_schedule))


class Contradiction(_Row):
    id: str
    topic: str
    note: str
    short: str = Field(max_length=160)
    """The note in one line, for Slack's caveat lines."""


class Tables(_Row):
    """Everything under knowledge/data/, checked for cross-references."""

    models: tuple[ModelRow, ...]
    gpus: tuple[GpuRow, ...]
    profiles: tuple[ThroughputRow, ...]
    phases: PhaseTable
    framework: Framework
    contradictions: tuple[Contradiction, ...]

    @model_validator(mode="after")
    def _references_exist(self) -> "Tables":
        if self.framework.gpu not in {gpu.name for gpu in self.gpus}:
            raise ValueError(f"framework.gpu {self.framework.gpu!r} is not in gpus.yml")
        if self.framework.throughput_profile not in {profile.name for profile in self.profiles}:
            raise ValueError(
                f"framework.throughput_profile {self.framework.throughput_profile!r} is not in throughput.yml"
            )
        return self

    def contradiction(self, contradiction_id: str) -> Contradiction:
        """One flagged disagreement by id."""
        return next(item for item in self.contradictions if item.id == contradiction_id)

    def profile(self, name: str) -> ThroughputRow:
        """A throughput profile by name."""
        return next(profile for profile in self.profiles if profile.name == name)


def load_tables(data_dir: Path = DATA_DIR) -> Tables:
    """Read and validate every table in `data_dir`.

    Raises:
        DataTableError: a file is missing, is not YAML, or breaks the schema.
    """
    try:
        return Tables.model_validate(
            {
                "models": _read(data_dir / "models.yml").get("models"),
                "gpus": _read(data_dir / "gpus.yml").get("gpus"),
                "profiles": _read(data_dir / "throughput.yml").get("profiles"),
                "phases": _read(data_dir / "phases.yml"),
                "framework": _read(data_dir / "framework.yml"),
                "contradictions": _read(data_dir / "contradictions.yml").get("contradictions"),
            }
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise DataTableError(f"knowledge data table {where}: {first['msg']}") from error


@functools.cache
def tables() -> Tables:
    """The bundled tables, loaded once per process."""
    return load_tables()


def tables_fingerprint(data_dir: Path = DATA_DIR) -> str:
    """A hash of the table files: answers cached before a price change must not be reused."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(data_dir.glob("*.yml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _read(path: Path) -> dict[str, object]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DataTableError(f"cannot read knowledge data table {path.name}: {error}") from error
    if not isinstance(loaded, dict):
        raise DataTableError(f"knowledge data table {path.name} is not a mapping")
    return loaded
