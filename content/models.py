"""The shape of the content files, validated with pydantic."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from content.base import Locale

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,40}$")]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# Staff mark a detail they still have to fill in with this, e.g. "電話：【要確認】".
TO_FILL = "【要確認】"
_PHONE = re.compile(r"^(0\d{1,4}-\d{1,4}-\d{3,4}|#\d{4}|1\d\d)$")
# An answer must fit in one Telegram message (4096 characters) together with its heading.
ANSWER_MAX = 3000
# A topic's button shows its title. What fits across a phone's button, in characters per
# language (a Japanese character is about two Latin ones wide); `tsunagu content check`
# holds each file to its language's limit.
TITLE_MAX: dict[Locale, int] = {"ja": 14, "en": 24}
# Whatever the language: the width of 14 Japanese characters, counting a wide one as two.
TITLE_MAX_COLUMNS = 28


def display_width(text: str) -> int:
    """Columns on screen: Japanese (and other wide) characters count twice."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(_Strict):
    ja: NonEmpty
    en: NonEmpty

    def get(self, locale: Locale) -> str:
        return self.ja if locale == "ja" else self.en


class FaqEntry(_Strict):
    id: Identifier
    category: Identifier
    question: NonEmpty
    # A short name for the topic, shown on its button; the question, cut short, without it.
    title: NonEmpty | None = None
    alternates: list[NonEmpty] = Field(default_factory=list)
    keywords: list[NonEmpty] = Field(default_factory=list)
    answer: NonEmpty
    # False while an answer still waits for a Chiyoda-specific detail from staff.
    reviewed: bool = True
    # What staff still have to check or fill in (shown by `tsunagu content check`).
    staff_note: str | None = None
    see_also: list[Identifier] = Field(default_factory=list)
    # Review metadata: who keeps the answer true, where it comes from, when it was last
    # checked and when it must be checked again (`tsunagu content check` warns after that).
    owner_office: Identifier | None = None
    source_url: str | None = None
    last_reviewed: date | None = None
    review_by: date | None = None

    @field_validator("answer")
    @classmethod
    def _answer_fits_one_message(cls, value: str) -> str:
        # A custom error kind, so the check can say it in the staff's language.
        if len(value) > ANSWER_MAX:
            raise PydanticCustomError(
                "answer_too_long",
                "answer is longer than {max_length} characters; split it into two entries",
                {"max_length": ANSWER_MAX},
            )
        return value

    @field_validator("title")
    @classmethod
    def _title_fits_a_button(cls, value: str | None) -> str | None:
        if value is not None and display_width(value) > TITLE_MAX_COLUMNS:
            raise PydanticCustomError(
                "title_too_wide",
                "title is too long for a button: at most {ja} Japanese or {en} English"
                " characters",
                {"ja": TITLE_MAX["ja"], "en": TITLE_MAX["en"]},
            )
        return value

    @field_validator("source_url")
    @classmethod
    def _source_is_a_web_address(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("https://", "http://")):
            raise PydanticCustomError("url_shape", "should be a web address starting with https://")
        return value


class FaqFile(_Strict):
    locale: Locale
    entries: list[FaqEntry]


class Category(_Strict):
    id: Identifier
    label: LocalizedText


class CategoriesFile(_Strict):
    categories: list[Category]


class Office(_Strict):
    id: Identifier
    name: LocalizedText
    # What both coordinator offices do, and what only this one does.
    roles_own: list[LocalizedText] = Field(default_factory=list)
    ask_about: list[LocalizedText] = Field(default_factory=list)
    phone: str | None = None
    hours: LocalizedText | None = None
    address: LocalizedText | None = None
    url: str | None = None
    # Coordinators work here (False for offices listed as other places to ask).
    coordinators: bool = True
    reviewed: bool = True
    staff_note: str | None = None

    @field_validator("phone")
    @classmethod
    def _phone_shape(cls, value: str | None) -> str | None:
        if value is None or value == TO_FILL:
            return value
        if not _PHONE.match(value):
            raise PydanticCustomError(
                "phone_shape",
                "phone number {value} should look like 03-1234-5678",
                {"value": value},
            )
        return value


class OfficesFile(_Strict):
    shared_roles: list[LocalizedText]
    offices: list[Office]


class SynonymGroup(_Strict):
    # All the words parents use for one thing; the first is the one the FAQ uses.
    terms: list[NonEmpty] = Field(min_length=2)


class SynonymsFile(_Strict):
    groups: list[SynonymGroup]


