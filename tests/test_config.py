"""Settings: a missing or malformed value stops the start with one line that names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

TOKEN = "123456:TEST-token-abcdef"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("BOT_TOKEN", "API_BASE_URL", "COORDINATORS_CHAT", "DB", "CONTENT_DIR",
                 "LOG_LEVEL", "POLL_TIMEOUT"):
        monkeypatch.delenv(f"TSUNAGU_{name}", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env file


def test_defaults_need_no_token_for_the_console() -> None:
    settings = load_settings()
    assert settings.bot_token is None
    assert settings.api_base_url == "https://api.telegram.org/bot"
    assert settings.db == Path("tsunagu.db")


def test_run_requires_the_token() -> None:
    with pytest.raises(ConfigError, match=r"^TSUNAGU_BOT_TOKEN: is not set"):
        load_settings(require_token=True)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BOT_TOKEN", "not a token"),
        ("API_BASE_URL", "api.telegram.org"),
        ("COORDINATORS_CHAT", "the group"),
        ("LOG_LEVEL", "LOUD"),
        ("POLL_TIMEOUT", "999"),
        ("CONTENT_DIR", "/nonexistent/content"),
    ],
)
def test_malformed_settings_are_named(monkeypatch: pytest.MonkeyPatch, name: str,
                                      value: str) -> None:
    monkeypatch.setenv(f"TSUNAGU_{name}", value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"TSUNAGU_{name}:")
    assert "\n" not in message


def test_dotenv_file_is_read_and_the_token_stays_secret(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"TSUNAGU_BOT_TOKEN={TOKEN}\nTSUNAGU_COORDINATORS_CHAT=-1001234\n", encoding="utf-8"
    )
    settings = load_settings(require_token=True)
    assert settings.coordinators_chat == -1001234
    assert settings.bot_token is not None and settings.bot_token.get_secret_value() == TOKEN
    assert TOKEN not in repr(settings) and TOKEN not in str(settings.model_dump())
