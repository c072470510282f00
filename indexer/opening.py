"""A document's opening content, for an overview: where its substance starts.

The first lines of a stored document are still its type line and title ("QUY ĐỊNH / THI
HÀNH ĐIỀU LỆ ĐẢNG"), its legal bases ("- Căn cứ Điều lệ Đảng;"), the enacting line ("Ban Bí
thư hướng dẫn … như sau:") and, where the header was not recognised, letterhead lines. None
of that is content a member asked for. The opening is the lead paragraph, when there is
prose before the first heading (a Chỉ thị's "Thời gian qua, …"), then the first top-level
section ("I. MỤC ĐÍCH, YÊU CẦU", "1. Điều 1 …"), in whole lines up to a length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.boilerplate import line_roles
from knowledge.outline import document_sections
from indexer.header import MOTTO, SEPARATOR, is_caps, is_number_line, is_place_date
from knowledge.passages import SECTION_SEPARATOR
from knowledge.text import fold, normalize, shorten

MAX_OPENING_CHARS = 1200
_BASIS = re.compile(r"^[-–+•]?\s*(?:can\s+cu|xet\b|theo\s+de\s+nghi|v/v\b|kinh\s+gui)")
_ENACTING = re.compile(r"(?:nhu\s+sau|sau\s+day|cac\s+noi\s+dung\s+sau)\s*:\s*$")
_SUBJECT = re.compile(r"^(?:ve|cua)\s")


@dataclass(frozen=True)
class Opening:
    """The opening of a document: its section's heading path ("" for a lead only) and text."""

    section: str
    text: str
    lead: bool  # it starts with prose before any heading


def opening_section(text: str, title: str = "", *, max_chars: int = MAX_OPENING_CHARS) -> Opening | None:
    """The opening of a document's stored text (its chunks in order, joined by lines), or
    None when nothing but header lines is found."""
    sections = document_sections(text)
    lead: list[str] = []
    top: tuple[str, ...] | None = None
    body: list[str] = []
    for path, lines in sections:
        if not path:
            if top is None:
                lead += _prose(lines, title)
            continue
        if top is None:
            top = path[:1]
        if path[:1] != top:
            break
        body += lines
    lines = lead + body
    if not lines:
        return None
    kept: list[str] = []
    size = 0
    for line in lines:
        if kept and size + len(line) + 1 > max_chars:
            break
        if not kept and len(line) > max_chars:
            line = shorten(line, max_chars)
        kept.append(line)
        size += len(line) + 1
    section = SECTION_SEPARATOR.join(top) if top and len(kept) > len(lead) else ""
    return Opening(section, "\n".join(kept), bool(lead))


def _prose(lines: list[str], title: str) -> list[str]:
    """Lines before the first heading that are content: not header, title, bases or the
    enacting line. A line the PDF wrapped goes with the line it continues."""
    lines = [normalize(line).strip() for line in lines if line.strip()]
    roles = line_roles(lines)
    folded_title = " ".join(fold(title).split())
    kept: list[str] = []
    dropped_last = False
    previous = ""
    for line, role in zip(lines, roles):
        folded = fold(line)
        continues = bool(previous) and not re.search(r"[.;:!?]$", previous) and (
            line[:1].islower() or len(line) < 30)
        previous = line
        if continues and dropped_last:
            continue  # the rest of a dropped line ("… khóa" / "XIII;")
        drop = (
            role is not None or is_caps(line) or SEPARATOR.match(line) is not None
            or is_number_line(line) or is_place_date(folded) or MOTTO.search(folded) is not None
            or _BASIS.match(folded) is not None or _ENACTING.search(folded) is not None
            or (line.startswith("(") and line.endswith(")"))
            or (bool(folded_title) and (" ".join(folded.split()) in folded_title
                                        or (len(folded_title) >= 20 and folded_title in folded)))
            or (not kept and _SUBJECT.match(folded) is not None and len(line) <= 250)
        )
        dropped_last = drop
        if drop:
            continue
        if continues and kept:
            kept[-1] += " " + line
        else:
            kept.append(line)
    return kept
