"""Configuration from the environment or a ``.env`` file (prefix ``TSUNAGU_``)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from content.loader import DEFAULT_CONTENT_DIR
from flows.address import Address, address
from flows.records import DeskSettings, RosterMember

# "123456789" or "123456789:kodomo_hattatsu" (a Telegram user id, optionally its office)
_ROSTER_ITEM = re.compile(r"^(\d{1,15})(?::([a-z][a-z0-9_]{1,40}))?$")
# Telegram's rule for a bot's @username: 5–32 latin letters, digits and _, ending in "bot".
BOT_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{1,29}[Bb][Oo][Tt]$")
# Where LINE's add-friend links live (https://line.me/R/ti/p/@..., https://lin.ee/...).
_LINE_HOSTS = ("line.me", "lin.ee")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TSUNAGU_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = None
    api_base_url: str = "https://api.telegram.org/bot"
    # Telegram's number of the coordinators' group, as always; the desk gets its address.
    coordinators_chat: int | None = None
    db: Path = Path("tsunagu.db")
    content_dir: Path = DEFAULT_CONTENT_DIR
    # Seeds for the roster kept in the database: comma-separated user ids, optionally id:office.
    coordinators: str = ""
    staff: str = ""
    # Partners in related departments: comma-separated id:department (intake.yaml's ids).
    partners: str = ""
    # Business hours a new ticket may wait unclaimed before the group is reminded.
    unclaimed_reminder_hours: float = Field(default=4.0, gt=0, le=80)
    log_level: str = "INFO"
    # Sentence embeddings beside the lexical matcher, when the 'semantic' extra is installed
    # (content/matching/semantic.py); false keeps the matcher lexical.
    semantic: bool = True
    # Long-polling timeout in seconds (Telegram holds the request open this long).
    poll_timeout: int = Field(default=30, ge=0, le=60)
    # For the flyer's QR code: the bot's @username (else asked of Telegram with the token),
    # and the LINE account's add-friend link, printed as a second code when set.
    bot_username: str | None = None
    line_add_friend_url: str | None = None

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

    @field_validator("bot_username")
    @classmethod
    def _bot_username(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().removeprefix("@")
        if not BOT_USERNAME.match(value):
            raise ValueError("is not a bot's username (5–32 letters, digits or _, ending in bot)")
        return value

    @field_validator("line_add_friend_url")
    @classmethod
    def _line_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        on_line = any(host == h or host.endswith("." + h) for h in _LINE_HOSTS)
        if parts.scheme != "https" or not on_line or parts.username or parts.port:
            raise ValueError("must be an https:// link on line.me or lin.ee (LINE's add-friend"
                             " link)")
        if any(c.isspace() for c in value):
            raise ValueError("must not contain spaces")
        return value

    @field_validator("partners")
    @classmethod
    def _partners(cls, value: str) -> str:
        for item in _roster_items(value):
            match = _ROSTER_ITEM.match(item)
            if not match or match.group(2) is None:
                raise ValueError(
                    f"{item!r} is not a Telegram user id (digits) followed by :department_id"
                )
        return value

    @field_validator("coordinators", "staff")
    @classmethod
    def _roster(cls, value: str) -> str:
        for item in _roster_items(value):
            if not _ROSTER_ITEM.match(item):
                raise ValueError(
                    f"{item!r} is not a Telegram user id (digits), optionally followed by"
                    " :office_id"
                )
        return value

    def roster_seed(self) -> list[RosterMember]:
        """The coordinators, staff and partners named in the environment, merged by user
        id."""
        seeded: dict[Address, RosterMember] = {}
        for value, role in ((self.coordinators, "coordinator"), (self.staff, "staff")):
            for item in _roster_items(value):
                match = _ROSTER_ITEM.match(item)
                assert match is not None  # checked by the validator
                user_id, office = address("telegram", match.group(1)), match.group(2)
                current = seeded.get(user_id, RosterMember(user_id=user_id))
                seeded[user_id] = current.model_copy(
                    update={role: True, "office": current.office or office}
                )
        for item in _roster_items(self.partners):
            match = _ROSTER_ITEM.match(item)
            assert match is not None  # checked by the validator
            user_id = address("telegram", match.group(1))
            current = seeded.get(user_id, RosterMember(user_id=user_id))
            seeded[user_id] = current.model_copy(
                update={"partner": True, "department": match.group(2)})
        return list(seeded.values())

    def desk_settings(self) -> DeskSettings:
        return DeskSettings(
            coordinators_chat=(None if self.coordinators_chat is None
                               else address("telegram", self.coordinators_chat)),
            remind_after_hours=self.unclaimed_reminder_hours,
        )

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value


def _roster_items(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


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
