"""The shape of triage.yaml (how danger is recognised) and emergency.yaml (what is said)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator
from pydantic_core import PydanticCustomError

from content.models import Identifier, LocalizedText, NonEmpty, _Strict

# The saturation readings are numbers after a word of this term, so its words are written
# once, in triage.yaml.
SATURATION_TERM = "saturation"
READ_AFTER_SATURATION = frozenset({"@spo2_low", "@spo2_ok"})
# Concepts the code reads as numbers (content/matching/quantities.py).
MEASURED = frozenset({"@spo2_low", "@spo2_ok", "@fever", "@young_infant", "@long_minutes",
                      "@pulse_abnormal", "@glucose_low"})
ConceptRef = Annotated[str, StringConstraints(pattern=r"^@?[a-z][a-z0-9_]{1,40}$")]


def _check_patterns(words: list[str]) -> list[str]:
    # Compiled as the detector does: after the folding messages get (long vowel marks go).
    # Imported here: content.matching's package imports the loader, which imports this.
    from content.matching.normalize import fold

    for word in words:
        try:
            re.compile(fold(word))
        except re.error as exc:
            raise PydanticCustomError(
                "bad_pattern", "not a valid pattern: {word} ({detail})",
                {"word": word, "detail": str(exc)},
            ) from None
    return words


class Sign(_Strict):
    category: Identifier
    # Concepts that must all occur: in one sentence, or anywhere with within: message.
    all: list[ConceptRef] = Field(min_length=1)
    within: Literal["sentence", "message"] = "sentence"
    # Concepts that, in the same sentence, show there is no danger (a saturation of 96).
    unless: list[ConceptRef] = Field(default_factory=list)
    # Only a question about what to do (救急車を呼ぶべき？): any condition in the sentence
    # (息が止まったら…) makes it hypothetical.
    question: bool = False
    # Not enough for the full guidance: the parent gets one calm line about 119.
    weak: bool = False
    # Not undone by "looks fine now": what was swallowed does its harm later.
    lasting: bool = False


class Scope(_Strict):
    hypothetical_before: list[NonEmpty]
    # Between a sign's own words: it is how the child usually is (サチュはいつも88).
    habit: list[NonEmpty]
    hypothetical_after: list[NonEmpty]
    # Right after a sign (抜けた|ら, 抜けて|も): a condition.
    hypothetical_next: list[NonEmpty]
    # Later in the sign's clause: a worry about it (止まってしまうのが心配).
    worry: list[NonEmpty]
    # Anywhere in the sentence of a question-only sign.
    condition: list[NonEmpty]
    past: list[NonEmpty]
    present: list[NonEmpty]
    practice: list[NonEmpty]
    resolved: list[NonEmpty]
    adult: list[NonEmpty]
    child: list[NonEmpty]
    other_person: list[NonEmpty]

    @field_validator("*")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        return _check_patterns(value)


class TriageFile(_Strict):
    terms: dict[Identifier, list[NonEmpty]]
    signs: list[Sign] = Field(min_length=1)
    scope: Scope

    @field_validator("terms")
    @classmethod
    def _term_patterns(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for words in value.values():
            _check_patterns(words)
        return value

    @model_validator(mode="after")
    def _known_concepts(self) -> TriageFile:
        for sign in self.signs:
            for concept in [*sign.all, *sign.unless]:
                if concept not in self.terms and concept not in MEASURED:
                    raise PydanticCustomError(
                        "unknown_concept", "sign of {category} uses an unknown concept {name}",
                        {"category": sign.category, "name": concept},
                    )
                if concept in READ_AFTER_SATURATION and SATURATION_TERM not in self.terms:
                    raise PydanticCustomError(
                        "unknown_concept",
                        "sign of {category} uses {name}, which reads the number after a word"
                        " of the term {term}; that term is missing",
                        {"category": sign.category, "name": concept, "term": SATURATION_TERM},
                    )
        return self


Route = Literal["119", "hospital", "poison", "7119"]


class Source(_Strict):
    title: NonEmpty
    url: str | None = None


class EmergencyCategory(_Strict):
    id: Identifier
    label: LocalizedText
    # Who to call first: 119, the child's own hospital or visiting nurse, the poison center.
    call: Route
    # What to do in the next minutes: published first steps only, no medical advice.
    steps: LocalizedText
    sources: list[Identifier] = Field(min_length=1)
    reviewed: bool = False
    staff_note: str | None = None


class EmergencyFile(_Strict):
    # The first lines of every emergency answer, and the calm line for an unsure one.
    heading: LocalizedText
    # The heading when every kind shown is first for the hospital, the poison line or #7119.
    heading_urgent: LocalizedText
    maybe: LocalizedText
    numbers: LocalizedText
    poison_center: LocalizedText
    hospital: LocalizedText
    not_a_service: LocalizedText
    categories: list[EmergencyCategory] = Field(min_length=1)
    sources: dict[Identifier, Source]
    reviewed: bool = False

    def category(self, category_id: str) -> EmergencyCategory | None:
        return next((c for c in self.categories if c.id == category_id), None)

    @model_validator(mode="after")
    def _known_sources(self) -> EmergencyFile:
        for category in self.categories:
            for source in category.sources:
                if source not in self.sources:
                    raise PydanticCustomError(
                        "unknown_source", "{category}: unknown source {name}",
                        {"category": category.id, "name": source},
                    )
        return self
