"""Search and the answer threshold with the lexicon: abbreviations both ways, everyday words,
accented and diacritic-free, on invented documents, a real seed article and the samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.build import build_store
from knowledge.answers import AnswerPolicy, answer_question
from knowledge.embedder import HashingEmbedder
from knowledge.expansion import QueryExpander
from knowledge.lexicon_files import bundled_files, load_lexicon
from knowledge.search import FusionWeights, Searcher
from knowledge.store import StoreReader
from knowledge.text import fold
from tests.conftest import MARKER

POLICY = AnswerPolicy()
SEED_BEN_LUC = "001_ff100d34c170d9b1.txt"  # Long An's propaganda year: "các NQ của Đảng"

# One document writes the abbreviations, the other the full forms.
SHORT = f"""{MARKER}
Số 07-KH/HU
KẾ HOẠCH
tuyên truyền NQ của BCH Đảng bộ huyện

I. NỘI DUNG
1. UBND các xã phối hợp với MTTQ tổ chức hội nghị phổ biến NQ đến khu dân cư trước ngày 30/6.
2. ĐTN xã thành lập đội hình thanh niên tình nguyện hỗ trợ người dân khai thác dịch vụ công trực tuyến.
"""
LONG = f"""{MARKER}
Số 09-KH/HU
KẾ HOẠCH
phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số

