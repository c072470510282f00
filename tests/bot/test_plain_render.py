"""Plain-text replies for Zalo and the terminal: cutting at 2,000 characters between blocks
with citations whole, the numbered hint, and reading a typed "1", 👍 or "sai" back."""

from __future__ import annotations

import re
from datetime import date

import pytest

from bot.channels.plain_render import answer_blocks, render_outcome, render_text
from bot.channels.splitting import pack, split_plain, utf16_len
from bot.channels.text_actions import ActionMemory, match_action
from bot.core.types import Action, AnswerReply, DocumentReply, FileReply, Outcome, TextReply
from bot import messages
from knowledge.answers import Answer, AnswerPassage, Citation
from knowledge.passages import Chunk, DocumentMeta

ACTIONS = (Action("👍", "fb:7:1"), Action("👎", "fb:7:-1"), Action("Xem văn bản", "doc:7"))
DOC = DocumentMeta("ct05.txt", "Về tăng cường công tác tuyên truyền phòng, chống thiên tai",
                   "kho/chi-thi-05-CT-TW.txt", "05-CT/TW", "Chỉ thị", "Bộ Chính trị", date(2016, 5, 15))


def long_answer(passages: int = 3, repeat: int = 40) -> Answer:
    sentence = "Các chi bộ đưa nội dung phòng, chống thiên tai vào sinh hoạt chi bộ. "
    return Answer("thiên tai", True, [
        AnswerPassage(Citation.of(DOC, f"II. NHIỆM VỤ, GIẢI PHÁP › {i}. Việc thứ {i}"),
                      (f"Đoạn {i}. " + sentence * repeat).strip(), 1.0 - i / 10, i)
        for i in range(1, passages + 1)
    ])


def test_answer_blocks_are_the_answer_text(answer: Answer) -> None:
    assert render_text(AnswerReply(answer)) == answer.text
    refused = Answer("giá vàng", False, notice="Kho văn bản hiện chưa có văn bản «Chỉ thị 99».")
    assert render_text(AnswerReply(refused)) == refused.text
    assert [sep for sep, _ in answer_blocks(answer)][-len(answer.citations):] == ["\n"] * len(answer.citations)


def test_a_short_answer_is_one_message_with_the_hint_last(answer: Answer) -> None:
    rendered = render_outcome(Outcome([AnswerReply(answer, ACTIONS)]), 2000)
    [text] = rendered.texts
    assert text.startswith(messages.ANSWER_INTRO)
    assert "Chỉ thị 05-CT/TW" in text and messages.SOURCES + ":" in text
    assert text.endswith("\n\nGõ 1: 👍 · 2: 👎 · 3: Xem văn bản")
    assert rendered.actions == ACTIONS


@pytest.mark.parametrize("limit", [300, 700, 2000])
def test_a_long_answer_is_cut_between_blocks_with_citations_whole(limit: int) -> None:
    answer = long_answer()
    rendered = render_outcome(Outcome([AnswerReply(answer, ACTIONS)]), limit)
    texts = rendered.texts
    assert len(texts) > 1 and all(utf16_len(t) <= limit for t in texts)
    for i, citation in enumerate(answer.citations, 1):
        line = f"[{i}] {citation.describe()}"
        assert sum(line in t for t in texts) == 1  # whole, in exactly one part
    assert sum("Gõ 1:" in t for t in texts) == 1 and "Gõ 1: 👍" in texts[-1]
    squeeze = lambda s: re.sub(r"\s+", "", s)
    assert squeeze("".join(texts)) == squeeze(answer.text + "Gõ 1: 👍 · 2: 👎 · 3: Xem văn bản")
    # cut where it reads well: at the end of a sentence, an intro or a citation line
    assert all(t[-1] in ".:)" for t in texts[:-1])


def test_only_the_last_reply_with_actions_gets_the_hint() -> None:
    outcome = Outcome([TextReply("Thứ nhất.", ACTIONS[:1]), TextReply("Thứ hai.", ACTIONS[1:])])
    rendered = render_outcome(outcome, 2000)
    assert rendered.texts == ["Thứ nhất.", "Thứ hai.\n\nGõ 1: 👎 · 2: Xem văn bản"]
    assert rendered.actions == ACTIONS[1:]


