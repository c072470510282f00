"""One file's part of an incremental build (indexer/build.py), then the files as a whole.

`chunk_file` is what the build's reading threads run for a new or changed file (loading,
metadata, boilerplate removal, chunking within the model's window); `reuse_file` takes an
unchanged file's chunks from the current version without reading it. Once every file is read:
copies of one document marked (`mark_duplicates`), validity claims resolved across the store
(`resolve_validity`). Split from build.py to keep it small.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from indexer.boilerplate import strip_boilerplate
from indexer.chunking import chunk_document
from indexer.discovery import SidecarError, read_sidecar, sidecar_of
from indexer.duplicates import Candidate, find_duplicates
from indexer.loaders import LoadOptions, load_file
from indexer.metadata import extract_metadata
from indexer.pipeline import Slots
from indexer.relations import read_validity
from indexer.report import BuildReport
from indexer.validity import resolve
from knowledge.embedder import Embedder
from knowledge.passages import Chunk, DocumentMeta, indexed_text
from knowledge.store import ModelInfo, StoreVersion

logger = logging.getLogger(__name__)

SECTION_RESERVE_TOKENS = 32  # room in the model window for the heading path
# Texts whose token counts are remembered while one document is chunked: the window-fit
# retries chunk it again and count mostly the same pieces (60% of calls repeated a text).
COUNT_MEMO = 4096


@dataclass
class FileResult:
    key: str
    digest: str
    documents: list[DocumentMeta]
    chunks: list[Chunk]
    texts: list[str] | None  # indexed_text of each chunk, for files chunked in this run
    prev_rows: list[int] | None  # rows in the previous version, for files reused whole
    warnings: tuple[str, ...] = ()  # from the loader, for files read in this run
    pages: int = 0
    ocr_pages: int = 0
    ocr_seconds: float = 0.0
    slots: Slots | None = None  # vectors of its chunks embedded in this run

    @property
    def reused(self) -> bool:
        return self.prev_rows is not None


def file_digest(path: Path) -> str:
    """The file's content hash, with its metadata sidecar's: editing either re-reads it."""
    h = hashlib.sha256()
    for part in (path, sidecar_of(path)):
        if part is None:
            continue
        with open(part, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def model_info(embedder: Embedder) -> ModelInfo:
    return ModelInfo(
        name=embedder.name,
        dimension=embedder.dimension,
        query_prefix=getattr(embedder, "query_prefix", ""),
        passage_prefix=getattr(embedder, "passage_prefix", ""),
    )


def chunk_file(
    path: Path, root: Path, embedder: Embedder, key: str, digest: str, options: LoadOptions
) -> FileResult:
    """Read one file and chunk its documents. Raises LoadError (and OSError) as `load_file`."""
    documents: list[DocumentMeta] = []
    chunks: list[Chunk] = []
    texts: list[str] = []
    sidecar: dict[str, object] = {}
    warnings: tuple[str, ...] = ()
    if (side := sidecar_of(path)) is not None:
        try:
            sidecar = read_sidecar(side)
        except SidecarError as exc:
            warnings = (f"metadata file ignored: {exc}",)
            logger.warning("%s: %s", path, exc)
    whole_documents = path.suffix.lower() != ".jsonl"
    loaded_all = load_file(path, root, options=options)
    for loaded in loaded_all:
        meta = extract_metadata(
            loaded.text, doc_id=loaded.doc_id, source=loaded.source,
            fields={**loaded.fields, **sidecar},  # the operator's sidecar has the last word
        )
        # What the reader could not read faithfully (scanned pages, legacy encodings) stays
        # with the document, for `tuyengiao documents`.
        if warnings or loaded.warnings:
            meta = dataclasses.replace(meta, warnings=meta.warnings + loaded.warnings + warnings)
        if loaded.pages is not None:
            meta = dataclasses.replace(meta, pages=loaded.pages, ocr_pages=loaded.ocr_pages)
        # What it replaces, amends or repeals (its text, or the sidecar's validity fields).
        meta = read_validity(loaded.text, meta, whole_document=whole_documents)
        # Letterheads, signatures and recipient lists are metadata: never chunked, so never
        # matched by search nor quoted (JSONL passages are content only).
        content = strip_boilerplate(loaded.text) if whole_documents else loaded.text
        doc_chunks = _chunks_within_window(meta, content, embedder)
        documents.append(meta)
        chunks.extend(doc_chunks)
        texts.extend(indexed_text(meta, c) for c in doc_chunks)
    return FileResult(
        key, digest, documents, chunks, texts, None,
        warnings=tuple(w for loaded in loaded_all for w in loaded.warnings),
        pages=sum(loaded.pages or 0 for loaded in loaded_all),
        ocr_pages=sum(loaded.ocr_pages for loaded in loaded_all),
        ocr_seconds=sum(loaded.ocr_seconds for loaded in loaded_all),
    )


def _chunks_within_window(meta: DocumentMeta, text: str, embedder: Embedder) -> list[Chunk]:
    """Chunk so that each chunk's *indexed* text (title and heading path included) fits the
    model's window: the heading path is only known after chunking, so check and tighten."""
    window = embedder.max_tokens
    count_tokens = functools.lru_cache(maxsize=COUNT_MEMO)(embedder.count_tokens)
    budget = window - count_tokens(indexed_text(meta, Chunk(meta.doc_id, 0, (), "")))
    budget = max(budget - SECTION_RESERVE_TOKENS, window // 3)
    chunks: list[Chunk] = []
    for _ in range(3):
        chunks = chunk_document(
            meta.doc_id, text, max_tokens=budget, count_tokens=count_tokens, title=meta.title,
        )
        excess = max((count_tokens(indexed_text(meta, c)) - window for c in chunks), default=0)
        if excess <= 0 or budget <= window // 4:
            break
        budget = max(budget - excess, window // 4)
    return chunks


def reuse_file(prev: StoreVersion, key: str, digest: str, rows: list[int]) -> FileResult:
    chunks = [prev.chunks[r] for r in rows]
    documents = [prev.documents[d] for d in prev.files[key]["documents"]]
    return FileResult(key, digest, documents, chunks, None, rows)


def comparable(r: FileResult) -> bool:
    """A file holding one whole document (JSONL passages are never compared for copies)."""
    return len(r.documents) == 1 and not r.key.lower().endswith(".jsonl")


def candidate(r: FileResult, order: int) -> Candidate:
    """The file's document as `indexer.duplicates` compares it; `order`: its place in the build."""
    return Candidate(r.documents[0], "\n".join(c.text for c in r.chunks), order)


def mark_duplicates(results: list[FileResult], report: BuildReport) -> list[FileResult]:
    """Keep one copy of each document indexed; the others keep their metadata, marked
    `duplicate_of`, and lose their chunks."""
    candidates = [candidate(r, i) for i, r in enumerate(results) if comparable(r)]
    copies = find_duplicates(candidates)
    if not copies:
        return results
    sources = {d.doc_id: d.source for r in results for d in r.documents}
    out = []
    for r in results:
        doc_id = r.documents[0].doc_id if len(r.documents) == 1 else None
        if doc_id in copies:
            kept = copies[doc_id]
            meta = dataclasses.replace(r.documents[0], duplicate_of=kept)
            report.duplicates.append((meta.source, sources[kept]))
            logger.info("%s is a copy of %s: indexed once", meta.source, sources[kept])
            r = FileResult(r.key, r.digest, [meta], [], [], None)
        out.append(r)
    return out


def resolve_validity(results: list[FileResult]) -> list[FileResult]:
    """Every document's status and links, resolved across all of them (indexer/validity.py):
    the document that replaces another may be in a file read in an earlier run."""
    resolved = iter(resolve([d for r in results for d in r.documents]))
    return [dataclasses.replace(r, documents=[next(resolved) for _ in r.documents]) for r in results]
