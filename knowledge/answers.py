"""Extractive answers: the most relevant passages, trimmed to the sentences that matter,
each with its citation. Nothing is generated: every sentence shown is a document's own.
"""

from __future__ import annotations

import re
from datetime import date
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Protocol, Sequence

from knowledge import messages_validity
from knowledge import phrasing as messages
from knowledge.docnumbers import NumberRef, parse_number, parse_number_refs, type_code, type_name
from knowledge.excerpts import Neighbours, excerpt, split_sentences
from knowledge.passages import DocumentMeta
from knowledge.relations import Validity
from knowledge.search import SearchHit
from knowledge.text import normalize, spaced_breaks
from knowledge.validity import prefer_in_force

__all__ = [
    "Answer", "AnswerPassage", "AnswerPolicy", "Citation", "answer_question", "compose_answer",
    "excerpt", "split_sentences",
]

@dataclass(frozen=True)
class AnswerPolicy:
    """When to answer, and how much to show. `min_coverage` is measured (docs/developers.md)."""

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
        if messages.adds_title(self.label, self.title):
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
    chunk_id: str = ""  # "<doc_id>::<ordinal>": the passage across store versions (follow-ups)


@dataclass(frozen=True)
class Answer:
    question: str
    answered: bool
    passages: list[AnswerPassage] = field(default_factory=list)
    notice: str | None = None  # e.g. the named document is not in the store
    # A refusal's pointers: documents in the store near a missing named one ("Chỉ thị
    # 12-CT/TU «…»"), and labels of stored documents to quote as examples of asking.
    closest: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    named_missing: bool = False  # refused because the document it names is not in the store
    # The opening line of an answer, when not the usual one (a follow-up says what it
    # continues: "Các đoạn tiếp theo cho câu hỏi «…»:").
    intro: str | None = None

    @property
    def lead(self) -> str:
        """The line an answer opens with (every renderer's)."""
        if self.intro:
            return self.intro
        return f"{self.notice} {messages.MAYBE_RELATED}" if self.notice else messages.ANSWER_INTRO

    @property
    def citations(self) -> list[Citation]:
        return [p.citation for p in self.passages]

    def refusal_paragraphs(self) -> list[str]:
        """A refusal, paragraph by paragraph (channels render and escape each)."""
        if self.named_missing:
            lead = [self.notice] if self.notice else []
            if self.closest:
                listed = "\n".join(f"• {label}" for label in self.closest)
                return lead + [f"{messages.CLOSEST_DOCUMENTS}\n{listed}"]
            return lead + [messages.NOT_IN_STORE_HINT]
        lead = [self.notice] if self.notice else []
        return lead + [messages.NOT_FOUND, messages.not_found_hints(self.examples)]

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
            return "\n\n".join(self.refusal_paragraphs())
        lines = [self.lead, ""]
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


def compose_answer(
    question: str,
    hits: list[SearchHit],
    policy: AnswerPolicy,
    neighbours: Callable[[SearchHit], Neighbours] | None = None,
) -> Answer:
    """Decide whether the hits answer the question, and quote them if so.

    A question that names documents none of which is in the store is refused with a notice
    naming them as written: passages of other documents are not its answer, however many of
    its words they share. `neighbours` gives the passages around a hit (for quotes that need
    the content under a heading or a table's header row).
    """
    refs = parse_number_refs(question)
    if refs and not any(h.named for h in hits):
        notice = messages.number_not_in_store([_describe(r) for r in refs])
        return Answer(question, False, notice=notice, named_missing=True)
    if not hits:
        return Answer(question, False)
    top = hits[0]
    if not top.named and top.coverage < policy.min_coverage:
        return Answer(question, False)
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
            Citation.of(h.doc, h.chunk.section),
            excerpt(
                h.chunk.text, question, policy.max_chars,
                neighbours(h) if neighbours is not None else Neighbours(),
            ),
            h.score, h.row, h.chunk.chunk_id,
        )
        for h in chosen
    ]
    return Answer(question, True, passages)


def _describe(ref: NumberRef) -> str:
    """How the member's reference reads back to them: as they wrote it ("Nghị quyết
    57-NQ/TW", "CT12"), else rebuilt from its parts ("Chỉ thị 5")."""
    if ref.written:
        return " ".join(ref.written.split())
    name = type_name(ref.code)
    label = f"{name} {ref.serial}" if name else ref.serial
    return f"{label}/{ref.issuer}" if ref.issuer else label


