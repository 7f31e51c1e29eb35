"""Every interface string has a Japanese and an English translation, and they fit their use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from content.base import Locale
from content.i18n import CatalogTranslations, po_path

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def source_messages() -> set[str]:
    found: set[str] = set()
    for package in ("flows", "bot", "content"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalog(locale: Locale) -> dict[str, str | None]:
    """Each message id and its translation (None or empty when there is none)."""
    with po_path(locale).open("rb") as fh:
        cat = read_po(fh, locale=locale)
    result: dict[str, str | None] = {}
    for m in cat:
        if not m.id or m.fuzzy:
            continue
        key = m.id if isinstance(m.id, str) else m.id[0]
        value = m.string if isinstance(m.string, str | None) else m.string[0]
        result[key] = value
    return result


def test_the_extractor_finds_the_interface_strings() -> None:
    messages = source_messages()
    assert "<b>Welcome to tsunagu.</b>" in messages
    assert len(messages) > 40


@pytest.mark.parametrize("locale", ["ja", "en"])
def test_every_interface_string_is_translated(locale: Locale) -> None:
    translated = catalog(locale)
    missing = sorted(m for m in source_messages() if not translated.get(m))
    assert missing == [], f"untranslated in {locale}: {missing[:10]}"


def test_japanese_translations_keep_placeholders_and_markup() -> None:
    for msgid, msgstr in catalog("ja").items():
        if not msgstr:
            continue  # reported by the completeness test
        assert set(re.findall(r"\{\w+\}", msgid)) == set(re.findall(r"\{\w+\}", msgstr)), msgid
        tags = re.compile(r"</?\w+>")
        assert sorted(tags.findall(msgid)) == sorted(tags.findall(msgstr)), msgid


def test_translator_falls_back_to_the_message_id_for_unknown_strings() -> None:
    ja = CatalogTranslations().for_locale("ja")
    assert ja.gettext("<b>Welcome to tsunagu.</b>") == "<b>「つなぐ」へようこそ。</b>"
    assert ja.gettext("no such message") == "no such message"
