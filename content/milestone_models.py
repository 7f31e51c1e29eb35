"""The shape of milestones.yaml: what a family should know at each stage of the child's growth.

Each milestone is due either at an age in months or relative to the April in which the child
is a given age in the Japanese school year (the classes of nursery, kindergarten and school
are by the age on 1 April). Staff keep the file like the FAQ: a source for each entry, both
languages, ``reviewed: false`` (and 【要確認】 in the text) while a Chiyoda detail waits.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from content.models import Identifier, LocalizedText, NonEmpty, _Strict

# Milestones up to the move to adults' services; the program covers children until 18.
OLDEST_MONTHS = 18 * 12
# A title is one line of the preview and the heading of the message.
MilestoneTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                  max_length=60)]
# The body goes out as one chat message with a heading and a footer.
BODY_MAX = 1500


class Due(_Strict):
    """When a milestone is due: ``age_months``, or ``april_at_age`` with ``months_before``.

    ``april_at_age: 6`` is the April the child starts primary school (the class of children
    who are 6 on 1 April); ``months_before: 6`` makes it the October before.
    """

    age_months: int | None = Field(default=None, ge=0, le=OLDEST_MONTHS)
    april_at_age: int | None = Field(default=None, ge=0, le=18)
    months_before: int = Field(default=0, ge=0, le=24)

    @model_validator(mode="after")
    def _one_way(self) -> Due:
        if (self.age_months is None) == (self.april_at_age is None):
            raise PydanticCustomError(
                "due_one_way", "give either age_months or april_at_age (with months_before)")
        if self.age_months is not None and self.months_before:
            raise PydanticCustomError(
                "due_one_way", "give either age_months or april_at_age (with months_before)")
        return self


class LocalizedBody(LocalizedText):
    @model_validator(mode="after")
    def _fits(self) -> LocalizedBody:
        for text in (self.ja, self.en):
            if len(text) > BODY_MAX:
                raise PydanticCustomError(
                    "answer_too_long", "body is longer than {max_length} characters",
                    {"max_length": BODY_MAX})
        return self


class LocalizedTitle(LocalizedText):
    ja: MilestoneTitle
    en: MilestoneTitle


class Milestone(_Strict):
    id: Identifier
    due: Due
    title: LocalizedTitle
    body: LocalizedBody
    # A web address or the name of a document (a law, a ward guide) the text relies on.
    source: NonEmpty
    # False while a Chiyoda-specific detail is still to be confirmed (marked 【要確認】).
    reviewed: bool = False
    # What staff still have to check (shown by `tsunagu content check`).
    staff_note: str | None = None


class MilestonesFile(_Strict):
    milestones: list[Milestone] = Field(default_factory=list)
