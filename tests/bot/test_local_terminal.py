"""The terminal's input (issue 16, item 1): messages of several lines, and the people the
terminal user speaks for."""

from __future__ import annotations

import pytest

from bot.channels.local.people import LOCAL_USER_ID, MAX_NAME, split_speaker
from bot.channels.local.terminal import CONTINUATION_PROMPT, PROMPT, LineAssembler


def feed_all(lines: list[str]) -> tuple[list[str], list[str]]:
    """The messages sent and the prompt shown before each line."""
    assembler, sent, prompts = LineAssembler(), [], []
    for line in lines:
        prompts.append(assembler.prompt)
        message = assembler.feed(line)
        if message is not None:
            sent.append(message)
    return sent, prompts


def test_one_line_is_one_message_and_empty_lines_send_nothing() -> None:
    assert feed_all(["xin chào  ", "", "   ", "nghi quyet 21"]) == (
        ["xin chào", "nghi quyet 21"], [PROMPT] * 4)


def test_a_trailing_backslash_opens_a_block_that_an_empty_line_sends() -> None:
    sent, prompts = feed_all(["/khaosat Đồng chí đã học Chỉ thị 05 chưa? \\", "Đã học",
                              "Chưa học \\", "", "sau"])
    assert sent == ["/khaosat Đồng chí đã học Chỉ thị 05 chưa?\nĐã học\nChưa học", "sau"]
    assert prompts == [PROMPT, CONTINUATION_PROMPT, CONTINUATION_PROMPT, CONTINUATION_PROMPT,
                       PROMPT]


def test_an_open_block_is_sent_at_the_end_of_input_and_a_lone_mark_is_nothing() -> None:
    assembler = LineAssembler()
    assert assembler.feed("dòng một \\") is None
    assert assembler.feed("dòng hai") is None
    assert assembler.flush() == "dòng một\ndòng hai"
    assert assembler.feed("\\") is None and assembler.feed("") is None  # an empty block
    assert assembler.flush() is None and assembler.prompt == PROMPT


@pytest.mark.parametrize(("typed", "expected"), [
    ("[An] /dangky K7QX2M9P", ("An", "/dangky K7QX2M9P")),
    ("[ Chị   Hoa ]đã đọc", ("Chị Hoa", "đã đọc")),
    ("[Bình] 1\n2", ("Bình", "1\n2")),
    (f"[{LOCAL_USER_ID.upper()}] /help", (None, "/help")),  # the terminal user by name
    ("[   ] câu hỏi", (None, "[   ] câu hỏi")),  # no name: plain text
    ("[" + "x" * (MAX_NAME + 1) + "] hi", (None, "[" + "x" * (MAX_NAME + 1) + "] hi")),
    ("Điều [1] nói gì?", (None, "Điều [1] nói gì?")),
])
def test_a_name_in_brackets_speaks_for_that_person(typed: str,
                                                   expected: tuple[str | None, str]) -> None:
    assert split_speaker(typed) == expected
