"""Query embeddings for a serving process: concurrent questions share one model call, and a
question asked again is not embedded again.

Why: encoding one short query costs ~15–20 ms of one core on all-MiniLM-L6-v2, most of it
fixed per call (tokenisation, Python and torch dispatch for every layer); eight queries in one
call cost little more than two. Under load (a cell asking about the guidance it just got)
questions arrive together and repeat, so batching and a small LRU cache lift the answers per
second the bot can give on a small machine (bench/qa_load.py measures both).

How: callers are worker threads (`asyncio.to_thread`). There is no batching thread and no
timer: the first caller to find the model idle becomes the *leader*, takes up to `max_batch`
of the oldest waiting texts, encodes them in one call and hands each caller its row; waiting
callers sleep on a condition until their rows arrive or the model is free for one of them to
lead the next batch. An idle bot therefore answers a lone question with no added wait, and a
busy one forms batches of whatever queued up during the previous call.

Only `kind="query"` goes through the batcher and the cache; passage embedding (indexing) is
passed straight to the wrapped embedder.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from knowledge.embedder import Embedder, Kind


@dataclass
class _Request:
    text: str
    vector: np.ndarray | None = None
    error: BaseException | None = None
    done: bool = False


@dataclass
class BatchStats:
    """Counters for benchmarks and logs (read without the lock: approximate is fine)."""

    calls: int = 0  # model calls made for queries
    texts: int = 0  # texts those calls encoded
    cache_hits: int = 0
    sizes: list[int] = field(default_factory=list)  # batch sizes, most recent last (bounded)


class QueryBatcher:
    """An `Embedder` that batches concurrent query embeddings and caches recent ones."""

    def __init__(self, inner: Embedder, *, max_batch: int = 32, cache_size: int = 2048) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.max_tokens = inner.max_tokens
        self.max_batch = max_batch
        self.cache_size = max(0, cache_size)
        self.stats = BatchStats()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._waiting: list[_Request] = []
        self._leading = False
        self._changed = threading.Condition()

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def embed(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        if kind != "query":
            return self.inner.embed(texts, kind=kind)
        rows: list[np.ndarray | None] = [None] * len(texts)
        mine: dict[str, _Request] = {}
        with self._changed:
            for i, text in enumerate(texts):
                cached = self._cache.get(text)
                if cached is not None:
                    self._cache.move_to_end(text)
                    self.stats.cache_hits += 1
                    rows[i] = cached
                elif text not in mine:
                    mine[text] = _Request(text)
            self._waiting.extend(mine.values())
            self._serve_until_done(list(mine.values()))
        for i, text in enumerate(texts):
            if rows[i] is None:
                request = mine[text]
                if request.error is not None:
                    raise request.error
                rows[i] = request.vector
        if not rows:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack(rows).astype(np.float32, copy=False)  # type: ignore[arg-type]

    def _serve_until_done(self, requests: list[_Request]) -> None:
        """Wait (holding `_changed` between waits) until every request is done, leading
        batches whenever the model is free."""
        while not all(r.done for r in requests):
            if self._leading:
                self._changed.wait()
                continue
            batch = self._waiting[: self.max_batch]
            del self._waiting[: self.max_batch]
            self._leading = True
            self._changed.release()
            try:
                self._encode(batch)
            finally:
                self._changed.acquire()
                self._leading = False
                for request in batch:
                    request.done = True
                    if request.vector is not None:
                        self._remember(request.text, request.vector)
                self._changed.notify_all()

    def _encode(self, batch: list[_Request]) -> None:
        # Runs without the lock: other callers keep queueing (and hitting the cache).
        try:
            vectors = self.inner.embed([r.text for r in batch], kind="query")
        except BaseException as exc:  # each waiting caller re-raises it in its own thread
            for request in batch:
                request.error = exc
            return
        for request, vector in zip(batch, vectors):
            vector = np.array(vector, dtype=np.float32)
            vector.flags.writeable = False
            request.vector = vector
        self.stats.calls += 1
        self.stats.texts += len(batch)
        self.stats.sizes.append(len(batch))
        if len(self.stats.sizes) > 10_000:
            del self.stats.sizes[:5_000]

    def _remember(self, text: str, vector: np.ndarray) -> None:
        if not self.cache_size:
            return
        self._cache[text] = vector
        self._cache.move_to_end(text)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
