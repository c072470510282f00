"""The whole loop of a study campaign through the real Telegram and Zalo adapters, the real
core and the broadcast worker, against the loopback Bot API servers: an officer composes it
on Telegram, members get it on both platforms, a member checks in with the session code on
Zalo, the cell's secretary takes the roll with buttons, the runner sends self-study to the
absentees, one takes the quiz as Telegram native quizzes and one as numbered answers on
Zalo, and officers read the report (table, PNG chart, CSV) within their own units."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import re
from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from bot import messages as shared
from bot.storage.models import LOCAL_TZ, utcnow
from bot.study import messages as texts
from bot.study.models import StudyCampaign, StudyParticipant
from tests.bot.study.conftest import QUIZ, SECRETARY, WAIT, Live, Stage, live
from tests.bot.broadcast.test_zalo_conversation import choice
from tests.security.chats import Chats, buttons


async def _tg_reply(chats: Chats, chat: int, start: str) -> dict[str, Any]:
    """The bot's next message to `chat` whose text starts with `start`."""
    return await chats.tg.wait_for("sendMessage", lambda p: p["chat_id"] == chat and html.unescape(
        str(p["text"])).startswith(start), timeout=WAIT)


async def _zl_reply(chats: Chats, chat: str, start: str) -> str:
    sent = await chats.zl.wait_for("sendMessage", lambda p: p["chat_id"] == chat
                                   and str(p["text"]).startswith(start), timeout=WAIT)
    return str(sent["text"])


async def _zsay(chats: Chats, chat: str, text: str, start: str) -> str:
    """A Zalo member types `text` privately; the bot's next reply that starts with `start`."""
    chats.zl.text_update(chat, chat, text)
    return await _zl_reply(chats, chat, start)


async def _compose_on_telegram(stage: Stage, chats: Chats) -> int:
    officer = int("901")
    await chats.telegram(officer, officer, "/taohoctap")
    assert chats.telegram_texts(officer)[-1].startswith("📚 Tạo đợt học tập")
    await chats.telegram(officer, officer, "không có số hiệu này 99-XX/YY")  # not in the store
    assert chats.telegram_texts(officer)[-1].startswith("Không tìm thấy văn bản")
    chats.tg.text_update(officer, officer, "05-CT/TW")
    asked = await _tg_reply(chats, officer, "Bước 2")
    campaign_id = int(buttons(asked)[0].split(":")[2])
    await chats.press(officer, officer, f"sh:c:{campaign_id}:t")  # the suggested title
    units = await _tg_reply(chats, officer, "Bước 3")
    assert f"sh:c:{campaign_id}:u:{stage.world.district}" in buttons(units)
    await chats.press(officer, officer, f"sh:c:{campaign_id}:u:{stage.world.district}")
    await _tg_reply(chats, officer, "Bước 3")
    await chats.press(officer, officer, f"sh:c:{campaign_id}:ud")
    await _tg_reply(chats, officer, "Bước 4")
    await chats.press(officer, officer, f"sh:c:{campaign_id}:dl:7")
    await _tg_reply(chats, officer, "Bước 5")
    chats.tg.text_update(officer, officer, "31/02/2026")  # no such day
    assert (await _tg_reply(chats, officer, "Không đọc được ngày"))["text"]
    # The common session in an hour (Vietnam time, as officers type it).
    at = (utcnow() + timedelta(hours=1)).astimezone(LOCAL_TZ)
    chats.tg.text_update(officer, officer, at.strftime("%d/%m/%Y %H:%M"))
    await _tg_reply(chats, officer, "Bước 6")
    chats.tg.text_update(officer, officer, QUIZ)
    await _tg_reply(chats, officer, "Bài kiểm tra có 3 câu")
    await chats.press(officer, officer, f"sh:c:{campaign_id}:pm:2")
    preview = await _tg_reply(chats, officer, "")
    assert f"sh:c:{campaign_id}:go" in buttons(preview)
    started = await chats.press(officer, officer, f"sh:c:{campaign_id}:go")
    assert started.startswith(f"✅ Đã bắt đầu đợt học tập #{campaign_id}")
    return campaign_id


