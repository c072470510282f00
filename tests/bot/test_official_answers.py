"""Official answers, the whole way through the real Telegram adapter and the loopback Bot API:
members ask what the documents do not answer; the officer sees them grouped with a code in
/baocao, answers one with /traloi (text, the document it rests on, publish); the answer joins
the store as a Q&A entry of the officer's unit (cited so, with its date) and the members who
asked it or a similar question in the officer's subtree are told by the notice worker — and
nobody else. Refusals for members and outside the subtree; the store's index lock held by
another run; the similarity that groups questions."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.ask import messages as ask_texts
from bot.ask.models import AnswerNotice, OfficialAnswer
from bot.ask.notices import NoticeWorker
from bot.ask.official_feature import OfficialAnswersFeature
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.outbound import TelegramOutbound
from bot.core.dispatcher import Dispatcher
from bot.core.knowledge_base import KnowledgeBase
from bot.services import similar
from bot.services.invites import admin_create_invite, join_with_code
from bot.services.people import identify
from bot.services.units import admin_create_unit
from bot.storage.database import Database
from bot.storage.models import QuestionLog, to_local, utcnow
from indexer.build import build_store
from indexer.lock import index_lock
from indexer.opening import opening_section
from knowledge.answers import AnswerPolicy
from knowledge.embedder import HashingEmbedder
from knowledge.search import Searcher
from knowledge.store import StoreReader, load_current
from tests.bot.broadcast.conftest import FAST_LIMITS, WAIT
from tests.dispatchers import dispatcher
from tests.fakes.telegram_api import TelegramApiServer
from tuyengiao.official_store import OfficialStore, record_paths
from tuyengiao.settings import Settings

ADMIN = "telegram:1"
OFFICER, NEAR, NEAR2, FAR, OTHER = 900, 901, 902, 903, 904
QUESTION = "Đảng viên đi làm ăn xa thì sinh hoạt đảng ở đâu?"
ALIKE = "dang vien di lam an xa sinh hoat dang o dau vay"
UNRELATED = "Mức đóng đảng phí của đảng viên hưu trí?"
ANSWER = ("Đảng viên đi làm ăn xa được chi bộ nơi cư trú giới thiệu sinh hoạt tạm thời tại chi "
          "bộ nơi làm việc, ít nhất ba tháng báo cáo chi bộ chính thức một lần.")


@pytest.fixture
def settings(tmp_path: Path, knowledge_dir: Path) -> Settings:
    return Settings(_env_file=None, store_dir=tmp_path / "store", knowledge_dir=knowledge_dir,  # type: ignore[call-arg]
                    official_answers_file=tmp_path / "answers" / "hoi-dap-chinh-thuc.jsonl")


@pytest.fixture
def store(settings: Settings, knowledge_dir: Path) -> OfficialStore:
    build_store([knowledge_dir], settings.store_dir, HashingEmbedder())
    record_paths(settings.store_dir, [knowledge_dir])  # as `tuyengiao index` does
    return OfficialStore(settings, settings.store_dir, HashingEmbedder)


@pytest.fixture
def units(db: Database) -> dict[str, int]:
    """A province with two districts; the officer runs Huyện Đông Hà; two members in its
    cell, one in Huyện Tây Sơn."""
    with db.session() as s:
        province = admin_create_unit(s, "Tỉnh Minh Sơn", "province", None)
        east = admin_create_unit(s, "Ban Tuyên giáo Huyện ủy Đông Hà", "district", province.id)
        west = admin_create_unit(s, "Huyện Tây Sơn", "district", province.id)
        cell = admin_create_unit(s, "Chi bộ Thôn 1", "cell", east.id)
        for user, unit, role in ((OFFICER, east, "officer"), (NEAR, cell, "member"),
                                 (NEAR2, cell, "member"), (FAR, west, "member"),
                                 (OTHER, cell, "member")):
            person = identify(s, "telegram", str(user), f"Người {user}", admin_ids=frozenset())
            join_with_code(s, person, admin_create_invite(s, unit.id, role).code)  # type: ignore[arg-type]
        return {"east": east.id, "west": west.id, "cell": cell.id}  # type: ignore[dict-item]


@pytest.fixture
def assistant(settings: Settings, store: OfficialStore, db: Database) -> Dispatcher:
    searcher = Searcher(StoreReader(settings.store_dir), HashingEmbedder())
    knowledge = KnowledgeBase(searcher, AnswerPolicy(), opening_section)
    official = OfficialAnswersFeature(db, knowledge, store, notices=None)
    return dispatcher(db, knowledge, frozenset({ADMIN}), extra=[official])


@pytest.fixture
async def api() -> AsyncIterator[TelegramApiServer]:
    async with TelegramApiServer() as server:
        yield server


@pytest.fixture
async def bot(api: TelegramApiServer, assistant: Dispatcher) -> AsyncIterator[TelegramChannel]:
    async with TelegramChannel(api.token, assistant.handle, base_url=api.base_url,
                               commands=assistant.menu(), poll_timeout=1.0) as channel:
        yield channel


def buttons(params: dict[str, Any]) -> dict[str, str]:
    rows = params.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def say(api: TelegramApiServer, chat: int, text: str, starts: str = "") -> dict[str, Any]:
    api.text_update(chat, chat, text)
    return await api.wait_for("sendMessage", lambda p: p["chat_id"] == chat
                              and p["text"].startswith(starts), timeout=WAIT)


async def press(api: TelegramApiServer, chat: int, data: str, starts: str) -> dict[str, Any]:
    api.callback_update(chat, chat, data)
    return await api.wait_for("sendMessage", lambda p: p["chat_id"] == chat
                              and p["text"].startswith(starts), timeout=WAIT)


async def test_an_official_answer_joins_the_store_and_reaches_those_who_asked(
    api: TelegramApiServer, bot: TelegramChannel, assistant: Dispatcher, db: Database,
    units: dict[str, int], settings: Settings,
) -> None:
    for chat, text in ((NEAR, QUESTION), (NEAR2, ALIKE), (FAR, QUESTION), (OTHER, UNRELATED)):
        got = await say(api, chat, text)
        assert got["text"].startswith("Trợ lý chưa tìm thấy nội dung này")
    # The report groups the two ways of asking, from the officer's subtree only, with a code.
    report = await say(api, OFFICER, "/baocao", "Báo cáo câu hỏi")
    with db.session() as s:
        alike_id = s.exec(select(QuestionLog.id).where(QuestionLog.chat_id == str(NEAR2))).one()
        other_id = s.exec(select(QuestionLog.id).where(QuestionLog.chat_id == str(OTHER))).one()
    assert (f"Câu hỏi chưa trả lời được — cần bổ sung văn bản:\n1. «{QUESTION}» — 2 lần, "
            f"2 cách hỏi tương tự (mã {alike_id})\n2. «{UNRELATED}» — 1 lần (mã {other_id})"
            ) in report["text"]

    # A member cannot answer officially; the officer cannot answer outside the subtree.
    assert (await say(api, NEAR, f"/traloi {alike_id}"))["text"] == (
        "Chỉ cán bộ phụ trách đơn vị mới thực hiện được thao tác này.")
    with db.session() as s:
        far_id = s.exec(select(QuestionLog.id).where(QuestionLog.chat_id == str(FAR))).one()
    assert (await say(api, OFFICER, f"/traloi {far_id}"))["text"] == ask_texts.TRALOI_OUTSIDE

    asked = await say(api, OFFICER, f"/traloi {alike_id}", "Câu hỏi «")
    assert asked["text"] == (
        f"Câu hỏi «{QUESTION}»: 2 người đã hỏi câu này hoặc câu tương tự (chưa trả lời được).\n"
        "Hãy gửi nội dung trả lời chính thức (tối đa 3000 ký tự), hoặc chọn «Hủy» để bỏ.")
    assert list(buttons(asked)) == ["Hủy"]
    source = await say(api, OFFICER, ANSWER, "Câu trả lời dựa trên")
    assert source["text"] == ("Câu trả lời dựa trên văn bản nào? Gửi số hiệu văn bản, có thể kèm "
                              "điều, mục (ví dụ: «Nghị quyết 57-NQ/TW, Điều 3»).")
    again = await say(api, OFFICER, "theo hướng dẫn của huyện", "Chưa nhận ra số hiệu")
    assert "«Nghị quyết 57-NQ/TW»" in again["text"]
    preview = await say(api, OFFICER, "Chỉ thị 05-CT/TW, mục II", "Xem lại trước khi công bố")
    today = to_local(utcnow()).strftime("%d/%m/%Y")
    notice = (f"Câu hỏi của đồng chí «{QUESTION}» nay đã có trả lời chính thức của Ban Tuyên giáo "
              f"Huyện ủy Đông Hà (ngày {today}):\n\n{ANSWER}\n\nCăn cứ: Chỉ thị 05-CT/TW, mục II.")
    assert preview["text"] == (
        f"Xem lại trước khi công bố:\n\n{notice}\n\nCâu trả lời sẽ được đưa vào kho văn bản "
        "(trích dẫn là trả lời chính thức của Ban Tuyên giáo Huyện ủy Đông Hà) và gửi tới 2 "
        "người đã hỏi.")
    done = await press(api, OFFICER, buttons(preview)["Công bố"], "Đã công bố")
    assert done["text"] == ("Đã công bố câu trả lời chính thức #1; đang gửi tới 2 người đã hỏi.\n"
                            + ask_texts.TRALOI_IN_STORE)

    # In the store: a Q&A entry of the officer's unit, dated, read from the answers' file.
    version = load_current(settings.store_dir)
    assert version is not None
    entry = version.documents["hoi-dap-chinh-thuc/1"]
    assert (entry.doc_type, entry.issuer, entry.title, entry.issued, entry.source) == (
        "Trả lời chính thức", "Ban Tuyên giáo Huyện ủy Đông Hà", QUESTION,
        to_local(utcnow()).date(), "hoi-dap-chinh-thuc.jsonl#L1")
    lines = settings.official_answers_file.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["text"] == (
        f"Hỏi: {QUESTION}\nTrả lời: {ANSWER}\nCăn cứ: Chỉ thị 05-CT/TW, mục II.")
    # A member asking it again is answered from it, cited as the unit's official answer.
    answered = await say(api, OTHER, "đảng viên đi làm ăn xa sinh hoạt đảng ở đâu", "Theo văn bản")
    assert (f"[1] Trả lời chính thức của Ban Tuyên giáo Huyện ủy Đông Hà «{QUESTION}», ngày "
            f"{today} (hoi-dap-chinh-thuc.jsonl#L1)") in re.sub("<[^>]+>", "", answered["text"])

    # The notices: to the two askers in the subtree, each in the chat they asked in.
    async with TelegramOutbound.bulk(api.token, base_url=api.base_url, limits=FAST_LIMITS,
                                     timeout=2.0) as port:
        worker = NoticeWorker(db, {"telegram": port}, assistant.feature("official_answers").joiner)  # type: ignore[union-attr]
        before = len(api.calls_of("sendMessage"))
        assert await worker.tick() == 2
        assert await worker.tick() == 0  # each once
    sent = {p["chat_id"]: p["text"] for p in api.calls_of("sendMessage")[before:]}
    assert sent == {
        NEAR: notice,
        NEAR2: notice.replace(f"«{QUESTION}»", f"«{ALIKE}»"),
    }
    with db.session() as s:
        statuses = s.exec(select(AnswerNotice.chat_id, AnswerNotice.status)).all()
    assert sorted(statuses) == [(str(NEAR), "sent"), (str(NEAR2), "sent")]
    # The report no longer lists it as missing.
    after = await say(api, OFFICER, "/baocao", "Báo cáo câu hỏi")
    missing = after["text"].split("Câu hỏi chưa trả lời được — cần bổ sung văn bản:\n")[1:]
    assert missing and all(section.split("\n\n")[0] == f"1. «{UNRELATED}» — 1 lần (mã {other_id})"
                           for section in missing)


async def test_an_answer_waits_while_another_run_indexes_the_store(
    api: TelegramApiServer, bot: TelegramChannel, assistant: Dispatcher, db: Database,
    units: dict[str, int], settings: Settings,
) -> None:
    await say(api, NEAR, QUESTION)
    with db.session() as s:
        question_id = s.exec(select(QuestionLog.id)).one()
    await say(api, OFFICER, f"/traloi {question_id}", "Câu hỏi «")
    await say(api, OFFICER, ANSWER, "Câu trả lời dựa trên")
    preview = await say(api, OFFICER, "chỉ thị 05", "Xem lại trước khi công bố")
    before = load_current(settings.store_dir)
    with index_lock(settings.store_dir):  # held as by a `tuyengiao index` in another process
        done = await press(api, OFFICER, buttons(preview)["Công bố"], "Đã công bố")
    assert done["text"].endswith(ask_texts.TRALOI_STORE_BUSY)
    with db.session() as s:
        waiting = s.exec(select(OfficialAnswer)).one()
    assert waiting.status == "published" and waiting.store_version is None
    assert waiting.store_error and waiting.store_error.startswith("store busy")
    assert load_current(settings.store_dir).name == before.name  # type: ignore[union-attr]
    # The worker's next try, once the other run is done.
    joiner = assistant.feature("official_answers").joiner  # type: ignore[union-attr]
    result = await joiner.join()
    assert result is not None and result.version == load_current(settings.store_dir).name  # type: ignore[union-attr]
    assert "hoi-dap-chinh-thuc/1" in load_current(settings.store_dir).documents  # type: ignore[union-attr]
    assert await joiner.join() is None  # nothing waits any more


def test_similar_questions_group_by_their_content_words() -> None:
    words = similar.content_words
    assert words("Bao giờ phải nộp báo cáo tháng?") == frozenset({"nop", "bao", "cao", "thang"})
    assert words("bao gio phai nop bao cao thang") == words("Bao giờ phải nộp báo cáo tháng?")
    assert similar.similarity(words("Hạn nộp báo cáo tháng là ngày nào?"),
                              words("Bao giờ phải nộp báo cáo tháng?")) == pytest.approx(0.8)
    assert similar.similar(words("Mức đóng đảng phí của đảng viên hưu trí?"),
                           words("Đảng viên hưu trí đóng đảng phí bao nhiêu?"))
    assert not similar.similar(words("Đảng viên đi làm ăn xa sinh hoạt ở đâu?"),
                               words("Mức đóng đảng phí của đảng viên hưu trí?"))
    grouped = similar.group(["Bao giờ phải nộp báo cáo tháng?", "Đảng viên hưu trí đóng đảng phí?",
                             "Hạn nộp báo cáo tháng là ngày nào?", "bao gio nop bao cao thang"],
                            lambda q: q)
    assert grouped == [["Bao giờ phải nộp báo cáo tháng?", "Hạn nộp báo cáo tháng là ngày nào?",
                        "bao gio nop bao cao thang"], ["Đảng viên hưu trí đóng đảng phí?"]]


def test_index_runs_keep_the_answers_and_record_what_they_read(
    tmp_path: Path, knowledge_dir: Path,
) -> None:
    from tuyengiao.official_store import recorded_paths, with_answers, write_entries

    file = tmp_path / "answers" / "hoi-dap-chinh-thuc.jsonl"
    settings = Settings(_env_file=None, official_answers_file=file)  # type: ignore[call-arg]
    assert with_answers(settings, [knowledge_dir]) == [knowledge_dir]  # no answers yet
    write_entries(file, [{"doc_id": "hoi-dap-chinh-thuc/1", "text": "Hỏi: a\nTrả lời: b"}])
    assert with_answers(settings, [knowledge_dir]) == [knowledge_dir, file]
    assert with_answers(settings, [tmp_path]) == [tmp_path]  # the folder holds it already
    record_paths(tmp_path / "store", [knowledge_dir])
    assert recorded_paths(tmp_path / "store") == [knowledge_dir.resolve()]


def test_only_an_officer_of_the_askers_unit_publishes(db: Database, units: dict[str, int]) -> None:
    """The rules live in the core (bot/ask/official.py), whatever the chat sends: a member, an
    officer of another district, another officer pressing the author's button, an author no
    longer an officer there — each refused, and nothing changes."""
    from bot.ask import official
    from bot.services.errors import PermissionDenied
    from bot.services.questions import log_question
    from bot.storage.models import Membership

    with db.session() as s:
        def who(user: int, admin: bool = False) -> Any:
            return identify(s, "telegram", str(user), f"Người {user}",
                            admin_ids=frozenset({f"telegram:{user}"} if admin else ()))

        west_officer = identify(s, "telegram", "905", "Người 905", admin_ids=frozenset())
        join_with_code(s, west_officer, admin_create_invite(s, units["west"], "officer").code)
        deputy = identify(s, "telegram", "906", "Người 906", admin_ids=frozenset())
        join_with_code(s, deputy, admin_create_invite(s, units["east"], "officer").code)
        asked = log_question(s, who(NEAR), "telegram", str(NEAR), QUESTION, latency_ms=5,
                             answered=False)
        stranger = log_question(s, None, "telegram", "777", UNRELATED, latency_ms=5,
                                answered=False)

        for actor in (who(NEAR), who(905)):
            with pytest.raises(PermissionDenied):
                official.start(s, actor, "telegram", "1", asked, days=90)
        with pytest.raises(PermissionDenied):  # asked by nobody's member: admins only
            official.start(s, who(OFFICER), "telegram", str(OFFICER), stranger, days=90)
        by_admin = official.start(s, who(1, admin=True), "telegram", "1", stranger, days=90)
        assert by_admin.draft.unit_name == "Tỉnh Minh Sơn"  # the top unit of the tree

        picked = official.start(s, who(OFFICER), "telegram", str(OFFICER), asked, days=90)
        assert (picked.draft.unit_name, picked.askers) == ("Ban Tuyên giáo Huyện ủy Đông Hà", 1)
        draft_id = picked.draft.id
        assert draft_id is not None
        official.take_text(s, draft_id, ANSWER)
        official.take_source(s, draft_id, "Chỉ thị 05-CT/TW", None)
        for actor in (who(NEAR), who(905), who(906)):  # the button pressed by someone else
            with pytest.raises(PermissionDenied):
                official.publish(s, actor, draft_id, days=90)
            with pytest.raises(PermissionDenied):
                official.cancel(s, actor, draft_id)
        # The author loses the officer role before publishing.
        role = s.exec(select(Membership).where(Membership.person_id == who(OFFICER).person_id)).one()
        role.role = "member"
        s.add(role)
        s.flush()
        with pytest.raises(PermissionDenied):
            official.publish(s, who(OFFICER), draft_id, days=90)
        draft = s.get(OfficialAnswer, draft_id)
        assert draft is not None and (draft.status, draft.step) == ("draft", "confirm")
        assert s.exec(select(AnswerNotice)).all() == []
        assert s.get(QuestionLog, asked).official_answer_id is None  # type: ignore[union-attr]
