"""Exported query encoders, cached by model name and version, so serving never loads PyTorch.

Layout under ENCODER_CACHE_DIR (default data/encoders):
    <slug>-<version>/manifest.json   model name and version, where it came from, the model's
                                     pooling / dense / normalise steps, window, file hashes
    <slug>-<version>/model.onnx      the transformer (token embeddings), for ONNX Runtime
    <slug>-<version>/tokenizer.json  the model's fast tokenizer (`tokenizers` library)
    <slug>-<version>/dense_<i>.npz   weights of any Dense module after pooling

The *version* is a content hash of the files that define the model (configs, tokenizer,
weights: see `_MODEL_FILES`), so a changed model gets a new entry and never serves stale
vectors. Hashing the weights costs ~0.2 s for all-MiniLM-L6-v2; an entry also records the
source files' sizes and mtimes, and a source whose stat signature matches an entry's is taken
as the same model without hashing (git's index does the same). When the source model is not
on disk at all (a serving machine given only the store and this cache), the newest entry of
that model name is used.

An entry is written under a hidden temporary name and renamed when complete, and its files'
sizes and sha256 are checked when it loads (`store_integrity`, as for store versions): a
half-written or damaged entry is never used. Exporting needs PyTorch (knowledge/onnx_export.py);
this module and the runtime (knowledge/onnx_queries.py) do not.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge import store_integrity

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# Files that make a sentence-transformers model what it is. Everything else in a model folder
# (README, .gitattributes, the hub's own onnx/ and openvino/ copies, TF or Flax weights) does
# not change what sentence-transformers loads, so it does not change the version.
_MODEL_FILES = re.compile(r"^(?:[^/]+/)?[^/]+\.(?:json|txt|model|safetensors|bin)$")
_SKIP_DIRS = frozenset({"onnx", "openvino", ".git", ".cache"})
_BLOCK = 1 << 20


class EncoderCacheError(Exception):
    """An entry is missing, damaged or written for another model."""


@dataclass(frozen=True)
class ModelSource:
    """Where a configured model lives. `path` is None when it is not on this machine."""

    name: str  # as the store's manifest names it (EMBEDDING_MODEL, or the bundled model's name)
    path: Path | None


def resolve_source(model: str) -> ModelSource:
    """The model folder for EMBEDDING_MODEL without loading it (and without PyTorch): empty →
    the bundled all-MiniLM-L6-v2; an existing folder → itself; otherwise a Hugging Face name,
    looked up in the local hub cache only (no machine of ours reaches the hub)."""
    if not model:
        from knowledge.embedder import bundled_model_path

        return ModelSource(DEFAULT_MODEL_NAME, Path(bundled_model_path()))
    if Path(model).is_dir():
        return ModelSource(model, Path(model))
    try:
        from huggingface_hub import snapshot_download

        return ModelSource(model, Path(snapshot_download(model, local_files_only=True)))
    except Exception as exc:  # noqa: BLE001 - not in the local cache, or no huggingface_hub
        logger.info("model %s is not on this machine (%s)", model, exc)
        return ModelSource(model, None)


def _model_files(path: Path) -> list[Path]:
    files = []
    for file in sorted(path.rglob("*")):
        rel = file.relative_to(path).as_posix()
        if (file.is_file() and not rel.startswith(".") and _MODEL_FILES.match(rel)
                and not _SKIP_DIRS.intersection(file.relative_to(path).parts[:-1])):
            files.append(file)
    return files


def stat_signature(path: Path) -> list[list[Any]]:
    """[[relative path, size, mtime_ns], ...] of the model's defining files: cheap to take."""
    out = []
    for file in _model_files(path):
        st = file.stat()
        out.append([file.relative_to(path).as_posix(), st.st_size, st.st_mtime_ns])
    return out


def content_version(path: Path) -> str:
    """A 16-hex-digit hash of the model's defining files (names and contents)."""
    h = hashlib.sha256()
    for file in _model_files(path):
        h.update(file.relative_to(path).as_posix().encode() + b"\0")
        with open(file, "rb") as fh:
            for block in iter(lambda: fh.read(_BLOCK), b""):
                h.update(block)
        h.update(b"\0")
    return h.hexdigest()[:16]


def entry_name(name: str, version: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name.strip("/")).strip("-.")[-60:] or "model"
    return f"{slug}-{version}"


def read_entry(folder: Path) -> dict[str, Any]:
    """The entry's manifest after checking its files. Raises EncoderCacheError."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise EncoderCacheError(f"{folder}: not an encoder of format {FORMAT}")
        store_integrity.verify(folder, manifest)
    except EncoderCacheError:
        raise
    except (OSError, ValueError, store_integrity.IntegrityError) as exc:
        raise EncoderCacheError(f"{folder}: {exc}") from exc
    if store_integrity.KEY not in manifest:
        raise EncoderCacheError(f"{folder}: no file hashes in its manifest")
    return manifest


def _entries(cache_dir: Path) -> list[Path]:
    try:
        return sorted(p for p in cache_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return []


def _peek(folder: Path) -> dict[str, Any] | None:
    """The manifest without checking files (to choose among entries); None if unreadable."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def find(cache_dir: Path, source: ModelSource) -> tuple[Path, dict[str, Any]] | None:
    """The checked entry for this model and its manifest, or None when there is none (or
    only damaged ones, each logged with why).

    Order: an entry whose recorded source has the same path and stat signature (no hashing);
    else the entry named by the source's content hash; else, when the source is not on this
    machine, the newest entry of that model name.
    """
    candidates: list[Path] = []
    if source.path is not None:
        signature = stat_signature(source.path)
        for folder in _entries(cache_dir):
            peek = _peek(folder)
            if (peek and peek.get("name") == source.name
                    and peek.get("source", {}).get("path") == str(source.path)
                    and peek.get("source", {}).get("stat") == signature):
                candidates.append(folder)
        if not candidates:
            candidates.append(cache_dir / entry_name(source.name, content_version(source.path)))
    else:
        named = [(peek.get("created", ""), folder) for folder in _entries(cache_dir)
                 if (peek := _peek(folder)) and peek.get("name") == source.name]
        candidates = [folder for _, folder in sorted(named, reverse=True)]
    for folder in candidates:
        if not folder.is_dir():
            continue
        try:
            manifest = read_entry(folder)
        except EncoderCacheError as exc:
            logger.warning("exported encoder %s is not usable: %s", folder, exc)
            continue
        if manifest.get("name") == source.name:
            return folder, manifest
    return None


def write_entry(cache_dir: Path, tmp: Path, manifest: dict[str, Any]) -> Path:
    """Finish an entry whose files were written into `tmp` (a hidden folder in `cache_dir`):
    hash them into the manifest, then rename the folder into place. An existing entry of the
    same name is replaced only if it is damaged. Returns the entry's folder."""
    manifest = {**manifest, "format": FORMAT,
                store_integrity.KEY: store_integrity.file_records(tmp)}
    (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                encoding="utf-8")
    final = cache_dir / entry_name(manifest["name"], manifest["version"])
    if final.exists():
        try:
            read_entry(final)
            return final  # another process exported the same model meanwhile
        except EncoderCacheError:
            _remove(final)
    os.replace(tmp, final)
    return final


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