async def _roll_call(stage: Stage, chats: Chats, campaign_id: int) -> None:
    """The secretary: /diemdanh shows the code; one present, one absent with a reason,
    one exempt; closes the roll."""
    w = stage.world
    secretary = int(SECRETARY)
    chats.tg.text_update(secretary, secretary, f"/diemdanh {campaign_id}")
    roll = html.unescape(str((await _tg_reply(chats, secretary, "📋"))["text"]))
    code = re.search(r"Mã điểm danh: (\w+)", roll)[1]  # type: ignore[index]
    sid = stage.session_of(campaign_id, w.cell).id
    # A member of the cell checks in on Zalo with the code read out at the meeting.
    zalo_member = stage.zalo.members[w.cell][0]
    checked = await _zsay(chats, zalo_member, f"/comat {code.lower()}", "✅")
    assert checked == texts.CHECKED_IN.format(id=campaign_id,
                                              title="Học tập, quán triệt Chỉ thị 05-CT/TW")
    # The same code from a member of another commune: not their session.
    outsider = stage.zalo.members[w.commune2][0]
    assert await _zsay(chats, outsider, f"/comat {code}", "Mã") == texts.CODE_OTHER_SESSION
    m = [stage.actor(u) for u in w.members[w.cell]]
    await chats.press(secretary, secretary, f"sh:s:{sid}:{m[0].person_id}:p")
    await _tg_reply(chats, secretary, "📋")
    await chats.press(secretary, secretary, f"sh:s:{sid}:{m[1].person_id}:a")
    await _tg_reply(chats, secretary, "Lý do vắng")
    chats.tg.text_update(secretary, secretary, "Đi công tác")
    listed = html.unescape(str((await _tg_reply(chats, secretary, "📋"))["text"]))
    assert "vắng (Đi công tác)" in listed and "có mặt (tự điểm danh)" in listed
    await chats.press(secretary, secretary, f"sh:s:{sid}:{m[3].person_id}:e")
    await _tg_reply(chats, secretary, "📋")
    # A forged button for a session outside the secretary's cell is refused by the core.
    other = stage.session_of(campaign_id, w.commune2).id
    refused = await chats.press(secretary, secretary, f"sh:close:{other}")
    assert refused == shared.PERMISSION_DENIED
    assert stage.session_of(campaign_id, w.commune2).roll_closed_at is None
    closed = await chats.press(secretary, secretary, f"sh:close:{sid}")
    # Present: m[0] and the Zalo member; exempt m[3]; absent the rest of the cell.
    assert closed == texts.ROLL_CLOSED_DONE.format(unit="Chi bộ thôn Đông", present=2, absent=5,
                                                   exempt=1)[:190]


async def test_the_whole_loop_through_both_platforms(stage: Stage) -> None:
    w = stage.world
    async with live(stage) as running:
        chats = running.chats
        campaign_id = await _compose_on_telegram(stage, chats)
        # The announcement on both platforms: buttons on Telegram, a typed hint on Zalo.
        member = int(w.members[w.cell][2])
        got = await _tg_reply(chats, member, "📚 Đợt học tập")
        assert buttons(got) == [f"sh:doc:{campaign_id}"]
        zalo_member = stage.zalo.members[w.cell][1]
        announced = await _zl_reply(chats, zalo_member, "📚 Đợt học tập")
        assert announced.endswith(texts.ANNOUNCE_TYPED.format(id=campaign_id))
        await _zl_reply(chats, stage.zalo.group, "📚 Đợt học tập")

        await _roll_call(stage, chats, campaign_id)

        # The runner sends self-study to the absentees (those with a chat), through the outbox.
        await running.runner.tick()
        self_study = await _tg_reply(chats, member, "📖 Tự học")
        assert buttons(self_study) == [f"sh:doc:{campaign_id}", f"sh:done:{campaign_id}",
                                       f"sh:q:{campaign_id}"]
        zalo_text = await _zl_reply(chats, zalo_member, "📖 Tự học")

        await _quiz_on_telegram(chats, member, campaign_id)
        await _quiz_on_zalo(chats, zalo_member, zalo_text, campaign_id)
        await _reports(stage, running, campaign_id)


