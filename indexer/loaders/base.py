"""What every loader returns and raises, and the text clean-up they all share."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from typing import Any

from knowledge.text import normalize


@dataclass(frozen=True)
class LoadedText:
    """The text of one document (or one JSONL passage), ready for metadata parsing and chunking.

    `text` is normalised (`knowledge.text.normalize`) with one paragraph or line per "\\n",
    each stripped, blank lines dropped, so that headings ("II. NHIỆM VỤ", "1.", "a)") start lines.
    `fields` holds only metadata the file states explicitly (front matter, JSONL fields).
    """

    doc_id: str
    source: str
    text: str
    fields: dict[str, Any] = field(default_factory=dict)


class LoadError(Exception):
    """A file that cannot be turned into text; `reason` is a short English explanation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Extracted:
    """Raw text and explicit metadata from a single-document format, before clean-up."""

    text: str
    fields: dict[str, Any] = field(default_factory=dict)


def clean_text(raw: str) -> str:
    """Normalise, strip every line and drop blank ones: one paragraph per line."""
    lines = (line.strip() for line in normalize(raw).split("\n"))
    return "\n".join(line for line in lines if line)


def normalize_value(value: Any) -> Any:
    """Normalise strings inside a metadata value, leaving dates, numbers and keys alone."""
    if isinstance(value, str):
        return normalize(value).strip()
    if isinstance(value, list):
        return [normalize_value(item) for item in value]
    return value


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_text(data: bytes) -> str:
    """Decode a text file: UTF-8 (BOM optional), or UTF-16 when it says so with a BOM.

    No guessing of legacy code pages (TCVN3, VNI, cp1258): a wrong guess produces plausible
    garbage that would be indexed silently, while an error tells the operator to re-save.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise LoadError("not UTF-16 text") from exc
    if b"\x00" in data:
        # UTF-8 text never contains NUL; this is a binary file with a text suffix.
        raise LoadError("binary content")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LoadError("not UTF-8 text") from exc
