"""The FAQ entries of one language, as texts ready for matching."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from content.matching.normalize import normalize
from content.matching.phrases import Views
from content.matching.readings import ReadingTable
from content.models import TO_FILL, FaqEntry

# The parts of an entry a message is compared with. "romaji" is the Japanese entry's
# question and keywords in Latin letters, for English messages that name a Japanese
# system (shintai techo, kobetsu hinan keikaku).
FIELDS = ("question", "alternates", "keywords", "answer", "romaji")


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


def build_documents(
    entries: Iterable[FaqEntry],
    table: ReadingTable,
    japanese: Mapping[str, FaqEntry] | None = None,
) -> list[Document]:
    """Documents of one language; ``japanese`` (by id) adds the romaji field."""
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
        original = japanese.get(entry.id) if japanese else None
        if original is not None:
            romaji = [table.romaji(normalize(t)) for t in [original.question, *original.keywords]]
            fields["romaji"] = tuple(Views.of(r, r) for r in romaji if r)
        documents.append(Document(entry.id, fields))
    return documents