async def _quiz_on_telegram(chats: Chats, member: int, campaign_id: int) -> None:
    """Native quizzes in the private chat: the named notice first, one poll per question,
    each answer brings the next; a wrong answer then the score."""
    await chats.press(member, member, f"sh:q:{campaign_id}")
    notice = await _tg_reply(chats, member, "📝 Bài kiểm tra")
    assert "được ghi tên đồng chí" in html.unescape(str(notice["text"]))
    for position, option in ((1, 1), (2, 1), (3, 0)):  # the second is wrong
        poll = await chats.tg.wait_for("sendPoll", lambda p: p["chat_id"] == member
                                       and str(p["question"]).startswith(f"Câu {position}/3"),
                                       timeout=WAIT)
        assert poll["type"] == "quiz" and poll["is_anonymous"] is False
        poll_id = next(pid for pid, (c, _) in chats.tg.poll_messages.items()
                       if c == member and chats.tg.polls[pid]["question"] == poll["question"])
        chats.tg.vote(poll_id, member, [option])
    result = html.unescape(str((await _tg_reply(chats, member, "🎉 Kết quả"))["text"]))
    assert result.startswith("🎉 Kết quả: 2/3 câu đúng — ĐẠT (cần 2)")
    assert "Câu 2: đáp án «Tổ xung kích phòng, chống thiên tai»" in result


async def _quiz_on_zalo(chats: Chats, member: str, self_study: str, campaign_id: int) -> None:
    """Numbered answers on Zalo: the typed number presses the option."""
    # The outbox sends Zalo the typed form; the member's own view numbers the choices.
    assert self_study.endswith(texts.SELF_STUDY_TYPED.format(
        id=campaign_id, quiz=texts.SELF_STUDY_TYPED_QUIZ))
    view = await _zsay(chats, member, f"/hoctap {campaign_id}", "📚")
    assert texts.VIEW_STATE_TODO in view
    first = await _zsay(chats, member, choice(view, texts.QUIZ_BUTTON), "📝")
    assert first.startswith("📝 Bài kiểm tra") and "Câu 1/3" in first
    second = await _zsay(chats, member, "1", "")  # wrong
    assert "Câu 2/3" in second
    third = await _zsay(chats, member, "2", "")  # wrong
    assert "Câu 3/3" in third
    result = await _zsay(chats, member, "1", "")
    assert "Kết quả: 1/3 câu đúng — chưa đạt (cần 2)." in result
    assert texts.QUIZ_RESULT_RETRY.format(left=1) in result


async def _reports(stage: Stage, running: Live, campaign_id: int) -> None:
    chats = running.chats
    officer = int("901")
    chats.tg.text_update(officer, officer, f"/hoctap {campaign_id}")
    table = html.unescape(str((await _tg_reply(chats, officer, "📊"))["text"]))
    # 15 people, 1 exempt: 2 attended; the Telegram absentee passed the quiz (self-study).
    assert ("Toàn bộ: 15 đảng viên, 1 miễn sinh hoạt; dự học 2 (14,3%), tự học 1 (7,1%), "
            "đạt kiểm tra 1 (7,1%), hoàn thành 3 (21,4%), chưa học 11 (78,6%).") in table
    photo = await chats.tg.wait_for("sendPhoto", lambda p: p["chat_id"] == officer, timeout=WAIT)
    image = photo["photo"]
    data = image if isinstance(image, bytes) else image.get("data", b"")
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (900, 295)  # three unit rows
    chats.tg.text_update(officer, officer, f"/hoctap {campaign_id} csv")
    sent = await chats.tg.wait_for("sendDocument", lambda p: p["chat_id"] == officer, timeout=WAIT)
    document = sent["document"]
    raw = document if isinstance(document, bytes) else document.get("data", b"")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == list(texts.CSV_HEADER)
    assert [r[1] for r in rows[1:]] == ["Huyện Đông Hà", "Xã Hòa Bình", "Chi bộ thôn Đông",
                                        "Xã Tân Lập"]
    # The secretary sees their cell only; a member sees their own studies.
    secretary = int(SECRETARY)
    chats.tg.text_update(secretary, secretary, f"/hoctap {campaign_id}")
    mine = html.unescape(str((await _tg_reply(chats, secretary, "📊"))["text"]))
    assert "Chi bộ thôn Đông" in mine and "Xã Tân Lập" not in mine
    member = int(stage.world.members[stage.world.commune2][0])
    chats.tg.text_update(member, member, "/hoctap")
    pending = html.unescape(str((await _tg_reply(chats, member, texts.MY_TITLE))["text"]))
    assert pending.startswith(texts.MY_TITLE) and f"#{campaign_id} " in pending
    assert texts.MY_STATE_TODO in pending
    passed = stage.db.call(lambda s: s.exec(select(StudyParticipant).where(
        StudyParticipant.campaign_id == campaign_id,
        col(StudyParticipant.quiz_passed_at).is_not(None))).all())
    assert [p.person_id for p in passed] == [stage.actor(stage.world.members[stage.world.cell][2]).person_id]


