"""A request typed at the console driver: numbered buttons, the same engine and database."""

from __future__ import annotations

import io
from pathlib import Path

from bot.console import ConsoleDriver
from bot.services import Services
from flows.address import ident_of
from storage.database import Database
from tests.intake_fakes import request_deps, services_on


class Terminal:
    def __init__(self, driver: ConsoleDriver, out: io.StringIO) -> None:
        self.driver = driver
        self.out = out

    async def type(self, line: str) -> str:
        start = len(self.out.getvalue())
        inbound = self.driver.parse(line)
        assert inbound is not None, line
        await self.driver.step(inbound)
        return self.out.getvalue()[start:]

    async def choose(self, label: str) -> str:
        """Type the number shown beside the button whose label contains ``label``."""
        for number, button in enumerate(self.driver.choices, start=1):
            if label in button.label:
                return await self.type(str(number))
        raise AssertionError(f"no {label!r} among {[b.label for b in self.driver.choices]}")


async def test_a_request_at_the_console_in_japanese(tmp_path: Path) -> None:
    deps = request_deps()
    db = await Database.open(tmp_path / "console.db")
    services = services_on(db, deps)
    out = io.StringIO()
    driver = ConsoleDriver(services, out, "ja")
    terminal = Terminal(driver, out)
    try:
        await driver.begin()
        assert "相談を申し込む" in out.getvalue()
        await terminal.choose("相談を申し込む")
        screen = await terminal.choose("子どもの保護者です")
        assert "相談の申し込みの前に" in screen and "<b>" not in screen  # plain text here
        await terminal.choose("1. 相談に使う")
        await terminal.choose("次へ")
        await terminal.choose("千代田区に住んでいる")
        retry = await terminal.type("よくわからない")
        assert "2歳3か月" in retry
        await terminal.type("令和6年4月")
        await terminal.choose("酸素療法")
        await terminal.choose("決定")
        await terminal.choose("自宅")
        await terminal.choose("はい、受けている")
        await terminal.choose("災害への備え")
        await terminal.choose("決定")
        await terminal.choose("スキップ")
        await terminal.choose("電話してほしい")
        await terminal.type("03-1234-5678")
        await terminal.type("平日の午前中")
        summary = await terminal.type("千代田 花子")
        for part in ("酸素療法", "災害への備え", "03-1234-5678", "平日の午前中", "2024年4月"):
            assert part in summary, part
        await terminal.choose("電話してよい時間帯")  # change one answer
        summary = await terminal.type("平日14時以降")
        assert "平日14時以降" in summary and "平日の午前中" not in summary
        sent = await terminal.choose("コーディネーターに送る")
        assert "受付番号 K-0001" in sent
        mine = await terminal.type("/mydata")
        assert "K-0001" in mine and "平日14時以降" in mine
    finally:
        await services.close()


async def start_request(tmp_path: Path) -> tuple[Services, Terminal, io.StringIO]:
    deps = request_deps()
    db = await Database.open(tmp_path / "console.db")
    services = services_on(db, deps)
    out = io.StringIO()
    terminal = Terminal(ConsoleDriver(services, out, "ja"), out)
    await terminal.driver.begin()
    await terminal.choose("相談を申し込む")
    await terminal.choose("子どもの保護者です")
    await terminal.choose("1. 相談に使う")
    await terminal.choose("次へ")
    return services, terminal, out


async def test_digits_are_an_answer_where_the_question_wants_one(tmp_path: Path) -> None:
    services, terminal, _out = await start_request(tmp_path)
    try:
        await terminal.choose("千代田区に住んでいる")
        # 「2」 is the child's age, not the second button (which would cancel the request).
        after_age = await terminal.type("2")
        assert "医療的ケア" in after_age and "中止" not in after_age.splitlines()[0]
        assert terminal.driver.state == "intake:care"
        await terminal.choose("酸素療法")
        await terminal.choose("決定")
        await terminal.choose("自宅")
        await terminal.choose("はい、受けている")
        await terminal.choose("災害への備え")
        await terminal.choose("決定")
        await terminal.choose("スキップ")
        await terminal.choose("電話してほしい")
        after_phone = await terminal.type("09012345678")
        assert "(1–" not in after_phone
        assert terminal.driver.state == "intake:phone_times"
        async with services.db.transaction() as tx:
            who = terminal.driver.user_id
            draft = await tx.drafts.load(f"{who}:{ident_of(who)}")
        assert draft is not None
        assert draft.answers["age"] == {"kind": "age", "years": 2, "months": 0}
        assert draft.answers["phone"] == "09012345678"
    finally:
        await services.close()


async def test_a_number_outside_the_choices_lists_them_in_words(tmp_path: Path) -> None:
    services, terminal, out = await start_request(tmp_path)
    try:
        start = len(out.getvalue())
        assert terminal.driver.parse("7") is None  # the residence question has 4 buttons
        said = out.getvalue()[start:]
        assert "7番の選択肢はありません" in said and "(1–" not in said
        assert "[1] 千代田区に住んでいる" in said  # the choices, again, with their numbers
    finally:
        await services.close()


async def test_an_empty_line_asks_the_question_again(tmp_path: Path) -> None:
    services, terminal, _out = await start_request(tmp_path)
    try:
        await terminal.choose("千代田区に住んでいる")
        again = await terminal.type("")
        assert "お子さんは何歳" in again and terminal.driver.state == "intake:age"
        assert "何をしますか" not in again  # not the main menu
    finally:
        await services.close()


async def test_quit_says_goodbye_and_that_the_conversation_is_kept(tmp_path: Path) -> None:
    services, terminal, out = await start_request(tmp_path)
    try:
        await terminal.driver.run(io.StringIO("/quit\n"))
        assert "またお話しできます" in out.getvalue().splitlines()[-1]
    finally:
        await services.close()
