"""Staff edits from the chat, written into the FAQ files the bot reads.

A change names the fields of one entry in one language, what they said when the
staff member looked (``old``) and what they should say now (``new``). The file is
read afresh, the change applied only if the entry still says ``old`` (an edit made
meanwhile in Excel or an editor is never overwritten unseen), the file rewritten in
its readable layout, and the whole content checked before the bot switches over —
on any error the previous file is put back (:meth:`ContentStore.replace_files`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import ValidationError

from content.faq_files import leading_comments, parses_back, render_faq
from content.models import FaqEntry, FaqFile
from content.problems import Problem, validation_message
from content.records import EditProblem, EditResult, FaqChange
from content.source import ContentStore
from content.spreadsheet import FILE_HAS_ERRORS
from content.yaml_lines import YamlSyntaxError, load_with_lines


def _edit_problem(problem: Problem) -> EditProblem:
    params = {key: str(value) for key, value in problem.params.items()}
    return EditProblem(file=problem.file, line=problem.line, msgid=problem.msgid, params=params)


class FaqFileEditor:
    """Implements :class:`flows.ports.ContentEditor` on the content directory of a store."""

    def __init__(self, store: ContentStore) -> None:
        self._store = store

    async def apply(self, change: FaqChange) -> EditResult:
        # Rewriting a file and rebuilding the matcher take long enough to stall the
        # event loop; the step waits for it, other conversations need not.
        return await asyncio.to_thread(self._apply, change)

    async def reload(self) -> EditResult:
        result = await asyncio.to_thread(self._store.reload)
        if result.content is None:
            return EditResult(
                status="refused", problems=tuple(_edit_problem(p) for p in result.errors)
            )
        return EditResult(status="applied", warnings=len(result.warnings))

    def _apply(self, change: FaqChange) -> EditResult:
        name = f"faq.{change.locale}.yaml"
        path = self._store.root / name
        entries = self._read(name)
        if entries is None:
            problem = Problem("error", name, 1, FILE_HAS_ERRORS, {"file": name})
            return EditResult(status="refused", problems=(_edit_problem(problem),))
        index = next((i for i, e in enumerate(entries) if e.id == change.entry_id), None)
        if index is None:
            return EditResult(status="missing")
        current: dict[str, Any] = entries[index].model_dump(mode="json")
        if any(current.get(key) != value for key, value in change.old.items()):
            return EditResult(status="conflict")
        if all(current.get(key) == value for key, value in change.new.items()):
            return EditResult(status="unchanged")
        try:
            updated = FaqEntry.model_validate({**current, **change.new})
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                msgid, params = validation_message(err)
                problems.append(_edit_problem(Problem("error", name, 1, msgid, params)))
            return EditResult(status="refused", problems=tuple(problems))
        entries[index] = updated
        text = render_faq(change.locale, entries, leading_comments(path))
        if not parses_back(text, FaqFile(locale=change.locale, entries=entries)):
            raise RuntimeError(f"{name} would not load back as edited")
        result = self._store.replace_files({path: text})
        if result.content is None:
            return EditResult(
                status="refused", problems=tuple(_edit_problem(p) for p in result.errors)
            )
        return EditResult(status="applied", warnings=len(result.warnings))

    def _read(self, name: str) -> list[FaqEntry] | None:
        path = self._store.root / name
        if not path.is_file():
            return None
        try:
            data, _lines = load_with_lines(path)
            return list(FaqFile.model_validate(data).entries)
        except (YamlSyntaxError, ValidationError):
            return None