async def test_hostile_input_is_refused_with_a_clear_message(stage: Stage) -> None:
    """Members cannot create campaigns; a cell secretary cannot target above their cell even
    with a forged button; forged and garbled button data, an overlong code, a bad date and
    a code typed after the roll closed each get a short answer, and the bot keeps going."""
    from tests.bot.study.conftest import open_campaign

    w = stage.world
    campaign_id = open_campaign(stage)
    member, secretary = int(w.members[w.cell][1]), int(SECRETARY)
    async with live(stage) as running:
        chats = running.chats
        chats.tg.text_update(member, member, "/taohoctap")
        assert (await _tg_reply(chats, member, shared.NOT_OFFICER))["text"]
        chats.tg.text_update(secretary, secretary, "/taohoctap")
        asked = await _tg_reply(chats, secretary, "📚 Tạo đợt học tập")
        draft = int(buttons(asked)[0].split(":")[2])
        chats.tg.text_update(secretary, secretary, "05-CT/TW")
        await _tg_reply(chats, secretary, "Bước 2")
        await chats.press(secretary, secretary, f"sh:c:{draft}:t")
        units = await _tg_reply(chats, secretary, "Bước 3")
        assert f"sh:c:{draft}:u:{w.district}" not in buttons(units)  # not offered
        assert await chats.press(secretary, secretary, f"sh:c:{draft}:u:{w.district}") \
            == shared.OUTSIDE_SCOPE  # and refused when forged
        assert stage.campaign(draft).unit_ids == []
        # Another officer's draft, garbled data, an option that is not there.
        for data in (f"sh:c:{campaign_id}:go", "sh:a:x:y", "sh:s:1:2:z", f"sh:a:999999:1:99",
                     "sh:" + "9" * 60):
            toast = await chats.press(secretary, secretary, data)
            assert toast, data  # a short answer, never silence
        chats.tg.text_update(member, member, "/comat " + "A" * 5000)
        assert (await _tg_reply(chats, member, "Mã điểm danh không đúng"))["text"]
        chats.tg.text_update(secretary, secretary, f"/lichhoc {campaign_id} 30/02/2027")
        assert (await _tg_reply(chats, secretary, "Không đọc được ngày"))["text"]
        # The roll closes; the code read out at the meeting no longer works.
        sid = stage.session_of(campaign_id, w.cell).id
        await chats.press(secretary, secretary, f"sh:close:{sid}")
        code = stage.session_of(campaign_id, w.cell).code
        chats.tg.text_update(member, member, f"/comat {code}")
        late = html.unescape(str((await _tg_reply(chats, member, "Buổi sinh hoạt này"))["text"]))
        assert late.startswith("Buổi sinh hoạt này đã kết thúc điểm danh lúc")
        assert f"/hoctap {campaign_id}" in late
        # Still answering.
        chats.tg.text_update(member, member, "/hoctap")
        assert (await _tg_reply(chats, member, texts.MY_TITLE))["text"]


async def test_the_runner_flags_a_deleted_document_and_sends_the_final_report_once(
        stage: Stage) -> None:
    """The document vanishes from the store: the author is told once and the report says
    so. At the deadline the campaign closes and its author gets the table and the chart,
    once; a code typed afterwards is refused as late."""
    from tests.bot.study.conftest import open_campaign

    w = stage.world
    campaign_id = open_campaign(stage)
    code = stage.session_of(campaign_id, w.cell).code
    officer, member = int("901"), int(w.members[w.cell][1])

    def vanish(session) -> None:  # type: ignore[no-untyped-def]
        campaign = session.get(StudyCampaign, campaign_id)
        campaign.doc_id = "gone-from-the-store.txt"
        session.add(campaign)

    stage.db.call(vanish)
    async with live(stage) as running:
        chats = running.chats
        await running.runner.tick()
        told = html.unescape(str((await _tg_reply(chats, officer, "⚠"))["text"]))
        assert told.startswith(f"⚠ Đợt học tập #{campaign_id}: văn bản Chỉ thị 05-CT/TW "
                               f"{texts.VALIDITY_DELETED}.")
        running.runner._validity_at = float("-inf")  # look again at once: no second notice
        await running.runner.tick()

        def past_deadline(session) -> None:  # type: ignore[no-untyped-def]
            campaign = session.get(StudyCampaign, campaign_id)
            campaign.deadline_at = utcnow() - timedelta(minutes=1)
            session.add(campaign)

        stage.db.call(past_deadline)
        await running.runner.tick()
        assert await asyncio.wait_for(running.runner.reported.get(), WAIT) == campaign_id
        final = html.unescape(str((await _tg_reply(chats, officer, "📌"))["text"]))
        assert final.startswith(f"📌 Báo cáo cuối đợt học tập #{campaign_id}")
        assert "(đã kết thúc)" in final
        assert texts.REPORT_DOC_DELETED.format(document="Chỉ thị 05-CT/TW") in final
        await chats.tg.wait_for("sendPhoto", lambda p: p["chat_id"] == officer, timeout=WAIT)
        await running.runner.tick()
        assert running.runner.reported.empty()
        assert len([p for p in chats.tg.calls_of("sendMessage") if p["chat_id"] == officer
                    and str(p["text"]).startswith(("⚠", "📌"))]) == 2
        chats.tg.text_update(member, member, f"/comat {code}")
        late = html.unescape(str((await _tg_reply(chats, member, "Buổi sinh hoạt này"))["text"]))
        assert late.startswith("Buổi sinh hoạt này đã kết thúc điểm danh lúc")


