"""The pipeline's parts on their own: reads handed back in order with a bounded read-ahead,
and windows of texts embedded by count in arrival order, whatever the timing."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

import numpy as np
import pytest

from indexer.pipeline import MAX_WINDOWS_QUEUED, Slots, WindowEmbedder, read_in_order
from knowledge.embedder import HashingEmbedder

WAIT_S = 10.0  # a bound on waits for other threads; passing runs never come near it


def test_reads_come_back_in_order_though_they_finish_backwards() -> None:
    items = list(range(6))
    finished: list[int] = []
    done = {i: threading.Event() for i in items}

    def read(i: int) -> str:
        # Each read waits for the next one to finish: the last finishes first.
        if i + 1 in done and not done[i + 1].wait(WAIT_S):
            raise TimeoutError(f"read {i + 1} never finished")
        finished.append(i)
        done[i].set()
        return f"file {i}"

    results = [f.result() for f in read_in_order(items, read, workers=len(items), ahead=0)]

    assert results == [f"file {i}" for i in items]
    assert finished == items[::-1]


def test_at_most_workers_plus_ahead_files_are_taken_before_their_turn() -> None:
    taken: list[int] = []

    def files() -> Iterator[int]:
        for i in range(20):
            taken.append(i)
            yield i

    futures = read_in_order(files(), lambda i: i * 10, workers=2, ahead=3)
    try:
        assert next(futures).result() == 0
        assert len(taken) == 5  # 2 reading + 3 ahead, though 20 are there
        assert next(futures).result() == 10
        assert len(taken) == 6  # one handed back, one more taken
        assert [f.result() for f in futures] == [i * 10 for i in range(2, 20)]
    finally:
        futures.close()


def test_a_failed_read_is_raised_by_its_own_future_only() -> None:
    def read(i: int) -> int:
        if i == 2:
            raise ValueError("damaged")
        return i

    for workers in (0, 3):
        outcomes = []
        for future in read_in_order(range(5), read, workers=workers, ahead=1):
            try:
                outcomes.append(future.result())
            except ValueError as exc:
                outcomes.append(str(exc))
        assert outcomes == [0, 1, "damaged", 3, 4]


def test_without_workers_a_file_is_read_only_when_its_turn_comes() -> None:
    read: list[int] = []
    futures = read_in_order(range(3), lambda i: read.append(i) or i, workers=0, ahead=5)
    assert read == []
    assert next(futures).result() == 0 and read == [0]
    futures.close()
    assert read == [0]


class RecordingEmbedder(HashingEmbedder):
    """The hashing embedder, recording the texts of each call."""

    def __init__(self) -> None:
        super().__init__(dimension=8)
        self.batches: list[list[str]] = []

    def embed(self, texts: Sequence[str], *, kind: str) -> np.ndarray:
        self.batches.append(list(texts))
        return super().embed(texts, kind=kind)


def words(n: int, tag: str) -> str:
    return " ".join([tag] * n)


def test_windows_are_cut_by_count_in_arrival_order_and_sorted_by_length() -> None:
    model = RecordingEmbedder()
    embedding = WindowEmbedder(model, window=4, block=3)
    first, second = Slots.empty(3, 8), Slots.empty(3, 8)
    # lengths 5, 1, 3 | 4, 2, 6: the first window takes the first four texts, whatever
    # their lengths; the last two wait for finish().
    embedding.add(0, first, [(0, words(5, "a")), (1, words(1, "b")), (2, words(3, "c"))])
    embedding.add(1, second, [(0, words(4, "d")), (1, words(2, "e")), (2, words(6, "f"))])
    embedding.finish()

    assert model.batches == [
        [words(1, "b"), words(3, "c"), words(4, "d")],  # window 1 sorted, in blocks of 3
        [words(5, "a")],
        [words(2, "e"), words(6, "f")],  # window 2: the rest
    ]
    assert embedding.embedded == 6 and embedding.windows == 2
    assert first.done.all() and second.done.all()
    expected = HashingEmbedder(dimension=8).embed([words(6, "f")], kind="passage")[0]
    assert np.array_equal(second.vectors[2], expected)


def test_window_zero_embeds_everything_at_the_end_sorted_at_once() -> None:
    model = RecordingEmbedder()
    embedding = WindowEmbedder(model, window=0, block=10)
    slots = Slots.empty(4, 8)
    embedding.add(0, slots, [(i, words(n, "x")) for i, n in enumerate((4, 1, 3, 2))])
    assert model.batches == []
    embedding.finish()
    assert model.batches == [[words(n, "x") for n in (1, 2, 3, 4)]]


def test_a_dropped_owner_loses_only_texts_not_yet_cut() -> None:
    model = RecordingEmbedder()
    embedding = WindowEmbedder(model, window=3, block=10)
    copy, original = Slots.empty(4, 8), Slots.empty(1, 8)
    embedding.add(7, copy, [(i, words(i + 1, "c")) for i in range(4)])  # 3 cut, 1 pending
    assert embedding.drop(7) == 1
    embedding.add(8, original, [(0, words(1, "o"))])
    embedding.finish()
    embedded = [t for batch in model.batches for t in batch]
    assert sorted(embedded) == sorted([words(1, "c"), words(2, "c"), words(3, "c"), words(1, "o")])
    assert copy.done.tolist() == [True, True, True, False]


class FailingEmbedder(HashingEmbedder):
    def __init__(self, fail_on_call: int) -> None:
        super().__init__(dimension=8)
        self.fail_on_call = fail_on_call
        self.n = 0

    def embed(self, texts: Sequence[str], *, kind: str) -> np.ndarray:
        self.n += 1
        if self.n == self.fail_on_call:
            raise RuntimeError("model failed")
        return super().embed(texts, kind=kind)


def test_a_model_error_reaches_the_caller_and_stops_the_thread() -> None:
    embedding = WindowEmbedder(FailingEmbedder(fail_on_call=1), window=1, block=1)
    slots = Slots.empty(2 * MAX_WINDOWS_QUEUED + 3, 8)
    with pytest.raises(RuntimeError, match="model failed"):
        # More windows than may queue: an add() waiting for room must not wait forever.
        for row in range(len(slots.done)):
            embedding.add(0, slots, [(row, f"văn bản {row}")])
        embedding.finish()
    embedding.close(abort=True)
    assert not [t for t in threading.enumerate() if t.name == "index-embed"]
