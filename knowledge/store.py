"""The published knowledge store: immutable versions behind an atomically switched pointer.

Layout under STORE_DIR:
    CURRENT                    name of the published version (written to a temp name, then
                               os.replace'd: atomic on one filesystem)
    versions/<name>/manifest.json   model, files and their content hashes, counts
    versions/<name>/documents.jsonl one DocumentMeta per line
    versions/<name>/chunks.jsonl    one Chunk per line (+ the file it came from); read on
                                    demand (knowledge/chunk_table.py), not held in memory
    versions/<name>/vectors.faiss   FAISS inner-product index over L2-normalised embeddings:
                                    flat, or HNSW for large stores (knowledge/vector_index.py)
    versions/<name>/lexical/        bm25s index (folded syllables + bigrams) and the per-chunk
                                    term counts it was computed from (reused by the next build)

A version folder is complete before the pointer names it, and is never changed afterwards, so
a reader sees the old store or the new one, never a mix. Readers notice a new version by the
pointer's mtime (one stat per search) and load it: documents, vectors and the per-row
indexes in memory; the lexical index's postings read per query (knowledge/postings_file.py);
chunk texts read from disk when a hit needs them. A serving process's memory therefore grows
with the vectors, not with the text (bench/README.md, "Serving memory").

Faults (docs/operators.md, "When things break"): a version is checked as it loads (its files' sizes and
sha256 against the manifest, see store_integrity.py, and that chunks, vectors and the lexical
index line up). A reader that already serves a version keeps serving it when the pointer
turns bad (garbage, a missing or corrupt version, an empty file) and logs that once per
pointer change; a reader starting up on a bad pointer falls back to the newest kept version
that loads, with a warning; with none, StoreUnusable says which folder and how to rebuild.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from knowledge import store_integrity, vector_index
from knowledge.chunk_table import ChunkTable
from knowledge.lexical import LexicalIndex
from knowledge.passages import Chunk, DocumentMeta

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
POINTER = "CURRENT"
VERSIONS = "versions"
KEEP_VERSIONS = 2


class StoreError(Exception):
    """The store is missing, unreadable, or built for another model."""


class StoreUnusable(StoreError):
    """No version of the store can be loaded; the message names the folder and the command
    that rebuilds it."""


# What write_version names versions (a timestamp and a random suffix); a pointer must name a
# plain folder under versions/: no separators, no "..", nothing hidden, nothing odd.
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
MAX_NAME = 100


def valid_version_name(name: str) -> bool:
    return (0 < len(name) <= MAX_NAME and set(name) <= _NAME_CHARS
            and not name.startswith(".") and name not in (".", ".."))


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
    chunks: ChunkTable  # Sequence[Chunk], read from chunks.jsonl on demand
    vectors: faiss.Index
    lexical: LexicalIndex
    chunk_docs: list[DocumentMeta] = field(init=False)

    def __post_init__(self) -> None:
        self.chunk_docs = [self.documents[self.chunks.doc_id(row)]
                           for row in range(len(self.chunks))]

    @property
    def chunk_files(self) -> list[str]:
        """The source file key of each chunk, for incremental builds."""
        return self.chunks.files()

    def rows_of(self, doc_id: str) -> list[int]:
        """The rows of one document's chunks, in order (no chunk text is read)."""
        return self.chunks.rows_of(doc_id)

    def rows_by_document(self) -> dict[str, list[int]]:
        return self.chunks.rows_by_document()

    @property
    def model(self) -> ModelInfo:
        return ModelInfo(**self.manifest["model"])

    @property
    def files(self) -> dict[str, dict[str, Any]]:
        return self.manifest["files"]

    def all_embeddings(self) -> np.ndarray:
        """Every stored vector, row i for chunk i: a read-only view of the FAISS index's own
        memory for a flat or HNSW index (no copy; the view does not keep the index alive:
        hold this StoreVersion while using it, or copy it), a copy for IVF. For builds:
        searches read only their candidates' vectors (`vectors_of`)."""
        return vector_index.stored_vectors(self.vectors)

    def vectors_of(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of some rows (len(rows) × dimension), exactly."""
        return vector_index.vectors_of(self.vectors, rows)

    def nearest(
        self, vector: np.ndarray, k: int, mask: np.ndarray | None = None
    ) -> tuple[float, np.ndarray]:
        """(best similarity in the whole store, rows of the k most similar chunks, best
        first) for a unit query vector. With a boolean `mask` over rows, only rows where it
        is True are returned, found by an exact scan (a graph search cannot filter cheaply);
        the best similarity stays the store's."""
        if mask is not None:
            best, _ = vector_index.nearest(self.vectors, vector, 1)
            allowed = np.flatnonzero(mask)
            _, rows = vector_index.nearest(self.vectors, vector, k, allowed)
            return (float(best[0]) if len(best) else 0.0), rows[rows >= 0]
        sims, rows = vector_index.nearest(self.vectors, vector, k)
        found = rows[rows >= 0]
        return (float(sims[0]) if len(found) else 0.0), found


def versions_dir(store_dir: Path) -> Path:
    return store_dir / VERSIONS


def current_version_name(store_dir: Path) -> str | None:
    """The name the pointer holds (None: no pointer, or an empty one)."""
    return _read_pointer(store_dir)


def load_version(
    store_dir: Path, name: str, *, search: vector_index.SearchParams | None = None
) -> StoreVersion:
    """Load and check one version. Raises StoreError naming the version and what is wrong.
    `search`: the vector index's search settings (vector_index.prepare)."""
    if not valid_version_name(name):
        raise StoreError(f"the store pointer names {name[:60]!r}, which is not a version name")
    path = versions_dir(store_dir) / name
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_VERSION:
            raise StoreError(f"store version {name} has format {manifest.get('format')}")
        store_integrity.verify(path, manifest)
        documents = {}
        with open(path / "documents.jsonl", encoding="utf-8") as fh:
            for line in fh:
                doc = DocumentMeta.from_json(json.loads(line))
                documents[doc.doc_id] = doc
        chunks = ChunkTable(path / "chunks.jsonl")
        vectors = vector_index.prepare(faiss.read_index(str(path / "vectors.faiss")), search)
        lexical = LexicalIndex.load(path / "lexical", mmap=True)
        sizes = {"chunks": len(chunks), "vectors": vectors.ntotal, "lexical": lexical.size}
        expected = manifest.get("counts", {}).get("chunks", len(chunks))
        if len(set(sizes.values())) != 1 or expected != len(chunks):
            raise StoreError(f"store version {name} is inconsistent: {sizes}, manifest {expected}")
        version = StoreVersion(name, path, manifest, documents, chunks, vectors, lexical)
    except StoreError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RuntimeError,
            store_integrity.IntegrityError) as exc:
        raise StoreError(f"cannot read store version {path}: {exc}") from exc
    return version


