"""Validity at question time (knowledge/validity.py): the document in force answers first,
unless the question is about the past; a quoted document no longer in force is named as such,
with what replaced it. On the generated chain of tests/validity_docs.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from indexer.build import build_store
from knowledge.answers import Answer, AnswerPolicy, answer_question
from knowledge.embedder import HashingEmbedder
from knowledge.search import Searcher
from knowledge.store import StoreReader
from knowledge.validity import When, asked_time, prefer_in_force
from tests.validity_docs import write_validity_documents

POLICY = AnswerPolicy()
QUESTION = "Đảng viên học tập, quán triệt nghị quyết mới ít nhất mấy ngày mỗi năm?"
TODAY = date(2026, 1, 1)

NOTE_101 = ("⚠ Đoạn [{n}] trích từ Quy định 101-QĐ/TU, văn bản đã hết hiệu lực từ ngày 15/01/2024, "
            "được thay thế bởi Quy định 205-QĐ/TU ngày 10/01/2024.")
NOTE_90 = ("⚠ Đoạn [{n}] trích từ Quy định 90-QĐ/TU, văn bản đã hết hiệu lực từ ngày 10/03/2019, "
           "được thay thế bởi Quy định 101-QĐ/TU ngày 10/03/2019. Văn bản đang có hiệu lực: "
           "Quy định 205-QĐ/TU ngày 10/01/2024.")
NOTE_205 = ("Lưu ý: Quy định 205-QĐ/TU (đoạn [{n}]) đã được sửa đổi, bổ sung bởi Quyết định "
            "210-QĐ/TU ngày 01/06/2024; nội dung trích dẫn có thể đã được sửa đổi.")


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    root = tmp_path_factory.mktemp("validity")
    build_store([write_validity_documents(root / "docs")], root / "store", HashingEmbedder())
    return Searcher(StoreReader(root / "store"), HashingEmbedder())


def docs(answer: Answer) -> list[str]:
    return [c.doc_id for c in answer.citations]


@pytest.mark.parametrize(("question", "when"), [
    (QUESTION, When()),
    ("Năm 2020 đảng viên học nghị quyết mấy ngày?", When(year=2020)),
    ("truoc nam 2021 dang vien hoc may ngay", When(year=2021)),
    ("Trước đây đảng viên học nghị quyết mấy ngày?", When(earlier=True)),
    ("Theo quy định cũ thì sao?", When(earlier=True)),
    ("quy dinh cu dang vien hoc may ngay", When(earlier=True)),
    # Not the past: this year, a number's year, "cụ thể", "cư trú", "đảng bộ cũ".
    ("Năm 2026 đảng viên học mấy ngày?", When()),
    ("Nghị định 30/2020/NĐ-CP quy định gì?", When()),
    ("quy dinh cu the ve hoc tap", When()),
    ("Quy định cụ thể về nơi cư trú", When()),
    ("Đại biểu tham gia đoàn đại biểu đảng bộ cũ không?", When()),
])
def test_the_time_a_question_asks_about(question: str, when: When) -> None:
    assert asked_time(question, TODAY) == when


def test_the_document_in_force_answers_first_and_the_others_carry_a_note(searcher: Searcher) -> None:
    hits = searcher.search(QUESTION, k=9)
    # Search alone ranks the replaced 101 first (the two texts differ by one digit).
    assert hits[0].doc.doc_id == "qd101.txt"
    answer = answer_question(searcher, QUESTION, POLICY)
    assert docs(answer) == ["qd205.txt", "qd101.txt", "qd90.txt"]
    assert answer.validity_notes == [NOTE_205.format(n=1), NOTE_101.format(n=2), NOTE_90.format(n=3)]
    text = answer.text
    assert NOTE_101.format(n=2) + "\n\n" + NOTE_90.format(n=3) + "\n\nNguồn trích dẫn:" in text
    assert ("[2] Quy định 101-QĐ/TU, «Về chế độ học tập nghị quyết của đảng viên», Điều 1, "
            "ngày 10/03/2019, đã hết hiệu lực (qd101.txt)") in text
    cited = answer.to_json()["citations"]
    assert [(c["status"], c["replaced_by"]) for c in cited] == [
        ("amended", []), ("replaced", ["205-QĐ/TU"]), ("replaced", ["101-QĐ/TU"])]


def test_a_past_year_puts_the_document_then_in_force_first(searcher: Searcher) -> None:
    answer = answer_question(searcher, "Năm 2020 đảng viên học tập, quán triệt nghị quyết mới ít nhất mấy ngày mỗi năm?", POLICY)
    assert docs(answer)[:2] == ["qd101.txt", "qd205.txt"]
    # Still told it is no longer in force.
    assert answer.validity_notes[0] == NOTE_101.format(n=1)


def test_earlier_words_put_an_older_document_first(searcher: Searcher) -> None:
    question = "Theo quy định cũ, đảng viên học tập, quán triệt nghị quyết mới mấy ngày mỗi năm?"
    assert searcher.search(question, k=9)[0].doc.doc_id == "qd205.txt"
    assert docs(answer_question(searcher, question, POLICY)) == ["qd101.txt", "qd205.txt"]


def test_a_named_older_document_stays_first(searcher: Searcher) -> None:
    answer = answer_question(searcher, "Quy định 101 đảng viên học nghị quyết mới mấy ngày mỗi năm?", POLICY)
    assert docs(answer) == ["qd101.txt"]
    assert answer.validity_notes == [NOTE_101.format(n=1)]


def test_unrelated_documents_keep_their_order(searcher: Searcher) -> None:
    hits = searcher.search(QUESTION, k=9)
    reordered = prefer_in_force(hits, QUESTION, TODAY)
    # Chỉ thị 07 is replaced, but by a document not in the store: nothing to put before it.
    assert [i for i, h in enumerate(reordered) if h.doc.doc_id == "ct07.txt"] == \
        [i for i, h in enumerate(hits) if h.doc.doc_id == "ct07.txt"]
    assert sorted(h.row for h in reordered) == sorted(h.row for h in hits)  # nothing dropped