class _SearchesQuestions(Protocol):
    def search(self, query: str, *, k: int = ..., distinct_docs: bool = ...) -> list[SearchHit]: ...

    def documents(self) -> list[DocumentMeta]: ...

    def neighbours(self, hit: SearchHit) -> Neighbours: ...


EXAMPLES = 2  # stored documents a refusal quotes as examples of naming one
CLOSEST = 3  # stored documents listed when the one named is missing


def answer_question(searcher: _SearchesQuestions, question: str, policy: AnswerPolicy,
                    exclude: frozenset[str] = frozenset()) -> Answer:
    """Search, then compose: the one call channels make to answer a member. `exclude`:
    chunk ids already shown for this question ("còn gì nữa?"): the next best passages are
    composed by the same rules, and an answer with none left is unanswered."""
    question = spaced_breaks(question)  # "tổ\u200bxung kích": two words, not "tổxung"
    if not normalize(question).strip():
        return Answer(question, False, examples=example_labels(searcher.documents()))
    hits = searcher.search(question, k=policy.max_passages * 3 + len(exclude),
                           distinct_docs=False)
    if exclude:
        hits = [h for h in hits if h.chunk.chunk_id not in exclude]
        if not hits:
            return Answer(question, False)
    # The document in force first, unless the question is about the past (knowledge/validity.py).
    hits = prefer_in_force(hits, question)
    answer = compose_answer(question, hits, policy, searcher.neighbours)
    if answer.answered:
        return answer
    documents = searcher.documents()
    if answer.named_missing:
        refs = parse_number_refs(question)
        return replace(answer, closest=tuple(
            describe_document(d) for d in closest_documents(documents, refs, CLOSEST)
        ))
    return replace(answer, examples=example_labels(documents))


def example_labels(documents: Sequence[DocumentMeta], limit: int = EXAMPLES) -> tuple[str, ...]:
    """How to name stored documents, newest first: the first as cited ("Chỉ thị 12-CT/TU"),
    the next as members write them ("Kế hoạch 35")."""
    numbered = sorted(
        (d for d in documents if d.number and d.doc_type),
        key=lambda d: (d.issued is not None, d.issued, d.doc_id), reverse=True,
    )
    out: list[str] = []
    for i, doc in enumerate(numbered[:limit]):
        digits = re.match(r"\d+", doc.number or "")  # as printed: "01", not "1"
        short = f"{doc.doc_type} {digits.group(0)}" if digits else doc.label
        out.append(doc.label if i == 0 else short)
    return tuple(out)


def closest_documents(
    documents: Sequence[DocumentMeta], refs: Sequence[NumberRef], limit: int = CLOSEST
) -> list[DocumentMeta]:
    """Stored documents nearest to missing references: the same serial first (another type or
    issuer: a member's slip), then the same type, newest first; none when nothing is near."""
    def nearness(doc: DocumentMeta) -> int:
        parsed = parse_number(doc.number) if doc.number else None
        best = 0
        for ref in refs:
            near = 0
            if parsed is not None and parsed.serial == ref.serial:
                near += 2
            if ref.code and ref.code in {parsed.code if parsed else None, type_code(doc.doc_type)}:
                near += 1
            best = max(best, near)
        return best

    scored = [(nearness(d), d) for d in documents]
    scored = [(n, d) for n, d in scored if n > 0]
    scored.sort(key=lambda nd: (nd[0], nd[1].issued is not None, nd[1].issued), reverse=True)
    return [d for _, d in scored[:limit]]


def describe_document(doc: DocumentMeta) -> str:
    """One line naming a stored document: "Chỉ thị 12-CT/TU, «title», ngày 15/03/2025", and
    its status when it is no longer in force."""
    parts = [doc.label]
    if messages.adds_title(doc.label, doc.title):
        parts.append(f"«{doc.title}»")
    if doc.issued:
        parts.append(messages.issued_on(doc.issued))
    if not doc.validity.in_force:
        parts.append(messages_validity.status_text(doc.validity))
    return ", ".join(parts)