class OffTopic(_Strict):
    """A common ward matter outside this desk, and where to ask about it instead."""

    id: Identifier
    patterns: list[NonEmpty] = Field(min_length=1)
    pointer: LocalizedText
    # Whether a message naming this matter for a child with medical care may still get a
    # confident FAQ answer (医ケア児の保育園 is the FAQ's). False for matters that stay
    # someone else's whoever asks (a job at a visiting-nurse station, a residence card).
    care_may_answer: bool = True


class OffTopicFile(_Strict):
    topics: list[OffTopic]
    # Signs that a message asks something (たい, 教えて, どこ, how). A message with thanks or
    # a greeting and none of these is a thank-you, whatever names it mentions.
    asking: list[NonEmpty] = Field(default_factory=list)


class ScopeWho(_Strict):
    """Who a message is about: the desk is for children and their families, not adults'
    own care. Lists of words, matched after normalisation (kana, width, case)."""

    # Words that put a child in the message (子ども, 息子, 赤ちゃん, 医ケア児, child).
    child: list[NonEmpty] = Field(default_factory=list)
    # Kinship words for a child that a stated adult age overrides (長男が20歳).
    kin: list[NonEmpty] = Field(default_factory=list)
    # Adults other than the writer (父, 祖母, 夫, my mother).
    adults: list[NonEmpty] = Field(default_factory=list)
    # The writer (私, 自分, I): an adult subject only together with an own need below.
    writer: list[NonEmpty] = Field(default_factory=list)
    own_needs: list[NonEmpty] = Field(default_factory=list)
    # Words that make an adult a helper with the child, not the subject (手伝い, 仕事で).
    helping: list[NonEmpty] = Field(default_factory=list)
    # Words that contain a person word and are no person (大丈夫, 母子, 母親 = the writer).
    not_people: list[NonEmpty] = Field(default_factory=list)
    # Words that say the child in question is healthy (元気な, 障害のない, no health issues).
    healthy: list[NonEmpty] = Field(default_factory=list)
    # Words that make the writer the subject even beside a child (私自身, myself, 親も):
    # with one of the writer's own needs, the matter is the parent's (I have depression
    # myself; 親もタクシー券をもらえますか).
    self_marks: list[NonEmpty] = Field(default_factory=list)
    # FAQ topics that still answer about a child said to be healthy (the siblings' support).
    healthy_may_answer: list[Identifier] = Field(default_factory=list)
    # The offtopic.yaml topic whose pointer answers a question about a healthy child's
    # ordinary matters (a sibling's nursery application, school entry notice).
    healthy_pointer: Identifier | None = None
    # Words that put the question on the child said to be healthy (元気なほうの, the
    # healthy twin): the other child's care named beside them does not make it the FAQ's.
    healthy_subject: list[NonEmpty] = Field(default_factory=list)
    # A stated age from which the person is an adult (20歳になって), not a rule (20歳まで).
    adult_age: int = Field(default=20, ge=1, le=120)
    # The offtopic.yaml topic whose pointer answers a message about an adult.
    pointer: Identifier | None = None


class ScopeWhere(_Strict):
    """Where: Chiyoda's families and Tokyo-wide services are ours, other municipalities not."""

    # Naming one of these keeps the message ours (千代田, 東京都): moving in or out of Chiyoda.
    home: list[NonEmpty] = Field(default_factory=list)
    # Other municipalities, written in full (世田谷区, 横浜市, 埼玉県, Setagaya).
    others: list[NonEmpty] = Field(default_factory=list)
    # Of those, names that count only with their suffix (港区: 港 alone is a harbour).
    needs_suffix: list[NonEmpty] = Field(default_factory=list)
    # A place visited rather than lived in, right after the name (世田谷の病院, 品川駅).
    visited: list[NonEmpty] = Field(default_factory=list)
    # A municipality's own offices after its name (新宿区の保健センター, 横浜市役所): that
    # place's matter, never a place visited.
    offices: list[NonEmpty] = Field(default_factory=list)
    # Living there (横浜市在住, 横浜に住んで, we live in Yokohama): with no move in the
    # message, naming Chiyoda's services does not make the family ours.
    lives: list[NonEmpty] = Field(default_factory=list)
    # A move (引っ越し, 転入, moving): the hand-over is the coordinators' business.
    moving: list[NonEmpty] = Field(default_factory=list)
    # The new place as where the matter is (そちらで, 引っ越し先の, there).
    there: list[NonEmpty] = Field(default_factory=list)
    pointer: Identifier | None = None


class ScopeFile(_Strict):
    who: ScopeWho = Field(default_factory=ScopeWho)
    where: ScopeWhere = Field(default_factory=ScopeWhere)
