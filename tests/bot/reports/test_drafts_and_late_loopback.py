"""Drafts and late marking through the real platform adapters against the loopback Bot APIs:
a commune officer starts the monthly report, leaves it part-way (the draft is kept with its
answers), comes back after the deadline with /nopbaocao, is taken to the step where they left,
submits, and the report is stored and shown late on the requester's tracking page.

    Huyện Đông Hà          officer 901 on Telegram (the requester)
    ├── Xã Hòa Bình        officer 911 on Telegram (buttons; leaves with «⏸ Để sau»)
    └── Xã Tân Lập         officer z-912 on Zalo (typed numbered steps; simply walks away)
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlmodel import select

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.zalo.api import RetryPolicy, ZaloBotApi
from bot.channels.zalo.channel import ZaloChannel
from bot.core.dispatcher import Dispatcher
from bot.reports.config import ReportConfig
from bot.reports.models import ReportAssignment, ReportDraft, ReportSubmission
from bot.storage.database import Database
from tests.bot.broadcast.conftest import WAIT
from tests.bot.broadcast.world import World, add_person
from tests.bot.reports.conftest import (
    Clock, Talk, buttons, create_request, keys, local, number_of, text_of,
)
from tests.fakes.telegram_api import TelegramApiServer
from tests.fakes.zalo_api import ZaloApiServer

COMMUNE = 911
ZALO_OFFICER = "z-912"


async def _monthly_request(core: Dispatcher, world: World) -> int:
    """The district's monthly request (due the 20th), sent; its id."""
    officer = Talk(core, world.officer_id)
    preview = await create_request(officer, "Huyện Đông Hà", "Các đơn vị trực thuộc", "Hằng tháng",
                                   "20")
    sent = text_of(await officer.press(buttons(preview)["📨 Gửi yêu cầu"]))
    return int(sent.split("#", 1)[1].split(" ", 1)[0])


def _assignment(db: Database, unit_id: int) -> ReportAssignment:
    return db.call(lambda s: s.exec(select(ReportAssignment).where(
        ReportAssignment.unit_id == unit_id)).one())


def _drafts(db: Database) -> list[ReportDraft]:
    return db.call(lambda s: list(s.exec(select(ReportDraft)).all()))


def _submissions(db: Database, assignment_id: int | None) -> list[ReportSubmission]:
    return db.call(lambda s: list(s.exec(select(ReportSubmission).where(
        ReportSubmission.assignment_id == assignment_id)).all()))


# --- Telegram -------------------------------------------------------------------------------

@pytest.fixture
async def telegram(core: Dispatcher) -> AsyncIterator[TelegramApiServer]:
    async with TelegramApiServer() as api, \
            TelegramChannel(api.token, core.handle, base_url=api.base_url,
                            commands=core.menu(), poll_timeout=1.0) as channel:
        core.outbound.attach("telegram", channel.outbound)
        yield api


async def tg_reply(api: TelegramApiServer, chat: int, has: str) -> dict[str, Any]:
    return await api.wait_for("sendMessage", lambda p: p["chat_id"] == chat
                              and has in p["text"], timeout=WAIT)


async def test_telegram_draft_kept_resumed_and_submitted_late(
        core: Dispatcher, db: Database, world: World, clock: Clock,
        telegram: TelegramApiServer) -> None:
    request_id = await _monthly_request(core, world)

    telegram.text_update(COMMUNE, COMMUNE, "/nopbaocao")
    await tg_reply(telegram, COMMUNE, "(1/4) Số buổi sinh hoạt chi bộ")
    telegram.text_update(COMMUNE, COMMUNE, "12")
    await tg_reply(telegram, COMMUNE, "(2/4) Nội dung nổi bật")
    telegram.text_update(COMMUNE, COMMUNE, "Sinh hoạt chuyên đề Bác Hồ")
    third = await tg_reply(telegram, COMMUNE, "(3/4) Đánh giá chung")
    telegram.callback_update(COMMUNE, COMMUNE, keys(third)["⏸ Để sau"])
    paused = await tg_reply(telegram, COMMUNE, "Đã lưu bản nháp")
    assert paused["text"] == "Đã lưu bản nháp. Gõ /nopbaocao để điền tiếp khi nào tiện."

    # Kept: two answers, at the third step, no longer taking the chat's texts; nothing sent.
    [draft] = _drafts(db)
    assert (draft.step, draft.active, draft.platform, draft.chat_id) == (
        2, False, "telegram", str(COMMUNE))
    assert json.loads(draft.answers_json) == {"f1": 12, "f2": "Sinh hoạt chuyên đề Bác Hồ"}
    assignment = _assignment(db, world.commune)
    assert (assignment.status, assignment.versions) == ("open", 0)

    # Back three days after the deadline (hết ngày 20/05): resumed at the third step.
    clock.set(local(2026, 5, 23, 10))
    telegram.text_update(COMMUNE, COMMUNE, "/nopbaocao")
    resumed = await tg_reply(telegram, COMMUNE, "Tiếp tục bản nháp đang dở")
    assert "(2/4 mục đã điền)" in resumed["text"], resumed["text"]
    assert "(3/4) Đánh giá chung" in resumed["text"], resumed["text"]
    telegram.callback_update(COMMUNE, COMMUNE, keys(resumed)["Khá"])
    file_step = await tg_reply(telegram, COMMUNE, "(4/4) Ảnh biên bản")
    telegram.callback_update(COMMUNE, COMMUNE, keys(file_step)["⏭ Bỏ qua"])
    summary = await tg_reply(telegram, COMMUNE, "KIỂM TRA TRƯỚC KHI GỬI")
    assert "12" in summary["text"] and "Sinh hoạt chuyên đề Bác Hồ" in summary["text"]
    assert "⚠️ Đã quá hạn (hết ngày 20/05/2026)" in summary["text"], summary["text"]
    telegram.callback_update(COMMUNE, COMMUNE, keys(summary)["✅ Gửi báo cáo"])
    done = await tg_reply(telegram, COMMUNE, "Đã nhận báo cáo")
    assert "nộp muộn 3 ngày" in done["text"] and "đúng hạn" not in done["text"], done["text"]

    assignment = _assignment(db, world.commune)
    assert (assignment.status, assignment.late, assignment.versions) == ("submitted", True, 1)
    assert [(s.version, s.late) for s in _submissions(db, assignment.id)] == [(1, True)]
    assert _drafts(db) == []

    # The requester, on Telegram too, sees it late on the tracking page.
    requester = int(world.officer_id)
    telegram.text_update(requester, requester, f"/theodoibaocao {request_id}")
    page = await tg_reply(telegram, requester, "Xã Hòa Bình")
    assert "Xã Hòa Bình — nộp muộn 3 ngày" in page["text"], page["text"]
    assert "Muộn 1" in page["text"], page["text"]


