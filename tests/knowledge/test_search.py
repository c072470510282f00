"""Hybrid search over a store built from the sample knowledge folder (hashing embedder)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from indexer.build import build_store
from knowledge.embedder import HashingEmbedder, SentenceTransformerEmbedder
from knowledge.passages import indexed_text
from knowledge.search import MODES, NUMBER_BOOST, Searcher
from knowledge.store import StoreReader
from knowledge.text import fold

CT05 = "chi-thi-05-CT-TW.txt"
NQ57 = "nghi-quyet-57-NQ-TW.txt"
KL01 = "ket-luan-01-KL-TU.txt"


@pytest.fixture
def searcher(knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder) -> Searcher:
    report = build_store([knowledge_dir], tmp_path / "store", hashing_embedder)
    assert report.version is not None
    return Searcher(StoreReader(tmp_path / "store"), hashing_embedder)


@pytest.mark.parametrize(
    ("query", "doc_id"),
    [
        ("chỉ thị 05", CT05),
        ("CT 05", CT05),
        ("ct05", CT05),
        ("05/CT-TW", CT05),
        ("chi thi so 05-CT/TW", CT05),
        ("NQ57", NQ57),
        ("nghi quyet 57", NQ57),
        ("57-NQ/TW", NQ57),
        ("Nghị quyết số 57-NQ/TW", NQ57),
        ("kết luận 01", KL01),
    ],
)
def test_number_lookup_puts_the_named_document_first(
    searcher: Searcher, query: str, doc_id: str
) -> None:
    hits = searcher.search(query, k=10)
    assert hits, query
    named = [h for h in hits if h.named]
    assert named and {h.doc.doc_id for h in named} == {doc_id}
    # every passage of the named document ranks above every other passage
    first_other = next((i for i, h in enumerate(hits) if not h.named), len(hits))
    assert all(h.named for h in hits[:first_other])
    assert all(not h.named for h in hits[first_other:])
    assert hits[0].doc.doc_id == doc_id and hits[0].named
    assert hits[0].score >= NUMBER_BOOST


@pytest.mark.parametrize(
    ("number", "words", "named_doc", "closer_doc"),
    [
        # the words are Nghị quyết 57's (thư viện số, văn hóa đọc), the number is Chỉ thị 05's
        ("chỉ thị 05", "nói gì về thư viện số và văn hóa đọc", CT05, NQ57),
        ("NQ57", "phòng chống thiên tai, tổ xung kích", NQ57, CT05),
        ("ct05", "cộng tác viên dư luận xã hội", CT05, KL01),
    ],
)
def test_named_document_wins_over_a_lexically_closer_one(
    searcher: Searcher, number: str, words: str, named_doc: str, closer_doc: str
) -> None:
    # without the number, the other document is the better match
    assert searcher.search(words, k=1)[0].doc.doc_id == closer_doc
    hits = searcher.search(f"{number} {words}", k=5, distinct_docs=True)
    assert hits[0].doc.doc_id == named_doc and hits[0].named
    assert [h.doc.doc_id for h in hits].index(closer_doc) > 0


@pytest.mark.parametrize(
    "accented",
    [
        "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?",
        "số hóa tài liệu lịch sử Đảng bộ địa phương",
        "báo cáo dư luận xã hội hằng tháng gửi Ban Tuyên giáo",
    ],
)
def test_accented_and_unaccented_queries_find_the_same_passage(
    searcher: Searcher, accented: str
) -> None:
    plain = fold(accented)
    assert plain != accented.lower()
    with_marks = searcher.search(accented, k=3)
    without = searcher.search(plain, k=3)
    assert with_marks and without
    assert with_marks[0].row == without[0].row
    assert without[0].coverage == pytest.approx(with_marks[0].coverage)


def test_filters_by_document_type_and_year(searcher: Searcher) -> None:
    query = "chi bộ"
    everything = {h.doc.doc_id for h in searcher.search(query, k=50)}
    assert everything == {CT05, NQ57, KL01}

    for doc_type in ("Kết luận", "ket luan", "KẾT LUẬN"):
        hits = searcher.search(query, k=50, doc_type=doc_type)
        assert hits and {h.doc.doc_id for h in hits} == {KL01}
    assert {h.doc.doc_id for h in searcher.search(query, k=50, year=2024)} == {NQ57}
    assert {h.doc.doc_id for h in searcher.search(query, k=50, year=2016)} == {CT05}
    assert searcher.search(query, k=50, doc_type="Chỉ thị", year=2024) == []
    assert searcher.search(query, k=50, year=1999) == []
    # a filter also holds against a named document
    assert all(h.doc.doc_id == KL01 for h in searcher.search("chỉ thị 05", k=50, doc_type="Kết luận"))


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_returns_results(searcher: Searcher, mode: str) -> None:
    hits = searcher.search("thư viện số văn hóa đọc", k=3, mode=mode)  # type: ignore[arg-type]
    assert 0 < len(hits) <= 3
    assert hits[0].doc.doc_id == NQ57
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    if mode == "lexical":
        assert all(h.similarity == 0 for h in hits)
    else:
        assert hits[0].similarity > 0


def test_lexical_search_needs_no_embedder(searcher: Searcher) -> None:
    lexical_only = Searcher(searcher.reader, None)
    hits = lexical_only.search("tổ xung kích", k=3)
    assert hits and hits[0].doc.doc_id == CT05
    assert all(h.similarity == 0 for h in hits)


def test_distinct_docs_gives_one_passage_per_document(searcher: Searcher) -> None:
    hits = searcher.search("chi bộ", k=10, distinct_docs=True)
    ids = [h.doc.doc_id for h in hits]
    assert len(ids) == len(set(ids)) == 3


@pytest.mark.parametrize("query", ["", "   ", "\n\t ", "\u200b\u200b", "\u00a0"])
def test_empty_query_returns_nothing(searcher: Searcher, query: str) -> None:
    assert searcher.search(query) == []


def test_k_zero_returns_nothing(searcher: Searcher) -> None:
    assert searcher.search("thư viện số", k=0) == []


@pytest.mark.parametrize(
    "query",
    [
        unicodedata.normalize("NFD", "thư viện số văn hóa đọc"),
        "th\u200bư vi\u200cện s\ufeffố văn hoá đọc",  # zero-width characters, other tone placement
        "📚 thư viện số 📱 văn hóa đọc?!",
        "thư\u00a0viện\u2003số\r\nvăn hóa đọc",
        "THƯ VIỆN SỐ VĂN HÓA ĐỌC",
    ],
)
def test_odd_unicode_queries_work(searcher: Searcher, query: str) -> None:
    reference = searcher.search("thư viện số văn hóa đọc", k=3)
    hits = searcher.search(query, k=3)
    assert hits and hits[0].doc.doc_id == NQ57
    assert hits[0].row == reference[0].row


def test_emoji_only_query_returns_nothing(searcher: Searcher) -> None:
    assert searcher.search("🙂🙂🙂") == []


def test_unknown_words_return_nothing(searcher: Searcher) -> None:
    lexical_only = Searcher(searcher.reader, None)
    assert lexical_only.search("xyzzyq plughwq") == []


def test_search_without_a_store_returns_nothing(tmp_path: Path) -> None:
    assert Searcher(StoreReader(tmp_path / "none"), HashingEmbedder()).search("thư viện số") == []


def test_query_embedder_of_another_model_leaves_dense_search_off(
    knowledge_dir: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    build_store([knowledge_dir], store, HashingEmbedder(dimension=32))
    other = HashingEmbedder(dimension=64)
    searcher = Searcher(StoreReader(store), other)
    hits = searcher.search("thư viện số văn hóa đọc", k=3)
    assert hits and hits[0].doc.doc_id == NQ57
    assert all(h.similarity == 0 for h in hits)
    assert other.calls == 0  # the query is not even embedded with a model the store lacks
    assert searcher.search("thư viện số", k=3, mode="dense") == []


@pytest.mark.model
def test_dense_search_with_the_real_model(
    knowledge_dir: Path, tmp_path: Path, real_embedder: SentenceTransformerEmbedder
) -> None:
    store = tmp_path / "store"
    report = build_store([knowledge_dir], store, real_embedder)
    assert report.embedded == report.chunks > 0
    version = StoreReader(store).current()
    assert version is not None and version.vectors.d == real_embedder.dimension == 384
    searcher = Searcher(StoreReader(store), real_embedder)
    # a stored passage's own text, as embedded, finds that passage with cosine ~1
    row = next(i for i, c in enumerate(version.chunks) if "thư viện số dùng chung" in c.text)
    own_text = indexed_text(version.chunk_docs[row], version.chunks[row])
    hits = searcher.search(own_text, k=3, mode="dense")
    assert hits[0].row == row and hits[0].doc.doc_id == NQ57
    assert hits[0].similarity == pytest.approx(1.0, abs=1e-3)
    assert hits[1].similarity < hits[0].similarity
    # hybrid with the real model: an unaccented question still lands on the right document
    hybrid = searcher.search("so hoa tai lieu lich su, thu vien so dung chung", k=3)
    assert hybrid[0].doc.doc_id == NQ57 and hybrid[0].similarity > 0
