"""A saved BM25 posting array read slice by slice with `os.pread`, instead of memory-mapped.

Why: a mapped file's pages count in the serving process's resident memory once a query has
touched them, and a question's common terms touch long posting lists, so after a few hundred
questions at 100k chunks a process "held" ~180 MB of postings it reads a few kB of at a time
(docs/developers.md, "Serving memory"). Read with `pread`, the same bytes come from the
operating system's page cache, shared by every process and dropped first under pressure, and
the process keeps only the slices of the question at hand. The cost is one system call per
term and array (microseconds; bench/search_latency.py prints BM25's share).

The file is the `.npy` bm25s saved (`numpy.lib.format`: a header, then the raw array), opened
once per loaded store version; versions never change after they are published, so reading
at fixed offsets is safe.
"""

from __future__ import annotations

import os
import weakref

import numpy as np


class PostingsFile:
    """A read-only 1-D array on disk: `len()`, `dtype`, `[start:stop]` (a new ndarray of that
    slice; steps are not supported), `gather(spans)` and `read_all()`. Built from the `numpy.memmap` that
    `np.load(..., mmap_mode="r")` gave for the same file, whose header offset it reuses; the
    map itself is not kept."""

    def __init__(self, mapped: np.memmap) -> None:
        if mapped.ndim != 1 or mapped.filename is None:
            raise ValueError("a one-dimensional array mapped from a file is needed")
        self.path = str(mapped.filename)
        self.dtype = mapped.dtype
        self.offset = int(mapped.offset)  # bytes of the .npy header before the data
        self._length = int(mapped.shape[0])
        self._fd = os.open(self.path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: slice) -> np.ndarray:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("only [start:stop] slices are read")
        start, stop, _ = index.indices(self._length)
        if stop <= start:
            return np.empty(0, dtype=self.dtype)
        size = self.dtype.itemsize
        want = (stop - start) * size
        data = os.pread(self._fd, want, self.offset + start * size)
        if len(data) != want:
            raise OSError(f"{self.path}: short read ({len(data)} of {want} bytes)")
        return np.frombuffer(data, dtype=self.dtype)

    def gather(self, spans: list[tuple[int, int]]) -> np.ndarray:
        """The slices [start, stop) of `spans`, one after another in one new array, each
        read straight into its place (`os.preadv`: no intermediate copy)."""
        size = self.dtype.itemsize
        out = np.empty(sum(stop - start for start, stop in spans), dtype=self.dtype)
        view = memoryview(out).cast("B")
        at = 0
        for start, stop in spans:
            want = (stop - start) * size
            if want and os.preadv(self._fd, [view[at : at + want]],
                                  self.offset + start * size) != want:
                raise OSError(f"{self.path}: short read at element {start}")
            at += want
        return out

    def read_all(self) -> np.ndarray:
        return self[0 : self._length]
