"""The knowledge store as the bot core sees it: ask, look a document up, list the newest.

Every call runs in a worker thread (`asyncio.to_thread`): query embedding and FAISS must not
block the event loop. The store reader picks up a republished store on the next call.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from bot.core.types import DocumentReply
from knowledge.outline import document_outline
from knowledge.answers import Answer, AnswerPolicy, answer_question
from knowledge.docnumbers import parse_number_refs
from knowledge.passages import DocumentMeta
from knowledge.search import Searcher


@dataclass(frozen=True)
class TimedAnswer:
    answer: Answer
    latency_ms: int


class KnowledgeBase:
    def __init__(self, searcher: Searcher, policy: AnswerPolicy) -> None:
        self.searcher = searcher
        self.policy = policy

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
        chunks = [c for c in version.chunks if c.doc_id == doc_id]
        # Chunk texts keep their heading lines, so in order they carry the whole structure.
        outline = document_outline("\n".join(c.text for c in chunks))
        chosen = tuple(c for c in chunks if section and c.section == section)
        return DocumentReply(version.documents[doc_id], outline, section, chosen)

    def is_empty(self) -> bool:
        version = self.searcher.reader.current()
        return version is None or not version.chunks
