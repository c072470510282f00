"""The units the knowledge base is made of: documents, their metadata, and chunks."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from knowledge.relations import Validity
from knowledge.text import unify_tones

SECTION_SEPARATOR = " › "
# The type of an officer's official answer to a members' question (bot/ask/official.py): a
# Q&A entry written by a unit, cited with that unit's name ("Trả lời chính thức của Ban
# Tuyên giáo Huyện ủy … «question»").
OFFICIAL_ANSWER = "Trả lời chính thức"
# A title longer than this (an article's whole lead paragraph) is cut in what gets indexed, so
# it cannot crowd the passage itself out of the model's window.
MAX_INDEXED_TITLE = 160


@dataclass(frozen=True)
class DocumentMeta:
    """What is known about one document, from its header, front matter or JSONL fields."""

    doc_id: str  # path relative to the indexed folder, or the JSONL doc_id
    title: str
    source: str  # where it came from (relative path, plus "#line" for JSONL passages)
    number: str | None = None  # số hiệu, canonical form, e.g. "05-CT/TW"
    doc_type: str | None = None  # "Chỉ thị", "Nghị quyết", ...
    issuer: str | None = None  # "Ban Chấp hành Trung ương", "Bộ Chính trị", ...
    issued: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Metadata fields the document did not give ("number", "type", "issuer", "date", "title").
    missing: tuple[str, ...] = ()
    # What an operator should know about how it was read (OCR gaps, a duplicate, ...).
    warnings: tuple[str, ...] = ()
    # The doc_id of the copy that is indexed when this file holds the same document.
    duplicate_of: str | None = None
    # What it replaces, amends or repeals, and whether it is still in force (knowledge.relations).
    validity: Validity = field(default_factory=Validity)
    # How it was read: the file's page count (PDF) and how many of its pages came from OCR,
    # so the duplicate rule can keep the copy that reads best without reading it again.
    pages: int | None = None
    ocr_pages: int = 0

    @property
    def year(self) -> int | None:
        return self.issued.year if self.issued else None

    @property
    def label(self) -> str:
        """How a citation names the document, its type first whenever known: "Chỉ thị
        05-CT/TW"; without a number, the type and the title ("Hiến pháp «Nước Cộng hòa xã
        hội chủ nghĩa Việt Nam»"), since a type alone does not tell two plans apart; else the
        number or the title alone."""
        if self.number:
            return f"{self.doc_type} {self.number}" if self.doc_type else self.number
        if self.doc_type == OFFICIAL_ANSWER and self.issuer:
            return f"{OFFICIAL_ANSWER} của {self.issuer} «{self.title}»"
        if self.doc_type:
            return f"{self.doc_type} «{self.title}»" if self.title else self.doc_type
        return self.title

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["issued"] = self.issued.isoformat() if self.issued else None
        data["validity"] = self.validity.to_json()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DocumentMeta:
        issued = data.get("issued")
        return cls(**{
            **data,
            "issued": date.fromisoformat(issued) if issued else None,
            "missing": tuple(data.get("missing", ())),
            "warnings": tuple(data.get("warnings", ())),
            "validity": Validity.from_json(data.get("validity")),
        })


@dataclass(frozen=True)
class Chunk:
    """A passage of one document, cut along its structure, small enough to embed whole."""

    doc_id: str
    ordinal: int  # position within the document, from 0
    headings: tuple[str, ...]  # heading path, outermost first: ("II. Nhiệm vụ", "2.")
    text: str  # normalised text of the passage (without its headings)

    @property
    def chunk_id(self) -> str:
        return f"{self.doc_id}::{self.ordinal}"

    @property
    def section(self) -> str:
        return SECTION_SEPARATOR.join(self.headings)

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "ordinal": self.ordinal,
            "headings": list(self.headings),
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Chunk:
        return cls(data["doc_id"], data["ordinal"], tuple(data["headings"]), data["text"])


def indexed_text(doc: DocumentMeta, chunk: Chunk) -> str:
    """What is embedded and lexically indexed for a chunk: its document and section context
    first, so "Chỉ thị 05 nói gì về ..." can match a passage that never repeats the number."""
    # Not knowledge.text.shorten: this is the embedded and indexed text, and another cut
    # would change every store's vectors (a PIPELINE_VERSION bump and a rebuild).
    title = doc.title if len(doc.title) <= MAX_INDEXED_TITLE else (
        doc.title[:MAX_INDEXED_TITLE].rsplit(" ", 1)[0] + "…"
    )
    head = title if not doc.number or doc.number in title else f"{doc.label}. {title}"
    parts = [head, chunk.section, chunk.text] if chunk.headings else [head, chunk.text]
    # The matching form: both tone placements meet ("hoà"/"hòa"), as queries' do (`canonical`).
    return unify_tones("\n".join(p for p in parts if p))


# How a heading names its level: "Điều 5. …", "II. …", "1.2. …", "a) …", "Chương III. …".
_LEVEL_LABELS: list[tuple[str, re.Pattern[str]]] = [
    ("phan", re.compile(r"^(?:PHẦN|Phần)\s+(?P<label>(?:THỨ|thứ)\s+\S+|[IVXLC]+|\d+)", re.IGNORECASE)),
    ("chuong", re.compile(r"^(?:CH[ƯƢ]ƠNG|Ch[ưƣ]ơng)\s+(?P<label>[IVXLC]+|\d+)")),
    ("muc", re.compile(r"^(?:MỤC|Mục)\s+(?P<label>\d+|[IVXLC]+)")),
    ("dieu", re.compile(r"^(?:Điều|ĐIỀU)\s+(?P<label>\d+[a-zđ]?)")),
    ("roman", re.compile(r"^(?P<label>[IVX]{1,5})\s*[.)]")),
    ("alpha", re.compile(r"^(?P<label>[A-ZĐ])\.\s")),
    ("num", re.compile(r"^(?P<label>\d{1,2}(?:\.\d{1,2}){0,3})[.)]?(?:\s|$)")),
    ("letter", re.compile(r"^(?P<label>[a-zđ])\)")),
    ("thu", re.compile(r"^(?P<label>Thứ\s+\S+)")),
]


def section_levels(section: str) -> list[tuple[str, str]]:
    """The structural levels of a heading path, outermost first, as (kind, label):
    "Chương II. … › Điều 5. … › 2. … › a) …" -> [("chuong", "II"), ("dieu", "5"),
    ("num", "2"), ("letter", "a")]. A heading of no known scheme gives ("text", heading)."""
    out: list[tuple[str, str]] = []
    for heading in section.split(SECTION_SEPARATOR) if section else []:
        for kind, pattern in _LEVEL_LABELS:
            if m := pattern.match(heading):
                out.append((kind, m["label"]))
                break
        else:
            out.append(("text", heading))
    return out
