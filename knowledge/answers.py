"""Extractive answers: the most relevant passages, trimmed to the sentences that matter,
each with its citation. Nothing is generated: every sentence shown is a document's own.
"""

from __future__ import annotations

import re
from datetime import date
from dataclasses import dataclass, field
from typing import Any, Protocol

from knowledge import messages_validity
from knowledge import phrasing as messages
from knowledge.docnumbers import NumberRef, parse_number_refs, type_name
from knowledge.passages import DocumentMeta
from knowledge.relations import Validity
from knowledge.search import SearchHit
from knowledge.text import fold, normalize, syllables
from knowledge.validity import prefer_in_force

# Sentence ends: . ; ! ? followed by a space and a capital (digit, quote), or line breaks.
# Numbered labels ("1.", "a)") at a line start stay with their sentence because we only split
# after the mark + space. The capitals are listed: the range À-Ỹ also holds lowercase letters
# (đ, ư, ồ...), and "hay; đồng thời" is one sentence.
_CAPITALS = "".join(c for c in map(chr, range(0xC0, 0x1EFA)) if c.isupper())
_LABEL_ONLY = re.compile(r"^(?:[IVXLC]+|\d+(?:\.\d+)*|[a-zđ])[.)]$")
_SENTENCE_END = re.compile(rf"(?<=[.;!?…])\s+(?=[A-Z{_CAPITALS}0-9\"“(«-])|\n+")


@dataclass(frozen=True)
class AnswerPolicy:
    """When to answer, and how much to show. `min_coverage` is measured (README)."""

    min_coverage: float = 0.55  # IDF-weighted share of the question's words in the top passage
    max_passages: int = 3
    max_chars: int = 700  # per passage excerpt
    relative_floor: float = 0.6  # a passage after the first must score this share of the first


@dataclass(frozen=True)
class Citation:
    doc_id: str
    title: str
    section: str
    source: str
    label: str  # "Chỉ thị 12-CT/TU" or the title
    number: str | None = None
    doc_type: str | None = None
    issuer: str | None = None
    issued: str | None = None  # ISO date
    validity: Validity = Validity()  # the document's status and links (knowledge.relations)

    @classmethod
    def of(cls, doc: DocumentMeta, section: str) -> Citation:
        return cls(
            doc_id=doc.doc_id, title=doc.title, section=section, source=doc.source,
            label=doc.label, number=doc.number, doc_type=doc.doc_type, issuer=doc.issuer,
            issued=doc.issued.isoformat() if doc.issued else None, validity=doc.validity,
        )

    def describe(self) -> str:
        """One line a cadre can quote: label, title, section, date, source."""
        parts = [self.label]
        if self.title and self.title != self.label:
            parts.append(f"«{self.title}»")
        if self.section:
            parts.append(messages.cite_section(self.section))
        if self.issued:
            parts.append(messages.issued_on(date.fromisoformat(self.issued)))
        if not self.validity.in_force:
            parts.append(messages_validity.CITATION_NOT_IN_FORCE)
        return ", ".join(parts) + f" ({self.source})"

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "section": self.section,
            "source": self.source,
            "number": self.number,
            "type": self.doc_type,
            "issuer": self.issuer,
            "date": self.issued,
            "status": self.validity.status,
            "replaced_by": [link.number or link.label for link in self.validity.replaced_by],
        }


@dataclass(frozen=True)
class AnswerPassage:
    citation: Citation
    excerpt: str
    score: float
    row: int  # the chunk's row in the store version (channels use it for "Xem văn bản")


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    passages: list[AnswerPassage] = field(default_factory=list)
    notice: str | None = None  # e.g. the named document is not in the store

    @property
    def citations(self) -> list[Citation]:
        return [p.citation for p in self.passages]

    @property
    def validity_notes(self) -> list[str]:
        """A note per quoted document that is no longer in force or was amended, naming what
        replaced it (shown after the passages)."""
        quoted: dict[str, tuple[str, Validity, list[int]]] = {}
        for i, c in enumerate(self.citations, 1):
            quoted.setdefault(c.doc_id, (c.label, c.validity, []))[2].append(i)
        return messages_validity.answer_notes(list(quoted.values()))

    @property
    def text(self) -> str:
        """Plain-text rendering (terminal, Zalo); channels with markup render their own."""
        if not self.answered:
            lead = [self.notice] if self.notice else []
            return "\n\n".join(lead + [messages.NOT_FOUND, messages.NOT_FOUND_HINTS])
        lead = f"{self.notice} {messages.MAYBE_RELATED}" if self.notice else messages.ANSWER_INTRO
        lines = [lead, ""]
        for i, p in enumerate(self.passages, 1):
            lines.append(f"[{i}] {p.excerpt}")
            lines.append("")
        for note in self.validity_notes:
            lines += [note, ""]
        lines.append(messages.SOURCES + ":")
        lines.extend(f"[{i}] {c.describe()}" for i, c in enumerate(self.citations, 1))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "answered": self.answered,
            "answer": self.text,
            "citations": [c.to_json() for c in self.citations],
        }