def load_current(store_dir: Path) -> StoreVersion | None:
    name = current_version_name(store_dir)
    return load_version(store_dir, name) if name else None


class StoreReader:
    """Gives the currently published version, reloading when the pointer changes.

    The check costs one stat per call; a reload happens at most once per pointer change, and
    callers holding the previous StoreVersion keep using it safely (it lives in memory).
    While one thread loads a new version, others keep getting the one already loaded.

    Faults: once a version is loaded, a pointer that cannot be followed (garbage, an empty
    or missing file, a version that is gone or fails its checks) keeps that version serving;
    the error is logged once per pointer change and kept in `problem`. The first load falls
    back to the newest other kept version that loads (`fallback` names the one it skipped
    and why); with no usable version at all it raises StoreUnusable. A store with no pointer
    and no versions is simply empty: `current()` is None.
    """

    def __init__(
        self, store_dir: Path, *, search: vector_index.SearchParams | None = None
    ) -> None:
        self.store_dir = store_dir
        self.search = search  # the vector index's search settings, for every version loaded
        self._lock = threading.Lock()
        self._version: StoreVersion | None = None
        self._stamp: tuple[int, int] | None = None
        self.problem: str | None = None  # why the pointer is not being followed, if it is not
        self.fallback: str | None = None  # set when start-up skipped a broken current version

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
        if not self._lock.acquire(blocking=self._version is None):
            return self._version  # another thread is loading the new version meanwhile
        try:
            stamp = self._pointer_stamp()
            if stamp != self._stamp:
                self._reload(stamp)
            return self._version
        finally:
            self._lock.release()

    def _reload(self, stamp: tuple[int, int] | None) -> None:
        error: StoreError | None = None
        for _ in range(3):
            try:
                name = _read_pointer(self.store_dir)
            except OSError as exc:
                error = StoreError(f"cannot read {self.store_dir / POINTER}: {exc}")
                break
            if name is None:
                if self._version is None and not _kept_versions(self.store_dir):
                    self._stamp = stamp  # no store at all
                    return
                error = StoreError(f"{self.store_dir / POINTER} is missing or empty")
                break
            if self._version is not None and self._version.name == name:
                self._stamp, self.problem = stamp, None
                return
            try:
                version = load_version(self.store_dir, name, search=self.search)
            except StoreError as exc:
                error = exc
                moved = self._pointer_stamp()
                if moved != stamp:  # a publish moved the pointer meanwhile: follow it
                    stamp = moved
                    continue
                break
            logger.info(
                "loaded store version %s (%d documents, %d chunks)",
                name, len(version.documents), len(version.chunks),
            )
            self._version, self._stamp, self.problem = version, stamp, None
            return
        assert error is not None
        self._stamp = stamp  # not tried again until the pointer changes
        if self._version is not None:
            self.problem = str(error)
            logger.error(
                "store %s: %s; still serving version %s (loaded earlier). Fix or republish "
                "with 'tuyengiao index'", self.store_dir, error, self._version.name,
            )
            return
        self._start_from_fallback(error)

    def _start_from_fallback(self, error: StoreError) -> None:
        """The first load failed: serve the newest other kept version that loads."""
        broken = _safe_pointer(self.store_dir)
        for name in reversed(_kept_versions(self.store_dir)):
            if name == broken:
                continue
            try:
                version = load_version(self.store_dir, name, search=self.search)
            except StoreError as exc:
                logger.warning("store %s: kept version %s is not usable either: %s",
                               self.store_dir, name, exc)
                continue
            self._version, self.problem = version, str(error)
            self.fallback = f"{broken or '(none)'}: {error}"
            logger.warning(
                "store %s: the current version is not usable (%s); serving the previous kept "
                "version %s (%d documents, %d chunks). Rebuild with 'tuyengiao index --store %s "
                "<documents>'", self.store_dir, error, name, len(version.documents),
                len(version.chunks), self.store_dir,
            )
            return
        raise StoreUnusable(
            f"the knowledge store at {self.store_dir} has no usable version ({error}). "
            f"Rebuild it: tuyengiao index --store {self.store_dir} <your documents folder>"
        )


def _read_pointer(store_dir: Path) -> str | None:
    """The pointer's text, stripped; None when the file is missing or empty. Bytes that are
    not UTF-8 are kept visible (and then fail the name check)."""
    try:
        raw = (store_dir / POINTER).read_bytes()
    except FileNotFoundError:
        return None
    return raw.decode("utf-8", errors="backslashreplace").strip() or None


def _safe_pointer(store_dir: Path) -> str | None:
    try:
        return _read_pointer(store_dir)
    except OSError:
        return None


def _kept_versions(store_dir: Path) -> list[str]:
    """Names of the complete version folders, oldest first (names sort by creation time)."""
    try:
        return sorted(p.name for p in versions_dir(store_dir).iterdir()
                      if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []
