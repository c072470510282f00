"""Content hashes of a store version's own files, written into its manifest and checked when
the version is loaded, so a truncated or altered file (a full disk during a copy, a restore
from a broken backup, a hand edit) is refused before it serves a wrong answer.

    manifest["store_files"] = {"documents.jsonl": {"size": 1234, "sha256": "ab12..."}, ...}

Paths are relative to the version folder, with "/" separators (the lexical index is a
folder). manifest.json itself is not listed: it holds the list. Versions written before
hashes existed have no "store_files" and are checked by their contents only.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
KEY = "store_files"
_BLOCK = 1 << 20


class IntegrityError(Exception):
    """A version's files do not match its manifest; the message names the file."""


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_BLOCK), b""):
            h.update(block)
    return h.hexdigest()


def file_records(folder: Path) -> dict[str, dict[str, Any]]:
    """{relative path: {"size": bytes, "sha256": hex}} of every file under `folder` but the
    manifest, sorted by path."""
    records: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel == MANIFEST:
            continue
        records[rel] = {"size": path.stat().st_size, "sha256": _digest(path)}
    return records


def verify(folder: Path, manifest: dict[str, Any]) -> None:
    """Check the version's files against `manifest[KEY]` (sizes first: cheap and what a
    truncation changes; then hashes). No KEY: nothing to check. Raises IntegrityError."""
    recorded = manifest.get(KEY)
    if recorded is None:
        return
    if not isinstance(recorded, dict):
        raise IntegrityError(f"{MANIFEST}: {KEY} is not a mapping")
    for rel, record in recorded.items():
        path = folder / rel
        if ".." in Path(rel).parts or not path.is_file():
            raise IntegrityError(f"{rel} is missing")
        size = path.stat().st_size
        if size != record.get("size"):
            raise IntegrityError(f"{rel} has {size} bytes, the manifest says {record.get('size')}")
    for rel, record in recorded.items():
        if _digest(folder / rel) != record.get("sha256"):
            raise IntegrityError(f"{rel} does not match its sha256 in the manifest")
