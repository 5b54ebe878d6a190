"""The alert rules, from knowledge/data/alert_rules.yml, validated on load."""

import datetime as dt
import functools
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from knowledge.errors import DataTableError
from knowledge.tables import DATA_DIR

RULES_FILE = DATA_DIR / "alert_rules.yml"


class AlertRule(BaseModel):
    """One rule: what makes an alert due."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]{1,40}$")
    kind: Literal["crossed", "projected", "digest"]
    description: str
    within_days: int | None = Field(default=None, ge=1, le=31)
    """projected: how close the crossing must be."""
    day_of_month: int | None = Field(default=None, ge=1, le=28)
    """digest: the day last month's digest goes out."""
    hour: int | None = Field(default=None, ge=0, le=23)
    """digest: the hour (in the alert timezone) it goes out."""

    @model_validator(mode="after")
    def _fields_for_kind(self) -> "AlertRule":
        needed = {"crossed": (), "projected": ("within_days",), "digest": ("day_of_month", "hour")}[self.kind]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.kind} rule needs {', '.join(missing)}")
        return self


class AlertRules(BaseModel):
    """Every rule, how often they are checked and how hard posting tries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    as_of: dt.date
    check_every_minutes: int = Field(ge=1, le=24 * 60)
    post_attempts: int = Field(ge=1, le=10)
    """Tries within one run for a retryable Slack error (429 after slack_sdk's own retries, 5xx)."""
    give_up_after_attempts: int = Field(ge=1, le=1000)
    """After this many tries over all runs an alert is marked failed (shown by `advisor alerts list`)."""
    rules: tuple[AlertRule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> "AlertRules":
        ids = [rule.id for rule in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError("rule ids must be unique")
        return self

    @property
    def ids(self) -> tuple[str, ...]:
        """Every rule id, in file order."""
        return tuple(rule.id for rule in self.rules)


def load_rules(path: Path = RULES_FILE) -> AlertRules:
    """Read and validate the rules file.

    Raises:
        DataTableError: missing, not YAML, or breaks the schema (the field is named).
    """
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        return AlertRules.model_validate(loaded)
    except (OSError, yaml.YAMLError) as error:
        raise DataTableError(f"cannot read {path.name}: {error}") from error
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise DataTableError(f"{path.name} {where}: {first['msg']}") from error


@functools.cache
def alert_rules() -> AlertRules:
    """The bundled rules, loaded once per process."""
    return load_rules()
