"""The knowledge store as the bot core sees it: ask, look a document up, list the newest.

Every call runs in a worker thread (`asyncio.to_thread`): query embedding and FAISS must not
block the event loop. The store reader picks up a republished store on the next call.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.core.types import DocumentReply
from knowledge.outline import document_outline
from knowledge.answers import Answer, AnswerPolicy, answer_question
from knowledge.docnumbers import parse_number_refs
from knowledge.overview import document_request, names_only
from knowledge.passages import Chunk, DocumentMeta
from knowledge.search import Searcher

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

    async def ask(self, question: str) -> TimedAnswer:
        started = time.perf_counter()
        answer = await asyncio.to_thread(answer_question, self.searcher, question, self.policy)
        return TimedAnswer(answer, int((time.perf_counter() - started) * 1000))

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
