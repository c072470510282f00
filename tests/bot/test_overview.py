"""Through the core: a document named alone gets its overview, `/vanban` shows the validity
chain, an answer quoting a replaced document says so (plain text and Telegram HTML)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from bot.channels.plain_render import render_outcome, render_text
from bot.channels.telegram.render import render
from bot.core.dispatcher import Dispatcher
from bot.core.knowledge_base import KnowledgeBase
from bot.core.types import AnswerReply, Chat, DocumentReply, IncomingText, Sender
from bot.storage.database import Database
from bot.storage.models import QuestionLog
from indexer.build import build_store
from indexer.opening import opening_section
from indexer.report import BuildReport
from knowledge.answers import AnswerPolicy
from knowledge.embedder import HashingEmbedder
from knowledge.search import Searcher
from knowledge.store import StoreReader
from tests.dispatchers import dispatcher
from tests.validity_docs import write_validity_documents

_count = 0


def text(body: str) -> IncomingText:
    global _count
    _count += 1
    return IncomingText(str(_count), Sender("telegram", "42", "user"), Chat("telegram", "42", "private"),
                        body, True)


def _assistant(store: Path, db: Database) -> Dispatcher:
    searcher = Searcher(StoreReader(store), HashingEmbedder())
    return dispatcher(db, KnowledgeBase(searcher, AnswerPolicy(), opening_section))


@pytest.fixture
def validity_assistant(tmp_path: Path, db: Database) -> Dispatcher:
    build_store([write_validity_documents(tmp_path / "docs")], tmp_path / "store", HashingEmbedder())
    return _assistant(tmp_path / "store", db)


async def test_a_document_named_alone_gets_its_overview(assistant: Dispatcher, db: Database) -> None:
    outcome = await assistant.handle(text("cho tôi xem chỉ thị 05"))
    view = outcome.replies[0]
    assert isinstance(view, DocumentReply) and view.opening and view.doc.number == "05-CT/TW"
    shown = render_text(view)
    assert shown.startswith(
        "Chỉ thị 05-CT/TW\nSố hiệu: 05-CT/TW\nLoại: Chỉ thị\nCơ quan ban hành: Bộ Chính trị\n"
        "Ngày ban hành: 15/05/2016\n"
        "Tiêu đề: Về tăng cường công tác tuyên truyền phòng, chống thiên tai ở cơ sở\n"
        "Hiệu lực: kho chưa có văn bản nào thay thế, bãi bỏ văn bản này\n"
        "Nguồn: chi-thi-05-CT-TW.txt\n\nBố cục:\n• I. MỤC ĐÍCH, YÊU CẦU\n")
    # The opening: the directive's lead paragraph, then its first section; never the header.
    opening = shown.split("Phần đầu văn bản:\n\n", 1)[1]
    assert opening.startswith("Thời gian qua, công tác tuyên truyền phòng, chống thiên tai đã được "
                              "các cấp ủy quan tâm.")
    assert "\nI. MỤC ĐÍCH, YÊU CẦU\n1. Nâng cao nhận thức" in opening and "II. NHIỆM VỤ" not in opening
    for header in ("ĐẢNG CỘNG SẢN", "BAN CHẤP HÀNH", "Số 05-CT/TW", "Hà Nội, ngày", "CHỈ THỊ", "VĂN BẢN MẪU"):
        assert header not in opening
    with db.session() as s:
        logged = s.exec(select(QuestionLog)).one()
    assert (logged.text, logged.answered, logged.top_doc_id) == (
        "cho tôi xem chỉ thị 05", True, "chi-thi-05-CT-TW.txt")


async def test_a_question_about_a_named_document_is_answered(assistant: Dispatcher) -> None:
    outcome = await assistant.handle(text("Chỉ thị 05 yêu cầu gì về loa truyền thanh?"))
    reply = outcome.replies[0]
    # Quoted passages of the named document, not its overview.
    assert isinstance(reply, AnswerReply) and reply.answer.answered
    assert {c.doc_id for c in reply.answer.citations} == {"chi-thi-05-CT-TW.txt"}


async def test_the_overview_of_a_real_regulation(realdocs_store: tuple[BuildReport, Path],
                                                 db: Database) -> None:
    outcome = await _assistant(realdocs_store[1], db).handle(text("quy định 294"))
    view = outcome.replies[0]
    assert isinstance(view, DocumentReply) and view.doc.doc_id == "quydinh294.pdf"
    shown = render_text(view)
    assert shown.startswith(
        "Quy định 294-QĐ/TW\nSố hiệu: 294-QĐ/TW\nLoại: Quy định\n"
        "Cơ quan ban hành: Ban Chấp hành Trung ương\nNgày ban hành: 26/05/2025\n"
        "Tiêu đề: Thi hành Điều lệ Đảng\n"
        "Hiệu lực: có hiệu lực từ ngày 01/07/2025; kho chưa có văn bản nào thay thế, bãi bỏ văn bản này\n"
        "Nguồn: quydinh294.pdf\n\nBố cục:\n• 1. Điều 1 (Khoản 2): Tuổi đời và trình độ học vấn của…\n"
        "• 2. Điều 3: Về quyền của đảng viên\n")
    # 120 outline entries two levels deep: the overview keeps the top level.
    assert "  • 1.1." not in shown
    assert ("Phần đầu văn bản:\n\n1. Điều 1 (Khoản 2): Tuổi đời và trình độ học vấn của người vào "
            "Đảng\n1.1. Về tuổi đời.\n1.1.1. Tại thời điểm chi bộ xét kết nạp") in shown
    # Zalo's 2,000-character messages: the overview is cut between blocks.
    assert all(len(part) <= 2000 for part in render_outcome(outcome, 2000).texts)


async def test_vanban_shows_the_chain(validity_assistant: Dispatcher) -> None:
    async def view(query: str) -> str:
        outcome = await validity_assistant.handle(text(f"/vanban {query}"))
        assert isinstance(outcome.replies[0], DocumentReply)
        return render_text(outcome.replies[0])

    qd101 = await view("101-QĐ/TU")
    assert ("Hiệu lực: hết hiệu lực từ ngày 15/01/2024, được thay thế bởi Quy định 205-QĐ/TU "
            "ngày 10/01/2024\nThay thế: Quy định 90-QĐ/TU ngày 01/06/2016\nNguồn: qd101.txt") in qd101
    assert qd101.endswith("Phần đầu văn bản:\n\nĐiều 1. Thời gian học tập\nĐảng viên học tập, quán "
                          "triệt nghị quyết mới của Đảng ít nhất 2 ngày mỗi năm, do chi bộ tổ chức.")
    telegram = "".join(m.text for m in render((await validity_assistant.handle(text("qd 101"))).replies[0]))
    assert ("Hiệu lực: hết hiệu lực từ ngày 15/01/2024, được thay thế bởi Quy định 205-QĐ/TU "
            "ngày 10/01/2024\nThay thế: Quy định 90-QĐ/TU ngày 01/06/2016\n") in telegram
    assert "<b>Phần đầu văn bản:</b>" in telegram
    qd90 = await view("quy định 90")
    assert ("Hiệu lực: hết hiệu lực từ ngày 10/03/2019, được thay thế bởi Quy định 101-QĐ/TU ngày "
            "10/03/2019\nVăn bản đang có hiệu lực: Quy định 205-QĐ/TU ngày 10/01/2024\n") in qd90
    qd205 = await view("qd 205")
    assert ("Hiệu lực: còn hiệu lực, đã được sửa đổi, bổ sung bởi Quyết định 210-QĐ/TU ngày 01/06/2024\n"
            "Thay thế: Quy định 101-QĐ/TU ngày 10/03/2019\n"
            "Bãi bỏ: Hướng dẫn 15-HD/BTGTU ngày 02/01/2020, Kế hoạch 40-KH/TU ngày 05/05/2018\n") in qd205
    ct07 = await view("CT 07")
    assert ("Hiệu lực: hết hiệu lực từ ngày 01/02/2025, được thay thế bởi Chỉ thị 09-CT/TU ngày "
            "01/02/2025 (chưa có trong kho)\n") in ct07


async def test_an_answer_from_a_replaced_document_says_so(validity_assistant: Dispatcher) -> None:
    outcome = await validity_assistant.handle(text("Năm 2020 đảng viên học tập, quán triệt nghị quyết mới ít nhất mấy ngày mỗi năm?"))
    reply = outcome.replies[0]
    assert isinstance(reply, AnswerReply)
    note = ("⚠ Đoạn [1] trích từ Quy định 101-QĐ/TU, văn bản đã hết hiệu lực từ ngày 15/01/2024, "
            "được thay thế bởi Quy định 205-QĐ/TU ngày 10/01/2024.")
    plain = "\n\n".join(render_outcome(outcome, 2000).texts)
    assert plain.startswith("Theo văn bản trong kho, các đoạn liên quan nhất:\n\n[1] Điều 1.\n"
                            "Thời gian học tập\nĐảng viên học tập, quán triệt nghị quyết mới của Đảng "
                            "ít nhất 2 ngày mỗi năm")
    assert f"\n\n{note}\n\n" in plain
    html = "".join(m.text for m in render(reply))
    assert f"<b>{note}</b>" in html
    assert "ngày 10/03/2019, <b>đã hết hiệu lực</b> (<i>qd101.txt</i>)" in html