async def test_a_campaign_on_an_attached_file(stage: Stage) -> None:
    """A file sent at step 1 is the campaign's document: Telegram members open it by its
    file id; Zalo members (the id is Telegram's) are told it came with the announcement."""
    w = stage.world
    officer = int("901")
    async with live(stage) as running:
        chats = running.chats
        chats.tg.text_update(officer, officer, "/taohoctap")
        asked = await _tg_reply(chats, officer, "📚 Tạo đợt học tập")
        campaign_id = int(buttons(asked)[0].split(":")[2])
        chats.tg.document_update(officer, officer, "ke-hoach-hoc-tap.pdf")
        got = html.unescape(str((await _tg_reply(chats, officer, "Đã nhận tệp"))["text"]))
        assert got.startswith("Đã nhận tệp «ke-hoach-hoc-tap.pdf».\n\nBước 2")
        for data, step in ((f"sh:c:{campaign_id}:t", "Bước 3"),
                           (f"sh:c:{campaign_id}:u:{w.cell}", "Bước 3"),
                           (f"sh:c:{campaign_id}:ud", "Bước 4"),
                           (f"sh:c:{campaign_id}:dl:7", "Bước 5"),
                           (f"sh:c:{campaign_id}:ss", "Bước 6")):
            await chats.press(officer, officer, data)
            await _tg_reply(chats, officer, step)
        # The quiz sent as a CSV file (downloaded through getFile; tests/bot/study/
        # test_quiz_file.py has the encodings and the refusals).
        quiz_csv = "\r\n".join(line.replace(" | ", ";") for line in QUIZ.split("\n"))
        chats.tg.add_file("BQ-quiz", quiz_csv.encode("utf-8-sig"), "documents/file_9.csv")
        chats.tg.document_update(officer, officer, "cau-hoi.csv", file_id="BQ-quiz",
                                 mime_type="text/csv", file_size=len(quiz_csv.encode()) + 3)
        await _tg_reply(chats, officer, "Bài kiểm tra có 3 câu")
        await chats.press(officer, officer, f"sh:c:{campaign_id}:pm:2")
        preview = html.unescape(str((await _tg_reply(chats, officer, "📚 Xem lại"))["text"]))
        assert "Bài kiểm tra: 3 câu, đạt từ 2 câu" in preview
        started = await chats.press(officer, officer, f"sh:c:{campaign_id}:go")
        assert started.startswith(f"✅ Đã bắt đầu đợt học tập #{campaign_id}")
        assert stage.campaign(campaign_id).title == "Học tập, quán triệt ke-hoach-hoc-tap.pdf"
        member = int(w.members[w.cell][2])
        await _tg_reply(chats, member, "📚 Đợt học tập")
        await chats.press(member, member, f"sh:doc:{campaign_id}")
        sent = await chats.tg.wait_for("sendDocument", lambda p: p["chat_id"] == member,
                                       timeout=WAIT)
        assert sent["document"] == "BQACAgIAAxk-ke-hoach-hoc-tap.pdf"
        zalo_member = stage.zalo.members[w.cell][0]
        await _zl_reply(chats, zalo_member, "📚 Đợt học tập")
        view = await _zsay(chats, zalo_member, f"/hoctap {campaign_id}", "📚")
        opened = await _zsay(chats, zalo_member, choice(view, texts.VIEW_BUTTON), "Văn bản")
        assert opened == texts.DOC_FILE_ONLY.format(name="ke-hoach-hoc-tap.pdf")

