"""Extractive answers with citations, refusals, and excerpts, on a store built in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.build import build_store
from knowledge import phrasing as messages
from knowledge.answers import Answer, AnswerPolicy, answer_question, compose_answer, excerpt, split_sentences
from knowledge.embedder import HashingEmbedder
from knowledge.search import Searcher
from knowledge.store import StoreReader

CT05 = "chi-thi-05-CT-TW.txt"
NQ57 = "nghi-quyet-57-NQ-TW.txt"
POLICY = AnswerPolicy()


@pytest.fixture
def searcher(knowledge_dir: Path, tmp_path: Path, hashing_embedder: HashingEmbedder) -> Searcher:
    build_store([knowledge_dir], tmp_path / "store", hashing_embedder)
    return Searcher(StoreReader(tmp_path / "store"), hashing_embedder)


# The samples in tests/conftest.py, newest first: the refusal's examples name these.
STORED_EXAMPLES = ("Nghị quyết 57-NQ/TW", "Kết luận 01")


def assert_refused(answer: Answer, examples: tuple[str, ...] = STORED_EXAMPLES) -> None:
    assert not answer.answered
    assert answer.passages == [] and answer.citations == []
    assert messages.NOT_FOUND in answer.text
    assert answer.examples == examples
    assert messages.not_found_hints(examples) in answer.text
    assert answer.to_json()["citations"] == []


def test_in_domain_question_is_answered_with_citations(searcher: Searcher) -> None:
    answer = answer_question(searcher, "Mỗi thôn có tổ xung kích phòng, chống thiên tai không?", POLICY)

    assert answer.answered
    assert 1 <= len(answer.passages) <= POLICY.max_passages
    top = answer.citations[0]
    assert top.doc_id == CT05 and top.source == CT05
    assert top.title == "Về tăng cường công tác tuyên truyền phòng, chống thiên tai ở cơ sở"
    assert top.section == "II. NHIỆM VỤ, GIẢI PHÁP"
    assert top.issued == "2016-05-15"
    assert (top.number, top.doc_type, top.label) == ("05-CT/TW", "Chỉ thị", "Chỉ thị 05-CT/TW")
    # the quoted text is the document's own
    assert "Mỗi thôn, bản có một tổ xung kích phòng, chống thiên tai" in answer.passages[0].excerpt

    text = answer.text
    assert text.startswith(messages.ANSWER_INTRO)
    assert messages.SOURCES in text
    assert "[1] Chỉ thị 05-CT/TW, «Về tăng cường công tác tuyên truyền" in text
    assert "mục II. NHIỆM VỤ, GIẢI PHÁP" in text and "ngày 15/05/2016" in text
    assert f"({CT05})" in text

    data = answer.to_json()
    assert set(data) == {"answered", "answer", "citations"}
    assert data["answered"] is True and data["answer"] == text
    first = data["citations"][0]
    assert {"doc_id", "title", "section", "source", "date"} <= set(first)
    assert (first["doc_id"], first["date"], first["number"]) == (CT05, "2016-05-15", "05-CT/TW")


def test_question_naming_a_stored_document_cites_it(searcher: Searcher) -> None:
    answer = answer_question(searcher, "nghi quyet 57 noi gi ve so hoa tai lieu?", POLICY)
    assert answer.answered and answer.notice is None
    assert {c.doc_id for c in answer.citations} == {NQ57}


@pytest.mark.parametrize(
    "question",
    [
        "Cách nấu phở bò ngon?",
        "Kết quả bóng đá Ngoại hạng Anh tối qua",
        "giá vàng hôm nay",
        "What is the capital of France?",
    ],
)
def test_out_of_domain_question_is_refused(searcher: Searcher, question: str) -> None:
    answer = answer_question(searcher, question, POLICY)
    assert_refused(answer)
    assert answer.notice is None
    assert answer.text.startswith(messages.NOT_FOUND)


@pytest.mark.parametrize("question", ["", "   ", "\u200b"])
def test_empty_question_is_refused(searcher: Searcher, question: str) -> None:
    assert_refused(answer_question(searcher, question, POLICY))


def test_question_naming_a_missing_document_says_so_and_stops(searcher: Searcher) -> None:
    answer = answer_question(searcher, "Nghị quyết 99-NQ/TW nói gì?", POLICY)
    assert not answer.answered and answer.named_missing and answer.passages == []
    # echoed as written, and the stored document of the same type is offered instead
    assert answer.notice == messages.number_not_in_store(["Nghị quyết 99-NQ/TW"])
    assert answer.closest == (
        "Nghị quyết 57-NQ/TW, «Về phát triển thư viện số và văn hóa đọc ở cơ sở», ngày 22/12/2024",
    )
    assert answer.text == (
        f"{answer.notice}\n\n{messages.CLOSEST_DOCUMENTS}\n• {answer.closest[0]}"
    )
    # nothing is quoted, so the refusal must not announce passages "below"
    assert messages.MAYBE_RELATED not in answer.text and messages.NOT_FOUND not in answer.text


def test_missing_number_with_relevant_words_is_not_answered_from_other_documents(
    searcher: Searcher,
) -> None:
    # The words are those of Nghị quyết 57, but the member asked about another document:
    # quoting 57 as its answer would be a wrong citation.
    question = "Nghị quyết 58-NQ/TW về số hóa tài liệu, thư viện số và văn hóa đọc đặt mục tiêu gì?"
    answer = answer_question(searcher, question, POLICY)
    assert not answer.answered and answer.citations == []
    assert answer.notice is not None and "«Nghị quyết 58-NQ/TW»" in answer.notice
    assert "58/TW" not in answer.text
    assert answer.closest[0].startswith("Nghị quyết 57-NQ/TW")


def test_missing_number_lists_a_same_serial_document_first(searcher: Searcher) -> None:
    # "Kế hoạch 05" is not stored; Chỉ thị 05 (same serial: a member's slip) comes first.
    answer = answer_question(searcher, "kế hoạch 05 yêu cầu gì", POLICY)
    assert answer.named_missing and "«kế hoạch 05»" in (answer.notice or "")
    assert [c.split(",")[0] for c in answer.closest] == ["Chỉ thị 05-CT/TW"]


def test_missing_number_with_nothing_near_points_to_the_latest(searcher: Searcher) -> None:
    answer = answer_question(searcher, "Thông tư 77 quy định gì?", POLICY)
    assert answer.named_missing and answer.closest == ()
    assert answer.text == f"{answer.notice}\n\n{messages.NOT_IN_STORE_HINT}"


def test_compose_answer_without_hits() -> None:
    assert_refused(compose_answer("thư viện số", [], POLICY), examples=())
    named = compose_answer("chỉ thị 05", [], POLICY)
    assert not named.answered and named.named_missing
    assert named.notice == messages.number_not_in_store(["chỉ thị 05"])


def test_low_coverage_is_refused_and_a_laxer_policy_answers(searcher: Searcher) -> None:
    question = "giá vàng hôm nay"
    hits = searcher.search(question, k=9)
    assert hits and 0 < hits[0].coverage < POLICY.min_coverage
    assert not compose_answer(question, hits, POLICY).answered
    lax = AnswerPolicy(min_coverage=hits[0].coverage / 2)
    assert compose_answer(question, hits, lax).answered


def test_passages_respect_max_passages_and_relative_floor(searcher: Searcher) -> None:
    question = "chi bộ"
    hits = searcher.search(question, k=9)
    one = compose_answer(question, hits, AnswerPolicy(max_passages=1, min_coverage=0))
    assert one.answered and len(one.passages) == 1
    strict = compose_answer(question, hits, AnswerPolicy(relative_floor=1.01, min_coverage=0))
    assert len(strict.passages) == 1
    for p in compose_answer(question, hits, AnswerPolicy(min_coverage=0)).passages:
        assert p.score >= 0.6 * hits[0].score


LONG = " ".join(
    [
        "Thời gian qua, công tác tuyên truyền ở cơ sở đã có nhiều chuyển biến tích cực.",
        "Các cấp ủy quan tâm lãnh đạo, chỉ đạo, bố trí kinh phí cho hoạt động thông tin.",
        "Tuy nhiên, nội dung tuyên truyền ở một số nơi còn chung chung, chưa sát thực tế.",
        "Mỗi chi bộ dành ít nhất một kỳ sinh hoạt chuyên đề trong năm về chuyển đổi số.",
        "Hệ thống loa truyền thanh ở nhiều thôn đã xuống cấp, cần được thay thế sớm.",
        "Đội ngũ báo cáo viên được bồi dưỡng kỹ năng nói trước công chúng hằng năm.",
        "Đảng viên gương mẫu dùng dịch vụ công trực tuyến, hướng dẫn gia đình cùng làm theo.",
        "Kinh phí thực hiện được bố trí trong dự toán ngân sách của địa phương hằng năm.",
    ]
)


def test_excerpt_keeps_the_sentences_that_share_words_with_the_question() -> None:
    question = "Chi bộ sinh hoạt chuyên đề về chuyển đổi số mấy lần một năm?"
    result = excerpt(LONG, question, max_chars=200)
    assert len(result) <= 200
    assert "Mỗi chi bộ dành ít nhất một kỳ sinh hoạt chuyên đề trong năm về chuyển đổi số." in result
    assert "loa truyền thanh" not in result
    lines = result.split("\n")
    assert lines[0] == messages.OMITTED and lines[-1] == messages.OMITTED
    # every line is a whole sentence of the passage, or a gap mark
    sentences = split_sentences(LONG)
    assert all(line in sentences or line == messages.OMITTED for line in lines)


def test_excerpt_keeps_document_order_and_marks_each_gap() -> None:
    question = "kinh phí bố trí hằng năm, báo cáo viên bồi dưỡng"
    result = excerpt(LONG, question, max_chars=260)
    lines = result.split("\n")
    kept = [line for line in lines if line != messages.OMITTED]
    sentences = split_sentences(LONG)
    assert [sentences.index(line) for line in kept] == sorted(sentences.index(line) for line in kept)
    assert any("báo cáo viên" in line for line in kept)
    # no two sentences that are not neighbours in the passage sit side by side
    for a, b in zip(lines, lines[1:]):
        if a != messages.OMITTED and b != messages.OMITTED:
            assert sentences.index(b) == sentences.index(a) + 1
    assert "\n…\n…" not in result


@pytest.mark.parametrize(
    "question",
    ["chi bộ sinh hoạt chuyên đề", "kinh phí hằng năm", "loa truyền thanh thôn", "báo cáo viên"],
)
def test_excerpt_stays_within_max_chars(question: str) -> None:
    # "…" gap marks and line breaks count too: the excerpt goes into messages with hard limits
    for max_chars in range(40, len(LONG) + 20):
        result = excerpt(LONG, question, max_chars)
        assert result and len(result) <= max_chars, (max_chars, result)


def test_short_passage_is_kept_whole() -> None:
    text = "Câu thứ nhất. Câu thứ hai."
    assert excerpt(text, "câu hỏi nào đó", max_chars=700) == "Câu thứ nhất.\nCâu thứ hai."


def test_one_overlong_sentence_is_cut_at_a_word() -> None:
    text = "Tuyên truyền " * 100 + "xong."
    result = excerpt(text, "tuyên truyền", max_chars=50)
    assert len(result) <= 50 and result.endswith(messages.OMITTED)
    assert set(result[:-1].split()) == {"Tuyên", "truyền"}


def test_sentences_split_only_before_a_capital_digit_or_quote() -> None:
    text = (
        "Kịp thời biểu dương các mô hình, cách làm hay; đồng thời phản bác thông tin sai lệch. "
        "Ở cơ sở, chi bộ họp định kỳ; ưu tiên nội dung thiết thực. 30 ngày sau; Ủy ban báo cáo."
    )
    assert split_sentences(text) == [
        "Kịp thời biểu dương các mô hình, cách làm hay; đồng thời phản bác thông tin sai lệch.",
        "Ở cơ sở, chi bộ họp định kỳ; ưu tiên nội dung thiết thực.",
        "30 ngày sau;",
        "Ủy ban báo cáo.",
    ]
