"""The knowledge store as the bot core sees it: ask, look a document up, list the newest.

Every call runs in a worker thread (`asyncio.to_thread`): query embedding and FAISS must not
block the event loop. The store reader picks up a republished store on the next call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.types import DocumentReply
from knowledge.outline import document_outline
from knowledge.answers import Answer, AnswerPassage, AnswerPolicy, Citation, answer_question
from knowledge.docnumbers import parse_number_refs
from knowledge.overview import document_request, names_only
from knowledge.passages import Chunk, DocumentMeta
from knowledge.search import Searcher

_LONG_LINE = 30  # characters: a line this long found inside the opening was shown
MAX_OVERVIEW_OUTLINE = 40  # outline lines in an overview: deeper levels are left out beyond it


@dataclass(frozen=True)
class TimedAnswer:
    answer: Answer
    latency_ms: int


# (a document's stored text, its title) -> its opening (`section`, `text`) or None: the
# indexer's reading of where a document's substance starts (indexer/opening.py), given by
# the entry point so the bot does not import the indexer.
OpeningFinder = Callable[[str, str], Any]


class KnowledgeBase:
    def __init__(self, searcher: Searcher, policy: AnswerPolicy,
                 opening: OpeningFinder | None = None) -> None:
        self.searcher = searcher
        self.policy = policy
        self.opening = opening  # None: overviews show the outline without an opening

    async def ask(self, question: str, exclude: frozenset[str] = frozenset()) -> TimedAnswer:
        """Answer a question; `exclude`: chunk ids already shown for it (the next passages)."""
        started = time.perf_counter()
        answer = await asyncio.to_thread(answer_question, self.searcher, question, self.policy,
                                         exclude)
        return TimedAnswer(answer, int((time.perf_counter() - started) * 1000))

    async def section_in_full(self, chunk_id: str, limit: int) -> AnswerPassage | None:
        """The section a shown passage belongs to, whole ("nói rõ hơn"): its chunks in
        document order, cut at `limit` characters on a line boundary; None when the store no
        longer has that passage."""
        return await asyncio.to_thread(self._section_in_full, chunk_id, limit)

    def _section_in_full(self, chunk_id: str, limit: int) -> AnswerPassage | None:
        version = self.searcher.reader.current()
        doc_id, _, ordinal = chunk_id.rpartition("::")
        if version is None or doc_id not in version.documents:
            return None
        rows = version.rows_of(doc_id)
        chunks = [version.chunks[row] for row in rows]
        found = next((i for i, c in enumerate(chunks) if str(c.ordinal) == ordinal), None)
        if found is None:
            return None
        section = chunks[found].section
        # The section's run of chunks around the passage (a long section is cut in several).
        start, end = found, found + 1
        while start > 0 and chunks[start - 1].section == section:
            start -= 1
        while end < len(chunks) and chunks[end].section == section:
            end += 1
        text = _cut("\n".join(c.text for c in chunks[start:end]), limit)
        doc = version.documents[doc_id]
        return AnswerPassage(Citation.of(doc, section), text, 1.0, rows[found], chunk_id)

    async def read_on(self, doc_id: str, shown: Sequence[str], limit: int,
                      count: int) -> list[AnswerPassage] | None:
        """A document read in order ("nói rõ hơn", "còn gì nữa?" after its overview): up to
        `count` of its chunks, whole, about `limit` characters in all (the first is cut on a
        line boundary when longer), after the last of `shown` ("<doc_id>::<ordinal>") — or,
        when none of them is this document's, after what its overview's opening showed (the
        header and the opening are not repeated). [] when nothing is left; None when the
        store no longer has the document."""
        return await asyncio.to_thread(self._read_on, doc_id, tuple(shown), limit, count)

    def _read_on(self, doc_id: str, shown: tuple[str, ...], limit: int,
                 count: int) -> list[AnswerPassage] | None:
        version = self.searcher.reader.current()
        if version is None or doc_id not in version.documents:
            return None
        doc = version.documents[doc_id]
        rows = version.rows_of(doc_id)
        chunks = [version.chunks[row] for row in rows]
        seen = [i for i, c in enumerate(chunks) if c.chunk_id in shown]
        start, rest = (max(seen) + 1, None) if seen else self._after_opening(chunks, doc.title)
        out: list[AnswerPassage] = []
        size = 0
        for i in range(start, min(len(chunks), start + count)):
            text = rest if i == start and rest is not None else chunks[i].text
            if out and size + len(text) > limit:
                break
            text = _cut(text, limit)
            size += len(text)
            out.append(AnswerPassage(Citation.of(doc, chunks[i].section), text, 1.0, rows[i],
                                     chunks[i].chunk_id))
        return out

    def _after_opening(self, chunks: Sequence[Chunk], title: str) -> tuple[int, str | None]:
        """Where reading on starts after a document's overview: (the index of the first
        chunk not shown whole, the lines of it the opening did not show, or None for all
        of it). The opening is contiguous from the start: chunks are scanned until one after
        the opening shows none of its lines. A line counts as shown when it is a line of the
        opening, or a long one found in it (the opening joins lines a PDF wrapped)."""
        if self.opening is None:
            return 0, None
        opening = self.opening("\n".join(c.text for c in chunks), title)
        if opening is None:
            return 0, None
        opened = {line.strip() for line in opening.text.splitlines()}

        def was_shown(line: str) -> bool:
            return line in opened or (len(line) >= _LONG_LINE and line in opening.text)

        last: tuple[int, int] | None = None
        for i, chunk in enumerate(chunks):
            lines = [line.strip() for line in chunk.text.splitlines() if line.strip()]
            hits = [j for j, line in enumerate(lines) if was_shown(line)]
            if not hits:
                if last is not None:
                    break
                continue
            last = (i, hits[-1])
            if hits[-1] < len(lines) - 1:
                break  # the opening ends inside this chunk
        if last is None:
            return 0, None
        i, j = last
        lines = [line.strip() for line in chunks[i].text.splitlines() if line.strip()]
        if j == len(lines) - 1:
            return i + 1, None
        return i, "\n".join(lines[j + 1:])

    async def citations_of(self, chunk_ids: Sequence[str]) -> list[Citation]:
        """How to cite each shown passage ("<doc_id>::<ordinal>"; a bare doc id: the whole
        document), in order, once each; passages the store no longer has are left out."""
        return await asyncio.to_thread(self._citations_of, chunk_ids)

    def _citations_of(self, chunk_ids: Sequence[str]) -> list[Citation]:
        version = self.searcher.reader.current()
        if version is None:
            return []
        out: list[Citation] = []
        for chunk_id in chunk_ids:
            doc_id, _, ordinal = chunk_id.rpartition("::") if "::" in chunk_id else (chunk_id, "", "")
            doc = version.documents.get(doc_id)
            if doc is None:
                continue
            section = next((version.chunks[row].section for row in version.rows_of(doc_id)
                            if str(version.chunks[row].ordinal) == ordinal), "")
            citation = Citation.of(doc, section)
            if citation not in out:
                out.append(citation)
        return out

    async def find_by_number(self, text: str) -> list[DocumentMeta]:
        """Documents a loose reference names: "CT 05", "05/CT-TW", "chỉ thị 05", "NQ57"."""
        return await asyncio.to_thread(self._find_by_number, text)

    def _find_by_number(self, text: str) -> list[DocumentMeta]:
        version = self.searcher.reader.current()
        refs = parse_number_refs(text)
        if version is None or not refs:
            return []
        found = [
            doc for doc in version.documents.values()
            if doc.duplicate_of is None and any(ref.matches(doc.number, doc.doc_type) for ref in refs)
        ]
        return sorted(found, key=lambda d: (d.issued is None, d.issued), reverse=False)

    async def named_documents(self, question: str) -> list[DocumentMeta]:
        """The documents a message only names, without asking anything about them ("chỉ thị
        12", "cho tôi xem qd 294"; knowledge/overview.py), or [] for a question."""
        return await asyncio.to_thread(self._named_documents, question)

    def _named_documents(self, question: str) -> list[DocumentMeta]:
        request = document_request(question)
        if request is None:
            return []
        found = self._find_by_number(question)
        # Every document found must be the one meant: "chỉ thị 12 của tỉnh ủy" names the
        # province's and not the centre's; a leftover word that fits none is a question.
        named = [doc for doc in found if names_only(request, doc)]
        return named

    async def overview(self, doc_id: str) -> DocumentReply | None:
        """A document's metadata, validity, outline and opening content (not its header)."""
        return await asyncio.to_thread(self._overview, doc_id)

    def _overview(self, doc_id: str) -> DocumentReply | None:
        version = self.searcher.reader.current()
        if version is None or doc_id not in version.documents:
            return None
        doc = version.documents[doc_id]
        text = "\n".join(c.text for c in version.chunks if c.doc_id == doc_id)
        outline = document_outline(text)
        if len(outline) > MAX_OVERVIEW_OUTLINE:
            outline = document_outline(text, max_depth=1)
        opening = self.opening(text, doc.title) if self.opening is not None else None
        if opening is None:
            return DocumentReply(doc, outline, "", ())
        return DocumentReply(doc, outline, opening.section, (Chunk(doc_id, 0, (), opening.text),),
                             opening=True)

    async def latest(self, limit: int) -> list[DocumentMeta]:
        """The most recently issued documents (those with a number or a date first)."""
        return await asyncio.to_thread(self._latest, limit)

    def _latest(self, limit: int) -> list[DocumentMeta]:
        version = self.searcher.reader.current()
        if version is None:
            return []
        # A copy of a document (indexed once) is not listed twice.
        dated = [d for d in version.documents.values() if d.issued is not None and d.duplicate_of is None]
        dated.sort(key=lambda d: d.issued, reverse=True)  # type: ignore[arg-type, return-value]
        return dated[:limit]

    async def document(self, doc_id: str, section: str = "") -> DocumentReply | None:
        """A document's metadata and outline, with the given section's passages (if any)."""
        return await asyncio.to_thread(self._document, doc_id, section)

    def _document(self, doc_id: str, section: str) -> DocumentReply | None:
        version = self.searcher.reader.current()
        if version is None or doc_id not in version.documents:
            return None
        chunks = [version.chunks[row] for row in version.rows_of(doc_id)]
        # Chunk texts keep their heading lines, so in order they carry the whole structure.
        outline = document_outline("\n".join(c.text for c in chunks))
        chosen = tuple(c for c in chunks if section and c.section == section)
        return DocumentReply(version.documents[doc_id], outline, section, chosen)

    def is_empty(self) -> bool:
        version = self.searcher.reader.current()
        return version is None or not version.chunks


def _cut(text: str, limit: int) -> str:
    """`text` up to `limit` characters, cut after a whole line (a word when one line is
    longer), with "…" when something was left out.

    Not knowledge.text.shorten, on purpose: a section read in order is lines (points a), b),
    numbered items), and this cut prefers the last whole line in the second half of the room
    over the last word, so a reader never gets half a point when a whole one fits; shorten
    cuts at the last space or line break, whichever comes later."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = head.rfind("\n")
    if cut < limit // 2:
        cut = head.rfind(" ")
    return head[: cut if cut > 0 else limit].rstrip() + " …"
