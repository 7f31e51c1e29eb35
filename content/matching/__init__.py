"""Matching parents' messages to the FAQ, and recognising emergencies.

``build_matcher`` turns the content into a ready :class:`~content.records.FaqMatcher`;
``build_emergency_detector`` into an :class:`~content.records.EmergencyDetector`.
How the parts fit: ``normalize`` (one spelling), ``readings`` (kana readings, cached
on disk by content fingerprint), ``terms`` and ``phrases`` (what is compared),
``synonyms`` (concepts), ``documents`` and ``lexical`` (the ranker behind the
``ranking`` seam), ``scope`` (who and where: an adult's own care, another
municipality), ``offtopic`` (other ward matters), ``matcher`` (the three bands),
``scope_ngrams`` (the wording of questions that are not the desk's: a confident answer
becomes suggestions), ``semantic`` (sentence embeddings: scope and suggestions where the
words leave the matcher unsure; optional), ``emergency`` and ``quantities`` (danger
now, from the signs in triage.yaml).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from content.base import Locale
from content.loader import Content
from content.matching.documents import build_documents
from content.matching.emergency import TriageDetector
from content.matching.lexical import LexicalRanker
from content.matching.matcher import BandedMatcher
from content.matching.normalize import normalize
from content.matching.offtopic import OffTopicFinder
from content.matching.ranking import Ranker
from content.matching.readings import ReadingTable, cache_key, load_table, save_table
from content.matching.scope import ScopeFinder
from content.matching.scope_ngrams import ScopeNgrams
from content.matching.semantic import (
    EntryVectors,
    ScopeModel,
    SemanticReader,
    entry_passages,
    shared_encoder,
)
from content.matching.synonyms import Lexicon
from content.matching.triage_model import TriageModel
from content.records import EmergencyDetector, FaqMatcher

__all__ = ["DEFAULT_CACHE_DIR", "build_emergency_detector", "build_matcher", "build_matching"]

log = logging.getLogger(__name__)

DEFAULT_CACHE_DIR = Path(__file__).resolve().parent.parent / ".index-cache"


def build_matching(
    content: Content, cache_dir: Path | None = None, semantic: bool = False
) -> BandedMatcher:
    """The matcher with its parts exposed, for the benchmark and tests.

    ``cache_dir`` holds the readings of the content between starts (default
    ``content/.index-cache/``, which git ignores). ``semantic`` adds the sentence
    embeddings when the ``semantic`` extra is installed.
    """
    started = time.perf_counter()
    cache_dir = cache_dir or DEFAULT_CACHE_DIR
    key = cache_key(content.fingerprint)
    known = load_table(cache_dir, key)
    table = ReadingTable(known)
    keywords = [k for entries in content.faq.values() for e in entries for k in e.keywords]
    lexicon = Lexicon(content.synonyms, keywords, table)
    japanese = {e.id: e for e in content.faq.get("ja", ())}
    rankers: dict[Locale, Ranker] = {
        locale: LexicalRanker.build(
            build_documents(entries, table, japanese if locale == "en" else None), lexicon
        )
        for locale, entries in content.faq.items()
    }
    offtopic = OffTopicFinder(content.offtopic, table)
    if table.added:
        save_table(cache_dir, key, table.to_save())
    else:
        # Every reading came from the cache, so the reader is needed only for words of
        # messages the content does not have: it loads now, in the background (not
        # during the build, where it would only compete for the interpreter).
        table.reader.load_in_background()
    log.info(
        "FAQ index ready in %.0f ms (%s)",
        (time.perf_counter() - started) * 1000,
        "readings from cache" if known is not None and not table.added else "readings built",
    )
    return BandedMatcher(
        rankers, lexicon, offtopic, table.reader, scope=ScopeFinder(content.scope),
        semantic=_semantic_reader(content, cache_dir) if semantic else None,
        ngrams=ScopeNgrams.shipped(),
        phrasings=frozenset(
            normalize(text)
            for entries in content.faq.values() for e in entries
            for text in (e.question, *e.alternates)
        ),
    )


def _semantic_reader(content: Content, cache_dir: Path) -> SemanticReader | None:
    encoder = shared_encoder()
    if encoder is None:
        return None
    passages = entry_passages(content.faq)
    entries = EntryVectors(encoder, passages, cache_dir)
    try:
        reader = SemanticReader(encoder, ScopeModel.load(), entries)
    except ValueError as exc:
        log.warning("semantic layer off: %s", exc)
        return None
    entries.start()
    return reader


def build_matcher(
    content: Content, cache_dir: Path | None = None, semantic: bool = False
) -> FaqMatcher:
    return build_matching(content, cache_dir, semantic)


def build_emergency_detector(content: Content) -> EmergencyDetector:
    if content.triage is None:
        raise ValueError("the content has no triage.yaml")
    return TriageDetector(content.triage, TriageModel.shipped())
