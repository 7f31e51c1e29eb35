"""The FAQ entries of one language, as texts ready for matching."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from content.matching.normalize import normalize
from content.matching.phrases import Views
from content.matching.readings import ReadingTable
from content.models import TO_FILL, FaqEntry

# The parts of an entry a message is compared with, from the most telling to the least.
FIELDS = ("question", "alternates", "keywords", "answer")


@dataclass(frozen=True)
class Document:
    topic: str
    fields: dict[str, tuple[Views, ...]]


def entry_texts(entry: FaqEntry) -> dict[str, list[str]]:
    return {
        "question": [entry.question],
        "alternates": list(entry.alternates),
        "keywords": list(entry.keywords),
        # The staff placeholder is no word a parent would type.
        "answer": [entry.answer.replace(TO_FILL, " ")],
    }


def build_documents(entries: Iterable[FaqEntry], table: ReadingTable) -> list[Document]:
    documents = []
    for entry in entries:
        fields: dict[str, tuple[Views, ...]] = {}
        for name, texts in entry_texts(entry).items():
            views = []
            for text in texts:
                surface = normalize(text)
                if surface:
                    views.append(Views.of(surface, table.reading(surface)))
            fields[name] = tuple(views)
        documents.append(Document(entry.id, fields))
    return documents
