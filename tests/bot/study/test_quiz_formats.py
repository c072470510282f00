"""Which format a quiz is in follows from the whole input's structure (docs/study.md: chat
lines split at "|", or CSV with ";", tab or ","), not from one character: a "|" inside a
question is kept in both formats, and input that fits neither gets one clear message."""

from __future__ import annotations

import pytest

from bot.services.errors import InvalidInput
from bot.study import messages as texts
from bot.study import quiz


def _read(text: str) -> list[tuple[str, tuple[str, ...], int, str]]:
    return [(d.text, d.options, d.correct, d.passage) for d in quiz.parse(text)]


def test_a_csv_file_whose_question_holds_a_bar_is_read_as_csv() -> None:
    text = ("Câu hỏi;Phương án 1;Phương án 2;Đáp án;Trích dẫn\r\n"
            "Chọn cặp đúng: «A | B» hay «B | A»?;A | B;B | A;1;Mục 1: thứ tự A | B\r\n"
            "Loa truyền thanh dùng để làm gì?;Cảnh báo bão lũ;Quảng cáo;1;II.1.b) Loa truyền thanh\r\n"
            "Ai chủ trì?;Ban Tuyên giáo;Bộ Nội vụ;1;III.1. Ban Tuyên giáo chủ trì\r\n")
    assert _read(text) == [
        ("Chọn cặp đúng: «A | B» hay «B | A»?", ("A | B", "B | A"), 0, "Mục 1: thứ tự A | B"),
        ("Loa truyền thanh dùng để làm gì?", ("Cảnh báo bão lũ", "Quảng cáo"), 0,
         "II.1.b) Loa truyền thanh"),
        ("Ai chủ trì?", ("Ban Tuyên giáo", "Bộ Nội vụ"), 0, "III.1. Ban Tuyên giáo chủ trì"),
    ]


def test_a_tab_separated_file_with_a_bar_in_every_question_is_read_as_tsv() -> None:
    rows = [f"Câu {n}: x|y có nghĩa gì?\tHoặc\tVà\t1\tĐoạn {n}" for n in (1, 2, 3)]
    assert _read("\n".join(rows)) == [
        (f"Câu {n}: x|y có nghĩa gì?", ("Hoặc", "Và"), 0, f"Đoạn {n}") for n in (1, 2, 3)]


def test_a_chat_line_keeps_a_quoted_bar_in_its_question() -> None:
    text = ('"Ký hiệu A|B trong văn bản nghĩa là gì?" | A hoặc B | A và B | 1 | "Mục 2: A|B là A hoặc B"\n'
            "“Mẫu «x | y» dùng khi nào?” | Khi liệt kê | Không bao giờ | 1 | Mục 3\n"
            'Câu "thường" có dấu ngoặc | Một | Hai | 2 | Mục 4')
    assert _read(text) == [
        ("Ký hiệu A|B trong văn bản nghĩa là gì?", ("A hoặc B", "A và B"), 0,
         "Mục 2: A|B là A hoặc B"),
        ("Mẫu «x | y» dùng khi nào?", ("Khi liệt kê", "Không bao giờ"), 0, "Mục 3"),
        ('Câu "thường" có dấu ngoặc', ("Một", "Hai"), 1, "Mục 4"),
    ]


def test_an_unclosed_quote_does_not_swallow_the_next_lines() -> None:
    text = ('"Câu mở ngoặc | A | B | 1 | t\n'
            "Câu 2 | A | B | 2 | t\n"
            "Câu 3 | A | B | 1 | t")
    assert [(q, c) for q, _, c, _ in _read(text)] == [
        ('"Câu mở ngoặc', 0), ("Câu 2", 1), ("Câu 3", 0)]


def test_chat_lines_with_commas_and_semicolons_in_them_stay_chat_lines() -> None:
    text = "\n".join(f"Câu {n}; hỏi, đáp? | Có, đúng | Không; sai | 1 | Trích {n}, mục a; b"
                     for n in (1, 2, 3))
    assert _read(text)[0] == ("Câu 1; hỏi, đáp?", ("Có, đúng", "Không; sai"), 0,
                              "Trích 1, mục a; b")


@pytest.mark.parametrize("text", [
    "Tôi muốn tạo bài kiểm tra về Chỉ thị 05 nhưng chưa biết viết thế nào.",
    "Câu 1 | A | B\nCâu 2 | A | B\nCâu 3 | A | B",  # no right option, no passage
    "a;b\nc;d\ne;f",
    "",
])
def test_input_that_fits_neither_format_says_what_to_send(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        quiz.parse(text)
    assert str(refused.value) == texts.QUIZ_FORMAT_UNKNOWN
    assert "«Câu hỏi | phương án 1 | phương án 2 | số thứ tự đáp án đúng" in texts.QUIZ_FORMAT_UNKNOWN
