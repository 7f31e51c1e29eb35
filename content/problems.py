"""Problems found in the content, told in the language of the staff who fix them.

A :class:`Problem` keeps an English message id and its parameters rather than a
finished sentence, so the same problem prints in Japanese for a ward clerk and in
English in logs and tests. The ids are marked with ``N_`` so ``pybabel extract``
puts them in the catalogs; parameters are file contents (ids, field names, dates)
and are never translated.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from content.base import N_, Locale, Translator

Severity = Literal["error", "warning"]

# The pattern of content ids (see content.models.Identifier); a mismatch on it gets
# a message that says which characters are allowed.
ID_PATTERN = r"^[a-z][a-z0-9_]{1,40}$"


@dataclass(frozen=True)
class Problem:
    severity: Severity
    file: str
    line: int
    msgid: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    def render_message(self, translator: Translator | None = None) -> str:
        template = translator.gettext(self.msgid) if translator is not None else self.msgid
        # Without parameters the id is printed as is, so a plain sentence that happens
        # to contain braces never trips str.format.
        return template.format(**self.params) if self.params else template

    def render(self, translator: Translator | None = None) -> str:
        # "error"/"warning" stay as they are in every language: editors and CI read them.
        return f"{self.file}:{self.line}: {self.severity}: {self.render_message(translator)}"

    @property
    def message(self) -> str:
        """The message in English."""
        return self.render_message(None)

    def __str__(self) -> str:
        return self.render(None)


def staff_locale(environ: Mapping[str, str] | None = None) -> Locale:
    """The language for staff-facing command output.

    English only when the environment names another language than Japanese
    (``LANG=en_US.UTF-8``); Japanese otherwise, including on Windows and in
    containers where ``LANG`` is unset or ``C``, because the ward's staff read Japanese.
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if not value:
            continue
        if value.lower().startswith("ja"):
            return "ja"
        if value in ("C", "POSIX") or value.startswith("C."):
            continue
        return "en"
    return "ja"


# Messages for the kinds of pydantic errors staff actually meet.
FIELD_REQUIRED = N_("{field}: this field is required")
FIELD_UNKNOWN = N_("{field}: unknown field (check the spelling)")
ID_SHAPE = N_(
    "{field}: use lower-case letters a-z, digits and _ only, starting with a letter "
    "(2 to 41 characters)"
)
PATTERN_MISMATCH = N_("{field}: not in the expected form")
EMPTY = N_("{field}: must not be empty")
TOO_FEW = N_("{field}: needs at least {min} items")
TOO_LONG = N_("{field}: too long (at most {max} characters)")
TOO_MANY = N_("{field}: too many items (at most {max})")
ANSWER_TOO_LONG = N_("{field}: longer than {max} characters; split it into two entries")
TITLE_TOO_WIDE = N_("{field}: too long for a button (at most {ja} characters in Japanese, {en}"
                    " in English)")
PHONE_SHAPE = N_("{field}: the phone number {value} should look like 03-1234-5678")
URL_SHAPE = N_("{field}: should be a web address starting with https://")
WANT_TEXT = N_("{field}: should be text")
WANT_BOOL = N_("{field}: should be true or false")
WANT_LIST = N_("{field}: should be a list (one item per line, each starting with “- ”)")
WANT_GROUP = N_("{field}: should be a group of name: value lines")
WANT_NUMBER = N_("{field}: should be a whole number")
WANT_DATE = N_("{field}: should be a date like 2026-04-01")
WANT_ONE_OF = N_("{field}: should be one of {expected}")
DUE_ONE_WAY = N_("{field}: give either age_months, or april_at_age (with months_before)")
OTHER = N_("{field}: {detail}")
FILE_SHAPE = N_("the file is empty or not laid out as name: value lines")

_BY_KIND: dict[str, str] = {
    "missing": FIELD_REQUIRED,
    "extra_forbidden": FIELD_UNKNOWN,
    "string_too_short": EMPTY,
    "too_short": TOO_FEW,
    "string_too_long": TOO_LONG,
    "too_long": TOO_MANY,
    "answer_too_long": ANSWER_TOO_LONG,
    "title_too_wide": TITLE_TOO_WIDE,
    "phone_shape": PHONE_SHAPE,
    "url_shape": URL_SHAPE,
    "string_type": WANT_TEXT,
    "bool_type": WANT_BOOL,
    "bool_parsing": WANT_BOOL,
    "list_type": WANT_LIST,
    "tuple_type": WANT_LIST,
    "model_type": WANT_GROUP,
    "model_attributes_type": WANT_GROUP,
    "dict_type": WANT_GROUP,
    "int_type": WANT_NUMBER,
    "int_parsing": WANT_NUMBER,
    "int_from_float": WANT_NUMBER,
    "date_type": WANT_DATE,
    "date_parsing": WANT_DATE,
    "date_from_datetime_parsing": WANT_DATE,
    "date_from_datetime_inexact": WANT_DATE,
    "literal_error": WANT_ONE_OF,
    "due_one_way": DUE_ONE_WAY,
}


def validation_message(err: Mapping[str, Any]) -> tuple[str, dict[str, object]]:
    """The message id and parameters for one entry of ``ValidationError.errors()``."""
    loc = tuple(err.get("loc", ()))
    kind = str(err.get("type", ""))
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    if not loc and kind in ("model_type", "model_attributes_type", "dict_type"):
        return FILE_SHAPE, {}
    params: dict[str, object] = {"field": field_name(loc)}
    if kind == "string_pattern_mismatch":
        return (ID_SHAPE if ctx.get("pattern") == ID_PATTERN else PATTERN_MISMATCH), params
    msgid = _BY_KIND.get(kind)
    if msgid is None:
        detail = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        return OTHER, {**params, "detail": detail}
    if kind in ("too_short", "string_too_short"):
        params["min"] = ctx.get("min_length", 1)
    if kind in ("too_long", "string_too_long", "answer_too_long"):
        params["max"] = ctx.get("max_length", "")
    if kind == "title_too_wide":
        params["ja"] = ctx.get("ja", "")
        params["en"] = ctx.get("en", "")
    if kind == "phone_shape":
        params["value"] = ctx.get("value", "")
    if kind == "literal_error":
        params["expected"] = ctx.get("expected", "")
    return msgid, params


def field_name(loc: tuple[Any, ...]) -> str:
    """The name staff wrote for the field: the last name in a pydantic location.

    ``("entries", 3, "alternates", 1)`` is ``alternates``; the line number already
    says which entry and which item.
    """
    names = [str(part) for part in loc if isinstance(part, str)]
    return names[-1] if names else "-"
