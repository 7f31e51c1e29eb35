"""LINE settings: off unless both secrets are set; anything malformed is named in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError
from bot.line.config import LineSettings, load_line_settings

SECRET = "0123456789abcdef0123456789abcdef"
TOKEN = "long-lived/channel+access=token"
NAMES = ("CHANNEL_SECRET", "CHANNEL_ACCESS_TOKEN", "API_BASE_URL", "WEBHOOK_HOST", "WEBHOOK_PORT")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in NAMES:
        monkeypatch.delenv(f"TSUNAGU_LINE_{name}", raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env file


def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_LINE_CHANNEL_SECRET", SECRET)
    monkeypatch.setenv("TSUNAGU_LINE_CHANNEL_ACCESS_TOKEN", TOKEN)


def test_defaults_leave_line_off() -> None:
    settings = load_line_settings()
    assert not settings.enabled
    assert settings.api_base_url == "https://api.line.me"
    assert settings.sdk_host is None  # the SDK picks api.line.me or api-data.line.me itself
    assert (settings.webhook_host, settings.webhook_port) == ("127.0.0.1", 8080)


def test_both_set_turn_it_on(monkeypatch: pytest.MonkeyPatch) -> None:
    configured(monkeypatch)
    monkeypatch.setenv("TSUNAGU_LINE_API_BASE_URL", "http://127.0.0.1:9999/")
    monkeypatch.setenv("TSUNAGU_LINE_WEBHOOK_PORT", "8443")
    settings = load_line_settings(require=True)
    assert settings.enabled
    assert settings.sdk_host == "http://127.0.0.1:9999"
    assert settings.webhook_port == 8443
    assert SECRET not in repr(settings) and TOKEN not in str(settings.model_dump())


@pytest.mark.parametrize("missing", ["CHANNEL_SECRET", "CHANNEL_ACCESS_TOKEN"])
def test_one_without_the_other_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    configured(monkeypatch)
    monkeypatch.delenv(f"TSUNAGU_LINE_{missing}")
    with pytest.raises(ConfigError, match=rf"^TSUNAGU_LINE_{missing}: is not set"):
        load_line_settings()


def test_required_when_asked() -> None:
    with pytest.raises(ConfigError, match=r"^TSUNAGU_LINE_CHANNEL_SECRET: is not set"):
        load_line_settings(require=True)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CHANNEL_SECRET", "not-hex-and-too-short"),
        ("CHANNEL_ACCESS_TOKEN", "short"),
        ("CHANNEL_ACCESS_TOKEN", "has a space in the middle of it"),
        ("API_BASE_URL", "api.line.me"),
        ("WEBHOOK_PORT", "eighty"),
        ("WEBHOOK_PORT", "70000"),
    ],
)
def test_malformed_settings_are_named(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    configured(monkeypatch)
    monkeypatch.setenv(f"TSUNAGU_LINE_{name}", value)
    with pytest.raises(ConfigError) as caught:
        load_line_settings()
    message = str(caught.value)
    assert message.startswith(f"TSUNAGU_LINE_{name}:")
    assert "\n" not in message
    assert value not in message or name in ("API_BASE_URL", "WEBHOOK_PORT")


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"TSUNAGU_LINE_CHANNEL_SECRET={SECRET}\nTSUNAGU_LINE_CHANNEL_ACCESS_TOKEN={TOKEN}\n",
        encoding="utf-8",
    )
    settings = load_line_settings(require=True)
    assert isinstance(settings, LineSettings)
    assert settings.channel_secret is not None
    assert settings.channel_secret.get_secret_value() == SECRET
