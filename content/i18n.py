"""Interface strings through Babel gettext catalogs.

The catalogs are the ``.po`` files under ``locales/``; they are read with Babel
at start-up (a few milliseconds), so a fresh checkout needs no compile step and a
translator's edit shows up on the next start. Message ids are English.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from content.base import LOCALES, Locale

DOMAIN = "tsunagu"
LOCALES_DIR = Path(
    os.environ.get("TSUNAGU_LOCALES_DIR", Path(__file__).resolve().parent.parent / "locales")
)


def po_path(locale: Locale, root: Path = LOCALES_DIR) -> Path:
    return root / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@dataclass
class CatalogTranslator:
    locale: Locale
    _singular: dict[str, str]
    _plural: dict[str, tuple[str, ...]]

    def gettext(self, message: str) -> str:
        return self._singular.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        forms = self._plural.get(singular)
        fallback = singular if n == 1 else plural
        if not forms:
            return fallback
        # Japanese has one plural form; English has "one" and "other".
        index = 0 if self.locale == "ja" or n == 1 else 1
        return forms[min(index, len(forms) - 1)] or fallback


def _load(locale: Locale, root: Path) -> CatalogTranslator:
    path = po_path(locale, root)
    singular: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    catalog: Catalog
    if path.is_file():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale, domain=DOMAIN)
    else:
        catalog = Catalog(locale=locale, domain=DOMAIN)
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            strings = message.string if isinstance(message.string, tuple) else ()
            plural[message.id[0]] = tuple(strings)
        elif isinstance(message.id, str) and isinstance(message.string, str) and message.string:
            singular[message.id] = message.string
    return CatalogTranslator(locale, singular, plural)


class CatalogTranslations:
    """The translators for every supported locale, loaded once."""

    def __init__(self, root: Path = LOCALES_DIR) -> None:
        self._by_locale = {locale: _load(locale, root) for locale in LOCALES}

    def for_locale(self, locale: Locale) -> CatalogTranslator:
        return self._by_locale[locale]
