"""Texts people read that are cut to a room go through knowledge.text.shorten: an answer's
excerpt, a document overview's opening line, the charts' labels and titles. A cut ends on a
whole word (kept whole when the room ends right after it), with no dangling comma before the
"…", and a long unbroken word (a web address) is cut inside rather than dropped."""

from __future__ import annotations

from bot.polls import chart as poll_chart
from bot.polls.results import PollResults
from indexer.opening import opening_section
from knowledge.excerpts import excerpt

SENTENCE = ("Các cấp ủy, tổ chức đảng, cơ quan, đơn vị tổ chức học tập, quán triệt nghị quyết, "
            "xây dựng chương trình hành động, kế hoạch thực hiện sát thực tế địa phương, đơn vị")


def test_an_excerpt_cut_ends_on_a_word_without_its_comma() -> None:
    # The room ends right after "học tập,": the comma is not left before the "…".
    assert excerpt(SENTENCE, "chương trình hành động", 60) == \
        "Các cấp ủy, tổ chức đảng, cơ quan, đơn vị tổ chức học tập…"
    # The room ends on the space after "đơn vị": the word is kept whole.
    assert excerpt(SENTENCE, "chương trình hành động", 42) == \
        "Các cấp ủy, tổ chức đảng, cơ quan, đơn vị…"


def test_an_overviews_opening_line_is_cut_on_a_word() -> None:
    lead = ("Thời gian qua, các cấp ủy, tổ chức đảng đã tập trung lãnh đạo, chỉ đạo thực hiện "
            "nghiêm túc, đạt nhiều kết quả quan trọng.")
    opening = opening_section(lead + "\nI. MỤC ĐÍCH, YÊU CẦU\n1. Nội dung.", max_chars=30)
    assert opening is not None and opening.text == "Thời gian qua, các cấp ủy, tổ…"


def test_a_chart_label_keeps_a_long_word_cut_inside() -> None:
    found = PollResults(1, "Đồng chí đã đọc tài liệu chưa?",
                        ["Xem tại https://tuyengiao.vn/tai-lieu-hoc-tap-nghi-quyet-57", "Có"],
                        "open", True, False, number=1)
    figure = poll_chart.figure(found)
    shown = {t.get_text() for t in figure.findobj(lambda o: hasattr(o, "get_text"))}
    # textwrap.shorten dropped the address whole ("1. Xem tại …").
    assert "1. Xem tại https://tuyengiao.…" in shown and "2. Có" in shown
