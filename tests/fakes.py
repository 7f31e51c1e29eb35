"""In-memory fakes that implement the engine's ports, for fast transcript tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from content.loader import Content
from content.models import (
    Category,
    FaqEntry,
    LocalizedText,
    Office,
    OfficesFile,
    OffTopic,
    OffTopicFile,
    SynonymsFile,
)
from flows.model import Inbound, Locale, Outcome, Session
from flows.ports import EmergencyAssessment, FaqMatch, RosterMember
from flows.turn import Deps


def lt(ja: str, en: str) -> LocalizedText:
    return LocalizedText(ja=ja, en=en)


def small_content() -> Content:
    def entries(locale: Locale) -> tuple[FaqEntry, ...]:
        ja = locale == "ja"
        return (
            FaqEntry(
                id="houmon_kango",
                category="services",
                question="訪問看護を利用したいです" if ja else "How do I start visiting nursing?",
                answer=(
                    "訪問看護は看護師がご自宅に来るサービスです。<主治医>に相談してください。"
                    if ja
                    else "A nurse visits your home. Ask your <doctor> first."
                ),
                see_also=["tanki_nyusho"],
            ),
            FaqEntry(
                id="tanki_nyusho",
                category="services",
                question="短期入所を利用したいです" if ja else "How do I use short stay?",
                answer="短期入所の説明【要確認】" if ja else "About short stay.【要確認】",
                reviewed=False,
                staff_note="Chiyoda's contract facilities",
            ),
        )

    return Content(
        faq={"ja": entries("ja"), "en": entries("en")},
        categories=(Category(id="services", label=lt("サービス", "Services")),),
        offices=OfficesFile(
            shared_roles=[lt("退院前後の支援", "Support before and after discharge")],
            offices=[
                Office(
                    id="kodomo_hattatsu",
                    name=lt("子ども発達センター", "Child Development Center"),
                    roles_own=[lt("サービス等利用計画の作成", "Writing service use plans")],
                    ask_about=[lt("サービス等利用計画", "service use plans")],
                    phone="【要確認】",
                    reviewed=False,
                ),
                Office(
                    id="tokyo_center",
                    name=lt("東京都医療的ケア児支援センター", "Tokyo support center"),
                    phone="03-3941-3221",
                    hours=lt("平日", "Weekdays"),
                    coordinators=False,
                ),
            ],
        ),
        synonyms=SynonymsFile(groups=[]),
        offtopic=OffTopicFile(
            topics=[
                OffTopic(
                    id="jido_teate",
                    patterns=["児童手当"],
                    pointer=lt(
                        "児童手当は区役所へ <03-3264-2111>", "Child allowance: ask the ward"
                    ),
                ),
            ]
        ),
        fingerprint="test",
    )


class FakeMatcher:
    """Answers by keyword, so transcripts can steer the matcher precisely."""

    def __init__(self, rules: dict[str, FaqMatch] | None = None) -> None:
        self.rules = rules or {
            "訪問看護": FaqMatch(mode="answer", topic="houmon_kango", confidence=0.9),
            "nurse": FaqMatch(mode="answer", topic="houmon_kango", confidence=0.9),
            "ショート": FaqMatch(
                mode="suggest", confidence=0.4, suggestions=("tanki_nyusho", "houmon_kango")
            ),
            "児童手当": FaqMatch(mode="refuse", offtopic="jido_teate"),
        }
        self.calls: list[tuple[str, Locale]] = []

    def match(self, text: str, locale: Locale) -> FaqMatch:
        self.calls.append((text, locale))
        for word, result in self.rules.items():
            if word in text:
                return result
        return FaqMatch(mode="refuse", confidence=0.05)


class FakeEmergency:
    WORDS = ("息をしていない", "not breathing", "けいれんが止まらない")

    def assess(self, text: str) -> EmergencyAssessment:
        hits = tuple(w for w in self.WORDS if w in text)
        return EmergencyAssessment(emergency=bool(hits), signals=hits)


@dataclass
class FakeContentSource:
    content: Content = field(default_factory=small_content)
    faq_matcher: FakeMatcher = field(default_factory=FakeMatcher)

    def current(self) -> Content:
        return self.content

    def matcher(self) -> FakeMatcher:
        return self.faq_matcher


@dataclass
class FixedClock:
    moment: datetime = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo, a Tuesday

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@dataclass
class MemoryUnanswered:
    rows: list[dict[str, Any]] = field(default_factory=list)

    async def record(self, **row: Any) -> None:
        self.rows.append(row)


@dataclass
class MemoryFaqViews:
    rows: list[dict[str, Any]] = field(default_factory=list)

    async def record(self, **row: Any) -> None:
        self.rows.append(row)


@dataclass
class MemoryRoster:
    """Nobody is a coordinator or staff unless a test adds them."""

    members_by_id: dict[int, RosterMember] = field(default_factory=dict)

    async def get(self, user_id: int) -> RosterMember | None:
        return self.members_by_id.get(user_id)

    async def members(self) -> list[RosterMember]:
        return list(self.members_by_id.values())

    async def note_private_chat(self, user_id: int, at: datetime) -> None:
        member = self.members_by_id.get(user_id)
        if member is not None:
            self.members_by_id[user_id] = member.model_copy(update={"private_chat": True})


class NoDesk:
    """A desk without tickets: families have no open request to relay to."""

    async def latest_for_subject(self, subject: str) -> None:
        return None


@dataclass
class MemoryStore:
    unanswered: MemoryUnanswered = field(default_factory=MemoryUnanswered)
    faq_views: MemoryFaqViews = field(default_factory=MemoryFaqViews)
    roster: MemoryRoster = field(default_factory=MemoryRoster)
    desk: NoDesk = field(default_factory=NoDesk)


def make_deps(source: FakeContentSource | None = None, clock: FixedClock | None = None) -> Deps:
    from content.i18n import CatalogTranslations

    return Deps(
        content=source or FakeContentSource(),
        emergency=FakeEmergency(),
        translations=CatalogTranslations(),
        clock=clock or FixedClock(),
    )


class Chat:
    """Drives the engine as one person in a private chat, keeping the session between steps."""

    def __init__(
        self, engine: Any, store: Any = None, *, user_id: int = 42, language_code: str | None = "ja"
    ) -> None:
        self.engine = engine
        self.store = store or MemoryStore()
        self.user_id = user_id
        self.language_code = language_code
        self.session = Session(key=f"telegram:{user_id}:{user_id}")
        self.last: Outcome | None = None

    async def send(self, inbound: Inbound) -> Outcome:
        self.last = await self.engine.handle(inbound, self.session, self.store)
        self.session = self.last.session
        return self.last

    def _in(self, **fields: Any) -> Inbound:
        return Inbound(
            channel="telegram",
            user_id=self.user_id,
            chat_id=self.user_id,
            language_code=self.language_code,
            **fields,
        )

    async def text(self, text: str) -> Outcome:
        return await self.send(self._in(kind="text", text=text))

    async def command(self, name: str, args: str = "") -> Outcome:
        return await self.send(self._in(kind="command", command=name, text=args))

    async def press(self, data: str) -> Outcome:
        return await self.send(self._in(kind="button", button=data))

    async def press_label(self, fragment: str) -> Outcome:
        """Press the first button of the last answer whose label contains ``fragment``."""
        assert self.last is not None, "nothing was shown yet"
        for reply in self.last.replies:
            for row in reply.buttons:
                for button in row:
                    if fragment in button.label:
                        return await self.press(button.data)
        labels = [b.label for r in self.last.replies for row in r.buttons for b in row]
        raise AssertionError(f"no button with {fragment!r}; buttons were {labels}")

    async def sticker(self) -> Outcome:
        return await self.send(self._in(kind="unsupported", unsupported_what="sticker"))

    @property
    def texts(self) -> list[str]:
        return [r.text for r in self.last.replies] if self.last else []

    @property
    def all_text(self) -> str:
        return "\n".join(self.texts)
