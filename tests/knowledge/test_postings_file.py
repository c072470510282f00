"""BM25 over postings read from disk with pread (a serving store) scores exactly as bm25s
does over the same index held in memory, and reads only the query's posting lists."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from knowledge.lexical import LexicalIndex
from knowledge.postings_file import PostingsFile
from knowledge.text import lexical_terms, normalize

WORDS = ("đảng viên chi bộ sinh hoạt nghị quyết quán triệt báo cáo tuyên giáo học tập "
         "chuyển đổi số kế hoạch thời hạn huyện ủy tỉnh ủy kiểm tra giám sát kỷ luật").split()


def _texts(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [normalize(" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40))))
            for _ in range(n)]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lexical")
    LexicalIndex.build(_texts(600)).save(folder)
    return folder


def test_scores_from_disk_equal_bm25s_in_memory(saved: Path) -> None:
    in_memory = LexicalIndex.load(saved, mmap=False)
    on_disk = LexicalIndex.load(saved, mmap=True)
    assert isinstance(on_disk._folded._data, PostingsFile)  # the pread path is the one tested
    rng = random.Random(11)
    queries = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 8))) for _ in range(60)]
    queries += ["đảng viên đảng viên", "không có trong chỉ mục", "chi bo sinh hoat"]
    for query in queries:
        q = normalize(query)
        np.testing.assert_array_equal(on_disk.scores(q), in_memory.scores(q))
        terms = lexical_terms(q, folded=True)
        rows = np.arange(0, 600, 7)
        for term in terms:
            np.testing.assert_array_equal(on_disk._folded.contains(term, rows),
                                          in_memory._folded.contains(term, rows))


def test_term_counts_are_read_back_whole_from_disk(saved: Path) -> None:
    from_disk = LexicalIndex.load(saved, mmap=True).term_counts()
    from_memory = LexicalIndex.load(saved, mmap=False).term_counts()
    assert from_disk is not None and from_memory is not None
    assert (from_disk.matrix != from_memory.matrix).nnz == 0
    assert list(from_disk.vocabulary) == list(from_memory.vocabulary)


def test_a_slice_reads_exactly_those_elements(tmp_path: Path) -> None:
    values = np.arange(1000, dtype=np.int32) * 3
    np.save(tmp_path / "a.npy", values)
    postings = PostingsFile(np.load(tmp_path / "a.npy", mmap_mode="r"))
    assert len(postings) == 1000
    np.testing.assert_array_equal(postings[10:20], values[10:20])
    np.testing.assert_array_equal(postings[995:2000], values[995:])
    assert postings[5:5].size == 0 and postings[5:5].dtype == np.int32
    np.testing.assert_array_equal(postings.read_all(), values)
    np.testing.assert_array_equal(postings.gather([(3, 6), (0, 0), (990, 1000), (3, 4)]),
                                  np.concatenate([values[3:6], values[990:], values[3:4]]))
    with pytest.raises(TypeError):
        postings[1:10:2]
