"""A store version's chunks, read from its chunks.jsonl on demand instead of held in memory.

Why: at 100k chunks the Chunk objects took ~210 MB of a serving process (Python strings hold
Vietnamese text at 2 bytes a character), while a question reads ~10–30 of them. The table
keeps, per row, only where its line starts, its document and its source file (~13 bytes a
row); a chunk is parsed from its line when asked for (one `pread`, ~20 µs). Iterating reads
the file front to back, as loading did before.

The file stays open for the table's lifetime, so a version pruned from disk while a search
still holds it (store.py keeps the last two) is still readable: POSIX keeps an unlinked
file's data while a descriptor is open.
"""

from __future__ import annotations

import json
import os
import threading
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

from knowledge.passages import Chunk

_READ_BLOCK = 1 << 20


class ChunkTable(Sequence[Chunk]):
    """`Sequence[Chunk]` over a chunks.jsonl file (one `{chunk..., "file": key}` per line)."""

    def __init__(self, path: Path, *, read_block: int = _READ_BLOCK) -> None:
        """Read the file once to index its lines. `read_block`: bytes per read when
        iterating. Raises OSError, ValueError (bad JSON) or KeyError (a line without doc_id
        or file)."""
        self.path = path
        self._read_block = read_block
        self._fd = os.open(path, os.O_RDONLY)
        self._closer = weakref.finalize(self, os.close, self._fd)
        offsets, doc_of_row, file_of_row, doc_ids, files = _scan(path)
        self._offsets = offsets
        self._doc_ids = doc_ids
        self._files = files
        self._doc_of_row = doc_of_row
        self._file_of_row = file_of_row
        self._rows_by_doc: dict[str, list[int]] | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._doc_of_row)

    @overload
    def __getitem__(self, row: int) -> Chunk: ...

    @overload
    def __getitem__(self, row: slice) -> list[Chunk]: ...

    def __getitem__(self, row: int | slice) -> Chunk | list[Chunk]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        return Chunk.from_json(self._record(row))

    def _record(self, row: int) -> dict[str, Any]:
        n = len(self)
        if not -n <= row < n:
            raise IndexError(f"chunk row {row} out of range ({n} chunks)")
        row %= n
        start, end = int(self._offsets[row]), int(self._offsets[row + 1])
        data = json.loads(os.pread(self._fd, end - start, start))
        data.pop("file", None)
        return data

    def __iter__(self) -> Iterator[Chunk]:
        # Blocks of whole lines by pread: no shared file position, so threads may iterate
        # at the same time.
        row, n = 0, len(self)
        while row < n:
            limit = int(self._offsets[row]) + self._read_block
            end = max(row + 1, int(np.searchsorted(self._offsets, limit, side="right")) - 1)
            end = min(end, n)
            start = int(self._offsets[row])
            blob = os.pread(self._fd, int(self._offsets[end]) - start, start)
            for line in blob.split(b"\n")[: end - row]:
                data = json.loads(line)
                data.pop("file", None)
                yield Chunk.from_json(data)
            row = end

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ChunkTable) and other.path == self.path:
            return True
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def doc_id(self, row: int) -> str:
        """The document of a row, without reading the file."""
        return self._doc_ids[self._doc_of_row[row]]

    def rows_of(self, doc_id: str) -> list[int]:
        """The rows of one document, in store order (built once, on first use)."""
        return self.rows_by_document().get(doc_id, [])

    def rows_by_document(self) -> dict[str, list[int]]:
        with self._lock:
            if self._rows_by_doc is None:
                rows: dict[str, list[int]] = {}
                for row, doc in enumerate(self._doc_of_row.tolist()):
                    rows.setdefault(self._doc_ids[doc], []).append(row)
                self._rows_by_doc = rows
            return self._rows_by_doc

    def files(self) -> list[str]:
        """The source file key of every row (for incremental builds)."""
        return [self._files[i] for i in self._file_of_row.tolist()]

    def close(self) -> None:
        self._closer()


_DOC_PREFIX = b'{"doc_id": '  # how write_version's json.dumps starts every line,
_DOC_END = b', "ordinal": '  # what follows the document id,
_FILE_KEY = b', "file": '  # and the file key, which comes last


def _scan(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], list[str]]:
    """(line offsets with the end, document per row, file per row, documents, files).

    Lines are found with numpy and only each line's document id and file key are decoded,
    once per distinct raw value (a full JSON parse of 100k lines took longer than the rest of
    a store load); a line not written the usual way gets the full parse."""
    offsets = [np.zeros(1, dtype=np.int64)]
    doc_ids: dict[str, int] = {}
    files: dict[str, int] = {}
    raw_docs: dict[bytes, int] = {}
    raw_files: dict[bytes, int] = {}
    doc_of_row: list[int] = []
    file_of_row: list[int] = []
    base = 0
    rest = b""
    with open(path, "rb") as fh:
        while True:
            block = fh.read(_READ_BLOCK * 8)
            data = rest + block
            if not data:
                break
            ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
            if not block and (not len(ends) or ends[-1] != len(data) - 1):
                ends = np.append(ends, len(data))  # a last line without its newline
            start = 0
            for end in ends.tolist():
                raw = _raw_ends(data, start, end)
                if raw is None:
                    record = json.loads(data[start:end])
                    doc = doc_ids.setdefault(record["doc_id"], len(doc_ids))
                    file = files.setdefault(record["file"], len(files))
                else:
                    doc = raw_docs.get(raw[0])
                    if doc is None:
                        doc = raw_docs[raw[0]] = doc_ids.setdefault(_string(raw[0]), len(doc_ids))
                    file = raw_files.get(raw[1])
                    if file is None:
                        file = raw_files[raw[1]] = files.setdefault(_string(raw[1]), len(files))
                doc_of_row.append(doc)
                file_of_row.append(file)
                start = end + 1
            offsets.append(base + np.minimum(ends.astype(np.int64) + 1, len(data)))
            base += min(start, len(data))
            rest = data[start:]
            if not block:
                break
    return (np.concatenate(offsets), np.asarray(doc_of_row, dtype=np.int32),
            np.asarray(file_of_row, dtype=np.int32), list(doc_ids), list(files))


def _raw_ends(data: bytes, start: int, end: int) -> tuple[bytes, bytes] | None:
    """The JSON-encoded doc_id and file of the line data[start:end], or None when the line
    is not laid out as write_version writes it."""
    if not data.startswith(_DOC_PREFIX, start):
        return None
    doc_end = data.find(_DOC_END, start, end)
    file_at = data.rfind(_FILE_KEY, start, end)
    tail = data[file_at + len(_FILE_KEY) : end].rstrip()
    if doc_end < 0 or file_at < doc_end or not tail.endswith(b'"}'):
        return None
    return data[start + len(_DOC_PREFIX) : doc_end], tail[:-1]


def _string(encoded: bytes) -> str:
    """A JSON string value. Raises ValueError when it is not one."""
    if encoded[:1] == b'"' and encoded[-1:] == b'"' and b"\\" not in encoded[1:-1]:
        if b'"' not in encoded[1:-1]:
            return encoded[1:-1].decode("utf-8")
    value = json.loads(encoded)
    if not isinstance(value, str):
        raise ValueError(f"not a string: {encoded[:40]!r}")
    return value
