"""The published knowledge store: immutable versions behind an atomically switched pointer.

Layout under STORE_DIR:
    CURRENT                    name of the published version (written to a temp name, then
                               os.replace'd: atomic on one filesystem)
    versions/<name>/manifest.json   model, files and their content hashes, counts
    versions/<name>/documents.jsonl one DocumentMeta per line
    versions/<name>/chunks.jsonl    one Chunk per line (+ the file it came from)
    versions/<name>/vectors.faiss   FAISS inner-product index over L2-normalised embeddings
    versions/<name>/lexical/        bm25s index (folded syllables + bigrams) and the per-chunk
                                    term counts it was computed from (reused by the next build)

A version folder is complete before the pointer names it, and is never changed afterwards, so
a reader sees the old store or the new one, never a mix. Readers notice a new version by the
pointer's mtime (one stat per search) and load it whole into memory.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import uuid
from datetime import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from knowledge.lexical import LexicalIndex
from knowledge.term_counts import TermCounts
from knowledge.passages import Chunk, DocumentMeta

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
POINTER = "CURRENT"
VERSIONS = "versions"
KEEP_VERSIONS = 2


class StoreError(Exception):
    """The store is missing, unreadable, or built for another model."""


@dataclass(frozen=True)
class ModelInfo:
    name: str
    dimension: int
    query_prefix: str = ""
    passage_prefix: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dimension": self.dimension,
            "query_prefix": self.query_prefix,
            "passage_prefix": self.passage_prefix,
        }


@dataclass
class StoreVersion:
    """One loaded, immutable store version."""

    name: str
    path: Path
    manifest: dict[str, Any]
    documents: dict[str, DocumentMeta]
    chunks: list[Chunk]
    chunk_files: list[str]  # the source file key of each chunk, for incremental builds
    vectors: faiss.Index
    lexical: LexicalIndex
    chunk_docs: list[DocumentMeta] = field(init=False)

    def __post_init__(self) -> None:
        self.chunk_docs = [self.documents[c.doc_id] for c in self.chunks]

    @property
    def model(self) -> ModelInfo:
        return ModelInfo(**self.manifest["model"])

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        return self.manifest["files"]

    def all_embeddings(self) -> np.ndarray:
        """Every stored vector, row i for chunk i: a read-only view of the flat FAISS index's
        own memory (no copy). The view does not keep the index alive: hold this StoreVersion
        for as long as the array is used, or copy it."""
        n, d = self.vectors.ntotal, self.vectors.d
        if n == 0:
            return np.zeros((0, d), dtype=np.float32)
        flat = faiss.downcast_index(self.vectors)
        view = faiss.rev_swig_ptr(flat.get_xb(), n * d).reshape(n, d)
        view.flags.writeable = False
        return view


def versions_dir(store_dir: Path) -> Path:
    return store_dir / VERSIONS


def current_version_name(store_dir: Path) -> str | None:
    try:
        return (store_dir / POINTER).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def load_version(store_dir: Path, name: str) -> StoreVersion:
    path = versions_dir(store_dir) / name
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT_VERSION:
            raise StoreError(f"store version {name} has format {manifest.get('format')}")
        documents = {}
        with open(path / "documents.jsonl", encoding="utf-8") as fh:
            for line in fh:
                doc = DocumentMeta.from_json(json.loads(line))
                documents[doc.doc_id] = doc
        chunks: list[Chunk] = []
        chunk_files: list[str] = []
        with open(path / "chunks.jsonl", encoding="utf-8") as fh:
            for line in fh:
                data = json.loads(line)
                chunk_files.append(data.pop("file"))
                chunks.append(Chunk.from_json(data))
        vectors = faiss.read_index(str(path / "vectors.faiss"))
        lexical = LexicalIndex.load(path / "lexical")
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise StoreError(f"cannot read store version {path}: {exc}") from exc
    return StoreVersion(name, path, manifest, documents, chunks, chunk_files, vectors, lexical)


def load_current(store_dir: Path) -> StoreVersion | None:
    name = current_version_name(store_dir)
    return load_version(store_dir, name) if name else None


def write_version(
    store_dir: Path,
    *,
    model: ModelInfo,
    files: dict[str, dict[str, Any]],
    documents: list[DocumentMeta],
    chunks: list[Chunk],
    chunk_files: list[str],
    vectors: np.ndarray,
    term_counts: TermCounts,
    extra: dict[str, Any] | None = None,
) -> str:
    """Write a complete new version folder (not yet published) and return its name."""
    if len(chunks) != len(vectors) or len(chunks) != term_counts.n_chunks:
        raise ValueError("chunks, vectors and term counts must line up")
    # Names sort by creation time (to the microsecond), which is what pruning relies on.
    name = datetime.now().strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:6]
    final = versions_dir(store_dir) / name
    # Build under a hidden temporary name so a half-written folder is never a candidate.
    tmp = versions_dir(store_dir) / f".tmp-{name}"
    (tmp / "lexical").mkdir(parents=True)
    with open(tmp / "documents.jsonl", "w", encoding="utf-8") as fh:
        for doc in documents:
            fh.write(json.dumps(doc.to_json(), ensure_ascii=False) + "\n")
    with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
        for chunk, file_key in zip(chunks, chunk_files):
            fh.write(json.dumps({**chunk.to_json(), "file": file_key}, ensure_ascii=False) + "\n")
    index = faiss.IndexFlatIP(model.dimension)
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(index, str(tmp / "vectors.faiss"))
    LexicalIndex.from_counts(term_counts).save(tmp / "lexical")
    manifest = {
        "format": FORMAT_VERSION,
        "name": name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "model": model.to_json(),
        "files": files,
        "counts": {"files": len(files), "documents": len(documents), "chunks": len(chunks)},
        **(extra or {}),
    }
    (tmp / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    os.replace(tmp, final)
    return name


def publish(store_dir: Path, name: str, *, keep: int = KEEP_VERSIONS) -> None:
    """Point CURRENT at a complete version, atomically, then drop versions beyond `keep`."""
    tmp = store_dir / f".{POINTER}.{uuid.uuid4().hex[:8]}"
    tmp.write_text(name + "\n", encoding="utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, store_dir / POINTER)
    _prune(store_dir, current=name, keep=keep)


def _prune(store_dir: Path, *, current: str, keep: int) -> None:
    # A reader that read the previous pointer may still be loading that version, so the
    # newest `keep` versions (the current one and its predecessor) stay on disk.
    root = versions_dir(store_dir)
    names = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    survivors = set(names[-keep:]) | {current}
    for name in names:
        if name not in survivors:
            shutil.rmtree(root / name, ignore_errors=True)
    for leftover in root.glob(".tmp-*"):
        # Temp folders of crashed builds; a live build's folder is younger than an hour.
        if time.time() - leftover.stat().st_mtime > 3600:
            shutil.rmtree(leftover, ignore_errors=True)


class StoreReader:
    """Gives the currently published version, reloading when the pointer changes.

    The check costs one stat per call; a reload happens at most once per new version, and
    callers holding the previous StoreVersion keep using it safely (it lives in memory).
    """

    def __init__(self, store_dir: Path) -> None:
        self.store_dir = store_dir
        self._lock = threading.Lock()
        self._version: StoreVersion | None = None
        self._stamp: tuple[int, int] | None = None

    def _pointer_stamp(self) -> tuple[int, int] | None:
        try:
            st = (self.store_dir / POINTER).stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_ino)

    def current(self) -> StoreVersion | None:
        stamp = self._pointer_stamp()
        if stamp == self._stamp:
            return self._version
        with self._lock:
            stamp = self._pointer_stamp()
            if stamp != self._stamp:
                self._reload(stamp)
            return self._version

    def _reload(self, stamp: tuple[int, int] | None) -> None:
        for attempt in range(3):
            name = current_version_name(self.store_dir)
            if name is None:
                self._version, self._stamp = None, stamp
                return
            if self._version is not None and self._version.name == name:
                self._stamp = stamp
                return
            try:
                version = load_version(self.store_dir, name)
            except StoreError:
                # The pointer moved and the version we read was pruned meanwhile: read again.
                if attempt == 2:
                    raise
                stamp = self._pointer_stamp()
                continue
            logger.info(
                "loaded store version %s (%d documents, %d chunks)",
                name, len(version.documents), len(version.chunks),
            )
            self._version, self._stamp = version, stamp
            return
