"""Which files of a knowledge folder are documents, and the metadata sidecars beside them.

Not documents, each reported with its reason: hidden files and folders (".git", ".DS_Store"),
Office lock files ("~$quy-dinh.docx"), files the operator excludes in the folder's ignore
file (`.tuyengiaoignore`, gitignore syntax, read with `pathspec`, the library git-style
tools use), and README / SOURCES files, unless the ignore file lists them back ("!README.md").
A sidecar `<file>.meta.yaml` (or `<stem>.meta.yaml`) holds metadata for the file beside it
and is read with it, never indexed on its own.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pathspec
import yaml

logger = logging.getLogger(__name__)

IGNORE_FILE = ".tuyengiaoignore"
SIDECAR_SUFFIX = ".meta.yaml"
# Notes about a folder rather than documents in it: excluded unless listed back.
_NOT_DOCUMENTS = [f"{stem}*" for stem in ("README", "Readme", "readme", "SOURCES", "Sources", "sources")]
MAX_SIDECAR_BYTES = 64 * 1024


@dataclass(frozen=True)
class Found:
    """A file under a root: a document to load (`reason` None) or one skipped, and why."""

    root: Path
    path: Path
    reason: str | None = None


class SidecarError(Exception):
    """A sidecar file that cannot be read as a mapping of metadata fields."""


def discover(paths: Iterable[Path]) -> Iterator[Found]:
    """Every file under the given files and folders, folders recursively and sorted.

    A path that is a file is taken as given (its parent is the root). A path that does not
    exist raises FileNotFoundError: a mistyped folder must not pass as an empty knowledge base.
    """
    for given in paths:
        if given.is_file():
            if not given.name.endswith(SIDECAR_SUFFIX):
                yield Found(given.parent, given)
        elif given.is_dir():
            yield from _walk(given)
        else:
            raise FileNotFoundError(f"no such file or folder: {given}")


def _walk(root: Path) -> Iterator[Found]:
    spec = _ignore_spec(root)
    found: list[Found] = []
    # Symlinked folders are not followed (os.walk's default): they could loop.
    for folder, subfolders, names in os.walk(root):
        here = Path(folder)
        keep = []
        for name in sorted(subfolders):
            rel = (here / name).relative_to(root).as_posix() + "/"
            if name.startswith("."):
                found.append(Found(root, here / name, "hidden folder"))
            elif spec.match_file(rel):
                found.append(Found(root, here / name, f"excluded by {IGNORE_FILE}"))
            else:
                keep.append(name)
        subfolders[:] = keep
        for name in names:
            path = here / name
            if name == IGNORE_FILE and here == root or name.endswith(SIDECAR_SUFFIX):
                continue  # the folder's own settings, read with what they describe
            # Sockets, FIFOs and broken links are not documents (and a FIFO would block a read).
            if not path.is_file():
                continue
            found.append(Found(root, path, _reason(name, path.relative_to(root).as_posix(), spec)))
    found.sort(key=lambda f: f.path.relative_to(root).parts)
    yield from found


def _reason(name: str, rel: str, spec: pathspec.PathSpec) -> str | None:
    if name.startswith("~$"):
        return "Office lock file"
    if name.startswith("."):
        return "hidden file"
    if spec.match_file(rel):
        if any(name.startswith(p[:-1]) for p in _NOT_DOCUMENTS):
            return f"not a document (README/SOURCES; list it as '!{rel}' in {IGNORE_FILE} to index it)"
        return f"excluded by {IGNORE_FILE}"
    return None


def _ignore_spec(root: Path) -> pathspec.PathSpec:
    lines = list(_NOT_DOCUMENTS)
    ignore = root / IGNORE_FILE
    try:
        lines += ignore.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as exc:
        logger.warning("cannot read %s: %s; only the default exclusions apply", ignore, exc)
    return pathspec.GitIgnoreSpec.from_lines(lines)


def sidecar_of(path: Path) -> Path | None:
    """The sidecar of a document: "<name>.meta.yaml" first ("ke-hoach.pdf.meta.yaml"), then
    "<stem>.meta.yaml" ("ke-hoach.meta.yaml"), or None."""
    for candidate in (path.with_name(path.name + SIDECAR_SUFFIX), path.with_name(path.stem + SIDECAR_SUFFIX)):
        if candidate != path and candidate.is_file():
            return candidate
    return None


def read_sidecar(path: Path) -> dict[str, Any]:
    """The fields of a sidecar: a YAML mapping (title, number/so_hieu, type/loai,
    issuer/co_quan, date/ngay, and any other key kept as extra metadata).

    Raises SidecarError (with a short English reason) for a file that is too large, not
    UTF-8, not YAML, or not a mapping."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SidecarError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if len(data) > MAX_SIDECAR_BYTES:
        raise SidecarError(f"{path.name} is too large for a metadata file")
    try:
        fields = yaml.safe_load(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SidecarError(f"{path.name} is not valid UTF-8 YAML") from exc
    if fields is None:
        return {}
    if not isinstance(fields, dict):
        raise SidecarError(f"{path.name} must be a mapping of metadata fields")
    return {str(k): v for k, v in fields.items()}
