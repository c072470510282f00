"""Incremental builds: turn folders of documents into a new published store version.

Only files whose bytes changed are loaded, chunked and embedded again; unchanged files keep
their chunks, vectors and lexical term counts from the current version; files no longer
present drop out. Even inside a changed file, a chunk whose indexed text is identical to one of
the current version reuses that chunk's vector and term counts, so only new texts are embedded
and tokenised. A run that changes nothing publishes nothing.

Files are read by a pool of threads while the model embeds the chunks of the files before
them (`indexer.pipeline`; `Overlap` says how many threads and how many texts per sorted
window). Everything that decides the published store happens in file order in one thread —
reuse, doc_id clashes, copies, the windows the model sees — so the same inputs give the same
chunks in the same order with the same vectors, however the reads interleave.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from tqdm import tqdm

from indexer.assembly import (
    EMBED_BLOCK,
    PreviousTexts,
    assemble_vectors,
    previous_rows,
    term_counts,
)
from indexer.build_files import (
    FileResult,
    candidate,
    chunk_file,
    comparable,
    file_digest,
    mark_duplicates,
    model_info,
    resolve_validity,
    reuse_file,
)
from indexer.discovery import Found, discover
from indexer.duplicates import CopyFinder, preferred
from indexer.loaders import LoadError, LoadOptions
from indexer.lock import index_lock
from indexer.pipeline import Slots, WindowEmbedder, read_in_order
from indexer.report import BuildReport
from knowledge.embedder import Embedder
from knowledge.lexical import BM25_B, BM25_K1
from knowledge.store import ModelInfo, StoreError, StoreVersion, load_current
from knowledge.store_writer import publish, write_version
from knowledge.vector_index import VectorIndexSpec

logger = logging.getLogger(__name__)

# Bump when loaders, metadata or chunking change what a file turns into: every file is
# then rebuilt (vectors of identical chunk texts are still reused). The lexical parameters
# are part of it, so changing them republishes the store. Term counts are reused only from a
# version of the same pipeline (4: versions keep their term counts; 5: boilerplate kept out
# of chunks, outline levels from the numbering scheme; 6: PDFs read by PDFium with running
# headers removed and scans OCR'd, .doc read, legacy encodings and look-alike letters
# converted; 7: documents carry validity claims and resolved status; 8: stored text keeps the
# document's tone-mark placement (matching unifies it), page markers of text files, gazette
# imprints, footnote marks and unmapped PDF glyphs handled, documents record OCR'd pages);
# 9: a note in parentheses is no title, and "của … về …" after a type line gives "về …".
PIPELINE_VERSION = f"9/bm25-folded-k1={BM25_K1}-b={BM25_B}"


@dataclass(frozen=True)
class Overlap:
    """How a build overlaps reading and embedding (the entry point builds it from the
    settings INDEX_WORKERS and INDEX_EMBED_WINDOW).

    `workers`: files read at once, on threads (each runs its own Tesseract or LibreOffice
    when a file needs one); 0 reads each file in the build's thread. `ahead`: files read
    beyond those, waiting for their turn (bounds memory). `window`: texts sorted by length
    together before embedding; 0 embeds nothing until every file is read, all sorted at once
    (the sequential build). Measured (`bench/pipeline_throughput.py`): windows of 512 pad as
    little as sorting everything.
    """

    workers: int = 2
    ahead: int = 4
    window: int = 512


SEQUENTIAL = Overlap(workers=0, ahead=0, window=0)


def _previous(store_dir: Path, model: ModelInfo) -> StoreVersion | None:
    try:
        prev = load_current(store_dir)
    except StoreError as exc:
        logger.warning("current store is unreadable, rebuilding everything: %s", exc)
        return None
    if prev is None:
        return None
    if prev.model != model:
        logger.warning(
            "store was built with %s (%d dims); rebuilding everything with %s (%d dims)",
            prev.model.name, prev.model.dimension, model.name, model.dimension,
        )
        return None
    if prev.manifest.get("pipeline") != PIPELINE_VERSION:
        logger.info("indexing pipeline changed: every file is chunked again")
    return prev


@dataclass
class _Reader:
    """What a reading thread does with one file: hash it, then take it whole from the
    previous version when unchanged, else read and chunk it."""

    prev: StoreVersion | None
    reuse_files: bool
    prev_rows: dict[str, list[int]]
    embedder: Embedder
    options: LoadOptions

    def __call__(self, found: Found) -> FileResult | None:
        if found.reason is not None:
            return None
        path = found.path
        key = str(path.resolve())
        digest = file_digest(path)
        entry = self.prev.files.get(key, {}) if self.prev is not None else {}
        # A copy left out last time has no chunks to reuse: it is read again.
        if (self.reuse_files and self.prev is not None and entry.get("hash") == digest
                and not entry.get("duplicate_of")):
            return reuse_file(self.prev, key, digest, self.prev_rows.get(key, []))
        return chunk_file(path, found.root, self.embedder, key, digest, self.options)


def build_store(
    paths: Iterable[Path],
    store_dir: Path,
    embedder: Embedder,
    *,
    progress: bool = False,
    lock_wait: float = 0.0,
    options: LoadOptions | None = None,
    overlap: Overlap | None = None,
    index_spec: VectorIndexSpec | None = None,
) -> BuildReport:
    """Index exactly the files under `paths` into a new store version and publish it.

    One run at a time per store (indexer/lock.py): `lock_wait` seconds to wait for another
    run, else StoreBusy. `options`: how files are read (OCR, page limit; `LoadOptions()` when
    None); `overlap`: how reading and embedding overlap (`Overlap()` when None);
    `progress` shows bars for reading (files), embedding (chunks) and OCR (pages).
    `index_spec`: the vector index (default: knowledge/vector_index.py)."""
    with index_lock(store_dir, wait=lock_wait):
        return _build_store(
            paths, store_dir, embedder, progress=progress, options=options,
            overlap=overlap or Overlap(), index_spec=index_spec,
        )


def _build_store(
    paths: Iterable[Path],
    store_dir: Path,
    embedder: Embedder,
    *,
    progress: bool,
    options: LoadOptions | None,
    overlap: Overlap,
    index_spec: VectorIndexSpec | None = None,
) -> BuildReport:
    started = time.perf_counter()
    options = dataclasses.replace(options or LoadOptions(), progress=progress)
    report = BuildReport()
    store_dir.mkdir(parents=True, exist_ok=True)
    model = model_info(embedder)
    prev = _previous(store_dir, model)
    reuse_files = prev is not None and prev.manifest.get("pipeline") == PIPELINE_VERSION
    prev_vectors = prev.all_embeddings() if prev is not None else None
    prev_rows: dict[str, list[int]] = {}
    if prev is not None:
        for row, key in enumerate(prev.chunk_files):
            prev_rows.setdefault(key, []).append(row)

    files = list(discover(paths))
    reader = _Reader(prev, reuse_files, prev_rows, embedder, options)
    known = PreviousTexts(prev)
    embedding = WindowEmbedder(embedder, window=overlap.window, block=EMBED_BLOCK,
                               progress=progress)
    try:
        results = _read_all(files, reader, known, embedding, overlap, report, progress)
        embedding.finish()
    finally:
        embedding.close(abort=True)  # after finish(): nothing left; on an error: stop now
    report.embedded = embedding.embedded

    results = mark_duplicates(results, report)
    results = resolve_validity(results)
    report.incomplete = [
        (d.source, d.missing) for r in results for d in r.documents
        if d.missing and d.duplicate_of is None and not r.key.lower().endswith(".jsonl")
    ]
    current_keys = {r.key for r in results}
    if prev is not None:
        report.files_removed = sum(1 for key in prev.files if key not in current_keys)
    report.documents = sum(len(r.documents) for r in results)
    report.chunks = sum(len(r.chunks) for r in results)
    spec = index_spec or VectorIndexSpec()
    nothing_changed = (
        reuse_files and report.files_changed == 0 and report.files_removed == 0
        and prev is not None and len(prev.files) == len(results)
        # A new vector index setting (VECTOR_INDEX, HNSW_*) republishes with it.
        and prev.manifest.get("vector_index", {"kind": "flat"}) == spec.to_json(report.chunks)
    )
    if nothing_changed:
        report.seconds = time.perf_counter() - started
        return report

    sources = previous_rows(results, known)
    vectors = assemble_vectors(results, sources, prev_vectors, embedder, report, progress)
    counts = term_counts(results, sources, prev, report, reuse=reuse_files)
    chunks = [c for r in results for c in r.chunks]
    chunk_files = [r.key for r in results for _ in r.chunks]
    files_manifest = {
        r.key: {
            "hash": r.digest,
            "documents": [d.doc_id for d in r.documents],
            **({"duplicate_of": r.documents[0].duplicate_of}
               if len(r.documents) == 1 and r.documents[0].duplicate_of else {}),
        }
        for r in results
    }
    name = write_version(
        store_dir,
        model=model,
        files=files_manifest,
        documents=[d for r in results for d in r.documents],
        chunks=chunks,
        chunk_files=chunk_files,
        vectors=vectors,
        term_counts=counts,
        extra={"pipeline": PIPELINE_VERSION},
        index_spec=index_spec,
    )
    publish(store_dir, name)
    report.version = name
    report.seconds = time.perf_counter() - started
    return report


def _read_all(
    files: list[Found],
    reader: _Reader,
    known: PreviousTexts,
    embedding: WindowEmbedder,
    overlap: Overlap,
    report: BuildReport,
    progress: bool,
) -> list[FileResult]:
    """Every file's result in file order, each changed file's new texts handed to
    `embedding` as it comes; skipped files and reading warnings go to `report`."""
    results: list[FileResult] = []
    seen_doc_ids: set[str] = set()
    copies = CopyFinder()
    futures = read_in_order(files, reader, workers=overlap.workers, ahead=overlap.ahead)
    bar = tqdm(total=len(files), desc="reading", unit="file", position=0, disable=not progress)
    with closing(futures), bar:
        for found, future in zip(files, futures):
            bar.update(1)
            report.files_total += 1
            shown = str(found.path)
            if found.reason is not None:
                report.skipped.append((shown, found.reason))
                logger.info("skipped %s: %s", shown, found.reason)
                continue
            try:
                result = future.result()
            except LoadError as exc:
                report.skipped.append((shown, str(exc)))
                logger.warning("skipped %s: %s", shown, exc)
                continue
            except OSError as exc:
                report.skipped.append((shown, f"cannot read: {exc.strerror or exc}"))
                logger.warning("skipped %s: %s", shown, exc)
                continue
            assert result is not None  # only files discovery skipped have none
            clash = seen_doc_ids.intersection(d.doc_id for d in result.documents)
            if clash:
                reason = f"duplicate doc_id {sorted(clash)[0]!r} (already indexed from another file)"
                report.skipped.append((shown, reason))
                logger.warning("skipped %s: %s", shown, reason)
                continue
            if result.reused:
                report.files_unchanged += 1
            else:
                report.files_changed += 1
            seen_doc_ids.update(d.doc_id for d in result.documents)
            results.append(result)
            report.pages += result.pages
            report.ocr_pages += result.ocr_pages
            report.ocr_seconds += result.ocr_seconds
            for warning in result.warnings:
                report.warnings.append((shown, warning))
                logger.warning("%s: %s", shown, warning)
            if not result.reused:
                _queue_new_texts(result, len(results) - 1, known, embedding, copies)
    return results


def _queue_new_texts(
    result: FileResult,
    order: int,
    known: PreviousTexts,
    embedding: WindowEmbedder,
    copies: CopyFinder,
) -> None:
    """Hand a changed file's new texts (those no previous chunk had) to the model. A copy of
    a document read before it, where that one is the copy to index, hands none; the copy to
    index takes back the texts of earlier copies not yet cut into a window. (The whole
    build's duplicate check decides in the end; `_vectors` embeds what it keeps that was
    left out here.)"""
    assert result.texts is not None
    result.slots = Slots.empty(len(result.chunks), embedding.dimension)
    if comparable(result):
        this = candidate(result, order)
        earlier = copies.add(this)
        if earlier and preferred([*earlier, this]) is not this:
            logger.debug("%s looks like a copy: its chunks wait for the duplicate check", result.key)
            return
        for copy in earlier:
            embedding.drop(copy.order)
    embedding.add(order, result.slots,
                  [(i, text) for i, text in enumerate(result.texts) if known.row(text) < 0])
