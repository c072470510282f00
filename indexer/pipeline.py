"""Reading files and embedding their chunks side by side, in bounded memory, with the same
result whatever the timing.

A build has three kinds of work: reading files (PDF text layers, DOCX, legacy encodings,
chunking — Python; OCR with Tesseract and `.doc` conversion with LibreOffice — child
processes that mostly wait), and embedding the chunks (the model; by far the most CPU).
Done one after the other, the model waits for every file to be read and the readers'
converters for nothing; done side by side, a folder of real PDFs is indexed at about the
model's own speed (`bench/pipeline_throughput.py`).

- `read_in_order`: a pool of `workers` threads reads files; results come back in the order
  the files were given, and at most `workers + ahead` files are taken and not yet handed
  back, which bounds the memory held by files read ahead of the model. Threads, not
  processes: the slow parts (Tesseract, LibreOffice) are processes already, PyTorch releases
  the GIL while it computes, and PDFium — not thread-safe — is serialised by its loader
  (`indexer.loaders.pdf.PDFIUM_LOCK`). `workers=0` reads each file when it is asked for.
- `WindowEmbedder`: texts are embedded on a background thread in windows of `window` texts
  cut in arrival order; each window is sorted by length (less padding per batch: the reason
  the old build sorted everything) and sent in blocks of `block`. A vector depends, in its
  last bits, on the texts batched with it (measured: up to 1.1e-7 between batchings), so
  windows are cut by count in the order the build hands texts over — never by timing — and
  the same inputs give the same vectors, bit for bit. `window=0` keeps every text for one
  window at the end: the sequential build (read everything, then embed).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from tqdm import tqdm

from knowledge.embedder import Embedder

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Windows waiting for the model, the one it is embedding included: one embeds while the next
# is ready, and no more are held.
MAX_WINDOWS_QUEUED = 2


def read_in_order(
    items: Iterable[T], read: Callable[[T], R], *, workers: int, ahead: int
) -> Iterator[Future[R]]:
    """`read(item)` for every item, as futures yielded in the items' order.

    `workers` threads read (0: each item is read in the caller's thread when its future is
    pulled); at most `workers + ahead` items are submitted and not yet yielded. A future's
    `result()` raises what `read` raised. Closing the iterator early (an error downstream)
    cancels what has not started and waits for the reads under way.
    """
    if workers <= 0:
        for item in items:
            done: Future[R] = Future()
            try:
                done.set_result(read(item))
            except Exception as exc:  # handed to the caller through the future, as a pool does
                done.set_exception(exc)
            yield done
        return
    source = iter(items)
    limit = workers + max(ahead, 0)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="index-read")
    submitted: deque[Future[R]] = deque()
    try:
        for item in source:
            submitted.append(pool.submit(read, item))
            if len(submitted) >= limit:
                break
        while submitted:
            yield submitted.popleft()
            for item in source:  # one in, one out: the bound holds
                submitted.append(pool.submit(read, item))
                break
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class Slots:
    """Where the vectors of one file's chunks go: row i of `vectors` once `done[i]`."""

    vectors: np.ndarray
    done: np.ndarray

    @classmethod
    def empty(cls, rows: int, dimension: int) -> Slots:
        return cls(np.zeros((rows, dimension), dtype=np.float32), np.zeros(rows, dtype=bool))


@dataclass
class _Window:
    items: list[tuple[Slots, int, str]]


@dataclass
class _State:
    windows: deque[_Window] = field(default_factory=deque)
    closing: bool = False
    aborted: bool = False
    error: BaseException | None = None


class WindowEmbedder:
    """Embeds texts on a background thread, window by window (see the module's docstring).

    `add` queues texts and blocks while `MAX_WINDOWS_QUEUED` windows wait for the model, so
    the caller — and the reads behind it — never run more than two windows ahead; `drop`
    takes back the texts of one owner not yet cut into a window; `finish` embeds the rest
    and waits. An error raised by the model is raised again by the next `add` or `finish`.
    """

    def __init__(
        self, embedder: Embedder, *, window: int, block: int, progress: bool = False
    ) -> None:
        self._embedder = embedder
        self.dimension = embedder.dimension
        self._window = window
        self._block = block
        self._pending: list[tuple[int, Slots, int, str]] = []  # (owner, slots, row, text)
        self._state = _State()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._progress = progress
        self._bar: tqdm | None = None  # shown from the first window on
        self.embedded = 0  # texts sent to the model
        self.windows = 0  # windows cut (the last, shorter one included)

    def add(self, owner: int, slots: Slots, texts: Iterable[tuple[int, str]]) -> None:
        """Queue `texts` as (row in `slots`, text); cuts a window each `window` texts."""
        self._pending.extend((owner, slots, row, text) for row, text in texts)
        while self._window > 0 and len(self._pending) >= self._window:
            cut, self._pending = self._pending[: self._window], self._pending[self._window :]
            self._submit(cut)

    def drop(self, owner: int) -> int:
        """Take back `owner`'s texts not yet cut into a window; returns how many."""
        kept = [item for item in self._pending if item[0] != owner]
        dropped = len(self._pending) - len(kept)
        self._pending = kept
        return dropped

    def finish(self) -> None:
        """Embed what is still pending and wait for every window."""
        if self._pending:
            cut, self._pending = self._pending, []
            self._submit(cut)
        self.close()
        if self._state.error is not None:
            raise self._state.error

    def close(self, *, abort: bool = False) -> None:
        """Stop the background thread: after the windows already queued, or, with `abort`
        (the build failed), after the block under way."""
        with self._changed:
            self._state.closing = True
            if abort:
                self._state.aborted = True
                self._state.windows.clear()
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._bar is not None:
            self._bar.close()

    def _submit(self, cut: list[tuple[int, Slots, int, str]]) -> None:
        # Sorted by length, arrival order among equals (a stable sort): what the batches hold
        # depends on the inputs alone.
        items = sorted(((slots, row, text) for _, slots, row, text in cut), key=lambda i: len(i[2]))
        with self._changed:
            while len(self._state.windows) >= MAX_WINDOWS_QUEUED and self._state.error is None:
                self._changed.wait()
            if self._state.error is not None:
                raise self._state.error
            self._state.windows.append(_Window(items))
            self.windows += 1
            if self._bar is None:
                self._bar = tqdm(total=0, desc="embedding", unit="chunk", position=1,
                                 disable=not self._progress)
            self._bar.total += len(items)
            self._bar.refresh()
            self._changed.notify_all()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="index-embed", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._state.windows and not self._state.closing:
                    self._changed.wait()
                if not self._state.windows:
                    return
                window = self._state.windows[0]  # stays counted as queued until embedded
            try:
                self._embed(window)
            except BaseException as exc:  # handed to the caller's thread, which raises it
                logger.debug("embedding failed", exc_info=True)
                with self._changed:
                    self._state.error = exc
                    self._state.windows.clear()
                    self._changed.notify_all()
                return
            with self._changed:
                if self._state.windows and self._state.windows[0] is window:
                    self._state.windows.popleft()
                self._changed.notify_all()

    def _embed(self, window: _Window) -> None:
        for start in range(0, len(window.items), self._block):
            if self._state.aborted:
                return
            block = window.items[start : start + self._block]
            vectors = self._embedder.embed([text for _, _, text in block], kind="passage")
            for (slots, row, _), vector in zip(block, vectors):
                slots.vectors[row] = vector
                slots.done[row] = True
            self.embedded += len(block)
            if self._bar is not None:
                self._bar.update(len(block))
