"""The needs and problems coordinators record on a request (needs.yaml), for the council.

The ward memo asks the coordinators to draw out the needs and problems found through
individual support and to follow how far they are solved (ニーズ・課題の抽出及び課題解決状況).
Staff keep the list of kinds; a coordinator picks one of these codes, so the support
council's report can count them without anyone's words in it.
"""

from __future__ import annotations

from pydantic import Field

from content.models import Identifier, LocalizedText, _Strict


class NeedKind(_Strict):
    id: Identifier
    label: LocalizedText
    description: LocalizedText


class NeedsFile(_Strict):
    needs: list[NeedKind] = Field(min_length=1)

    def kind(self, code: str) -> NeedKind | None:
        return next((n for n in self.needs if n.id == code), None)
