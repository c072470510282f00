"""Follow-ups in a conversation, through the real core over the test store (Chỉ thị
05-CT/TW, Nghị quyết 57-NQ/TW, Kết luận 01-KL/TU): "còn gì nữa?" gives the next passages,
"nói rõ hơn" the section whole, "điều đó ở văn bản nào?" the documents, "còn nghị quyết 57
thì sao?" the same question about another document — per person and chat, within the window;
a new question, even one starting with "còn", starts fresh."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import select

from bot.ask import messages as ask_texts
from bot.ask.followups import about_other_document, classify
from bot.ask.models import Conversation
from bot.channels.plain_render import render_text
from bot.core.dispatcher import Dispatcher
from bot.core.types import AnswerReply, Chat, DocumentReply, IncomingText, Outcome, Sender, TextReply
from bot.services.questions import question_report
from bot.services.people import identify
from bot.storage.database import Database
from bot.storage.models import QuestionLog, utcnow
from knowledge.docnumbers import parse_number_refs
from knowledge.phrasing import ANSWER_INTRO
from bot.core.knowledge_base import KnowledgeBase
from indexer.opening import opening_section
from indexer.report import BuildReport
from knowledge.answers import AnswerPolicy
from knowledge.embedder import HashingEmbedder
from knowledge.search import Searcher
from knowledge.store import StoreReader
from tests.dispatchers import dispatcher

_count = 0
TITLE_05 = "«Về tăng cường công tác tuyên truyền phòng, chống thiên tai ở cơ sở»"


def said(body: str, user: str = "42", chat: str = "42", kind: str = "private") -> IncomingText:
    global _count
    _count += 1
    return IncomingText(str(_count), Sender("telegram", user, "user"), Chat("telegram", chat, kind),
                        body, True)


def answer_of(outcome: Outcome) -> AnswerReply:
    [reply] = outcome.replies
    assert isinstance(reply, AnswerReply), reply
    return reply


def chunks(outcome: Outcome) -> list[str]:
    return [p.chunk_id for p in answer_of(outcome).answer.passages]


# --- which messages are follow-ups ------------------------------------------------------------


@pytest.mark.parametrize(("text", "kind"), [
    ("còn gì nữa?", "more"), ("con gi nua", "more"), ("Bạn ơi, còn gì nữa không ạ?", "more"),
    ("tiếp đi", "more"), ("cho mình xem thêm", "more"), ("còn đoạn nào khác không?", "more"),
    ("nói rõ hơn", "detail"), ("noi ro hon duoc khong", "detail"), ("Giải thích thêm nhé", "detail"),
    ("điều đó ở văn bản nào?", "source"), ("dieu do o van ban nao", "source"),
    ("Văn bản nào vậy bạn?", "source"), ("căn cứ vào đâu?", "source"), ("nguồn ở đâu", "source"),
    ("còn chỉ thị 12 thì sao?", "other_document"), ("con chi thi 12 thi sao", "other_document"),
    ("Thế còn NQ 57?", "other_document"), ("còn quy định 45 thì thế nào ạ", "other_document"),
    ("đối với kết luận 01 thì sao", "other_document"), ("chỉ thị 12 thì sao?", "other_document"),
])
def test_follow_ups_are_recognised_with_and_without_marks(text: str, kind: str) -> None:
    found = classify(text)
    assert found is not None and found.kind == kind


@pytest.mark.parametrize("text", [
    # Real questions that start like a follow-up, or name a document with a question.
    "còn bao nhiêu ngày nữa thì hết hạn nộp báo cáo?",
    "Còn được hưởng chế độ thai sản không?",
    "Còn chỉ thị 12 quy định gì về chuyển đổi số?",
    "còn chỉ thị 12 về chuyển đổi số thì sao",
    "Văn bản nào quy định về kết nạp đảng viên?",
    "Căn cứ vào đâu để kết nạp đảng viên?",
    "nói rõ hơn về thủ tục chuyển sinh hoạt đảng",
    "chỉ thị 12",  # a document alone: its overview, not a follow-up
    "nghị quyết 57 nói gì",
])
def test_questions_of_their_own_are_not_follow_ups(text: str) -> None:
    assert classify(text) is None


def test_the_question_is_asked_again_about_the_new_document() -> None:
    [ref] = parse_number_refs("còn chỉ thị 12 thì sao?")
    assert about_other_document("Quy định 45 quy định thời hạn gửi báo cáo thế nào?", (ref,)) == (
        "chỉ thị 12 quy định thời hạn gửi báo cáo thế nào?")
    assert about_other_document("Thời hạn gửi báo cáo tháng là khi nào?", (ref,)) == (
        "chỉ thị 12: Thời hạn gửi báo cáo tháng là khi nào?")


# --- through the core ---------------------------------------------------------------------------


async def test_more_gives_the_next_passages_until_none_is_left(assistant: Dispatcher, db: Database) -> None:
    first = await assistant.handle(said("Chỉ thị 05 yêu cầu gì?"))
    assert chunks(first) == ["chi-thi-05-CT-TW.txt::1"]
    seen = []
    for _ in range(3):
        more = answer_of(await assistant.handle(said("còn gì nữa?")))
        assert more.answer.lead == "Các đoạn tiếp theo cho câu hỏi «Chỉ thị 05 yêu cầu gì?»:"
        assert render_text(more).startswith(more.answer.lead + "\n\n[1] ")
        seen += [p.chunk_id for p in more.answer.passages]
        assert [a.label for a in more.actions] == ["👍", "👎", "Xem văn bản"]
    # Every passage of the directive once, best first; then nothing is left.
    assert seen == ["chi-thi-05-CT-TW.txt::3", "chi-thi-05-CT-TW.txt::0", "chi-thi-05-CT-TW.txt::2"]
    last = await assistant.handle(said("con gi nua"))
    assert last.replies == [TextReply(
        "Kho văn bản không còn đoạn nào khác đủ liên quan đến câu hỏi «Chỉ thị 05 yêu cầu gì?».")]
    with db.session() as s:
        rows = s.exec(select(QuestionLog).order_by(QuestionLog.id)).all()
    # Follow-ups are logged as continuations of the question, answered or not.
    assert [(r.text, r.follows_id, r.answered) for r in rows] == [
        ("Chỉ thị 05 yêu cầu gì?", None, True), ("còn gì nữa?", rows[0].id, True),
        ("còn gì nữa?", rows[0].id, True), ("còn gì nữa?", rows[0].id, True),
        ("con gi nua", rows[0].id, False)]


async def test_detail_shows_the_section_whole_and_source_names_the_document(
    assistant: Dispatcher,
) -> None:
    first = await assistant.handle(said("Mỗi thôn có tổ xung kích phòng, chống thiên tai không?"))
    assert chunks(first) == ["chi-thi-05-CT-TW.txt::2", "chi-thi-05-CT-TW.txt::0"]
    detail = answer_of(await assistant.handle(said("nói rõ hơn")))
    [passage] = detail.answer.passages
    assert detail.answer.lead == (
        "Toàn văn phần đã trích cho câu hỏi «Mỗi thôn có tổ xung kích phòng, chống thiên tai không?»:")
    assert passage.citation.section == "II. NHIỆM VỤ, GIẢI PHÁP"
    assert passage.excerpt == (
        "II. NHIỆM VỤ, GIẢI PHÁP\n1. Đổi mới nội dung, hình thức tuyên truyền\n"
        "a) Các chi bộ đưa nội dung phòng, chống thiên tai vào sinh hoạt chi bộ ít nhất mỗi quý một lần.\n"
        "b) Phát huy hệ thống loa truyền thanh cơ sở và nhóm Zalo của khu dân cư để phát cảnh báo bão lũ.\n"
        "2. Kiện toàn lực lượng xung kích\n"
        "a) Mỗi thôn, bản có một tổ xung kích phòng, chống thiên tai được tập huấn hằng năm.\n"
        "b) Đảng viên gương mẫu tham gia sơ tán người dân khỏi vùng nguy hiểm.")
    source = await assistant.handle(said("điều đó ở văn bản nào?"))
    [reply] = source.replies
    assert isinstance(reply, TextReply)
    assert reply.text == (
        "Câu trả lời cho câu hỏi «Mỗi thôn có tổ xung kích phòng, chống thiên tai không?» trích từ:\n"
        f"• Chỉ thị 05-CT/TW, {TITLE_05}, mục II. NHIỆM VỤ, GIẢI PHÁP, ngày 15/05/2016 "
        "(chi-thi-05-CT-TW.txt)\n"
        f"• Chỉ thị 05-CT/TW, {TITLE_05}, ngày 15/05/2016 (chi-thi-05-CT-TW.txt)")
    assert [a.label for a in reply.actions] == ["Xem văn bản"]
    # The button opens that document, for this member.
    viewed = await assistant.handle(_press(reply.actions[0].data))
    assert isinstance(viewed.replies[0], DocumentReply)
    assert viewed.replies[0].doc.doc_id == "chi-thi-05-CT-TW.txt"


def _press(data: str):  # type: ignore[no-untyped-def]
    from bot.core.types import IncomingAction

    global _count
    _count += 1
    return IncomingAction(str(_count), Sender("telegram", "42", "user"),
                          Chat("telegram", "42", "private"), data)


async def test_the_same_question_about_another_document(assistant: Dispatcher, db: Database) -> None:
    await assistant.handle(said("Chỉ thị 05 yêu cầu gì về sinh hoạt chi bộ?"))
    other = answer_of(await assistant.handle(said("còn nghị quyết 57 thì sao?")))
    assert other.answer.lead == "Trả lời câu hỏi «nghị quyết 57 yêu cầu gì về sinh hoạt chi bộ?»:"
    assert chunks(Outcome([other])) == ["nghi-quyet-57-NQ-TW.txt::3"]
    assert "Mỗi chi bộ tổ chức giới thiệu sách trong sinh hoạt chuyên đề" in other.answer.passages[0].excerpt
    # It is a question of its own now: the next follow-up continues it.
    again = answer_of(await assistant.handle(said("thế còn KL 01?")))
    assert again.answer.lead == "Trả lời câu hỏi «KL 01 yêu cầu gì về sinh hoạt chi bộ?»:"
    assert {c.doc_id for c in again.answer.citations} == {"ket-luan-01-KL-TU.txt"}
    # A document the store does not have: said so, never answered from another one.
    missing = answer_of(await assistant.handle(said("còn chỉ thị 12 thì sao?")))
    assert not missing.answer.answered and missing.answer.named_missing
    assert render_text(missing).startswith("Kho văn bản hiện chưa có văn bản «chỉ thị 12»")
    with db.session() as s:
        texts = [r.text for r in s.exec(select(QuestionLog).order_by(QuestionLog.id))]
    assert texts == ["Chỉ thị 05 yêu cầu gì về sinh hoạt chi bộ?",
                     "nghị quyết 57 yêu cầu gì về sinh hoạt chi bộ?",
                     "KL 01 yêu cầu gì về sinh hoạt chi bộ?",
                     "chỉ thị 12 yêu cầu gì về sinh hoạt chi bộ?"]


async def test_after_an_overview_another_document_gets_its_overview(assistant: Dispatcher) -> None:
    first = await assistant.handle(said("kết luận 01"))
    assert isinstance(first.replies[0], DocumentReply)
    source = await assistant.handle(said("văn bản nào?"))
    assert source.replies[0] == TextReply(
        "Câu trả lời cho câu hỏi «kết luận 01» trích từ:\n• Kết luận 01-KL/TU, «Về công tác nắm "
        "bắt, định hướng dư luận xã hội», ngày 10/01/2022 (ket-luan-01-KL-TU.txt)",
        source.replies[0].actions)
    other = await assistant.handle(said("còn chỉ thị 05 thì sao"))
    [view] = other.replies
    assert isinstance(view, DocumentReply) and view.doc.doc_id == "chi-thi-05-CT-TW.txt"


async def test_a_new_question_starting_with_con_starts_fresh(assistant: Dispatcher) -> None:
    await assistant.handle(said("Nghị quyết 57 đặt mục tiêu gì đến năm 2030?"))
    new = answer_of(await assistant.handle(
        said("Còn bao nhiêu ngày nữa thì các tỉnh ủy phải báo cáo kết quả thực hiện?")))
    assert new.answer.lead == ANSWER_INTRO
    assert chunks(Outcome([new])) == ["chi-thi-05-CT-TW.txt::3"]
    # "còn gì nữa?" now continues the new question, not the resolution's (whose other
    # passages would be there to show).
    more = await assistant.handle(said("còn gì nữa?"))
    assert more.replies == [TextReply(
        "Kho văn bản không còn đoạn nào khác đủ liên quan đến câu hỏi «Còn bao nhiêu ngày nữa "
        "thì các tỉnh ủy phải báo cáo kết quả thực hiện?».")]


async def test_the_window_bounds_a_conversation_both_ways(assistant: Dispatcher, db: Database) -> None:
    await assistant.handle(said("Chỉ thị 05 yêu cầu gì?"))

    def age(minutes: float) -> None:
        with db.session() as s:
            s.exec(update(Conversation).values(  # type: ignore[call-overload]
                updated_at=utcnow() - timedelta(minutes=minutes)))

    age(9)  # within the 10 minutes: continued
    assert isinstance((await assistant.handle(said("còn gì nữa?"))).replies[0], AnswerReply)
    age(11)  # past them: the member is asked for the whole question
    late = await assistant.handle(said("còn gì nữa?"))
    assert late.replies == [TextReply(
        "Trợ lý chưa rõ đồng chí hỏi tiếp câu nào: trợ lý chỉ nhớ câu hỏi trước của đồng chí trong 10 phút. "
        "Đồng chí hãy gõ lại câu hỏi đầy đủ.")]
    # Without a previous question, another document is simply named: its overview.
    named = await assistant.handle(said("còn nghị quyết 57 thì sao?"))
    assert isinstance(named.replies[0], DocumentReply)


async def test_a_conversation_is_per_person_and_chat(assistant: Dispatcher) -> None:
    group = "-100500"
    await assistant.handle(said("Chỉ thị 05 yêu cầu gì?", user="42", chat=group, kind="group"))
    # Another member in the same group, and the same member in their private chat.
    for who, where, kind in (("43", group, "group"), ("42", "42", "private")):
        reply = await assistant.handle(said("còn gì nữa?", user=who, chat=where, kind=kind))
        assert reply.replies[0].text.startswith("Trợ lý chưa rõ đồng chí hỏi tiếp câu nào")  # type: ignore[union-attr]
    mine = await assistant.handle(said("còn gì nữa?", user="42", chat=group, kind="group"))
    assert chunks(mine) == ["chi-thi-05-CT-TW.txt::3"]


async def test_follow_ups_are_not_counted_as_questions_in_the_report(
    assistant: Dispatcher, db: Database,
) -> None:
    await assistant.handle(said("Chỉ thị 05 yêu cầu gì?", user="1"))  # the admin
    await assistant.handle(said("còn gì nữa?", user="1", chat="1"))
    await assistant.handle(said("nói rõ hơn", user="1", chat="1"))
    with db.session() as s:
        admin = identify(s, "telegram", "1", "admin", admin_ids=frozenset({"telegram:1"}))
        report = question_report(s, admin, days=1)
    assert report.total.questions == 1
    assert [g.example for g in report.total.top] == ["Chỉ thị 05 yêu cầu gì?"]


async def test_the_window_is_a_setting(db: Database, knowledge) -> None:  # type: ignore[no-untyped-def]
    from bot.ask.feature import AskFeature
    from tests.dispatchers import dispatcher

    core = dispatcher(db, knowledge)
    ask = core.feature("ask")
    assert isinstance(ask, AskFeature) and ask.follow_ups.window == timedelta(minutes=10)
    short = AskFeature(db, knowledge, followup_window=timedelta(minutes=3))
    assert short.follow_ups.no_previous().replies[0].text.endswith(  # type: ignore[union-attr]
        "trong 3 phút. Đồng chí hãy gõ lại câu hỏi đầy đủ.")
    assert ask_texts.FOLLOWUP_NO_PREVIOUS.count("{minutes}") == 1


async def test_after_an_overview_tell_me_more_reads_the_document_on(
    assistant: Dispatcher, db: Database
) -> None:
    """"chỉ thị 05" gets the overview (lead and section I); «nói rõ hơn» then continues with
    the directive's next parts in order, «còn gì nữa?» with the ones after, until the end."""
    overview = await assistant.handle(said("chỉ thị 05"))
    assert isinstance(overview.replies[0], DocumentReply)
    detail = answer_of(await assistant.handle(said("nói rõ hơn")))
    assert detail.answer.lead == "Các phần tiếp theo của Chỉ thị 05-CT/TW:"
    assert chunks(Outcome([detail])) == ["chi-thi-05-CT-TW.txt::2", "chi-thi-05-CT-TW.txt::3"]
    first = detail.answer.passages[0]
    assert first.citation.section == "II. NHIỆM VỤ, GIẢI PHÁP"
    assert first.excerpt.startswith("II. NHIỆM VỤ, GIẢI PHÁP\n1. Đổi mới nội dung, hình thức")
    assert first.excerpt.endswith("b) Đảng viên gương mẫu tham gia sơ tán người dân khỏi vùng nguy hiểm.")
    assert [a.label for a in detail.actions] == ["👍", "👎", "Xem văn bản"]
    end = await assistant.handle(said("còn gì nữa?"))
    assert end.replies == [TextReply("Đã hết: Chỉ thị 05-CT/TW không còn phần nào sau phần vừa gửi.")]
    with db.session() as s:
        rows = s.exec(select(QuestionLog).order_by(QuestionLog.id)).all()
    assert [(r.text, r.follows_id, r.answered) for r in rows] == [
        ("chỉ thị 05", None, True), ("nói rõ hơn", rows[0].id, True), ("còn gì nữa?", rows[0].id, False)]


