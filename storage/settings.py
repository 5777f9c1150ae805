"""The one settings object: environment variables and `.env`, parsed once."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A source checkout (what `make demo` installs, editable) keeps its data inside the checkout, so
# every command finds the same database whichever folder it is run from.
CHECKOUT_DIR = Path(__file__).resolve().parent.parent


def default_data_dir() -> Path:
    """`<checkout>/data` when running from a clone, else the user's data folder
    (`$XDG_DATA_HOME/accountplan`, by default `~/.local/share/accountplan`); never the cwd."""
    if (CHECKOUT_DIR / "pyproject.toml").is_file():
        return CHECKOUT_DIR / "data"
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "accountplan"


class Settings(BaseSettings):
    """Everything configurable about accountplan. Nothing else reads `os.environ`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Storage
    data_dir: Path = Field(default_factory=default_data_dir, alias="ACCOUNTPLAN_DATA_DIR")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    database_connect_timeout_seconds: float = Field(
        default=5.0, gt=0, le=300, alias="DATABASE_CONNECT_TIMEOUT_SECONDS"
    )
    database_statement_timeout_seconds: float = Field(
        default=30.0, gt=0, le=3600, alias="DATABASE_STATEMENT_TIMEOUT_SECONDS"
    )
    fiscal_year_start_month: int = Field(default=1, ge=1, le=12, alias="FISCAL_YEAR_START_MONTH")
    # The CS playbook the offline drafter follows (default: agent/drafter/playbook.yml).
    playbook_path: Path | None = Field(default=None, alias="ACCOUNTPLAN_PLAYBOOK")
    # Plans may be drafted for fiscal years this many either side of the as-of date's (default today).
    fiscal_year_window_years: int = Field(default=5, ge=0, le=50, alias="FISCAL_YEAR_WINDOW_YEARS")

    # Anthropic (the SDK itself also reads ANTHROPIC_BASE_URL)
    anthropic_api_key: SecretStr | None = Field(default=None, alias="ANTHROPIC_API_KEY")
    anthropic_base_url: str | None = Field(default=None, alias="ANTHROPIC_BASE_URL")
    anthropic_model: str = Field(default="claude-sonnet-5-5", alias="ANTHROPIC_MODEL")
    anthropic_max_tokens_per_section: int = Field(default=4096, alias="ANTHROPIC_MAX_TOKENS_PER_SECTION")
    anthropic_timeout_seconds: float = Field(default=60.0, alias="ANTHROPIC_TIMEOUT_SECONDS")
    anthropic_max_retries: int = Field(default=2, alias="ANTHROPIC_MAX_RETRIES")
    anthropic_deadline_seconds: float = Field(default=120.0, alias="ANTHROPIC_DEADLINE_SECONDS")
    # Pacing (agent/claude/rate_limit.py): calls wait for room in the rate limits the API reports;
    # at most this many Claude calls are in flight per process.
    anthropic_pacing: bool = Field(default=True, alias="ANTHROPIC_PACING")
    anthropic_max_concurrent_calls: int = Field(
        default=32, ge=1, le=1000, alias="ANTHROPIC_MAX_CONCURRENT_CALLS"
    )
    # Message Batches (agent/claude/batch.py): how often a run polls its batches.
    anthropic_batch_poll_seconds: float = Field(
        default=30.0, gt=0, le=3600, alias="ANTHROPIC_BATCH_POLL_SECONDS"
    )

    # Slack
    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_api_url: str | None = Field(default=None, alias="SLACK_API_URL")

    # Scheduler (living plans)
    digest_weekday: str = Field(default="mon", alias="DIGEST_WEEKDAY")
    digest_hour: int = Field(default=9, ge=0, le=23, alias="DIGEST_HOUR")
    timezone: str = Field(default="UTC", alias="ACCOUNTPLAN_TIMEZONE")

    @field_validator("database_url", "anthropic_base_url", "slack_api_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def resolved_database_url(self) -> str:
        """`DATABASE_URL`, or the embedded SQLite file inside the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.database_file}"

    @property
    def database_file(self) -> Path:
        """The embedded SQLite file used when DATABASE_URL is not set (absolute)."""
        return (self.data_dir / "accountplan.db").resolve()

    @property
    def claude_enabled(self) -> bool:
        return self.anthropic_api_key is not None and bool(self.anthropic_api_key.get_secret_value())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
