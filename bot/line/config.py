"""LINE settings from the environment or a ``.env`` file (prefix ``TSUNAGU_LINE_``).

Read apart from the Telegram ones (bot/config.py) so that either channel can run alone; a
missing or malformed value stops the start with one line that names it, as there.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.config import ConfigError

LINE_API = "https://api.line.me"
WEBHOOK_PATH = "/line/webhook"


class LineSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TSUNAGU_LINE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    channel_secret: SecretStr | None = None
    channel_access_token: SecretStr | None = None
    api_base_url: str = LINE_API
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)

    @field_validator("api_base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("channel_secret")
    @classmethod
    def _secret(cls, value: SecretStr | None) -> SecretStr | None:
        # The console shows the channel secret as 32 hex digits; a pasted typo would
        # otherwise only show up as every webhook call refused as forged.
        if value is not None:
            raw = value.get_secret_value()
            if len(raw) != 32 or any(c not in "0123456789abcdef" for c in raw):
                raise ValueError(
                    "does not look like a channel secret (32 hex digits, from"
                    " the LINE Developers console)"
                )
        return value

    @field_validator("channel_access_token")
    @classmethod
    def _token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            raw = value.get_secret_value()
            if len(raw) < 16 or any(c.isspace() for c in raw):
                raise ValueError(
                    "does not look like a channel access token (a long-lived one,"
                    " from the LINE Developers console)"
                )
        return value

    @property
    def enabled(self) -> bool:
        """LINE runs when both its secret and its token are set."""
        return self.channel_secret is not None and self.channel_access_token is not None

    @property
    def sdk_host(self) -> str | None:
        """The host to give the SDK's ``Configuration``, None for LINE's own.

        Left unset the SDK sends each call to LINE's host for it (api.line.me, or
        api-data.line.me for content); a host given replaces both, which is what a fake or
        staging server that serves every path wants.
        """
        return None if self.api_base_url == LINE_API else self.api_base_url


def load_line_settings(*, require: bool = False) -> LineSettings:
    """The LINE settings; ``require`` makes a missing secret or token stop the start."""
    try:
        settings = LineSettings()
    except ValidationError as exc:
        err = exc.errors()[0]
        name = "TSUNAGU_LINE_" + str(err["loc"][0]).upper() if err["loc"] else "configuration"
        message = str(err["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None
    if require or (settings.channel_secret is None) != (settings.channel_access_token is None):
        # One of the two alone is a half-done setup, not a choice to leave LINE off.
        for name, value in (
            ("CHANNEL_SECRET", settings.channel_secret),
            ("CHANNEL_ACCESS_TOKEN", settings.channel_access_token),
        ):
            if value is None:
                raise ConfigError(
                    f"TSUNAGU_LINE_{name}: is not set (from the LINE Developers"
                    " console, Messaging API tab)"
                )
    return settings
