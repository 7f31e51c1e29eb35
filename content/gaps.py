"""Group the questions the bot could not answer, so staff see themes rather than a list.

Two messages belong together when their character n-grams overlap enough after the
matcher's own normalisation (so ﾎｳﾓﾝｶﾝｺﾞ, ほうもんかんご and 訪問看護's spellings count
as one): bigrams for Japanese, which has no spaces, and trigrams for English. A
message joins the group it is most similar to, if that similarity is above the
threshold; groups are compared through their first members only, which keeps the
work bounded and stops a chain of small steps from drifting across topics.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from content.matching.normalize import has_japanese, normalize
from content.records import UnansweredQuestion

# Jaccard similarity from which two messages are taken as the same question.
SAME_QUESTION = 0.4
# How many members of a group a new message is compared with.
COMPARED_MEMBERS = 12


@dataclass(frozen=True)
class QuestionGroup:
    # Newest first, as given.
    questions: tuple[UnansweredQuestion, ...]
    # The phrasing staff see and may add as an alternate: the most common, then shortest.
    representative: UnansweredQuestion
    # The topic the matcher most often thought of (None when it had no idea).
    best_topic: str | None

    @property
    def count(self) -> int:
        return len(self.questions)

    def phrasings(self, limit: int) -> list[str]:
        """Distinct wordings, the representative first."""
        seen: list[str] = [self.representative.text]
        keys = {normalize(self.representative.text)}
        for question in self.questions:
            key = normalize(question.text)
            if key not in keys:
                keys.add(key)
                seen.append(question.text)
        return seen[:limit]


def ngrams(text: str) -> frozenset[str]:
    folded = normalize(text)
    if has_japanese(folded):
        folded = folded.replace(" ", "")
        size = 2
    else:
        folded = f" {folded} "
        size = 3
    if len(folded) <= size:
        return frozenset({folded}) if folded.strip() else frozenset()
    return frozenset(folded[i : i + size] for i in range(len(folded) - size + 1))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def group_questions(
    questions: Sequence[UnansweredQuestion], threshold: float = SAME_QUESTION
) -> list[QuestionGroup]:
    """Groups, the largest first (ties: the most recently asked first)."""
    grams = [ngrams(q.text) for q in questions]
    members: list[list[int]] = []
    for i, gram in enumerate(grams):
        best_group, best = -1, 0.0
        for g, group in enumerate(members):
            score = max(similarity(gram, grams[m]) for m in group[:COMPARED_MEMBERS])
            if score > best:
                best_group, best = g, score
        if best >= threshold:
            members[best_group].append(i)
        else:
            members.append([i])
    groups = [_group([questions[i] for i in group]) for group in members]
    # Stable sort: among equal counts, the input order (newest first) is kept.
    return sorted(groups, key=lambda group: -group.count)


def _group(questions: list[UnansweredQuestion]) -> QuestionGroup:
    wordings = Counter(normalize(q.text) for q in questions)
    representative = min(questions, key=lambda q: (-wordings[normalize(q.text)], len(q.text)))
    topics: Counter[str] = Counter()
    for question in questions:
        if question.best_topic:
            topics[question.best_topic] += 1
    best_topic = topics.most_common(1)[0][0] if topics else None
    return QuestionGroup(tuple(questions), representative, best_topic)
