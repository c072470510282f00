"""knowledge.text.shorten: every user-visible text that must fit a limit is cut after a
whole word (a bare slice stopped inside a word: «Chi bộ thôn Đô»)."""

from __future__ import annotations

from knowledge.text import shorten

NAME = "Chi bộ thôn Đông thuộc Đảng bộ xã Hòa Bình, huyện Đông Hà, tỉnh Minh Sơn"


def test_a_text_that_fits_is_unchanged_but_for_its_spaces() -> None:
    assert shorten("Xã  Tân\tLập", 60) == "Xã Tân Lập"
    assert shorten(NAME, len(NAME)) == NAME


def test_a_long_text_is_cut_after_a_whole_word_within_the_width() -> None:
    assert shorten(NAME, 40) == "Chi bộ thôn Đông thuộc Đảng bộ xã Hòa…"
    assert shorten(NAME, 50) == "Chi bộ thôn Đông thuộc Đảng bộ xã Hòa Bình, huyện…"
    for width in range(2, len(NAME)):
        cut = shorten(NAME, width)
        assert len(cut) <= width and cut.endswith("…"), (width, cut)


def test_no_word_is_split_when_a_space_is_near() -> None:
    words = set(NAME.split()) | {w.rstrip(",") for w in NAME.split()}
    for width in range(12, len(NAME)):
        last = shorten(NAME, width)[:-1].split()[-1]
        assert last in words, (width, last)


def test_one_long_word_is_cut_inside_rather_than_lost() -> None:
    assert shorten("https://tuyengiao.vn/van-ban/chi-thi-05", 20) == "https://tuyengiao.v…"


def test_keep_lines_keeps_a_message_as_written() -> None:
    text = "📋 KHẢO SÁT #1\nCâu hỏi?\n\n1. Có\n2. Không\n   thụt lề"
    assert shorten(text, 200, keep_lines=True) == text
    assert shorten(text, 30, keep_lines=True) == "📋 KHẢO SÁT #1\nCâu hỏi?\n\n1. Có…"