I. NỘI DUNG
1. Hội đồng nhân dân huyện giám sát việc hỗ trợ nhà ở cho hộ nghèo vùng đồng bào dân tộc thiểu số.
2. Ban Thường vụ Huyện ủy chỉ đạo các chi bộ thôn, bản đưa chủ trương hỗ trợ sinh kế vào sinh hoạt chi bộ.
"""


@pytest.fixture(scope="module")
def expander() -> QueryExpander:
    return QueryExpander(load_lexicon(bundled_files()))


@pytest.fixture
def store(tmp_path: Path, write_knowledge, hashing_embedder: HashingEmbedder) -> Path:  # type: ignore[no-untyped-def]
    folder = write_knowledge(tmp_path / "docs", {"kh-07.txt": SHORT, "kh-09.txt": LONG})
    build_store([folder], tmp_path / "store", hashing_embedder)
    return tmp_path / "store"


def searchers(store: Path, embedder: HashingEmbedder, expander: QueryExpander) -> tuple[Searcher, Searcher]:
    reader = StoreReader(store)
    return Searcher(reader, embedder), Searcher(reader, embedder, expander=expander)


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        # full forms asked, the document writes the abbreviations
        ("Ủy ban nhân dân các xã phối hợp với Mặt trận Tổ quốc làm gì?", "kh-07.txt"),
        ("Đoàn Thanh niên xã hỗ trợ người dân việc gì?", "kh-07.txt"),
        # abbreviations asked, the document writes the full forms
        ("HĐND huyện giám sát việc gì?", "kh-09.txt"),
        ("BTV HU chỉ đạo chi bộ thôn đưa gì vào sinh hoạt?", "kh-09.txt"),
        ("phát triển KT-XH vùng đồng bào dân tộc thiểu số", "kh-09.txt"),
    ],
)
def test_abbreviations_and_full_forms_meet_in_search_and_threshold(
    store: Path, hashing_embedder: HashingEmbedder, expander: QueryExpander,
    question: str, doc_id: str,
) -> None:
    plain, expanded = searchers(store, hashing_embedder, expander)
    for asked in (question, fold(question)):
        answer = answer_question(expanded, asked, POLICY)
        assert answer.answered, asked
        assert answer.citations[0].doc_id == doc_id
        top = expanded.search(asked, k=1)[0]
        assert top.coverage >= POLICY.min_coverage
        # without the lexicon the same passage holds too few of the question's words
        before = [h for h in plain.search(asked, k=5) if h.row == top.row]
        assert not before or before[0].coverage < top.coverage


def test_expansion_weights_of_zero_turn_a_kind_off(
    store: Path, hashing_embedder: HashingEmbedder, expander: QueryExpander
) -> None:
    question = "UBND xã và HĐND huyện làm gì?"  # each document holds one of the two

    def ranking(weights: FusionWeights, with_lexicon: bool = True) -> list[tuple[str, float]]:
        searcher = Searcher(StoreReader(store), hashing_embedder, weights,
                            expander=expander if with_lexicon else None)
        return [(h.doc.doc_id, round(h.score, 6)) for h in searcher.search(question, k=4, mode="lexical")]

    plain = ranking(FusionWeights(), with_lexicon=False)
    assert ranking(FusionWeights(abbreviations=0.0)) == plain
    on = ranking(FusionWeights(abbreviations=1.0))
    assert on != plain
    # the full forms found through "HĐND" lift the document that only writes them out
    def best(ranked: list[tuple[str, float]], doc_id: str) -> float:
        return max((score for d, score in ranked if d == doc_id), default=0.0)

    assert best(on, "kh-09.txt") > best(plain, "kh-09.txt")


@pytest.fixture
def seed_store(tmp_path: Path, seeds_dir: Path, hashing_embedder: HashingEmbedder) -> Path:
    build_store([seeds_dir / SEED_BEN_LUC], tmp_path / "seed-store", hashing_embedder)
    return tmp_path / "seed-store"


def test_a_question_saying_nghi_quyet_finds_a_report_writing_nq(
    seed_store: Path, hashing_embedder: HashingEmbedder, expander: QueryExpander
) -> None:
    # The example: refused before, because the article only writes "NQ".
    plain, expanded = searchers(seed_store, hashing_embedder, expander)
    question = "Huyện Bến Lức đăng nghị quyết trên những kênh nào?"
    for asked in (question, fold(question)):
        assert not answer_question(plain, asked, POLICY).answered
        answer = answer_question(expanded, asked, POLICY)
        assert answer.answered
        assert "Facebook Bến Lức Anh hùng và Zalo Thông tin huyện Bến Lức" in answer.passages[0].excerpt


@pytest.fixture(scope="module")
def samples_store(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> Path:
    store = tmp_path_factory.mktemp("samples") / "store"
    build_store([samples_dir / "documents"], store, HashingEmbedder())
    return store


@pytest.mark.parametrize(
    ("question", "doc_id", "quoted"),
    [
        # refused before though the samples answer them (issue 12)
        ("bao giờ phải nộp báo cáo", "quy-dinh-45-QD-TU-che-do-bao-cao.docx",
         "Báo cáo tháng | Từ ngày 15 tháng trước đến ngày 14 tháng báo cáo | Trước ngày 18 hằng tháng"),
        ("đảng viên phải làm gì trên nhóm zalo chi bộ", "ke-hoach-35-KH-BTGHU-quan-triet-chi-thi-12.txt",
         "đảng viên xác nhận đã đọc, đã quán triệt trên nhóm"),
    ],
)
def test_everyday_questions_the_samples_answer(
    samples_store: Path, expander: QueryExpander, question: str, doc_id: str, quoted: str
) -> None:
    embedder = HashingEmbedder()
    plain, expanded = searchers(samples_store, embedder, expander)
    for asked in (question, fold(question)):
        assert not answer_question(plain, asked, POLICY).answered
        answer = answer_question(expanded, asked, POLICY)
        assert answer.answered and answer.citations[0].doc_id == doc_id
        assert quoted in answer.passages[0].excerpt


@pytest.mark.parametrize(
    "question",
    ["Cách nấu phở bò ngon?", "giá vàng hôm nay", "lịch thi đấu bóng đá tối nay",
     "cach lam banh chung ngay tet", "thời tiết Hà Nội ngày mai"],
)
def test_expansion_does_not_answer_out_of_domain_questions(
    samples_store: Path, expander: QueryExpander, question: str
) -> None:
    _, expanded = searchers(samples_store, HashingEmbedder(), expander)
    for asked in (question, fold(question)):
        assert not answer_question(expanded, asked, POLICY).answered
