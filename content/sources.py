"""Where families may come from (``sources.yaml``): the desks that hand out the flyer.

Each source's id ends up in the flyer's Telegram link (``https://t.me/<bot>?start=<id>``),
so it keeps to what a Telegram start parameter allows. Counting which source brought a
family needs nothing else: the id is all the link carries.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from content.models import LocalizedText

# What Telegram passes on from a deep link's start parameter, and nothing more.
SOURCE_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
SOURCE_ID = re.compile(SOURCE_ID_PATTERN)
SourceId = Annotated[str, StringConstraints(pattern=SOURCE_ID_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    id: SourceId
    # Where the flyer lies: printed small at its foot, and a row of the council's report.
    name: LocalizedText
    # What staff still have to settle about this place (shown by `tsunagu content check`).
    staff_note: str | None = None


class SourcesFile(_Strict):
    sources: list[Source] = Field(default_factory=list)

    @field_validator("sources")
    @classmethod
    def _unique_ids(cls, sources: list[Source]) -> list[Source]:
        ids = [s.id for s in sources]
        doubled = sorted({i for i in ids if ids.count(i) > 1})
        if doubled:
            raise ValueError(f"source ids used twice: {', '.join(doubled)}")
        return sources

    def get(self, source_id: str) -> Source | None:
        return next((s for s in self.sources if s.id == source_id), None)

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.sources]
