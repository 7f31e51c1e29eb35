"""Content directories for tests: a copy of the shipped one, with a small FAQ when asked."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from content.loader import DEFAULT_CONTENT_DIR


def copy_shipped(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(DEFAULT_CONTENT_DIR, root)
    return root


def first_ids(root: Path) -> tuple[str, str]:
    """A category id and an office id that exist in the copied files."""
    categories = yaml.safe_load((root / "categories.yaml").read_text("utf-8"))
    offices = yaml.safe_load((root / "offices.yaml").read_text("utf-8"))
    return categories["categories"][0]["id"], offices["offices"][0]["id"]


def small_faq(root: Path, locale: str, extra: str = "") -> str:
    """A two-entry FAQ whose line numbers the tests know.

    Line 3 is the first entry's id; ``extra`` is appended to the second entry
    (which starts on line 9, its answer on line 13), indented as one of its fields, on
    line 15.
    """
    category, _office = first_ids(root)
    ja = locale == "ja"
    text = (
        f"locale: {locale}\n"
        "entries:\n"
        "  - id: houmon_kango\n"  # line 3
        f"    category: {category}\n"
        f"    question: {'訪問看護を使いたい' if ja else 'How do I start visiting nursing?'}\n"
        f"    title: {'訪問看護' if ja else 'Visiting nursing'}\n"
        # The two lines of the answer on one, so that the second entry still starts on 9.
        f"    answer: \"{'看護師がご自宅に来ます。' if ja else 'A nurse visits your home.'}\\n"
        f"{'主治医に相談してください。' if ja else 'Ask your doctor first.'}\"\n"
        "    reviewed: true\n"
        "  - id: tanki_nyusho\n"  # line 9
        f"    category: {category}\n"
        f"    question: {'短期入所を使いたい' if ja else 'How do I use a short stay?'}\n"
        f"    title: {'短期入所' if ja else 'Short stay'}\n"
        f"    answer: {'短期入所の説明です。' if ja else 'About short stays.'}\n"
        "    see_also: [houmon_kango]\n"
    )
    return text + extra


def with_small_faq(tmp_path: Path, ja_extra: str = "", en_extra: str = "") -> Path:
    root = copy_shipped(tmp_path)
    (root / "faq.ja.yaml").write_text(small_faq(root, "ja", ja_extra), "utf-8")
    (root / "faq.en.yaml").write_text(small_faq(root, "en", en_extra), "utf-8")
    return root