# --- Zalo -----------------------------------------------------------------------------------

@pytest.fixture
async def zalo(core: Dispatcher) -> AsyncIterator[ZaloApiServer]:
    async with ZaloApiServer(max_poll_wait=0.5) as api, aiohttp.ClientSession() as session:
        client = ZaloBotApi(api.token, session, base_url=api.base_url,
                            retry=RetryPolicy(backoff=0.01))
        async with ZaloChannel(client, core.handle, poll_timeout=1):
            yield api


async def zalo_says(api: ZaloApiServer, text: str, expect: str) -> str:
    api.text_update(ZALO_OFFICER, ZALO_OFFICER, text)
    sent = await api.wait_for("sendMessage", lambda p: p["chat_id"] == ZALO_OFFICER
                              and expect in p["text"], timeout=WAIT)
    return str(sent["text"])


async def test_zalo_draft_left_idle_resumed_by_typed_steps_and_submitted_late(
        core: Dispatcher, db: Database, world: World, clock: Clock, config: ReportConfig,
        zalo: ZaloApiServer) -> None:
    db.call(lambda s: add_person(s, ZALO_OFFICER, "Đỗ Thị Mai", world.commune2, "officer",
                                 platform="zalo"))
    request_id = await _monthly_request(core, world)

    await zalo_says(zalo, "/nopbaocao", "(1/4) Số buổi sinh hoạt chi bộ")
    await zalo_says(zalo, "3", "(2/4) Nội dung nổi bật")
    await zalo_says(zalo, "Chậm vì mưa bão", "(3/4) Đánh giá chung")
    # Walks away without a word: after the idle time the draft still holds both answers.
    clock.advance(minutes=config.form_idle.total_seconds() / 60 + 1)
    [draft] = _drafts(db)
    assert (draft.step, draft.platform, draft.chat_id) == (2, "zalo", ZALO_OFFICER)
    assert json.loads(draft.answers_json) == {"f1": 3, "f2": "Chậm vì mưa bão"}, draft.answers_json

    clock.set(local(2026, 5, 22, 15))  # two days after the deadline
    resumed = await zalo_says(zalo, "/nopbaocao", "Tiếp tục bản nháp đang dở")
    assert "(2/4 mục đã điền)" in resumed and "(3/4) Đánh giá chung" in resumed, resumed
    file_step = await zalo_says(zalo, number_of(resumed, "Trung bình"), "(4/4) Ảnh biên bản")
    summary = await zalo_says(zalo, number_of(file_step, "Bỏ qua"), "KIỂM TRA TRƯỚC KHI GỬI")
    assert "Chậm vì mưa bão" in summary and "Trung bình" in summary, summary
    assert "⚠️ Đã quá hạn (hết ngày 20/05/2026)" in summary, summary
    done = await zalo_says(zalo, number_of(summary, "Gửi báo cáo"), "Đã nhận báo cáo")
    assert "nộp muộn 2 ngày" in done and "đúng hạn" not in done, done

    assignment = _assignment(db, world.commune2)
    assert (assignment.status, assignment.late, assignment.versions) == ("submitted", True, 1)
    assert [(s.version, s.late) for s in _submissions(db, assignment.id)] == [(1, True)]
    assert _drafts(db) == []

    page = text_of(await Talk(core, world.officer_id).say(f"/theodoibaocao {request_id}"))
    assert "Xã Tân Lập — nộp muộn 2 ngày" in page, page
    assert "Muộn 1" in page and "Chưa nộp 1" in page, page  # Hòa Bình has not submitted
