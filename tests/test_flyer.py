"""``tsunagu flyer``: an A4 PDF that says what the desk is, and a PNG whose QR codes read back
as the exact links; refusals for an unknown source and for a bot without a username."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from PIL import Image
from pypdf.generic import DictionaryObject, PdfObject

from bot.cli import main
from bot.flyer import EMERGENCY_NUMBERS, NOT_EMERGENCY, WHAT_COORDINATOR
from content.base import Locale
from content.i18n import CatalogTranslations
from content.loader import DEFAULT_CONTENT_DIR
from tests.fake_bot_api import FakeBotAPI
from tests.running_desk import TOKEN

USERNAME = "tsunagu_flyer_bot"
LINE = "https://lin.ee/AbCd123"
A4_POINTS = (595.27, 841.89)


@pytest.fixture(autouse=True)
def clean_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Neither a developer's own TSUNAGU_* settings nor a .env of the checkout may leak in.
    import os

    for name in list(os.environ):
        if name.startswith("TSUNAGU_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def flyer(out: Path, *args: str) -> int:
    return main(["flyer", "--out", str(out), *args])


def squeezed(text: str) -> str:
    """Text as extracted from the PDF, without the line breaks the layout put in."""
    return re.sub(r"\s+", "", text)


def pdf_text(path: Path) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(path)
    return reader, "".join(page.extract_text() for page in reader.pages)


def pdf_dict(value: object) -> DictionaryObject:
    resolved = value.get_object() if isinstance(value, PdfObject) else value
    assert isinstance(resolved, DictionaryObject), resolved
    return resolved


def codes_in(png: Path) -> list[str]:
    return sorted(code.text for code in zxingcpp.read_barcodes(Image.open(png)))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_flyer_is_one_a4_page_that_says_what_the_desk_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    lang: Locale,
) -> None:
    monkeypatch.setenv("TSUNAGU_BOT_USERNAME", "@" + USERNAME)
    out = tmp_path / "flyers"
    assert flyer(out, "--source", "hokenjo", "--lang", lang) == 0
    pdf, png = out / f"flyer-hokenjo-{lang}.pdf", out / f"flyer-hokenjo-{lang}.png"
    assert capsys.readouterr().out.split() == [str(pdf), str(png)]

    reader, text = pdf_text(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=0.5)
    t = CatalogTranslations().for_locale(lang)
    for message in (WHAT_COORDINATOR, NOT_EMERGENCY, EMERGENCY_NUMBERS):
        assert squeezed(t.gettext(message)) in squeezed(text)
    assert "119" in text
    assert ("保健所" if lang == "ja" else "Public health center") in text
    url = f"https://t.me/{USERNAME}?start=hokenjo"
    assert url in squeezed(text)  # printed under the code, for a phone that cannot scan

    # The Japanese font travels inside the file: it prints the same on any computer.
    fonts = pdf_dict(pdf_dict(reader.pages[0]["/Resources"])["/Font"])
    embedded = []
    for ref in fonts.values():
        font = pdf_dict(ref)
        if "/FontDescriptor" in font and "/FontFile2" in pdf_dict(font["/FontDescriptor"]):
            embedded.append(str(font["/BaseFont"]))
    assert any("IPAexGothic" in name for name in embedded), embedded

    assert codes_in(png) == [url]


def test_a_line_account_gets_a_second_code(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TSUNAGU_BOT_USERNAME", USERNAME)
    monkeypatch.setenv("TSUNAGU_LINE_ADD_FRIEND_URL", LINE)
    out = tmp_path / "flyers"
    assert flyer(out, "--source", "hattatsu_center", "--lang", "en") == 0
    telegram = f"https://t.me/{USERNAME}?start=hattatsu_center"
    assert codes_in(out / "flyer-hattatsu_center-en.png") == sorted([telegram, LINE])
    _, text = pdf_text(out / "flyer-hattatsu_center-en.pdf")
    assert LINE in squeezed(text) and "LINE" in text


@pytest.mark.parametrize("url", ["http://lin.ee/AbCd", "https://line.me.example.com/x",
                                 "https://example.com/?u=line.me", "lin.ee/AbCd"])
def test_a_line_link_elsewhere_than_line_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    url: str,
) -> None:
    monkeypatch.setenv("TSUNAGU_BOT_USERNAME", USERNAME)
    monkeypatch.setenv("TSUNAGU_LINE_ADD_FRIEND_URL", url)
    assert flyer(tmp_path / "flyers", "--source", "hokenjo") == 2
    assert "TSUNAGU_LINE_ADD_FRIEND_URL" in capsys.readouterr().err
    assert not (tmp_path / "flyers").exists()


def test_an_unknown_source_is_refused_with_the_known_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TSUNAGU_BOT_USERNAME", USERNAME)
    assert flyer(tmp_path / "flyers", "--source", "hokenj0") == 2
    err = capsys.readouterr().err
    assert "hokenj0" in err
    for known in ("hokenjo", "hospital", "hattatsu_center"):
        assert known in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "flyers").exists()


def test_a_source_whose_name_is_still_to_be_confirmed_gets_no_flyer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "data"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    sources = content / "sources.yaml"
    sources.write_text(sources.read_text("utf-8") + (
        "  - id: kodomo-event\n    name:\n      ja: 【要確認】\n      en: Family event\n"
    ), "utf-8")
    monkeypatch.setenv("TSUNAGU_CONTENT_DIR", str(content))
    monkeypatch.setenv("TSUNAGU_BOT_USERNAME", USERNAME)
    assert flyer(tmp_path / "flyers", "--source", "kodomo-event") == 2
    assert "kodomo-event" in capsys.readouterr().err
    assert flyer(tmp_path / "flyers", "--source", "hokenjo") == 0


def test_without_a_username_or_token_the_flyer_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert flyer(tmp_path / "flyers", "--source", "hokenjo") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "TSUNAGU_BOT_USERNAME" in err and "TSUNAGU_BOT_TOKEN" in err
    assert not (tmp_path / "flyers").exists()


def test_a_malformed_username_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TSUNAGU_BOT_USERNAME", "tsunagu desk")
    assert flyer(tmp_path / "flyers", "--source", "hokenjo") == 2
    assert "TSUNAGU_BOT_USERNAME" in capsys.readouterr().err


def test_the_username_comes_from_telegram_when_a_token_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api: FakeBotAPI
) -> None:
    monkeypatch.setenv("TSUNAGU_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TSUNAGU_API_BASE_URL", api.base_url)
    out = tmp_path / "flyers"
    assert flyer(out, "--source", "hospital") == 0
    assert len(api.calls_of("getMe")) == 1
    assert codes_in(out / "flyer-hospital-ja.png") == [
        f"https://t.me/{api.bot_username}?start=hospital"
    ]


def test_a_token_telegram_refuses_stops_the_flyer_without_showing_the_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    api: FakeBotAPI,
) -> None:
    wrong = "999999:WRONG-token-xyz"
    monkeypatch.setenv("TSUNAGU_BOT_TOKEN", wrong)
    monkeypatch.setenv("TSUNAGU_API_BASE_URL", api.base_url)
    assert flyer(tmp_path / "flyers", "--source", "hospital") == 2
    err = capsys.readouterr().err
    assert "Unauthorized" in err and "TSUNAGU_BOT_USERNAME" in err
    assert wrong not in err and "WRONG" not in err
    assert not (tmp_path / "flyers").exists()


def test_an_unreachable_bot_api_is_said_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket

    with socket.socket() as free:  # a port nothing listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    monkeypatch.setenv("TSUNAGU_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TSUNAGU_API_BASE_URL", f"http://127.0.0.1:{port}/bot")
    assert flyer(tmp_path / "flyers", "--source", "hospital") == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "TSUNAGU_BOT_USERNAME" in err
    assert TOKEN not in err
