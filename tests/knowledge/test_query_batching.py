"""QueryBatcher: concurrent queries share model calls, repeats come from the cache, and
what callers get is exactly what the wrapped embedder gives."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import numpy as np
import pytest

from knowledge.embedder import HashingEmbedder, Kind
from knowledge.query_batching import QueryBatcher

WAIT = 10.0


class GatedEmbedder(HashingEmbedder):
    """The real hashing embedder, but each call waits for the test to open a gate: lets a
    test hold the model busy while other queries queue up. Records each call's texts."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.batches: list[list[str]] = []
        self.fail_next = False

    def embed(self, texts: Sequence[str], *, kind: Kind) -> np.ndarray:
        self.batches.append(list(texts))
        self.entered.set()
        assert self.gate.wait(WAIT), "test never opened the gate"
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("model exploded")
        return super().embed(texts, kind=kind)


def wait_until(condition, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.001)


def run_in_threads(batcher: QueryBatcher, texts: list[str]) -> tuple[list, list[threading.Thread]]:
    results: list = [None] * len(texts)

    def ask(i: int) -> None:
        try:
            results[i] = batcher.embed([texts[i]], kind="query")
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[i] = exc

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(texts))]
    return results, threads


def test_queries_waiting_while_the_model_is_busy_share_the_next_call() -> None:
    inner = GatedEmbedder()
    batcher = QueryBatcher(inner, max_batch=32, cache_size=0)
    texts = ["chỉ thị 05", "nghị quyết 57", "chuyển đổi số", "học tập", "báo cáo"]
    results, threads = run_in_threads(batcher, texts)
    threads[0].start()
    assert inner.entered.wait(WAIT)
    for thread in threads[1:]:
        thread.start()
    wait_until(lambda: len(batcher._waiting) == 4)
    inner.gate.set()
    for thread in threads:
        thread.join(WAIT)
    assert inner.batches == [[texts[0]], texts[1:]]
    reference = HashingEmbedder()
    for text, got in zip(texts, results):
        assert isinstance(got, np.ndarray) and got.shape == (1, reference.dimension)
        np.testing.assert_array_equal(got[0], reference.embed([text], kind="query")[0])


def test_a_batch_never_exceeds_max_batch() -> None:
    inner = GatedEmbedder()
    batcher = QueryBatcher(inner, max_batch=2, cache_size=0)
    texts = [f"câu hỏi số {i}" for i in range(6)]
    results, threads = run_in_threads(batcher, texts)
    threads[0].start()
    assert inner.entered.wait(WAIT)
    for thread in threads[1:]:
        thread.start()
    wait_until(lambda: len(batcher._waiting) == 5)
    inner.gate.set()
    for thread in threads:
        thread.join(WAIT)
    assert [len(b) for b in inner.batches] == [1, 2, 2, 1]
    assert sorted(t for b in inner.batches for t in b) == sorted(texts)
    assert all(isinstance(r, np.ndarray) for r in results)


def test_a_repeated_query_comes_from_the_cache_and_passages_are_never_cached() -> None:
    inner = HashingEmbedder()
    batcher = QueryBatcher(inner, cache_size=2)
    first = batcher.embed(["đảng viên học bù", "đảng viên học bù"], kind="query")
    assert inner.calls == 1  # the duplicate inside one call is embedded once
    again = batcher.embed(["đảng viên học bù"], kind="query")
    assert inner.calls == 1 and batcher.stats.cache_hits == 1
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[0], first[1])
    batcher.embed(["a b"], kind="query")
    batcher.embed(["c d"], kind="query")  # evicts the least recently used entry
    batcher.embed(["đảng viên học bù"], kind="query")
    assert inner.calls == 4
    batcher.embed(["đoạn văn"], kind="passage")
    batcher.embed(["đoạn văn"], kind="passage")
    assert inner.calls == 6


def test_a_failing_model_call_reaches_every_caller_in_it_and_the_batcher_recovers() -> None:
    inner = GatedEmbedder()
    batcher = QueryBatcher(inner, cache_size=0)
    texts = ["một", "hai", "ba"]
    results, threads = run_in_threads(batcher, texts)
    threads[0].start()
    assert inner.entered.wait(WAIT)
    for thread in threads[1:]:
        thread.start()
    wait_until(lambda: len(batcher._waiting) == 2)
    inner.fail_next = True  # the first call fails; the queued pair goes in the next one
    inner.gate.set()
    for thread in threads:
        thread.join(WAIT)
    assert isinstance(results[0], RuntimeError)
    assert all(isinstance(r, np.ndarray) for r in results[1:])
    assert batcher.embed(["một"], kind="query").shape == (1, inner.dimension)


def test_empty_input_gives_an_empty_matrix() -> None:
    batcher = QueryBatcher(HashingEmbedder())
    assert batcher.embed([], kind="query").shape == (0, 64)
    with pytest.raises(ValueError):
        QueryBatcher(HashingEmbedder(), max_batch=0)