def test_a_notice_alone_becomes_a_message_and_nothing_is_nothing() -> None:
    assert render_outcome(Outcome(notice=messages.FEEDBACK_THANKS), 2000).texts == [messages.FEEDBACK_THANKS]
    assert render_outcome(Outcome([TextReply("Có trả lời.")], notice="bỏ qua"), 2000).texts == ["Có trả lời."]
    assert render_outcome(Outcome(), 2000) == render_outcome(Outcome([TextReply("  ")]), 2000)
    assert render_outcome(Outcome(), 2000).texts == []


def test_document_view_is_cut_and_keeps_its_metadata_first() -> None:
    outline = tuple(f"II. NHIỆM VỤ › {i}. Việc số {i}" for i in range(1, 60))
    chunks = tuple(Chunk("ct05.txt", i, ("II. NHIỆM VỤ", "1. Việc số 1"), f"Đoạn {i}: " + "nội dung chi tiết. " * 80)
                   for i in range(5))
    texts = render_outcome(Outcome([DocumentReply(DOC, outline, outline[0], chunks)]), 2000).texts
    assert len(texts) > 2 and all(utf16_len(t) <= 2000 for t in texts)
    assert texts[0].startswith("Chỉ thị 05-CT/TW\nSố hiệu: 05-CT/TW\nLoại: Chỉ thị\n")
    assert "Bố cục:\n• II. NHIỆM VỤ\n" not in texts[0]  # outline lines are the sections themselves
    assert "  • 1. Việc số 1" in texts[0] and "Việc số 40\n…" in texts[0] and "Việc số 41" not in texts[0]
    whole = "\n".join(texts)
    assert "Nội dung mục II. NHIỆM VỤ › 1. Việc số 1:" in whole
    assert all(f"Đoạn {i}: nội dung chi tiết." in whole for i in range(5))


def test_split_plain_prefers_paragraphs_lines_then_sentences() -> None:
    paragraphs = ["Một. " * 30, "Hai. " * 30, "Ba. " * 30]
    assert split_plain("\n\n".join(p.strip() for p in paragraphs), 200) == [p.strip() for p in paragraphs]
    lines = "\n".join(f"[{i}] trích dẫn số {i}, mục {i}" for i in range(40))
    for part in split_plain(lines, 120):
        assert all(re.fullmatch(r"\[\d+\] trích dẫn số \d+, mục \d+", line) for line in part.split("\n"))
    assert split_plain("Câu thứ nhất khá dài. Câu thứ hai cũng dài. Câu thứ ba.", 45) == [
        "Câu thứ nhất khá dài. Câu thứ hai cũng dài.", "Câu thứ ba."]
    assert split_plain("từ " * 10, 8) == ["từ từ", "từ từ", "từ từ", "từ từ", "từ từ"]
    assert split_plain("a" * 7, 3) == ["aaa", "aaa", "a"]  # no boundary at all: cut anywhere
    assert split_plain("😀" * 3, 3) == ["😀", "😀", "😀"]  # two units each, never halved
    assert split_plain("   ", 10) == [] and split_plain("ngắn", 10) == ["ngắn"]


def test_pack_keeps_blocks_whole_and_cuts_only_oversized_ones() -> None:
    blocks = [("\n\n", "Mở đầu."), ("\n\n", "Đoạn dài. " * 30), ("\n", "[1] trích dẫn một"), ("\n", "[2] trích dẫn hai")]
    parts = pack(blocks, 120)
    assert all(utf16_len(p) <= 120 for p in parts)
    assert sum("[1] trích dẫn một" in p for p in parts) == 1 and parts[-1].endswith("[1] trích dẫn một\n[2] trích dẫn hai")


# --- typed answers to the numbered hint -------------------------------------------------------
@pytest.mark.parametrize("typed, expected", [
    ("1", ACTIONS[0]), (" 3. ", ACTIONS[2]), ("2!", ACTIONS[1]),
    ("👍", ACTIONS[0]), ("👍🏽", ACTIONS[0]), ("👎️", ACTIONS[1]),
    ("đúng rồi", ACTIONS[0]), ("Hữu ích!", ACTIONS[0]), ("sai", ACTIONS[1]), ("chua dung", ACTIONS[1]),
    ("xem văn bản", ACTIONS[2]), ("XEM VAN BAN", ACTIONS[2]),
    ("4", None), ("0", None), ("12-CT/TU", None), ("sai ở đâu trong chỉ thị 05?", None), ("", None),
])
def test_typed_replies_map_to_the_offered_actions(typed: str, expected: Action | None) -> None:
    assert match_action(typed, ACTIONS) == expected


