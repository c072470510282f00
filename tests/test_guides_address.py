"""The guides speak to the reader as the bot does: «đồng chí», never «bạn» or «anh/chị»
(the members' guide said «bạn» and the officers' «anh/chị» while the bot says «đồng chí»).
What people type, quoted «…» or in code, and the transcripts (replayed against the bot by
tests/test_docs.py) are left as they are: a member may well greet the bot «chào bạn»."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO

GUIDES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
OTHER_FORMS = re.compile(r"\b(?:bạn|anh/chị|anh chị|quý vị)\b", re.IGNORECASE)
_FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
_QUOTED = re.compile(r"«[^»]*»|`[^`\n]*`|\"[^\"\n]*\"", re.DOTALL)


def prose(text: str) -> str:
    """The guide's own words: code blocks, code spans and quotes blanked (line breaks kept,
    so a finding still names its line)."""
    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    return _QUOTED.sub(blank, _FENCED.sub(blank, text))


def test_quotes_and_code_are_not_prose() -> None:
    text = "Gõ «chào bạn» hoặc `chào bạn`.\n```\n> chào bạn\n```\nTrợ lý nhắn cho bạn."
    found = OTHER_FORMS.findall(prose(text))
    assert found == ["bạn"]  # only the last line's, the guide's own


@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: g.relative_to(REPO).as_posix())
def test_guides_say_dong_chi(guide: Path) -> None:
    text = prose(guide.read_text(encoding="utf-8"))
    found = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
             if OTHER_FORMS.search(line)]
    assert found == []
