"""Configuration from the environment or a ``.env`` file (prefix ``TSUNAGU_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from content.loader import DEFAULT_CONTENT_DIR


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TSUNAGU_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = None
    api_base_url: str = "https://api.telegram.org/bot"
    coordinators_chat: int | None = None
    db: Path = Path("tsunagu.db")
    content_dir: Path = DEFAULT_CONTENT_DIR
    log_level: str = "INFO"
    # Long-polling timeout in seconds (Telegram holds the request open this long).
    poll_timeout: int = Field(default=30, ge=0, le=60)

    @field_validator("api_base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("bot_token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram tokens look like 123456:ABC-def; catching a pasted typo early saves a
        # confusing 404 from the API later.
        if value is not None:
            raw = value.get_secret_value()
            head, _, tail = raw.partition(":")
            if not head.isdigit() or len(tail) < 8 or any(c.isspace() for c in raw):
                raise ValueError("does not look like a bot token (digits:letters, from @BotFather)")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value


def load_settings(*, require_token: bool = False) -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        name = "TSUNAGU_" + str(err["loc"][0]).upper() if err["loc"] else "configuration"
        message = str(err["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None
    if require_token and settings.bot_token is None:
        raise ConfigError("TSUNAGU_BOT_TOKEN: is not set (get one from @BotFather)")
    if not settings.content_dir.is_dir():
        raise ConfigError(f"TSUNAGU_CONTENT_DIR: {settings.content_dir} is not a directory")
    return settings
