"""Turn files into normalised text: txt, md, html, docx, doc, pdf (one document each) and
jsonl (one passage per line).

`iter_source_files` finds the files under the folders the operator names; `load_file`
reads one of them and says, with a `LoadError`, why it could not.

The contract every reader keeps (what metadata parsing and chunking build on): the text is
`knowledge.text.normalize`d, one paragraph or line per "\n", no blank lines; text typed in
the TCVN3 or VNI legacy encodings is converted to Unicode (`legacy`), letter-spaced lines
("N G H Ị  Q U Y Ế T") are joined back (`repair`); a PDF's running headers, footers and page
numbers are removed page by page and returned apart (`LoadedText.running_lines`); what could
not be read faithfully is said in `LoadedText.warnings`, never dropped silently.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from indexer.loaders import doc, jsonl, markdown, pdf, plain, web, word
from indexer.loaders.base import Extracted, LoadedText, LoadError, LoadOptions, clean_text
from knowledge.legacy import convert_legacy
from indexer.loaders.repair import collapse_letter_spacing

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_SUFFIXES",
    "LoadError",
    "LoadOptions",
    "LoadedText",
    "iter_source_files",
    "load_file",
]


SUPPORTED_SUFFIXES = frozenset(
    {".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".doc", ".pdf", ".jsonl"}
)
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_MB = 1024 * 1024

_EXTRACTORS: dict[str, Callable[[bytes], Extracted]] = {
    ".txt": plain.extract,
    ".md": markdown.extract,
    ".markdown": markdown.extract,
    ".html": web.extract,
    ".htm": web.extract,
    ".docx": word.extract,
}
# Readers that take the options (OCR, page limit, the converters' commands).
_OPTIONED: dict[str, Callable[[bytes, LoadOptions], Extracted]] = {
    ".pdf": pdf.extract,
    ".doc": doc.extract,
}


def load_file(
    path: Path,
    root: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    options: LoadOptions | None = None,
) -> list[LoadedText]:
    """Load one file (JSONL gives many). Raises LoadError with the reason when it cannot be read.

    `doc_id` and `source` are the path relative to `root`, with "/" separators, so that the
    same folder indexed from another machine or OS gives the same ids.
    """
    rel = path.relative_to(root).as_posix()
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"unsupported type {suffix}" if suffix else "unsupported type (no extension)")
    data = _read(path, max_bytes)
    if suffix == ".jsonl":
        return jsonl.load(data, rel)
    options = options or LoadOptions()
    if suffix in _OPTIONED:
        extracted = _OPTIONED[suffix](data, options)
    else:
        extracted = _EXTRACTORS[suffix](data)
    raw, warnings = extracted.text, list(extracted.warnings)
    if suffix != ".pdf":  # the PDF reader repairs its text page by page itself
        conversion = convert_legacy(raw)
        if conversion.note:
            warnings.append(conversion.note)
        raw = "\n".join(map(collapse_letter_spacing, conversion.text.split("\n")))
    text = clean_text(raw)
    if not text:
        raise LoadError("no text")
    return [
        LoadedText(
            doc_id=rel,
            source=rel,
            text=text,
            fields=dict(extracted.fields),
            pages=extracted.pages,
            ocr_pages=extracted.ocr_pages,
            ocr_seconds=extracted.ocr_seconds,
            warnings=tuple(warnings),
            running_lines=extracted.running_lines,
        )
    ]


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(f"file too large ({size / _MB:.1f} MB)")
        with path.open("rb") as handle:
            # Read at most one byte past the limit: the file may have grown since stat().
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise LoadError(f"cannot read file ({exc.strerror or exc})") from exc
    if len(data) > max_bytes:
        raise LoadError(f"file too large ({len(data) / _MB:.1f} MB)")
    if not data:
        raise LoadError("empty file")
    return data


def iter_source_files(paths: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    """Yield (root, file) for every file under the given paths, folders recursively, sorted,
    skipping hidden files/folders (names starting with '.') and Office lock files ('~$...').
    A path that is a file yields (its parent, itself).

    Files of unsupported types are yielded too, so the caller can report them as skipped.
    A path that does not exist raises FileNotFoundError: a mistyped folder must not pass
    silently as an empty knowledge base.
    """
    for given in paths:
        if given.is_file():
            yield given.parent, given
        elif given.is_dir():
            for found in _files_under(given):
                yield given, found
        else:
            raise FileNotFoundError(f"no such file or folder: {given}")


def _files_under(root: Path) -> list[Path]:
    found: list[Path] = []
    # Symlinked folders are not followed (os.walk's default): they could loop.
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = [name for name in subfolders if not _skipped(name)]
        for name in names:
            candidate = Path(folder, name)
            # Sockets, FIFOs and broken links are not documents (and a FIFO would block a read).
            if not _skipped(name) and candidate.is_file():
                found.append(candidate)
    found.sort(key=lambda p: p.relative_to(root).parts)
    return found


def _skipped(name: str) -> bool:
    return name.startswith((".", "~$"))