def test_a_label_typed_without_its_decoration_chooses_it_when_only_one_reads_so() -> None:
    steps = (Action("› › Chi bộ thôn Đông", "u:3"), Action("› Xã Tân Lập", "u:4"),
             Action("Xong ▶", "done"), Action("✖ Hủy", "drop"))
    assert match_action("chi bo thon dong", steps) == steps[0]
    assert match_action("Xã Tân Lập.", steps) == steps[1]
    assert match_action("xong", steps) == steps[2]
    assert match_action("huỷ", steps) == steps[3]  # the other tone-mark placement
    assert match_action("thôn Đông", steps) is None  # part of a label is not a choice
    twins = (Action("✅ Có", "a"), Action("Có ▶", "b"))
    assert match_action("có", twins) is None  # ambiguous: a message, not a guess


def test_words_choose_nothing_when_no_such_action_was_offered() -> None:
    assert match_action("👍", ACTIONS[2:]) is None
    assert match_action("1", ()) is None


def test_action_memory_is_per_key_bounded_and_forgets_old_hints() -> None:
    clock = [0.0]
    memory = ActionMemory(max_conversations=2, ttl_seconds=60, timer=lambda: clock[0])
    memory.remember(("g", "an"), ACTIONS)
    memory.remember(("g", "binh"), ACTIONS[2:])
    assert memory.match(("g", "an"), "3") == ACTIONS[2]
    assert memory.match(("g", "binh"), "1") == ACTIONS[2]
    memory.remember(("g", "binh"), ())  # a reply without actions keeps the earlier hint
    assert memory.recall(("g", "binh")) == ACTIONS[2:]
    memory.remember(("h", "chi"), ACTIONS)  # a third conversation evicts the oldest
    assert len(memory) == 2 and memory.recall(("g", "an")) == ()
    clock[0] = 61.0
    assert memory.match(("h", "chi"), "1") is None  # a day-old hint is forgotten (here 60 s)


def test_a_file_is_shown_as_text_when_short_and_named_when_long() -> None:
    short = FileReply("poll_id,votes\r\n7,3\r\n".encode("utf-8-sig"), "khaosat-7.csv", "Kết quả (CSV)")
    (text,) = render_outcome(Outcome([short]), 2000).texts
    assert text == "Kết quả (CSV)\n\npoll_id,votes\n7,3"
    long = FileReply(("x" * 3000).encode(), "big.csv", "Kết quả (CSV)")
    (text,) = render_outcome(Outcome([long]), 2000).texts
    assert text == f"Kết quả (CSV)\n\n{messages.FILE_TOO_LONG_FOR_CHAT}"


def test_prompts_written_for_buttons_say_what_to_type() -> None:
    """"bấm «Xong»" becomes the number the hint gives «Xong ▶» (and typing it chooses it);
    a label offered in the message above becomes the label typed; a person's own «…» and a
    button on another account's platform are left as written."""
    from bot.broadcast import messages as broadcast_texts
    from bot.polls import messages as poll_texts

    units = (Action("Huyện Đông Hà", "bc:1:unit:1"), Action("Xong ▶", "bc:1:done"),
             Action("✖ Hủy", "bc:1:x"))
    shown = render_outcome(Outcome([TextReply(broadcast_texts.COMPOSE_ASK_UNITS, units)]))
    assert shown.texts == [
        "Chọn đơn vị nhận (gõ số để chọn hoặc bỏ chọn; mỗi đơn vị gồm cả các đơn vị cấp "
        "dưới), rồi gõ 2 («Xong»).\n\nGõ 1: Huyện Đông Hà · 2: Xong ▶ · 3: ✖ Hủy"]
    assert match_action("2", shown.actions) == units[1]
    # Named, not offered here: the offer above stays, and the label typed chooses it there.
    (alone,) = render_outcome(Outcome([TextReply(poll_texts.POLL_USE_BUTTONS)])).texts
    assert alone == "Đồng chí hãy chọn ở tin nhắn trên, hoặc gõ «Hủy»."
    assert match_action("Hủy", units) == units[2]
    # Not ours to reword: an officer's text pushed as is, another platform's button.
    own = "Trong phần mềm, bấm «Lưu» rồi bấm «Gửi»."
    assert render_outcome(Outcome([TextReply(own)])).texts == [own]
    link = messages.LINK_REQUESTED.format(platform="Telegram", name="An")
    (asked,) = render_outcome(Outcome([TextReply(link, (Action("✖ Hủy", "lk:1:x"),))])).texts
    assert "cần bấm «Đồng ý»" in asked and "chính đồng chí, gõ 1 («Hủy»)." in asked