def compose_answer(question: str, hits: list[SearchHit], policy: AnswerPolicy) -> Answer:
    """Decide whether the hits answer the question, and quote them if so."""
    refs = parse_number_refs(question)
    named_missing = bool(refs) and not any(h.named for h in hits)
    notice = None
    if named_missing:
        shown = [_describe(r) for r in refs]
        notice = messages.number_not_in_store(shown)
    if not hits:
        return Answer(question, False, notice=notice)
    top = hits[0]
    if not top.named and top.coverage < policy.min_coverage:
        return Answer(question, False, notice=notice)
    chosen = [top]
    for hit in hits[1:]:
        if len(chosen) >= policy.max_passages:
            break
        if hit.named != top.named or hit.coverage < policy.min_coverage:
            continue
        if hit.score < policy.relative_floor * top.score:
            continue
        chosen.append(hit)
    passages = [
        AnswerPassage(
            Citation.of(h.doc, h.chunk.section), excerpt(h.chunk.text, question, policy.max_chars),
            h.score, h.row,
        )
        for h in chosen
    ]
    return Answer(question, True, passages, notice=notice)


def _describe(ref: NumberRef) -> str:
    """"Chỉ thị 5", "Nghị quyết 57/TW": how the member's reference reads back to them."""
    name = type_name(ref.code)
    label = f"{name} {ref.serial}" if name else ref.serial
    return f"{label}/{ref.issuer}" if ref.issuer else label


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage; a bare item label ("III.", "2.", "a)") stays with its text."""
    out: list[str] = []
    for part in _SENTENCE_END.split(text):
        part = part.strip() if part else ""
        if not part:
            continue
        if out and _LABEL_ONLY.match(out[-1]):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


def excerpt(text: str, question: str, max_chars: int) -> str:
    """The passage's sentences that share most words with the question, in document order,
    within `max_chars`; gaps are marked with "…"."""
    sentences = split_sentences(normalize(text))
    if not sentences:
        return ""
    if sum(len(s) + 1 for s in sentences) <= max_chars:
        return "\n".join(sentences)
    q = syllables(fold(question))
    words = set(q)
    pairs = {f"{a} {b}" for a, b in zip(q, q[1:])}

    def score(sentence: str) -> float:
        s = syllables(fold(sentence))
        overlap = len(words.intersection(s))
        bigrams = len(pairs.intersection(f"{a} {b}" for a, b in zip(s, s[1:])))
        return overlap + 2 * bigrams

    def render(kept: set[int]) -> str:
        out: list[str] = []
        previous = -1
        for i in sorted(kept):
            if i != previous + 1:
                out.append(messages.OMITTED)
            out.append(sentences[i])
            previous = i
        if previous != len(sentences) - 1:
            out.append(messages.OMITTED)
        return "\n".join(out)

    ranked = sorted(range(len(sentences)), key=lambda i: (-score(sentences[i]), i))
    keep: set[int] = set()
    for i in ranked:
        # Measured as rendered: the "…" gap marks and line breaks count against max_chars.
        if len(render(keep | {i})) <= max_chars:
            keep.add(i)
        elif not keep:
            return sentences[i][: max_chars - 1].rsplit(" ", 1)[0] + messages.OMITTED
    return render(keep)


class _SearchesQuestions(Protocol):
    def search(self, query: str, *, k: int = ..., distinct_docs: bool = ...) -> list[SearchHit]: ...


def answer_question(searcher: _SearchesQuestions, question: str, policy: AnswerPolicy) -> Answer:
    """Search, then compose: the one call channels make to answer a member."""
    if not normalize(question).strip():
        return Answer(question, False)
    hits = searcher.search(question, k=policy.max_passages * 3, distinct_docs=False)
    # The document in force first, unless the question is about the past (knowledge/validity.py).
    return compose_answer(question, prefer_in_force(hits, question), policy)
