"""Writing the knowledge store: a complete version folder under a hidden name, then the
pointer switched to it atomically (the layout and the reading side: knowledge/store.py).

Readers never see a half-written version: the folder is renamed into place only when every
file and the manifest (with each file's sha256, knowledge/store_integrity.py) are written, and
CURRENT is replaced with os.replace after an fsync. The newest KEEP_VERSIONS stay on disk, so a
reader that is still loading the previous version finds it.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from knowledge import store_integrity, vector_index
from knowledge.lexical import LexicalIndex
from knowledge.passages import Chunk, DocumentMeta
from knowledge.store import FORMAT_VERSION, KEEP_VERSIONS, POINTER, ModelInfo, versions_dir
from knowledge.term_counts import TermCounts


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
    index_spec: vector_index.VectorIndexSpec | None = None,
) -> str:
    """Write a complete new version folder (not yet published) and return its name.
    `index_spec`: how to index the vectors (default: flat below 50k chunks, HNSW above)."""
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
    spec = index_spec or vector_index.VectorIndexSpec()
    faiss.write_index(vector_index.build(vectors, model.dimension, spec),
                      str(tmp / "vectors.faiss"))
    LexicalIndex.from_counts(term_counts).save(tmp / "lexical")
    manifest: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "name": name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "model": model.to_json(),
        "files": files,
        "counts": {"files": len(files), "documents": len(documents), "chunks": len(chunks)},
        "vector_index": spec.to_json(len(chunks)),
        **(extra or {}),
        store_integrity.KEY: store_integrity.file_records(tmp),
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
