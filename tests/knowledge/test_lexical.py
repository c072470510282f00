"""The lexical index computed from term counts is bm25s's own, bit for bit.

Reference: `bm25s.BM25.index()` over the same tokens with the same parameters. Ours is
written to disk in bm25s's format and read back with `bm25s.BM25.load`, as the store does.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from knowledge.lexical import LexicalIndex
from knowledge.term_counts import TermCounts, assemble
from knowledge.text import lexical_terms, normalize
from tests.knowledge.bm25_reference import assert_same_index, reference, saved_and_loaded

TEXTS = [normalize(t) for t in [
    "Chỉ thị 05-CT/TW về tăng cường công tác tuyên truyền phòng, chống thiên tai ở cơ sở.",
    "Các chi bộ đưa nội dung phòng, chống thiên tai vào sinh hoạt chi bộ ít nhất mỗi quý một lần.",
    "Phát huy hệ thống loa truyền thanh cơ sở và nhóm Zalo của khu dân cư để phát cảnh báo bão lũ.",
    "Mỗi thôn, bản có một tổ xung kích phòng, chống thiên tai được tập huấn hằng năm.",
    "Nghị quyết 57-NQ/TW về phát triển thư viện số và văn hóa đọc ở cơ sở; thư viện số, "
    "thư viện số, thư viện số ở mọi xã.",
    "Đảng viên gương mẫu tham gia sơ tán người dân khỏi vùng nguy hiểm.",
    "Ban Tuyên giáo Trung ương chủ trì hướng dẫn, theo dõi việc thực hiện Chỉ thị.",
    "—",  # a chunk with no terms at all still counts as a document of length 0
    "Học tập, quán triệt nghị quyết: sinh hoạt chi bộ chuyên đề hằng tháng.",
]]
NEW_TEXTS = [normalize(t) for t in [
    "Kế hoạch 25-KH/BTGTU tổ chức hội nghị học tập, quán triệt nghị quyết ở cơ sở.",
    "Các tỉnh ủy báo cáo kết quả thực hiện trước ngày 15 tháng 12 hằng năm.",
    "Phát huy hệ thống loa truyền thanh cơ sở và nhóm Zalo của khu dân cư để phát cảnh báo bão lũ.",
]]

def test_term_counts_are_the_chunk_terms_counted() -> None:
    counts = TermCounts.from_texts(TEXTS)
    assert counts.n_chunks == len(TEXTS)
    for row, text in enumerate(TEXTS):
        assert counts.terms_of(row) == Counter(lexical_terms(text, folded=True))
    assert counts.terms_of(4)["thu_vien"] == 4 and counts.terms_of(7) == {}


def test_fresh_index_is_bm25s_own(tmp_path: Path) -> None:
    ours = saved_and_loaded(TermCounts.from_texts(TEXTS), tmp_path / "fresh")
    assert_same_index(ours, reference(TEXTS))


def test_incremental_index_is_bm25s_own_for_the_new_chunk_list(tmp_path: Path) -> None:
    first = tmp_path / "v1"
    first.mkdir()
    LexicalIndex.from_counts(TermCounts.from_texts(TEXTS)).save(first)
    previous = LexicalIndex.load(first).term_counts()
    assert previous is not None and previous.n_chunks == len(TEXTS)

    # The new version drops chunks 1 and 5 (their own terms must leave the vocabulary),
    # reorders the rest, and adds new chunks in between.
    kept = [8, 0, 2, 3, 4, 6, 7]
    sources = np.array([kept[0], -1, *kept[1:4], -1, -1, *kept[4:]])
    final = [TEXTS[kept[0]], NEW_TEXTS[0], *(TEXTS[i] for i in kept[1:4]), NEW_TEXTS[1],
             NEW_TEXTS[2], *(TEXTS[i] for i in kept[4:])]
    counts = assemble(previous, sources, NEW_TEXTS)

    assert counts.n_chunks == len(final)
    assert "so_tan" not in set(counts.vocabulary)  # only chunk 5 had it
    for row, text in enumerate(final):
        assert counts.terms_of(row) == Counter(lexical_terms(text, folded=True))
    assert_same_index(saved_and_loaded(counts, tmp_path / "v2"), reference(final))

    # and once more from the incremental version's own saved counts
    again = LexicalIndex.load(tmp_path / "v2").term_counts()
    assert again is not None
    third = assemble(again, np.array([3, -1, 0]), [TEXTS[5]])
    assert_same_index(saved_and_loaded(third, tmp_path / "v3"),
                      reference([final[3], TEXTS[5], final[0]]))


def test_assemble_rejects_rows_that_do_not_line_up() -> None:
    counts = TermCounts.from_texts(TEXTS[:2])
    with pytest.raises(ValueError):
        assemble(counts, np.array([0, -1]), [])
    with pytest.raises(ValueError):
        assemble(None, np.array([0]), [])


def test_empty_index_searches_nothing(tmp_path: Path) -> None:
    LexicalIndex.from_counts(TermCounts.from_texts([])).save(tmp_path)
    index = LexicalIndex.load(tmp_path)
    assert index.size == 0
    assert len(index.scores("chi bộ")) == 0
    counts = index.term_counts()
    assert counts is not None and counts.n_chunks == 0


def test_version_without_saved_counts_gives_none(tmp_path: Path) -> None:
    LexicalIndex.from_counts(TermCounts.from_texts(TEXTS)).save(tmp_path)
    (tmp_path / "term_counts.npy").unlink()
    index = LexicalIndex.load(tmp_path)
    assert index.term_counts() is None
    assert index.size == len(TEXTS)  # the index itself still loads and searches
    assert index.scores("thiên tai").argmax() in (0, 1, 3)
