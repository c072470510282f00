"""A Telegram group upgraded to a supergroup (issue 11, case "group migration"): its id
changes. Every send path must follow `migrate_to_chat_id` to the new id and re-point what is
stored (the unit's group registration, poll messages, outbox rows), whether the bot hears
of it from a send or from the service messages. Replayed through the real adapters, the poll
runner and the broadcast worker against the loopback Bot API."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from bot.broadcast import report, service as broadcasts
from bot.broadcast.models import Delivery
from bot.polls import service as polls
from bot.polls.models import PollMessage
from bot.storage.database import Database
from bot.storage.models import ChatRecord, utcnow
from tests.security.stage import WAIT, Stage, db, stage  # noqa: F401  (db: a fixture)

CELL_GROUP, CELL_SUPERGROUP = -5001, -1005001
COMMUNE_GROUP, COMMUNE_SUPERGROUP = -5002, -1005002


def _group_rows(db: Database) -> dict[str, int | None]:
    """Telegram group chat id -> the unit it is registered to."""
    return db.call(lambda s: {c.chat_id: c.unit_id for c in s.exec(select(ChatRecord).where(
        ChatRecord.platform == "telegram", ChatRecord.kind == "group"))})


def _poll(s: Stage, *, anonymous: bool) -> int:
    actor = s.officer()
    poll = s.db.call(polls.create, actor, question="Chi bộ đã học Chỉ thị 05-CT/TW chưa?",
                     options=["Đã học", "Chưa học"], anonymous=anonymous,
                     closes_at=utcnow() + timedelta(hours=1), unit_ids=[s.world.cell])
    assert poll.id is not None
    s.db.call(polls.open_poll, actor, poll.id)
    return poll.id


def _failed_calls(s: Stage, method: str, chat_id: int) -> int:
    return len([c for c in s.tg.calls if c.method == method and not c.ok
                and c.params.get("chat_id") == chat_id])


async def test_a_poll_to_an_upgraded_group_arrives_in_the_supergroup(
        db: Database, tmp_path: Path) -> None:
    async with stage(db, tmp_path) as s:
        s.tg.migrate_group(CELL_GROUP, CELL_SUPERGROUP, notify=False)  # the bot did not hear
        poll_id = _poll(s, anonymous=True)
        await s.runner.tick()
        arrived = s.tg.poll_sent_to(CELL_SUPERGROUP)
        assert arrived is not None and arrived["question"] == "Chi bộ đã học Chỉ thị 05-CT/TW chưa?"
        assert _failed_calls(s, "sendPoll", CELL_GROUP) == 1
        # The supergroup holds the unit's original; the members' copies are forwards of it.
        for member in s.world.members[s.world.cell]:
            assert s.tg.poll_sent_to(int(member))["id"] == arrived["id"]
        forwards = s.tg.calls_of("forwardMessage")
        assert {f["from_chat_id"] for f in forwards} == {CELL_SUPERGROUP}
        rows = s.db.call(lambda session: {m.chat_id: m.status for m in session.exec(
            select(PollMessage).where(PollMessage.poll_id == poll_id,
                                      PollMessage.chat_kind == "group"))})
        assert rows == {str(CELL_SUPERGROUP): "sent", "zg-cell": "sent"}
        groups = _group_rows(s.db)
        assert groups[str(CELL_SUPERGROUP)] == s.world.cell and str(CELL_GROUP) not in groups


async def test_a_broadcast_to_an_upgraded_group_follows_it_and_the_next_goes_straight_there(
        db: Database, tmp_path: Path) -> None:
    async with stage(db, tmp_path, worker=True) as s:
        assert s.worker is not None
        s.tg.migrate_group(COMMUNE_GROUP, COMMUNE_SUPERGROUP, notify=False)
        first = _broadcast(s, "Đề nghị các chi bộ báo cáo kết quả học tập Chỉ thị 05 trước 20/12.")
        got = await s.tg.wait_for("sendMessage", lambda p: p["chat_id"] == COMMUNE_SUPERGROUP,
                                  timeout=WAIT)
        assert got["text"].startswith("📢 THÔNG BÁO")
        await _finished(s, first)
        delivery = s.db.call(lambda session: session.exec(select(Delivery).where(
            Delivery.broadcast_id == first, Delivery.chat_kind == "group",
            Delivery.platform == "telegram", Delivery.unit_id == s.world.commune2)).one())
        assert (delivery.chat_id, delivery.status) == (str(COMMUNE_SUPERGROUP), "sent")
        line = s.db.call(lambda session: report.final_text(report.delivery_report(
            session, broadcasts.get(session, None, first))))
        assert "• Xã Tân Lập: 3/3 người nhận được (100%); nhóm 1/1; lỗi 0" in line
        assert _group_rows(s.db)[str(COMMUNE_SUPERGROUP)] == s.world.commune2
        second = _broadcast(s, "Nhắc lại: hạn báo cáo là ngày 20/12.")
        await _finished(s, second)
        assert _failed_calls(s, "sendMessage", COMMUNE_GROUP) == 1  # only the first one


async def test_the_service_messages_re_point_the_group_and_what_waits_for_it(
        db: Database, tmp_path: Path) -> None:
    async with stage(db, tmp_path) as s:
        poll_id = _poll(s, anonymous=False)  # not posted yet: the runner has not ticked
        broadcast_id = _broadcast(s, "Lịch sinh hoạt chi bộ tháng 12.")  # no worker: waits
        s.tg.migrate_group(CELL_GROUP, CELL_SUPERGROUP)  # both service messages
        changes = await s.handled.wait(2)
        assert [(c.chat.chat_id, c.moved_to) for c in changes] == \
            [(str(CELL_GROUP), str(CELL_SUPERGROUP))] * 2
        groups = _group_rows(s.db)
        assert groups[str(CELL_SUPERGROUP)] == s.world.cell and str(CELL_GROUP) not in groups
        waiting = s.db.call(lambda session: (
            session.exec(select(PollMessage.chat_id).where(
                PollMessage.poll_id == poll_id, PollMessage.chat_kind == "group",
                PollMessage.platform == "telegram")).one(),
            session.exec(select(Delivery.chat_id).where(
                Delivery.broadcast_id == broadcast_id, Delivery.chat_kind == "group",
                Delivery.platform == "telegram", Delivery.unit_id == s.world.cell)).one()))
        assert waiting == (str(CELL_SUPERGROUP), str(CELL_SUPERGROUP))
        await s.runner.tick()
        assert s.tg.poll_sent_to(CELL_SUPERGROUP) is not None
        assert _failed_calls(s, "sendPoll", CELL_GROUP) == 0


async def test_an_answer_in_a_group_that_was_just_upgraded_reaches_the_supergroup(
        db: Database, tmp_path: Path) -> None:
    async with stage(db, tmp_path) as s:
        # A member asked in the group a moment before it was upgraded: the reply finds it gone.
        s.tg.migrate_group(CELL_GROUP, CELL_SUPERGROUP, notify=False)
        s.tg.text_update(CELL_GROUP, 1001, "@TuyenGiaoTestBot Chỉ thị 05 nói gì về tổ xung kích?",
                         "group")
        answer = await s.tg.wait_for("sendMessage", lambda p: p["chat_id"] == CELL_SUPERGROUP,
                                     timeout=WAIT)
        assert "05-CT/TW" in answer["text"]
        assert _failed_calls(s, "sendMessage", CELL_GROUP) == 1
        moved = await s.handled.wait(2)  # the question, and the move the reply found
        assert moved[-1].moved_to == str(CELL_SUPERGROUP)
        groups = _group_rows(s.db)
        assert groups[str(CELL_SUPERGROUP)] == s.world.cell and str(CELL_GROUP) not in groups


def _broadcast(s: Stage, text: str) -> int:
    actor = s.officer()
    draft = s.db.call(broadcasts.create, actor, text=text, unit_ids=[s.world.district],
                      roles=["member"])
    assert draft.id is not None
    s.db.call(broadcasts.confirm, actor, draft.id)
    if s.worker is not None:
        s.worker.wake()
    return draft.id


async def _finished(s: Stage, broadcast_id: int) -> None:
    assert s.worker is not None

    async def until() -> None:
        while (done := await s.worker.finished.get()) != broadcast_id:  # type: ignore[union-attr]
            pass

    await asyncio.wait_for(until(), WAIT)
