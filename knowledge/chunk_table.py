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
        offsets: list[int] = [0]
        doc_ids: dict[str, int] = {}
        files: dict[str, int] = {}
        doc_of_row: list[int] = []
        file_of_row: list[int] = []
        with open(path, "rb") as fh:
            for line in fh:
                data = json.loads(line)
                doc_of_row.append(doc_ids.setdefault(data["doc_id"], len(doc_ids)))
                file_of_row.append(files.setdefault(data["file"], len(files)))
                offsets.append(offsets[-1] + len(line))
        self._offsets = np.asarray(offsets, dtype=np.int64)
        self._doc_ids = list(doc_ids)
        self._files = list(files)
        self._doc_of_row = np.asarray(doc_of_row, dtype=np.int32)
        self._file_of_row = np.asarray(file_of_row, dtype=np.int32)
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