async def test_a_long_regulation_is_read_on_three_parts_at_a_time(
    realdocs_store: tuple[BuildReport, Path], db: Database
) -> None:
    """Quy định 294-QĐ/TW (120 outline entries): after its overview, «nói rõ hơn» and
    «còn gì nữa?» each bring the next three parts, in order, none twice, none shown before."""
    store = realdocs_store[1]
    searcher = Searcher(StoreReader(store), HashingEmbedder())
    talk = dispatcher(db, KnowledgeBase(searcher, AnswerPolicy(), opening_section))
    overview = (await talk.handle(said("quy định 294"))).replies[0]
    assert isinstance(overview, DocumentReply)
    opening = overview.chunks[0].text
    seen: list[str] = []
    first_excerpt = ""
    for ask in ("nói rõ hơn", "còn gì nữa?", "xem tiếp"):
        reply = answer_of(await talk.handle(said(ask)))
        first_excerpt = first_excerpt or reply.answer.passages[0].excerpt
        assert reply.answer.lead == "Các phần tiếp theo của Quy định 294-QĐ/TW:"
        assert len(reply.answer.passages) == 3
        seen += [p.chunk_id for p in reply.answer.passages]
        assert all(p.excerpt not in opening for p in reply.answer.passages)
    ordinals = [int(c.rsplit("::", 1)[1]) for c in seen]
    assert all(c.startswith("quydinh294.pdf::") for c in seen)
    assert ordinals == list(range(ordinals[0], ordinals[0] + 9))
    # The overview ended inside the second part (with 1.2.2.): reading goes on right after it.
    assert first_excerpt.startswith("2. Điều 3: Về quyền của đảng viên\n2.1. (Khoản 1): Quyền "
                                    "được thông tin của đảng viên.")
    assert "1.2.2." not in first_excerpt and "1.2.2." in opening
