"""Assembling a new version's vectors and lexical term counts: the previous version's where
a chunk's indexed text was already there, this run's work for the rest.
"""

from __future__ import annotations

import hashlib

import numpy as np

from indexer.build_files import FileResult
from indexer.pipeline import WindowEmbedder
from indexer.report import BuildReport
from knowledge.embedder import Embedder
from knowledge.passages import indexed_text
from knowledge.store import StoreVersion
from knowledge.term_counts import TermCounts, assemble

EMBED_BLOCK = 256  # texts per embedding call: the progress bar's step


def _text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class PreviousTexts:
    """Rows of the previous version by indexed text: a chunk whose text one of them had takes
    its vector and term counts. Built on first use (only a changed file needs it)."""

    def __init__(self, prev: StoreVersion | None) -> None:
        self._prev = prev
        self._rows: dict[bytes, int] | None = None

    def row(self, text: str) -> int:
        if self._prev is None:
            return -1
        if self._rows is None:
            self._rows = {}
            for row, (chunk, doc) in enumerate(zip(self._prev.chunks, self._prev.chunk_docs)):
                self._rows.setdefault(_text_key(indexed_text(doc, chunk)), row)
        return self._rows.get(_text_key(text), -1)


def previous_rows(results: list[FileResult], known: PreviousTexts) -> np.ndarray:
    """For each chunk of the new version, the row of the previous version whose vector and
    term counts it can take (same file unchanged, or same indexed text), else -1."""
    sources = np.full(sum(len(r.chunks) for r in results), -1, dtype=np.int64)
    offset = 0
    for r in results:
        if r.prev_rows is not None:
            sources[offset : offset + len(r.chunks)] = r.prev_rows
        elif r.texts:
            for i, text in enumerate(r.texts):
                sources[offset + i] = known.row(text)
        offset += len(r.chunks)
    return sources


def _new_texts(results: list[FileResult], sources: np.ndarray) -> list[tuple[int, str]]:
    """(row, indexed text) of the chunks that no previous chunk can stand in for."""
    out: list[tuple[int, str]] = []
    offset = 0
    for r in results:
        if r.texts is not None:
            out.extend((offset + i, t) for i, t in enumerate(r.texts) if sources[offset + i] < 0)
        offset += len(r.chunks)
    return out


def term_counts(
    results: list[FileResult],
    sources: np.ndarray,
    prev: StoreVersion | None,
    report: BuildReport,
    *,
    reuse: bool,
) -> TermCounts:
    """Lexical term counts of every chunk: the previous version's rows where the text is the
    same, tokenising only new texts. Counts are reused only from a version of this pipeline
    (`reuse`): another one may make its terms differently."""
    previous = prev.lexical.term_counts() if prev is not None and reuse else None
    if previous is not None and prev is not None and previous.n_chunks == len(prev.chunks):
        new_texts = [t for _, t in _new_texts(results, sources)]
        report.tokenised = len(new_texts)
        return assemble(previous, sources, new_texts)
    texts: list[str] = []
    for r in results:
        if r.texts is not None:
            texts.extend(r.texts)
        elif prev is not None and r.prev_rows is not None:
            texts.extend(indexed_text(prev.chunk_docs[row], prev.chunks[row]) for row in r.prev_rows)
    report.tokenised = len(texts)
    return TermCounts.from_texts(texts)


def assemble_vectors(
    results: list[FileResult],
    sources: np.ndarray,
    prev_vectors: np.ndarray | None,
    embedder: Embedder,
    report: BuildReport,
    progress: bool,
) -> np.ndarray:
    """Vectors for every chunk: the previous version's where it had the text, else the ones
    embedded while files were read; chunks left out then as copies that the whole build
    keeps after all are embedded now."""
    out = np.zeros((len(sources), embedder.dimension), dtype=np.float32)
    have = sources >= 0
    if prev_vectors is not None and have.any():
        out[have] = prev_vectors[sources[have]]
    late = WindowEmbedder(embedder, window=0, block=EMBED_BLOCK, progress=progress)
    try:
        offset = 0
        for order, r in enumerate(results):
            if r.texts is not None and r.slots is not None:
                # reported: vectors that files chunked in this run took over
                report.reused_vectors += int(have[offset : offset + len(r.chunks)].sum())
                late.add(order, r.slots, [
                    (i, text) for i, text in enumerate(r.texts)
                    if not have[offset + i] and not r.slots.done[i]
                ])
            offset += len(r.chunks)
        late.finish()
    finally:
        late.close(abort=True)
    report.embedded += late.embedded
    offset = 0
    for r in results:
        if r.slots is not None:
            rows = np.flatnonzero(~have[offset : offset + len(r.chunks)])
            out[offset + rows] = r.slots.vectors[rows]
        offset += len(r.chunks)
    return out
